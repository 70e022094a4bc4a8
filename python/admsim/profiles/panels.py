"""Building a profile for any council from DfE's LA-level releases: :func:`from_panels`."""
from __future__ import annotations

import datetime as _dt
import math
import re
from pathlib import Path
from typing import Any

from .. import outturn
from .dfe_files import PANEL_FILES, Panel, cell_number, match_council, ofsted_from_file
from .uasc import fit_uasc
from .reference import (ASSUMED_YEARS_SINCE_INSPECTION, OVERHEADS_SHARE, WEEKLY_COST_AGENCY,
                        WEEKLY_COST_EMPLOYED, modal_grade, modelled_budget, nearest_year,
                        placement_mix, weekly_costs, years_before)

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
    no stocks by placement type), split into the seven types by stated assumptions; for a
    council with more unaccompanied asylum-seeking children than that mix can hold (the engine
    refuses it otherwise), re-weighted toward where UASC are placed (:mod:`.uasc`).

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
    panels = {k: Panel(panels_dir, k) for k in PANEL_FILES}
    pop_panel, ref_panel = panels["population"], panels["referrals"]

    names = sorted({n for p in panels.values()
                    for n in p.frame.loc[p.frame["geographic_level"] == "Local authority", "la_name"]
                    if n})
    la = match_council(la_name, names, f"the DfE LA panels in {str(panels_dir)!r}")

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
        y = nearest_year(y_rate - 1, series)
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
    def quantity(panel: Panel, columns: list[str], compute, what: str, extra=None,
                 per_10k: bool = False, fte_scale: bool = False):
        la_vals = panel.values(la, columns, extra)
        nat_vals = panel.values(None, columns, extra)
        notes = []
        if la_vals:
            y = nearest_year(year, la_vals)
        else:
            y = nearest_year(year, nat_vals)
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
                codes = sorted({raw[c] for c in columns if cell_number(raw.get(c)) is None})
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
            float(math.exp(sum(math.log(v) for v in history.values()) / len(history))), 2)
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
    mix, mix_sources, _ = placement_mix(year)
    cost, cost_sources = weekly_costs()
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
    # No leavers at all from a whole service is a gap in the return, not a rate (Lewisham,
    # Manchester and Oldham in 2022, each with 15-17% the year before): England's is used.
    put("workforce.turnover_rate",
        quantity(wf, ["turnover_rate_fte", "leavers_fte"],
                 lambda r, p: r["turnover_rate_fte"] / 100 if r["leavers_fte"] > 0 else None,
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
    ro3 = Path(panels_dir) / outturn.RO3_FILE
    actual = outturn.council_budget(la, ro3 if ro3.exists() else None, ons_code=_ons_code(pop_panel, la))
    if actual is not None:
        budget, sources["finance.budget_per_year"] = actual
    else:
        budget, text = modelled_budget(
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
    found = ofsted_from_file(judgements, la, as_of_date) if judgements is not None else None
    if found is not None:
        grade, last, text = found
        sources["ofsted.last_grade"] = text
        sources["ofsted.last_inspection"] = text
    else:
        grade, text, _ = modal_grade(as_of_date)
        why = ("no judgements file given" if judgements is None else
               f"no graded judgement for {la} published on or before {as_of_date} in "
               f"{Path(judgements).name}")
        last = years_before(as_of_date, ASSUMED_YEARS_SINCE_INSPECTION).isoformat()
        sources["ofsted.last_grade"] = f"{text} ({why})"
        sources["ofsted.last_inspection"] = (
            f"assumption: {ASSUMED_YEARS_SINCE_INSPECTION} years before as_of ({why})")
    profile["ofsted"] = {"last_grade": grade, "last_inspection": last}

    profile["sources"] = {k: sources[k] for k in sorted(sources)}
    # A council with more UASC than England's mix can hold (Kent, Hillingdon, central London):
    # its mix re-weighted, with the sources saying so (see profiles/uasc.py).
    return fit_uasc(profile, year)


def _ons_code(panel: Panel, la: str) -> str | None:
    """The council's ONS code in its latest row of ``panel`` (DfE's new_la_code), if any."""
    rows = panel.rows(la)
    if "new_la_code" not in rows.columns:
        return None
    latest = sorted((int(y), c.strip()) for y, c in zip(rows["time_period"], rows["new_la_code"])
                    if str(y).strip().isdigit() and c.strip())
    return latest[-1][1] if latest else None


def _set(profile: dict[str, Any], dotted: str, value: Any) -> None:
    node = profile
    parts = dotted.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


def _slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
