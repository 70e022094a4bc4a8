""":func:`run_national`, the nightly sensitivity job across councils: one plan per council (the
same sample for all), a chunk per council x block of parameter rows, run locally or on Dask,
resumable, and each council's results exactly those of its own job run alone."""
from __future__ import annotations

import json
import re
import time
import warnings
from pathlib import Path
from typing import Any, Iterable, Mapping

from ..csvout import safe_frame
from ..scenario import scenario_error
from .chunks import check_key_file, open_run, write_atomic
from .evaluate import RowProgress, check_threads
from .execute import evaluate_runs
from .national_results import NationalSensitivity
from .nightly import check_where, finish_run, versions
from .plan import Plan, canonical, plan_for, read_settings, sha256

Council = tuple[str, str, dict[str, Any]]  # (slug, region, profile)


def _slug(profile: Mapping[str, Any], i: int) -> str:
    text = str(profile.get("slug") or profile.get("name") or f"council-{i}")
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or f"council-{i}"


def _profiles_of(items: Iterable[Any], region: str, pointer: str) -> list[tuple[str, dict[str, Any]]]:
    from ..scenario import resolve_profile

    if isinstance(items, (str, bytes, Mapping)) or not isinstance(items, Iterable):
        raise scenario_error(pointer, "wrong type", items,
                             "a list of profiles (dicts, shipped slugs or profile files)")
    out = []
    for item in items:
        if not isinstance(item, (str, Path, Mapping)):
            raise scenario_error(pointer, "wrong type", item, "a profile dict, a shipped slug or a file")
        out.append((region, resolve_profile(item)))
    return out


def resolve_councils(councils: Any, base: Path | None = None, *, progress: bool = True) -> list[Council]:
    """The councils of a national run as (slug, region, profile), in order.

    ``councils`` is {region: [profiles]} (what :func:`admsim.profiles.national` returns), a list
    of profiles (dicts, shipped slugs or profile files; region "-"), or one of the config forms
    ``{"panels": DIR, "year": 2022, "regions": [...]}`` (every council of the DfE panels, or of
    those regions, built by :func:`admsim.profiles.national`) and ``{"region": "west-midlands"}``
    (a shipped region). Slugs (from each profile's ``slug`` or ``name``) must be unique.
    """
    from .. import profiles

    pairs: list[tuple[str, dict[str, Any]]] = []
    if isinstance(councils, Mapping) and "panels" in councils:
        extra = set(councils) - {"panels", "year", "regions"}
        if extra:
            raise scenario_error(f"/councils/{sorted(extra)[0]}", "unknown key", sorted(extra)[0],
                                 "panels, year, regions")
        panels = Path(councils["panels"])
        if base is not None and not panels.is_absolute():
            panels = base / panels
        by_region = profiles.national(panels, year=int(councils.get("year", 2022)),
                                      regions=councils.get("regions"), progress=progress)
        pairs = [(r, p) for r, ps in by_region.items() for p in ps]
    elif isinstance(councils, Mapping) and set(councils) == {"region"}:
        pairs = [(councils["region"], p) for p in profiles.region(councils["region"])]
    elif isinstance(councils, Mapping):
        for region, items in councils.items():
            pairs += _profiles_of(items, str(region), f"/councils/{region}")
    else:
        pairs = _profiles_of(councils, "-", "/councils")
    if not pairs:
        raise scenario_error("/councils", "no councils", councils, "at least one council profile")
    out, seen = [], {}
    for i, (region, profile) in enumerate(pairs):
        slug = _slug(profile, i)
        if slug in seen:
            raise scenario_error("/councils", "two councils with the same slug", slug,
                                 f"unique profile slugs or names (also council {seen[slug]})")
        seen[slug] = i
        out.append((slug, region, profile))
    return out


def plan_councils(config: Mapping[str, Any] | str | Path, councils: Any = None, *,
                  progress: bool = True) -> tuple[list[Council], list[Plan]]:
    """Each council's plan: the config's scenario (build_scenario arguments, without a profile)
    with the council's profile, exactly the plan of that council's own job."""
    settings = read_settings(config, extra_keys=("councils",))
    scenario = settings.cfg["scenario"]
    if not isinstance(scenario, Mapping):
        raise scenario_error("/scenario", "wrong type", scenario,
                             "build_scenario arguments without a profile (each council gives its own)")
    if "profile" in scenario:
        raise scenario_error("/scenario/profile", "a profile in a national run", scenario["profile"],
                             "no profile: the councils come from councils= or the config's 'councils'")
    if councils is None:
        if "councils" not in settings.cfg:
            raise scenario_error("/councils", "missing", None,
                                 "councils= or a 'councils' entry ({'panels': DIR} or a list of profiles)")
        councils = settings.cfg["councils"]
    listed = resolve_councils(councils, settings.base, progress=progress)
    from ..progress import tqdm_class

    plans = []
    for slug, _, profile in tqdm_class()(listed, desc="council plans", disable=not progress):
        try:
            plans.append(plan_for(settings, {**scenario, "profile": profile}))
        except ValueError as err:
            raise type(err)(f"council {slug}: {err}") from None
    return listed, plans


def run_national(
    config: Mapping[str, Any] | str | Path,
    out_dir: str | Path,
    councils: Any = None,
    scheduler: str | None = None,
    local_cluster: int | None = None,
    *,
    threads: int | None = None,
    progress: bool = True,
    plots: bool = False,
) -> NationalSensitivity:
    """Run a sensitivity analysis (the config of :func:`run_chunks`, its scenario without a
    profile) in every council of ``councils`` (see :func:`resolve_councils`; default: the
    config's ``"councils"``), in chunks of (council, block of ``chunk_rows`` rows), resumably.

    ``out_dir/councils/<slug>/`` is each council's run directory, laid out as
    :func:`run_chunks` lays it out and holding exactly what that council's job run alone would
    write (same plan, chunks, checksums and ``indices.csv``; plots only with ``plots=True``), so
    either can resume the other. Chunks run locally (``threads``) or as Dask tasks (``scheduler``
    or ``LocalCluster(local_cluster)``) with bit-identical results; a restarted run skips every
    intact chunk. Then writes ``out_dir/indices.csv`` (every council's indices, with its region),
    ``national.csv`` (per output and input: in how many councils it matters most, and the
    spread of its index), ``regions.csv`` (the same by region), ``plots/`` and ``manifest.json``.
    """
    check_where(scheduler, local_cluster)
    nthreads = check_threads(threads)
    clock = time.monotonic()
    timings: dict[str, float] = {}
    t = time.monotonic()
    listed, plans = plan_councils(config, councils, progress=progress)
    timings["plan"] = time.monotonic() - t

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    # What every council shares (so a changed seed or input is named), then each council's plan.
    key = {**{k: v for k, v in plans[0].key.items() if k != "scenario_sha256"},
           "councils": [{"slug": s, "region": r, "plan_sha256": p.digest}
                        for (s, r, _), p in zip(listed, plans)]}
    check_key_file(key, out, "national.json")
    t = time.monotonic()
    runs = [open_run(plan, out / "councils" / slug) for (slug, _, _), plan in zip(listed, plans)]
    timings["resume_scan"] = time.monotonic() - t
    evaluated = [len(r.todo) for r in runs]

    bar = RowProgress(progress, sum(p.rows for p in plans), desc="national sensitivity")
    try:
        mode, workers = evaluate_runs(runs, scheduler, local_cluster, nthreads, bar, timings)
    finally:
        bar.close()

    t = time.monotonic()
    results = {}
    for (slug, _, _), run, done in zip(listed, runs, evaluated):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            results[slug] = finish_run(run, done, mode, workers, {}, time.monotonic(), plots=plots)
        for w in caught:  # an undefined output, say: name the council
            warnings.warn(f"council {slug}: {w.message}", w.category, stacklevel=2)
    national = NationalSensitivity(results, {s: r for s, r, _ in listed},
                                   {s: str(p.get("name", s)) for s, _, p in listed})
    timings["analyse"] = time.monotonic() - t

    t = time.monotonic()
    for name, frame in (("indices.csv", national.to_frame()), ("national.csv", national.national()),
                        ("regions.csv", national.by_region())):
        write_atomic(out / name, safe_frame(frame).to_csv(index=False).encode())
    written = national.write_plots(out / "plots")
    timings["write"] = time.monotonic() - t
    timings["total"] = time.monotonic() - clock
    first = plans[0]
    manifest = {
        "national_sha256": sha256(canonical(key)), "councils": len(listed),
        "regions": sorted(set(national.regions.values())),
        "method": first.method, "n": first.n, "seed": first.seed, "inputs": first.inputs,
        "outputs": first.outputs, "sample_sha256": first.key["sample_sha256"],
        "rows_per_council": first.rows, "chunk_rows": first.chunk_rows,
        "chunks": {"total": sum(len(p.chunks) for p in plans), "evaluated": sum(evaluated),
                   "skipped": sum(len(p.chunks) for p in plans) - sum(evaluated)},
        "mode": mode, "versions": versions(), "worker_versions": workers,
        "timings_s": {k: round(v, 4) for k, v in timings.items()},
        "files": {"indices": "indices.csv", "national": "national.csv", "regions": "regions.csv",
                  "plots": [str(p.relative_to(out)) for p in written], "councils": "councils/"},
    }
    write_atomic(out / "manifest.json", (json.dumps(manifest, indent=2) + "\n").encode())
    national.manifest = manifest
    return national
