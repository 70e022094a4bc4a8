"""Calibration of the reference model to a profile, computed here as docs/model.md describes
("Calibration to the profile"): the monthly rates under which the in-house model with no risks
and no interventions keeps the profile's stocks and flows. Nothing is read from the engine.

Where docs/model.md left a choice open, the engine's choice was looked up once and the doc
fixed to state it; those places are marked "model.md (clarified)".
"""
from __future__ import annotations

import datetime as _dt
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from statistics import NormalDist

import numpy as np

DOCS = Path(__file__).resolve().parents[2] / "docs"

PLACEMENTS = ("foster_inhouse", "foster_agency", "kinship", "residential", "supported",
              "with_parents", "adoption")
FOSTER_INHOUSE, FOSTER_AGENCY, KINSHIP, RESIDENTIAL, SUPPORTED, WITH_PARENTS, ADOPTION = range(7)
CARE_BAND_MONTHS = (6, 18, 36, math.inf)    # widths of 0-6 m, 6-24 m, 24-60 m, 60+ m in care
AGE_BAND_MONTHS = (60, 60, 72, 24)          # widths of 0-4, 5-9, 10-15, 16-17
GRADES = {"outstanding": 1, "good": 2, "requires_improvement": 3, "inadequate": 4}


def parameter_defaults(path: Path = DOCS / "parameters.md") -> dict[str, float]:
    """Engine parameter defaults, read from the documentation's table (the second column)."""
    out = {}
    for line in path.read_text().splitlines():
        m = re.match(r"\|\s*`([a-z0-9_]+)`\s*\|\s*([^|]+?)\s*\|", line)
        if m:
            out[m.group(1)] = float(m.group(2))
    if len(out) < 50:
        raise RuntimeError(f"could not read the parameter table in {path}")
    return out


def _movement(leave: np.ndarray) -> np.ndarray:
    """16x16 matrix: P(a child in cell i at the end of a month is in cell j at the end of the
    next), cells (time band b, age band a) flattened b*4 + a. A child leaves with leave[b, a],
    otherwise moves on in time with 1/width and, independently, in age with 1/width; moving on
    from 16-17 is turning 18 (leaves)."""
    d = np.array([1.0 / w for w in CARE_BAND_MONTHS])
    g = np.array([1.0 / w for w in AGE_BAND_MONTHS])
    m = np.zeros((16, 16))
    for b in range(4):
        for a in range(4):
            stay = 1.0 - leave[b, a]
            for db, pb in ((0, 1 - d[b]), (1, d[b])):
                for da, pa in ((0, 1 - g[a]), (1, g[a])):
                    bb, aa = min(b + db, 3), a + da
                    if aa > 3 or pb * pa == 0:
                        continue  # turned 18, or an impossible move
                    m[b * 4 + a, bb * 4 + aa] += stay * pb * pa
    return m


def steady_stock(leave: np.ndarray, entry_age: np.ndarray) -> np.ndarray:
    """Expected end-of-month stock by (time band, age band) per child entering a month, entries
    joining the first time band at the end of the month: s = M^T s + e, solved directly."""
    e = np.zeros(16)
    e[:4] = entry_age
    return np.linalg.solve(np.eye(16) - _movement(leave).T, e).reshape(4, 4)


def normal_rejection(rng: np.random.Generator, sd: float, lo: float, hi: float,
                     size: int) -> np.ndarray:
    """N(0, sd^2) conditioned on (lo, hi], by rejection (independent of any inversion code)."""
    out = np.empty(size)
    todo = np.arange(size)
    while todo.size:
        y = rng.normal(0.0, sd, todo.size)
        ok = (y > lo) & (y <= hi)
        out[todo[ok]] = y[ok]
        todo = todo[~ok]
    return out


@dataclass
class Calibration:
    children0: float
    new_referrals: float
    rereferral_hazard: float
    closures: float
    nfa: float
    cin_only0: float
    cpp0: float
    cla0: float
    p_cin: np.ndarray            # CIN-only: to plan, into care, closed (monthly)
    p_cpp_end: float
    p_cpp_end_to_care: float
    cla_starts: float
    uasc_entries: float
    leave: np.ndarray            # (7, 4, 4) monthly leaving probability
    entry_mix: np.ndarray        # (7,) type of entries through children's services
    entry_age: np.ndarray        # (7, 4) age given type
    initial_care: np.ndarray     # (7, 4, 4) expected end-of-month stocks
    p_step_down: float
    p_escalate: np.ndarray       # (4, 4)
    scale: float
    # workforce
    in_post0: float
    agency0: float
    establishment0: float
    band_hazard: np.ndarray      # (3,) NQ, experienced, senior
    fill_prob: float
    agency_cover: float
    cases_per_child: float
    caseload0: float
    turnover0: float
    agency_share0: float
    # quality
    kappa: float
    sigma: float
    reading_sd: float
    cuts_standard: np.ndarray    # reading-scale O/G, G/RI, RI/I at month 0
    cuts_short: np.ndarray
    medians: np.ndarray          # (5,) index by grade 1..4 (0 unused)
    shape: float
    months_since_inspection: int
    last_grade: int
    budget_by_year: np.ndarray
    extra: dict = field(default_factory=dict)

    def drift(self, t: int, par: dict) -> float:
        """Standardised units by which ILACS cut-points have fallen by month t: the drift
        grading_drift_per_year, damped from month 0 with the half-life (integral of the pace)."""
        h = par["grading_drift_half_life_years"]
        return par["grading_drift_per_year"] * h / math.log(2) * (1 - 2.0 ** (-t / 12 / h))


def calibrate(profile: dict, par: dict, months: int) -> Calibration:
    pop, dem, wf = profile["population"], profile["demand"], profile["workforce"]
    n = float(pop["children_0_17"])
    per10k = n / 1e4

    # ---- demand
    referrals = dem["referrals_per_10k"] * per10k / 12
    rho = dem["rereferral_rate"]
    cpp0, cla0 = dem["cpp_per_10k"] * per10k, dem["cla_per_10k"] * per10k
    cin_only0 = dem["cin_per_10k"] * per10k - cpp0 - cla0
    cin_starts = referrals * (1 - dem["no_further_action_rate"])
    s_p = dem["cpp_starts_per_10k"] * per10k / 12
    s_l = dem["cla_starts_per_10k"] * per10k / 12
    u, f = par["uasc_share_of_starts"], par["cla_from_cpp_share"]
    # model.md (clarified): the routes through CIN and plans share (1 - u) of entries; UASC the rest.
    from_cpp, from_cin = f * (1 - u) * s_l, (1 - f) * (1 - u) * s_l
    step_down = (s_p - from_cpp) * par["cpp_end_to_cin_share"]
    p_cin = np.array([s_p, from_cin, cin_starts + step_down - s_p - from_cin]) / cin_only0

    # ---- care
    band_rel = np.array([par["leaving_hazard_0_6m"], par["leaving_hazard_6_24m"],
                         par["leaving_hazard_2_5y"], par["leaving_hazard_5y_plus"]])
    type_rel = np.ones(7)
    for k, name in ((ADOPTION, "adoption"), (WITH_PARENTS, "with_parents"),
                    (SUPPORTED, "supported"), (RESIDENTIAL, "residential"), (KINSHIP, "kinship")):
        type_rel[k] = par[f"leaving_multiplier_{name}"]
    age_rel = np.array([par["leaving_multiplier_age_0_4"], par["leaving_multiplier_age_5_9"], 1.0,
                        par["leaving_multiplier_age_16_17"]])
    general = np.array([par["entry_share_age_0_4"], par["entry_share_age_5_9"],
                        1 - par["entry_share_age_0_4"] - par["entry_share_age_5_9"]
                        - par["entry_share_age_16_17"], par["entry_share_age_16_17"]])
    entry_age = np.tile(general, (7, 1))
    entry_age[ADOPTION] = [1, 0, 0, 0]
    entry_age[SUPPORTED] = [0, 0, 0, 1]
    uasc_mix = np.zeros(7)
    uasc_mix[SUPPORTED] = par["uasc_share_aged_16_17"]
    uasc_mix[FOSTER_AGENCY] = 1 - par["uasc_share_aged_16_17"]
    uasc_age = np.zeros((7, 4))
    uasc_age[SUPPORTED, 3] = 1
    uasc_age[FOSTER_AGENCY, 2] = 1
    mix = np.array([profile["placements"]["mix"][p] for p in PLACEMENTS])

    def leave_for(scale):
        return 1 - np.exp(-scale * band_rel[None, :, None] * type_rel[:, None, None]
                          * age_rel[None, None, :])

    def stocks(scale):
        lv = leave_for(scale)
        gen = np.array([steady_stock(lv[k], entry_age[k]) for k in range(7)])
        uas = np.array([steady_stock(lv[k], uasc_age[k]) for k in range(7)])
        return lv, gen, uas

    def entry_shares(scale):
        _, gen, uas = stocks(scale)
        # the share of non-UASC entries of each type that gives the profile's stock of that type
        return (cla0 * mix / s_l - u * uasc_mix * uas.sum((1, 2))) / ((1 - u) * gen.sum((1, 2)))

    lo, hi = 1e-9, 50.0  # higher hazards mean shorter stays, so the needed entry shares rise
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if entry_shares(mid).sum() < 1 else (lo, mid)
    scale = 0.5 * (lo + hi)
    leave, gen, uas = stocks(scale)
    entry_mix = np.maximum(entry_shares(scale), 0.0)
    if (entry_shares(scale) < -1e-9).any():
        raise ValueError("UASC alone overfill a placement type (uasc_share_of_starts)")
    initial = s_l * ((1 - u) * entry_mix[:, None, None] * gen + u * uasc_mix[:, None, None] * uas)
    # model.md (clarified): step-downs a month 1 - exp(-rate/12); escalations per cell balance
    # them at the stocks the moves see, after the month's exits and before its entries.
    p_down = 1 - math.exp(-par["step_down_per_year"] / 12)
    before = initial.copy()
    before[:, 0, :] -= s_l * ((1 - u) * entry_mix[:, None] * entry_age + u * uasc_mix[:, None] * uasc_age)
    before = np.maximum(before, 0.0)
    foster = before[FOSTER_INHOUSE] + before[FOSTER_AGENCY]
    p_esc = np.where(foster > 0, np.minimum(1.0, p_down * before[RESIDENTIAL] / np.where(foster > 0, foster, 1)), 0.0)

    # ---- workforce
    in_post0, agency0 = wf["in_post_fte"], wf["agency_fte"]
    est0 = in_post0 / (1 - wf["vacancy_rate"])
    hazard = wf["turnover_rate"] / 12
    nq, sen = par["initial_newly_qualified_share"], par["initial_senior_share"]
    rel = np.array([par["turnover_relative_newly_qualified"], 1.0, par["turnover_relative_senior"]])
    band_hazard = hazard * rel / (nq * rel[0] + (1 - nq - sen) + sen * rel[2])
    vac0 = max(est0 - in_post0, 1.0)
    leavers0 = hazard * in_post0
    # model.md (clarified): hiring sees the month's leavers' posts too: hires = L from V0 + L.
    fill = leavers0 / (vac0 + leavers0)
    m, pf = par["agency_assignment_months"], par["agency_fill_probability"]
    # Steady agency FTE A: ends A/m, starts pf * (target - (A - A/m)) = A/m.
    cover = agency0 * (1 / (m * pf) + 1 - 1 / m) / vac0
    capacity = wf["case_holding_share"] * (in_post0 * (1 - nq * (1 - par["newly_qualified_capacity"])) + agency0)
    cases_per_child = wf["caseload"] * capacity / (dem["cin_per_10k"] * per10k)

    # ---- quality and inspection
    kappa = 1 - math.exp(-par["quality_reversion_per_year"] / 12)
    sigma = math.sqrt(1 - (1 - kappa) ** 2) * math.sqrt(1 - par["quality_persistent_share"])
    s = par["inspection_noise_sd"]
    reading_sd = math.sqrt(1 + s * s)
    o, g, ri = (par["national_share_outstanding"], par["national_share_good"],
                par["national_share_requires_improvement"])
    z = np.array([NormalDist().inv_cdf(1 - o), NormalDist().inv_cdf(1 - o - g),
                  NormalDist().inv_cdf(1 - o - g - ri)])
    # model.md (clarified): the shares and the short shift are in standardised (z) units; cut-points
    # on the reading y = q + e are those times sd(y) = sqrt(1 + s^2).
    cuts_std = reading_sd * z
    cuts_short = reading_sd * (z - par["short_inspection_shift"])
    medians = np.array([np.nan, par["inspection_gap_median_good_months"],
                        par["inspection_gap_median_good_months"],
                        par["inspection_gap_median_requires_improvement_months"],
                        par["inspection_gap_median_inadequate_months"]])
    of = profile["ofsted"]
    days = (_dt.date.fromisoformat(profile["as_of"]) - _dt.date.fromisoformat(of["last_inspection"])).days
    since = int(days / 30.4375)  # whole months already waited (model.md, clarified)

    # ---- finance: the budget of each year of the horizon
    fin = profile["finance"]
    years = (months + 11) // 12
    path = fin.get("budget_path", "flat_real")
    if isinstance(path, list):
        budget = np.array(path[:years], float)
    elif path == "demand_led":
        budget = fin["budget_per_year"] * ((1 + pop["growth_per_year"]) * (1 + par["demand_trend_per_year"])) ** np.arange(years)
    else:
        budget = np.full(years, float(fin["budget_per_year"]))

    return Calibration(
        children0=n, new_referrals=referrals * (1 - rho),
        rereferral_hazard=1 - (1 - rho) ** (1 / 12), closures=referrals,
        nfa=dem["no_further_action_rate"], cin_only0=cin_only0, cpp0=cpp0, cla0=cla0,
        p_cin=p_cin, p_cpp_end=s_p / cpp0, p_cpp_end_to_care=from_cpp / s_p,
        cla_starts=s_l, uasc_entries=u * s_l, leave=leave, entry_mix=entry_mix,
        entry_age=entry_age, initial_care=initial, p_step_down=p_down, p_escalate=p_esc,
        scale=scale, in_post0=in_post0, agency0=agency0, establishment0=est0,
        band_hazard=band_hazard, fill_prob=fill, agency_cover=cover,
        cases_per_child=cases_per_child, caseload0=wf["caseload"],
        turnover0=wf["turnover_rate"], agency_share0=agency0 / (agency0 + in_post0),
        kappa=kappa, sigma=sigma, reading_sd=reading_sd, cuts_standard=cuts_std,
        cuts_short=cuts_short, medians=medians, shape=par["inspection_gap_shape"],
        months_since_inspection=since, last_grade=GRADES[of["last_grade"]],
        budget_by_year=budget,
    )
