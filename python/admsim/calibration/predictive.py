"""Summaries of graded histories, observed or simulated, for posterior predictive checks and
back-tests: grade shares at dates, transition matrices, time to leave Inadequate, scores.

Every function takes long rows with local_authority, grade (0 Outstanding .. 3 Inadequate),
publication_date and month, plus ``replicate`` for simulated histories.
"""
from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

from .calibration_data import GRADES


def _histories(df: pd.DataFrame):
    keys = [c for c in ("replicate", "local_authority") if c in df.columns]
    return df.sort_values([*keys, "month"], kind="stable").groupby(keys, sort=False)


def transition_counts(df: pd.DataFrame) -> np.ndarray:
    """Counts of grade-to-grade moves between consecutive graded judgements (rows: from)."""
    T = np.zeros((4, 4))
    for _, g in _histories(df):
        gr = g["grade"].to_numpy()
        np.add.at(T, (gr[:-1], gr[1:]), 1)
    return T


def transition_matrix(df: pd.DataFrame, smoothing: float = 1.0) -> np.ndarray:
    """Empirical grade-to-grade transition probabilities with add-``smoothing`` counts; a row with
    no moves and no smoothing is NaN."""
    T = transition_counts(df) + smoothing
    with np.errstate(invalid="ignore", divide="ignore"):
        return T / T.sum(axis=1, keepdims=True)


def grade_shares_at(df: pd.DataFrame, dates: Iterable, by: str | None = None) -> pd.DataFrame:
    """Share of councils holding each latest grade at each date (among those graded by then)."""
    rows = []
    groups = df.groupby(by) if by else [(None, df)]
    for key, g in groups:
        for d in dates:
            d = pd.Timestamp(d)
            latest = g[g["publication_date"] <= d].groupby("local_authority")["grade"].last()
            counts = np.bincount(latest.to_numpy(), minlength=4)
            row = {"date": d, **{GRADES[k]: counts[k] / max(counts.sum(), 1) for k in range(4)}}
            if by:
                row[by] = key
            rows.append(row)
    return pd.DataFrame(rows)


def months_to_leave_inadequate(df: pd.DataFrame) -> pd.Series:
    """Months from each council's first Inadequate grade to its next better graded judgement
    (councils that never left are left out: censored)."""
    out = []
    for _, g in _histories(df):
        gr, m = g["grade"].to_numpy(), g["month"].to_numpy()
        bad = np.nonzero(gr == 3)[0]
        if len(bad):
            later = np.nonzero((gr != 3) & (np.arange(len(gr)) > bad[0]))[0]
            if len(later):
                out.append(m[later[0]] - m[bad[0]])
    return pd.Series(out, dtype=float)


def scores(p: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Brier score (summed over the four grades, mean over forecasts) and mean log loss."""
    onehot = np.eye(4)[y]
    brier = float(np.mean(np.sum((p - onehot) ** 2, axis=1)))
    logloss = float(np.mean(-np.log(np.clip(p[np.arange(len(y)), y], 1e-12, None))))
    return brier, logloss
