"""National reference figures shipped in code, each with its source, and the derivations from them
that every built profile shares (placement mix, weekly costs, a modelled budget, the modal
Ofsted grade): used by :func:`admsim.profiles.from_panels` and by ``scripts/build_profiles.py``
for the example county."""
from __future__ import annotations

import datetime as _dt
from typing import Mapping

from .loader import GRADES, PLACEMENT_TYPES

# Engine convention (cpp/src/engine/finance.cpp): 52 weeks a year.
WEEKS_PER_YEAR = 52.0

# Reference figures shipped in code (small, each with its source). These are the only national
# figures from outside the LA panels that from_panels needs, so the package works without
# shared/data. tests/python/test_profiles.py checks them against the files when those exist.

#: Children looked after at 31 March by placement, England (counts).
#: Source: shared/data/england_cla_placement_mix_2021_2022.csv (DfE CLA release via
#: dfe-analytical-services/CSC_outcomes_and_enablers data/placement_data.rds @2f5d11a).
NATIONAL_PLACEMENTS: dict[int, dict[str, int]] = {
    2021: {"Foster placements": 56990,
           "Independent and semi-independent living arrangements/supported accommodation": 6070,
           "Other placements": 600, "Other residential settings": 1010, "Placed for adoption": 2490,
           "Placed with parents or other person with parental responsibility": 6070,
           "Residential schools": 120, "Secure homes and children's homes": 7440, "Total": 80780},
    2022: {"Foster placements": 57170,
           "Independent and semi-independent living arrangements/supported accommodation": 7470,
           "Other placements": 710, "Other residential settings": 960, "Placed for adoption": 2350,
           "Placed with parents or other person with parental responsibility": 5710,
           "Residential schools": 100, "Secure homes and children's homes": 7610, "Total": 82090},
}
PLACEMENT_MIX_FILE = "england_cla_placement_mix_2021_2022.csv"

#: Which DfE placement categories make up each of the engine's non-foster types.
#: "Other placements" (about 1%: e.g. in the community, absconded) is spread pro rata.
_CATEGORY_TO_TYPE = {
    "Secure homes and children's homes": "residential",
    "Other residential settings": "residential",
    "Residential schools": "residential",
    "Independent and semi-independent living arrangements/supported accommodation": "supported",
    "Placed with parents or other person with parental responsibility": "with_parents",
    "Placed for adoption": "adoption",
}

#: Split of foster placements (shares of all fostered children). ASSUMPTION: the DfE placement
#: file in shared/data gives foster care as one total; no file there splits it by provider or
#: by relationship. Order of magnitude from DfE's CLA national tables (foster with a relative or
#: friend; foster with other carer provided by the LA vs by private/voluntary agencies) and the
#: CMA market study (IFAs about a third of fostered children) -- recalled, not checked against a
#: file here. Ranges for sensitivity runs.
FOSTER_SPLIT = {
    "foster_inhouse": (0.45, "assumption: remainder after agency and kinship (range 0.35-0.55)"),
    "foster_agency": (0.36, "assumption: independent fostering agency (IFA) share of fostered "
                            "children 0.36 (range 0.30-0.42); DfE CLA tables / CMA market study "
                            "put IFAs at roughly a third of foster placements (not in shared/data)"),
    "kinship": (0.19, "assumption: foster with relative or friend (connected persons) share of "
                      "fostered children 0.19 (range 0.15-0.23); DfE CLA tables order of magnitude "
                      "(not in shared/data)"),
}

#: Weekly cost per child by placement type, GBP, with source. Not inflated to a common year.
WEEKLY_COST: dict[str, tuple[float, str]] = {
    "foster_inhouse": (600.0, "DfE answer to parliamentary question 49075: LA foster care about "
                              "£600 a week (2016-17 prices; domain.md section 3)"),
    "foster_agency": (820.0, "CMA children's social care market study, interim report: average "
                             "IFA weekly price £820 (2021; domain.md section 3)"),
    "kinship": (400.0, "assumption: connected-person foster care, below mainstream in-house "
                       "foster (allowances plus support), £400 (range £250-£600)"),
    "residential": (3830.0, "CMA children's social care market study, interim report: average "
                            "children's home weekly price £3,830 (2021; most places are private). "
                            "LA-run homes about £3,000 (DfE PQ 49075, 2016-17) -- use as lower "
                            "bound (range £3,000-£5,000)"),
    "supported": (1500.0, "assumption: independent/semi-independent (supported) accommodation "
                          "£1,500 (range £800-£3,000); prices vary widely, no source in shared/data"),
    "with_parents": (150.0, "assumption: placed with parents, mostly social-work time already "
                            "costed under workforce: £150 (range £50-£300)"),
    "adoption": (600.0, "assumption: placed for adoption, inter-agency fee and support spread "
                        "over the placed-for-adoption period: £600 (range £200-£900)"),
}

WEEKLY_COST_EMPLOYED = (1280.0, "St Helens delegated decision 2025/26-0044: employed social "
                                "worker about £1,280 a week, on-costs included (2025 prices, one "
                                "LA; domain.md section 3)")
WEEKLY_COST_AGENCY = (1800.0, "St Helens delegated decision 2025/26-0044: agency social worker "
                              "about £1,800 a week (2025 prices, one LA; domain.md section 3)")

OVERHEADS_SHARE = (0.35, "assumption: support services, management and non-placement "
                         "children's services costs as a share of staff + placement cost, 0.35 "
                         "(range 0.25-0.50)")

#: Latest Ofsted grade at 31 March, England: (outstanding, good, requires_improvement, inadequate).
#: Source: shared/data/ofsted_national_distribution_31mar_2014_2022.csv (2014-2017: SIF rollout,
#: LAs not yet SIF-inspected are not counted).
OFSTED_NATIONAL_DISTRIBUTION: dict[int, tuple[int, int, int, int]] = {
    2014: (0, 5, 4, 2), 2015: (0, 12, 27, 9), 2016: (2, 21, 43, 21), 2017: (2, 35, 58, 29),
    2018: (3, 54, 72, 23), 2019: (8, 61, 61, 22), 2020: (18, 57, 54, 21),
    2021: (18, 57, 54, 21), 2022: (21, 60, 51, 18),
}
OFSTED_DISTRIBUTION_FILE = "ofsted_national_distribution_31mar_2014_2022.csv"

# Assumed time since the last graded inspection when the grade itself is assumed.
ASSUMED_YEARS_SINCE_INSPECTION = 3


def nearest_year(year: int, years) -> int:
    """Nearest year in ``years`` to ``year``; ties go to the earlier year."""
    years = sorted(set(years))
    if not years:
        raise ValueError("no years to choose from")
    return min(years, key=lambda y: (abs(y - year), y))


def placement_mix(year: int) -> tuple[dict[str, float], dict[str, str], int]:
    """National placement mix at 31 March of the nearest year to ``year`` split into the seven
    engine types. Returns (mix, sources, year used)."""
    y = nearest_year(year, NATIONAL_PLACEMENTS)
    counts = NATIONAL_PLACEMENTS[y]
    other = counts["Other placements"]
    base = counts["Total"] - other  # "Other placements" spread pro rata over the rest
    by_type = {t: 0.0 for t in PLACEMENT_TYPES}
    for cat, t in _CATEGORY_TO_TYPE.items():
        by_type[t] += counts[cat]
    foster = counts["Foster placements"]
    for t, (share, _) in FOSTER_SPLIT.items():
        by_type[t] = foster * share
    mix = {t: round(by_type[t] / base, 6) for t in PLACEMENT_TYPES}
    # make the rounded shares sum to 1 exactly (adjust the largest)
    biggest = max(mix, key=mix.get)
    mix[biggest] = round(1.0 - sum(v for k, v in mix.items() if k != biggest), 6)
    note = "" if y == year else f" (nearest available year to {year}; file covers 2021-2022)"
    where = (f"{PLACEMENT_MIX_FILE}, England, 31 March {y}{note}; national mix (LA panels give no "
             f"stocks by placement type); 'Other placements' ({other} of {counts['Total']}) spread "
             f"pro rata")
    src = {}
    for t in PLACEMENT_TYPES:
        if t in FOSTER_SPLIT:
            src[f"placements.mix.{t}"] = (f"{where}: foster placements {foster}/{base} × "
                                          f"{FOSTER_SPLIT[t][0]} of foster -- {FOSTER_SPLIT[t][1]}")
        else:
            cats = [c for c, tt in _CATEGORY_TO_TYPE.items() if tt == t]
            parts = " + ".join(f"{c} {counts[c]}" for c in cats)
            src[f"placements.mix.{t}"] = f"{where}: ({parts})/{base}"
    return mix, src, y


def weekly_costs() -> tuple[dict[str, float], dict[str, str]]:
    return ({t: WEEKLY_COST[t][0] for t in PLACEMENT_TYPES},
            {f"placements.weekly_cost.{t}": WEEKLY_COST[t][1] for t in PLACEMENT_TYPES})


def modelled_budget(children: float, cla_per_10k: float, mix: Mapping[str, float],
                    cost: Mapping[str, float], in_post: float, agency: float, weekly_employed: float,
                    weekly_agency: float, overheads_share: float) -> tuple[float, str]:
    """Modelled annual cost of staff and placements, times (1 + overheads_share).

    Cross-check (comment, not enforced): the RSX 2024-25 median net children's social care
    spend is about £86m (IQR £63m-£118m; domain.md). For an average-size council (11.76m / 152
    = about 77,000 children) this formula gives roughly £60-65m at the 2021-22 rates and the
    mixed-year prices above: lower, as expected, because RSX is at 2024-25 prices (placement
    prices rose fast after 2021) and its net spend includes services not modelled here (early
    help, care leavers, special guardianship and adoption allowances, disabled children,
    unaccompanied asylum-seeking children, youth justice).
    """
    staff = (in_post * weekly_employed + agency * weekly_agency) * WEEKS_PER_YEAR
    cla = cla_per_10k * children / 1e4
    weekly_per_child = sum(mix[t] * cost[t] for t in PLACEMENT_TYPES)
    placements = cla * weekly_per_child * WEEKS_PER_YEAR
    budget = int(round((staff + placements) * (1.0 + overheads_share), -3))
    text = (f"derived, not the council's actual budget: (staff £{staff:,.0f} + placements "
            f"£{placements:,.0f}) × (1 + overheads_share {overheads_share}) = £{budget:,.0f}; staff = "
            f"(in_post_fte × £{weekly_employed:,.0f} + agency_fte × £{weekly_agency:,.0f}) × "
            f"{WEEKS_PER_YEAR:g} weeks; placements = CLA {cla:,.1f} (cla_per_10k × children_0_17 / 1e4) "
            f"× mix-weighted weekly cost £{weekly_per_child:,.2f} × {WEEKS_PER_YEAR:g} weeks. "
            f"Cross-check: RSX 2024-25 median net CSC spend about £86m for an average-size council "
            f"(about 77,000 children); this formula gives about £63m for such a council at England's "
            f"2021-22 rates: lower, as RSX is at 2024-25 prices and covers services outside the "
            f"model (early help, care leavers, SGO/adoption allowances, disabled children)")
    return budget, text


def modal_grade(as_of: _dt.date) -> tuple[str, str, int]:
    """Modal latest grade nationally at the last 31 March on or before ``as_of`` (clamped to
    the file's 2014-2022). Ties go to the lower grade."""
    y = as_of.year if (as_of.month, as_of.day) >= (3, 31) else as_of.year - 1
    y_used = min(max(y, min(OFSTED_NATIONAL_DISTRIBUTION)), max(OFSTED_NATIONAL_DISTRIBUTION))
    counts = OFSTED_NATIONAL_DISTRIBUTION[y_used]
    top = max(counts)
    grade = GRADES[max(i for i, c in enumerate(counts) if c == top)]  # tie -> lower grade
    note = "" if y_used == y else f" (nearest year in the file to {y})"
    text = (f"assumption: national modal grade, {OFSTED_DISTRIBUTION_FILE} at 31 March {y_used}"
            f"{note}: outstanding {counts[0]}, good {counts[1]}, requires improvement {counts[2]}, "
            f"inadequate {counts[3]}")
    if list(counts).count(top) > 1:
        text += " (tie broken toward the lower grade)"
    return grade, text, y_used


def years_before(d: _dt.date, years: int) -> _dt.date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)
