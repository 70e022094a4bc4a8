"""Building and validating scenario specifications (the JSON the C++ engine reads)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Mapping

from . import _core, jsonio
from . import profiles as _profiles
from . import risks as _risks
# Also read from here (admsim.scenario.validate, .scenario_error, .distribution_mean): re-exported.
from .distributions import distribution_mean, distribution_quantiles  # noqa: F401
from .jsonio import scenario_error
from .validation import validate  # noqa: F401

DEFAULT_MODELS = (
    "in_house",
    "strategic_partnership",
    "public_sector_jv",
    "latc",
    "independent_trust",
    "commission_by_contract",
)


def resolve_profile(profile: str | Path | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(profile, Mapping):
        return dict(profile)
    return _profiles.load(profile)


def _resolve_model(model: str | Mapping[str, Any] | Path) -> Any:
    if isinstance(model, Path) or (isinstance(model, str) and model.endswith(".json")):
        return jsonio.read(model, "model file")
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
    rules: Iterable[Mapping[str, Any]] = (),
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

    ``interventions`` start on fixed months; ``rules`` start them when the simulated state calls
    for it, each replicate on its own, for example::

        {"id": "recruit_when_stretched",
         "when": {"metric": "caseload", "above": 20, "for_months": 3},
         "then": {"type": "recruitment_campaign", "size": 1.3, "duration_months": 12},
         "max_times": 2, "cooldown_months": 12}

    A condition is ``{"metric": <any metric>, "above" | "below": x, "for_months": n}`` or
    ``{"latest_grade": ["requires_improvement", "inadequate"]}``; ``"models": [ids]`` limits an
    intervention or a rule to named delivery models. See docs/model.md, "Rules".
    """
    if isinstance(models, (str, Mapping, Path)):
        models = [models]  # one model, not a sequence of characters
    model_list = [_resolve_model(m) for m in (models if models is not None else DEFAULT_MODELS)]
    spec: dict[str, Any] = {
        "profile": resolve_profile(profile),
        "models": model_list,
        "years": years,
        "replicates": replicates,
        "seed": seed,
        "decision_month": decision_month,
        "interventions": [dict(i) for i in interventions],
        "rules": [dict(r) for r in rules],
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
    spec = jsonio.read(path, "scenario file")
    if not isinstance(spec, dict):
        raise scenario_error("", "wrong type", type(spec).__name__, "a JSON object")
    # No "risks": the shipped register, as in Python; an edit dict is applied to it.
    spec["risks"] = _risks.resolve(spec.get("risks"))
    profile = spec.get("profile")
    if isinstance(profile, str):
        # A relative path is relative to the scenario file; otherwise it is a shipped slug.
        beside = Path(path).parent / profile
        try:
            spec["profile"] = resolve_profile(beside if beside.is_file() else profile)
        except (OSError, ValueError) as err:  # not a slug nor a file: name the field
            if isinstance(err, _core.ScenarioError):
                raise
            raise scenario_error("/profile", str(err).split(" (shipped")[0], profile,
                                 "a shipped profile slug (admsim profiles) or a profile file") from None
    return spec


def to_json(spec: Mapping[str, Any]) -> str:
    """Serialise a spec for C++, after checking it holds only JSON values (no NaN or infinity)."""
    return jsonio.dumps(spec)
