"""Global sensitivity analysis: Sobol and Morris indices over the C++ batch call.

>>> import admsim
>>> from admsim import sensitivity
>>> spec = admsim.build_scenario("example-county", ["in_house", "latc"], years=5, replicates=200)
>>> res = sensitivity.sobol(spec, ["quality_reversion_per_year", "latc.turnover"],
...                         ["latc.npv_cost"], n=256, bounds={"latc.turnover": (0.85, 1.15)})
>>> res.to_frame()          # S1, ST and their bootstrap intervals per (output, input)
>>> res.plot()              # bar chart with intervals

Sampling and analysis are SALib's (``SALib.sample.sobol`` / ``SALib.analyze.sobol``, and the
Morris pair); the model runs are one call into C++ (:func:`admsim._core.evaluate`) per batch of
rows, with the GIL released. Every row reuses the same replicate keys (common random numbers), so
an output differs between rows only because the inputs do, and the results are bit-identical for
any thread count, any chunking, and locally or on Dask.

:func:`run_chunks` is the nightly job behind ``admsim sensitivity``: it splits the sample into
chunks, evaluates them locally or as Dask tasks, writes each finished chunk atomically to
Parquet with its SHA-256 in ``checksums/``, skips the intact chunks already written when
restarted (a damaged one is evaluated again), then writes ``indices.csv``, plots and
``manifest.json``.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import platform
import time
import warnings
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, ClassVar, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from . import _core, jsonio
from .catalogue import catalogue_json as _catalogue_text
from .catalogue import load_catalogue
from .csvout import safe_frame
from .scenario import build_scenario, load_scenario, scenario_error, to_json
from .simulate import _Progress

METHODS = ("sobol", "morris")
_PARAMETERS: dict[str, dict[str, Any]] = {p["name"]: p for p in _core.parameter_table()}
_HOOKS: list[str] = list(_core.hook_names)

# Keys a run_chunks config may hold, and build_scenario's arguments (the short scenario form).
_CONFIG_KEYS = {"scenario", "inputs", "bounds", "outputs", "method", "n", "seed", "chunk_rows",
                "calc_second_order", "levels", "num_resamples", "conf_level"}
_BUILD_KEYS = {"profile", "models", "years", "replicates", "seed", "decision_month",
               "interventions", "parameters", "output", "baseline", "common_random_numbers"}
_SPEC_ONLY_KEYS = {"name", "description"}
_CHUNK_META = b"admsim.sensitivity"


# ---- the batch call ---------------------------------------------------------------------------
class _RowProgress(_Progress):
    """simulate's progress bar, counting rows (evaluations) rather than replicates."""

    def __init__(self, enabled: bool, total: int):
        super().__init__(enabled, total, unit="row", desc="admsim sensitivity")


def _check_threads(threads: int | None) -> int:
    if threads is not None and (isinstance(threads, bool) or not isinstance(threads, (int, np.integer))
                                or threads < 1):
        raise ValueError(f"threads must be a positive integer or None (all cores); got {threads!r}")
    return int(threads or 0)


def _check_names(names: Any, what: str) -> list[str]:
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


def _worker_versions() -> dict[str, str]:  # run on each Dask worker for the manifest
    import admsim

    return {"admsim": admsim.__version__, "python": platform.python_version()}


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
    effects that each row fixes; ``outputs`` are ``'<model>.<outcome>'``, each the mean over the
    scenario's replicates (NaN replicates, where the outcome is undefined, left out). Rows share
    random numbers, so the result does not depend on ``threads`` or on how rows are batched.
    Bad names or values raise :class:`admsim.ScenarioError` naming ``/inputs/i``, ``/outputs/j``
    or ``/values/r/c``.
    """
    nthreads = _check_threads(threads)
    if not isinstance(spec, Mapping):
        raise scenario_error("", "wrong type", type(spec).__name__, "a JSON object (dict)")
    inputs, outputs = _check_names(inputs, "inputs"), _check_names(outputs, "outputs")
    matrix = _values_matrix(values, len(inputs))
    bar = _RowProgress(progress, matrix.shape[0])
    try:
        return _core.evaluate(to_json(spec), _catalogue_text(catalogue_path), inputs,
                              matrix, outputs, nthreads, bar)
    finally:
        bar.close()


def _check_inputs_outputs(spec_json: str, catalogue_json: str, inputs: list[str],
                          outputs: list[str]) -> None:
    """Let C++ check the names against the scenario (models, hooks, outcomes) with zero rows."""
    _core.evaluate(spec_json, catalogue_json, inputs, np.zeros((0, len(inputs))), outputs, 1)
    seen: dict[str, int] = {}
    for i, name in enumerate(inputs):
        if name in seen:
            raise scenario_error(f"/inputs/{i}", "duplicate input", name,
                                 f"each input once (also /inputs/{seen[name]})")
        seen[name] = i


# ---- the SALib problem ------------------------------------------------------------------------
def _catalogue_hint(name: str) -> str:
    """The catalogue's range for a '<model>.<hook>' effect, as a hint for an error message."""
    model, _, hook = name.rpartition(".")
    try:
        for entry in load_catalogue()["models"]:
            if entry.get("id") == model:
                dist = entry.get("effects", {}).get(hook)
                if dist and "low" in dist and "high" in dist:
                    return f" (the catalogue's range for {name} is [{dist['low']}, {dist['high']}])"
    except Exception:  # a hint only
        pass
    return ""


def _pair(value: Any, pointer: str) -> tuple[float, float]:
    ok = (isinstance(value, (list, tuple, np.ndarray)) and len(value) == 2
          and all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
                  for v in value))
    if not ok:
        raise scenario_error(pointer, "wrong type", value, "a pair [low, high] of numbers")
    low, high = float(value[0]), float(value[1])
    if not (math.isfinite(low) and math.isfinite(high)):
        raise scenario_error(pointer, "non-finite bound", value, "finite numbers")
    if not low < high:
        raise scenario_error(pointer, "empty range", value, "low < high")
    return low, high


def problem(inputs: Sequence[str], bounds: Mapping[str, Sequence[float]] | Sequence[Sequence[float]]
            | None = None) -> dict[str, Any]:
    """The SALib problem dict ``{"num_vars", "names", "bounds"}`` for ``inputs``.

    ``bounds`` maps input names to ``(low, high)`` (or is a list of pairs, one per input). An
    engine parameter without bounds gets its plausible range ``[low, high]`` from
    ``parameter_table()``; explicit bounds must lie within its allowed ``[min, max]``. Effects
    (``'<model>.<hook>'``) have no default and need explicit bounds.
    """
    names = _check_names(inputs, "inputs")
    if not names:
        raise scenario_error("/inputs", "no inputs", [], "at least one input")
    given: dict[str, tuple[float, float]] = {}
    if bounds is None:
        pass
    elif isinstance(bounds, Mapping):
        for key, value in bounds.items():
            if key not in names:
                raise scenario_error(f"/bounds/{key}", "bounds for something that is not an input",
                                     key, "one of " + ", ".join(names))
            given[key] = _pair(value, f"/bounds/{key}")
    elif isinstance(bounds, (list, tuple, np.ndarray)) and len(bounds) == len(names):
        given = {name: _pair(b, f"/bounds/{i}") for i, (name, b) in enumerate(zip(names, bounds))}
    else:
        raise scenario_error("/bounds", "wrong type", bounds,
                             "a dict {input: [low, high]} or one [low, high] pair per input")
    out: list[list[float]] = []
    for i, name in enumerate(names):
        param = _PARAMETERS.get(name)
        if param is not None:
            low, high = given.get(name, (param["low"], param["high"]))
            if name not in given and not low < high:
                raise scenario_error(f"/inputs/{i}", f"{name} has no plausible range to vary over",
                                     [low, high], f"explicit bounds within [{param['min']}, {param['max']}]")
            if low < param["min"] or high > param["max"]:
                raise scenario_error(f"/bounds/{name}", f"bounds outside the allowed range of {name}",
                                     [low, high], f"within [{param['min']}, {param['max']}]")
        else:
            model, dot, hook = name.rpartition(".")
            if not dot or not model or hook not in _HOOKS:
                raise scenario_error(f"/inputs/{i}", "unknown engine parameter or effect hook", name,
                                     "an engine parameter (parameter_table()) or <model>.<hook> with a "
                                     "hook in " + ", ".join(_HOOKS))
            if name not in given:
                raise scenario_error(f"/inputs/{i}", f"the effect {name} needs explicit bounds", name,
                                     f"bounds={{{name!r}: (low, high)}}" + _catalogue_hint(name))
            low, high = given[name]
        out.append([float(low), float(high)])
    return {"num_vars": len(names), "names": names, "bounds": out}


# ---- sampling and analysis (SALib) ------------------------------------------------------------
def _sample(method: str, prob: Mapping[str, Any], n: int, seed: int, *,
            calc_second_order: bool = False, levels: int = 4) -> np.ndarray:
    if method == "sobol":
        from SALib.sample import sobol as sobol_sample

        return sobol_sample.sample(dict(prob), n, calc_second_order=calc_second_order, seed=seed)
    from SALib.sample import morris as morris_sample

    return morris_sample.sample(dict(prob), n, num_levels=levels, seed=seed)


def _undefined_outputs(outputs: list[str], Y: np.ndarray) -> set[str]:
    """Outputs whose indices are undefined: NaN in some rows, or constant over the sample.

    SALib's Sobol analyser reports 0 for both, which would read as "no input matters"; they
    get NaN indices and a warning instead.
    """
    bad = set()
    for j, name in enumerate(outputs):
        column = Y[:, j]
        nan = int(np.isnan(column).sum())
        if nan:
            warnings.warn(f"{name} is undefined (NaN) in {nan} of {len(Y)} rows, so its indices are "
                          "NaN; pick an outcome defined over the horizon", RuntimeWarning, stacklevel=3)
            bad.add(name)
        elif len(column) and np.all(column == column[0]):
            warnings.warn(f"{name} is the same in every row, so its indices are NaN (no variance "
                          "to apportion)", RuntimeWarning, stacklevel=3)
            bad.add(name)
    return bad


def _analyse(method: str, prob: Mapping[str, Any], X: np.ndarray, Y: np.ndarray, outputs: list[str],
             *, n: int, seed: int, calc_second_order: bool = False, levels: int = 4,
             num_resamples: int = 100, conf_level: float = 0.95) -> "SobolResult | MorrisResult":
    undefined = _undefined_outputs(outputs, Y)
    indices: dict[str, dict[str, np.ndarray]] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # 0/0 for constant or NaN outputs
        for j, name in enumerate(outputs):
            if method == "sobol":
                from SALib.analyze import sobol as sobol_analyze

                raw = sobol_analyze.analyze(dict(prob), Y[:, j], calc_second_order=calc_second_order,
                                            num_resamples=num_resamples, conf_level=conf_level,
                                            seed=seed)
            else:
                from SALib.analyze import morris as morris_analyze

                raw = morris_analyze.analyze(dict(prob), X, Y[:, j], num_resamples=num_resamples,
                                             conf_level=conf_level, num_levels=levels, seed=seed)
            indices[name] = {k: np.asarray(np.ma.filled(v, np.nan) if np.ma.isMaskedArray(v) else v,
                                           dtype=float)
                             for k, v in raw.items() if k != "names"}
            if name in undefined:
                for value in indices[name].values():
                    value[...] = np.nan
    cls = SobolResult if method == "sobol" else MorrisResult
    return cls(problem=dict(prob), outputs=list(outputs), X=X, Y=Y, indices=indices, n=n, seed=seed,
               conf_level=conf_level, calc_second_order=calc_second_order, levels=levels)


# ---- results ----------------------------------------------------------------------------------
@dataclass
class _Result:
    problem: dict[str, Any]
    outputs: list[str]
    X: np.ndarray  # the sample, (rows, inputs)
    Y: np.ndarray  # the outputs, (rows, outputs)
    indices: dict[str, dict[str, np.ndarray]]  # SALib's result per output
    n: int
    seed: int
    conf_level: float = 0.95
    calc_second_order: bool = False
    levels: int = 4
    manifest: dict[str, Any] | None = field(default=None, repr=False)

    _COLUMNS: ClassVar[tuple[str, ...]] = ()

    @property
    def inputs(self) -> list[str]:
        return list(self.problem["names"])

    def to_frame(self) -> pd.DataFrame:
        """Tidy indices: one row per (output, input), one column per index and interval."""
        rows = []
        for out in self.outputs:
            for i, name in enumerate(self.inputs):
                rows.append({"output": out, "input": name,
                             **{c: float(self.indices[out][c][i]) for c in self._COLUMNS}})
        return pd.DataFrame(rows, columns=["output", "input", *self._COLUMNS])

    def _which(self, output: str | None) -> list[str]:
        if output is None:
            return list(self.outputs)
        if output not in self.outputs:
            raise KeyError(f"unknown output {output!r}; known: {', '.join(self.outputs)}")
        return [output]

    @staticmethod
    def _grid(count: int, width: float, height: float):
        import matplotlib.pyplot as plt

        cols = min(2, count)
        rows = math.ceil(count / cols)
        fig, axes = plt.subplots(rows, cols, figsize=(width * cols, height * rows + 0.6),
                                 squeeze=False, layout="constrained")
        for ax in axes.flat[count:]:
            ax.set_visible(False)
        return fig, list(axes.flat)


class SobolResult(_Result):
    """Sobol indices per output: first-order ``S1`` and total ``ST`` with bootstrap intervals
    (``S1_conf``, ``ST_conf``: half-widths at ``conf_level``); ``S2`` when second order was asked."""

    _COLUMNS = ("S1", "S1_conf", "ST", "ST_conf")

    def __repr__(self) -> str:
        return (f"<admsim.sensitivity.SobolResult {len(self.inputs)} inputs x {len(self.outputs)} "
                f"outputs, N={self.n}, {len(self.Y)} evaluations>")

    def _table(self, key: str) -> pd.DataFrame:
        return pd.DataFrame({out: self.indices[out][key] for out in self.outputs}, index=self.inputs)

    @property
    def S1(self) -> pd.DataFrame:
        """First-order indices, input x output."""
        return self._table("S1")

    @property
    def ST(self) -> pd.DataFrame:
        """Total indices, input x output."""
        return self._table("ST")

    @property
    def S2(self) -> dict[str, pd.DataFrame]:
        """Second-order indices per output (input x input), if ``calc_second_order``."""
        if not self.calc_second_order:
            raise ValueError("second-order indices need calc_second_order=True")
        return {out: pd.DataFrame(self.indices[out]["S2"], index=self.inputs, columns=self.inputs)
                for out in self.outputs}

    def plot(self, output: str | None = None):
        """Bar chart of S1 and ST per input with their bootstrap intervals; one panel per output
        (all outputs by default). Returns a matplotlib Figure."""
        outs = self._which(output)
        names = self.inputs
        fig, axes = self._grid(len(outs), max(4.5, 0.55 * len(names) + 2), 3.8)
        x = np.arange(len(names))
        for ax, out in zip(axes, outs):
            ind = self.indices[out]
            ax.bar(x - 0.2, ind["S1"], 0.4, yerr=ind["S1_conf"], capsize=3, label="first order (S1)",
                   color="#4c72b0")
            ax.bar(x + 0.2, ind["ST"], 0.4, yerr=ind["ST_conf"], capsize=3, label="total (ST)",
                   color="#dd8452")
            ax.axhline(0, color="black", linewidth=0.6)
            ax.set_xticks(x, names, rotation=45, ha="right", fontsize=8)
            ax.set_title(out)
            ax.set_xlabel("input")
            ax.set_ylabel("Sobol index (share of variance)")
            ax.legend(fontsize=8)
        fig.suptitle(f"Sobol sensitivity indices (N = {self.n}, {len(self.Y)} evaluations)\n"
                     f"error bars: {self.conf_level:.0%} bootstrap intervals", fontsize=10)
        return fig


class MorrisResult(_Result):
    """Morris elementary-effect statistics per output: ``mu``, ``mu_star`` (mean absolute effect),
    ``sigma`` and ``mu_star_conf`` (bootstrap half-width at ``conf_level``)."""

    _COLUMNS = ("mu", "mu_star", "sigma", "mu_star_conf")

    def __repr__(self) -> str:
        return (f"<admsim.sensitivity.MorrisResult {len(self.inputs)} inputs x {len(self.outputs)} "
                f"outputs, {self.n} trajectories, {len(self.Y)} evaluations>")

    def plot(self, output: str | None = None):
        """μ*–σ scatter with input labels (and μ* intervals), one panel per output. Returns a
        matplotlib Figure."""
        outs = self._which(output)
        fig, axes = self._grid(len(outs), 5.5, 4.2)
        for ax, out in zip(axes, outs):
            ind = self.indices[out]
            ax.errorbar(ind["mu_star"], ind["sigma"], xerr=ind["mu_star_conf"], fmt="o",
                        color="#4c72b0", ecolor="#9bb0d3", capsize=3)
            for i, name in enumerate(self.inputs):
                ax.annotate(name, (ind["mu_star"][i], ind["sigma"][i]), fontsize=7,
                            xytext=(4, 3), textcoords="offset points")
            top = np.nanmax(np.concatenate([ind["mu_star"], ind["sigma"], [0.0]]))
            if np.isfinite(top) and top > 0:
                ax.plot([0, top], [0, top], linestyle=":", color="grey", linewidth=0.8,
                        label="σ = μ*")
                ax.legend(fontsize=8, loc="upper left")
            ax.ticklabel_format(style="sci", axis="both", scilimits=(-3, 4))
            ax.set_title(out)
            ax.set_xlabel("μ* (mean absolute elementary effect)")
            ax.set_ylabel("σ (SD of elementary effects)")
        fig.suptitle(f"Morris screening ({self.n} trajectories, {self.levels} levels)\n"
                     f"error bars: {self.conf_level:.0%} bootstrap intervals on μ*", fontsize=10)
        return fig


# ---- one-call analyses ------------------------------------------------------------------------
def _prepare(spec: Mapping[str, Any], inputs: Sequence[str], outputs: Sequence[str], bounds: Any,
             catalogue_path: str | Path | None) -> tuple[str, str, list[str], list[str], dict]:
    if not isinstance(spec, Mapping):
        raise scenario_error("", "wrong type", type(spec).__name__, "a JSON object (dict)")
    inputs, outputs = _check_names(inputs, "inputs"), _check_names(outputs, "outputs")
    spec_json, cat_json = to_json(spec), _catalogue_text(catalogue_path)
    _check_inputs_outputs(spec_json, cat_json, inputs, outputs)
    return spec_json, cat_json, inputs, outputs, problem(inputs, bounds)


# Counts a design or config may ask for: 2^20 base samples is already ~10^7 rows for a few
# inputs (hours to days of engine time); beyond that the design itself would not fit in memory.
MAX_COUNT = 2**20


def _check_count(value: Any, what: str, minimum: int = 1, maximum: int = MAX_COUNT) -> int:
    if (isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum
            or value > maximum):
        raise scenario_error(f"/{what}", "wrong value", value, f"an integer from {minimum} to {maximum}")
    return int(value)


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
    n = _check_count(n, "n", 2)
    seed = int(spec.get("seed", 1) if seed is None else seed)
    X = _sample("sobol", prob, n, seed, calc_second_order=calc_second_order)
    Y = _evaluate_all(spec_json, cat_json, inputs, X, outputs, threads, progress)
    return _analyse("sobol", prob, X, Y, outputs, n=n, seed=seed, calc_second_order=calc_second_order,
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
    trajectories = _check_count(trajectories, "trajectories", 2)
    levels = _check_count(levels, "levels", 2)
    seed = int(spec.get("seed", 1) if seed is None else seed)
    X = _sample("morris", prob, trajectories, seed, levels=levels)
    Y = _evaluate_all(spec_json, cat_json, inputs, X, outputs, threads, progress)
    return _analyse("morris", prob, X, Y, outputs, n=trajectories, seed=seed, levels=levels,
                    num_resamples=num_resamples, conf_level=conf_level)


def _evaluate_all(spec_json: str, cat_json: str, inputs: list[str], X: np.ndarray,
                  outputs: list[str], threads: int | None, progress: bool) -> np.ndarray:
    nthreads = _check_threads(threads)
    bar = _RowProgress(progress, len(X))
    try:
        return _core.evaluate(spec_json, cat_json, inputs, np.ascontiguousarray(X), outputs,
                              nthreads, bar)
    finally:
        bar.close()


# ---- the chunked, resumable nightly runner ----------------------------------------------------
def _canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _sha256(text: str | bytes) -> str:
    return hashlib.sha256(text.encode() if isinstance(text, str) else text).hexdigest()


def scenario_hash(spec: Mapping[str, Any]) -> str:
    """sha256 of the canonical JSON of a spec (sorted keys, no whitespace)."""
    return _sha256(_canonical(json.loads(to_json(spec))))


def _load_config(config: Mapping[str, Any] | str | Path) -> tuple[dict[str, Any], Path | None]:
    if isinstance(config, (str, Path)):
        path = Path(config)
        loaded = jsonio.read(path, "sensitivity config")  # strict: duplicate keys, NaN, depth
        if not isinstance(loaded, dict):
            raise scenario_error("", "wrong type", type(loaded).__name__, "a JSON object")
        return loaded, path.parent
    if not isinstance(config, Mapping):
        raise scenario_error("", "wrong type", type(config).__name__, "a dict or a path to a JSON file")
    return dict(config), None


def _resolve_spec(scenario: Any, base: Path | None) -> dict[str, Any]:
    """The config's scenario: a path to a scenario file, build_scenario arguments, or a spec."""
    if isinstance(scenario, str):
        path = Path(scenario)
        if base is not None and not path.is_absolute():
            path = base / path
        return load_scenario(path)
    if not isinstance(scenario, Mapping):
        raise scenario_error("/scenario", "wrong type", scenario,
                             "build_scenario arguments, a scenario spec, or a path to a scenario JSON")
    scenario = dict(scenario)
    for key in scenario:
        if key not in _BUILD_KEYS | _SPEC_ONLY_KEYS:
            raise scenario_error(f"/scenario/{key}", "unknown key", key,
                                 ", ".join(sorted(_BUILD_KEYS | _SPEC_ONLY_KEYS)))
    profile = scenario.get("profile", "example-county")
    if isinstance(profile, str) and base is not None and (base / profile).is_file():
        scenario["profile"] = str(base / profile)  # relative to the config file, as load_scenario
    if set(scenario) <= _BUILD_KEYS:
        return build_scenario(**scenario)
    spec = dict(scenario)  # a full spec (has name/description): keep it as written
    if isinstance(spec.get("profile"), str):
        from .scenario import _resolve_profile

        spec["profile"] = _resolve_profile(spec["profile"])
    return spec


@dataclass
class _Plan:
    spec: dict[str, Any]
    spec_json: str
    catalogue_json: str
    inputs: list[str]
    outputs: list[str]
    problem: dict[str, Any]
    method: str
    n: int
    seed: int
    chunk_rows: int
    calc_second_order: bool
    levels: int
    num_resamples: int
    conf_level: float
    X: np.ndarray
    key: dict[str, Any]  # everything that fixes the chunks' contents
    digest: str

    @property
    def rows(self) -> int:
        return len(self.X)

    @property
    def chunks(self) -> list[tuple[int, int]]:
        return [(a, min(a + self.chunk_rows, self.rows)) for a in range(0, self.rows, self.chunk_rows)]


def _make_plan(config: Mapping[str, Any] | str | Path) -> _Plan:
    cfg, base = _load_config(config)
    for key in cfg:
        if key not in _CONFIG_KEYS:
            raise scenario_error(f"/{key}", "unknown key", key, ", ".join(sorted(_CONFIG_KEYS)))
    for key in ("scenario", "inputs", "outputs"):
        if key not in cfg:
            raise scenario_error(f"/{key}", "missing", None, f"a {key} entry")
    method = cfg.get("method", "sobol")
    if method not in METHODS:
        raise scenario_error("/method", "unknown method", method, " or ".join(METHODS))
    spec = _resolve_spec(cfg["scenario"], base)
    spec_json = to_json(spec)
    catalogue = load_catalogue()
    catalogue_json = json.dumps(catalogue)
    inputs, outputs = _check_names(cfg["inputs"], "inputs"), _check_names(cfg["outputs"], "outputs")
    _check_inputs_outputs(spec_json, catalogue_json, inputs, outputs)
    prob = problem(inputs, cfg.get("bounds"))
    n = _check_count(cfg.get("n", 512 if method == "sobol" else 20), "n", 2)
    seed = _check_count(cfg.get("seed", 1), "seed", 0, 2**53)
    chunk_rows = _check_count(cfg.get("chunk_rows", 256), "chunk_rows", 1)
    second = cfg.get("calc_second_order", False)
    if not isinstance(second, bool):
        raise scenario_error("/calc_second_order", "wrong type", second, "true or false")
    levels = _check_count(cfg.get("levels", 4), "levels", 2)
    resamples = _check_count(cfg.get("num_resamples", 100), "num_resamples", 1)
    conf = cfg.get("conf_level", 0.95)
    if isinstance(conf, bool) or not isinstance(conf, (int, float)) or not 0 < conf < 1:
        raise scenario_error("/conf_level", "wrong value", conf, "a number in (0, 1)")
    X = np.ascontiguousarray(_sample(method, prob, n, seed, calc_second_order=second, levels=levels),
                             dtype=np.float64)
    import admsim

    key = {
        "admsim": admsim.__version__,
        "scenario_sha256": scenario_hash(spec),
        "catalogue_sha256": _sha256(_canonical(catalogue)),
        "method": method, "n": n, "seed": seed, "inputs": inputs, "bounds": prob["bounds"],
        "outputs": outputs, "calc_second_order": second if method == "sobol" else None,
        "levels": levels if method == "morris" else None, "chunk_rows": chunk_rows,
        "rows": int(len(X)), "sample_sha256": _sha256(X.tobytes()),
    }
    return _Plan(spec, spec_json, catalogue_json, inputs, outputs, prob, method, n, seed, chunk_rows,
                 second, levels, resamples, float(conf), X, key, _sha256(_canonical(key)))


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _chunk_path(chunks_dir: Path, i: int) -> Path:
    return chunks_dir / f"chunk_{i:05d}.parquet"


def _sidecar_path(path: Path) -> Path:
    # In out_dir/checksums, not beside the chunk: chunks/ stays a pure Parquet dataset, which
    # pd.read_parquet(out_dir / "chunks") reads whole (it fails on any non-Parquet file there).
    return path.parent.parent / "checksums" / (path.name + ".sha256")


def _outputs_sha256(Y: np.ndarray) -> str:
    return _sha256(np.ascontiguousarray(Y, dtype=np.float64).tobytes())


def _write_chunk(plan: _Plan, chunks_dir: Path, i: int, first: int, Y: np.ndarray) -> None:
    """Write one finished chunk: to a temporary name, then os.replace (atomic on POSIX).

    ``out_dir/checksums/chunk_NNNNN.parquet.sha256`` (``sha256sum -c`` format, run in out_dir)
    holds the file's SHA-256; the outputs' own SHA-256 goes in the Parquet metadata, and the
    pages carry CRCs.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    last = first + len(Y)
    columns = {"row": pa.array(np.arange(first, last, dtype=np.int64))}
    for j, name in enumerate(plan.inputs):
        columns[f"input:{name}"] = pa.array(plan.X[first:last, j])
    for j, name in enumerate(plan.outputs):
        columns[f"output:{name}"] = pa.array(np.ascontiguousarray(Y[:, j]))
    meta = {"plan_sha256": plan.digest, "chunk": i, "first_row": first, "rows": len(Y),
            "outputs_sha256": _outputs_sha256(Y)}
    table = pa.table(columns).replace_schema_metadata({_CHUNK_META: _canonical(meta).encode()})
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, write_page_checksum=True)
    data = sink.getvalue().to_pybytes()
    path = _chunk_path(chunks_dir, i)
    # Sidecar first: a kill between the two writes leaves no chunk file, never an unchecked one.
    _write_atomic(_sidecar_path(path), f"{_sha256(data)}  chunks/{path.name}\n".encode())
    _write_atomic(path, data)


def _read_chunk(plan: _Plan, path: Path, i: int, first: int, last: int) -> np.ndarray | None:
    """A finished chunk's outputs, or None (with a warning naming the file) if it fails a check.

    Checked: the file's SHA-256 against checksums/, the Parquet page CRCs, that it is this
    plan's chunk i (metadata, rows, inputs), and the outputs' SHA-256 against the metadata.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    def damaged(why: str) -> None:
        warnings.warn(f"chunk {path} {why}: evaluating it again", RuntimeWarning, stacklevel=3)

    sidecar = _sidecar_path(path)
    try:
        data = path.read_bytes()  # hash and parse the same bytes
        listed = sidecar.read_text(encoding="ascii").split()
    except FileNotFoundError:
        return damaged(f"has no checksum file {sidecar}")
    except (OSError, UnicodeDecodeError) as err:
        return damaged(f"or its checksum file is unreadable ({err})")
    if listed[:1] != [_sha256(data)]:
        return damaged(f"does not match its checksum in {sidecar}")
    try:
        table = pq.read_table(pa.BufferReader(data), page_checksum_verification=True)
        meta = json.loads((table.schema.metadata or {}).get(_CHUNK_META, b"{}"))
        rows = table.column("row").to_numpy()
        X = np.column_stack([table.column(f"input:{name}").to_numpy() for name in plan.inputs])
        Y = np.column_stack([table.column(f"output:{name}").to_numpy() for name in plan.outputs])
    except Exception as err:  # unreadable Parquet, a page CRC error, a missing column
        return damaged(f"is unreadable ({type(err).__name__}: {err})")
    if meta.get("plan_sha256") != plan.digest or meta.get("chunk") != i:
        return damaged("belongs to another run or chunk")
    if not (np.array_equal(rows, np.arange(first, last)) and np.array_equal(X, plan.X[first:last])):
        return damaged("has the wrong rows or inputs")
    if meta.get("outputs_sha256") != _outputs_sha256(Y):
        return damaged("has outputs that do not match their checksum")
    return np.ascontiguousarray(Y, dtype=np.float64)


def read_chunks(out_dir: str | Path) -> pd.DataFrame:
    """All chunks written in ``out_dir/chunks`` as one frame (row, input:*, output:*), by row."""
    import pyarrow.parquet as pq

    files = sorted((Path(out_dir) / "chunks").glob("chunk_*.parquet"))
    if not files:
        return pd.DataFrame()
    frame = pd.concat([pq.read_table(f).to_pandas() for f in files], ignore_index=True)
    return frame.sort_values("row", kind="stable").reset_index(drop=True)


def _check_plan_file(plan: _Plan, out_dir: Path) -> None:
    path = out_dir / "plan.json"
    if path.exists():
        try:
            old = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            old = None
        if old != plan.key:
            diff = (sorted(k for k in plan.key if not isinstance(old, dict) or old.get(k) != plan.key[k])
                    or ["plan.json"])
            raise ValueError(f"{out_dir} holds a different sensitivity run (differs in: "
                             f"{', '.join(diff)}); use a new --out directory or delete {out_dir}")
    else:
        _write_atomic(path, (json.dumps(plan.key, indent=2) + "\n").encode())


def _versions() -> dict[str, str | None]:
    import admsim

    def version(dist: str) -> str | None:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return None

    return {"admsim": admsim.__version__, "SALib": version("SALib"), "numpy": np.__version__,
            "pandas": pd.__version__, "pyarrow": version("pyarrow"), "dask": version("dask"),
            "distributed": version("distributed"), "python": platform.python_version()}


def run_chunks(
    config: Mapping[str, Any] | str | Path,
    out_dir: str | Path,
    scheduler: str | None = None,
    local_cluster: int | None = None,
    *,
    threads: int | None = None,
    progress: bool = True,
) -> SobolResult | MorrisResult:
    """Run a sensitivity analysis from ``config`` in chunks, resumably, and write its results.

    ``config`` (a dict or a JSON file) holds ``scenario`` (:func:`admsim.build_scenario`
    arguments, a full scenario spec, or a path to a scenario JSON), ``inputs``, optional
    ``bounds`` ({input: [low, high]}), ``outputs``, ``method`` ("sobol" or "morris"), ``n``
    (Sobol base rows, or Morris trajectories), ``seed``, ``chunk_rows``, and optionally
    ``calc_second_order``, ``levels``, ``num_resamples``, ``conf_level``.

    The sample is drawn from ``seed`` and split into chunks of ``chunk_rows`` rows. Each chunk is
    evaluated locally (``threads``, default all cores), or as a Dask task on the scheduler at
    ``scheduler`` or on a ``LocalCluster(local_cluster, threads_per_worker=1)``, and written as
    soon as it finishes to ``out_dir/chunks/chunk_NNNNN.parquet`` (temporary name, then
    ``os.replace``), with its SHA-256 in ``out_dir/checksums/``. A restarted run skips the
    chunks already written, so a run killed at any point loses at most the chunks in flight; a
    directory holding a different run is refused. A written chunk that fails a check (unreadable,
    page CRC error, missing or mismatched checksum, wrong rows or inputs) is never trusted: it is
    evaluated and written again, with a ``RuntimeWarning`` naming the file.
    Finally writes ``indices.csv``, ``plots/*.png`` and ``manifest.json`` to ``out_dir``.
    """
    if scheduler is not None and local_cluster is not None:
        raise ValueError("give a scheduler address or a local cluster size, not both")
    if local_cluster is not None:
        _check_count(local_cluster, "local_cluster", 1)
    nthreads = _check_threads(threads)
    clock = time.monotonic()
    timings: dict[str, float] = {}

    t = time.monotonic()
    plan = _make_plan(config)
    timings["sample"] = time.monotonic() - t

    out = Path(out_dir)
    chunks_dir = out / "chunks"
    chunks_dir.mkdir(parents=True, exist_ok=True)
    _check_plan_file(plan, out)
    (out / "checksums").mkdir(exist_ok=True)
    for stale in [*chunks_dir.glob(".*.tmp-*"), *(out / "checksums").glob(".*.tmp-*")]:
        stale.unlink(missing_ok=True)  # left by a run killed mid-write

    t = time.monotonic()
    Y = np.full((plan.rows, len(plan.outputs)), np.nan)
    todo: list[int] = []
    for i, (a, b) in enumerate(plan.chunks):
        path = _chunk_path(chunks_dir, i)
        got = _read_chunk(plan, path, i, a, b) if path.exists() else None
        if got is None:
            todo.append(i)
        else:
            Y[a:b] = got
    timings["resume_scan"] = time.monotonic() - t
    skipped = len(plan.chunks) - len(todo)

    bar = _RowProgress(progress, plan.rows)
    done_rows = plan.rows - sum(plan.chunks[i][1] - plan.chunks[i][0] for i in todo)
    bar(done_rows, plan.rows)
    workers: dict[str, Any] | None = None
    t = time.monotonic()
    try:
        if scheduler is None and local_cluster is None:
            mode = {"kind": "local", "threads": nthreads or os.cpu_count()}
            for i in todo:
                a, b = plan.chunks[i]
                before = done_rows
                chunk_bar = (lambda d, total, before=before: bar(before + d, plan.rows))  # noqa: E731
                Y[a:b] = _core.evaluate(plan.spec_json, plan.catalogue_json, plan.inputs, plan.X[a:b],
                                        plan.outputs, nthreads, chunk_bar)
                _write_chunk(plan, chunks_dir, i, a, Y[a:b])
                done_rows += b - a
                bar(done_rows, plan.rows)
        else:
            mode, workers, done_rows = _run_dask(plan, chunks_dir, todo, Y, scheduler, local_cluster,
                                                 bar, done_rows, timings)
    finally:
        bar.close()
    timings["evaluate"] = time.monotonic() - t - timings.get("cluster_start", 0.0)

    t = time.monotonic()
    result = _analyse(plan.method, plan.problem, plan.X, Y, plan.outputs, n=plan.n, seed=plan.seed,
                      calc_second_order=plan.calc_second_order, levels=plan.levels,
                      num_resamples=plan.num_resamples, conf_level=plan.conf_level)
    timings["analyse"] = time.monotonic() - t

    t = time.monotonic()
    _write_atomic(out / "indices.csv", safe_frame(result.to_frame()).to_csv(index=False).encode())
    plots = _write_plots(result, out / "plots")
    timings["write"] = time.monotonic() - t
    timings["total"] = time.monotonic() - clock

    rm = plan.rows * len(plan.spec["models"]) * int(plan.spec["replicates"]) * 12 * int(plan.spec["years"])
    manifest = {
        "scenario_sha256": plan.key["scenario_sha256"],
        "catalogue_sha256": plan.key["catalogue_sha256"],
        "plan_sha256": plan.digest,
        "sample_sha256": plan.key["sample_sha256"],
        "scenario": {"profile": (plan.spec["profile"].get("slug") or plan.spec["profile"].get("name")
                                 if isinstance(plan.spec.get("profile"), Mapping) else plan.spec.get("profile")),
                     "models": [m if isinstance(m, str) else m.get("id") for m in plan.spec["models"]],
                     "years": plan.spec.get("years"), "replicates": plan.spec.get("replicates"),
                     "seed": plan.spec.get("seed")},
        "method": plan.method, "n": plan.n, "seed": plan.seed,
        "calc_second_order": plan.key["calc_second_order"], "levels": plan.key["levels"],
        "num_resamples": plan.num_resamples, "conf_level": plan.conf_level,
        "inputs": plan.inputs, "bounds": dict(zip(plan.inputs, plan.problem["bounds"])),
        "outputs": plan.outputs,
        "rows": plan.rows, "chunk_rows": plan.chunk_rows,
        "chunks": {"total": len(plan.chunks), "evaluated": len(todo), "skipped": skipped},
        "replicate_months": rm,
        "mode": mode, "versions": _versions(), "worker_versions": workers,
        "timings_s": {k: round(v, 4) for k, v in timings.items()},
        "files": {"indices": "indices.csv", "plots": [str(p.relative_to(out)) for p in plots],
                  "chunks": "chunks/", "checksums": "checksums/"},
    }
    _write_atomic(out / "manifest.json", (json.dumps(manifest, indent=2) + "\n").encode())
    result.manifest = manifest
    return result


def _run_dask(plan: _Plan, chunks_dir: Path, todo: list[int], Y: np.ndarray, scheduler: str | None,
              local_cluster: int | None, bar: _RowProgress, done_rows: int,
              timings: dict[str, float]) -> tuple[dict[str, Any], dict[str, Any], int]:
    import logging

    from dask.distributed import Client, LocalCluster, as_completed

    t = time.monotonic()
    cluster = None
    if scheduler is not None:
        client = Client(scheduler)
        mode: dict[str, Any] = {"kind": "dask", "scheduler": scheduler}
    else:
        cluster = LocalCluster(n_workers=local_cluster, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=logging.ERROR)
        client = Client(cluster)
        mode = {"kind": "dask-local-cluster", "workers": local_cluster, "threads_per_worker": 1}
    futures = []
    try:
        workers = client.run(_worker_versions)  # also imports admsim on every worker
        mode["workers_seen"] = len(workers)
        mine = _worker_versions()["admsim"]
        if any(w.get("admsim") != mine for w in workers.values()):
            warnings.warn(f"Dask workers run admsim {sorted({w.get('admsim') for w in workers.values()})}, "
                          f"this process {mine}: results may differ from a local run", RuntimeWarning,
                          stacklevel=3)
        timings["cluster_start"] = time.monotonic() - t  # connect or start, and warm the workers
        if todo:
            spec_f, cat_f = client.scatter([plan.spec_json, plan.catalogue_json], broadcast=True)
            index = {}
            for i in todo:
                a, b = plan.chunks[i]
                fut = client.submit(evaluate_chunk, spec_f, cat_f, plan.inputs, plan.X[a:b],
                                    plan.outputs, 1, key=f"admsim-chunk-{plan.digest[:12]}-{i:05d}",
                                    pure=False, retries=1)
                index[fut.key] = i
                futures.append(fut)
            for fut in as_completed(futures):
                i = index[fut.key]
                a, b = plan.chunks[i]
                Y[a:b] = fut.result()  # raises the task's error, if any
                _write_chunk(plan, chunks_dir, i, a, Y[a:b])
                fut.release()
                done_rows += b - a
                bar(done_rows, plan.rows)
    finally:
        if futures:
            client.cancel([f for f in futures if not f.done()])
        client.close()
        if cluster is not None:
            cluster.close()
    return mode, workers, done_rows


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in name)


def _write_plots(result: _Result, plots_dir: Path) -> list[Path]:
    import matplotlib.pyplot as plt  # without a display matplotlib falls back to Agg

    plots_dir.mkdir(parents=True, exist_ok=True)
    method = "sobol" if isinstance(result, SobolResult) else "morris"
    paths = []
    for out in result.outputs:
        fig = result.plot(out)
        path = plots_dir / f"{method}_{_slug(out)}.png"
        tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}.png")
        fig.savefig(tmp, dpi=110)
        plt.close(fig)
        os.replace(tmp, path)
        paths.append(path)
    return paths
