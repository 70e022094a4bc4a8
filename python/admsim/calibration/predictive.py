"""Summaries of graded histories, observed or simulated, for posterior predictive checks and
back-tests: grade shares at dates, transition matrices, time to leave Inadequate, scores; and
posterior predictive histories simulated by the engine's own quality model in C++.

Every function takes long rows with local_authority, grade (0 Outstanding .. 3 Inadequate),
publication_date and month, plus ``replicate`` for simulated histories.
"""
from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

from .. import _core
from .data import GRADES, histories, load_judgements, month_of, pause_months
from .forecast import param_sets
from .parameters import core_rows
from .schedule import fit_schedule


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


def simulate_histories(calibration, judgements=None, *, adm_history=None, panels=None,
                       replicates: int = 200, start="2013-01-01", end="2022-12-31",
                       seed: int = 1, schedule=None, threads: int | None = None) -> pd.DataFrame:
    """Simulated graded histories of every council in ``judgements``, one posterior draw per
    replicate (``_core.simulate_quality_histories``): latent quality from its stationary law at
    ``start``; first graded inspection in the month of the council's observed first one, then the
    inspection schedule (``schedule``, default: fitted to the same rows), its clock stopped in the
    COVID pause; SIF before 2018, then ILACS standard or short by the latest grade, at the drifted
    grading level; the council's delivery-model spells and workforce inputs as observed. Returns
    long rows: replicate, local_authority, month, publication_date, grade, framework.
    """
    df = load_judgements(judgements)
    sets = param_sets(calibration, replicates)
    m0, m1 = month_of(start), month_of(end)
    if len(df) and df["month"].min() < m0:
        raise ValueError(f"start = {start}: must be on or before the first judgement "
                         f"({df['publication_date'].min().date()})")
    h = histories(df, start_month=m0, end_month=m1, adm_history=adm_history, panels=panels)
    schedule = schedule or fit_schedule(df)
    p0, p1 = pause_months()
    sim = _core.simulate_quality_histories(
        core_rows(sets), h.arrays, start_month=m0, end_month=m1, replicates=replicates,
        seed=seed, schedule=schedule.array(), pause_start_month=p0, pause_end_month=p1,
        threads=threads)
    res = pd.DataFrame({"replicate": sim["replicate"],
                        "local_authority": np.array(h.names, dtype=object)[sim["council"]],
                        "month": sim["month"], "grade": sim["grade"]})
    res["publication_date"] = pd.to_datetime(
        {"year": res["month"] // 12, "month": res["month"] % 12 + 1, "day": 1})
    res["framework"] = np.array(["SIF", "ILACS-Standard", "ILACS-Short"])[sim["framework"]]
    return res


def national_shares_check(calibrations, judgements=None, *, replicates: int = 200,
                          seed: int = 1) -> pd.DataFrame:
    """For each calibration trained to an origin (``{origin: Calibration}``), the national share of
    each latest grade at the next 31 March in histories simulated with its posterior, against the
    observed share: 5%, 50% and 95% of the simulated shares and whether the observed lies inside
    the 90% band."""
    df = load_judgements(judgements)
    rows = []
    for origin, calibration in calibrations.items():
        date = pd.Timestamp(f"{pd.Timestamp(origin).year + 1}-03-31")
        known = df[df["publication_date"] <= date]  # later rows lie outside the simulation
        sim = simulate_histories(calibration, known, replicates=replicates, seed=seed,
                                 end=str(date.date()))
        shares = grade_shares_at(sim, [date], by="replicate")
        observed = grade_shares_at(known, [date]).iloc[0]
        for g in GRADES:
            q = shares[g].quantile([0.05, 0.5, 0.95]).to_numpy()
            rows.append({"origin": str(pd.Timestamp(origin).date()), "date": str(date.date()),
                         "grade": g, "observed": float(observed[g]), "sim_5%": q[0],
                         "sim_50%": q[1], "sim_95%": q[2],
                         "inside_90%": bool(q[0] <= observed[g] <= q[2])})
    return pd.DataFrame(rows)
