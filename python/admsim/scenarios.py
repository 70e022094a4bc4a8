"""Scenarios as objects: intervention packages, rules or assumptions compared for the same
delivery models under common random numbers.

>>> s = admsim.Scenarios({
...     "no change": {},
...     "caseload cap": {"interventions": [{"type": "caseload_cap", "start_month": 6, "size": 15}]},
...     "recruit when stretched": {"rules": [rule]},
... }, profile="worcestershire-2017", models=["in_house", "latc"], years=5, replicates=1000)
>>> res = s.run()
>>> res.summary()                      # per (scenario, model), paired against "no change"
>>> res.plot_differences("npv_cost")

Every scenario runs with the same seed and replicates, and the engine keys its random numbers by
(seed, replicate, purpose, month), never by what an intervention does, so replicate r of one
scenario meets the same demand, labour market and inspections as replicate r of another:
differences between scenarios are paired replicate by replicate and are the packages' doing.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from . import jsonio
from .intervals import bootstrap_mean_interval
from .outputs import OUTCOMES, SUMMARY_OUTCOMES, index_of
from .results import Results, mean_and_range
from .scenario import build_scenario
from .simulate import run_spec


class Scenarios:
    """Named scenario variants (each a dict of :func:`admsim.build_scenario` arguments over the
    shared ones: ``interventions``, ``rules``, ``parameters``, ``risks``, ...) for one council
    and one set of delivery models. ``baseline`` (default: the first) is what the others are
    compared against."""

    def __init__(self, variants: Mapping[str, Mapping[str, Any]], profile: Any = "example-county",
                 models: Iterable[Any] | None = None, *, baseline: str | None = None, **shared: Any):
        if not variants:
            raise ValueError("Scenarios needs at least one variant, e.g. {'no change': {}}")
        for name, variant in variants.items():
            if not isinstance(variant, Mapping):
                raise TypeError(f"scenario {name!r}: expected a dict of build_scenario arguments, "
                                f"not {type(variant).__name__}")
            for key in ("profile", "models", "seed", "replicates", "years"):
                if key in variant:
                    raise ValueError(f"scenario {name!r} sets {key!r}: every scenario shares it, so that "
                                     "replicates pair up; set it for all in Scenarios(...)")
        self.names = list(variants)
        self.baseline = baseline if baseline is not None else self.names[0]
        if self.baseline not in variants:
            raise KeyError(f"baseline {self.baseline!r} is not a scenario{jsonio.did_you_mean(self.baseline, self.names)}")
        self.specs = {name: build_scenario(profile, models, **{**shared, **dict(variant)})
                      for name, variant in variants.items()}

    def run(self, *, threads: int | None = None, progress: bool = True, policy: Any = None,
            catalogue_path: str | Path | None = None) -> "ScenarioResults":
        """Run every scenario (one engine run each) and return :class:`ScenarioResults`."""
        results = {name: run_spec(spec, threads=threads, progress=progress, policy=policy,
                                  catalogue_path=catalogue_path)
                   for name, spec in self.specs.items()}
        return ScenarioResults(results, self.baseline)


class ScenarioResults:
    """One :class:`admsim.Results` per scenario, and their paired comparison."""

    def __init__(self, results: Mapping[str, Results], baseline: str):
        self.results = dict(results)
        self.names = list(results)
        self.baseline = baseline
        first = self.results[baseline]
        self.models = first.models

    def __getitem__(self, name: str) -> Results:
        if name not in self.results:
            raise KeyError(f"no scenario {name!r}{jsonio.did_you_mean(name, self.names)}")
        return self.results[name]

    def __repr__(self) -> str:
        r = self.results[self.baseline]
        return (f"<admsim.ScenarioResults {len(self.names)} scenarios x {len(self.models)} models x "
                f"{r.replicates} replicates, baseline {self.baseline!r}>")

    def difference(self, outcome: str, scenario: str, baseline: str | None = None) -> np.ndarray:
        """Paired differences (model, replicate) of an outcome: ``scenario`` minus ``baseline``."""
        k = index_of(OUTCOMES, outcome, "outcome")
        return self[scenario].outcomes[..., k] - self[baseline or self.baseline].outcomes[..., k]

    def summary(self) -> pd.DataFrame:
        """One row per (scenario, model): the mean of each headline outcome and its paired
        difference from the baseline scenario for the same model, with a 90% interval (for
        probabilities, a Monte Carlo interval for the difference in shares; otherwise the
        interval holding 90% of the paired differences, as :meth:`Results.summary`)."""
        rows = []
        for name in self.names:
            res = self.results[name]
            diffs = {outcome: self.difference(outcome, name) for outcome in SUMMARY_OUTCOMES}
            for m, model in enumerate(self.models):
                row: dict[str, Any] = {"scenario": name, "model": model}
                for outcome, label in SUMMARY_OUTCOMES.items():
                    values = res.outcomes[m, :, OUTCOMES.index(outcome)]
                    row[label] = float(np.nanmean(values)) if (~np.isnan(values)).any() else np.nan
                    interval = bootstrap_mean_interval if label.startswith("P(") else mean_and_range
                    mean, lo, hi = interval(diffs[outcome][m])
                    row[f"{label} diff vs {self.baseline}"] = mean
                    row[f"{label} diff 5%"], row[f"{label} diff 95%"] = lo, hi
                rows.append(row)
        return pd.DataFrame(rows).set_index(["scenario", "model"])

    def write_report(self, out_dir: str | Path, title: str | None = None) -> Path:
        """The comparison as a self-contained HTML report with its tables and charts (see
        :func:`admsim.report.scenarios.write_scenario_report`); returns the page's path."""
        from .report.scenarios import write_scenario_report

        return write_scenario_report(self, out_dir, title)

    def plot_differences(self, outcome: str = "npv_cost", ax=None):
        """Box plots of each scenario's paired difference from the baseline, per model."""
        import matplotlib.pyplot as plt

        from .units import outcome_unit

        others = [n for n in self.names if n != self.baseline]
        if ax is None:
            _, ax = plt.subplots(figsize=(max(7, 1.6 * len(others) * len(self.models)), 4.5))
        unit = outcome_unit(outcome)
        scale = 1e-6 if unit.kind == "gbp" else 1.0
        data, labels = [], []
        for name in others:
            diff = self.difference(outcome, name)
            for m, model in enumerate(self.models):
                d = diff[m][~np.isnan(diff[m])] * scale
                data.append(d)
                labels.append(f"{name}\n{model}")
        ax.boxplot(data, showfliers=False)
        ax.set_xticks(range(1, len(labels) + 1), labels, fontsize=8)
        ax.axhline(0, color="grey", lw=0.8)
        ax.set_ylabel(f"{unit.title}\nvs {self.baseline!r}" + (" (£m)" if scale != 1 else f" ({unit.unit})"))
        ax.set_title(f"Paired differences from {self.baseline!r} (common random numbers)")
        ax.figure.tight_layout()  # long labels stay inside the figure when saved
        return ax
