"""Regional and national runs (issue 16); not a test.

  * the 14 West Midlands councils x 4 options (no vehicle and seed 001's three) x R replicates x
    10 years, sharing a labour market, summary only, all cores;
  * every council of the shipped West Midlands region simulated one by one (admsim.simulate)
    against the same councils in one regional run with coupling off: the same work, so the ratio
    is the regional runner's overhead;
  * with --panels (the DfE panels, e.g. ../shared/data/la_panels): every council of England
    (profiles built once, untimed) x in-house x 200 replicates x 5 years, region by region
    (admsim.simulate_nation, labour markets coupled), summary only.
Repeats interleaved; median and min-max.

    python3 benchmarks/bench_region.py [--replicates 1000] [--repeats 3] [--panels ../shared/data/la_panels]
"""
from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import admsim

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import interleaved, line, ratio_line  # noqa: E402

OPTIONS = ["in_house", "status_quo_agreement", "contractual_jv", "corporate_jv"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--replicates", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--panels", help="the DfE panels folder: also time a national run")
    args = ap.parse_args()
    wm = admsim.profiles.region("west-midlands")
    kw = dict(years=10, replicates=args.replicates, seed=1, progress=False, output="summary")
    runs = {
        "region, coupled": lambda: admsim.simulate_region(wm, OPTIONS, labour_market={"mover_share": 0.3},
                                                          vehicle={"cost_split": "population"}, **kw),
        "region, uncoupled": lambda: admsim.simulate_region(wm, OPTIONS, **kw),
        "14 single runs": lambda: [admsim.simulate(p, OPTIONS, **kw) for p in wm],
    }
    times = interleaved(runs, args.repeats)
    months = 14 * len(OPTIONS) * args.replicates * 120
    print(f"14 councils x {len(OPTIONS)} options x {args.replicates} replicates x 10 years = {months:.3g} "
          f"council-replicate-months, summary only, {args.repeats} interleaved repeats")
    for name, ts in times.items():
        print(line(name, ts) + f"  {1e6 * statistics.median(ts) / months:.2f} us each")
    print(ratio_line("regional runner / single runs", times["region, uncoupled"], times["14 single runs"]))
    if args.panels:
        by_region = admsim.profiles.national(args.panels, year=2022, progress=False)
        councils = sum(len(v) for v in by_region.values())
        nation = {"national": lambda: admsim.simulate_nation(by_region, ["in_house"], years=5, replicates=200, seed=1,
                                                             labour_market={"mover_share": 0.3}, output="summary",
                                                             progress=False)}
        ts = interleaved(nation, args.repeats)["national"]
        print(f"{councils} councils x in_house x 200 replicates x 5 years, by region, coupled, summary only:")
        print(line("national", ts) + f"  {1e6 * statistics.median(ts) / (councils * 200 * 60):.2f} us each")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
