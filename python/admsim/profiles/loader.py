"""The profile format: loading a shipped or file profile, and checking it with the engine's own
parser (which names the dotted field at fault)."""
from __future__ import annotations

import difflib
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

from .. import _core, jsonio, validation
from ..jsonio import scenario_error

PLACEMENT_TYPES = ("foster_inhouse", "foster_agency", "kinship", "residential", "supported",
                   "with_parents", "adoption")
GRADES = ("outstanding", "good", "requires_improvement", "inadequate")


def _profiles_dir():
    """Directory (a Traversable) holding the shipped profiles."""
    return resources.files("admsim").joinpath("data", "profiles")


def available() -> list[str]:
    """Slugs of the shipped profiles, sorted."""
    folder = _profiles_dir()
    if not folder.is_dir():
        return []
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".json"))


def load(name_or_path: str | Path, *, validate: bool = False) -> dict[str, Any]:
    """Return a profile as a new dict.

    ``name_or_path`` is a shipped slug (see :func:`available`, e.g. ``"example-county"``) or the
    path to a profile JSON file. ``validate=True`` also runs :func:`check`.

    Raises ValueError for an unknown slug or a file that is not a JSON object, and
    FileNotFoundError for a path that does not exist; both name what was asked for and the
    shipped slugs.
    """
    slugs = available()
    text: str
    origin: str
    if isinstance(name_or_path, str) and name_or_path in slugs:
        text = _profiles_dir().joinpath(name_or_path + ".json").read_text(encoding="utf-8")
        origin = f"shipped profile {name_or_path!r}"
    else:
        raw = str(name_or_path)
        path = Path(name_or_path).expanduser()
        looks_like_path = (isinstance(name_or_path, Path) or raw.endswith(".json")
                           or "/" in raw or "\\" in raw)
        if path.is_file() and path.suffix.lower() != ".json":
            # Only .json files are read as profiles: a scenario cannot point at any file.
            raise ValueError(f"profile file {raw!r} must be a .json file")
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            origin = f"profile file {str(path)!r}"
        elif looks_like_path:
            raise FileNotFoundError(
                f"profile file {raw!r} does not exist (shipped profiles: {', '.join(slugs) or 'none'})")
        else:
            close = difflib.get_close_matches(raw, slugs, n=3)
            hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
            raise ValueError(
                f"unknown profile {raw!r}: not a shipped slug nor an existing file "
                f"(shipped profiles: {', '.join(slugs) or 'none'}){hint}")
    return _parse(text, origin, validate)


def _parse(text: str, origin: str, validate: bool) -> dict[str, Any]:
    """A profile from JSON text; ``origin`` says where it came from in errors."""
    profile = jsonio.loads(text, str(origin))  # strict: duplicate keys, NaN, depth
    if not isinstance(profile, dict):
        raise ValueError(f"{origin} is not a JSON object")
    missing = [k for k in PROFILE_SECTIONS if not isinstance(profile.get(k), dict)]
    if missing:
        # Said before any value is checked, so errors never echo the contents of a file that is
        # not a profile at all (a scenario's "profile" may name any local path).
        raise ValueError(f"{origin} is not an admsim profile: it has no {', '.join(missing)} "
                         f"section{'s' if len(missing) > 1 else ''}")
    if validate:
        check(profile)
    return profile


def _regions_dir():
    """Directory (a Traversable) holding the shipped regions, a folder each."""
    return resources.files("admsim").joinpath("data", "regions")


def regions() -> list[str]:
    """Slugs of the shipped regions (folders of ``data/regions`` with a region.json), sorted."""
    folder = _regions_dir()
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir()
                  if p.is_dir() and p.joinpath("region.json").is_file())


def region(name: str = "west-midlands", *, validate: bool = False) -> list[dict[str, Any]]:
    """The council profiles of a shipped region, in the order of its region.json.

    Each is a new dict as :func:`load` returns it, with the council's ``"name"``; the region's
    own description and source are in ``data/regions/<name>/region.json``. ``validate=True``
    also runs :func:`check` on each. Raises ValueError for an unknown region, naming the shipped
    ones and the closest.
    """
    slugs = regions()
    if not isinstance(name, str) or name not in slugs:
        raise ValueError(f"unknown region {name!r} (shipped regions: {', '.join(slugs) or 'none'})"
                         f"{jsonio.did_you_mean(str(name), slugs)}")
    folder = _regions_dir().joinpath(name)
    origin = f"shipped region {name!r} (region.json)"
    meta = jsonio.loads(folder.joinpath("region.json").read_text(encoding="utf-8"), origin)
    councils = meta.get("councils") if isinstance(meta, dict) else None
    if not isinstance(councils, list) or not councils:
        raise ValueError(f"{origin} has no 'councils' list")
    out = []
    for i, council in enumerate(councils):
        file = council.get("profile") if isinstance(council, dict) else None
        if not isinstance(file, str) or not file.endswith(".json") or "/" in file or "\\" in file:
            raise ValueError(f"{origin}: councils[{i}] has no 'profile' file name")
        if not folder.joinpath(file).is_file():
            raise ValueError(f"{origin}: councils[{i}] ({council.get('name')!r}) names {file!r}, "
                             "which is not shipped")
        profile = _parse(folder.joinpath(file).read_text(encoding="utf-8"),
                         f"shipped profile {name}/{file}", validate)
        if profile.get("name") != council.get("name"):
            raise ValueError(f"{origin}: councils[{i}] is {council.get('name')!r} but {file} is "
                             f"{profile.get('name')!r}")
        out.append(profile)
    return out



# The sections every profile has; a JSON file without them is not read as a profile.
PROFILE_SECTIONS: tuple[str, ...] = ("population", "demand", "placements", "workforce", "finance")

# Numeric fields of a profile (dotted paths); their ranges live in one place, the C++ parser.
NUMERIC_FIELDS: tuple[str, ...] = (
    "population.children_0_17", "population.growth_per_year",
    "demand.referrals_per_10k", "demand.rereferral_rate", "demand.no_further_action_rate",
    "demand.cin_per_10k", "demand.cpp_per_10k", "demand.cpp_starts_per_10k",
    "demand.cpp_repeat_rate", "demand.cla_per_10k", "demand.cla_starts_per_10k",
    "demand.cla_ceased_per_10k",
    *[f"placements.mix.{t}" for t in PLACEMENT_TYPES],
    *[f"placements.weekly_cost.{t}" for t in PLACEMENT_TYPES],
    "workforce.in_post_fte", "workforce.agency_fte", "workforce.vacancy_rate",
    "workforce.turnover_rate", "workforce.caseload", "workforce.case_holding_share",
    "workforce.weekly_cost_employed", "workforce.weekly_cost_agency",
    "finance.budget_per_year", "finance.overheads_share",
)


def check(profile: Mapping[str, Any], *, require_sources: bool = False) -> None:
    """Validate a profile with the engine's own parser; raise ``ScenarioError`` (a ValueError).

    The message starts with the dotted field at fault (``profile field 'demand.cla_per_10k'``) and
    carries the JSON pointer, the value and what is allowed. The engine also checks that the
    profile's stocks and flows can be a steady state. With ``require_sources=True`` every numeric
    field must have a non-empty entry in ``profile["sources"]`` (the shipped profiles do).
    """
    if not isinstance(profile, Mapping):
        raise scenario_error("/profile", "wrong type", type(profile).__name__, "a JSON object")
    try:
        validation.validate({"profile": dict(profile), "models": ["in_house"], "years": 1, "replicates": 1})
    except _core.ScenarioError as err:
        dotted = err.pointer.removeprefix("/profile/").replace("/", ".")
        renamed = _core.ScenarioError(f"profile field {dotted!r} ({err})")
        renamed.pointer, renamed.value, renamed.allowed = err.pointer, err.value, err.allowed
        raise renamed from None

    sources = profile.get("sources")
    if sources is not None and not isinstance(sources, Mapping):
        raise scenario_error("/profile/sources", "wrong type", sources,
                             "an object mapping dotted fields to text")
    if require_sources:
        for field in NUMERIC_FIELDS + ("ofsted.last_grade", "ofsted.last_inspection"):
            text = (sources or {}).get(field)
            if not isinstance(text, str) or not text.strip():
                raise scenario_error(f"/profile/sources/{field}",
                                     f"profile field 'sources.{field}' is missing or empty", text,
                                     "a sentence naming the source")
