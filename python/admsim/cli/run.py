"""``admsim run``: run a scenario JSON file."""
from __future__ import annotations

import argparse
from pathlib import Path

from ..scenario import load_scenario
from ..simulate import run_spec
from .options import add_run_options
from .output import print_results


def _cmd_run(args: argparse.Namespace) -> int:
    spec = load_scenario(args.scenario)
    print_results(run_spec(spec, threads=args.threads, allow_large=args.allow_large), args.out)
    return 0


def register(sub) -> argparse.ArgumentParser:
    run = sub.add_parser("run", help="run a scenario JSON file",
                         description="Run a scenario JSON file and print a table; with --out, "
                                     "also write a report.")
    run.add_argument("scenario", type=Path, help="scenario JSON (see python/admsim/data/scenario.schema.json)")
    add_run_options(run)
    run.set_defaults(func=_cmd_run)
    return run
