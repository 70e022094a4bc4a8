"""Effect distributions in the catalogue's notation (``{"dist": "normal", "mean": ..., ...}``):
their mean and quantiles, computed by the engine's own code so Python and C++ never disagree."""
from __future__ import annotations

import json
from typing import Any, Mapping

from . import _core


def distribution_quantiles(dist: Mapping[str, Any], hook: str,
                           quantiles=(0.05, 0.5, 0.95)) -> tuple[float, list[float]]:
    """Mean and quantiles of one effect distribution in the catalogue's notation, validated for
    ``hook`` and computed by the engine's own code (``_core.effect_distribution``)."""
    mean, q = _core.effect_distribution(hook, json.dumps(dict(dist)), list(quantiles))
    return float(mean), [float(x) for x in q]


def distribution_mean(dist: Mapping[str, Any], hook: str) -> float:
    """Mean of an effect distribution for ``hook``, as the engine draws it."""
    return distribution_quantiles(dist, hook, ())[0]
