#!/usr/bin/env python3
"""Write python/admsim/data/calibration_summary.json, the shipped evidence on the delivery-model
``improvement`` effect that ``admsim.catalogue()``, ``catalogue_evidence()`` and the HTML report
read: the fitted ``improvement`` of a calibration file (posterior median, 90% interval, draws)
and the difference-in-differences of grade change after an Inadequate judgement
(``admsim.calibration.evidence.did_after_inadequate``). This script is the only way the file is
made; its "source" records the command that made it.

    admsim calibrate --out cal.json                       # the calibration (about 6 minutes)
    python3 scripts/build_calibration_summary.py cal.json \\
        --calibration-command "admsim calibrate --out cal.json"

Options: --out FILE (default: the shipped file), --n-boot and --seed for the bootstrap.
"""
from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "python" / "admsim" / "data" / "calibration_summary.json"


def main(argv: list[str]) -> int:
    from admsim.calibration.evidence import build_summary

    parser = argparse.ArgumentParser(prog="build_calibration_summary.py",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("calibration", help="calibration JSON written by 'admsim calibrate --out'")
    parser.add_argument("--calibration-command", default=None,
                        help="how the calibration file was made (recorded in the summary; "
                             "default: described from the file's diagnostics)")
    parser.add_argument("--out", default=str(OUT), help=f"output JSON (default {OUT})")
    parser.add_argument("--n-boot", type=int, default=2000, help="bootstrap resamples (2000)")
    parser.add_argument("--seed", type=int, default=1, help="bootstrap seed (1)")
    args = parser.parse_args(argv)
    source = "python3 scripts/build_calibration_summary.py " + shlex.join(argv)
    summary = build_summary(args.calibration, source,
                            calibration_command=args.calibration_command,
                            n_boot=args.n_boot, seed=args.seed)
    out = Path(args.out)
    out.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    fit, did = summary["improvement"], summary["did_after_inadequate"]
    print(f"improvement (fitted, pooled): median {fit['median']:+.3f}, 90% "
          f"{fit['p05']:+.3f} to {fit['p95']:+.3f} ({fit['n_draws']} draws)")
    print(f"DiD after Inadequate (next grade): {did['estimate']:+.3f}, 90% {did['p05']:+.3f} to "
          f"{did['p95']:+.3f}; {did['n_treated']} treated, {did['n_control']} control councils")
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
