"""Engine against the NumPy reference implementation (tests/reference), issue 14; not a test.

Same model (Example County, in-house, shipped risk register), 10 years, one thread, summary
only on both sides (the engine's summary mode also keeps 128-bin histograms per metric and month;
the reference keeps means and SDs). Timed interleaved A B A B so that drift in the machine's
load hits both sides alike; each side's wall time includes its own calibration and set-up, and
the engine's the JSON hand-over to C++ (the scenario is built and serialised once, outside).

    python3 benchmarks/bench_reference.py                    # 200, 1,000, 10,000 replicates, 5 repeats
    python3 benchmarks/bench_reference.py --replicates 200 1000 --repeats 7
"""
from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from pathlib import Path

import admsim
from admsim import _core
from admsim.catalogue import catalogue_json
from admsim.scenario import to_json

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.reference import simulate_reference  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--replicates", type=int, nargs="+", default=[200, 1000, 10000])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--profile", default="example-county")
    ap.add_argument("--model", default="in_house")
    args = ap.parse_args()
    catalogue = catalogue_json()
    print(f"engine vs NumPy reference: {args.profile}, {args.model}, {args.years} years, 1 thread, "
          f"summary only, {args.repeats} interleaved repeats")
    print(f"python {platform.python_version()}, numpy {__import__('numpy').__version__}, "
          f"{platform.processor() or platform.machine()}")
    header = (f"{'replicates':>10} {'side':>9} {'median s':>9} {'min-max s':>17} "
              f"{'us/rep-month':>12} {'ref/engine':>10}")
    print(header)
    for n in args.replicates:
        spec = admsim.build_scenario(args.profile, [args.model], years=args.years, replicates=n,
                                     seed=1, output="summary")
        text = to_json(spec)
        runs = {"engine": [], "reference": []}
        for i in range(args.repeats):
            t0 = time.perf_counter()
            _core.simulate(text, catalogue, 1, None)
            t1 = time.perf_counter()
            simulate_reference(spec, n, seed=i, summary=True)
            t2 = time.perf_counter()
            runs["engine"].append(t1 - t0)
            runs["reference"].append(t2 - t1)
        rep_months = n * 12 * args.years
        med = {k: statistics.median(v) for k, v in runs.items()}
        for side, times in runs.items():
            ratio = f"{med['reference'] / med['engine']:10.2f}" if side == "reference" else ""
            print(f"{n:>10} {side:>9} {med[side]:9.3f} {min(times):8.3f}-{max(times):<8.3f} "
                  f"{med[side] / rep_months * 1e6:12.2f} {ratio}")
        # the ratio of each interleaved pair, whose spread says how steady the comparison was
        pair = sorted(r / e for e, r in zip(runs["engine"], runs["reference"]))
        print(f"{'':>10} {'pairs':>9} ratio per interleaved pair {pair[0]:.2f}-{pair[-1]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
