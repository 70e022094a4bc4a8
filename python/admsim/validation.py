"""The engine's own check of a scenario spec (C++ ``parse_scenario``), for the scenario builder
and for a profile checked on its own (``admsim.profiles.check``)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from . import _core, jsonio
from .catalogue import catalogue_json


def validate(spec: Mapping[str, Any], catalogue_path: str | Path | None = None) -> list[str]:
    """Validate a scenario in C++; return the resolved model ids or raise ``ScenarioError``."""
    with jsonio.suggestions():
        return list(_core.validate(jsonio.dumps(spec), catalogue_json(catalogue_path)))
