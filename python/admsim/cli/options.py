"""Options several commands share: positive counts, the run options (--threads, --allow-large,
--out) and the calibration data inputs."""
from __future__ import annotations

import argparse
from pathlib import Path


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def add_run_options(p: argparse.ArgumentParser) -> None:
    """--threads, --allow-large and --out, for the commands that simulate and report."""
    p.add_argument("--threads", type=positive_int, default=None, help="worker threads (default: all)")
    p.add_argument("--allow-large", action="store_true",
                   help="run even if estimated to need over half the memory or over two hours")
    p.add_argument("--out", type=Path, default=None,
                   help="write the summary (CSV, Parquet), charts (PNG) and report.html here")


def add_calibration_inputs(parser: argparse.ArgumentParser, panels_help: str) -> None:
    """The data and run options calibrate, forecast and backtest take."""
    parser.add_argument("--judgements", default=None,
                        help="judgements CSV (default: the shipped ofsted_history.csv)")
    parser.add_argument("--adm-history", default=None,
                        help="delivery-model spells CSV (default: shipped)")
    parser.add_argument("--panels", default=None, help=panels_help)
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--threads", type=int, default=None,
                        help="C++ threads (default: all cores)")
