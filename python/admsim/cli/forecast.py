"""``admsim forecast``: each council's grade probabilities at its next graded inspection."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..csvout import write_csv
from .options import add_calibration_inputs


def _cmd_forecast(args: argparse.Namespace) -> int:
    from ..calibration.data import PROB_COLUMNS
    from ..calibration.forecast import forecast, rounded

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


def register(subparsers) -> argparse.ArgumentParser:
    f = subparsers.add_parser(
        "forecast", help="probability of each grade at every council's next graded inspection",
        description="One row per council with a graded judgement published on or before "
                    "--as-of: p_outstanding, p_good, p_requires_improvement, p_inadequate at its "
                    "next graded inspection after --as-of. Only rows published on or before "
                    "--as-of are read.")
    add_calibration_inputs(f, "DfE LA panels folder for the workforce inputs; only snapshots "
                              "published by --as-of are used (default: the shipped copy)")
    f.add_argument("--as-of", required=True, help="forecast date (YYYY-MM-DD)")
    f.add_argument("--calibration", default=None,
                   help="calibration JSON from 'admsim calibrate' (default: calibrate on the "
                        "rows up to --as-of first: 2-6 minutes on 2 cores)")
    f.add_argument("--out", required=True, help="output CSV file")
    f.set_defaults(func=_cmd_forecast)
    return f
