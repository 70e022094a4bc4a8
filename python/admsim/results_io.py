"""Saving and loading :class:`admsim.Results`: one ``.npz`` file with a JSON header.

>>> res = admsim.simulate("example-county", ["in_house", "latc"], replicates=200, seed=7)
>>> res.save("run.npz")
>>> back = admsim.load("run.npz")          # back.summary() equals res.summary()
>>> admsim.results_io.provenance_of(back)  # version, git commit, catalogue hash, seed, ...

The file is a standard NumPy ``.npz`` archive (a zip of ``.npy`` arrays, readable with
``numpy.load(path, allow_pickle=False)`` and no admsim): every array the ``Results`` holds (in
full mode the per-replicate metrics, outcomes and inspection events as well as the summaries;
in summary-only mode the summaries), plus ``__header__``, the UTF-8 bytes of a JSON document
holding the scalars of the run (models, months, replicates, seed, baseline, mode), the scenario
spec (profile included, so the file says what was run), the metric, outcome and quantile names
the arrays are indexed by, and the provenance: the admsim version and git commit that ran it,
the sha256 of the catalogue JSON it used, and when it ran.
"""
from __future__ import annotations

import datetime
import hashlib
import json
import os
import subprocess
import tempfile
import warnings
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from . import _core
from ._version import __version__
from .catalogue import catalogue_json
from .outputs import METRICS, OUTCOMES, QUANTILES

if TYPE_CHECKING:
    from .results import Results

FORMAT = "admsim.results"
FORMAT_VERSION = 1
_ANALYZER = "analyzer__"  # prefix of the arrays of custom metrics (admsim.Analyzer)
_HEADER = "__header__"
# Arrays indexed by metric or outcome along an axis: (name, axis of the metric/outcome index).
_METRIC_AXIS = {"metrics": 3, "metric_mean": 2, "metric_sd": 2, "metric_quantiles": 2}
_OUTCOME_AXIS = {"outcomes": 2, "outcome_mean": 1, "outcome_sd": 1, "outcome_count": 1,
                 "outcome_quantiles": 1, "diff_mean": 1, "diff_sd": 1, "diff_positive": 1,
                 "diff_quantiles": 1}


def catalogue_sha256(text: str) -> str:
    """sha256 (hex) of a catalogue's JSON text, as the engine was given it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@lru_cache(maxsize=1)
def _git() -> tuple[str | None, bool | None]:
    """(commit, dirty) of the git checkout the package was imported from, or (None, None)
    when it is not in one (an installed wheel) or git is not available."""
    here = Path(__file__).resolve().parent
    try:
        top = subprocess.run(["git", "-C", str(here), "rev-parse", "--show-toplevel"],
                             capture_output=True, text=True, timeout=10)
        if top.returncode != 0:
            return None, None
        root = Path(top.stdout.strip()).resolve()
        if root not in here.parents:
            return None, None
        head = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"],
                              capture_output=True, text=True, timeout=10)
        if head.returncode != 0:
            return None, None
        status = subprocess.run(["git", "-C", str(root), "status", "--porcelain",
                                 "--untracked-files=no"], capture_output=True, text=True, timeout=10)
        dirty = bool(status.stdout.strip()) if status.returncode == 0 else None
        return head.stdout.strip(), dirty
    except (OSError, subprocess.SubprocessError):
        return None, None


def provenance(catalogue_text: str | None = None) -> dict[str, Any]:
    """What a run records about the code and data behind it: ``admsim_version``, ``git_commit``
    (None outside a git checkout), ``git_dirty`` (uncommitted changes to tracked files),
    ``catalogue_sha256`` (of ``catalogue_text``, default the shipped catalogue) and
    ``created`` (UTC, ISO 8601)."""
    commit, dirty = _git()
    text = catalogue_text if catalogue_text is not None else catalogue_json()
    return {
        "admsim_version": __version__,
        "git_commit": commit,
        "git_dirty": dirty,
        "catalogue_sha256": catalogue_sha256(text),
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }


def provenance_of(results: "Results") -> dict[str, Any]:
    """The provenance of ``results`` with its ``seed``: recorded when it ran (or read from its
    file), else taken now from this installation and the shipped catalogue, which
    ``recorded: False`` flags."""
    recorded = getattr(results, "_provenance", None)
    out = dict(recorded) if recorded else {**provenance(), "recorded": False}
    out.setdefault("recorded", True)
    out["seed"] = results.seed
    return out


def _json_default(value: Any) -> Any:
    if isinstance(value, (np.integer, np.floating, np.bool_)):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot save a {type(value).__name__} in the results header: {value!r}")


def save(results: "Results", path: str | Path, *, compress: bool = True) -> Path:
    """Write ``results`` to ``path`` (an ``.npz`` file; written whole or not at all) and
    return the path. ``compress=False`` writes faster and larger files."""
    path = Path(path)
    arrays: dict[str, np.ndarray] = {}
    scalars: dict[str, Any] = {}
    for key, value in results._raw.items():
        if key == "analyzers":  # custom metrics, one array each
            arrays.update({_ANALYZER + name: array for name, array in value.items()})
        elif isinstance(value, np.ndarray):
            arrays[key] = value
        else:
            scalars[key] = value
    header = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "raw": scalars,
        "spec": results.spec,
        "metric_names": METRICS,
        "outcome_names": OUTCOMES,
        "quantiles": QUANTILES,
        "grade_names": list(_core.grade_names),
        "provenance": {k: v for k, v in provenance_of(results).items() if k != "seed"},
        "seed": results.seed,
        "saved": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }
    text = json.dumps(header, default=_json_default, allow_nan=True)
    arrays[_HEADER] = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    writer = np.savez_compressed if compress else np.savez
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            writer(f, **arrays)
        # mkstemp makes the file private (0600): give it the permissions a plain open() would
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def read_header(path: str | Path) -> dict[str, Any]:
    """The JSON header of a saved results file (no arrays loaded)."""
    with np.load(path, allow_pickle=False) as data:
        return _header(data, path)


def _header(data: Any, path: str | Path) -> dict[str, Any]:
    if _HEADER not in data.files:
        raise ValueError(f"{path}: not an admsim results file (no {_HEADER} entry)")
    header = json.loads(bytes(data[_HEADER]).decode("utf-8"))
    if header.get("format") != FORMAT:
        raise ValueError(f"{path}: not an admsim results file (format {header.get('format')!r})")
    if int(header.get("format_version", 0)) > FORMAT_VERSION:
        raise ValueError(f"{path}: results format {header['format_version']} is newer than this "
                         f"admsim reads ({FORMAT_VERSION}); upgrade admsim")
    return header


def _remap(array: np.ndarray, axis: int, saved: list[str], current: list[str]) -> np.ndarray:
    """Reorder ``array`` along ``axis`` from the saved names to the current ones (NaN where a
    current name was not saved)."""
    shape = list(array.shape)
    shape[axis] = len(current)
    out = np.full(shape, np.nan, dtype=float)
    for j, name in enumerate(current):
        if name in saved:
            src = [slice(None)] * array.ndim
            dst = [slice(None)] * array.ndim
            src[axis], dst[axis] = saved.index(name), j
            out[tuple(dst)] = array[tuple(src)]
    return out


def read(path: str | Path) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The arrays and scalars (``raw``), the scenario spec and the provenance of a saved results
    file, as :func:`admsim.load` turns them back into ``Results``. A file written by an engine
    with other metric or outcome names is re-indexed by name (what this engine has and the file
    lacks is NaN), with a warning."""
    path = Path(path)
    with np.load(path, allow_pickle=False) as data:
        header = _header(data, path)
        raw: dict[str, Any] = {key: data[key] for key in data.files
                               if key != _HEADER and not key.startswith(_ANALYZER)}
        analyzers = {key[len(_ANALYZER):]: data[key] for key in data.files if key.startswith(_ANALYZER)}
    raw.update(header["raw"])
    if analyzers:
        raw["analyzers"] = analyzers
    for names, current, axes in (("metric_names", METRICS, _METRIC_AXIS),
                                 ("outcome_names", OUTCOMES, _OUTCOME_AXIS)):
        saved = list(header.get(names, current))
        if saved != current:
            warnings.warn(f"{path}: saved {names.replace('_', ' ')} differ from this engine's; "
                          f"re-indexed by name (missing: "
                          f"{', '.join(n for n in current if n not in saved) or 'none'})",
                          stacklevel=3)  # the caller of admsim.load
            for key, axis in axes.items():
                if key in raw:
                    raw[key] = _remap(raw[key], axis, saved, current)
    provenance = {**header.get("provenance", {}), "file": str(path), "saved": header.get("saved")}
    return raw, header["spec"], provenance
