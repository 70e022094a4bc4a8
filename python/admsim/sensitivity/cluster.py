"""Evaluating the chunks of one or many runs as Dask tasks, on a scheduler or a ``LocalCluster``."""
from __future__ import annotations

import platform
import time
import warnings
from typing import Any, Sequence

from .._version import __version__
from .chunks import RunDir
from .evaluate import RowProgress, evaluate_chunk


def worker_versions() -> dict[str, str]:  # run on each Dask worker for the manifest
    return {"admsim": __version__, "python": platform.python_version()}


def run_dask(runs: Sequence[RunDir], scheduler: str | None, local_cluster: int | None,
             bar: RowProgress, done_rows: int, total_rows: int,
             timings: dict[str, float]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Submit every run's ``todo`` chunks as tasks (one thread each) and write each chunk as its
    task finishes. The scenarios and the catalogue are scattered to every worker once."""
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
        busy = [r for r in runs if r.todo]
        if busy:
            scattered = client.scatter([busy[0].plan.catalogue_json, *[r.plan.spec_json for r in busy]],
                                       broadcast=True)
            cat_f, spec_fs = scattered[0], scattered[1:]
            index = {}
            for k, (run, spec_f) in enumerate(zip(busy, spec_fs)):
                plan = run.plan
                for i in run.todo:
                    a, b = plan.chunks[i]
                    fut = client.submit(evaluate_chunk, spec_f, cat_f, plan.inputs, plan.X[a:b],
                                        plan.outputs, 1, key=f"admsim-chunk-{plan.digest[:12]}-{k}-{i:05d}",
                                        pure=False, retries=1)
                    index[fut.key] = (run, i)
                    futures.append(fut)
            for fut in as_completed(futures):
                run, i = index[fut.key]
                a, b = run.plan.chunks[i]
                run.store(i, fut.result())  # raises the task's error, if any
                fut.release()
                done_rows += b - a
                bar(done_rows, total_rows)
    finally:
        if futures:
            client.cancel([f for f in futures if not f.done()])
        client.close()
        if cluster is not None:
            cluster.close()
    return mode, workers
