"""The plan of a nightly run: its config read and checked, the scenario resolved, the sample
drawn, and the hashes that tie every chunk to this plan."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np

from .. import jsonio
from .._version import __version__
from ..catalogue import load_catalogue
from ..scenario import build_scenario, load_scenario, resolve_profile, scenario_error, to_json
from .design import METHODS, check_count, problem, sample
from .evaluate import check_inputs_outputs, check_names


# Keys a run_chunks config may hold, and build_scenario's arguments (the short scenario form).
_CONFIG_KEYS = {"scenario", "inputs", "bounds", "outputs", "method", "n", "seed", "chunk_rows",
                "calc_second_order", "levels", "num_resamples", "conf_level"}
_BUILD_KEYS = {"profile", "models", "years", "replicates", "seed", "decision_month",
               "interventions", "parameters", "output", "baseline", "common_random_numbers"}
_SPEC_ONLY_KEYS = {"name", "description"}


def canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def sha256(text: str | bytes) -> str:
    return hashlib.sha256(text.encode() if isinstance(text, str) else text).hexdigest()


def scenario_hash(spec: Mapping[str, Any]) -> str:
    """sha256 of the canonical JSON of a spec (sorted keys, no whitespace)."""
    return sha256(canonical(json.loads(to_json(spec))))


def _load_config(config: Mapping[str, Any] | str | Path) -> tuple[dict[str, Any], Path | None]:
    if isinstance(config, (str, Path)):
        path = Path(config)
        loaded = jsonio.read(path, "sensitivity config")  # strict: duplicate keys, NaN, depth
        if not isinstance(loaded, dict):
            raise scenario_error("", "wrong type", type(loaded).__name__, "a JSON object")
        return loaded, path.parent
    if not isinstance(config, Mapping):
        raise scenario_error("", "wrong type", type(config).__name__, "a dict or a path to a JSON file")
    return dict(config), None


def _resolve_spec(scenario: Any, base: Path | None) -> dict[str, Any]:
    """The config's scenario: a path to a scenario file, build_scenario arguments, or a spec."""
    if isinstance(scenario, str):
        path = Path(scenario)
        if base is not None and not path.is_absolute():
            path = base / path
        return load_scenario(path)
    if not isinstance(scenario, Mapping):
        raise scenario_error("/scenario", "wrong type", scenario,
                             "build_scenario arguments, a scenario spec, or a path to a scenario JSON")
    scenario = dict(scenario)
    for key in scenario:
        if key not in _BUILD_KEYS | _SPEC_ONLY_KEYS:
            raise scenario_error(f"/scenario/{key}", "unknown key", key,
                                 ", ".join(sorted(_BUILD_KEYS | _SPEC_ONLY_KEYS)))
    profile = scenario.get("profile", "example-county")
    if isinstance(profile, str) and base is not None and (base / profile).is_file():
        scenario["profile"] = str(base / profile)  # relative to the config file, as load_scenario
    if set(scenario) <= _BUILD_KEYS:
        return build_scenario(**scenario)
    spec = dict(scenario)  # a full spec (has name/description): keep it as written
    if isinstance(spec.get("profile"), str):
        spec["profile"] = resolve_profile(spec["profile"])
    return spec


@dataclass
class Design:
    """The method's settings of a config: what a plan and the settings it came from share."""
    method: str
    n: int
    seed: int
    chunk_rows: int
    calc_second_order: bool
    levels: int
    num_resamples: int
    conf_level: float


@dataclass
class Plan(Design):
    spec: dict[str, Any]
    spec_json: str
    catalogue_json: str
    inputs: list[str]
    outputs: list[str]
    problem: dict[str, Any]
    X: np.ndarray
    key: dict[str, Any]  # everything that fixes the chunks' contents
    digest: str

    @property
    def rows(self) -> int:
        return len(self.X)

    @property
    def chunks(self) -> list[tuple[int, int]]:
        return [(a, min(a + self.chunk_rows, self.rows)) for a in range(0, self.rows, self.chunk_rows)]


@dataclass
class Settings(Design):
    """A config read and checked, before its scenario is resolved: what every council of a
    national run shares (the sample is drawn once and reused)."""
    cfg: dict[str, Any]
    base: Path | None
    catalogue: dict[str, Any]
    catalogue_json: str
    _samples: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def sample(self, prob: dict[str, Any]) -> np.ndarray:
        key = canonical(prob)
        if key not in self._samples:
            self._samples[key] = np.ascontiguousarray(
                sample(self.method, prob, self.n, self.seed, calc_second_order=self.calc_second_order,
                       levels=self.levels), dtype=np.float64)
        return self._samples[key]


def read_settings(config: Mapping[str, Any] | str | Path, extra_keys: Iterable[str] = ()) -> Settings:
    """Read and check a run_chunks config (``extra_keys``: keys a caller adds, e.g. "councils")."""
    cfg, base = _load_config(config)
    allowed = _CONFIG_KEYS | set(extra_keys)
    for key in cfg:
        if key == "councils" and key not in allowed:
            raise scenario_error("/councils", "councils in a single-council run", cfg[key],
                                 "run_national (admsim sensitivity --councils or --panels)")
        if key not in allowed:
            raise scenario_error(f"/{key}", "unknown key", key, ", ".join(sorted(allowed)))
    for key in ("scenario", "inputs", "outputs"):
        if key not in cfg:
            raise scenario_error(f"/{key}", "missing", None, f"a {key} entry")
    method = cfg.get("method", "sobol")
    if method not in METHODS:
        raise scenario_error("/method", "unknown method", method, " or ".join(METHODS))
    n = check_count(cfg.get("n", 512 if method == "sobol" else 20), "n", 2)
    seed = check_count(cfg.get("seed", 1), "seed", 0, 2**53)
    chunk_rows = check_count(cfg.get("chunk_rows", 256), "chunk_rows", 1)
    second = cfg.get("calc_second_order", False)
    if not isinstance(second, bool):
        raise scenario_error("/calc_second_order", "wrong type", second, "true or false")
    levels = check_count(cfg.get("levels", 4), "levels", 2)
    resamples = check_count(cfg.get("num_resamples", 100), "num_resamples", 1)
    conf = cfg.get("conf_level", 0.95)
    if isinstance(conf, bool) or not isinstance(conf, (int, float)) or not 0 < conf < 1:
        raise scenario_error("/conf_level", "wrong value", conf, "a number in (0, 1)")
    catalogue = load_catalogue()
    return Settings(method=method, n=n, seed=seed, chunk_rows=chunk_rows, calc_second_order=second, levels=levels,
                    num_resamples=resamples, conf_level=float(conf), cfg=cfg, base=base, catalogue=catalogue,
                    catalogue_json=json.dumps(catalogue))


def plan_for(settings: Settings, scenario: Any = None) -> Plan:
    """The plan of ``settings`` for ``scenario`` (default: the config's own)."""
    s = settings
    spec = _resolve_spec(s.cfg["scenario"] if scenario is None else scenario, s.base)
    spec_json = to_json(spec)
    inputs, outputs = check_names(s.cfg["inputs"], "inputs"), check_names(s.cfg["outputs"], "outputs")
    check_inputs_outputs(spec_json, s.catalogue_json, inputs, outputs)
    prob = problem(inputs, s.cfg.get("bounds"))
    X = s.sample(prob)
    key = {
        "admsim": __version__,
        "scenario_sha256": scenario_hash(spec),
        "catalogue_sha256": sha256(canonical(s.catalogue)),
        "method": s.method, "n": s.n, "seed": s.seed, "inputs": inputs, "bounds": prob["bounds"],
        "outputs": outputs, "calc_second_order": s.calc_second_order if s.method == "sobol" else None,
        "levels": s.levels if s.method == "morris" else None, "chunk_rows": s.chunk_rows,
        "rows": int(len(X)), "sample_sha256": sha256(X.tobytes()),
    }
    design = {f.name: getattr(s, f.name) for f in fields(Design)}
    return Plan(**design, spec=spec, spec_json=spec_json, catalogue_json=s.catalogue_json, inputs=inputs,
                outputs=outputs, problem=prob, X=X, key=key, digest=sha256(canonical(key)))


def make_plan(config: Mapping[str, Any] | str | Path) -> Plan:
    """The plan of a run_chunks config: read, checked, scenario resolved, sample drawn."""
    return plan_for(read_settings(config))
