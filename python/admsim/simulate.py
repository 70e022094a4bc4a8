"""Running the ensemble: :func:`simulate` and :func:`run_spec` check a scenario, size it, and
return its :class:`~admsim.results.Results`."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np

from . import _core, jsonio
from .catalogue import catalogue_json
# Also read from here by users (admsim.simulate.METRICS, .Results, ...): re-exported.
from .outputs import METRICS, OUTCOMES, QUANTILES, SUMMARY_OUTCOMES  # noqa: F401
from .policy import Recorder, engine_hook
from .progress import CancelToken, Progress
from .results import Results, table_from_summary  # noqa: F401
from .results_io import provenance
from .scenario import build_scenario, scenario_error, to_json

# Engine cost per (model, replicate, month) on one thread, measured on the 2-core CI machine
# (about 10 us; benchmarks/ has the method): used only to estimate a run's time before it starts.
_SECONDS_PER_MODEL_MONTH = 10e-6
MAX_RUN_SECONDS = 2 * 3600          # runs estimated longer need allow_large=True
MAX_RUN_MEMORY_SHARE = 0.5          # of physical memory, for the arrays of a full-mode run


def _physical_memory() -> int:
    try:
        return int(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return 16 * 2**30


def run_size(spec: Mapping[str, Any], models: int, threads: int | None = None) -> dict[str, float]:
    """Estimated memory (bytes, for the result arrays) and wall time (seconds) of a run."""
    replicates = int(spec.get("replicates", 100))
    months = 12 * int(spec.get("years", 10))
    full = spec.get("output", "full") != "summary"
    per_replicate = months * len(METRICS) + len(OUTCOMES) + 8 * months  # metrics, outcomes, events
    memory = 8.0 * models * (replicates * per_replicate if full else months * len(METRICS) * 140)
    workers = threads or os.cpu_count() or 1
    seconds = models * replicates * months * _SECONDS_PER_MODEL_MONTH / workers
    return {"memory_bytes": memory, "seconds": seconds}


def _check_size(spec: Mapping[str, Any], models: int, threads: int | None) -> None:
    size = run_size(spec, models, threads)
    limit = MAX_RUN_MEMORY_SHARE * _physical_memory()
    gib, hours = size["memory_bytes"] / 2**30, size["seconds"] / 3600
    what = (f"{models} models x {spec.get('replicates')} replicates x {spec.get('years')} years: "
            f"about {gib:,.1f} GiB and {hours:,.1f} hours")
    if size["memory_bytes"] > limit:
        raise scenario_error("/replicates", "run too large for this machine's memory", what,
                             f"at most {limit / 2**30:,.0f} GiB ({MAX_RUN_MEMORY_SHARE:.0%} of memory): fewer "
                             "replicates, output='summary', or allow_large=True")
    if size["seconds"] > MAX_RUN_SECONDS:
        raise scenario_error("/replicates", "run too long", what,
                             f"at most {MAX_RUN_SECONDS / 3600:g} hours estimated: fewer replicates or "
                             "years, or allow_large=True")


def run_spec(
    spec: Mapping[str, Any],
    *,
    threads: int | None = None,
    progress: bool = True,
    catalogue_path: str | Path | None = None,
    allow_large: bool = False,
    cancel: CancelToken | None = None,
    policy: Any = None,
    analyzers: Iterable[Any] = (),
) -> Results:
    """Run a scenario spec (as built by :func:`admsim.build_scenario`) and return ``Results``.

    The spec is validated first; a run estimated to need more than half the machine's memory
    or more than two hours is refused with the estimate in the message unless ``allow_large``.
    ``policy``: an :class:`admsim.Policy` (or a function of a ``PolicyState``) called each month;
    ``analyzers``: :class:`admsim.Analyzer` instances (or functions) recording custom metrics.
    """
    if threads is not None and (isinstance(threads, bool) or not isinstance(threads, (int, np.integer))
                                or not 1 <= threads <= _core.max_threads):
        raise scenario_error("threads", "not a usable number of worker threads", threads,
                             f"None for all cores, or an integer from 1 to {_core.max_threads}")
    if not isinstance(spec, Mapping):
        raise scenario_error("", "wrong type", type(spec).__name__, "a JSON object (dict)")
    text = to_json(spec)
    catalogue = catalogue_json(catalogue_path)
    with jsonio.suggestions():  # every field checked before anything is sized
        models = _core.validate(text, catalogue)
    if not allow_large:
        _check_size(spec, len(models), threads)
    bar = Progress(progress, int(spec.get("replicates", 100)), cancel=cancel)
    try:
        months = 12 * int(spec.get("years", 10))
        recorder = Recorder(analyzers, len(models), int(spec.get("replicates", 100)), months) if analyzers else None
        hook = None if policy is None and recorder is None else engine_hook(policy, models, recorder, months)
        raw = _core.simulate(text, catalogue, int(threads or 0), bar, hook)
        if recorder is not None:
            raw["analyzers"] = recorder.values
    finally:
        bar.close()
    results = Results(raw, spec)
    results._provenance = provenance(catalogue)  # what ran: version, commit, catalogue hash
    return results


def simulate(
    profile: str | Path | Mapping[str, Any] = "example-county",
    models: Iterable[str | Mapping[str, Any]] | None = None,
    *,
    years: int = 10,
    replicates: int = 1000,
    seed: int = 1,
    threads: int | None = None,
    progress: bool = True,
    allow_large: bool = False,
    cancel: CancelToken | None = None,
    policy: Any = None,
    analyzers: Iterable[Any] = (),
    **scenario: Any,
) -> Results:
    """Simulate delivery models for one council and return :class:`Results`.

    Parameters
    ----------
    profile: a shipped profile slug (``admsim.profiles.available()``), a path to a profile JSON
        file, or a profile dict.
    models: catalogue ids or model dicts (see :func:`admsim.build_scenario`); default: the
        in-house model and Worcestershire's five shortlisted models.
    years, replicates, seed: horizon, Monte Carlo replicates per model, random seed.
    threads: worker threads (default: all cores). Results do not depend on it.
    allow_large: run even if the run is estimated to need more than half the machine's memory
        or more than two hours (``run_size`` gives the estimate).
    cancel: a :class:`CancelToken`; ``cancel.cancel()`` from any thread stops the run
        (``KeyboardInterrupt``), as Ctrl-C does on the main thread.
    policy: an :class:`admsim.Policy` subclass instance, or a function of an
        :class:`admsim.policy.PolicyState`, that sets levers each month from the simulated
        state (see :mod:`admsim.policy`); scenario ``rules`` do the same without Python.
    analyzers: :class:`admsim.Analyzer` instances (or functions of a ``PolicyState``) whose
        values, recorded at the end of every month, appear in the results like metrics.
    scenario: further :func:`admsim.build_scenario` arguments (``interventions``, ``rules``, ``parameters``,
        ``output="summary"``, ``baseline``, ``decision_month``, ``common_random_numbers``).
    """
    if isinstance(profile, (list, tuple)):
        raise jsonio.scenario_error("/profile", "a list of profiles", f"{len(profile)} profiles",
                                    "one council's profile; several councils run together with "
                                    "admsim.simulate_region(councils, ...)")
    spec = build_scenario(profile, models, years=years, replicates=replicates, seed=seed, **scenario)
    return run_spec(spec, threads=threads, progress=progress, allow_large=allow_large, cancel=cancel,
                    policy=policy, analyzers=analyzers)
