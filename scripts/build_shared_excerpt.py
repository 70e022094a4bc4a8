#!/usr/bin/env python3
"""Cut tests/data/shared_excerpt/, the small excerpt of shared/data the tests run from when
../shared is absent (the rules: tests/data/shared_excerpt/README.md).

    python3 scripts/build_shared_excerpt.py [DATA_DIR] [--out DIR] [--check]

DATA_DIR is a folder laid out like shared/data (default: ../shared/data beside the repository).
CSV rows are copied verbatim; the RO3 workbook keeps only the columns admsim reads. --check
writes nothing and exits 1 if the excerpt differs from a fresh cut. Needs the installed
package (for outturn's names of the RO3 sheet and lines), pandas and odfpy.
"""
from __future__ import annotations

import argparse
import csv
import sys
import tempfile
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
EXCERPT = ROOT / "tests" / "data" / "shared_excerpt"

# Councils the tests use (DfE spellings); a joint row ("A / B") is kept if it names one of them.
COUNCILS = {"Worcestershire", "Birmingham", "Rutland", "Hammersmith and Fulham",
            "Bristol, City of", "Kingston upon Thames"}
# The same councils in Ofsted's spellings, plus BCP (graded only in 2022).
OFSTED_NAMES = {"Worcestershire", "Birmingham", "Rutland", "Hammersmith & Fulham", "Bristol",
                "Kingston upon Thames", "Bournemouth, Christchurch & Poole"}
# Every council's population in these years: Example County is the median council of 2021-22.
ALL_COUNCILS_YEARS = {"population_0_17_2012_2022.csv": {"2021", "2022"}}
WHOLE = ["adm_history_to_2022.csv", "england_cla_placement_mix_2021_2022.csv",
         "england_csc_national_2013_2022.csv", "england_csww_national_2017_2022.csv",
         "ofsted_national_distribution_31mar_2014_2022.csv"]
PANELS = ["children_in_need_2013_2022.csv", "cla_number_and_rate_2021_2022.csv",
          "cpp_at31march_by_duration_2013_2022.csv", "cpp_subsequent_plan_2013_2022.csv",
          "population_0_17_2012_2022.csv", "referrals_2013_2022.csv", "workforce_2017_2022.csv"]
JUDGEMENTS = "ofsted_la_judgements_2009_2022.csv"


def _filter_lines(src: Path, dst: Path, keep) -> int:
    """Copy the header and the lines whose parsed row passes ``keep``, byte for byte."""
    lines = src.read_text(encoding="utf-8").splitlines(keepends=True)
    rows = list(csv.DictReader(lines))
    assert len(rows) == len(lines) - 1, f"{src.name}: a quoted newline; cut it another way"
    kept = [line for line, row in zip(lines[1:], rows) if keep(row)]
    dst.write_text(lines[0] + "".join(kept), encoding="utf-8")
    return len(kept)


def _panel_row(name: str):
    years = ALL_COUNCILS_YEARS.get(name, set())

    def keep(row: dict) -> bool:
        level = row["geographic_level"]
        return level == "National" or (level == "Local authority" and (
            row["time_period"] in years or bool(COUNCILS & set(row["la_name"].split(" / ")))))
    return keep


def _ro3(src: Path, dst: Path, ons_codes: set[str]) -> int:
    """The RO3 sheet's title rows, header and the rows of the councils in the panels excerpt, with
    only the columns admsim reads (outturn.from_ro3)."""
    from admsim import outturn

    raw = pd.read_excel(src, engine="odf", sheet_name=outturn.RO3_SHEET, header=None)
    header = raw.index[raw.iloc[:, 0].astype(str) == "E-code"][0]
    keep = {"E-code", "ONS Code", "Local authority", *outturn.LINES.values()}
    cols = [i for i, name in enumerate(raw.iloc[header]) if name in keep]
    rows = [i for i in raw.index if i <= header or raw.iloc[i, 1] in ons_codes]
    with pd.ExcelWriter(dst, engine="odf") as writer:
        raw.iloc[rows, cols].to_excel(writer, sheet_name=outturn.RO3_SHEET, header=False,
                                      index=False)
    return len(rows) - header - 1


def build(data: Path, out: Path) -> dict[str, int]:
    """Write the excerpt into ``out``; returns rows kept per file."""
    (out / "la_panels").mkdir(parents=True, exist_ok=True)
    counts = {}
    for name in WHOLE:
        (out / name).write_bytes((data / name).read_bytes())
        counts[name] = -1  # whole file
    counts[JUDGEMENTS] = _filter_lines(data / JUDGEMENTS, out / JUDGEMENTS,
                                       lambda r: r["local_authority"] in OFSTED_NAMES)
    for name in PANELS:
        counts[name] = _filter_lines(data / "la_panels" / name, out / "la_panels" / name,
                                     _panel_row(name))
    from admsim.outturn import RO3_FILE

    pop = pd.read_csv(out / "la_panels" / "population_0_17_2012_2022.csv", dtype=str)
    counts[RO3_FILE] = _ro3(data / "la_panels" / RO3_FILE, out / "la_panels" / RO3_FILE,
                            set(pop["new_la_code"].dropna()))
    return counts


def differences(a: Path, b: Path) -> list[str]:
    """Files that differ between two excerpts (the workbook by its cells: its bytes hold a date)."""
    names = sorted({p.relative_to(a) for p in a.rglob("*.*") if p.name != "README.md"}
                   | {p.relative_to(b) for p in b.rglob("*.*") if p.name != "README.md"})
    out = []
    for name in names:
        x, y = a / name, b / name
        if not (x.is_file() and y.is_file()):
            out.append(str(name))
        elif x.suffix == ".ods":
            if not pd.read_excel(x, engine="odf", header=None).equals(
                    pd.read_excel(y, engine="odf", header=None)):
                out.append(str(name))
        elif x.read_bytes() != y.read_bytes():
            out.append(str(name))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA,
                        help=f"folder laid out like shared/data (default: {DEFAULT_DATA})")
    parser.add_argument("--out", type=Path, default=EXCERPT, help="where to write the excerpt")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if --out differs from a fresh cut")
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        parser.error(f"data folder {args.data} does not exist")
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            build(args.data, Path(tmp))
            stale = differences(Path(tmp), args.out)
        if stale:
            print("out of date: " + ", ".join(stale), file=sys.stderr)
        return 1 if stale else 0
    for name, n in build(args.data, args.out).items():
        print(f"{name}: {'whole file' if n < 0 else f'{n} rows'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
