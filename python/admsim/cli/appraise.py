"""``admsim appraise``: the options appraisal (gateway, weighted criteria, rank probabilities)."""
from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from .. import jsonio
from ..appraisal import appraise
from ..catalogue import catalogue
from ..scenario import build_scenario, load_scenario
from ..simulate import run_spec
from .options import add_run_options
from .output import print_results


def _cmd_appraise(args: argparse.Namespace) -> int:
    if args.scenario is not None:
        spec = load_scenario(args.scenario)
        spec["output"] = "full"  # rank probabilities need every replicate
    else:
        spec = build_scenario(args.profile, args.models or list(catalogue().index), years=args.years,
                              replicates=args.replicates, seed=args.seed)
    weights = jsonio.read(args.weights, "weights file") if args.weights else None
    results = run_spec(spec, threads=args.threads, allow_large=args.allow_large)
    appraisal = appraise(results, weights=weights, seed=args.seed)
    table = appraisal.table()
    ranks = [c for c in table.columns if c.startswith("P(rank")][:3]
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(appraisal.gateway[["passed", "failed"]].to_string())
        print()
        print(table[["score", "score 5%", "score 95%", *ranks]].to_string(float_format=lambda v: f"{v:.2f}"))
    print(f"\n{appraisal.robustness}")
    if args.out is not None:
        print_results(results, args.out, appraisal=appraisal)
    return 0


def register(sub) -> argparse.ArgumentParser:
    appr = sub.add_parser(
        "appraise", help="options appraisal: gateway, weighted criteria, rank probabilities",
        description="Simulate the models, apply the gateway questions (Worcestershire's four by "
                    "default), score the weighted criteria and report rank probabilities over "
                    "replicates and weight ranges. With --out, also write the report.")
    appr.add_argument("scenario", type=Path, nargs="?", default=None,
                      help="optional scenario JSON; otherwise --profile/--models/--years/...")
    appr.add_argument("--profile", default="example-county", help="profile slug or path (default example-county)")
    appr.add_argument("--models", nargs="+", default=None, help="catalogue ids (default: every catalogue model)")
    appr.add_argument("--years", type=int, default=5, help="horizon in years (default 5)")
    appr.add_argument("--replicates", type=int, default=300, help="replicates per model (default 300)")
    appr.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    appr.add_argument("--weights", default=None,
                      help="JSON file {criterion: weight or [low, high]} overriding the shipped weights")
    add_run_options(appr)
    appr.set_defaults(func=_cmd_appraise)
    return appr
