"""``admsim calibrate``, ``admsim forecast`` and ``admsim backtest``: fit the quality/inspection
module to Ofsted histories, forecast each council's next grade, and score forecasts against
strong baselines at rolling origins.

``register(subparsers)`` adds the subcommands to the ``admsim`` parser; ``python -m
admsim.calibration.cli {calibrate,forecast,backtest} ...`` runs them on their own.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..csvout import write_csv


def _cmd_calibrate(args: argparse.Namespace) -> int:
    from .fit import calibrate

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
    from .data import PROB_COLUMNS
    from .forecast import forecast, rounded

    options = {} if args.calibration else {"progress": sys.stderr.isatty()}
    fc = forecast(args.judgements, as_of=args.as_of, params=args.calibration,
                  adm_history=args.adm_history, panels=args.panels, seed=args.seed,
                  threads=args.threads, **options)
    fc[PROB_COLUMNS] = rounded(fc[PROB_COLUMNS].to_numpy(), 6)  # each row sums to 1 as written
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_csv(fc, out, index=False, float_format="%.6f")
    print(f"{len(fc)} councils; written to {out}")
    return 0


def _cmd_backtest(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")
    from .backtest import QUICK_CALIBRATION, backtest

    options = {k: getattr(args, k) for k in QUICK_CALIBRATION if getattr(args, k) is not None}
    result = backtest(args.judgements, origins=args.origins, test_until=args.test_until,
                      adm_history=args.adm_history, panels=args.panels,
                      calibration_options=options, seed=args.seed, threads=args.threads,
                      progress=sys.stderr.isatty())
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    table = result.table()
    write_csv(table, out / "backtest.csv")
    write_csv(result.predictions, out / "predictions.csv", index=False, float_format="%.6f")
    ax = result.plot()
    ax[0].figure.savefig(out / "backtest.png", dpi=200)
    ax[0].figure.savefig(out / "backtest.svg")
    print(format_backtest(table))
    print(f"\nwritten to {out}: backtest.csv, predictions.csv, backtest.png, backtest.svg")
    return 0


def format_backtest(table) -> str:
    """The back-test table as text: Brier scores, and the model's difference to each baseline
    with its 90% paired bootstrap interval."""
    from .baselines import METHODS

    lines = ["Brier score (lower is better; differences: model minus baseline, 90% interval)"]
    for origin, row in table.iterrows():
        scores = "  ".join(f"{m} {row[f'brier_{m}']:.3f}" for m in ["model", *METHODS])
        lines.append(f"{origin:>10} (n={int(row['n']):3d})  {scores}")
        diffs = "  ".join(f"{m} {row[f'model_minus_{m}']:+.3f} [{row[f'model_minus_{m}_5%']:+.3f}, "
                          f"{row[f'model_minus_{m}_95%']:+.3f}]" for m in METHODS)
        lines.append(f"{'':>10}            {diffs}")
    return "\n".join(lines)


def _add_inputs(parser, panels_help: str) -> None:
    """The data and run options both subcommands take."""
    parser.add_argument("--judgements", default=None,
                        help="judgements CSV (default: the shipped ofsted_history.csv)")
    parser.add_argument("--adm-history", default=None,
                        help="delivery-model spells CSV (default: shipped)")
    parser.add_argument("--panels", default=None, help=panels_help)
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
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
    p.add_argument("--steps", type=int, default=6000,
                   help="steps per walker (default 6000: 2-6 minutes on 2 cores)")
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
                        "rows up to --as-of first: 2-6 minutes on 2 cores)")
    f.add_argument("--out", required=True, help="output CSV file")
    f.set_defaults(func=_cmd_forecast)

    from .backtest import DEFAULT_ORIGINS, QUICK_CALIBRATION

    b = subparsers.add_parser(
        "backtest", help="score next-grade forecasts against baselines at rolling origins",
        description="At each origin, calibrate on the judgements published by then, forecast "
                    "each council's first graded judgement after it, and score the forecasts "
                    "(Brier, log loss) against the national distribution, the transition "
                    "matrix, a last-two-grades matrix and an ordinal regression fitted on the "
                    "same rows, with paired bootstrap intervals. Writes backtest.csv, "
                    "predictions.csv and a plot. Takes about 1-2 minutes per origin on 2 cores.")
    _add_inputs(b, "DfE LA panels folder for the workforce inputs (default: shipped copy)")
    b.add_argument("--origins", nargs="+", default=DEFAULT_ORIGINS,
                   help="origin dates (default: every year-end 2016-2021)")
    b.add_argument("--test-until", default=None,
                   help="last publication date scored (default: the last judgement)")
    for k, v in QUICK_CALIBRATION.items():
        b.add_argument(f"--{k}", type=int, default=None, help=f"emcee {k} per origin (default {v})")
    b.add_argument("--out", required=True, help="output folder")
    b.set_defaults(func=_cmd_backtest)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="admsim")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
