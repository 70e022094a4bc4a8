"""Raw criterion values per model and replicate (simulated outcomes, catalogue attributes,
judgements) and their min-max normalisation across models."""
from __future__ import annotations

import warnings
from typing import Any, Mapping, Sequence

import numpy as np

from ..distributions import distribution_mean
from ..outputs import OUTCOMES
from .defaults import MISSING


def _attribute_value(c: dict, model: str, entry: Mapping[str, Any],
                     neutral: Mapping[str, float]) -> float:
    path = c["attribute"]
    if path.startswith("effects."):
        hook = path.split(".", 1)[1]
        dist = entry.get("effects", {}).get(hook)
        if dist is None:
            value: Any = c.get("neutral", neutral.get(hook))
            if value is None:
                raise ValueError(f"criterion {c['id']!r}: model {model!r} has no effect {hook!r} "
                                 "and the criterion gives no 'neutral' value")
            return float(value)
        value = distribution_mean(dist, hook)
    else:
        value = entry.get("attributes", {}).get(path, MISSING)
        if value is MISSING:
            raise ValueError(f"criterion {c['id']!r}: model {model!r} has no attribute {path!r}")
    if isinstance(value, (bool, np.bool_)):
        return float(value)
    if isinstance(value, str):
        levels = c.get("levels")
        if not levels or value not in levels:
            raise ValueError(f"criterion {c['id']!r}: attribute {path!r} of model {model!r} is "
                             f"{value!r}; give the criterion 'levels' mapping each value to a number")
        return float(levels[value])
    if isinstance(value, (list, tuple)) and len(value) == 2:
        return 0.5 * (float(value[0]) + float(value[1]))  # a [low, high] range: its midpoint
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    raise ValueError(f"criterion {c['id']!r}: attribute {path!r} of model {model!r} is {value!r}, "
                     "not a number, boolean, [low, high] range or level")


def raw_values(results: Any, criteria: list[dict], entries: Mapping[str, dict],
               neutral: Mapping[str, float], notes: list[str]) -> np.ndarray:
    """Raw criterion values, array (model, replicate, criterion), all models in results."""
    M, R = len(results.models), results.replicates
    out = np.empty((M, R, len(criteria)))
    for k, c in enumerate(criteria):
        if c["kind"] == "simulated":
            out[:, :, k] = results.outcomes[:, :, OUTCOMES.index(c["outcome"])]
        elif c["kind"] == "attribute":
            for m, model in enumerate(results.models):
                out[m, :, k] = _attribute_value(c, model, entries[model], neutral)
        else:
            scores = c.get("default_scores", {})
            lo, hi = c.get("scale", [1, 5])
            for m, model in enumerate(results.models):
                if model in scores:
                    out[m, :, k] = scores[model]
                else:
                    mid = 0.5 * (lo + hi)
                    notes.append(f"{c['id']}: no judgement for {model!r}; scored {mid:g} (neutral)")
                    warnings.warn(f"admsim.appraise: no {c['id']} judgement for model {model!r}; "
                                  f"using the neutral score {mid:g} (pass judgements=...)",
                                  stacklevel=3)
                    out[m, :, k] = mid
    return out


def normalise(values: np.ndarray, directions: Sequence[str]) -> np.ndarray:
    """Min-max normalise raw values, array (model, replicate, criterion), across models.

    For each replicate and criterion: ``(x - min) / (max - min)`` when higher is better,
    ``(max - x) / (max - min)`` when lower is better, so 1 is the best model and 0 the worst;
    where every model has the same value, every model scores 1.
    """
    values = np.asarray(values, dtype=float)
    lo = values.min(axis=0, keepdims=True)
    hi = values.max(axis=0, keepdims=True)
    span = hi - lo
    lower = np.array([d == "lower_is_better" for d in directions])
    oriented = np.where(lower, hi - values, values - lo)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(span > 0, oriented / np.where(span > 0, span, 1.0), 1.0)
    return z
