"""``admsim backtest``: score next-grade forecasts against strong baselines at rolling origins."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..csvout import write_csv
from .options import add_calibration_inputs


def _cmd_backtest(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")
    from ..calibration.backtest import QUICK_CALIBRATION, backtest

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
    from ..calibration.baselines import METHODS

    lines = ["Brier score (lower is better; differences: model minus baseline, 90% interval)"]
    for origin, row in table.iterrows():
        scores = "  ".join(f"{m} {row[f'brier_{m}']:.3f}" for m in ["model", *METHODS])
        lines.append(f"{origin:>10} (n={int(row['n']):3d})  {scores}")
        diffs = "  ".join(f"{m} {row[f'model_minus_{m}']:+.3f} [{row[f'model_minus_{m}_5%']:+.3f}, "
                          f"{row[f'model_minus_{m}_95%']:+.3f}]" for m in METHODS)
        lines.append(f"{'':>10}            {diffs}")
    return "\n".join(lines)


def register(subparsers) -> argparse.ArgumentParser:
    from ..calibration.backtest import DEFAULT_ORIGINS, QUICK_CALIBRATION

    b = subparsers.add_parser(
        "backtest", help="score next-grade forecasts against baselines at rolling origins",
        description="At each origin, calibrate on the judgements published by then, forecast "
                    "each council's first graded judgement after it, and score the forecasts "
                    "(Brier, log loss) against the national distribution, the transition "
                    "matrix, a last-two-grades matrix and an ordinal regression fitted on the "
                    "same rows, with paired bootstrap intervals. Writes backtest.csv, "
                    "predictions.csv and a plot. Takes about 1-2 minutes per origin on 2 cores.")
    add_calibration_inputs(b, "DfE LA panels folder for the workforce inputs (default: shipped copy)")
    b.add_argument("--origins", nargs="+", default=DEFAULT_ORIGINS,
                   help="origin dates (default: every year-end 2016-2021)")
    b.add_argument("--test-until", default=None,
                   help="last publication date scored (default: the last judgement)")
    for k, v in QUICK_CALIBRATION.items():
        b.add_argument(f"--{k}", type=int, default=None, help=f"emcee {k} per origin (default {v})")
    b.add_argument("--out", required=True, help="output folder")
    b.set_defaults(func=_cmd_backtest)
    return b
