"""Demand that moves: councils' referral rates revert toward their own long-run level.

A profile is a snapshot; rates move. In the panels, a council's referral rate per 10k children
drifts back toward its own mean: the engine moves the log rate from the profile's value toward
the profile's ``referrals_per_10k_long_run`` (the council's mean over the years known), keeping a
share ``demand_persistence_per_year`` of the gap each year. :func:`backtest` shows what that
buys: fitted on 2013-2018, forecasting 2019-2022, against the steady state (the last value held).

Data: councils' and England's referral rates 2013-2022, derived from
``la_panels/referrals_2013_2022.csv`` and ``la_panels/population_0_17_2012_2022.csv`` (rate per
10,000 of the previous mid-year 0-17 population, DfE's convention) and shipped as
``data/referral_rates_2013_2022.csv`` (rebuilt by ``scripts/build_referral_rates.py``).
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

PERSISTENCE_GRID = (0.0, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


def shipped_path() -> Path:
    return Path(str(resources.files("admsim") / "data" / "referral_rates_2013_2022.csv"))


def from_panels(panels: str | Path) -> pd.DataFrame:
    """Referral rates per 10k by council (and England) and year, from DfE's panel CSVs:
    columns area ("England" or the ONS code), la_name, year, referrals_per_10k."""
    panels = Path(panels)
    ref = pd.read_csv(panels / "referrals_2013_2022.csv", dtype=str)
    pop = pd.read_csv(panels / "population_0_17_2012_2022.csv", dtype=str)
    keep = ref["geographic_level"].isin(["National", "Local authority"])
    ref = ref[keep].assign(area=lambda d: np.where(d["geographic_level"] == "National", "England",
                                                   d["new_la_code"]))
    pop = pop[pop["geographic_level"].isin(["National", "Local authority"])].assign(
        area=lambda d: np.where(d["geographic_level"] == "National", "England", d["new_la_code"]))
    pop = pop.assign(year=pd.to_numeric(pop["time_period"]) + 1)  # the year after mid-year
    ref = ref.assign(year=pd.to_numeric(ref["time_period"]))
    m = ref.merge(pop[["area", "year", "population_estimate"]], on=["area", "year"])
    count = pd.to_numeric(m["referral_count"], errors="coerce")
    children = pd.to_numeric(m["population_estimate"], errors="coerce")
    m = m.assign(referrals_per_10k=count / children * 1e4, la_name=m["la_name"].fillna("England"))
    m = m.dropna(subset=["referrals_per_10k"])
    return m[["area", "la_name", "year", "referrals_per_10k"]].sort_values(["area", "year"]) \
        .reset_index(drop=True)


def load(panels: str | Path | None = None) -> pd.DataFrame:
    if panels is not None:
        return from_panels(panels)
    return pd.read_csv(shipped_path(), comment="#")


def _forecast(log_rates: pd.DataFrame, train_until: int, horizons: range, persistence: float
              ) -> dict[int, pd.Series]:
    train = log_rates.loc[:, :train_until]
    mean, last = train.mean(axis=1), train[train_until]
    return {h: mean + (last - mean) * persistence ** h for h in horizons}


def backtest(panels: str | Path | None = None, train_until: int = 2018, last_year: int = 2022,
             persistence: float | None = None) -> pd.DataFrame:
    """Root mean squared error of the log referral rate, by horizon, for councils (pooled) and
    England: the steady state (persistence 1: the last value held) against reversion toward the
    mean of the training years with ``persistence`` (default: the value with the least mean
    error over the councils' horizons, from PERSISTENCE_GRID, chosen on the same test years and
    said so in the ``chosen`` column)."""
    rates = load(panels)
    wide = np.log(rates.pivot_table(index="area", columns="year", values="referrals_per_10k"))
    wide = wide.loc[:, : last_year].dropna()
    horizons = range(1, last_year - train_until + 1)
    councils, england = wide.drop(index="England", errors="ignore"), wide.loc[["England"]]

    def rmse(frame, phi):
        f = _forecast(frame, train_until, horizons, phi)
        return {h: float(np.sqrt(((frame[train_until + h] - f[h]) ** 2).mean())) for h in horizons}

    if persistence is None:
        persistence = min(PERSISTENCE_GRID, key=lambda p: np.mean(list(rmse(councils, p).values())))
    rows = []
    for who, frame in (("councils", councils), ("England", england)):
        for name, phi in (("steady state", 1.0), ("reverting", persistence)):
            rows.append({"series": who, "model": name, "persistence": phi, "n": len(frame),
                         **{f"rmse_{h}y": v for h, v in rmse(frame, phi).items()}})
    return pd.DataFrame(rows).set_index(["series", "model"])
