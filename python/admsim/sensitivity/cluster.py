"""Evaluating a nightly run's chunks as Dask tasks, on a scheduler or a ``LocalCluster``."""
from __future__ import annotations

import platform
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from .._version import __version__
from .chunks import write_chunk
from .evaluate import RowProgress, evaluate_chunk
from .plan import Plan


def worker_versions() -> dict[str, str]:  # run on each Dask worker for the manifest
    return {"admsim": __version__, "python": platform.python_version()}


def run_dask(plan: Plan, chunks_dir: Path, todo: list[int], Y: np.ndarray, scheduler: str | None,
             local_cluster: int | None, bar: RowProgress, done_rows: int,
             timings: dict[str, float]) -> tuple[dict[str, Any], dict[str, Any], int]:
    import logging

    from dask.distributed import Client, LocalCluster, as_completed

    t = time.monotonic()
    cluster = None
    if scheduler is not None:
        client = Client(scheduler)
        mode: dict[str, Any] = {"kind": "dask", "scheduler": scheduler}
    else:
        cluster = LocalCluster(n_workers=local_cluster, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=logging.ERROR)
        client = Client(cluster)
        mode = {"kind": "dask-local-cluster", "workers": local_cluster, "threads_per_worker": 1}
    futures = []
    try:
        workers = client.run(worker_versions)  # also imports admsim on every worker
        mode["workers_seen"] = len(workers)
        mine = worker_versions()["admsim"]
        if any(w.get("admsim") != mine for w in workers.values()):
            warnings.warn(f"Dask workers run admsim {sorted({w.get('admsim') for w in workers.values()})}, "
                          f"this process {mine}: results may differ from a local run", RuntimeWarning,
                          stacklevel=3)
        timings["cluster_start"] = time.monotonic() - t  # connect or start, and warm the workers
        if todo:
            spec_f, cat_f = client.scatter([plan.spec_json, plan.catalogue_json], broadcast=True)
            index = {}
            for i in todo:
                a, b = plan.chunks[i]
                fut = client.submit(evaluate_chunk, spec_f, cat_f, plan.inputs, plan.X[a:b],
                                    plan.outputs, 1, key=f"admsim-chunk-{plan.digest[:12]}-{i:05d}",
                                    pure=False, retries=1)
                index[fut.key] = i
                futures.append(fut)
            for fut in as_completed(futures):
                i = index[fut.key]
                a, b = plan.chunks[i]
                Y[a:b] = fut.result()  # raises the task's error, if any
                write_chunk(plan, chunks_dir, i, a, Y[a:b])
                fut.release()
                done_rows += b - a
                bar(done_rows, plan.rows)
    finally:
        if futures:
            client.cancel([f for f in futures if not f.done()])
        client.close()
        if cluster is not None:
            cluster.close()
    return mode, workers, done_rows
