#!/usr/bin/env python3
"""Rebuild python/admsim/data/council_outturn.csv from MHCLG's RO3 2024-25 workbook (needs the
installed package and odfpy).

    python3 scripts/build_council_outturn.py [DATA_DIR]   (default: ../shared/data)
"""
from __future__ import annotations

import sys
from pathlib import Path

import derived_csv  # scripts/derived_csv.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
HEADER = """\
# Councils' net current expenditure (GBP, 2024-25 prices) on the children's social care services
# the engine models: Children Looked After (cla) and Safeguarding children and young people's
# services (safeguarding). Derived from shared/data/la_panels/RO3_LA_Data_2024-25_data_by_LA.ods
# (MHCLG, General Fund Revenue Account Outturn 2024-25, sheet RO3_LA_Data_202425, GBP thousand x
# 1000); Open Government Licence v3.0. Suppressed returns ([x]) left out. Rebuild:
# python3 scripts/build_council_outturn.py
"""


def main(argv: list[str]) -> int:
    from admsim import outturn

    data = Path(argv[0]) if argv else ROOT.parent / "shared" / "data"
    table = outturn.from_ro3(data / "la_panels" / outturn.RO3_FILE)
    out = derived_csv.write("council_outturn.csv", HEADER, table, float_format="%.0f")
    print(f"{len(table)} councils; written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
