"""A Python policy against the same rule run in C++ (issue 15); not a test.

Example County, in-house and LATC, 1,000 replicates x 10 years, summary only, all cores. The
rule (caseload above 20 for 3 months -> recruitment campaign x1.5 for 12 months, at most twice;
a demand shock makes it fire) and admsim.policy.ThresholdPolicy, its Python twin, give
bit-identical results; the policy makes the engine run each block in lockstep and call Python
once a month per block. Timed interleaved A B A B, median and min-max over the repeats.

    python3 benchmarks/bench_policy.py [--replicates 1000] [--repeats 5]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import admsim
from admsim.policy import ThresholdPolicy

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import interleaved, line, ratio_line  # noqa: E402

RULE = {"when": {"metric": "caseload", "above": 20, "for_months": 3},
        "then": {"type": "recruitment_campaign", "size": 1.5, "duration_months": 12}, "max_times": 2}
SHOCK = [{"type": "demand_shock", "start_month": 0, "size": 1.25}]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--replicates", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    kw = dict(years=10, replicates=args.replicates, seed=1, progress=False, output="summary", interventions=SHOCK)
    runs = {
        "rule (C++)": lambda: admsim.simulate("example-county", ["in_house", "latc"], rules=[RULE], **kw),
        "policy (Python)": lambda: admsim.simulate(
            "example-county", ["in_house", "latc"],
            policy=ThresholdPolicy("caseload", 20, "recruitment_campaign", 1.5, 12, for_months=3, max_times=2), **kw),
    }
    times = interleaved(runs, args.repeats, warmup=True)
    print(f"{args.replicates} replicates x 10 years x 2 models, summary only, {args.repeats} interleaved repeats")
    for name, ts in times.items():
        print(line(name, ts))
    print(ratio_line("policy / rule", times["policy (Python)"], times["rule (C++)"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
