"""Strong baselines for next-grade forecasts, each fitted on the same training rows as the model.

* ``national``: the national distribution of latest grades at the origin.
* ``transition``: the grade-to-grade transition matrix (add-one smoothing).
* ``last_two``: the next grade given the last two grades (the previous one "none" for a
  council with a single grade), shrunk toward the transition matrix's row by a pseudo-count
  chosen by leave-one-council-out cross-validation on the training rows.
* ``ordinal``: an ordinal logistic regression (statsmodels ``OrderedModel``) on the last grade,
  the previous grade, the inspection's regime (ILACS at all, ILACS short), years since the last
  inspection and workforce stress.

Forecast rows integrate over the same next-inspection horizons the model uses (the schedule
fitted to the training rows), so the ordinal model's "years since" and regime are as uncertain
as the model's.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .. import _core
from .data import ILACS_START, month_of, regimes
from .predictive import transition_matrix
from .workforce import stress_matrix

METHODS = ["national", "transition", "last_two", "ordinal"]
ALPHAS = (0.5, 1, 2, 4, 8, 16, 32, 64)  # pseudo-counts tried for last_two
_NONE = 4  # "no previous grade" in last_two's table


def training_rows(train: pd.DataFrame, as_of, panels=None) -> pd.DataFrame:
    """One row per judgement with a predecessor: the grade and what a forecaster knew before it
    (last and previous grade, the regime it was graded in, years since the last, workforce
    stress that month from snapshots published by ``as_of``)."""
    train = train.sort_values(["local_authority", "publication_date"], kind="stable")
    names = sorted(train["local_authority"].unique())
    first = int(train["month"].min())
    stress = stress_matrix(names, first, int(train["month"].max()) - first + 1, as_of=as_of,
                           panels=panels)
    index = {n: i for i, n in enumerate(names)}
    reg = regimes(train)
    g = train.assign(regime=reg)
    by = g.groupby("local_authority", sort=False)
    g = g.assign(last=by["grade"].shift(1), prev=by["grade"].shift(2),
                 last_month=by["month"].shift(1))
    g = g.dropna(subset=["last"])
    return pd.DataFrame({
        "local_authority": g["local_authority"].to_numpy(),
        "grade": g["grade"].astype(int).to_numpy(),
        "last": g["last"].astype(int).to_numpy(),
        "prev": g["prev"].fillna(-1).astype(int).to_numpy(),
        "regime": g["regime"].to_numpy(),
        "years_since": ((g["month"] - g["last_month"]) / 12.0).to_numpy(),
        "stress": [stress[index[n], m - first] for n, m in zip(g["local_authority"], g["month"])],
    })


def forecast_rows(train: pd.DataFrame, as_of, z, names: list[str], panels=None) -> pd.DataFrame:
    """One row per (council, horizon month) with its weight: what a forecaster knows at ``as_of``
    about each possible next inspection (``z``: offsets, months ahead, weights by council)."""
    a = month_of(as_of)
    last = train.groupby("local_authority").tail(1).set_index("local_authority")
    prev = train.groupby("local_authority")["grade"].apply(
        lambda s: int(s.iloc[-2]) if len(s) > 1 else -1)
    stress = stress_matrix(names, a, 1, as_of=as_of, panels=panels)[:, 0]
    offsets, months, weights = (np.asarray(v) for v in z)
    counts = np.diff(offsets)
    rep = np.repeat(np.arange(len(names)), counts)
    lg = last.loc[names, "grade"].to_numpy()[rep]
    target = a + months
    return pd.DataFrame({
        "council": rep, "weight": weights,
        "last": lg, "prev": prev.loc[names].to_numpy()[rep],
        "regime": _core.grading_regime(target, lg, month_of(ILACS_START)),
        "years_since": (target - last.loc[names, "month"].to_numpy()[rep]) / 12.0,
        "stress": stress[rep],
    })


def _collapse(p: np.ndarray, rows: pd.DataFrame, n: int) -> np.ndarray:
    """Weighted sum of per-horizon probabilities into one row per council."""
    out = np.zeros((n, 4))
    np.add.at(out, rows["council"].to_numpy(), p * rows["weight"].to_numpy()[:, None])
    return out / out.sum(axis=1, keepdims=True)


def national(train: pd.DataFrame, n: int) -> np.ndarray:
    latest = train.groupby("local_authority")["grade"].last().to_numpy()
    shares = np.bincount(latest, minlength=4).astype(float)
    return np.tile(shares / shares.sum(), (n, 1))


def transition(train: pd.DataFrame, last: np.ndarray) -> np.ndarray:
    return transition_matrix(train)[last]


def _triples(rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    prev = np.where(rows["prev"] < 0, _NONE, rows["prev"]).astype(int)
    return prev, rows["last"].to_numpy(int), rows["grade"].to_numpy(int)


def _last_two_table(counts: np.ndarray, T: np.ndarray, alpha: float) -> np.ndarray:
    """P(next | previous, last) from counts (5 x 4 x 4) shrunk toward T's rows by alpha."""
    return (counts + alpha * T[None]) / (counts.sum(axis=2, keepdims=True) + alpha)


def last_two_alpha(rows: pd.DataFrame) -> float:
    """The pseudo-count with the best leave-one-council-out log loss on the training rows (the
    held-out council's moves left out of the counts and of the transition matrix)."""
    prev, last, grade = _triples(rows)
    councils = pd.factorize(rows["local_authority"])[0]
    per = np.zeros((councils.max() + 1, 5, 4, 4))
    np.add.at(per, (councils, prev, last, grade), 1)
    total = per.sum(axis=0)
    losses = []
    for alpha in ALPHAS:
        loss = 0.0
        for c in range(len(per)):
            counts = total - per[c]
            T = counts.sum(axis=0) + 1.0  # add-one transition matrix without council c
            P = _last_two_table(counts, T / T.sum(axis=1, keepdims=True), alpha)
            mine = councils == c
            loss -= np.log(P[prev[mine], last[mine], grade[mine]]).sum()
        losses.append(loss)
    return float(ALPHAS[int(np.argmin(losses))])


def last_two(rows: pd.DataFrame, train: pd.DataFrame, fc: pd.DataFrame, n: int) -> tuple:
    alpha = last_two_alpha(rows)
    counts = np.zeros((5, 4, 4))
    np.add.at(counts, _triples(rows), 1)
    P = _last_two_table(counts, transition_matrix(train), alpha)
    prev = np.where(fc["prev"] < 0, _NONE, fc["prev"])
    return _collapse(P[prev, fc["last"]], fc, n), alpha


def _design(rows: pd.DataFrame) -> pd.DataFrame:
    X = pd.DataFrame(index=rows.index)
    for g, name in ((0, "outstanding"), (2, "ri"), (3, "inadequate")):  # Good is the reference
        X[f"last_{name}"] = (rows["last"] == g).astype(float)
        X[f"prev_{name}"] = (rows["prev"] == g).astype(float)
    X["prev_none"] = (rows["prev"] < 0).astype(float)
    X["ilacs"] = (rows["regime"] > 0).astype(float)
    X["short"] = (rows["regime"] == 2).astype(float)
    X["years_since"] = rows["years_since"].astype(float)
    X["stress"] = rows["stress"].astype(float)
    return X


def _usable_columns(X: pd.DataFrame) -> list[str]:
    """Columns that vary and add rank (a dummy seen fewer than 3 times is dropped too)."""
    keep: list[str] = []
    for c in X.columns:
        col = X[c]
        if col.nunique() < 2 or (set(col.unique()) <= {0.0, 1.0} and min(col.sum(), len(col) - col.sum()) < 3):
            continue
        trial = X[keep + [c]].to_numpy()
        if np.linalg.matrix_rank(np.column_stack([np.ones(len(X)), trial])) == len(keep) + 2:
            keep.append(c)
    return keep


MIN_ORDINAL_ROWS = 20


def ordinal(rows: pd.DataFrame, fc: pd.DataFrame, n: int) -> tuple:
    """statsmodels OrderedModel (logit) fitted on the training rows; grade 0 Outstanding ..
    3 Inadequate is the ordered outcome. Returns None for the probabilities when it cannot be
    estimated (fewer than 20 rows, or a grade never seen as an outcome)."""
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    if len(rows) < MIN_ORDINAL_ROWS or rows["grade"].nunique() < 4:
        return None, (f"not estimable from {len(rows)} training rows with next grades "
                      f"{sorted(rows['grade'].unique().tolist())}: the transition matrix stands in")
    X = _design(rows)
    cols = _usable_columns(X)
    y = pd.Categorical(rows["grade"], categories=[0, 1, 2, 3], ordered=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = OrderedModel(y, X[cols], distr="logit").fit(method="bfgs", disp=False, maxiter=2000)
        P = np.asarray(fit.model.predict(fit.params, exog=_design(fc)[cols]))
    return _collapse(P, fc, n), cols


def predict_all(train: pd.DataFrame, as_of, z, names: list[str], panels=None) -> dict:
    """Every baseline's probabilities (councils ``names``, in order) and what was chosen."""
    rows = training_rows(train, as_of, panels)
    fc = forecast_rows(train, as_of, z, names, panels)
    last = train.groupby("local_authority")["grade"].last().loc[names].to_numpy()
    p_two, alpha = last_two(rows, train, fc, len(names))
    p_ord, cols = ordinal(rows, fc, len(names))
    p_trans = transition(train, last)
    return {"national": national(train, len(names)), "transition": p_trans,
            "last_two": p_two, "ordinal": p_trans if p_ord is None else p_ord,
            "_chosen": {"last_two_alpha": alpha, "ordinal_columns": cols,
                        "training_rows": int(len(rows))}}
