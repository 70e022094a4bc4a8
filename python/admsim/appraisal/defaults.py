"""The appraisal's vocabulary and its shipped defaults (``admsim/data/appraisal.json``: gateway
questions, criteria, weights and ranges, default judgement scores, the critical success factors,
each with its source)."""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any


GROUPS = ("desirability", "viability", "feasibility")
DIRECTIONS = ("higher_is_better", "lower_is_better")
KINDS = ("simulated", "judgement", "attribute")
MISSING = object()


@lru_cache(maxsize=None)
def _shipped(name: str) -> str:
    return resources.files("admsim").joinpath(f"data/{name}").read_text(encoding="utf-8")


def shipped_json(name: str) -> dict[str, Any]:
    """A fresh copy of the shipped ``admsim/data/<name>`` (read from the package once)."""
    return json.loads(_shipped(name))


def defaults() -> dict[str, Any]:
    """The shipped appraisal defaults (a fresh copy of ``admsim/data/appraisal.json``)."""
    return shipped_json("appraisal.json")


def default_gateway() -> list[dict[str, Any]]:
    """Worcestershire's four gateway questions (seed 003 para 10), as dicts."""
    return defaults()["gateway"]["questions"]


def default_criteria() -> list[dict[str, Any]]:
    """The shipped criteria, as dicts (see ``appraisal.json`` for each one's rationale)."""
    return defaults()["criteria"]
