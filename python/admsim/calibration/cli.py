"""``admsim calibrate`` and ``admsim forecast``: fit the quality/inspection module to Ofsted
histories and forecast each council's next grade.

``register(subparsers)`` adds both subcommands to the ``admsim`` parser; ``python -m
admsim.cli_calibration {calibrate,forecast} ...`` runs them on their own.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _cmd_calibrate(args: argparse.Namespace) -> int:
    from .calibration import calibrate

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


def _cmd_forecast(args: argparse.Namespace) -> int:
    from .calibration import forecast

    fc = forecast(args.judgements, as_of=args.as_of, params=args.calibration,
                  adm_history=args.adm_history, panels=args.panels, seed=args.seed,
                  threads=args.threads)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fc.to_csv(out, index=False, float_format="%.6f")
    print(f"{len(fc)} councils; written to {out}")
    return 0


def _add_inputs(parser, panels_help: str) -> None:
    """The data and run options both subcommands take."""
    parser.add_argument("--judgements", default=None,
                        help="judgements CSV (default: the shipped ofsted_history.csv)")
    parser.add_argument("--adm-history", default=None,
                        help="delivery-model spells CSV (default: shipped)")
    parser.add_argument("--panels", default=None, help=panels_help)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=None,
                        help="C++ threads (default: all cores)")


def register(subparsers) -> None:
    """Add ``calibrate`` and ``forecast`` to an ``argparse`` subparsers object."""
    p = subparsers.add_parser(
        "calibrate", help="fit quality/inspection parameters to graded Ofsted histories",
        description="Fit the quality module (reversion, inspection noise, grade shares, the "
                    "persistent council level, the response to Inadequate grades, the workforce "
                    "effect and the delivery-model improvement shift) to graded SIF/ILACS "
                    "judgements published by --until, with emcee. Writes JSON whose "
                    "'parameters' can be passed to admsim.simulate(parameters=...).")
    _add_inputs(p, "DfE LA panels folder for the workforce inputs (default: shipped copy)")
    p.add_argument("--until", default=None, help="last publication date used (YYYY-MM-DD)")
    p.add_argument("--walkers", type=int, default=32, help="emcee walkers (default 32)")
    p.add_argument("--steps", type=int, default=6000, help="steps per walker (default 6000)")
    p.add_argument("--burn", type=int, default=500, help="steps dropped as burn-in (default 500)")
    p.add_argument("--draws", type=int, default=1000, help="posterior draws kept (default 1000)")
    p.add_argument("--out", required=True, help="output JSON file")
    p.set_defaults(func=_cmd_calibrate)

    f = subparsers.add_parser(
        "forecast", help="probability of each grade at every council's next graded inspection",
        description="One row per council with a graded judgement published on or before "
                    "--as-of: p_outstanding, p_good, p_requires_improvement, p_inadequate at its "
                    "next graded inspection after --as-of. Only rows published on or before "
                    "--as-of are read.")
    _add_inputs(f, "DfE LA panels folder for the workforce inputs; only snapshots published by "
                   "--as-of are used (default: the shipped copy)")
    f.add_argument("--as-of", required=True, help="forecast date (YYYY-MM-DD)")
    f.add_argument("--calibration", default=None,
                   help="calibration JSON from 'admsim calibrate' (default: calibrate on the "
                        "rows up to --as-of first)")
    f.add_argument("--out", required=True, help="output CSV file")
    f.set_defaults(func=_cmd_forecast)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="admsim")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
