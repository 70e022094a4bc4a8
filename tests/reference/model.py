"""A NumPy reference implementation of the admsim model, written from docs/model.md.

One delivery model at a time, every array vectorised over replicates (axis 0). It takes the
scenario dict the engine takes (``admsim.build_scenario``) and returns the engine's monthly
metrics by name, shaped (replicates, months), plus a few per-replicate outcomes
(``outcome_<name>``, shaped (replicates,)).

Calibration: computed here (``calibration.py``) as docs/model.md describes; ``admsim._core``
does not expose the engine's calibrated rates, and nothing here calls the engine. Engine
parameter defaults are read from docs/parameters.md, delivery models from the catalogue JSON.

Draws: the same number and kinds as the model describes (Poisson referrals, binomial flows,
multinomials as conditional binomials, normal AR(1) innovations), from
``numpy.random.Generator(Philox)``. The engine's random streams are not reproduced: agreement
with the engine is in distribution only.

Covered: demand (with the referral trend and long-run reversion), care by placement type, time
and age band with step-downs and escalations, UASC, workforce, quality and inspection, finance,
delivery-model effects, set-up and transition, risk events from the scenario's register and all
interventions. Not covered: inspection events as a table (monitoring visits produce no metric).
"""
from __future__ import annotations

import json
import math
from importlib import resources
from typing import Any, Mapping

import numpy as np

from .calibration import (FOSTER_AGENCY, FOSTER_INHOUSE, PLACEMENTS, RESIDENTIAL, SUPPORTED,
                          AGE_BAND_MONTHS, CARE_BAND_MONTHS, calibrate, normal_rejection,
                          parameter_defaults)

LEVELS = {"none": 0, "low": 1, "medium": 2, "high": 3}
NEUTRAL_ZERO = {"improvement", "transition_dip", "transition_months", "setup_cost",
                "setup_months", "contract_management_cost", "vat_irrecoverable"}


# ---- inputs ------------------------------------------------------------------------------
def _merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 merge patch (how a scenario overrides a catalogue entry)."""
    if not isinstance(patch, dict):
        return patch
    out = dict(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = _merge_patch(out.get(k), v)
    return out


def resolve_model(entry: Any) -> dict:
    catalogue = json.loads(resources.files("admsim").joinpath("data/catalogue.json").read_text())
    known = {m["id"]: m for m in catalogue["models"]}
    if isinstance(entry, str):
        return known[entry]
    base = known.get(entry["id"])
    if base is None:
        return entry
    out = _merge_patch(base, entry)
    for hook, dist in (entry.get("effects") or {}).items():  # an effect given replaces it whole
        if dist is not None:
            out["effects"][hook] = dist
    return out


def _draw(rng: np.random.Generator, dist: Mapping[str, Any], n: int) -> np.ndarray:
    kind = dist["dist"]
    if kind == "fixed":
        return np.full(n, float(dist["value"]))
    if kind == "uniform":
        return rng.uniform(dist["low"], dist["high"], n)
    if kind == "triangular":
        lo, mode, hi = dist["low"], dist["mode"], dist["high"]
        return np.full(n, float(lo)) if hi <= lo else rng.triangular(lo, mode, hi, n)
    if kind == "normal":
        return rng.normal(dist["mean"], dist["sd"], n)
    if kind == "lognormal":
        return dist["median"] * np.exp(dist["sigma"] * rng.standard_normal(n))
    if kind == "bernoulli":
        return (rng.random(n) < dist["p"]).astype(float)
    raise ValueError(f"unknown distribution {kind!r}")


def rnd(x):
    """Whole counts from expected ones (round half up; never negative)."""
    return np.floor(np.maximum(x, 0.0) + 0.5).astype(np.int64)


def _binom(rng, n, p):
    return rng.binomial(n, np.clip(p, 0.0, 1.0))


def _multinomial(rng, n, probs):
    """Multinomial over the last axis of probs by conditional binomials (normalised)."""
    probs = np.broadcast_to(np.maximum(probs, 0.0), np.shape(n) + probs.shape[-1:])
    total = probs.sum(-1)
    out = np.zeros(probs.shape, dtype=np.int64)
    left = np.asarray(n, dtype=np.int64).copy()
    rest = total.copy()
    for i in range(probs.shape[-1] - 1):
        p = np.divide(probs[..., i], rest, out=np.zeros_like(rest), where=rest > 0)
        out[..., i] = _binom(rng, left, p)
        left = left - out[..., i]
        rest = rest - probs[..., i]
    out[..., -1] = left
    return out


# ---- risks and interventions -------------------------------------------------------------
class _Modifiers:
    """Monthly modifiers per replicate, arrays (months, replicates), from risk events and
    interventions (docs/model.md, Risk events and Interventions)."""

    def __init__(self, T, R):
        one, zero = np.ones((T, R)), np.zeros((T, R))
        self.referrals, self.care_entry, self.turnover, self.recruitment = one.copy(), one.copy(), one.copy(), one.copy()
        self.placement_cost, self.uasc, self.step_down = one.copy(), one.copy(), one.copy()
        self.quality_target, self.quality_drop, self.extra_cost = zero.copy(), zero.copy(), zero.copy()
        self.pay_uplift, self.edge_of_care = zero.copy(), zero.copy()
        self.agency_cap = one.copy()
        self.caseload_cap = np.full((T, R), np.inf)
        self.events_began = zero.copy()


def _schedule_risks(rng, risks, par, model, eff, cal, T, R, decision, go_live, new_arr):
    """Risk events: a chance per window (or per year), uniform month in it; sizes scaled by the
    impact. Returns modifiers, the final go-live and transition end, the set-up cost factor and
    the number of events per replicate."""
    mod = _Modifiers(T, R)
    prob = {"H": par["risk_probability_high"], "M": par["risk_probability_medium"], "L": par["risk_probability_low"]}
    imp = {"H": par["risk_impact_high"], "M": par["risk_impact_medium"], "L": par["risk_impact_low"]}
    attrs = model["attributes"]
    applies = {
        "all": np.ones(R, bool),
        "new_arrangement": new_arr,
        "staff_transfer": new_arr & (attrs["tupe"] != "no"),
        "contract_managed": new_arr & (LEVELS[attrs["contract_management"]] >= LEVELS["medium"]),
        "separate_entity": new_arr & bool(attrs["operational_independence"]),
    }
    years = T // 12
    setup_factor = np.ones(R)
    rows = np.arange(R)

    def add_window(effect, start, months, size, mask):
        """Adds an event of `effect` from start[r] for `months` months where mask[r]."""
        mask = mask & (start < T)
        if effect == "setup_overrun":
            setup_factor[mask] *= 1 + size
            return
        for dt in range(months):
            t = start + dt
            ok = mask & (t < T)
            tt, rr = t[ok], rows[ok]
            if effect == "quality_drop" and dt == 0:
                mod.quality_drop[tt, rr] += size
            elif effect == "improvement_stall":
                mod.quality_target[tt, rr] -= size
            elif effect == "recruitment_squeeze":
                mod.recruitment[tt, rr] *= max(0.0, 1 - size)
            elif effect == "demand_rise":
                mod.referrals[tt, rr] *= 1 + size
                mod.care_entry[tt, rr] *= 1 + size
            elif effect == "cost_overrun":
                mod.extra_cost[tt, rr] += size * cal.budget_by_year[tt // 12] / months
            elif effect == "turnover_spike":
                mod.turnover[tt, rr] *= 1 + size
            elif effect == "placement_cost_rise":
                mod.placement_cost[tt, rr] *= 1 + size
        ok = mask & (start < T)
        mod.events_began[start[ok], rows[ok]] += 1

    draws = []
    for r in risks:  # every risk draws its numbers whether or not it applies
        draws.append((rng.random((2, R)), rng.random((years, 2, R))))
    go_live = go_live.copy()
    # go-live delays in the implementation window first: they bound the window of the rest
    for r, (once, _) in zip(risks, draws):
        e = r["effect"]
        if e["type"] == "go_live_delay" and r["window"] == "implementation":
            hit = applies[r["applies_to"]] & new_arr & (once[0] < prob[r["likelihood"]])
            go_live = go_live + hit * int(round_half_away(e["size"] * imp[r["impact"]]))
            add_window("go_live_delay", np.full(R, decision), 1, 0.0, hit)
    trans_months = np.array([round_half_away(x) for x in eff["transition_months"]], int)
    transition_end = go_live + trans_months
    window = np.where(new_arr, np.maximum(1, transition_end - decision), 0)
    for r, (once, yearly) in zip(risks, draws):
        e = r["effect"]
        if e["type"] == "go_live_delay" and r["window"] == "implementation":
            continue
        if e["type"] == "go_live_delay":
            raise NotImplementedError("a go-live delay outside the implementation window")
        ok = applies[r["applies_to"]]
        size, months = e["size"] * imp[r["impact"]], int(e.get("months", 1))
        p = prob[r["likelihood"]]
        if r["window"] == "implementation":
            start = decision + (once[1] * window).astype(int)
            add_window(e["type"], start, months, size, ok & (window > 0) & (once[0] < p))
        elif r["window"] == "period":
            a, b = r["window_months"]
            add_window(e["type"], a + (once[1] * (b - a)).astype(int), months, size, ok & (once[0] < p))
        else:  # ongoing / after_go_live: the likelihood read as a chance per year
            for y in range(years):
                start = 12 * y + (yearly[y, 1] * 12).astype(int)
                hit = ok & (yearly[y, 0] < p)
                if r["window"] == "after_go_live":
                    hit &= start >= go_live
                add_window(e["type"], start, months, size, hit)
    return mod, go_live, transition_end, setup_factor


def round_half_away(x: float) -> int:
    return int(math.floor(abs(x) + 0.5)) * (1 if x >= 0 else -1)


def _interventions(mod, interventions, T):
    for iv in interventions:
        a = iv["start_month"]
        b = min(T, a + iv.get("duration_months", T - a))
        kind, size, sl = iv["type"], float(iv["size"]), slice(a, b)
        if kind == "recruitment_campaign":
            mod.recruitment[sl] *= size
        elif kind == "caseload_cap":
            mod.caseload_cap[sl] = np.minimum(mod.caseload_cap[sl], size)
        elif kind == "agency_cap":
            mod.agency_cap[sl] = np.minimum(mod.agency_cap[sl], size)
        elif kind == "pay_uplift":
            mod.pay_uplift[sl] += size
        elif kind == "edge_of_care_investment":
            mod.edge_of_care[sl] += size
        elif kind == "demand_shock":
            mod.referrals[sl] *= size
        elif kind == "uasc_arrivals":
            mod.uasc[sl] *= size
        elif kind == "step_down_programme":
            mod.step_down[sl] *= size
        else:
            raise ValueError(f"unknown intervention {kind!r}")


# ---- the run -----------------------------------------------------------------------------
def _gap(rng, cal, grade, waited):
    """Whole months from a graded inspection to the next, log-logistic by grade, given that
    `waited` months have passed; drawn by inversion, a gap in (k-1, k] being k."""
    med = cal.medians[grade]
    w = np.where(waited > 0, waited, med)  # a placeholder where nothing has been waited
    cdf = np.where(waited > 0, 1 / (1 + (w / med) ** -cal.shape), 0.0)
    u = rng.random(np.shape(grade))
    overdue = 1 - cdf < 1e-9  # nothing left to condition on: within the next 12 months
    v = cdf + u * (1 - cdf)
    t = med * (v / np.maximum(1 - v, 1e-300)) ** (1 / cal.shape)
    gap = np.maximum(waited + 1, np.ceil(t)).astype(np.int64)
    return np.where(overdue, waited + 1 + np.minimum(11, (12 * u).astype(np.int64)), gap)


def simulate_reference(spec: Mapping[str, Any], replicates: int, seed: int, *,
                       model: int | str = 0, summary: bool = False) -> dict[str, np.ndarray]:
    """Simulate one delivery model of `spec` (index or id in spec["models"]) for `replicates`
    replicates; returns {metric name: (replicates, months)} and {"outcome_<name>": (replicates,)}.

    summary=True keeps no per-replicate months (as the engine's summary-only mode): it returns
    {"mean/<metric>": (months,), "sd/<metric>": (months,)} and the outcomes."""
    rng = np.random.Generator(np.random.Philox(seed))
    R, T = int(replicates), 12 * int(spec["years"])
    profile = spec["profile"]
    par = parameter_defaults()
    unknown = set(spec.get("parameters", {})) - set(par)
    if unknown:
        raise KeyError(f"unknown parameters {sorted(unknown)}")
    par.update(spec.get("parameters", {}))
    cal = calibrate(profile, par, T)
    entries = spec["models"]
    if isinstance(model, str):
        model = [m if isinstance(m, str) else m["id"] for m in entries].index(model)
    mdl = resolve_model(entries[model])
    attrs = mdl["attributes"]
    decision = int(spec.get("decision_month", 0))

    # ---- delivery-model effects, one draw per replicate and hook
    hooks = ["turnover", "recruitment", "agency_use", "improvement", "improvement_pace",
             "transition_dip", "transition_turnover", "transition_months", "edge_of_care",
             "placement_cost", "overhead_cost", "pay", "establishment_flex", "setup_cost",
             "setup_months", "contract_management_cost", "vat_irrecoverable"]
    effects = mdl.get("effects") or {}
    eff = {}
    for h in hooks:
        if h in effects:
            eff[h] = _draw(rng, effects[h], R)
        elif h == "vat_irrecoverable":
            vat = attrs["vat_recoverable"]  # an uncertain position is a ruling at even odds
            eff[h] = (rng.random(R) < 0.5).astype(float) if vat == "uncertain" else np.full(R, 0.0 if vat == "yes" else 1.0)
        elif h == "establishment_flex":
            eff[h] = np.full(R, par["establishment_flex"])
        else:
            eff[h] = np.full(R, 0.0 if h in NEUTRAL_ZERO else 1.0)
    setup_cost = eff["setup_cost"].copy()
    new_arr = (eff["setup_months"] > 0) | (eff["transition_months"] > 0) | (setup_cost > 0)
    go_live = decision + np.array([round_half_away(x) for x in eff["setup_months"]], np.int64)
    mod, go_live, transition_end, setup_factor = _schedule_risks(
        rng, spec.get("risks", []), par, mdl, eff, cal, T, R, decision, go_live, new_arr)
    # the DfE grant of a directed move (last grade Inadequate), capped at the drawn set-up cost
    # before any overrun (model.md, clarified)
    grant = np.minimum(attrs.get("dfe_setup_grant_gbp", 0.0), setup_cost) if cal.last_grade == 4 else np.zeros(R)
    setup_cost *= setup_factor
    _interventions(mod, spec.get("interventions", []), T)

    # ---- initial state
    cin_only = np.full(R, rnd(cal.cin_only0))
    cpp = np.full(R, rnd(cal.cpp0))
    care = np.broadcast_to(rnd(cal.initial_care), (R, 7, 4, 4)).copy()
    pool = np.broadcast_to(rnd(cal.closures * (1 - cal.rereferral_hazard) ** np.arange(12)), (R, 12)).copy()
    nq = rnd(cal.in_post0 * par["initial_newly_qualified_share"])
    sen = rnd(cal.in_post0 * par["initial_senior_share"])
    staff = np.broadcast_to(np.array([nq, rnd(cal.in_post0) - nq - sen, sen]), (R, 3)).copy()
    agency = np.full(R, rnd(cal.agency0))
    establishment = np.full(R, cal.establishment0)
    caseload = np.full(R, cal.caseload0)
    cases0 = cal.cases_per_child * (cin_only + cpp + care.sum((1, 2, 3)))
    # a year of history at the profile's turnover, so the rolling rate starts at it
    leavers_hist = np.full((R, 12), cal.turnover0 / 12 * cal.in_post0)
    in_post_hist = np.full((R, 12), cal.in_post0)
    z_demand = np.zeros(R)
    z_market = np.zeros(R)

    # quality: the last reading drawn in its grade's band (standard cut-points), then q | reading
    g0 = cal.last_grade
    s2 = par["inspection_noise_sd"] ** 2
    upper = np.inf if g0 == 1 else cal.cuts_standard[g0 - 2]
    lower = -np.inf if g0 == 4 else cal.cuts_standard[g0 - 1]
    reading = normal_rejection(rng, cal.reading_sd, lower, upper, R)
    q = reading / (1 + s2) + math.sqrt(s2 / (1 + s2)) * rng.standard_normal(R)
    q0 = q.copy()
    rho = par["quality_persistent_share"]
    level = rho * q + math.sqrt(rho * (1 - rho)) * rng.standard_normal(R)
    grade = np.full(R, g0)
    since = cal.months_since_inspection
    next_inspection = _gap(rng, cal, grade, np.full(R, since)) - since

    # ---- outputs
    names = ["population", "referrals", "rereferrals", "cin", "cin_starts", "cin_closed", "cpp",
             "cla", "cpp_starts", "cpp_repeat_starts", "cpp_ends", "cla_starts", "cla_ceased",
             *[f"cla_{p}" for p in PLACEMENTS], "cla_age_0_4", "cla_age_5_9", "cla_age_10_15",
             "cla_age_16_17", "care_leavers", "uasc_starts", "step_downs", "escalations",
             "placement_moves", "social_workers", "agency_workers", "establishment", "vacancies",
             "leavers", "hires", "agency_starts", "agency_ends", "caseload", "turnover_rate",
             "agency_share", "vacancy_rate", "quality", "grade_awarded", "current_grade", "cost",
             "cost_staff", "cost_placements", "cost_delivery_model", "cost_discounted",
             "risk_events", "in_transition", "spend_vs_budget", "rule_actions",
             "movers_out", "movers_in", "hub_savings", "cost_hub", "cost_improvement_support"]
    out = {k: np.zeros((T, R) if not summary else (T, 2)) for k in names}  # month-major rows
    horizon = {k: np.zeros(R) for k in ("turnover_rate", "vacancy_rate", "agency_share", "caseload",
                                        "cost", "cost_discounted", "risk_events")}
    first_grade = np.zeros(R)
    grade_at = {}
    year_cost = np.zeros(R)
    overspend_years = np.zeros(R)

    d_prob = np.array([1 / w for w in CARE_BAND_MONTHS])[None, None, :, None]
    g_prob = np.array([1 / w for w in AGE_BAND_MONTHS])[None, None, None, :]
    long_run = profile["demand"].get("referrals_per_10k_long_run", profile["demand"]["referrals_per_10k"])
    gap_log = math.log(long_run / profile["demand"]["referrals_per_10k"])
    weekly = np.array([profile["placements"]["weekly_cost"][p] for p in PLACEMENTS])
    wf, fin = profile["workforce"], profile["finance"]
    weeks = 52 / 12
    in_transition = lambda t: new_arr & (t >= decision) & (t < np.maximum(go_live, transition_end))  # noqa: E731

    for t in range(T):
        years = t / 12
        live = t >= go_live
        q = q - mod.quality_drop[t]
        dq = q - q0  # the feedback acts through the change of quality since month 0

        # ---- demand
        children = cal.children0 * (1 + profile["population"]["growth_per_year"]) ** years
        z_demand = par["demand_noise_persistence"] * z_demand + par["demand_noise_sd"] * rng.standard_normal(R)
        trend = (1 + par["demand_trend_per_year"]) ** years * math.exp(gap_log * (1 - par["demand_persistence_per_year"] ** years))
        lam = cal.new_referrals * children / cal.children0 * trend * np.exp(z_demand) * mod.referrals[t]
        fresh = rng.poisson(lam)
        h_rr = np.minimum(1.0, cal.rereferral_hazard * np.exp(-par["quality_rereferral_effect"] * dq))
        back = _binom(rng, pool, h_rr[:, None])
        pool -= back
        rereferred = back.sum(1)
        referrals = fresh + rereferred
        nfa = _binom(rng, referrals, cal.nfa)
        in_need = referrals - nfa

        entry = (np.exp(-par["quality_care_entry_effect"] * dq) * eff["edge_of_care"] * mod.care_entry[t]
                 * np.exp(-par["edge_of_care_effect_per_million"] * mod.edge_of_care[t] / 1e6 / (children / 1e4)))
        p_to_cla = cal.p_cin[1] * entry
        stay = np.maximum(0.0, 1 - cal.p_cin[0] - p_to_cla - cal.p_cin[2])
        moves = _multinomial(rng, cin_only, np.stack([np.full(R, cal.p_cin[0]), p_to_cla,
                                                      np.full(R, cal.p_cin[2]), stay], -1))
        cpp_starts, cin_to_care, cin_closed = moves[:, 0], moves[:, 1], moves[:, 2]
        cpp_ends = _binom(rng, cpp, cal.p_cpp_end)
        cpp_to_care = _binom(rng, cpp_ends, np.minimum(1.0, cal.p_cpp_end_to_care * entry))
        step_to_cin = _binom(rng, cpp_ends - cpp_to_care, par["cpp_end_to_cin_share"])
        cpp_closed = cpp_ends - cpp_to_care - step_to_cin
        repeat = _binom(rng, cpp_starts, np.minimum(1.0, profile["demand"]["cpp_repeat_rate"]
                                                     * np.exp(-par["quality_rereferral_effect"] * dq)))

        # care: leave, or stay and move on in time and (independently) in age
        left = _binom(rng, care, cal.leave[None])
        staying = care - left
        on = _binom(rng, staying, d_prob)
        older_on = _binom(rng, on, g_prob)
        older = _binom(rng, staying - on, g_prob)
        nxt = staying - on - older
        nxt[:, :, 1:, :] += (on - older_on)[:, :, :3, :]   # the last time band has no "on"
        nxt[:, :, :, 1:] += older[:, :, :, :3]
        nxt[:, :, 1:, 1:] += older_on[:, :, :3, :3]
        leavers18 = (older[..., 3] + older_on[..., 3]).sum((1, 2))
        ceased = left.sum((1, 2, 3)) + leavers18
        care = nxt

        # step-downs from children's homes, split in-house/agency as foster numbers stand; escalations
        res, inh, agy = care[:, RESIDENTIAL], care[:, FOSTER_INHOUSE], care[:, FOSTER_AGENCY]
        down = _binom(rng, res, np.minimum(1.0, cal.p_step_down * mod.step_down[t])[:, None, None])
        foster = inh + agy
        share = np.where(foster > 0, inh / np.maximum(foster, 1), 0.5)
        to_inh = _binom(rng, down, share)
        up_inh = _binom(rng, inh, cal.p_escalate[None])
        up_agy = _binom(rng, agy, cal.p_escalate[None])
        care[:, RESIDENTIAL] += up_inh + up_agy - down
        care[:, FOSTER_INHOUSE] += to_inh - up_inh
        care[:, FOSTER_AGENCY] += down - to_inh - up_agy

        # entries: through children's services (type, then age given type), then UASC
        by_type = _multinomial(rng, cin_to_care + cpp_to_care, cal.entry_mix)
        by_age = _multinomial(rng, by_type, cal.entry_age)
        care[:, :, 0, :] += by_age
        uasc = rng.poisson(cal.uasc_entries * mod.uasc[t])
        uasc_old = _binom(rng, uasc, par["uasc_share_aged_16_17"])
        care[:, SUPPORTED, 0, 3] += uasc_old
        care[:, FOSTER_AGENCY, 0, 2] += uasc - uasc_old
        by_type_stock = care.sum((2, 3))
        cla = by_type_stock.sum(1)

        cin_only = cin_only + in_need + step_to_cin - cpp_starts - cin_to_care - cin_closed
        cpp = cpp + cpp_starts - cpp_ends
        pool = np.concatenate([(nfa + cin_closed + cpp_closed + ceased)[:, None], pool[:, :11]], 1)
        p_move = 1 - np.exp(-par["placement_moves_per_year"] / 12 * np.exp(-par["quality_placement_effect"] * dq))
        placement_moves = _binom(rng, cla, p_move)
        cin = cin_only + cpp + cla

        o = {"population": children, "referrals": referrals, "rereferrals": rereferred,
             "cin": cin, "cin_starts": in_need + uasc, "cin_closed": cin_closed + cpp_closed + ceased,
             "cpp": cpp, "cla": cla, "cpp_starts": cpp_starts, "cpp_repeat_starts": repeat,
             "cpp_ends": cpp_ends, "cla_starts": cin_to_care + cpp_to_care + uasc,
             "cla_ceased": ceased, "care_leavers": leavers18, "uasc_starts": uasc,
             "step_downs": down.sum((1, 2)), "escalations": (up_inh + up_agy).sum((1, 2)),
             "placement_moves": placement_moves}
        for k, p in enumerate(PLACEMENTS):
            o[f"cla_{p}"] = by_type_stock[:, k]
        for a, name in enumerate(("0_4", "5_9", "10_15", "16_17")):
            o[f"cla_age_{name}"] = care[..., a].sum((1, 2))

        # ---- workforce
        z_market = par["labour_market_persistence"] * z_market + par["labour_market_sd"] * rng.standard_normal(R)
        cases = cal.cases_per_child * cin
        establishment = establishment + eff["establishment_flex"] * (cal.establishment0 * cases / cases0 - establishment)
        cap = mod.caseload_cap[t]
        establishment = np.where(np.isfinite(cap), np.maximum(establishment, cases / cap / wf["case_holding_share"]), establishment)
        pay = eff["pay"] * (1 + mod.pay_uplift[t])
        pressure = ((np.maximum(caseload, 1e-9) / cal.caseload0) ** par["caseload_turnover_elasticity"]
                    * np.exp(-par["quality_turnover_effect"] * dq)
                    * np.maximum(pay, 1e-9) ** -par["pay_turnover_elasticity"]
                    * eff["turnover"] * mod.turnover[t])
        pressure = np.where(in_transition(t) & live, pressure * eff["transition_turnover"], pressure)
        gone = _binom(rng, staff, 1 - np.exp(-cal.band_hazard[None] * pressure[:, None]))
        staff = staff - gone
        leavers = gone.sum(1)
        qualified = _binom(rng, staff[:, 0], 1 / par["newly_qualified_months"])
        promoted = _binom(rng, staff[:, 1], par["senior_progression_per_year"] / 12)
        staff[:, 0] -= qualified
        staff[:, 1] += qualified - promoted
        staff[:, 2] += promoted
        in_post = staff.sum(1)
        posts = rnd(establishment)
        vacancies = np.maximum(posts - in_post, 0)
        fill_h = -math.log1p(-min(cal.fill_prob, 1 - 1e-12)) * np.exp(z_market) * eff["recruitment"] * mod.recruitment[t]
        hires = np.minimum(np.ceil(par["recruitment_capacity"] * establishment).astype(np.int64),
                           _binom(rng, vacancies, 1 - np.exp(-fill_h)))
        hired_nq = _binom(rng, hires, par["newly_qualified_share_of_hires"])
        staff[:, 0] += hired_nq
        staff[:, 1] += hires - hired_nq
        permanent = in_post + hires
        open_posts = np.maximum(posts - permanent, 0)
        ended = _binom(rng, agency, 1 / par["agency_assignment_months"])
        target = cal.agency_cover * open_posts * eff["agency_use"]
        acap = mod.agency_cap[t]
        capped = acap < 1
        ratio = np.where(capped, acap / np.where(capped, 1 - acap, 1), np.inf)
        target = np.where(capped, np.minimum(target, ratio * permanent), target)
        remaining = agency - ended
        wanted = rnd(target)
        started = _binom(rng, np.maximum(wanted - remaining, 0), par["agency_fill_probability"])
        agency = remaining + started
        agency_ended = ended
        # a cap binds at once: assignments beyond it end this month, the newest first
        limit = np.where(capped, np.floor(np.where(capped, ratio * permanent, 0)), np.inf)
        excess = np.where(agency > limit, agency - np.minimum(limit, agency), 0).astype(np.int64)
        agency = agency - excess
        agency_ended = agency_ended + np.maximum(excess - started, 0)
        started = np.maximum(started - excess, 0)
        capacity = wf["case_holding_share"] * (staff[:, 0] * par["newly_qualified_capacity"]
                                               + staff[:, 1] + staff[:, 2] + agency)
        caseload = cases / np.maximum(capacity, 0.5)
        leavers_hist = np.concatenate([leavers_hist[:, 1:], leavers[:, None]], 1)
        in_post_hist = np.concatenate([in_post_hist[:, 1:], permanent[:, None]], 1)
        mean_in_post = in_post_hist.mean(1)
        turnover = np.where(mean_in_post > 0, leavers_hist.sum(1) / np.maximum(mean_in_post, 1e-300), 0.0)
        agency_share = np.where(permanent + agency > 0, agency / np.maximum(permanent + agency, 1), 0.0)
        vacancy_rate = np.where(posts > 0, np.maximum(posts - permanent, 0) / np.maximum(posts, 1), 0.0)
        o.update(social_workers=permanent, agency_workers=agency, establishment=posts,
                 vacancies=np.maximum(posts - permanent, 0), leavers=leavers, hires=hires,
                 agency_starts=started, agency_ends=agency_ended, caseload=caseload,
                 turnover_rate=turnover, agency_share=agency_share, vacancy_rate=vacancy_rate)

        # ---- quality and inspection
        q = np.where((t == go_live) & new_arr, q - eff["transition_dip"], q)
        stress = ((turnover - cal.turnover0) / 0.05 + (agency_share - cal.agency_share0) / 0.10
                  + (caseload / cal.caseload0 - 1) / 0.2) / 3
        target_q = (mod.quality_target[t] + level - par["quality_workforce_effect"] * stress
                    + par["inadequate_response"] * (grade == 4) + np.where(live, eff["improvement"], 0.0))
        pace = np.where(live, np.minimum(1.0, cal.kappa * eff["improvement_pace"]), cal.kappa)
        q = q + pace * (target_q - q) + cal.sigma * rng.standard_normal(R)
        awarded = np.zeros(R)
        due = next_inspection == t
        if due.any():
            drift = cal.drift(t, par) * cal.reading_sd
            cuts = np.where((grade[due] <= 2)[:, None], cal.cuts_short, cal.cuts_standard) - drift
            y = q[due] + par["inspection_noise_sd"] * rng.standard_normal(due.sum())
            new = 1 + (y[:, None] <= cuts).sum(1)  # the first cut-point it is above, else 4
            grade[due] = new
            awarded[due] = new
            first_grade = np.where(due & (first_grade == 0), awarded, first_grade)
            next_inspection[due] = t + _gap(rng, cal, new, np.zeros(due.sum(), np.int64))
        o.update(quality=q, grade_awarded=awarded, current_grade=grade.astype(float))
        if t in (35, 59):
            grade_at[t] = grade.copy()

        # ---- finance
        employed = permanent * wf["weekly_cost_employed"] * eff["pay"] * (1 + mod.pay_uplift[t]) * weeks
        staff_cost = employed + agency * wf["weekly_cost_agency"] * weeks
        price = np.where(live, eff["placement_cost"], 1.0) * mod.placement_cost[t] * (1 + par["placement_price_growth_per_year"]) ** years
        placements = (by_type_stock * weekly).sum(1) * weeks * price
        overheads = fin["overheads_share"] * (staff_cost + placements) * np.where(live, eff["overhead_cost"], 1.0)
        span = go_live - decision
        setup_share = np.where(t >= decision, np.where(span > 0, (t < go_live) / np.maximum(span, 1),
                                                       (t == decision) * 1.0), 0.0)
        model_cost = (setup_cost - grant) * setup_share
        tspan = transition_end - go_live
        in_tr = (tspan > 0) & (t >= go_live) & (t < transition_end)
        model_cost = model_cost + np.where(in_tr, par["transition_cost_share"] * setup_cost / np.maximum(tspan, 1), 0.0)
        running = (eff["contract_management_cost"] / 12
                   + eff["vat_irrecoverable"] * par["vat_rate"] * par["vatable_share"] * (placements + overheads)
                   + (par["corporation_tax_rate"] * par["surplus_margin"] * (staff_cost + placements + overheads)
                      if attrs["corporation_tax"] else 0.0)
                   - attrs.get("trading_income_gbp_per_year", 0.0) / 12)
        model_cost = model_cost + np.where(live, running, 0.0)
        total = staff_cost + placements + overheads + model_cost + mod.extra_cost[t] + mod.edge_of_care[t] / 12
        year_cost += total
        spend_vs_budget = year_cost / (cal.budget_by_year[t // 12] * (t % 12 + 1) / 12)
        if t % 12 == 11:
            overspend_years += year_cost > cal.budget_by_year[t // 12]
            year_cost[:] = 0
        o.update(cost=total, cost_staff=staff_cost, cost_placements=placements,
                 cost_delivery_model=model_cost,
                 cost_discounted=total * (1 + par["discount_rate"]) ** (-(t + 0.5) / 12),
                 risk_events=mod.events_began[t], in_transition=in_transition(t).astype(float),
                 spend_vs_budget=spend_vs_budget,
                 rule_actions=0.0, movers_out=0.0, movers_in=0.0,  # no rules, no region
                 hub_savings=0.0, cost_hub=0.0, cost_improvement_support=0.0)
        for k, v in o.items():
            v = np.broadcast_to(np.asarray(v, float), (R,))
            if summary:
                out[k][t] = v.mean(), v.std()
            else:
                out[k][t] = v
        for k in horizon:
            horizon[k] += o[k]

    good = lambda g: ((g == 1) | (g == 2)).astype(float)  # noqa: E731
    nan = np.full(R, np.nan)
    if summary:
        result = {f"mean/{k}": v[:, 0] for k, v in out.items()}
        result.update({f"sd/{k}": v[:, 1] for k, v in out.items()})
    else:
        result = {k: v.T for k, v in out.items()}
    result.update({
        "outcome_good_at_next_inspection": np.where(first_grade > 0, good(first_grade), np.nan),
        "outcome_good_by_year3": good(grade_at[35]) if 35 in grade_at else nan,
        "outcome_good_by_year5": good(grade_at[59]) if 59 in grade_at else nan,
        "outcome_inadequate_at_year3": (grade_at[35] == 4).astype(float) if 35 in grade_at else nan,
        "outcome_mean_turnover_rate": horizon["turnover_rate"] / T,
        "outcome_mean_vacancy_rate": horizon["vacancy_rate"] / T,
        "outcome_mean_agency_share": horizon["agency_share"] / T,
        "outcome_mean_caseload": horizon["caseload"] / T,
        "outcome_cla_per_10k_end": cla / children * 1e4,
        "outcome_total_cost": horizon["cost"],
        "outcome_npv_cost": horizon["cost_discounted"],
        "outcome_overspend_years": overspend_years,
        "outcome_setup_cost": setup_cost,
        "outcome_risk_events": horizon["risk_events"],
    })
    return result
