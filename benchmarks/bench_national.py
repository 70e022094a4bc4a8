"""Benchmark of the national sensitivity job (issue 16); not a test.

The nightly Sobol job run in every council of the DfE panels (151 for 2022; the shipped West
Midlands councils when the panels are absent): 6 engine parameters, N = 4 (32 rows a council),
1 model, 40 replicates x 5 years each row, chunks of 16 rows, so 2 chunks per council. Timed:
  * local threads (``run_national(threads=T)``: chunk after chunk, T threads inside each call),
  * Dask ``LocalCluster(T workers x 1 thread)`` (``run_national(local_cluster=T)``: a task per
    chunk; the cluster's start is inside the time),
each in a fresh output directory, interleaved A B A B (benchmarks/timing.py), median and range;
and checks that the two give bit-identical indices. The council profiles are built once, before
the timing (about 30 s from the panels).

    python3 benchmarks/bench_national.py                # the measurement (about 1-2 min a run)
    python3 benchmarks/bench_national.py --scale 0.05 --councils 3 --repeats 1   # a smoke run
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import warnings
from pathlib import Path

import admsim
from admsim import profiles, sensitivity

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import interleaved, line, ratio_line  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PARAMETERS = ["quality_reversion_per_year", "demand_trend_per_year", "caseload_turnover_elasticity",
              "pay_turnover_elasticity", "agency_fill_probability", "recruitment_capacity"]
OUTCOMES = ["npv_cost", "mean_turnover_rate", "mean_caseload"]


def _councils(panels: Path, limit: int | None) -> dict[str, list[dict]]:
    if (panels / "population_0_17_2012_2022.csv").exists():
        wanted = profiles.councils_by_region(panels, 2022)
        if limit is not None:  # the first councils only, not every profile built
            kept, left = {}, limit
            for region, names in wanted.items():
                if left > 0:
                    kept[region], left = names[:left], left - len(names[:left])
            wanted = kept
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the Isles of Scilly, left out (no social workers in post)
            by_region = profiles.national(panels, year=2022, regions=list(wanted), progress=False)
        by_region = {r: [p for p in ps if p["name"] in wanted[r]] for r, ps in by_region.items()}
        source = f"the DfE panels in {panels}"
    else:
        by_region = {"West Midlands": profiles.region("west-midlands")[:limit]}
        source = f"the shipped West Midlands region ({panels} not found)"
    print(f"councils: {source}; {sum(map(len, by_region.values()))} used")
    return by_region


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    shared = Path(os.environ.get("ADMSIM_SHARED", ROOT.parent / "shared"))
    ap.add_argument("--panels", type=Path, default=shared / "data" / "la_panels",
                    help="DfE LA panels (default ../shared/data/la_panels, or $ADMSIM_SHARED/data/la_panels)")
    ap.add_argument("--scale", type=float, default=1.0,
                    help="share of the 40 replicates per row (at least 2; default 1)")
    ap.add_argument("--councils", type=int, default=None, help="only the first N councils")
    ap.add_argument("--threads", type=int, default=2, help="local threads = Dask workers (default 2)")
    ap.add_argument("--repeats", type=int, default=3, help="interleaved repeats (default 3)")
    ap.add_argument("--json", type=Path, default=None, help="also write the numbers to this file")
    args = ap.parse_args()
    if not 0 < args.scale <= 1:
        ap.error("--scale must be in (0, 1]")

    by_region = _councils(args.panels, args.councils)
    n_councils = sum(map(len, by_region.values()))
    replicates = max(2, round(40 * args.scale))
    config = {"scenario": {"models": ["in_house"], "years": 5, "replicates": replicates, "seed": 1},
              "inputs": PARAMETERS, "outputs": [f"in_house.{o}" for o in OUTCOMES],
              "method": "sobol", "n": 4, "seed": 1, "chunk_rows": 16}
    rows = 4 * (len(PARAMETERS) + 2)
    rm = n_councils * rows * replicates * 60
    print(f"admsim {admsim.__version__}, {os.cpu_count()} CPUs; {n_councils} councils x {rows} rows x "
          f"{replicates} replicates x 60 months = {rm:,} council-replicate-months; "
          f"{n_councils * -(-rows // 16)} chunks; {args.repeats} interleaved repeats")

    work = Path(tempfile.mkdtemp(prefix="bench_national_"))
    runs_done: dict[str, list] = {"local": [], "dask": []}

    def arm(kind: str):
        def run():
            out = work / f"{kind}{len(runs_done[kind])}"
            kw = {"threads": args.threads} if kind == "local" else {"local_cluster": args.threads}
            res = sensitivity.run_national(config, out, by_region, progress=False, **kw)
            runs_done[kind].append((out, res.manifest["timings_s"]))
        return run

    try:
        times = interleaved({f"local threads ({args.threads})": arm("local"),
                             f"LocalCluster({args.threads})": arm("dask")}, args.repeats)
        same = all((a / f).read_bytes() == (b / f).read_bytes()
                   for (a, _), (b, _) in zip(runs_done["local"], runs_done["dask"])
                   for f in ("indices.csv", "national.csv", "regions.csv"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    local_s, dask_s = times.values()
    for name, ts in times.items():
        print(line(name, ts, 22) + f"  {rm / statistics.median(ts):,.0f} replicate-months/s")
    print(ratio_line("LocalCluster / local threads, wall", dask_s, local_s))
    ev_l = [t["evaluate"] for _, t in runs_done["local"]]
    ev_d = [t["evaluate"] for _, t in runs_done["dask"]]
    starts = [t.get("cluster_start", 0.0) for _, t in runs_done["dask"]]
    print(ratio_line("LocalCluster / local threads, evaluate phase only", ev_d, ev_l)
          + f"; cluster start median {statistics.median(starts):.1f} s")
    print(f"  bit-identical indices, national and regional tables: {same}")
    if args.json:
        args.json.write_text(json.dumps({
            "councils": n_councils, "rows": rows, "replicates": replicates, "replicate_months": rm,
            "local_s": local_s, "dask_s": dask_s, "local_evaluate_s": ev_l, "dask_evaluate_s": ev_d,
            "cluster_start_s": starts, "bit_identical": same}, indent=2) + "\n")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
