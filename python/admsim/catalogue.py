"""The delivery-model catalogue: every model in the seed documents, with attributes and effects."""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from .distributions import distribution_mean


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

    Then the evidence on ``improvement`` (standard-deviation units of the latent quality index):
    ``improvement_prior_median`` and ``improvement_prior_90`` (5% and 95% quantiles) of the
    model's assumption (0 where it leaves the hook neutral), beside
    ``improvement_fitted_median`` and ``improvement_fitted_90`` from the shipped calibration
    summary (``data/calibration_summary.json``). The fitted effect is one number pooled over the
    delivery models councils ran to 2022 (latc, latc_shared, independent_trust,
    strategic_partnership), so it repeats on every row; in_house is its comparator (0). See
    :func:`admsim.calibration.evidence.catalogue_evidence`.
    """
    # Here, not at the top: admsim.calibration loads on first use (import admsim stays fast).
    from .calibration.summary import load_summary, prior_summary

    fitted = load_summary()["improvement"]
    models = load_catalogue(path)["models"]
    rows = []
    for model in models:
        row = {
            "id": model["id"],
            "name": model["name"],
            "group": model["group"],
            "birmingham_number": model.get("birmingham_number"),
        }
        row.update(model.get("attributes", {}))
        for hook, dist in model.get("effects", {}).items():
            row[f"effect_{hook}"] = distribution_mean(dist, hook)
        rows.append(row)
    frame = pd.DataFrame(rows).set_index("id")
    # The evidence columns go last, so the existing columns keep their places.
    priors = [prior_summary(m.get("effects", {}).get("improvement")) for m in models]
    fits = [{"median": 0.0, "p05": 0.0, "p95": 0.0} if m["id"] == "in_house" else fitted
            for m in models]
    frame["improvement_prior_median"] = [p["median"] for p in priors]
    frame["improvement_prior_90"] = pd.Series([(p["p05"], p["p95"]) for p in priors],
                                              index=frame.index, dtype=object)
    frame["improvement_fitted_median"] = [float(f["median"]) for f in fits]
    frame["improvement_fitted_90"] = pd.Series([(float(f["p05"]), float(f["p95"])) for f in fits],
                                               index=frame.index, dtype=object)
    return frame
