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


def _uniform(value: Any, R: int, rng: np.random.Generator | None, what: str) -> np.ndarray:
    """``R`` uniform draws within a [low, high] range (``rng`` draws them), or ``value`` R times."""
    if isinstance(value, (list, tuple)):
        if rng is None:
            raise ValueError(f"{what} is a range {list(value)!r}: drawing within it needs a random "
                             "generator (pass rng=numpy.random.Generator(...))")
        lo, hi = float(value[0]), float(value[1])
        return lo + (hi - lo) * rng.random(R)
    return np.full(R, float(value))


def raw_values(outcomes: np.ndarray, models: Sequence[str], criteria: list[dict],
               entries: Mapping[str, dict], neutral: Mapping[str, float], notes: list[str],
               rng: np.random.Generator | None = None) -> np.ndarray:
    """Raw criterion values, array (model, replicate, criterion), all ``models``.

    ``outcomes`` is (model, replicate, outcome) in ``OUTCOMES`` order: a council's simulated
    outcomes, or a region's totals. Attribute criteria are the same in every replicate; a
    [low, high] attribute is scored at its midpoint unless the criterion says
    ``"ranges": "uniform"``, when it is drawn uniformly within the range in each replicate. A
    judgement score given as [low, high] is drawn uniformly within it in each replicate (``rng``
    draws both), so rank probabilities carry the judgement's uncertainty too.
    """
    M, R = len(models), outcomes.shape[1]
    out = np.empty((M, R, len(criteria)))
    for k, c in enumerate(criteria):
        if c["kind"] == "simulated":
            out[:, :, k] = outcomes[:, :, OUTCOMES.index(c["outcome"])]
        elif c["kind"] == "attribute":
            for m, model in enumerate(models):
                value = entries[model].get("attributes", {}).get(c["attribute"], MISSING)
                if c.get("ranges") == "uniform" and isinstance(value, (list, tuple)) and len(value) == 2:
                    out[m, :, k] = _uniform(value, R, rng, f"attribute {c['attribute']!r} of {model!r}")
                else:
                    out[m, :, k] = _attribute_value(c, model, entries[model], neutral)
        else:
            scores = c.get("default_scores", {})
            lo, hi = c.get("scale", [1, 5])
            for m, model in enumerate(models):
                if model in scores:
                    out[m, :, k] = _uniform(scores[model], R, rng, f"judgement {c['id']!r} of {model!r}")
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
