"""The one-call analyses, :func:`sobol` and :func:`morris`: design, evaluate, analyse."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

from ..catalogue import catalogue_json
from ..scenario import scenario_error, to_json
from .analysis import analyse
from .design import check_count, problem, sample
from .evaluate import check_inputs_outputs, check_names, evaluate_all
from .results import MorrisResult, SobolResult


def _prepare(spec: Mapping[str, Any], inputs: Sequence[str], outputs: Sequence[str], bounds: Any,
             catalogue_path: str | Path | None) -> tuple[str, str, list[str], list[str], dict]:
    if not isinstance(spec, Mapping):
        raise scenario_error("", "wrong type", type(spec).__name__, "a JSON object (dict)")
    inputs, outputs = check_names(inputs, "inputs"), check_names(outputs, "outputs")
    spec_json, cat_json = to_json(spec), catalogue_json(catalogue_path)
    check_inputs_outputs(spec_json, cat_json, inputs, outputs)
    return spec_json, cat_json, inputs, outputs, problem(inputs, bounds)


def sobol(
    spec: Mapping[str, Any],
    inputs: Sequence[str],
    outputs: Sequence[str],
    n: int = 512,
    bounds: Mapping[str, Sequence[float]] | Sequence[Sequence[float]] | None = None,
    seed: int | None = None,
    calc_second_order: bool = False,
    threads: int | None = None,
    *,
    num_resamples: int = 100,
    conf_level: float = 0.95,
    progress: bool = True,
    catalogue_path: str | Path | None = None,
) -> SobolResult:
    """Sobol indices of ``outputs`` with respect to ``inputs`` over ``bounds``.

    Samples with SALib's Sobol/Saltelli sampler (``n`` base rows, a power of 2: ``n * (d + 2)``
    evaluations, ``n * (2d + 2)`` with ``calc_second_order``), evaluates them in one C++ call,
    and analyses each output with ``SALib.analyze.sobol`` (bootstrap intervals from
    ``num_resamples`` resamples). ``seed`` (default: the scenario's seed) fixes the sample and
    the bootstrap; the scenario's own seed fixes the replicates.
    """
    spec_json, cat_json, inputs, outputs, prob = _prepare(spec, inputs, outputs, bounds, catalogue_path)
    n = check_count(n, "n", 2)
    seed = int(spec.get("seed", 1) if seed is None else seed)
    X = sample("sobol", prob, n, seed, calc_second_order=calc_second_order)
    Y = evaluate_all(spec_json, cat_json, inputs, X, outputs, threads, progress)
    return analyse("sobol", prob, X, Y, outputs, n=n, seed=seed, calc_second_order=calc_second_order,
                   num_resamples=num_resamples, conf_level=conf_level)


def morris(
    spec: Mapping[str, Any],
    inputs: Sequence[str],
    outputs: Sequence[str],
    trajectories: int = 20,
    levels: int = 4,
    bounds: Mapping[str, Sequence[float]] | Sequence[Sequence[float]] | None = None,
    seed: int | None = None,
    threads: int | None = None,
    *,
    num_resamples: int = 100,
    conf_level: float = 0.95,
    progress: bool = True,
    catalogue_path: str | Path | None = None,
) -> MorrisResult:
    """Morris screening (elementary effects) of ``outputs`` with respect to ``inputs``.

    SALib's Morris sampler draws ``trajectories`` one-at-a-time paths on a ``levels``-level grid
    (``trajectories * (d + 1)`` evaluations); ``SALib.analyze.morris`` gives μ, μ*, σ and a
    bootstrap interval on μ*.
    """
    spec_json, cat_json, inputs, outputs, prob = _prepare(spec, inputs, outputs, bounds, catalogue_path)
    trajectories = check_count(trajectories, "trajectories", 2)
    levels = check_count(levels, "levels", 2)
    seed = int(spec.get("seed", 1) if seed is None else seed)
    X = sample("morris", prob, trajectories, seed, levels=levels)
    Y = evaluate_all(spec_json, cat_json, inputs, X, outputs, threads, progress)
    return analyse("morris", prob, X, Y, outputs, n=trajectories, seed=seed, levels=levels,
                   num_resamples=num_resamples, conf_level=conf_level)
