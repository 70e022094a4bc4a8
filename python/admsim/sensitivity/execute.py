"""Evaluating the chunks still to do of one or many runs (one council's, or every council's of a
national run): locally, chunk after chunk with all threads in each C++ call, or as Dask tasks.
Each finished chunk is written at once; the order chunks finish in changes nothing written."""
from __future__ import annotations

import os
import time
from typing import Any, Sequence

from .. import _core
from .chunks import RunDir
from .cluster import run_dask
from .evaluate import RowProgress


def evaluate_runs(runs: Sequence[RunDir], scheduler: str | None, local_cluster: int | None,
                  nthreads: int, bar: RowProgress,
                  timings: dict[str, float]) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Evaluate every run's ``todo`` chunks, writing each as it finishes; returns the mode (for
    the manifest) and the Dask workers' versions (None locally). ``timings["evaluate"]`` gets the
    evaluation time (after the cluster's start, ``timings["cluster_start"]``)."""
    total = sum(r.plan.rows for r in runs)
    done = total - sum(r.rows_left for r in runs)
    bar(done, total)
    workers = None
    t = time.monotonic()
    if scheduler is None and local_cluster is None:
        mode: dict[str, Any] = {"kind": "local", "threads": nthreads or os.cpu_count()}
        for run in runs:
            plan = run.plan
            for i in run.todo:
                a, b = plan.chunks[i]
                chunk_bar = (lambda d, _t, before=done: bar(before + d, total))  # noqa: E731
                run.store(i, _core.evaluate(plan.spec_json, plan.catalogue_json, plan.inputs,
                                            plan.X[a:b], plan.outputs, nthreads, chunk_bar))
                done += b - a
                bar(done, total)
    else:
        mode, workers = run_dask(runs, scheduler, local_cluster, bar, done, total, timings)
    timings["evaluate"] = time.monotonic() - t - timings.get("cluster_start", 0.0)
    return mode, workers
