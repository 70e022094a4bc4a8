"""``admsim compare``: compare delivery models for one council."""
from __future__ import annotations

import argparse

from ..scenario import DEFAULT_MODELS, build_scenario
from ..simulate import run_spec
from .options import add_run_options
from .output import print_results


def _cmd_compare(args: argparse.Namespace) -> int:
    # The report's conclusion (P(best), paired intervals) needs every replicate's outcomes.
    spec = build_scenario(args.profile, args.models or list(DEFAULT_MODELS), years=args.years,
                          replicates=args.replicates, seed=args.seed,
                          output="full" if args.out else "summary")
    print_results(run_spec(spec, threads=args.threads, allow_large=args.allow_large), args.out)
    return 0


def register(sub) -> argparse.ArgumentParser:
    compare = sub.add_parser("compare", help="compare delivery models for one council",
                             description="Compare delivery models for one council and print a table; "
                                         "with --out, also write a report.")
    compare.add_argument("--profile", default="example-county",
                         help="shipped profile slug or path to a profile JSON (default: example-county)")
    compare.add_argument("--models", nargs="+", default=None,
                         help=f"catalogue ids (default: {' '.join(DEFAULT_MODELS)})")
    compare.add_argument("--years", type=int, default=10, help="horizon in years (default 10)")
    compare.add_argument("--replicates", type=int, default=1000, help="replicates per model (default 1000)")
    compare.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    add_run_options(compare)
    compare.set_defaults(func=_cmd_compare)
    return compare
