"""The delivery-model catalogue: every model in the seed documents, with attributes and effects."""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd


@lru_cache(maxsize=1)
def _shipped() -> str:
    return resources.files("admsim").joinpath("data/catalogue.json").read_text(encoding="utf-8")


def load_catalogue(path: str | Path | None = None) -> dict[str, Any]:
    """Return the catalogue as a dict (``{"models": [...], ...}``).

    ``path`` reads a catalogue file of the same shape instead of the shipped one.
    """
    return json.loads(catalogue_json(path))


def catalogue_json(path: str | Path | None = None) -> str:
    """The catalogue as JSON text, as the C++ engine reads it (the shipped file unless ``path``)."""
    return Path(path).read_text(encoding="utf-8") if path is not None else _shipped()


def catalogue(path: str | Path | None = None) -> pd.DataFrame:
    """Every delivery model as a DataFrame: one row per model, indexed by id.

    Columns: name, group, birmingham_number, then one column per attribute and one
    ``effect_<hook>`` column per effect giving the distribution's mean (NaN where the model
    leaves the hook neutral). The full entries, with rationales, are in ``load_catalogue()``.
    """
    from .scenario import distribution_mean

    rows = []
    for model in load_catalogue(path)["models"]:
        row = {
            "id": model["id"],
            "name": model["name"],
            "group": model["group"],
            "birmingham_number": model.get("birmingham_number"),
        }
        row.update(model.get("attributes", {}))
        for hook, dist in model.get("effects", {}).items():
            row[f"effect_{hook}"] = distribution_mean(dist)
        rows.append(row)
    return pd.DataFrame(rows).set_index("id")
