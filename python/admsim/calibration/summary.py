"""The shipped calibration summary (``data/calibration_summary.json``: the fitted
``improvement`` and the difference-in-differences, written by
``scripts/build_calibration_summary.py``) and the catalogue's prior beside it, for the catalogue
table and the report without fitting anything."""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

from ..distributions import distribution_quantiles

SUMMARY_FILE = "data/calibration_summary.json"


def prior_summary(dist: Mapping[str, Any] | None) -> dict[str, float]:
    """Mean, median and 90% interval (5% and 95% quantiles) of a catalogue effect distribution,
    as the engine draws it. ``None`` (the model leaves the hook out) is neutral: 0."""
    if not dist:
        return {"mean": 0.0, "median": 0.0, "p05": 0.0, "p95": 0.0}
    mean, (p05, median, p95) = distribution_quantiles(dist, "improvement")
    return {"mean": mean, "median": median, "p05": p05, "p95": p95}


@lru_cache(maxsize=1)
def _shipped_summary() -> str:
    return resources.files("admsim").joinpath(SUMMARY_FILE).read_text(encoding="utf-8")


def load_summary(path: str | Path | None = None) -> dict[str, Any]:
    """The calibration summary (default: the shipped ``data/calibration_summary.json``, written
    by ``scripts/build_calibration_summary.py``): its ``source``, the fitted ``improvement``
    (median, p05, p95, n_draws) and ``did_after_inadequate``."""
    text = _shipped_summary() if path is None else Path(path).read_text(encoding="utf-8")
    return json.loads(text)
