"""Council profiles: one council's starting point for a simulation.

A profile is a JSON object (see the shipped ``data/profiles/*.json``): child population, demand
rates, placement mix and weekly costs, workforce, finance and the last Ofsted grade, with a
``"sources"`` map that names, for every numeric field (dotted path), where the number comes from
or that it is an assumption.

- :func:`load` reads a shipped profile by slug, or a profile JSON file.
- :func:`available` lists the shipped slugs.
- :func:`from_panels` builds a profile for any council in DfE's LA-level releases (the format of
  ``shared/data/la_panels``), optionally with its Ofsted history.
- :func:`check` validates a profile and names the dotted field at fault (the C++ engine validates
  again, with JSON pointers).

This module is pure Python (pandas for reading the panels) and does not need the compiled
extension.
"""
from __future__ import annotations

import datetime as _dt
import math as _math
import difflib
import math
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

__all__ = [
    "GRADES",
    "PLACEMENT_TYPES",
    "available",
    "check",
    "from_panels",
    "load",
]

PLACEMENT_TYPES = ("foster_inhouse", "foster_agency", "kinship", "residential", "supported",
                   "with_parents", "adoption")
GRADES = ("outstanding", "good", "requires_improvement", "inadequate")

# Engine convention (cpp/src/engine/finance.cpp): 52 weeks a year.
WEEKS_PER_YEAR = 52.0

# ---------------------------------------------------------------------------------------------
# Reference figures shipped in code (small, each with its source). These are the only national
# figures from outside the LA panels that from_panels needs, so the package works without
# shared/data. tests/python/test_profiles.py checks them against the files when those exist.
# ---------------------------------------------------------------------------------------------

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
_ASSUMED_YEARS_SINCE_INSPECTION = 3


# ---------------------------------------------------------------------------------------------
# Loading shipped profiles
# ---------------------------------------------------------------------------------------------

def _profiles_dir():
    """Directory (a Traversable) holding the shipped profiles."""
    if __package__:
        return resources.files(__package__).joinpath("data", "profiles")
    # Loaded as a standalone file (e.g. by scripts/build_profiles.py): data/ sits beside it.
    return Path(__file__).resolve().parent / "data" / "profiles"


def available() -> list[str]:
    """Slugs of the shipped profiles, sorted."""
    folder = _profiles_dir()
    if not folder.is_dir():
        return []
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".json"))


def load(name_or_path: str | Path, *, validate: bool = False) -> dict[str, Any]:
    """Return a profile as a new dict.

    ``name_or_path`` is a shipped slug (see :func:`available`, e.g. ``"example-county"``) or the
    path to a profile JSON file. ``validate=True`` also runs :func:`check`.

    Raises ValueError for an unknown slug or a file that is not a JSON object, and
    FileNotFoundError for a path that does not exist; both name what was asked for and the
    shipped slugs.
    """
    slugs = available()
    text: str
    origin: str
    if isinstance(name_or_path, str) and name_or_path in slugs:
        text = _profiles_dir().joinpath(name_or_path + ".json").read_text(encoding="utf-8")
        origin = f"shipped profile {name_or_path!r}"
    else:
        raw = str(name_or_path)
        path = Path(name_or_path).expanduser()
        looks_like_path = (isinstance(name_or_path, Path) or raw.endswith(".json")
                           or "/" in raw or "\\" in raw)
        if path.is_file() and path.suffix.lower() != ".json":
            # Only .json files are read as profiles: a scenario cannot point at any file.
            raise ValueError(f"profile file {raw!r} must be a .json file")
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            origin = f"profile file {str(path)!r}"
        elif looks_like_path:
            raise FileNotFoundError(
                f"profile file {raw!r} does not exist (shipped profiles: {', '.join(slugs) or 'none'})")
        else:
            close = difflib.get_close_matches(raw, slugs, n=3)
            hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
            raise ValueError(
                f"unknown profile {raw!r}: not a shipped slug nor an existing file "
                f"(shipped profiles: {', '.join(slugs) or 'none'}){hint}")
    from . import jsonio

    profile = jsonio.loads(text, str(origin))  # strict: duplicate keys, NaN, depth
    if not isinstance(profile, dict):
        raise ValueError(f"{origin} is not a JSON object")
    missing = [k for k in PROFILE_SECTIONS if not isinstance(profile.get(k), dict)]
    if missing:
        # Said before any value is checked, so errors never echo the contents of a file that is
        # not a profile at all (a scenario's "profile" may name any local path).
        raise ValueError(f"{origin} is not an admsim profile: it has no {', '.join(missing)} "
                         f"section{'s' if len(missing) > 1 else ''}")
    if validate:
        check(profile)
    return profile


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------

# The sections every profile has; a JSON file without them is not read as a profile.
PROFILE_SECTIONS: tuple[str, ...] = ("population", "demand", "placements", "workforce", "finance")

# Numeric fields of a profile (dotted paths); their ranges live in one place, the C++ parser.
NUMERIC_FIELDS: tuple[str, ...] = (
    "population.children_0_17", "population.growth_per_year",
    "demand.referrals_per_10k", "demand.rereferral_rate", "demand.no_further_action_rate",
    "demand.cin_per_10k", "demand.cpp_per_10k", "demand.cpp_starts_per_10k",
    "demand.cpp_repeat_rate", "demand.cla_per_10k", "demand.cla_starts_per_10k",
    "demand.cla_ceased_per_10k",
    *[f"placements.mix.{t}" for t in PLACEMENT_TYPES],
    *[f"placements.weekly_cost.{t}" for t in PLACEMENT_TYPES],
    "workforce.in_post_fte", "workforce.agency_fte", "workforce.vacancy_rate",
    "workforce.turnover_rate", "workforce.caseload", "workforce.case_holding_share",
    "workforce.weekly_cost_employed", "workforce.weekly_cost_agency",
    "finance.budget_per_year", "finance.overheads_share",
)


def check(profile: Mapping[str, Any], *, require_sources: bool = False) -> None:
    """Validate a profile with the engine's own parser; raise ``ScenarioError`` (a ValueError).

    The message starts with the dotted field at fault (``profile field 'demand.cla_per_10k'``) and
    carries the JSON pointer, the value and what is allowed. The engine also checks that the
    profile's stocks and flows can be a steady state. With ``require_sources=True`` every numeric
    field must have a non-empty entry in ``profile["sources"]`` (the shipped profiles do).
    """
    from . import _core
    from .scenario import scenario_error, validate

    if not isinstance(profile, Mapping):
        raise scenario_error("/profile", "wrong type", type(profile).__name__, "a JSON object")
    try:
        validate({"profile": dict(profile), "models": ["in_house"], "years": 1, "replicates": 1})
    except _core.ScenarioError as err:
        dotted = err.pointer.removeprefix("/profile/").replace("/", ".")
        renamed = _core.ScenarioError(f"profile field {dotted!r} ({err})")
        renamed.pointer, renamed.value, renamed.allowed = err.pointer, err.value, err.allowed
        raise renamed from None

    sources = profile.get("sources")
    if sources is not None and not isinstance(sources, Mapping):
        raise scenario_error("/profile/sources", "wrong type", sources,
                             "an object mapping dotted fields to text")
    if require_sources:
        for field in NUMERIC_FIELDS + ("ofsted.last_grade", "ofsted.last_inspection"):
            text = (sources or {}).get(field)
            if not isinstance(text, str) or not text.strip():
                raise scenario_error(f"/profile/sources/{field}",
                                     f"profile field 'sources.{field}' is missing or empty", text,
                                     "a sentence naming the source")


# ---------------------------------------------------------------------------------------------
# Shared derivations (also used by scripts/build_profiles.py for the example county)
# ---------------------------------------------------------------------------------------------

def _nearest(year: int, years) -> int:
    """Nearest year in ``years`` to ``year``; ties go to the earlier year."""
    years = sorted(set(years))
    if not years:
        raise ValueError("no years to choose from")
    return min(years, key=lambda y: (abs(y - year), y))


def _placement_mix(year: int) -> tuple[dict[str, float], dict[str, str], int]:
    """National placement mix at 31 March of the nearest year to ``year`` split into the seven
    engine types. Returns (mix, sources, year used)."""
    y = _nearest(year, NATIONAL_PLACEMENTS)
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


def _weekly_costs() -> tuple[dict[str, float], dict[str, str]]:
    return ({t: WEEKLY_COST[t][0] for t in PLACEMENT_TYPES},
            {f"placements.weekly_cost.{t}": WEEKLY_COST[t][1] for t in PLACEMENT_TYPES})


def _budget(children: float, cla_per_10k: float, mix: Mapping[str, float],
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


def _modal_grade(as_of: _dt.date) -> tuple[str, str, int]:
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


def _years_before(d: _dt.date, years: int) -> _dt.date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


def _slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# ---------------------------------------------------------------------------------------------
# Building a profile from DfE LA panels
# ---------------------------------------------------------------------------------------------

_PANEL_FILES = {
    "population": "population_0_17_*.csv",
    "referrals": "referrals_*.csv",
    "cin": "children_in_need_*.csv",
    "cpp_at31": "cpp_at31march*.csv",
    "cpp_subsequent": "cpp_subsequent_plan*.csv",
    "cla": "cla_number_and_rate*.csv",
    "workforce": "workforce_*.csv",
}


@lru_cache(maxsize=32)
def _read_csv(path: str, mtime: float):  # mtime in the key: a changed file is read again
    import pandas as pd

    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.columns = [c.strip() for c in frame.columns]
    return frame


class _Panel:
    """One DfE LA-level CSV: values by (level, la_name, year), suppressed values as None."""

    def __init__(self, panels_dir: Path, key: str):
        matches = sorted(panels_dir.glob(_PANEL_FILES[key]))
        if not matches:
            raise FileNotFoundError(f"no file matching {_PANEL_FILES[key]!r} in {str(panels_dir)!r}")
        self.path = matches[-1]
        self.name = self.path.name
        frame = _read_csv(str(self.path), self.path.stat().st_mtime)
        for col in ("time_period", "geographic_level", "la_name"):
            if col not in frame.columns:
                raise ValueError(f"{self.name}: column {col!r} is missing")
        self.frame = frame

    def rows(self, la: str | None, extra: Mapping[str, str] | None = None):
        f = self.frame
        if la is None:
            f = f[f["geographic_level"] == "National"]
        else:
            f = f[(f["geographic_level"] == "Local authority") & (f["la_name"] == la)]
        for col, value in (extra or {}).items():
            f = f[f[col] == value]
        return f

    def raw(self, la: str, columns: list[str], year: int, extra=None) -> dict[str, str]:
        f = self.rows(la, extra)
        f = f[f["time_period"].str.strip() == str(year)]
        return {c: str(f[c].iloc[0]) for c in columns} if len(f) else {}

    def years(self) -> list[int]:
        return sorted({int(y) for y in self.frame["time_period"] if str(y).strip().isdigit()})

    def values(self, la: str | None, columns: list[str], extra=None) -> dict[int, dict[str, float | None]]:
        """year -> {column: float or None (suppressed/missing)} for one LA (None = national)."""
        out: dict[int, dict[str, float | None]] = {}
        for _, row in self.rows(la, extra).iterrows():
            out[int(row["time_period"])] = {c: _number(row.get(c)) for c in columns}
        return out


def _number(value: Any) -> float | None:
    """A panel cell as a float; DfE's suppression codes (x, c, z, k, u, :, low, ...) -> None."""
    if value is None:
        return None
    text = str(value).strip().replace(",", "")
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _match_la(name: str, names: list[str], what: str) -> str:
    if name in names:
        return name
    folded = {n.casefold().strip(): n for n in names}
    key = " ".join(name.casefold().split())
    if key in folded:
        return folded[key]
    close = difflib.get_close_matches(name, names, n=5, cutoff=0.6)
    if not close:
        close = [folded[k] for k in difflib.get_close_matches(key, list(folded), n=5, cutoff=0.6)]
    hint = f"; close matches: {', '.join(map(repr, close))}" if close else ""
    raise ValueError(f"council {name!r} not found in {what}{hint}")


def _norm_la(name: str) -> str:
    """Loose key for matching LA names across publishers (Ofsted, DfE and MHCLG spellings: MHCLG
    names county councils "Worcestershire CC")."""
    s = name.casefold().replace("&", " and ")
    s = re.sub(r",\s*(city|county) of\s*$", "", s)
    s = re.sub(r"\s+(cc|county council)\s*$", "", s)
    s = re.sub(r"[^a-z0-9 ]", " ", s)
    s = " ".join(s.split())
    return re.sub(r"^county ", "", s)


_GRADE_MAP = {
    "outstanding": "outstanding",
    "good": "good",
    "requires improvement to be good": "requires_improvement",
    "requires improvement": "requires_improvement",
    "adequate": "requires_improvement",  # SLAC (2009-12) "adequate" is roughly RI
    "inadequate": "inadequate",
}


def _ofsted_from_file(path: str | Path, la_name: str, as_of: _dt.date) -> tuple[str, str, str] | None:
    """(grade, last_inspection ISO, source text) of the last graded judgement published on or
    before ``as_of`` for ``la_name``, or None if the file has none."""
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"Ofsted judgements file {str(path)!r} does not exist")
    frame = _read_csv(str(path), path.stat().st_mtime)
    needed = {"local_authority", "overall_effectiveness", "publication_date"}
    missing = needed - set(frame.columns)
    if missing:
        raise ValueError(f"{path.name}: columns {sorted(missing)} are missing")
    key = _norm_la(la_name)
    rows = frame[frame["local_authority"].map(_norm_la) == key]
    best = None
    for i, row in rows.iterrows():
        raw = str(row["overall_effectiveness"]).strip()
        if not raw:
            continue  # ungraded
        grade = _GRADE_MAP.get(raw.casefold())
        if grade is None:
            raise ValueError(f"{path.name}: unrecognised grade {raw!r} for {row['local_authority']!r} "
                             f"(expected one of {sorted(set(_GRADE_MAP))})")
        inspected = str(row.get("inspection_date", "") or "").strip()
        published = str(row.get("publication_date", "") or "").strip()
        # A judgement counts from its publication (the grade is known then); fall back to the
        # inspection date where a row has no publication date.
        effective = published or inspected
        if not effective:
            continue
        eff = pd.Timestamp(effective).date()
        if eff > as_of:
            continue
        cand = (eff, i, grade, inspected or published, row)
        if best is None or cand[:2] > best[:2]:
            best = cand
    if best is None:
        return None
    eff, _, grade, last, row = best
    date_kind = "inspection_date" if str(row.get("inspection_date", "") or "").strip() else \
        "publication_date (no inspection date in the file)"
    text = (f"{path.name}: {row['local_authority']}, {row['framework']} judgement "
            f"{row['overall_effectiveness']!r} published {row['publication_date']}, the last graded "
            f"judgement published on or before {as_of.isoformat()}; last_inspection = {date_kind}")
    return grade, _dt.date.fromisoformat(str(pd.Timestamp(last).date())).isoformat(), text


def from_panels(la_name: str, panels_dir: str | Path, *, year: int | None = None,
                judgements: str | Path | None = None, as_of: str | _dt.date | None = None) -> dict[str, Any]:
    """Build a profile for a council from DfE LA-level panel files.

    ``panels_dir`` holds files in the format of ``shared/data/la_panels`` (population_0_17_*,
    referrals_*, children_in_need_*, cpp_at31march*, cpp_subsequent_plan*,
    cla_number_and_rate*, workforce_*). ``la_name`` must match the files' ``la_name`` (case and
    spacing are forgiven); otherwise ValueError lists close matches.

    ``year`` is the DfE reporting year (year ending 31 March); default: the latest year in the
    referrals file for that council. Per-10k rates use the ONS 0-17 population of the year
    before (DfE convention); ``population.children_0_17`` is that same population, so that
    rate × population / 1e4 gives the DfE counts. Where a file does not cover the year (CLA
    2021-2022, workforce 2017-2022, or the council did not exist then) the nearest year is
    used; where the council's value is suppressed or missing the national value of that year
    is used. Both are recorded in ``"sources"``. The placement mix is national (the panels hold
    no stocks by placement type), split into the seven types by stated assumptions.

    ``judgements`` is an Ofsted judgements CSV (format of
    ``shared/data/ofsted_la_judgements_2009_2022.csv``): the last graded judgement published
    on or before ``as_of`` (default 31 March of ``year``) gives ``ofsted.last_grade``;
    ``last_inspection`` is its inspection date, else its publication date. Without a file, or
    with no judgement for the council by then, the grade is the national modal grade and the
    last inspection is assumed 3 years before ``as_of`` (labelled as assumptions).
    """
    panels_dir = Path(panels_dir)
    if not panels_dir.is_dir():
        raise FileNotFoundError(f"panels directory {str(panels_dir)!r} does not exist")
    panels = {k: _Panel(panels_dir, k) for k in _PANEL_FILES}
    pop_panel, ref_panel = panels["population"], panels["referrals"]

    names = sorted({n for p in panels.values()
                    for n in p.frame.loc[p.frame["geographic_level"] == "Local authority", "la_name"]
                    if n})
    la = _match_la(la_name, names, f"the DfE LA panels in {str(panels_dir)!r}")

    ref_years = sorted(ref_panel.values(la, ["referral_count"]))
    if year is None:
        if not ref_years:
            raise ValueError(f"{ref_panel.name} has no rows for {la!r}: pass year=")
        year = ref_years[-1]
    year = int(year)
    if as_of is None:
        as_of_date = _dt.date(year, 3, 31)
    elif isinstance(as_of, _dt.date):
        as_of_date = as_of
    else:
        as_of_date = _dt.date.fromisoformat(str(as_of))

    sources: dict[str, str] = {}

    # ---- population (year before, DfE convention)
    la_pop = {y: v["population_estimate"] for y, v in
              pop_panel.values(la, ["population_estimate"]).items() if v["population_estimate"]}
    nat_pop = {y: v["population_estimate"] for y, v in
               pop_panel.values(None, ["population_estimate"]).items() if v["population_estimate"]}
    if not la_pop:
        raise ValueError(f"{pop_panel.name} has no population for {la!r}")

    def pop_for(y_rate: int, national: bool = False) -> tuple[float, int]:
        series = nat_pop if national else la_pop
        y = _nearest(y_rate - 1, series)
        return series[y], y

    children, pop_year = pop_for(year)
    note = "" if pop_year == year - 1 else f" (nearest available to mid-{year - 1})"
    sources["population.children_0_17"] = (
        f"{pop_panel.name}: ONS mid-{pop_year} estimate of children aged 0-17, {la}{note}; the "
        f"denominator of the {year} per-10k rates (DfE convention: population of the year before)")
    span = sorted(y for y in la_pop if year - 6 <= y <= year - 1)
    if len(span) >= 2:
        y0, y1 = span[0], span[-1]
        growth = (la_pop[y1] / la_pop[y0]) ** (1.0 / (y1 - y0)) - 1.0
        sources["population.growth_per_year"] = (
            f"{pop_panel.name}: compound annual growth of {la}'s 0-17 population mid-{y0} to mid-{y1}")
    else:
        growth = 0.0
        sources["population.growth_per_year"] = (
            f"assumption: 0 (fewer than two population years for {la} in {pop_panel.name} before {year})")

    # ---- one quantity from one file, with year and suppression fallbacks
    def quantity(panel: _Panel, columns: list[str], compute, what: str, extra=None,
                 per_10k: bool = False, fte_scale: bool = False):
        la_vals = panel.values(la, columns, extra)
        nat_vals = panel.values(None, columns, extra)
        notes = []
        if la_vals:
            y = _nearest(year, la_vals)
        else:
            y = _nearest(year, nat_vals)
            notes.append(f"{la} has no rows in this file")
        if y != year:
            covered = panel.years()
            notes.append(f"nearest available year to {year}"
                         + (f"; file covers {covered[0]}-{covered[-1]}" if covered else ""))

        def evaluate(vals, national):
            row = vals.get(y)
            if row is None or any(row[c] is None for c in columns):
                return None
            denominator = None
            if per_10k:
                denominator, _ = pop_for(y, national)
            try:
                return compute(row, denominator)
            except ZeroDivisionError:
                return None

        value = evaluate(la_vals, False) if la_vals else None
        if value is not None:
            who = la
        else:
            value = evaluate(nat_vals, True)
            if value is None:
                raise ValueError(f"{panel.name}: no usable value for {what} for {la} or England in {y}")
            if fte_scale:  # national FTE scaled to the council's child population
                n_pop, _ = pop_for(y, True)
                l_pop, _ = pop_for(y, False)
                value = value * l_pop / n_pop
                who = f"England scaled by {la}'s 0-17 population / England's"
            else:
                who = "England"
            if la_vals:
                raw = panel.raw(la, columns, y, extra)
                codes = sorted({raw[c] for c in columns if _number(raw.get(c)) is None})
                notes.append(f"{la}'s value suppressed or missing"
                             + (f" ({', '.join(map(repr, codes))})" if codes else "")
                             + ": national value used")
        denom = ""
        if per_10k:
            p, py = pop_for(y, who == "England")
            denom = f" per 10,000 of mid-{py} 0-17 population ({p:,.0f})"
        text = f"{panel.name}: {what}, {who}, {y}{denom}"
        if notes:
            text += " -- " + "; ".join(notes)
        return value, text

    def put(field: str, result, digits: int):
        value, text = result
        _set(profile, field, round(float(value), digits))
        sources[field] = text

    profile: dict[str, Any] = {
        "name": la,
        "slug": f"{_slugify(la)}-{year}",
        "description": (f"{la}, reporting year {year - 1}-{str(year)[-2:]} (year ending 31 March "
                        f"{year}), built by admsim.profiles.from_panels from DfE LA-level releases; "
                        f"placement mix national; costs and overheads assumptions (see sources)."),
        "as_of": as_of_date.isoformat(),
        "population": {"children_0_17": int(round(children)), "growth_per_year": round(growth, 5)},
        "demand": {}, "placements": {}, "workforce": {}, "finance": {}, "ofsted": {},
    }

    ref, cin, cppa, cpps, cla, wf = (panels[k] for k in
                                     ("referrals", "cin", "cpp_at31", "cpp_subsequent", "cla", "workforce"))
    put("demand.referrals_per_10k",
        quantity(ref, ["referral_count"], lambda r, p: r["referral_count"] / p * 1e4,
                 "referral_count", per_10k=True), 2)
    # The council's long-run referral rate: its mean over the years known by the profile's year
    # (from 2013), toward which referrals revert (demand_persistence_per_year).
    history = {y: v["referral_count"] / pop_for(y)[0] * 1e4
               for y, v in ref_panel.values(la, ["referral_count"]).items()
               if v["referral_count"] is not None and y <= year}
    if len(history) >= 3:
        profile["demand"]["referrals_per_10k_long_run"] = round(
            float(_math.exp(sum(_math.log(v) for v in history.values()) / len(history))), 2)
        sources["demand.referrals_per_10k_long_run"] = (
            f"{ref_panel.name}: geometric mean of {la}'s referral_count per 10,000 0-17 population, "
            f"{min(history)}-{max(history)} ({len(history)} years known by {year}); referrals revert "
            f"toward it at demand_persistence_per_year")
    put("demand.rereferral_rate",
        quantity(ref, ["rereferral_count", "referral_count"],
                 lambda r, p: r["rereferral_count"] / r["referral_count"],
                 "rereferral_count / referral_count (re-referrals within 12 months)"), 4)
    put("demand.no_further_action_rate",
        quantity(ref, ["no_further_action_count", "not_in_need_count", "referral_count"],
                 lambda r, p: (r["no_further_action_count"] + r["not_in_need_count"]) / r["referral_count"],
                 "(no_further_action_count + not_in_need_count) / referral_count"), 4)
    put("demand.cin_per_10k",
        quantity(cin, ["At31_episodes"], lambda r, p: r["At31_episodes"] / p * 1e4,
                 "At31_episodes (children in need at 31 March, incl. CPP and CLA)", per_10k=True), 2)
    put("demand.cpp_per_10k",
        quantity(cppa, ["CPP_At31"], lambda r, p: r["CPP_At31"] / p * 1e4,
                 "CPP_At31 (child protection plans at 31 March)", per_10k=True), 2)
    put("demand.cpp_starts_per_10k",
        quantity(cpps, ["CPP_start"], lambda r, p: r["CPP_start"] / p * 1e4,
                 "CPP_start (plans starting in the year)", per_10k=True), 2)
    put("demand.cpp_repeat_rate",
        quantity(cpps, ["CPP_subsequent", "CPP_start"], lambda r, p: r["CPP_subsequent"] / r["CPP_start"],
                 "CPP_subsequent / CPP_start (second or subsequent plans)"), 4)
    for field, pop_type in (("cla_per_10k", "Children looked after on 31 March each year"),
                            ("cla_starts_per_10k", "Children starting to be looked after each year"),
                            ("cla_ceased_per_10k", "Children ceasing to be looked after each year")):
        put(f"demand.{field}",
            quantity(cla, ["children_count"], lambda r, p: r["children_count"] / p * 1e4,
                     f"children_count, '{pop_type}'", extra={"population_type": pop_type},
                     per_10k=True), 2)

    # ---- placements: national mix, costs from domain.md / assumptions
    mix, mix_sources, _ = _placement_mix(year)
    cost, cost_sources = _weekly_costs()
    profile["placements"] = {"mix": mix, "weekly_cost": cost}
    sources.update(mix_sources)
    sources.update(cost_sources)

    # ---- workforce (DfE CSWW, FTE at 30 September of the year)
    wf_what = "(children's social work workforce at 30 September)"
    put("workforce.in_post_fte",
        quantity(wf, ["inpost_fte"], lambda r, p: r["inpost_fte"], f"inpost_fte {wf_what}",
                 fte_scale=True), 1)
    put("workforce.agency_fte",
        quantity(wf, ["agency_fte"], lambda r, p: r["agency_fte"], f"agency_fte {wf_what}",
                 fte_scale=True), 1)
    put("workforce.vacancy_rate",
        quantity(wf, ["vacancy_rate_fte"], lambda r, p: r["vacancy_rate_fte"] / 100,
                 f"vacancy_rate_fte / 100 {wf_what}"), 4)
    put("workforce.turnover_rate",
        quantity(wf, ["turnover_rate_fte"], lambda r, p: r["turnover_rate_fte"] / 100,
                 f"turnover_rate_fte / 100 (leavers in the year / in post) {wf_what}"), 4)
    put("workforce.caseload",
        quantity(wf, ["caseload_fte"], lambda r, p: r["caseload_fte"],
                 f"caseload_fte (cases per case-holding FTE) {wf_what}"), 2)
    put("workforce.case_holding_share",
        quantity(wf, ["case_holders_fte", "inpost_fte", "agency_fte"],
                 lambda r, p: r["case_holders_fte"] / (r["inpost_fte"] + r["agency_fte"]),
                 f"case_holders_fte / (inpost_fte + agency_fte) {wf_what}"), 4)
    w = profile["workforce"]
    w["weekly_cost_employed"], sources["workforce.weekly_cost_employed"] = WEEKLY_COST_EMPLOYED
    w["weekly_cost_agency"], sources["workforce.weekly_cost_agency"] = WEEKLY_COST_AGENCY

    # ---- finance
    overheads, sources["finance.overheads_share"] = OVERHEADS_SHARE
    # The council's actual spend (RO3 outturn: the RO3 workbook in panels_dir, else the shipped
    # derived copy); a modelled cost only where the council has no outturn row.
    from . import outturn

    ro3 = Path(panels_dir) / outturn.RO3_FILE
    actual = outturn.council_budget(la, ro3 if ro3.exists() else None)
    if actual is not None:
        budget, sources["finance.budget_per_year"] = actual
    else:
        budget, text = _budget(
            profile["population"]["children_0_17"], profile["demand"]["cla_per_10k"], mix, cost,
            w["in_post_fte"], w["agency_fte"], w["weekly_cost_employed"], w["weekly_cost_agency"],
            overheads)
        sources["finance.budget_per_year"] = f"{la} has no RO3 outturn row: {text}"
    profile["finance"] = {"budget_per_year": budget, "overheads_share": overheads,
                          "budget_path": "flat_real"}
    sources["finance.budget_path"] = ("flat in real terms (the default); 'demand_led' grows it "
                                      "with the child population and the demand trend, or give "
                                      "one budget a year")

    # ---- Ofsted
    found = _ofsted_from_file(judgements, la, as_of_date) if judgements is not None else None
    if found is not None:
        grade, last, text = found
        sources["ofsted.last_grade"] = text
        sources["ofsted.last_inspection"] = text
    else:
        grade, text, _ = _modal_grade(as_of_date)
        why = ("no judgements file given" if judgements is None else
               f"no graded judgement for {la} published on or before {as_of_date} in "
               f"{Path(judgements).name}")
        last = _years_before(as_of_date, _ASSUMED_YEARS_SINCE_INSPECTION).isoformat()
        sources["ofsted.last_grade"] = f"{text} ({why})"
        sources["ofsted.last_inspection"] = (
            f"assumption: {_ASSUMED_YEARS_SINCE_INSPECTION} years before as_of ({why})")
    profile["ofsted"] = {"last_grade": grade, "last_inspection": last}

    profile["sources"] = {k: sources[k] for k in sorted(sources)}
    return profile


def _set(profile: dict[str, Any], dotted: str, value: Any) -> None:
    node = profile
    parts = dotted.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value
