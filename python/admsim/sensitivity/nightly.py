""":func:`run_chunks`, the nightly job behind ``admsim sensitivity``: plan, resume from the chunks
already written, evaluate the rest (locally or on Dask), analyse, and write ``indices.csv``,
plots and ``manifest.json``."""
from __future__ import annotations

import json
import os
import platform
import time
from importlib import metadata
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from .._version import __version__
from ..csvout import safe_frame
from .analysis import analyse
from .chunks import RunDir, open_run, write_atomic
from .design import check_count
from .evaluate import RowProgress, check_threads
from .execute import evaluate_runs
from .plan import make_plan
from .results import MorrisResult, SobolResult, SensitivityResult


def versions() -> dict[str, str | None]:
    def version(dist: str) -> str | None:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return None

    return {"admsim": __version__, "SALib": version("SALib"), "numpy": np.__version__,
            "pandas": pd.__version__, "pyarrow": version("pyarrow"), "dask": version("dask"),
            "distributed": version("distributed"), "python": platform.python_version()}


def run_chunks(
    config: Mapping[str, Any] | str | Path,
    out_dir: str | Path,
    scheduler: str | None = None,
    local_cluster: int | None = None,
    *,
    threads: int | None = None,
    progress: bool = True,
) -> SobolResult | MorrisResult:
    """Run a sensitivity analysis from ``config`` in chunks, resumably, and write its results.

    ``config`` (a dict or a JSON file) holds ``scenario`` (:func:`admsim.build_scenario`
    arguments, a full scenario spec, or a path to a scenario JSON), ``inputs``, optional
    ``bounds`` ({input: [low, high]}), ``outputs``, ``method`` ("sobol" or "morris"), ``n``
    (Sobol base rows, or Morris trajectories), ``seed``, ``chunk_rows``, and optionally
    ``calc_second_order``, ``levels``, ``num_resamples``, ``conf_level``.

    The sample is drawn from ``seed`` and split into chunks of ``chunk_rows`` rows. Each chunk is
    evaluated locally (``threads``, default all cores), or as a Dask task on the scheduler at
    ``scheduler`` or on a ``LocalCluster(local_cluster, threads_per_worker=1)``, and written as
    soon as it finishes to ``out_dir/chunks/chunk_NNNNN.parquet`` (temporary name, then
    ``os.replace``), with its SHA-256 in ``out_dir/checksums/``. A restarted run skips the
    chunks already written, so a run killed at any point loses at most the chunks in flight; a
    directory holding a different run is refused. A written chunk that fails a check (unreadable,
    page CRC error, missing or mismatched checksum, wrong rows or inputs) is never trusted: it is
    evaluated and written again, with a ``RuntimeWarning`` naming the file.
    Finally writes ``indices.csv``, ``plots/*.png`` and ``manifest.json`` to ``out_dir``.
    """
    check_where(scheduler, local_cluster)
    nthreads = check_threads(threads)
    clock = time.monotonic()
    timings: dict[str, float] = {}

    t = time.monotonic()
    plan = make_plan(config)
    timings["sample"] = time.monotonic() - t

    t = time.monotonic()
    run = open_run(plan, Path(out_dir))
    timings["resume_scan"] = time.monotonic() - t
    evaluated = len(run.todo)

    bar = RowProgress(progress, plan.rows)
    try:
        mode, workers = evaluate_runs([run], scheduler, local_cluster, nthreads, bar, timings)
    finally:
        bar.close()
    return finish_run(run, evaluated, mode, workers, timings, clock)


def check_where(scheduler: str | None, local_cluster: int | None) -> None:
    if scheduler is not None and local_cluster is not None:
        raise ValueError("give a scheduler address or a local cluster size, not both")
    if local_cluster is not None:
        check_count(local_cluster, "local_cluster", 1)


def finish_run(run: RunDir, evaluated: int, mode: dict[str, Any], workers: dict[str, Any] | None,
               timings: dict[str, float], clock: float, *, plots: bool = True) -> SobolResult | MorrisResult:
    """Analyse a run whose chunks are all evaluated; write ``indices.csv``, the plots (if
    ``plots``) and ``manifest.json`` to its directory. Returns the result, manifest attached."""
    plan, out, Y = run.plan, run.out, run.Y
    t = time.monotonic()
    result = analyse(plan.method, plan.problem, plan.X, Y, plan.outputs, n=plan.n, seed=plan.seed,
                     calc_second_order=plan.calc_second_order, levels=plan.levels,
                     num_resamples=plan.num_resamples, conf_level=plan.conf_level)
    timings["analyse"] = time.monotonic() - t

    t = time.monotonic()
    write_atomic(out / "indices.csv", safe_frame(result.to_frame()).to_csv(index=False).encode())
    written = _write_plots(result, out / "plots") if plots else []
    timings["write"] = time.monotonic() - t
    timings["total"] = time.monotonic() - clock

    rm = plan.rows * len(plan.spec["models"]) * int(plan.spec["replicates"]) * 12 * int(plan.spec["years"])
    manifest = {
        "scenario_sha256": plan.key["scenario_sha256"],
        "catalogue_sha256": plan.key["catalogue_sha256"],
        "plan_sha256": plan.digest,
        "sample_sha256": plan.key["sample_sha256"],
        "scenario": {"profile": (plan.spec["profile"].get("slug") or plan.spec["profile"].get("name")
                                 if isinstance(plan.spec.get("profile"), Mapping) else plan.spec.get("profile")),
                     "models": [m if isinstance(m, str) else m.get("id") for m in plan.spec["models"]],
                     "years": plan.spec.get("years"), "replicates": plan.spec.get("replicates"),
                     "seed": plan.spec.get("seed")},
        "method": plan.method, "n": plan.n, "seed": plan.seed,
        "calc_second_order": plan.key["calc_second_order"], "levels": plan.key["levels"],
        "num_resamples": plan.num_resamples, "conf_level": plan.conf_level,
        "inputs": plan.inputs, "bounds": dict(zip(plan.inputs, plan.problem["bounds"])),
        "outputs": plan.outputs,
        "rows": plan.rows, "chunk_rows": plan.chunk_rows,
        "chunks": {"total": len(plan.chunks), "evaluated": evaluated,
                   "skipped": len(plan.chunks) - evaluated},
        "replicate_months": rm,
        "mode": mode, "versions": versions(), "worker_versions": workers,
        "timings_s": {k: round(v, 4) for k, v in timings.items()},
        "files": {"indices": "indices.csv", "plots": [str(p.relative_to(out)) for p in written],
                  "chunks": "chunks/", "checksums": "checksums/"},
    }
    write_atomic(out / "manifest.json", (json.dumps(manifest, indent=2) + "\n").encode())
    result.manifest = manifest
    return result


def file_slug(name: str) -> str:
    """An output name as a file name (letters, digits, ``._-``; the rest ``_``)."""
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in name)


def save_png(fig, path: Path) -> Path:
    """Save a figure to ``path`` atomically (temporary name, then os.replace) and close it."""
    import matplotlib.pyplot as plt  # without a display matplotlib falls back to Agg

    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}.png")
    fig.savefig(tmp, dpi=110)
    plt.close(fig)
    os.replace(tmp, path)
    return path


def _write_plots(result: SensitivityResult, plots_dir: Path) -> list[Path]:
    plots_dir.mkdir(parents=True, exist_ok=True)
    method = "sobol" if isinstance(result, SobolResult) else "morris"
    return [save_png(result.plot(out), plots_dir / f"{method}_{file_slug(out)}.png")
            for out in result.outputs]
