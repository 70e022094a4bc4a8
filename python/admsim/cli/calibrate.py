"""``admsim calibrate``: fit the quality/inspection module to graded Ofsted histories."""
from __future__ import annotations

import argparse
import sys

from .options import add_calibration_inputs


def _cmd_calibrate(args: argparse.Namespace) -> int:
    from ..calibration.fit import calibrate

    cal = calibrate(args.judgements, until=args.until, adm_history=args.adm_history,
                    panels=args.panels, walkers=args.walkers, steps=args.steps, burn=args.burn,
                    draws=args.draws, seed=args.seed, threads=args.threads,
                    progress=sys.stderr.isatty())
    path = cal.save(args.out)
    print(cal.summary().round(3).to_string())
    d = cal.diagnostics
    print(f"\nemcee: acceptance {d['acceptance_fraction']:.2f}, longest autocorrelation time "
          f"{max(d['autocorrelation_time'].values()):.0f} steps, effective sample size "
          f"{d['effective_sample_size']:.0f}; {d['seconds']:.0f} s")
    print(f"{cal.data['n_judgements']} judgements, {cal.data['n_councils']} councils "
          f"({cal.data['councils_with_workforce_inputs']} with workforce inputs)")
    print(f"engine parameters: {cal.parameters}")
    print(f"written to {path}")
    return 0


def register(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "calibrate", help="fit quality/inspection parameters to graded Ofsted histories",
        description="Fit the quality module (reversion, inspection noise, grade shares, the "
                    "persistent council level, the response to Inadequate grades, the workforce "
                    "effect and the delivery-model improvement shift) to graded SIF/ILACS "
                    "judgements published by --until, with emcee. Writes JSON whose "
                    "'parameters' can be passed to admsim.simulate(parameters=...).")
    add_calibration_inputs(p, "DfE LA panels folder for the workforce inputs (default: shipped copy)")
    p.add_argument("--until", default=None, help="last publication date used (YYYY-MM-DD)")
    p.add_argument("--walkers", type=int, default=32, help="emcee walkers (default 32)")
    p.add_argument("--steps", type=int, default=6000,
                   help="steps per walker (default 6000: 2-6 minutes on 2 cores)")
    p.add_argument("--burn", type=int, default=500, help="steps dropped as burn-in (default 500)")
    p.add_argument("--draws", type=int, default=1000, help="posterior draws kept (default 1000)")
    p.add_argument("--out", required=True, help="output JSON file")
    p.set_defaults(func=_cmd_calibrate)
    return p
