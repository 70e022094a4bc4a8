"""Benchmark of the nightly sensitivity job (issue 6); not a test.

A Sobol analysis of 20 engine parameters with N = 512 on "example county", each evaluation a
5-year run of 200 replicates. Reports
  * the wall time of the analysis (chunked runner, local threads),
  * the batch call's throughput against the engine's raw throughput (admsim.simulate in
    summary mode over the same replicate-months): target under 10% overhead,
  * Dask LocalCluster(2 workers x 1 thread) against local threads on the same 2 cores:
    target within 15%,
and checks that the batch call, the local runner and Dask agree bit for bit.

    python3 benchmarks/bench_sensitivity.py              # the full run (tens of minutes on 2 cores)
    python3 benchmarks/bench_sensitivity.py --scale 0.02 # a fraction: N scaled to a power of 2

SALib's Saltelli sample has N * (2d + 2) rows with second-order indices (21,504 for d = 20,
N = 512; the default here) and N * (d + 2) without (11,264; --first-order).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import admsim
from admsim import _core, sensitivity
from admsim.scenario import to_json

PARAMETERS = [
    "demand_trend_per_year", "demand_noise_sd", "cla_from_cpp_share", "quality_care_entry_effect",
    "placement_moves_per_year", "leaving_hazard_0_6m", "newly_qualified_share_of_hires",
    "caseload_turnover_elasticity", "quality_turnover_effect", "pay_turnover_elasticity",
    "agency_assignment_months", "labour_market_sd", "establishment_flex", "agency_fill_probability",
    "recruitment_capacity", "quality_reversion_per_year", "quality_workforce_effect",
    "inspection_noise_sd", "vatable_share", "transition_cost_share",
]
OUTCOMES = ["npv_cost", "good_by_year5", "mean_turnover_rate", "cla_per_10k_end"]


def _median(runs: list[dict]) -> dict:
    return {k: float(np.median([r[k] for r in runs])) for k in runs[0]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=float, default=1.0,
                    help="fraction of the full run: N = 512 * scale rounded to a power of 2 (default 1)")
    ap.add_argument("--models", nargs="+", default=["latc"], help="models per evaluation (default latc)")
    ap.add_argument("--years", type=int, default=5)
    ap.add_argument("--replicates", type=int, default=200)
    ap.add_argument("--threads", type=int, default=2, help="local threads = Dask workers (default 2)")
    ap.add_argument("--chunk-rows", type=int, default=None,
                    help="rows per chunk (default: about 16 chunks per worker, at most 256)")
    ap.add_argument("--first-order", action="store_true", help="no second-order indices (fewer rows)")
    ap.add_argument("--skip-raw", action="store_true", help="skip the raw-engine comparison")
    ap.add_argument("--skip-dask", action="store_true", help="skip the Dask comparison")
    ap.add_argument("--repeat", type=int, default=1,
                    help="alternate local and Dask runs this many times; medians reported (default 1)")
    ap.add_argument("--segments", type=int, default=16,
                    help="interleaved batch/raw segments (default 16)")
    ap.add_argument("--out", type=Path, default=None, help="keep the runs' output here (default: temp)")
    ap.add_argument("--json", type=Path, default=None, help="also write the numbers to this file")
    args = ap.parse_args()

    if not 0 < args.scale <= 1:
        ap.error("--scale must be in (0, 1]")
    n = max(2, 2 ** round(math.log2(512 * args.scale)))
    second = not args.first_order
    d = len(PARAMETERS)
    rows = n * (2 * d + 2 if second else d + 2)
    full_rows = 512 * (2 * d + 2 if second else d + 2)
    chunk_rows = args.chunk_rows or max(4, min(256, math.ceil(rows / (16 * args.threads))))
    months = 12 * args.years
    rm_per_row = len(args.models) * args.replicates * months
    outputs = [f"{m}.{o}" for m in args.models for o in OUTCOMES]
    scenario = {"profile": "example-county", "models": args.models, "years": args.years,
                "replicates": args.replicates, "seed": 1}
    config = {"scenario": scenario, "inputs": PARAMETERS, "outputs": outputs, "method": "sobol",
              "n": n, "seed": 1, "chunk_rows": chunk_rows, "calc_second_order": second}
    spec = admsim.build_scenario(**scenario)
    spec_json, cat_json = to_json(spec), json.dumps(admsim.load_catalogue())

    print(f"admsim {admsim.__version__}, Python {platform.python_version()}, {os.cpu_count()} CPUs; "
          f"threads/workers {args.threads}")
    print(f"Sobol: d={d}, N={n} (scale {args.scale}; full N=512), second order {second}: "
          f"{rows} evaluations of {len(args.models)} model(s) x {args.replicates} replicates x "
          f"{months} months = {rows * rm_per_row:,} replicate-months "
          f"({rows / full_rows:.2%} of the full {full_rows:,} evaluations); chunks of {chunk_rows}")
    report: dict = {"n": n, "rows": rows, "full_rows": full_rows, "scale": rows / full_rows,
                    "replicate_months": rows * rm_per_row, "threads": args.threads,
                    "models": args.models, "chunk_rows": chunk_rows}

    work = args.out or Path(tempfile.mkdtemp(prefix="bench_sensitivity_"))
    work.mkdir(parents=True, exist_ok=True)

    # 1. The chunked runner: local threads and Dask LocalCluster(threads x 1 thread), alternated
    #    --repeat times (the machine may be shared: alternating spreads any contention evenly).
    runs: dict[str, list[dict]] = {"local": [], "dask": []}
    local = dask = None
    for r in range(args.repeat):
        for kind in ("local",) + (() if args.skip_dask else ("dask",)):
            t = time.monotonic()
            kw = {"threads": args.threads} if kind == "local" else {"local_cluster": args.threads}
            res = sensitivity.run_chunks(config, work / f"{kind}{r}", progress=False, **kw)
            runs[kind].append({"wall_s": time.monotonic() - t, **res.manifest["timings_s"]})
            if kind == "local":
                local = res
            else:
                dask = res
    tl = _median(runs["local"])
    report["local"] = {**tl, "runs": runs["local"]}
    print(f"\n[local runner] wall {tl['wall_s']:.1f} s (sample {tl['sample']:.1f}, evaluate "
          f"{tl['evaluate']:.1f}, analyse {tl['analyse']:.2f}, write {tl['write']:.1f}); "
          f"full scale ~{tl['wall_s'] * full_rows / rows / 60:.0f} min")
    if dask is not None:
        td = _median(runs["dask"])
        same = np.array_equal(dask.Y.view(np.uint64), local.Y.view(np.uint64))
        same_csv = ((work / "dask0" / "indices.csv").read_bytes()
                    == (work / "local0" / "indices.csv").read_bytes())
        best = (min(r["evaluate"] for r in runs["dask"]) / min(r["evaluate"] for r in runs["local"]))
        report["dask"] = {**td, "runs": runs["dask"], "bit_identical": bool(same and same_csv),
                          "evaluate_over_local": td["evaluate"] / tl["evaluate"],
                          "best_evaluate_over_best_local": best,
                          "wall_over_local": td["wall_s"] / tl["wall_s"]}
        print(f"[dask]         wall {td['wall_s']:.1f} s (cluster start {td['cluster_start']:.1f}, "
              f"evaluate {td['evaluate']:.1f}); evaluate time Dask/local = "
              f"{td['evaluate'] / tl['evaluate']:.3f} (target within 1.15), wall Dask/local = "
              f"{td['wall_s'] / tl['wall_s']:.3f}; bit-identical outputs and indices.csv: {same and same_csv}")
        if args.repeat > 1:
            print(f"               best Dask evaluate / best local evaluate = {best:.3f} "
                  f"(medians above, over {args.repeat} alternated runs each)")

    # 2. The batch call against the engine's raw throughput, in interleaved segments: each
    #    segment of rows is one batch call, then admsim.simulate (summary mode) over the same
    #    replicate-months.
    X = local.X
    segments = np.array_split(np.arange(rows), max(1, min(args.segments, rows)))
    batch_s = raw_s = 0.0
    Y = np.empty_like(local.Y)
    for k, seg in enumerate(segments):
        t = time.monotonic()
        Y[seg] = _core.evaluate(spec_json, cat_json, PARAMETERS, X[seg], outputs, args.threads)
        batch_s += time.monotonic() - t
        if not args.skip_raw:
            left = len(seg) * args.replicates
            while left:  # calls of at most 20,000 replicates keep summary memory modest
                reps = min(left, 20000)
                t = time.monotonic()
                admsim.simulate("example-county", args.models, years=args.years, replicates=reps,
                                seed=k + 1, output="summary", threads=args.threads, progress=False)
                raw_s += time.monotonic() - t
                left -= reps
    assert np.array_equal(Y.view(np.uint64), local.Y.view(np.uint64)), "batch call != runner"
    batch_rate = rows * rm_per_row / batch_s
    report["batch"] = {"seconds": batch_s, "replicate_months_per_s": batch_rate,
                       "runner_evaluate_over_batch": tl["evaluate"] / batch_s}
    print(f"[batch call]   {batch_s:.1f} s, {batch_rate:,.0f} replicate-months/s "
          f"(runner's evaluate phase / batch = {tl['evaluate'] / batch_s:.3f})")
    if not args.skip_raw:
        raw_rate = rows * rm_per_row / raw_s
        ratio = batch_rate / raw_rate
        report["raw"] = {"seconds": raw_s, "replicate_months_per_s": raw_rate, "batch_over_raw": ratio}
        print(f"[raw engine]   {raw_s:.1f} s, {raw_rate:,.0f} replicate-months/s "
              f"(admsim.simulate, summary mode, same replicate-months, {len(segments)} calls)")
        print(f"  batch / raw throughput = {ratio:.3f} (overhead {1 - ratio:+.1%}; target < 10%)")

    print(f"\nTop inputs by total index ({outputs[0]}):")
    top = local.to_frame().query("output == @outputs[0]").sort_values("ST", ascending=False).head(5)
    print(top[["input", "S1", "S1_conf", "ST", "ST_conf"]].to_string(index=False))
    print(f"\nRun directories under {work}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
