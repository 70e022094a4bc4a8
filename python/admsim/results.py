"""The results of a run: :class:`Results` (monthly metrics, outcomes per replicate, inspections,
summaries) and :func:`load`, which reads one back from the file :meth:`Results.save` wrote."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from . import _core, results_io
from .intervals import probability_stats
from .outputs import METRICS, OUTCOMES, QUANTILES, SUMMARY_OUTCOMES, index_of


class Results:
    """The output of :func:`admsim.simulate`: monthly metrics, per-replicate outcomes, inspections.

    Months are numbered from 0 (the month after the profile's ``as_of`` date) everywhere: in
    ``metrics``, ``to_xarray()``, ``to_pandas()`` and ``inspections()``.
    """

    def __init__(self, raw: Mapping[str, Any], spec: Mapping[str, Any]):
        self._raw = dict(raw)
        self.spec = dict(spec)
        self.models: list[str] = list(raw["models"])
        self.months: int = int(raw["months"])
        self.replicates: int = int(raw["replicates"])
        self.seed: int = int(raw["seed"])
        self.summary_only: bool = bool(raw["summary_only"])
        self.baseline: str = self.models[int(raw["baseline"])]
        # Custom metrics (admsim.Analyzer): (model, replicate, month) in both output modes.
        self.analyzers: dict[str, np.ndarray] = dict(raw.get("analyzers", {}))

    def __repr__(self) -> str:
        mode = "summary-only" if self.summary_only else "full"
        return (f"<admsim.Results {len(self.models)} models x {self.replicates} replicates x "
                f"{self.months} months ({mode}), seed {self.seed}>")

    def save(self, path: str | Path, *, compress: bool = True) -> Path:
        """Write these results to one ``.npz`` file (every array held, the scenario spec, the
        seed, the admsim version, git commit and catalogue hash of the run) and return its
        path; :func:`admsim.load` reads it back. See :mod:`admsim.results_io`."""
        return results_io.save(self, path, compress=compress)

    # ---- raw arrays -------------------------------------------------------------------------
    def _need_full(self, what: str) -> None:
        if self.summary_only:
            raise ValueError(f"{what} needs per-replicate data; run with output='full'")

    @property
    def metrics(self) -> np.ndarray:
        """Array (model, replicate, month, metric); metric order is ``admsim.simulate.METRICS``."""
        self._need_full("metrics")
        return self._raw["metrics"]

    @property
    def outcomes(self) -> np.ndarray:
        """Array (model, replicate, outcome); outcome order is ``admsim.simulate.OUTCOMES``."""
        self._need_full("outcomes")
        return self._raw["outcomes"]

    def metric(self, name: str) -> np.ndarray:
        """One metric (an engine metric or an analyzer's) as an array (model, replicate, month)."""
        if name in self.analyzers:
            return self.analyzers[name]
        return self.metrics[..., index_of(self.metric_names, name, "metric")]

    @property
    def metric_names(self) -> list[str]:
        """The engine's metrics, then the analyzers'."""
        return list(METRICS) + list(self.analyzers)

    def outcome(self, name: str) -> np.ndarray:
        """One outcome as an array (model, replicate); NaN where undefined."""
        return self.outcomes[..., index_of(OUTCOMES, name, "outcome")]

    def metric_mean(self, name: str) -> pd.DataFrame:
        """Mean of a metric over replicates: a DataFrame (month x model)."""
        if name in self.analyzers:
            return pd.DataFrame(np.nanmean(self.analyzers[name], axis=1).T, columns=self.models)
        k = index_of(self.metric_names, name, "metric")
        return pd.DataFrame(self._raw["metric_mean"][:, :, k].T, columns=self.models)

    def metric_quantiles(self, name: str) -> dict[float, pd.DataFrame]:
        """Quantiles (5, 25, 50, 75, 95%) of a metric over replicates, each month x model."""
        if name in self.analyzers:
            q = np.nanquantile(self.analyzers[name], QUANTILES, axis=1)  # (quantile, model, month)
            return {p: pd.DataFrame(q[i].T, columns=self.models) for i, p in enumerate(QUANTILES)}
        k = index_of(self.metric_names, name, "metric")
        q = self._raw["metric_quantiles"][:, :, k, :]
        return {p: pd.DataFrame(q[:, :, i].T, columns=self.models) for i, p in enumerate(QUANTILES)}

    @property
    def plot(self):
        """Charts: ``fan(metric)``, ``grades()``, ``costs(outcome)``, ``differences(outcome)``.

        See :class:`admsim.plot.PlotAccessor`; each returns a matplotlib Figure.
        """
        from .plot import PlotAccessor  # matplotlib is imported only when charts are wanted

        return PlotAccessor(self)

    # ---- tables -----------------------------------------------------------------------------
    def summary(self, baseline: str | None = None) -> pd.DataFrame:
        """One row per model: each key outcome's mean, 90% interval, and paired difference.

        The difference is taken replicate by replicate against ``baseline`` (default: the
        scenario's baseline); with common random numbers it is much sharper than comparing the
        two marginal intervals. Probabilities are shares of replicates with a 0/1 outcome; their
        intervals are 90% Monte Carlo intervals for the share and for the paired difference
        (bootstrap over replicates; normal approximation in summary-only runs), not quantiles of
        0/1 values. Other outcomes' intervals hold 90% of replicates. Months to leave
        Inadequate count only replicates that start Inadequate and leave within the horizon; its
        median is in "Median months to leave Inadequate".
        """
        baseline = baseline or self.baseline
        b = index_of(self.models, baseline, "model")
        if self.summary_only and b != int(self._raw["baseline"]):
            raise ValueError("summary-only results hold differences against the scenario's "
                             f"baseline {self.baseline!r} only")
        # A share of replicates gets a Monte Carlo interval, computed once for all models.
        shares = {name: (probability_stats(self, name),
                         probability_stats(self, name, paired=True, baseline=baseline))
                  for name, label in SUMMARY_OUTCOMES.items() if label.startswith("P(")}
        rows = []
        for m, model in enumerate(self.models):
            row: dict[str, Any] = {"model": model}
            for name, label in SUMMARY_OUTCOMES.items():
                k = OUTCOMES.index(name)
                if name in shares:
                    marginal, paired = shares[name]
                    mean, lo, hi = (float(a[m]) for a in marginal)
                    diff, dlo, dhi = (float(a[m]) for a in paired)
                elif self.summary_only:
                    mean = self._raw["outcome_mean"][m, k]
                    lo, hi = self._raw["outcome_quantiles"][m, k, [0, 4]]
                    diff = self._raw["diff_mean"][m, k]
                    dlo, dhi = self._raw["diff_quantiles"][m, k, [0, 4]]
                else:
                    values = self.outcomes[m, :, k]
                    mean, lo, hi = mean_and_range(values)
                    diff, dlo, dhi = mean_and_range(values - self.outcomes[b, :, k])
                row[label] = mean
                row[f"{label} 5%"] = lo
                row[f"{label} 95%"] = hi
                row[f"{label} diff vs {baseline}"] = diff
                row[f"{label} diff 5%"] = dlo
                row[f"{label} diff 95%"] = dhi
            # Time to leave Inadequate is skewed: the median says more than the mean.
            k = OUTCOMES.index("months_to_leave_inadequate")
            if self.summary_only:
                median = self._raw["outcome_quantiles"][m, k, QUANTILES.index(0.5)]
            else:
                left = self.outcomes[m, :, k]
                median = float(np.median(left[~np.isnan(left)])) if (~np.isnan(left)).any() else np.nan
            row["Median months to leave Inadequate"] = median
            rows.append(row)
        return pd.DataFrame(rows).set_index("model")

    def table(self, baseline: str | None = None) -> pd.DataFrame:
        """The headline comparison as a person reads it (what the CLI prints): shares in %,
        money in £m, the NPV difference from ``baseline`` with its 90% interval."""
        return table_from_summary(self.summary(baseline))

    def inspections(self) -> pd.DataFrame:
        """Inspection events: model, replicate, month, kind (inspection / monitoring_visit), grade."""
        self._need_full("inspections()")
        ev = self._raw["events"]
        grades = list(_core.grade_names)
        return pd.DataFrame({
            "model": pd.Categorical.from_codes(ev[:, 0], self.models),
            "replicate": ev[:, 1],
            "month": ev[:, 2],
            "kind": np.where(ev[:, 3] == 0, "inspection", "monitoring_visit"),
            "grade": [grades[g] if g else None for g in ev[:, 4]],
        })

    def to_xarray(self):
        """An xarray Dataset with dims (model, replicate, month), one variable per metric."""
        import xarray as xr

        # One constructor call: adding variables one by one merges the dataset each time.
        data = {name: (("model", "replicate", "month"), self.metrics[..., k])
                for k, name in enumerate(METRICS)}
        data.update({f"outcome_{name}": (("model", "replicate"), self.outcomes[..., k])
                     for k, name in enumerate(OUTCOMES)})
        data.update({name: (("model", "replicate", "month"), v) for name, v in self.analyzers.items()})
        coords = {"model": self.models, "replicate": np.arange(self.replicates),
                  "month": np.arange(self.months)}
        return xr.Dataset(data, coords=coords, attrs={"seed": self.seed, "baseline": self.baseline})

    def to_pandas(self) -> pd.DataFrame:
        """Tidy monthly metrics: one row per (model, replicate, month), one column per metric."""
        M, R, T, K = self.metrics.shape
        index = pd.MultiIndex.from_product(
            [self.models, range(R), range(T)], names=["model", "replicate", "month"])
        return pd.DataFrame(self.metrics.reshape(M * R * T, K), index=index, columns=METRICS)

    def to_parquet(self, path: str | Path) -> Path:
        """Write the monthly metrics to a Parquet file (pyarrow) and return its path.

        Full mode: the tidy frame of :meth:`to_pandas` (one row per model, replicate and month).
        Summary-only mode keeps no per-replicate data, so the file holds the **means over
        replicates** instead: one row per (model, month), one column per metric.
        """
        if self.summary_only:
            M, T, K = self._raw["metric_mean"].shape
            index = pd.MultiIndex.from_product([self.models, range(T)], names=["model", "month"])
            frame = pd.DataFrame(self._raw["metric_mean"].reshape(M * T, K), index=index,
                                 columns=METRICS)
        else:
            frame = self.to_pandas()
        path = Path(path)
        frame.to_parquet(path, engine="pyarrow")
        return path


# The headline columns a person reads: (summary label, short heading, format).
_TABLE = [
    ("P(Good+ at year 3)", "P(Good+ y3)", "{:.0%}"),
    ("P(Good+ at year 5)", "P(Good+ y5)", "{:.0%}"),
    ("P(Inadequate at year 3)", "P(Inad. y3)", "{:.0%}"),
    ("Turnover rate", "Turnover", "{:.1%}"),
    ("Agency share", "Agency", "{:.1%}"),
    ("Caseload", "Caseload", "{:.1f}"),
    ("CLA per 10k (end)", "CLA/10k", "{:.1f}"),
    ("NPV cost (GBP)", "NPV £m", "{:.1f}"),
    ("Years overspent", "Yrs overspent", "{:.1f}"),
    ("Overspend (GBP)", "Overspend £m", "{:.1f}"),
]


def table_from_summary(summary: pd.DataFrame) -> pd.DataFrame:
    """Headline outcomes as formatted text, one row per model: shares as percentages, money in
    £m, and the NPV difference from the baseline with its 90% interval."""
    rows = []
    diff = [c for c in summary.columns if c.startswith("NPV cost (GBP) diff vs")][0]
    for model, row in summary.iterrows():
        out = {"model": model}
        for label, head, fmt in _TABLE:
            value = row[label] / 1e6 if "GBP" in label else row[label]  # GBP shown in millions
            out[head] = "–" if pd.isna(value) else fmt.format(value)
        lo, hi = row["NPV cost (GBP) diff 5%"] / 1e6, row["NPV cost (GBP) diff 95%"] / 1e6
        out["ΔNPV £m (90%)"] = f"{row[diff] / 1e6:+.1f} [{lo:+.1f}, {hi:+.1f}]"  # vs the baseline
        rows.append(out)
    return pd.DataFrame(rows).set_index("model")


def mean_and_range(values: np.ndarray) -> tuple[float, float, float]:
    """Mean of ``values`` (NaN dropped) and the range holding 90% of them (5% to 95%)."""
    values = values[~np.isnan(values)]
    if values.size == 0:
        return (np.nan, np.nan, np.nan)
    lo, hi = np.quantile(values, [0.05, 0.95])
    return float(values.mean()), float(lo), float(hi)


def load(path: str | Path) -> Results:
    """Read results written by :meth:`Results.save` (see :mod:`admsim.results_io`).

    The returned ``Results`` has the saved arrays, spec, seed and mode, so ``summary()``,
    charts and the report are as for the original; its provenance (version, commit, catalogue
    hash of the run that made it, and the file it came from) is in
    :func:`admsim.results_io.provenance_of`. A file written by an engine with other metric or
    outcome names is re-indexed by name (what this engine has and the file lacks is NaN), with a
    warning.
    """
    raw, spec, provenance = results_io.read(path)
    results = Results(raw, spec)
    results._provenance = provenance
    return results
