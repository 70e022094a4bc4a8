"""The batch call: rows of input values evaluated in one call into C++ (``_core.evaluate``), with
the GIL released and every row on the same replicate keys (common random numbers)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from .. import _core
from ..catalogue import catalogue_json
from ..progress import Progress
from ..scenario import scenario_error, to_json


class RowProgress(Progress):
    """simulate's progress bar, counting rows (evaluations) rather than replicates."""

    def __init__(self, enabled: bool, total: int, desc: str = "admsim sensitivity"):
        super().__init__(enabled, total, unit="row", desc=desc)


def check_threads(threads: int | None) -> int:
    if threads is not None and (isinstance(threads, bool) or not isinstance(threads, (int, np.integer))
                                or threads < 1):
        raise ValueError(f"threads must be a positive integer or None (all cores); got {threads!r}")
    return int(threads or 0)


def check_names(names: Any, what: str) -> list[str]:
    if isinstance(names, str) or not isinstance(names, Iterable):
        raise scenario_error(f"/{what}", "wrong type", names, f"a list of {what[:-1]} names")
    names = list(names)
    for i, name in enumerate(names):
        if not isinstance(name, str):
            raise scenario_error(f"/{what}/{i}", "wrong type", name, "a string")
    return names


def _values_matrix(values: Any, d: int) -> np.ndarray:
    arr = np.ascontiguousarray(np.asarray(values, dtype=np.float64))
    if arr.ndim != 2 or arr.shape[1] != d:
        raise scenario_error("/values", "wrong shape", f"an array of shape {arr.shape}",
                             f"a 2-d array (rows, {d}) with one column per input")
    return arr


def evaluate_chunk(spec_json: str, catalogue_json: str, inputs: list[str], values: np.ndarray,
                   outputs: list[str], threads: int = 1) -> np.ndarray:
    """Evaluate one chunk of rows: the task that runs locally or on a Dask worker.

    Takes only plain JSON strings, name lists and a NumPy array, so it pickles; on Dask it runs
    with ``threads=1`` (one task per worker thread). Returns an array (rows, len(outputs)).
    """
    return _core.evaluate(spec_json, catalogue_json, list(inputs),
                          np.ascontiguousarray(values, dtype=np.float64), list(outputs), int(threads))


def evaluate(
    spec: Mapping[str, Any],
    inputs: Sequence[str],
    values: Any,
    outputs: Sequence[str],
    threads: int | None = None,
    progress: bool = True,
    *,
    catalogue_path: str | Path | None = None,
) -> np.ndarray:
    """Evaluate rows of input values: an array (n, len(inputs)) -> an array (n, len(outputs)).

    ``inputs`` are engine parameters (``admsim._core.parameter_table()``) or ``'<model>.<hook>'``
    effects, or fields of the scenario's interventions and rules (``'interventions.0.size'``,
    ``'rules.0.threshold'``), that each row fixes; ``outputs`` are ``'<model>.<outcome>'`` or
    ``'<model>.<metric>@end'`` / ``'@mean'`` (a monthly metric in the last month, or averaged
    over the months), each the mean over the
    scenario's replicates (NaN replicates, where the outcome is undefined, left out). Rows share
    random numbers, so the result does not depend on ``threads`` or on how rows are batched.
    Bad names or values raise :class:`admsim.ScenarioError` naming ``/inputs/i``, ``/outputs/j``
    or ``/values/r/c``.
    """
    nthreads = check_threads(threads)
    if not isinstance(spec, Mapping):
        raise scenario_error("", "wrong type", type(spec).__name__, "a JSON object (dict)")
    inputs, outputs = check_names(inputs, "inputs"), check_names(outputs, "outputs")
    matrix = _values_matrix(values, len(inputs))
    bar = RowProgress(progress, matrix.shape[0])
    try:
        return _core.evaluate(to_json(spec), catalogue_json(catalogue_path), inputs,
                              matrix, outputs, nthreads, bar)
    finally:
        bar.close()


def check_inputs_outputs(spec_json: str, catalogue_json: str, inputs: list[str],
                         outputs: list[str]) -> None:
    """Let C++ check the names against the scenario (models, hooks, outcomes) with zero rows."""
    _core.evaluate(spec_json, catalogue_json, inputs, np.zeros((0, len(inputs))), outputs, 1)
    seen: dict[str, int] = {}
    for i, name in enumerate(inputs):
        if name in seen:
            raise scenario_error(f"/inputs/{i}", "duplicate input", name,
                                 f"each input once (also /inputs/{seen[name]})")
        seen[name] = i


def evaluate_all(spec_json: str, cat_json: str, inputs: list[str], X: np.ndarray,
                 outputs: list[str], threads: int | None, progress: bool) -> np.ndarray:
    nthreads = check_threads(threads)
    bar = RowProgress(progress, len(X))
    try:
        return _core.evaluate(spec_json, cat_json, inputs, np.ascontiguousarray(X), outputs,
                              nthreads, bar)
    finally:
        bar.close()
