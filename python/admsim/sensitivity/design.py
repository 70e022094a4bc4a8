"""The design: the SALib problem (inputs and their bounds) and the sample drawn from it."""
from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

import numpy as np

from .. import _core
from ..catalogue import load_catalogue
from ..scenario import scenario_error
from .evaluate import check_names


METHODS = ("sobol", "morris")
_PARAMETERS: dict[str, dict[str, Any]] = {p["name"]: p for p in _core.parameter_table()}
_HOOKS: list[str] = list(_core.hook_names)


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
    (``'<model>.<hook>'``) and fields of the scenario's interventions and rules
    (``'interventions.0.size'``, ``'rules.1.threshold'``) have no default and need explicit bounds.
    """
    names = check_names(inputs, "inputs")
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
        elif name.startswith(("interventions.", "rules.")):
            # A field of the scenario's interventions or rules (the engine checks which exist).
            if name not in given:
                raise scenario_error(f"/inputs/{i}", f"{name} needs explicit bounds", name,
                                     f"bounds={{{name!r}: (low, high)}}")
            low, high = given[name]
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


# ---- sampling (SALib) -------------------------------------------------------------------------
def sample(method: str, prob: Mapping[str, Any], n: int, seed: int, *,
           calc_second_order: bool = False, levels: int = 4) -> np.ndarray:
    if method == "sobol":
        from SALib.sample import sobol as sobol_sample

        return sobol_sample.sample(dict(prob), n, calc_second_order=calc_second_order, seed=seed)
    from SALib.sample import morris as morris_sample

    return morris_sample.sample(dict(prob), n, num_levels=levels, seed=seed)


# Counts a design or config may ask for: 2^20 base samples is already ~10^7 rows for a few
# inputs (hours to days of engine time); beyond that the design itself would not fit in memory.
MAX_COUNT = 2**20


def check_count(value: Any, what: str, minimum: int = 1, maximum: int = MAX_COUNT) -> int:
    if (isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum
            or value > maximum):
        raise scenario_error(f"/{what}", "wrong value", value, f"an integer from {minimum} to {maximum}")
    return int(value)
