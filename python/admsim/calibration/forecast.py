"""Next-grade forecasts: each council's history filtered up to the as-of date, carried to its next
graded inspection on the schedule fitted to the rows known then, graded in the regime that
inspection will be (short after Good or Outstanding, standard otherwise) at the drifted grading
level of its month, and averaged over posterior draws (``_core.quality_forecast``)."""
from __future__ import annotations

from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

from .. import _core
from .data import GRADES, PROB_COLUMNS, Histories, histories, load_judgements, month_of
from .fit import Calibration, calibrate
from .parameters import core_rows, from_engine
from .schedule import InspectionSchedule, fit_schedule, horizons

HORIZON_MONTHS = 120  # forecasts look at most this far past as_of (the tail's mass goes there)


def param_sets(params, max_sets: int) -> list[dict]:
    """Named parameter sets from a Calibration, a saved file, draws or one set of values."""
    if params is None:
        raise ValueError("params is required here")
    if isinstance(params, (str, Path)):
        params = Calibration.load(params)
    if isinstance(params, Calibration):
        rows = params.draws.to_dict("records")
        if len(rows) > max_sets:
            step = len(rows) / max_sets
            rows = [rows[int(i * step)] for i in range(max_sets)]
        return [from_engine(r) for r in rows]
    if isinstance(params, pd.DataFrame):
        return [from_engine(r) for r in params.to_dict("records")][:max_sets]
    if isinstance(params, Mapping) and "posterior_draws" in params:
        return param_sets(Calibration(pd.DataFrame(params["posterior_draws"]), params["mode"],
                                      {}, params.get("data", {}), params.get("seed", 0)),
                          max_sets)
    return [from_engine(params)]


def predict(sets, h: Histories, as_of_month: int, z, threads=None) -> np.ndarray:
    """Mean over parameter sets of each council's grade probabilities over horizons ``z``
    (offsets, months, weights), normalised so each row sums to 1 exactly."""
    offsets, months, weights = (np.asarray(a) for a in z)
    P = _core.quality_forecast(core_rows(sets), h.arrays, as_of_month=as_of_month,
                               horizon_offsets=offsets.astype(np.int32),
                               horizon_months=months.astype(np.int32),
                               horizon_weights=weights.astype(float), threads=threads).mean(axis=0)
    return P / P.sum(axis=1, keepdims=True)


def forecast(judgements=None, as_of=None, params=None, adm_history=None, *, panels=None,
             schedule: InspectionSchedule | None = None, max_sets: int = 200, seed: int = 1,
             threads: int | None = None, **calibrate_options) -> pd.DataFrame:
    """Probability of each grade at every council's next graded inspection after ``as_of``.

    Uses only rows published on or before ``as_of`` (and only delivery-model spells and workforce
    snapshots known by then). ``params``: a :class:`Calibration`, a path to a saved calibration
    JSON, a dict of parameters (engine or named), or None to calibrate on those rows first
    (``calibrate_options`` go to :func:`calibrate`; the default takes minutes: pass e.g.
    ``steps=600, burn=200`` for a quick look). ``schedule``: the inspection schedule (default:
    fitted to the rows published by ``as_of``). ``panels``: a DfE panels folder for the workforce
    inputs (default: the shipped copy). Returns one row per council with a graded judgement on or
    before ``as_of``: local_authority, ``PROB_COLUMNS`` (summing to 1), the latest grade and the
    expected months to the next inspection (``latest_grade`` by name: outstanding .. inadequate); posterior-averaged over at most ``max_sets`` draws.
    """
    as_of = pd.Timestamp(as_of) if as_of is not None else pd.Timestamp.today().normalize()
    df = load_judgements(judgements)
    df = df[df["publication_date"] <= as_of]
    if df.empty:
        return pd.DataFrame(columns=["local_authority", *PROB_COLUMNS])
    if params is None:
        params = calibrate(df, until=as_of, adm_history=adm_history, panels=panels, seed=seed,
                           threads=threads, **calibrate_options)
    schedule = schedule or fit_schedule(df, until=as_of)
    sets = param_sets(params, max_sets)
    a = month_of(as_of)
    h = histories(df, end_month=a + HORIZON_MONTHS, adm_history=adm_history, as_of=as_of,
                  panels=panels)
    z = horizons(h, a, schedule, HORIZON_MONTHS)
    probs = predict(sets, h, a, z, threads)
    out = pd.DataFrame(probs, columns=PROB_COLUMNS)
    out.insert(0, "local_authority", h.names)
    last = df.groupby("local_authority")["grade"].last()
    out["latest_grade"] = [GRADES[int(g)] for g in last.loc[h.names]]  # a name, not the 0-3 code
    offsets, months, weights = z
    out["expected_months_ahead"] = np.add.reduceat(months * weights, offsets[:-1])
    return out


def one_step_predictions(params, judgements=None, councils=None, *, adm_history=None,
                         panels=None, max_sets: int = 200, threads=None) -> pd.DataFrame:
    """For every graded judgement after a council's first, the predicted probability of each
    grade given only the judgements before it (the inspection month known). A conditional
    posterior predictive check: one row per judgement, with the observed grade."""
    df = load_judgements(judgements)
    if councils is not None:
        df = df[df["local_authority"].isin(list(councils))]
    sets = param_sets(params, max_sets)
    rows = []
    for name, g in df.groupby("local_authority", sort=True):
        for k in range(1, len(g)):
            before, target = g.iloc[:k], g.iloc[k]
            a = int(target["month"]) - 1
            if before["month"].iloc[-1] > a:  # same-month judgements: nothing to forecast from
                continue
            as_of = pd.Timestamp(year=a // 12, month=a % 12 + 1, day=1) + pd.offsets.MonthEnd()
            h = histories(before, end_month=a + 1, adm_history=adm_history, as_of=as_of,
                          panels=panels)
            z = (np.array([0, 1]), np.array([1]), np.array([1.0]))
            p = predict(sets, h, a, z, threads)[0]
            rows.append({"local_authority": name, "publication_date": target["publication_date"],
                         "observed": int(target["grade"]),
                         **dict(zip(PROB_COLUMNS, p))})
    return pd.DataFrame(rows)


def rounded(probs: np.ndarray, decimals: int = 6) -> np.ndarray:
    """Probabilities rounded to ``decimals`` so that each row still sums to exactly 1 at that
    precision (largest remainders get the last units), for files that must score."""
    unit = 10.0 ** decimals
    scaled = np.asarray(probs, float) * unit
    base = np.floor(scaled)
    short = np.rint(unit - base.sum(axis=1)).astype(int)
    order = np.argsort(-(scaled - base), axis=1, kind="stable")
    for i, k in enumerate(short):
        base[i, order[i, :k]] += 1
    return base / unit
