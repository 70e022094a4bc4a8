"""Building and validating scenario specifications (the JSON the C++ engine reads)."""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np

from . import _core
from . import profiles as _profiles
from . import risks as _risks
from .catalogue import catalogue_json

DEFAULT_MODELS = (
    "in_house",
    "strategic_partnership",
    "public_sector_jv",
    "latc",
    "independent_trust",
    "commission_by_contract",
)


def distribution_quantiles(dist: Mapping[str, Any], hook: str,
                           quantiles=(0.05, 0.5, 0.95)) -> tuple[float, list[float]]:
    """Mean and quantiles of one effect distribution in the catalogue's notation, validated for
    ``hook`` and computed by the engine's own code (``_core.effect_distribution``)."""
    mean, q = _core.effect_distribution(hook, json.dumps(dict(dist)), list(quantiles))
    return float(mean), [float(x) for x in q]


def distribution_mean(dist: Mapping[str, Any], hook: str) -> float:
    """Mean of an effect distribution for ``hook``, as the engine draws it."""
    return distribution_quantiles(dist, hook, ())[0]


def _resolve_profile(profile: str | Path | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(profile, Mapping):
        return dict(profile)
    return _profiles.load(profile)


def _resolve_model(model: str | Mapping[str, Any] | Path) -> Any:
    if isinstance(model, Path) or (isinstance(model, str) and model.endswith(".json")):
        return json.loads(Path(model).read_text(encoding="utf-8"))
    return model


def build_scenario(
    profile: str | Path | Mapping[str, Any] = "example-county",
    models: Iterable[str | Mapping[str, Any]] | None = None,
    *,
    years: int = 10,
    replicates: int = 1000,
    seed: int = 1,
    decision_month: int = 0,
    interventions: Iterable[Mapping[str, Any]] = (),
    parameters: Mapping[str, float] | None = None,
    output: str = "full",
    baseline: str | None = None,
    common_random_numbers: bool = True,
    risks: Any = None,
) -> dict[str, Any]:
    """Return a scenario spec dict, ready for :func:`validate` or :func:`admsim.simulate`.

    ``models`` entries are catalogue ids, dicts ``{"id": <catalogue id>, "effects": {...}}`` that
    override parts of a catalogue entry, full new model definitions, or paths to JSON files of
    either. ``baseline`` defaults to the first model. ``risks``: the risk register (default: the
    shipped one, ``admsim.risks``); a list replaces it (``[]``: no risk events), a dict
    ``{"remove": [ids], "add": [risks], "update": {id: fields}}`` edits it.
    """
    if isinstance(models, (str, Mapping, Path)):
        models = [models]  # one model, not a sequence of characters
    model_list = [_resolve_model(m) for m in (models if models is not None else DEFAULT_MODELS)]
    spec: dict[str, Any] = {
        "profile": _resolve_profile(profile),
        "models": model_list,
        "years": years,
        "replicates": replicates,
        "seed": seed,
        "decision_month": decision_month,
        "interventions": [dict(i) for i in interventions],
        "parameters": dict(parameters or {}),
        "output": output,
        "common_random_numbers": common_random_numbers,
        "risks": _risks.resolve(risks),
    }
    if baseline is not None:
        spec["baseline"] = baseline
    return spec


def load_scenario(path: str | Path) -> dict[str, Any]:
    """Read a scenario JSON file; a string ``profile`` is resolved to a shipped or file profile."""
    text = Path(path).read_text(encoding="utf-8")
    try:
        spec = json.loads(text)
    except json.JSONDecodeError as err:
        raise scenario_error(
            "", f"malformed JSON at line {err.lineno} column {err.colno} of {path}", err.msg,
            "a JSON document",
        ) from None
    if not isinstance(spec, dict):
        raise scenario_error("", "wrong type", type(spec).__name__, "a JSON object")
    # No "risks": the shipped register, as in Python; an edit dict is applied to it.
    spec["risks"] = _risks.resolve(spec.get("risks"))
    profile = spec.get("profile")
    if isinstance(profile, str):
        # A relative path is relative to the scenario file; otherwise it is a shipped slug.
        beside = Path(path).parent / profile
        spec["profile"] = _resolve_profile(beside if beside.is_file() else profile)
    return spec


def scenario_error(pointer: str, problem: str, value: Any, allowed: str) -> Exception:
    """A ``ScenarioError`` raised from Python, shaped like the C++ ones."""
    err = _core.ScenarioError(f"{pointer or '(document)'}: {problem}; got {value!r}; allowed: {allowed}")
    err.pointer, err.value, err.allowed = pointer, repr(value), allowed
    return err


def _check_finite(value: Any, pointer: str = "") -> None:
    # JSON has no NaN or infinity, so C++ could only call the document malformed: name the field here.
    if isinstance(value, (float, np.floating)) and not math.isfinite(value):
        raise scenario_error(pointer, "non-finite number", value, "a finite number")
    if isinstance(value, Mapping):
        for key, item in value.items():
            token = str(key).replace("~", "~0").replace("/", "~1")
            _check_finite(item, f"{pointer}/{token}")
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _check_finite(item, f"{pointer}/{i}")


def to_json(spec: Mapping[str, Any]) -> str:
    """Serialise a spec for C++, after checking it holds no NaN or infinity."""
    _check_finite(spec)
    return json.dumps(spec, allow_nan=False, default=_json_default)


def _json_default(value: Any) -> Any:
    # NumPy scalars and arrays (e.g. years=np.int64(5)) serialise as plain numbers and lists.
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"cannot put a {type(value).__name__} in a scenario: {value!r}")


def validate(spec: Mapping[str, Any], catalogue_path: str | Path | None = None) -> list[str]:
    """Validate a scenario in C++; return the resolved model ids or raise ``ScenarioError``."""
    return list(_core.validate(to_json(spec), catalogue_json(catalogue_path)))
