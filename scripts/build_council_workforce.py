#!/usr/bin/env python3
"""Rebuild python/admsim/data/council_workforce.csv from DfE's workforce panel (needs the
installed package, `make install`).

    python3 scripts/build_council_workforce.py [DATA_DIR]   (default: ../shared/data)
"""
from __future__ import annotations

import sys
from pathlib import Path

import derived_csv  # scripts/derived_csv.py, beside this script

ROOT = Path(__file__).resolve().parents[1]

HEADER = """\
# Social-work workforce of English local authorities at 30 September 2017-2022, with workforce
# stress against England's figure for the same year (admsim._core.workforce_stress).
# Derived from shared/data/la_panels/workforce_2017_2022.csv: DfE "Children's social work
# workforce" (explore-education-statistics.service.gov.uk), columns turnover_rate_fte,
# agency_rate_fte, caseload_fte; Open Government Licence v3.0. Councils reported together
# ("A / B") appear under each name. Rebuild: python3 scripts/build_council_workforce.py
"""


def main(argv: list[str]) -> int:
    from admsim.calibration import workforce as workforce_panel

    data = Path(argv[0]) if argv else ROOT.parent / "shared" / "data"
    table = workforce_panel.from_panel(data / "la_panels" / workforce_panel.PANEL_FILE)
    out = derived_csv.write("council_workforce.csv", HEADER, table, float_format="%.6g")
    print(f"{len(table)} council-years written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
