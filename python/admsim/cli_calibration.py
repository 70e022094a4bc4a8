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
                    draws=args.draws, seed=args.seed)
    path = cal.save(args.out)
    print(cal.summary().round(3).to_string())
    d = cal.diagnostics
    print(f"\nimportance ESS {d['importance_ess']:.0f} of {d['importance_proposals']} proposals; "
          f"{cal.data['n_judgements']} judgements, {cal.data['n_councils']} councils")
    print(f"engine parameters: {cal.parameters}")
    print(f"written to {path}")
    return 0


def _cmd_forecast(args: argparse.Namespace) -> int:
    from .calibration import forecast

    if args.panels is not None:
        print("note: --panels is accepted but not used; the quality/inspection model has no "
              "panel inputs yet", file=sys.stderr)
    fc = forecast(args.judgements, as_of=args.as_of, params=args.calibration,
                  adm_history=args.adm_history, seed=args.seed)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fc.to_csv(out, index=False, float_format="%.6f")
    print(f"{len(fc)} councils; written to {out}")
    return 0


def register(subparsers) -> None:
    """Add ``calibrate`` and ``forecast`` to an ``argparse`` subparsers object."""
    p = subparsers.add_parser(
        "calibrate", help="fit quality/inspection parameters to graded Ofsted histories",
        description="Fit quality_reversion_per_year, inspection_noise_sd, the grade shares and "
                    "the delivery-model improvement shift to graded SIF/ILACS judgements "
                    "published by --until. Writes JSON whose 'parameters' can be passed to "
                    "admsim.simulate(parameters=...).")
    p.add_argument("--judgements", default=None,
                   help="judgements CSV (default: the shipped ofsted_history.csv)")
    p.add_argument("--until", default=None, help="last publication date used (YYYY-MM-DD)")
    p.add_argument("--adm-history", default=None, help="delivery-model spells CSV (default: shipped)")
    p.add_argument("--draws", type=int, default=1000, help="posterior draws (default 1000)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", required=True, help="output JSON file")
    p.set_defaults(func=_cmd_calibrate)

    f = subparsers.add_parser(
        "forecast", help="probability of each grade at every council's next graded inspection",
        description="One row per council with a graded judgement published on or before "
                    "--as-of: p_outstanding, p_good, p_requires_improvement, p_inadequate at its "
                    "next graded inspection after --as-of. Only rows published on or before "
                    "--as-of are read.")
    f.add_argument("--judgements", default=None,
                   help="judgements CSV (default: the shipped ofsted_history.csv)")
    f.add_argument("--as-of", required=True, help="forecast date (YYYY-MM-DD)")
    f.add_argument("--calibration", default=None,
                   help="calibration JSON from 'admsim calibrate' (default: calibrate on the "
                        "rows up to --as-of first, about a minute)")
    f.add_argument("--panels", default=None, help="DfE LA panels folder (accepted; not yet used)")
    f.add_argument("--adm-history", default=None, help="delivery-model spells CSV (default: shipped)")
    f.add_argument("--seed", type=int, default=1)
    f.add_argument("--out", required=True, help="output CSV file")
    f.set_defaults(func=_cmd_forecast)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="admsim")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
