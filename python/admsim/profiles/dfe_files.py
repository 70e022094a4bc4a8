"""Reading DfE's LA-level panel CSVs (the format of ``shared/data/la_panels``) and Ofsted's
judgements CSV: values by council and year, suppression codes as None, council names matched
loosely."""
from __future__ import annotations

import datetime as _dt
import difflib
import math
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from ..council_names import council_key

PANEL_FILES = {
    "population": "population_0_17_*.csv",
    "referrals": "referrals_*.csv",
    "cin": "children_in_need_*.csv",
    "cpp_at31": "cpp_at31march*.csv",
    "cpp_subsequent": "cpp_subsequent_plan*.csv",
    "cla": "cla_number_and_rate*.csv",
    "workforce": "workforce_*.csv",
}


@lru_cache(maxsize=32)
def read_csv(path: str, mtime: float):  # mtime in the key: a changed file is read again
    import pandas as pd

    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.columns = [c.strip() for c in frame.columns]
    return frame


class Panel:
    """One DfE LA-level CSV: values by (level, la_name, year), suppressed values as None."""

    def __init__(self, panels_dir: Path, key: str):
        matches = sorted(panels_dir.glob(PANEL_FILES[key]))
        if not matches:
            raise FileNotFoundError(f"no file matching {PANEL_FILES[key]!r} in {str(panels_dir)!r}")
        self.path = matches[-1]
        self.name = self.path.name
        frame = read_csv(str(self.path), self.path.stat().st_mtime)
        for col in ("time_period", "geographic_level", "la_name"):
            if col not in frame.columns:
                raise ValueError(f"{self.name}: column {col!r} is missing")
        self.frame = frame

    def rows(self, la: str | None, extra: Mapping[str, str] | None = None):
        f = self.frame
        if la is None:
            f = f[f["geographic_level"] == "National"]
        else:
            f = f[(f["geographic_level"] == "Local authority") & (f["la_name"] == la)]
        for col, value in (extra or {}).items():
            f = f[f[col] == value]
        return f

    def raw(self, la: str, columns: list[str], year: int, extra=None) -> dict[str, str]:
        f = self.rows(la, extra)
        f = f[f["time_period"].str.strip() == str(year)]
        return {c: str(f[c].iloc[0]) for c in columns} if len(f) else {}

    def years(self) -> list[int]:
        return sorted({int(y) for y in self.frame["time_period"] if str(y).strip().isdigit()})

    def values(self, la: str | None, columns: list[str], extra=None) -> dict[int, dict[str, float | None]]:
        """year -> {column: float or None (suppressed/missing)} for one LA (None = national)."""
        out: dict[int, dict[str, float | None]] = {}
        for _, row in self.rows(la, extra).iterrows():
            out[int(row["time_period"])] = {c: cell_number(row.get(c)) for c in columns}
        return out


def cell_number(value: Any) -> float | None:
    """A panel cell as a float; DfE's suppression codes (x, c, z, k, u, :, low, ...) -> None."""
    if value is None:
        return None
    text = str(value).strip().replace(",", "")
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def match_council(name: str, names: list[str], what: str) -> str:
    if name in names:
        return name
    folded = {n.casefold().strip(): n for n in names}
    key = " ".join(name.casefold().split())
    if key in folded:
        return folded[key]
    close = difflib.get_close_matches(name, names, n=5, cutoff=0.6)
    if not close:
        close = [folded[k] for k in difflib.get_close_matches(key, list(folded), n=5, cutoff=0.6)]
    hint = f"; close matches: {', '.join(map(repr, close))}" if close else ""
    raise ValueError(f"council {name!r} not found in {what}{hint}")



_GRADE_MAP = {
    "outstanding": "outstanding",
    "good": "good",
    "requires improvement to be good": "requires_improvement",
    "requires improvement": "requires_improvement",
    "adequate": "requires_improvement",  # SLAC (2009-12) "adequate" is roughly RI
    "inadequate": "inadequate",
}


def ofsted_from_file(path: str | Path, la_name: str, as_of: _dt.date) -> tuple[str, str, str] | None:
    """(grade, last_inspection ISO, source text) of the last graded judgement published on or
    before ``as_of`` for ``la_name``, or None if the file has none."""
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"Ofsted judgements file {str(path)!r} does not exist")
    frame = read_csv(str(path), path.stat().st_mtime)
    needed = {"local_authority", "overall_effectiveness", "publication_date"}
    missing = needed - set(frame.columns)
    if missing:
        raise ValueError(f"{path.name}: columns {sorted(missing)} are missing")
    key = council_key(la_name)
    rows = frame[frame["local_authority"].map(council_key) == key]
    best = None
    for i, row in rows.iterrows():
        raw = str(row["overall_effectiveness"]).strip()
        if not raw:
            continue  # ungraded
        grade = _GRADE_MAP.get(raw.casefold())
        if grade is None:
            raise ValueError(f"{path.name}: unrecognised grade {raw!r} for {row['local_authority']!r} "
                             f"(expected one of {sorted(set(_GRADE_MAP))})")
        inspected = str(row.get("inspection_date", "") or "").strip()
        published = str(row.get("publication_date", "") or "").strip()
        # A judgement counts from its publication (the grade is known then); fall back to the
        # inspection date where a row has no publication date.
        effective = published or inspected
        if not effective:
            continue
        eff = pd.Timestamp(effective).date()
        if eff > as_of:
            continue
        cand = (eff, i, grade, inspected or published, row)
        if best is None or cand[:2] > best[:2]:
            best = cand
    if best is None:
        return None
    eff, _, grade, last, row = best
    date_kind = "inspection_date" if str(row.get("inspection_date", "") or "").strip() else \
        "publication_date (no inspection date in the file)"
    text = (f"{path.name}: {row['local_authority']}, {row['framework']} judgement "
            f"{row['overall_effectiveness']!r} published {row['publication_date']}, the last graded "
            f"judgement published on or before {as_of.isoformat()}; last_inspection = {date_kind}")
    return grade, _dt.date.fromisoformat(str(pd.Timestamp(last).date())).isoformat(), text
