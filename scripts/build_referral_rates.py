#!/usr/bin/env python3
"""Rebuild python/admsim/data/referral_rates_2013_2022.csv from DfE's panels (needs the
installed package).

    python3 scripts/build_referral_rates.py [DATA_DIR]   (default: ../shared/data)
"""
from __future__ import annotations

import sys
from pathlib import Path

import derived_csv  # scripts/derived_csv.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
HEADER = """\
# Referrals per 10,000 children aged 0-17 (previous mid-year population, DfE's convention) by
# council (ONS code) and England, 2013-2022. Derived from shared/data/la_panels/
# referrals_2013_2022.csv (referral_count) and population_0_17_2012_2022.csv (ONS mid-year
# estimates); Open Government Licence v3.0. Rebuild: python3 scripts/build_referral_rates.py
"""


def main(argv: list[str]) -> int:
    from admsim import trends

    data = Path(argv[0]) if argv else ROOT.parent / "shared" / "data"
    table = trends.from_panels(data / "la_panels")
    out = derived_csv.write("referral_rates_2013_2022.csv", HEADER, table, float_format="%.3f")
    print(f"{table['area'].nunique()} areas; written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
