#!/usr/bin/env python3
"""Rebuild the shipped council profiles from the shared data files.

    python3 scripts/build_profiles.py [DATA_DIR] [--out DIR] [--regions-out DIR] [--check]

DATA_DIR is a folder laid out like shared/data (default: ../shared/data beside the repository).
Writes python/admsim/data/profiles/example-county.json and worcestershire-2017.json (or into
--out), and the shipped regions (scripts/build_regions.py: west-midlands/region.json and its 14
council profiles) into python/admsim/data/regions/ (or --regions-out). --check writes nothing and
exits 1 if any shipped file differs from a fresh build.

Needs the installed package (`make install`): profiles are checked by the engine's own parser.
"""
from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_regions import REGIONS_DIR, build_regions  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
PROFILES_DIR = ROOT / "python" / "admsim" / "data" / "profiles"

EXAMPLE_YEAR = 2022  # reporting year 2021-22: as_of 31 March 2022
WORCESTERSHIRE_YEAR = 2017


def _profiles_module():
    from admsim import profiles

    return profiles


def _reference_module():
    """The national figures and derivations every built profile shares (admsim.profiles.reference)."""
    from admsim.profiles import reference

    return reference


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _check_shipped_constants(prof, data: Path) -> None:
    """The reference figures in admsim/profiles/reference.py must equal the files they were taken from."""
    mix = {}
    for r in _rows(data / prof.PLACEMENT_MIX_FILE):
        mix.setdefault(int(r["time_period"]), {})[r["characteristic"]] = int(r["number"])
    if mix != prof.NATIONAL_PLACEMENTS:
        raise SystemExit(f"profiles.NATIONAL_PLACEMENTS differs from {prof.PLACEMENT_MIX_FILE}: update it")
    dist = {int(r["as_at"][:4]): (int(r["outstanding"]), int(r["good"]),
                                  int(r["requires_improvement"]), int(r["inadequate"]))
            for r in _rows(data / prof.OFSTED_DISTRIBUTION_FILE)}
    if dist != prof.OFSTED_NATIONAL_DISTRIBUTION:
        raise SystemExit(f"profiles.OFSTED_NATIONAL_DISTRIBUTION differs from "
                         f"{prof.OFSTED_DISTRIBUTION_FILE}: update it")


def build_example_county(data: Path) -> dict:
    """A median English council at 31 March 2022 with the national 2021-22 rates."""
    prof = _reference_module()
    _check_shipped_constants(prof, data)
    year = EXAMPLE_YEAR
    panels = data / "la_panels"
    pop_file = panels / "population_0_17_2012_2022.csv"
    pops = _rows(pop_file)

    def la_pops(y: int) -> list[float]:
        out = []
        for r in pops:
            if r["geographic_level"] == "Local authority" and int(r["time_period"]) == y:
                try:
                    out.append(float(r["population_estimate"]))
                except ValueError:
                    pass
        return out

    nat_pop = {int(r["time_period"]): float(r["population_estimate"])
               for r in pops if r["geographic_level"] == "National"}
    med_prev, med_this = statistics.median(la_pops(year - 1)), statistics.median(la_pops(year))
    n_las = len(la_pops(year - 1))
    children = int(round(med_prev, -2))
    growth = (nat_pop[year - 1] / nat_pop[year - 6]) ** (1 / 5) - 1

    nat_file = data / "england_csc_national_2013_2022.csv"
    nat = next(r for r in _rows(nat_file) if int(r["year_ending_31_march"]) == year)
    pop = float(nat["pop_0_17_mid_prev_year"])
    assert pop == nat_pop[year - 1], "national csv and population panel disagree"
    ref_file = panels / "referrals_2013_2022.csv"
    ref = next(r for r in _rows(ref_file)
               if r["geographic_level"] == "National" and int(r["time_period"]) == year)
    wf_file = data / "england_csww_national_2017_2022.csv"
    wf = next(r for r in _rows(wf_file) if int(r["year_to_30_sept"]) == year)

    src: dict[str, str] = {}
    N, W = nat_file.name, wf_file.name
    per = f"per 10,000 of England's mid-{year - 1} 0-17 population ({pop:,.0f}; DfE convention)"

    def per10k(col: str, what: str, field: str) -> float:
        src[f"demand.{field}"] = f"{N}, {year}: {col} {float(nat[col]):,.0f} ({what}) {per}"
        return round(float(nat[col]) / pop * 1e4, 2)

    demand = {
        "referrals_per_10k": per10k("referrals", "referrals in the year", "referrals_per_10k"),
        "rereferral_rate": round(float(nat["rereferral_pct"]) / 100, 4),
        "no_further_action_rate": round((float(ref["no_further_action_count"]) +
                                         float(ref["not_in_need_count"])) / float(ref["referral_count"]), 4),
        "cin_per_10k": per10k("cin_31mar", "children in need at 31 March, incl. CPP and CLA", "cin_per_10k"),
        "cpp_per_10k": per10k("cpp_31mar", "child protection plans at 31 March", "cpp_per_10k"),
        "cpp_starts_per_10k": per10k("cpp_starts", "plans starting in the year", "cpp_starts_per_10k"),
        "cpp_repeat_rate": round(float(nat["cpp_second_or_subsequent_pct"]) / 100, 4),
        "cla_per_10k": per10k("cla_31mar", "children looked after at 31 March", "cla_per_10k"),
        "cla_starts_per_10k": per10k("cla_started", "children starting to be looked after", "cla_starts_per_10k"),
        "cla_ceased_per_10k": per10k("cla_ceased", "children ceasing to be looked after", "cla_ceased_per_10k"),
    }
    src["demand.rereferral_rate"] = f"{N}, {year}: rereferral_pct {nat['rereferral_pct']} / 100 (re-referrals within 12 months)"
    src["demand.no_further_action_rate"] = (
        f"la_panels/{ref_file.name}, England, {year}: (no_further_action_count {ref['no_further_action_count']} "
        f"+ not_in_need_count {ref['not_in_need_count']}) / referral_count {ref['referral_count']}")
    src["demand.cpp_repeat_rate"] = (f"{N}, {year}: cpp_second_or_subsequent_pct "
                                     f"{nat['cpp_second_or_subsequent_pct']} / 100")

    scale = children / pop
    scale_txt = f"× children_0_17 {children:,} / England mid-{year - 1} 0-17 population {pop:,.0f}"
    workforce = {
        "in_post_fte": round(float(wf["inpost_fte"]) * scale, 1),
        "agency_fte": round(float(wf["agency_fte"]) * scale, 1),
        "vacancy_rate": round(float(wf["vacancy_rate_fte"]) / 100, 4),
        "turnover_rate": round(float(wf["turnover_rate_fte"]) / 100, 4),
        "caseload": round(float(wf["caseload_fte"]), 2),
        "case_holding_share": round(float(wf["case_holders_fte"]) /
                                    (float(wf["inpost_fte"]) + float(wf["agency_fte"])), 4),
        "weekly_cost_employed": prof.WEEKLY_COST_EMPLOYED[0],
        "weekly_cost_agency": prof.WEEKLY_COST_AGENCY[0],
    }
    at = f"{W}, 30 September {year}"
    src["workforce.in_post_fte"] = f"{at}: England inpost_fte {wf['inpost_fte']} {scale_txt}"
    src["workforce.agency_fte"] = f"{at}: England agency_fte {wf['agency_fte']} {scale_txt}"
    src["workforce.vacancy_rate"] = f"{at}: vacancy_rate_fte {wf['vacancy_rate_fte']} / 100"
    src["workforce.turnover_rate"] = f"{at}: turnover_rate_fte {wf['turnover_rate_fte']} / 100"
    src["workforce.caseload"] = f"{at}: caseload_fte (cases per case-holding FTE)"
    src["workforce.case_holding_share"] = (f"{at}: case_holders_fte {wf['case_holders_fte']} / "
                                           f"(inpost_fte + agency_fte)")
    src["workforce.weekly_cost_employed"] = prof.WEEKLY_COST_EMPLOYED[1]
    src["workforce.weekly_cost_agency"] = prof.WEEKLY_COST_AGENCY[1]

    src["population.children_0_17"] = (
        f"la_panels/{pop_file.name}: median of the {n_las} LAs' ONS mid-{year - 1} 0-17 estimates "
        f"({med_prev:,.1f}; the denominator of {year - 1}-{str(year)[-2:]} rates) rounded to the "
        f"nearest 100 (the mid-{year} median is {med_this:,.1f})")
    src["population.growth_per_year"] = (
        f"la_panels/{pop_file.name}: England's 0-17 population, compound annual growth mid-{year - 6} "
        f"({nat_pop[year - 6]:,.0f}) to mid-{year - 1} ({nat_pop[year - 1]:,.0f})")

    mix, mix_src, _ = prof.placement_mix(year)
    cost, cost_src = prof.weekly_costs()
    src.update(mix_src)
    src.update(cost_src)

    overheads, src["finance.overheads_share"] = prof.OVERHEADS_SHARE
    # The median council's actual spend per child on the modelled services (RO3 outturn), for
    # this median-sized council.
    from admsim import outturn

    import pandas as pd

    pop21 = {r["new_la_code"]: float(r["population_estimate"]) for r in pops
             if r["geographic_level"] == "Local authority" and int(r["time_period"]) == year - 1
             and r["population_estimate"].replace(".", "", 1).isdigit()}
    per_child, text = outturn.median_per_child(pd.Series(pop21), panels)
    budget = int(round(per_child * children, -3))
    src["finance.budget_per_year"] = f"{text} × children_0_17 {children:,} = £{budget:,.0f}"
    src["finance.budget_path"] = "flat in real terms (the default)"

    import datetime as dt
    as_of = dt.date(year, 3, 31)
    grade, grade_txt, _ = prof.modal_grade(as_of)
    last = prof.years_before(as_of, 3).isoformat()
    src["ofsted.last_grade"] = grade_txt
    src["ofsted.last_inspection"] = ("assumption: 3 years before as_of (graded inspections every "
                                     "3-5 years for Good councils; none March 2020 into 2021)")

    return {
        "name": "Example County",
        "slug": "example-county",
        "description": (f"An illustrative median English council at 31 March {year}: the median LA "
                        f"0-17 population with England's {year - 1}-{str(year)[-2:]} rates, England's "
                        f"{year} workforce rates scaled to its population, the national placement "
                        f"mix, and the modal Ofsted grade. Not a real council. Every number is "
                        f"traced in 'sources'; rebuilt by scripts/build_profiles.py."),
        "as_of": as_of.isoformat(),
        "population": {"children_0_17": children, "growth_per_year": round(growth, 5)},
        "demand": demand,
        "placements": {"mix": mix, "weekly_cost": cost},
        "workforce": workforce,
        "finance": {"budget_per_year": budget, "overheads_share": overheads,
                    "budget_path": "flat_real"},
        "ofsted": {"last_grade": grade, "last_inspection": last},
        "sources": {k: src[k] for k in sorted(src)},
    }


def build_worcestershire(data: Path) -> dict:
    """Worcestershire in 2016-17: rated Inadequate (SIF, published January 2017)."""
    prof = _profiles_module()
    profile = prof.from_panels("Worcestershire", data / "la_panels", year=WORCESTERSHIRE_YEAR,
                               judgements=data / "ofsted_la_judgements_2009_2022.csv")
    profile["description"] += (" Rated Inadequate (SIF, published 24 January 2017); the council "
                               "whose 2017 options appraisal is seed 003.")
    return profile


def build_all(data: Path) -> dict[str, dict]:
    prof = _profiles_module()
    out = {"example-county": build_example_county(data),
           f"worcestershire-{WORCESTERSHIRE_YEAR}": build_worcestershire(data)}
    for slug, profile in out.items():
        prof.check(profile, require_sources=True)
        assert profile["slug"] == slug, (profile["slug"], slug)
    return out


def build_all_regions(data: Path) -> dict[str, dict]:
    """The shipped regions' files, {path relative to the regions folder: JSON object}; every
    council profile checked like the shipped profiles."""
    prof = _profiles_module()
    out = build_regions(data)
    for rel, obj in out.items():
        if not rel.endswith("/region.json"):
            prof.check(obj, require_sources=True)
            assert rel.rsplit("/", 1)[1] == f"{obj['slug']}.json", (rel, obj["slug"])
    return out


def dumps(profile: dict) -> str:
    return json.dumps(profile, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA,
                        help=f"folder laid out like shared/data (default: {DEFAULT_DATA})")
    parser.add_argument("--out", type=Path, default=PROFILES_DIR, help="where to write the profiles")
    parser.add_argument("--regions-out", type=Path, default=REGIONS_DIR,
                        help="where to write the regions (a folder per region)")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if the files in --out or --regions-out differ "
                             "from a fresh build")
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        parser.error(f"data folder {args.data} does not exist")
    outputs = {args.out / f"{slug}.json": profile for slug, profile in build_all(args.data).items()}
    outputs.update({args.regions_out / rel: obj for rel, obj in build_all_regions(args.data).items()})
    stale = []
    for path, obj in outputs.items():
        text = dumps(obj)
        if args.check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(str(path))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path} ({len(text.encode()):,} bytes)")
    if stale:
        print("out of date: " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
