"""Running the ensemble and holding its results."""
from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from . import _core, jsonio
from .catalogue import catalogue_json
from .intervals import probability_stats
from .policy import engine_hook
from .scenario import build_scenario, scenario_error, to_json

METRICS: list[str] = list(_core.metric_names)
OUTCOMES: list[str] = list(_core.outcome_names)
QUANTILES: list[float] = list(_core.quantiles)

# Outcomes shown by Results.summary(), with readable labels.
SUMMARY_OUTCOMES = {
    "good_at_next_inspection": "P(Good+ at next inspection)",
    "good_by_year3": "P(Good+ at year 3)",
    "good_by_year5": "P(Good+ at year 5)",
    "inadequate_at_year3": "P(Inadequate at year 3)",
    "months_to_leave_inadequate": "Months to leave Inadequate",
    "mean_turnover_rate": "Turnover rate",
    "mean_vacancy_rate": "Vacancy rate",
    "mean_agency_share": "Agency share",
    "mean_caseload": "Caseload",
    "cla_per_10k_end": "CLA per 10k (end)",
    "total_cost": "Total cost (GBP)",
    "npv_cost": "NPV cost (GBP)",
    "overspend_any": "P(overspend in any year)",
    "overspend_years": "Years overspent",
    "overspend_amount": "Overspend (GBP)",
}


class CancelToken:
    """Stops a run from any thread: pass ``cancel=token`` to :func:`simulate` (or
    :func:`run_spec`) and call ``token.cancel()``; the run stops at its next block of replicates
    and raises ``KeyboardInterrupt``. (Ctrl-C reaches only a run on the main thread; a run in a
    worker thread, a GUI or a server is stopped this way.)"""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()


class _Progress:
    """A tqdm bar for runs longer than about a second (notebook-aware); silent otherwise. Asked
    between blocks; returning False (a cancelled token) stops the run."""

    def __init__(self, enabled: bool, total: int, unit: str = "replicate", desc: str = "admsim",
                 cancel: CancelToken | None = None):
        self.enabled, self.total, self.bar, self.start = enabled, total, None, time.monotonic()
        self.unit, self.desc, self.cancel = unit, desc, cancel

    def __call__(self, done: int, total: int) -> bool:
        if self.cancel is not None and self.cancel.cancelled:
            return False
        if not self.enabled:
            return True
        if self.bar is None and time.monotonic() - self.start > 1.0:
            try:
                from tqdm.auto import tqdm
            except ImportError:  # progress is a nicety, never a failure
                self.enabled = False
                return True
            self.bar = tqdm(total=total, unit=self.unit, desc=self.desc, file=sys.stderr)
        if self.bar is not None:
            self.bar.update(done - self.bar.n)
        return True

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


# Engine cost per (model, replicate, month) on one thread, measured on the 2-core CI machine
# (about 10 us; benchmarks/ has the method): used only to estimate a run's time before it starts.
_SECONDS_PER_MODEL_MONTH = 10e-6
MAX_RUN_SECONDS = 2 * 3600          # runs estimated longer need allow_large=True
MAX_RUN_MEMORY_SHARE = 0.5          # of physical memory, for the arrays of a full-mode run


def _physical_memory() -> int:
    try:
        return int(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return 16 * 2**30


def run_size(spec: Mapping[str, Any], models: int, threads: int | None = None) -> dict[str, float]:
    """Estimated memory (bytes, for the result arrays) and wall time (seconds) of a run."""
    replicates = int(spec.get("replicates", 100))
    months = 12 * int(spec.get("years", 10))
    full = spec.get("output", "full") != "summary"
    per_replicate = months * len(METRICS) + len(OUTCOMES) + 8 * months  # metrics, outcomes, events
    memory = 8.0 * models * (replicates * per_replicate if full else months * len(METRICS) * 140)
    workers = threads or os.cpu_count() or 1
    seconds = models * replicates * months * _SECONDS_PER_MODEL_MONTH / workers
    return {"memory_bytes": memory, "seconds": seconds}


def _check_size(spec: Mapping[str, Any], models: int, threads: int | None) -> None:
    size = run_size(spec, models, threads)
    limit = MAX_RUN_MEMORY_SHARE * _physical_memory()
    gib, hours = size["memory_bytes"] / 2**30, size["seconds"] / 3600
    what = (f"{models} models x {spec.get('replicates')} replicates x {spec.get('years')} years: "
            f"about {gib:,.1f} GiB and {hours:,.1f} hours")
    if size["memory_bytes"] > limit:
        raise scenario_error("/replicates", "run too large for this machine's memory", what,
                             f"at most {limit / 2**30:,.0f} GiB ({MAX_RUN_MEMORY_SHARE:.0%} of memory): fewer "
                             "replicates, output='summary', or allow_large=True")
    if size["seconds"] > MAX_RUN_SECONDS:
        raise scenario_error("/replicates", "run too long", what,
                             f"at most {MAX_RUN_SECONDS / 3600:g} hours estimated: fewer replicates or "
                             "years, or allow_large=True")


def run_spec(
    spec: Mapping[str, Any],
    *,
    threads: int | None = None,
    progress: bool = True,
    catalogue_path: str | Path | None = None,
    allow_large: bool = False,
    cancel: CancelToken | None = None,
    policy: Any = None,
) -> "Results":
    """Run a scenario spec (as built by :func:`admsim.build_scenario`) and return ``Results``.

    The spec is validated first; a run estimated to need more than half the machine's memory
    or more than two hours is refused with the estimate in the message unless ``allow_large``.
    ``policy``: an :class:`admsim.Policy` (or a function of a ``PolicyState``) called each month.
    """
    if threads is not None and (isinstance(threads, bool) or not isinstance(threads, (int, np.integer))
                                or not 1 <= threads <= _core.max_threads):
        raise scenario_error("threads", "not a usable number of worker threads", threads,
                             f"None for all cores, or an integer from 1 to {_core.max_threads}")
    if not isinstance(spec, Mapping):
        raise scenario_error("", "wrong type", type(spec).__name__, "a JSON object (dict)")
    text = to_json(spec)
    catalogue = catalogue_json(catalogue_path)
    with jsonio.suggestions():  # every field checked before anything is sized
        models = _core.validate(text, catalogue)
    if not allow_large:
        _check_size(spec, len(models), threads)
    bar = _Progress(progress, int(spec.get("replicates", 100)), cancel=cancel)
    try:
        hook = None if policy is None else engine_hook(policy, models)
        raw = _core.simulate(text, catalogue, int(threads or 0), bar, hook)
    finally:
        bar.close()
    results = Results(raw, spec)
    from .results_io import provenance  # what ran: version, commit, catalogue hash (for save())

    results._provenance = provenance(catalogue)
    return results


def simulate(
    profile: str | Path | Mapping[str, Any] = "example-county",
    models: Iterable[str | Mapping[str, Any]] | None = None,
    *,
    years: int = 10,
    replicates: int = 1000,
    seed: int = 1,
    threads: int | None = None,
    progress: bool = True,
    allow_large: bool = False,
    cancel: CancelToken | None = None,
    policy: Any = None,
    **scenario: Any,
) -> "Results":
    """Simulate delivery models for one council and return :class:`Results`.

    Parameters
    ----------
    profile: a shipped profile slug (``admsim.profiles.available()``), a path to a profile JSON
        file, or a profile dict.
    models: catalogue ids or model dicts (see :func:`admsim.build_scenario`); default: the
        in-house model and Worcestershire's five shortlisted models.
    years, replicates, seed: horizon, Monte Carlo replicates per model, random seed.
    threads: worker threads (default: all cores). Results do not depend on it.
    allow_large: run even if the run is estimated to need more than half the machine's memory
        or more than two hours (``run_size`` gives the estimate).
    cancel: a :class:`CancelToken`; ``cancel.cancel()`` from any thread stops the run
        (``KeyboardInterrupt``), as Ctrl-C does on the main thread.
    policy: an :class:`admsim.Policy` subclass instance, or a function of an
        :class:`admsim.policy.PolicyState`, that sets levers each month from the simulated
        state (see :mod:`admsim.policy`); scenario ``rules`` do the same without Python.
    scenario: further :func:`admsim.build_scenario` arguments (``interventions``, ``rules``, ``parameters``,
        ``output="summary"``, ``baseline``, ``decision_month``, ``common_random_numbers``).
    """
    spec = build_scenario(profile, models, years=years, replicates=replicates, seed=seed, **scenario)
    return run_spec(spec, threads=threads, progress=progress, allow_large=allow_large, cancel=cancel,
                    policy=policy)


class Results:
    """The output of :func:`simulate`: monthly metrics, per-replicate outcomes, inspections.

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

    def __repr__(self) -> str:
        mode = "summary-only" if self.summary_only else "full"
        return (f"<admsim.Results {len(self.models)} models x {self.replicates} replicates x "
                f"{self.months} months ({mode}), seed {self.seed}>")

    def save(self, path: str | Path, *, compress: bool = True) -> Path:
        """Write these results to one ``.npz`` file (every array held, the scenario spec, the
        seed, the admsim version, git commit and catalogue hash of the run) and return its
        path; :func:`admsim.load` reads it back. See :mod:`admsim.results_io`."""
        from .results_io import save

        return save(self, path, compress=compress)

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
        """One metric as an array (model, replicate, month)."""
        return self.metrics[..., _index(METRICS, name, "metric")]

    def outcome(self, name: str) -> np.ndarray:
        """One outcome as an array (model, replicate); NaN where undefined."""
        return self.outcomes[..., _index(OUTCOMES, name, "outcome")]

    def metric_mean(self, name: str) -> pd.DataFrame:
        """Mean of a metric over replicates: a DataFrame (month x model)."""
        k = _index(METRICS, name, "metric")
        return pd.DataFrame(self._raw["metric_mean"][:, :, k].T, columns=self.models)

    def metric_quantiles(self, name: str) -> dict[float, pd.DataFrame]:
        """Quantiles (5, 25, 50, 75, 95%) of a metric over replicates, each month x model."""
        k = _index(METRICS, name, "metric")
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
        b = _index(self.models, baseline, "model")
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
                    mean, lo, hi = _mean_interval(values)
                    diff, dlo, dhi = _mean_interval(values - self.outcomes[b, :, k])
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

        data = {name: (("model", "replicate", "month"), self.metrics[..., k])
                for k, name in enumerate(METRICS)}
        coords = {"model": self.models, "replicate": np.arange(self.replicates),
                  "month": np.arange(self.months)}
        ds = xr.Dataset(data, coords=coords)
        for k, name in enumerate(OUTCOMES):
            ds[f"outcome_{name}"] = (("model", "replicate"), self.outcomes[..., k])
        ds.attrs.update(seed=self.seed, baseline=self.baseline)
        return ds

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


def _index(names: list[str], name: str, what: str) -> int:
    try:
        return names.index(name)
    except ValueError:
        hint = jsonio.did_you_mean(name, names)
        raise KeyError(f"unknown {what} {name!r}{hint}; known: {', '.join(names)}") from None


def _mean_interval(values: np.ndarray) -> tuple[float, float, float]:
    values = values[~np.isnan(values)]
    if values.size == 0:
        return (np.nan, np.nan, np.nan)
    lo, hi = np.quantile(values, [0.05, 0.95])
    return float(values.mean()), float(lo), float(hi)
