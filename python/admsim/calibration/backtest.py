"""Rolling-origin back-test of next-grade forecasts against strong baselines.

At each origin (by default every year-end 2016-2021) the model is calibrated, and the schedule and
every baseline fitted, on the judgements published by then only; each council's first graded
judgement after the origin (up to ``test_until``) is the target. Scores: Brier (summed over the
four grades) and log loss. Differences to each baseline come with paired bootstrap intervals
(councils resampled within an origin; pooled over origins, councils resampled as clusters across
origins, since one council's forecasts at nearby origins are not independent).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .baselines import METHODS, predict_all
from .data import PROB_COLUMNS, histories, load_judgements, month_of
from .fit import ShortChainWarning, calibrate
from .forecast import HORIZON_MONTHS, param_sets, predict
from .schedule import fit_schedule, horizons

DEFAULT_ORIGINS = [f"{y}-12-31" for y in range(2016, 2022)]
# A budget that keeps six calibrations to about 6 minutes on 2 cores. Its chains are shorter than
# 50 autocorrelation times (25-60 steps): enough for forecast means, which the back-test scores;
# each origin's diagnostics say so (chosen[origin]["calibration"]).
QUICK_CALIBRATION = {"walkers": 32, "steps": 1500, "burn": 300, "draws": 400}
ALL_METHODS = ["model", *METHODS]


@dataclass
class BacktestResult:
    """Per-forecast probabilities and scores; tables and plots from them."""
    predictions: pd.DataFrame       # origin, local_authority, observed, method, p_*, brier, log_loss
    chosen: dict = field(default_factory=dict)  # per origin: what the baselines chose, diagnostics
    n_boot: int = 2000
    seed: int = 1
    calibrations: dict = field(default_factory=dict, repr=False)  # per origin: the Calibration

    def scores(self) -> pd.DataFrame:
        """Brier and log loss by origin and method, with n."""
        g = self.predictions.groupby(["origin", "method"], sort=False)
        return g[["brier", "log_loss"]].mean().join(g.size().rename("n"))

    def table(self) -> pd.DataFrame:
        """Brier score of each method by origin (and pooled), and the model's paired difference
        to each baseline with its 90% bootstrap interval."""
        rows = []
        origins = list(dict.fromkeys(self.predictions["origin"]))
        for origin in [*origins, "pooled"]:
            d = self.predictions if origin == "pooled" else \
                self.predictions[self.predictions["origin"] == origin]
            wide = d.pivot_table(index=["origin", "local_authority"], columns="method",
                                 values="brier")
            row = {"origin": origin, "n": len(wide)}
            for m in ALL_METHODS:
                row[f"brier_{m}"] = float(wide[m].mean())
            diffs = _bootstrap(wide, self.n_boot, self.seed, cluster=origin == "pooled")
            for m, (mean, lo, hi) in diffs.items():
                row[f"model_minus_{m}"] = mean
                row[f"model_minus_{m}_5%"] = lo
                row[f"model_minus_{m}_95%"] = hi
            rows.append(row)
        return pd.DataFrame(rows).set_index("origin")

    def wins(self) -> pd.DataFrame:
        """Where the model's Brier score is below each baseline's (True) or not, by origin."""
        t = self.table()
        return pd.DataFrame({m: t[f"model_minus_{m}"] < 0 for m in METHODS})

    def reliability(self, bins: int = 5) -> pd.DataFrame:
        """Forecast probability against observed frequency, per method, pooled over grades and
        origins, in ``bins`` equal-count bins."""
        rows = []
        for m, d in self.predictions.groupby("method", sort=False):
            p = d[PROB_COLUMNS].to_numpy().ravel()
            y = (np.eye(4)[d["observed"].to_numpy()]).ravel()
            order = np.argsort(p, kind="stable")
            for chunk in np.array_split(order, bins):
                rows.append({"method": m, "forecast": float(p[chunk].mean()),
                             "observed": float(y[chunk].mean()), "n": len(chunk)})
        return pd.DataFrame(rows)

    def plot(self, ax=None):
        """Brier score by origin for every method (left) and a reliability diagram (right)."""
        import matplotlib.pyplot as plt

        if ax is None:
            fig, ax = plt.subplots(1, 2, figsize=(11, 4.2), constrained_layout=True)
        t = self.table().drop(index="pooled")
        x = np.arange(len(t))
        for k, m in enumerate(ALL_METHODS):
            ax[0].plot(x, t[f"brier_{m}"], marker="o", lw=2.5 if m == "model" else 1.2,
                       label=m, color=f"C{k}")
        ax[0].set_xticks(x, [str(o)[:4] for o in t.index])
        ax[0].set_xlabel("origin (year-end)")
        ax[0].set_ylabel("Brier score (lower is better)")
        ax[0].set_title("Next graded judgement after each origin")
        ax[0].legend(fontsize=8)
        rel = self.reliability()
        for k, m in enumerate(ALL_METHODS):
            r = rel[rel["method"] == m]
            ax[1].plot(r["forecast"], r["observed"], marker="o", color=f"C{k}", label=m,
                       lw=2.5 if m == "model" else 1.0)
        ax[1].plot([0, 1], [0, 1], color="grey", ls=":", lw=1)
        ax[1].set_xlabel("forecast probability")
        ax[1].set_ylabel("observed frequency")
        ax[1].set_title("Reliability (all grades and origins)")
        return ax


def _bootstrap(wide: pd.DataFrame, n_boot: int, seed: int, cluster: bool) -> dict:
    """Mean model-minus-baseline Brier difference and its 90% paired bootstrap interval."""
    rng = np.random.default_rng(seed)
    councils = wide.index.get_level_values("local_authority")
    groups = pd.factorize(councils)[0] if cluster else np.arange(len(wide))
    members = [np.nonzero(groups == g)[0] for g in range(groups.max() + 1)]
    out = {}
    for m in METHODS:
        d = (wide["model"] - wide[m]).to_numpy()
        sums = np.array([d[i].sum() for i in members])
        sizes = np.array([len(i) for i in members])
        draws = rng.integers(0, len(members), size=(n_boot, len(members)))
        boot = sums[draws].sum(axis=1) / sizes[draws].sum(axis=1)
        out[m] = (float(d.mean()), float(np.quantile(boot, 0.05)), float(np.quantile(boot, 0.95)))
    return out


def _scores(p: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    onehot = np.eye(4)[y]
    return (np.sum((p - onehot) ** 2, axis=1),
            -np.log(np.clip(p[np.arange(len(y)), y], 1e-12, None)))


def backtest(judgements=None, origins=None, *, test_until=None, adm_history=None, panels=None,
             calibration_options: dict | None = None, calibrations: dict | None = None,
             max_sets: int = 200, n_boot: int = 2000, seed: int = 1, threads: int | None = None,
             progress: bool = False) -> BacktestResult:
    """Back-test at each origin (default: every year-end 2016-2021).

    calibration_options go to :func:`calibrate` (default ``QUICK_CALIBRATION``, about 6 minutes
    for the six default origins on 2 cores; short chains are not warned about but recorded in
    ``chosen[origin]["calibration"]``); calibrations:
    {origin: Calibration} to reuse fits. test_until: last publication date scored (default: the
    last judgement). Returns a :class:`BacktestResult` (``.table()``, ``.plot()``).
    """
    df = load_judgements(judgements)
    origins = [pd.Timestamp(o) for o in (origins or DEFAULT_ORIGINS)]
    t1 = pd.Timestamp(test_until) if test_until is not None else df["publication_date"].max()
    options = dict(QUICK_CALIBRATION, **(calibration_options or {}))
    frames, chosen, fits = [], {}, {}
    bar = _progress(len(origins), progress)
    for origin in origins:
        train = df[df["publication_date"] <= origin]
        test = df[(df["publication_date"] > origin) & (df["publication_date"] <= t1)]
        test = test.groupby("local_authority", sort=True).head(1).set_index("local_authority")
        names = sorted(n for n in train["local_authority"].unique() if n in test.index)
        if not names:
            raise ValueError(f"origin {origin.date()}: no council has a judgement before it and "
                             f"one after it (to {t1.date()})")
        key = str(origin.date())
        with warnings.catch_warnings():  # kept in each origin's diagnostics instead
            warnings.simplefilter("ignore", ShortChainWarning)
            cal = (calibrations or {}).get(key) or calibrate(
                train, until=origin, adm_history=adm_history, panels=panels, seed=seed,
                threads=threads, **options)
        fits[key] = cal
        schedule = fit_schedule(train, until=origin)
        a = month_of(origin)
        h = histories(train[train["local_authority"].isin(names)], end_month=a + HORIZON_MONTHS,
                      adm_history=adm_history, as_of=origin, panels=panels)
        z = horizons(h, a, schedule, HORIZON_MONTHS)
        probs = {"model": predict(param_sets(cal, max_sets), h, a, z, threads)}
        base = predict_all(train, origin, z, names, panels)
        chosen[key] = {**base.pop("_chosen"), "calibration": cal.diagnostics,
                       "schedule": schedule.to_dict()}
        probs.update(base)
        y = test.loc[names, "grade"].to_numpy()
        for method, p in probs.items():
            brier, logloss = _scores(p, y)
            f = pd.DataFrame(p, columns=PROB_COLUMNS)
            f.insert(0, "method", method)
            f.insert(0, "observed", y)
            f.insert(0, "local_authority", names)
            f.insert(0, "origin", key)
            f["brier"], f["log_loss"] = brier, logloss
            f["last_grade"] = train.groupby("local_authority")["grade"].last().loc[names].to_numpy()
            frames.append(f)
        bar.update(1)
    bar.close()
    return BacktestResult(pd.concat(frames, ignore_index=True), chosen, n_boot, seed, fits)


def _progress(total: int, show: bool):
    from ..progress import tqdm_class

    return tqdm_class()(total=total, desc="back-test origins", disable=not show)
