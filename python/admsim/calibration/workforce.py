"""Councils' social-work workforce by year, as inputs to the calibration of the quality module.

The engine lowers the quality target by ``quality_workforce_effect`` x *stress*, where stress is
the mean of turnover, agency share and caseload above their reference levels, computed by the
engine's own function (``_core.workforce_stress``)::

    stress = ((turnover - ref) / 0.05 + (agency_share - ref) / 0.10 + (caseload / ref - 1) / 0.2) / 3

In the engine the reference is the council's own starting level. Across councils the reference
here is England's figure for the same year, so a council's stress is its level against the
national one. The two agree for a linear effect: the council's own starting level only adds a
constant to its target, which the calibration's persistent council level absorbs.

Source: DfE "Children's social work workforce" (30 September snapshots 2017-2022), file
``la_panels/workforce_2017_2022.csv`` (columns turnover_rate_fte, agency_rate_fte, caseload_fte).
The package ships the derived ``data/council_workforce.csv`` (built by
``scripts/build_council_workforce.py``) so that it works without the shared data.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from .. import _core
from ..council_names import council_key

PANEL_FILE = "workforce_2017_2022.csv"
SNAPSHOT_MONTH = 9      # 30 September
PUBLICATION_LAG = 5     # the September snapshot is published the following February


def shipped_path() -> Path:
    return Path(str(resources.files("admsim") / "data" / "council_workforce.csv"))


def from_panel(path: str | Path) -> pd.DataFrame:
    """Council-year workforce and stress from DfE's workforce panel CSV.

    Rows for two councils reported together ("A / B") are given to each of them. Returns
    local_authority (DfE spelling), year (snapshot at 30 September), turnover and agency_share
    (fractions), caseload (cases per case-holding FTE) and stress against England that year.
    """
    raw = pd.read_csv(path, dtype=str)
    cols = {"turnover_rate_fte": "turnover", "agency_rate_fte": "agency_share",
            "caseload_fte": "caseload"}
    df = raw[["geographic_level", "la_name", "time_period", *cols]].rename(columns=cols)
    df["year"] = pd.to_numeric(df.pop("time_period"), errors="raise").astype(int)
    for c in cols.values():
        df[c] = pd.to_numeric(df[c], errors="coerce")  # suppressed cells ("x", "c") -> NaN
    df["turnover"] /= 100.0
    df["agency_share"] /= 100.0
    nat = df[df["geographic_level"] == "National"].set_index("year")
    la = df[df["geographic_level"] == "Local authority"].dropna(
        subset=["turnover", "agency_share", "caseload"])
    la = la[la["caseload"] > 0]
    ref = nat.loc[la["year"]]
    la = la.assign(stress=_core.workforce_stress(
        la["turnover"].to_numpy(), la["agency_share"].to_numpy(), la["caseload"].to_numpy(),
        ref["turnover"].to_numpy(), ref["agency_share"].to_numpy(), ref["caseload"].to_numpy()))
    la = la.assign(local_authority=la.pop("la_name").str.split(" / ")).explode("local_authority")
    out = la[["local_authority", "year", "turnover", "agency_share", "caseload", "stress"]]
    return out.sort_values(["local_authority", "year"]).reset_index(drop=True)


@lru_cache(maxsize=8)
def _table(path: str, mtime: float, derived: bool) -> pd.DataFrame:  # mtime: a changed file is re-read
    return pd.read_csv(path, comment="#") if derived else from_panel(path)


def load(panels: str | Path | None = None) -> pd.DataFrame:
    """The workforce table: from ``panels`` (a DfE panels folder or the workforce CSV itself) or,
    by default, the shipped derived file. Read once per file (forecasts ask for it often)."""
    path = shipped_path() if panels is None else Path(panels)
    if path.is_dir():
        path = path / PANEL_FILE
    if not path.exists():
        raise FileNotFoundError(f"--panels: {path} not found (expected DfE's {PANEL_FILE})")
    return _table(str(path), path.stat().st_mtime, panels is None).copy()


def stress_matrix(names: list[str], first_month: int, months: int, *, as_of=None,
                  panels=None) -> np.ndarray:
    """Stress of each council in each month (rows follow ``names``, Ofsted spellings).

    Month t (absolute index year * 12 + month - 1) takes the latest snapshot taken by t; with
    ``as_of`` only snapshots published by then are used (the September snapshot appears the next
    February), so a forecast never sees later data. Months before a council's first usable
    snapshot, and councils not in the panel, get 0: the national level.
    """
    table = load(panels)
    if as_of is not None:
        a = pd.Timestamp(as_of)
        published = (table["year"] + 1) * 12 + PUBLICATION_LAG - 1
        table = table[published <= a.year * 12 + a.month - 1]
    by_key = {k: g for k, g in table.groupby(table["local_authority"].map(council_key))}
    out = np.zeros((len(names), months))
    for i, name in enumerate(names):
        g = by_key.get(council_key(name))
        if g is None:
            continue
        for year, value in zip(g["year"], g["stress"]):
            start = year * 12 + SNAPSHOT_MONTH - 1 - first_month  # applies from the snapshot on
            out[i, max(start, 0):] = value
    return out
