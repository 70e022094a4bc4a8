"""CSV files that are safe to open in a spreadsheet.

A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by
Excel and LibreOffice as a formula; such cells get a leading apostrophe (OWASP's advice for
CSV injection). Numbers are untouched, so negative values stay numbers.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(value: Any) -> Any:
    return "'" + value if isinstance(value, str) and value.startswith(_FORMULA_START) else value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with formula-leading text cells (values, index, column names) escaped."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(_safe)
    out.index = out.index.map(_safe) if out.index.dtype == object else out.index
    out.columns = [_safe(c) for c in out.columns]
    return out


def write_csv(frame: pd.DataFrame, path: str | Path, **to_csv: Any) -> Path:
    """``frame.to_csv(path, **to_csv)`` after :func:`safe_frame`."""
    path = Path(path)
    safe_frame(frame).to_csv(path, **to_csv)
    return path
