"""Councils' actual children's social care spend, from MHCLG's revenue outturn (RO3), as budgets.

The budget a delivery model is judged against is what the council actually spends on the
services the engine models: the RO3 lines "Children Looked After" (placements and the teams
around them) and "Safeguarding children and young people's services" (social work:
assessment, children in need, child protection), net current expenditure. Early help, family
support, youth justice, Sure Start and services for young people are outside the model and left
out. The lines are moved from 2024-25 prices to the engine's 2022 prices with CPI.

The shipped ``data/council_outturn.csv`` is derived from
``la_panels/RO3_LA_Data_2024-25_data_by_LA.ods`` (sheet ``RO3_LA_Data_202425``; rebuilt by
``scripts/build_council_outturn.py``), so profiles can be built without the shared data.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd

from .council_names import council_key

RO3_FILE = "RO3_LA_Data_2024-25_data_by_LA.ods"
RO3_SHEET = "RO3_LA_Data_202425"
OUTTURN_YEAR = "2024-25"
LINES = {
    "cla": "Children's social care - Children Looked After - Net Current Expenditure (C7 = C3 - C6)",
    "safeguarding": ("Children's social care: Safeguarding children and young people’s services - "
                     "Net Current Expenditure (C7 = C3 - C6)"),
}
# 2024-25 prices to the engine's 2022 prices: ONS CPI (D7BT, 2015 = 100), calendar 2022 average
# 121.7 over the April 2024 to March 2025 average of about 134.5.
DEFLATOR = 121.7 / 134.5
DEFLATOR_SOURCE = ("CPI (ONS series D7BT, 2015 = 100): 2022 average 121.7 over the April 2024-"
                   "March 2025 average of about 134.5, a factor of 0.905 (figures typed from ONS's "
                   "release, not shipped data; the GDP deflator gives about 0.93)")


def shipped_path() -> Path:
    return Path(str(resources.files("admsim") / "data" / "council_outturn.csv"))


def from_ro3(path: str | Path) -> pd.DataFrame:
    """The modelled lines (GBP, 2024-25 prices) of every children's services authority in an RO3
    workbook: columns local_authority, ons_code, cla, safeguarding. Suppressed or missing
    returns ('[x]') are left out."""
    raw = pd.read_excel(path, engine="odf", sheet_name=RO3_SHEET, header=None)
    header_row = raw.index[raw.iloc[:, 0].astype(str) == "E-code"][0]
    frame = raw.iloc[header_row + 1:].copy()
    frame.columns = list(raw.iloc[header_row])
    out = pd.DataFrame({"local_authority": frame["Local authority"].astype(str).str.strip(),
                        "ons_code": frame["ONS Code"].astype(str)})
    for key, column in LINES.items():
        out[key] = pd.to_numeric(frame[column], errors="coerce") * 1000.0  # the file is in GBP '000
    out = out.dropna(subset=list(LINES))
    # Children's services authorities only (districts, police, fire and so on report nothing here).
    out = out[out["ons_code"].str.match(r"^E\d{8}$") & ((out["cla"] + out["safeguarding"]) > 0)]
    return out.reset_index(drop=True)


@lru_cache(maxsize=4)
def _table(path: str) -> pd.DataFrame:
    p = Path(path)
    return pd.read_csv(p, comment="#") if p.suffix == ".csv" else from_ro3(p)


def load(panels: str | Path | None = None) -> pd.DataFrame:
    """The outturn table: from a panels folder holding the RO3 workbook, the workbook itself, or
    by default the shipped derived CSV."""
    path = shipped_path() if panels is None else Path(panels)
    if path.is_dir():
        path = path / RO3_FILE
    if not path.exists():
        raise FileNotFoundError(f"{path}: not found (expected MHCLG's {RO3_FILE})")
    return _table(str(path)).copy()


def council_budget(la_name: str, panels: str | Path | None = None, *,
                   ons_code: str | None = None) -> tuple[float, str] | None:
    """The council's modelled-scope net spend in 2022 prices, and its source; None if the
    council is not in the outturn (or its return is suppressed).

    ``ons_code`` (e.g. DfE's ``new_la_code``), when given and in the outturn, picks the row: MHCLG
    names many councils differently from DfE ("Herefordshire UA", "Telford & the Wrekin UA"), so
    names alone miss a third of councils. Otherwise the row is matched by name."""
    table = load(panels)
    rows = table[table["ons_code"] == ons_code] if ons_code else table.iloc[:0]
    if rows.empty:
        rows = table[table["local_authority"].map(council_key) == council_key(la_name)]
    if rows.empty:
        return None
    r = rows.iloc[0]
    nominal = float(r["cla"] + r["safeguarding"])
    budget = int(round(nominal * DEFLATOR, -3))
    text = (f"{RO3_FILE} ({OUTTURN_YEAR} outturn, MHCLG): {r['local_authority']}'s net current "
            f"expenditure on Children Looked After (£{r['cla']:,.0f}) and Safeguarding children and "
            f"young people's services (£{r['safeguarding']:,.0f}), the services the engine models, "
            f"= £{nominal:,.0f} in {OUTTURN_YEAR} prices, × {DEFLATOR:.3f} to 2022 prices "
            f"({DEFLATOR_SOURCE}) = £{budget:,.0f}. The council's spend in {OUTTURN_YEAR}, not in "
            "the profile's year: demand and prices then differ from the profile's")
    return budget, text


def median_per_child(populations: pd.Series, panels: str | Path | None = None) -> tuple[float, str]:
    """The median council's modelled-scope net spend per child aged 0-17, 2022 prices, over the
    councils in ``populations`` (ONS code -> children) that have an outturn row."""
    table = load(panels).set_index("ons_code")
    common = table.index.intersection(populations.index)
    per_child = (table.loc[common, "cla"] + table.loc[common, "safeguarding"]) / populations.loc[common]
    value = float(per_child.median()) * DEFLATOR
    text = (f"{RO3_FILE} ({OUTTURN_YEAR} outturn): the median over {len(common)} councils of net "
            f"spend on Children Looked After and Safeguarding children and young people's services "
            f"per child aged 0-17 (mid-2021 population), £{per_child.median():,.0f} in {OUTTURN_YEAR} "
            f"prices, × {DEFLATOR:.3f} to 2022 prices ({DEFLATOR_SOURCE})")
    return value, text
