"""Exploratory modelling with the EMA Workbench (``ema-workbench`` on PyPI): admsim as an EMA
model, evaluated through admsim's batch call, and scenario discovery with PRIM.

>>> from admsim import exploratory as ex
>>> model = ex.ema_model(admsim.build_scenario("worcestershire-2017", ["in_house", "independent_trust"],
...                                            years=5, replicates=200),
...                      uncertainties={"quality_reversion_per_year": (0.2, 0.6),
...                                     "independent_trust.improvement": (-0.3, 0.6)},
...                      outcomes=["in_house.good_by_year3", "independent_trust.good_by_year3"])
>>> experiments, outcomes = ex.perform(model, scenarios=200)
>>> box = ex.discover(experiments, outcomes["independent_trust.good_by_year3"]
...                   > outcomes["in_house.good_by_year3"])   # where does the trust beat in-house?

Uncertainties are engine parameters or ``<model>.<hook>`` effects; levers are fields of the
scenario's interventions and rules (``interventions.0.size``, ``rules.0.threshold``); outcomes
are ``<model>.<outcome>`` or ``<model>.<metric>@end`` / ``@mean`` (a monthly metric in the last
month, or averaged over the months), each the mean over the scenario's replicates. Every experiment runs on the same
replicate keys (common random numbers), so differences between experiments are the inputs'.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from .sensitivity.design import problem
from .sensitivity.evaluate import evaluate


def _ema():
    import warnings

    try:
        with warnings.catch_warnings():  # "ipyparallel not installed": admsim does not use it
            warnings.simplefilter("ignore", UserWarning)
            import ema_workbench
    except ImportError as err:  # an optional dependency: say how to get it
        raise ImportError("admsim.exploratory needs the EMA Workbench: pip install 'admsim[explore]' "
                          "(or pip install ema-workbench)") from err
    return ema_workbench


def ema_model(spec: Mapping[str, Any], *, uncertainties: Mapping[str, Sequence[float]],
              outcomes: Sequence[str], levers: Mapping[str, Sequence[float]] | None = None,
              name: str = "admsim", threads: int | None = None):
    """An ``ema_workbench.Model`` of the scenario ``spec`` (:func:`admsim.build_scenario`).

    ``uncertainties`` and ``levers`` map input names to (low, high); month counts among the
    levers (``..._months``) are integer parameters. The model's function evaluates one
    experiment; :func:`perform` (or :class:`BatchEvaluator`) evaluates them all in one batch call.
    """
    ema = _ema()
    levers = dict(levers or {})
    names = list(uncertainties) + list(levers)
    problem(names, {**uncertainties, **levers})  # names and bounds checked now, not mid-run
    spec = dict(spec)

    def one_experiment(**values: float) -> dict[str, float]:
        row = np.array([[values[n] for n in names]], dtype=float)
        y = evaluate(spec, names, row, list(outcomes), threads=threads, progress=False)[0]
        return dict(zip(outcomes, map(float, y)))

    model = ema.Model(name, function=one_experiment)

    def parameter(key: str, bounds: Sequence[float]):
        low, high = bounds
        if key.endswith("_months"):
            return ema.IntegerParameter(key, int(low), int(high))
        return ema.RealParameter(key, float(low), float(high))

    model.uncertainties = [parameter(k, b) for k, b in uncertainties.items()]
    model.levers = [parameter(k, b) for k, b in levers.items()]
    model.outcomes = [ema.ScalarOutcome(o) for o in outcomes]
    model.admsim = {"spec": spec, "inputs": names, "outcomes": list(outcomes), "threads": threads}
    return model


def _batch_evaluator_class():
    from ema_workbench.em_framework.evaluators import BaseEvaluator
    from ema_workbench.em_framework.points import experiment_generator

    class BatchEvaluator(BaseEvaluator):
        """Evaluates every experiment of an admsim EMA model in one batch call (C++, GIL released,
        common random numbers) instead of one Python call per experiment."""

        def initialize(self):
            pass

        def finalize(self):
            pass

        def evaluate_experiments(self, scenarios, policies, callback, combine="factorial"):
            experiments = list(experiment_generator(scenarios, self._msis, policies, combine=combine))
            for model in self._msis:
                mine = [e for e in experiments if e.model_name == model.name]
                if not mine:
                    continue
                info = model.admsim
                values = np.array([[{**e.scenario, **e.policy}[n] for n in info["inputs"]] for e in mine],
                                  dtype=float)
                Y = evaluate(info["spec"], info["inputs"], values, info["outcomes"], threads=info["threads"],
                             progress=False)
                for experiment, y in zip(mine, Y):
                    callback(experiment, dict(zip(info["outcomes"], map(float, y))))

    return BatchEvaluator


def perform(model, scenarios: int = 100, policies: int = 0, *, seed: int = 1):
    """``ema_workbench.perform_experiments`` through :class:`BatchEvaluator`: (experiments
    DataFrame, {outcome: array}). Sampling (Latin hypercube) is seeded, so a run repeats."""
    ema = _ema()
    import random

    random.seed(seed)  # the EMA Workbench's samplers draw from Python's and NumPy's generators
    np.random.seed(seed)
    with _batch_evaluator_class()(model) as evaluator:
        return ema.perform_experiments(model, scenarios=scenarios, policies=policies, evaluator=evaluator)


def discover(experiments: pd.DataFrame, cases: Any, *, min_coverage: float = 0.5, peel_alpha: float = 0.1):
    """Scenario discovery with PRIM: the box of uncertainties where ``cases`` (a boolean per
    experiment, e.g. "the trust beats in-house") is most often true. Returns the
    ``ema_workbench`` PRIM box at the densest point of its peeling trajectory that still covers
    at least ``min_coverage`` of the cases (``box.inspect()`` prints its limits, coverage and
    density)."""
    _ema()
    from ema_workbench.analysis import prim

    y = np.asarray(cases, dtype=bool)
    if y.all() or not y.any():
        raise ValueError(f"PRIM needs cases both true and false; all {len(y)} are {bool(y[0]) if len(y) else 'empty'}")
    if not 0 < min_coverage <= 1:
        raise ValueError(f"min_coverage is {min_coverage!r}; it must be in (0, 1]")
    x = experiments.drop(columns=[c for c in ("policy", "model", "scenario") if c in experiments.columns])
    # PRIM's threshold both marks the cases (y >= 0.5 is True) and is the density its last box
    # must reach, else it returns an unpeeled "dump box" and the trajectory is lost; 0.5, not a
    # high density, keeps the trajectory, and the point is chosen here.
    finder = prim.Prim(x, y, threshold=0.5, peel_alpha=peel_alpha)
    box = finder.find_box()
    stats = box.peeling_trajectory
    ok = stats.index[stats["coverage"] >= min_coverage]
    box.select(int(ok[stats.loc[ok, "density"].argmax()]) if len(ok) else 0)
    return box


def box_table(box) -> pd.DataFrame:
    """A PRIM box as a table: each uncertainty it restricts, with its [low, high]; the box's
    coverage (share of all cases inside) and density (share of its experiments that are cases)
    are in ``table.attrs``."""
    limits, full = box.box_lim, box.prim.box_init
    rows = [{"uncertainty": name, "low": float(limits[name].iloc[0]), "high": float(limits[name].iloc[1])}
            for name in limits.columns if not limits[name].equals(full[name])]
    table = pd.DataFrame(rows, columns=["uncertainty", "low", "high"])
    table.attrs.update(coverage=float(box.coverage), density=float(box.density))
    return table
