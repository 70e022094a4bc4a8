"""What compare, run and appraise print, and the report they write with --out."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..results import Results, table_from_summary


def format_table(summary: pd.DataFrame) -> str:
    """The comparison as text (see :meth:`Results.table`)."""
    return table_from_summary(summary).to_string()


def print_results(results: Results, out: Path | None, appraisal=None) -> None:
    """Print the comparison table; with ``out``, also write the report there and list its files."""
    summary = results.summary()
    print(f"\n{results!r}\n")
    print(format_table(summary))
    print(f"\nIntervals and differences are over replicates; differences are paired against "
          f"'{results.baseline}' (common random numbers).")
    if out is not None:
        import matplotlib

        matplotlib.use("Agg")  # files only, no display
        from ..report import output_files, write_report

        write_report(results, out, appraisal=appraisal)
        print(f"\nWritten to {out}:")
        for path in output_files(out, appraisal=appraisal is not None):
            print(f"  {path}")
