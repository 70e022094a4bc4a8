"""Chunk files of a nightly run: each finished chunk written atomically to Parquet with its
SHA-256 in ``checksums/``, and read back only if every check passes."""
from __future__ import annotations

import json
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .plan import Plan, canonical, sha256


_CHUNK_META = b"admsim.sensitivity"


def write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def chunk_path(chunks_dir: Path, i: int) -> Path:
    return chunks_dir / f"chunk_{i:05d}.parquet"


def _sidecar_path(path: Path) -> Path:
    # In out_dir/checksums, not beside the chunk: chunks/ stays a pure Parquet dataset, which
    # pd.read_parquet(out_dir / "chunks") reads whole (it fails on any non-Parquet file there).
    return path.parent.parent / "checksums" / (path.name + ".sha256")


def _outputs_sha256(Y: np.ndarray) -> str:
    return sha256(np.ascontiguousarray(Y, dtype=np.float64).tobytes())


def write_chunk(plan: Plan, chunks_dir: Path, i: int, first: int, Y: np.ndarray) -> None:
    """Write one finished chunk: to a temporary name, then os.replace (atomic on POSIX).

    ``out_dir/checksums/chunk_NNNNN.parquet.sha256`` (``sha256sum -c`` format, run in out_dir)
    holds the file's SHA-256; the outputs' own SHA-256 goes in the Parquet metadata, and the
    pages carry CRCs.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    last = first + len(Y)
    columns = {"row": pa.array(np.arange(first, last, dtype=np.int64))}
    for j, name in enumerate(plan.inputs):
        columns[f"input:{name}"] = pa.array(plan.X[first:last, j])
    for j, name in enumerate(plan.outputs):
        columns[f"output:{name}"] = pa.array(np.ascontiguousarray(Y[:, j]))
    meta = {"plan_sha256": plan.digest, "chunk": i, "first_row": first, "rows": len(Y),
            "outputs_sha256": _outputs_sha256(Y)}
    table = pa.table(columns).replace_schema_metadata({_CHUNK_META: canonical(meta).encode()})
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, write_page_checksum=True)
    data = sink.getvalue().to_pybytes()
    path = chunk_path(chunks_dir, i)
    # Sidecar first: a kill between the two writes leaves no chunk file, never an unchecked one.
    write_atomic(_sidecar_path(path), f"{sha256(data)}  chunks/{path.name}\n".encode())
    write_atomic(path, data)


def read_chunk(plan: Plan, path: Path, i: int, first: int, last: int) -> np.ndarray | None:
    """A finished chunk's outputs, or None (with a warning naming the file) if it fails a check.

    Checked: the file's SHA-256 against checksums/, the Parquet page CRCs, that it is this
    plan's chunk i (metadata, rows, inputs), and the outputs' SHA-256 against the metadata.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    def damaged(why: str) -> None:
        warnings.warn(f"chunk {path} {why}: evaluating it again", RuntimeWarning, stacklevel=3)

    sidecar = _sidecar_path(path)
    try:
        data = path.read_bytes()  # hash and parse the same bytes
        listed = sidecar.read_text(encoding="ascii").split()
    except FileNotFoundError:
        return damaged(f"has no checksum file {sidecar}")
    except (OSError, UnicodeDecodeError) as err:
        return damaged(f"or its checksum file is unreadable ({err})")
    if listed[:1] != [sha256(data)]:
        return damaged(f"does not match its checksum in {sidecar}")
    try:
        table = pq.read_table(pa.BufferReader(data), page_checksum_verification=True)
        meta = json.loads((table.schema.metadata or {}).get(_CHUNK_META, b"{}"))
        rows = table.column("row").to_numpy()
        X = np.column_stack([table.column(f"input:{name}").to_numpy() for name in plan.inputs])
        Y = np.column_stack([table.column(f"output:{name}").to_numpy() for name in plan.outputs])
    except Exception as err:  # unreadable Parquet, a page CRC error, a missing column
        return damaged(f"is unreadable ({type(err).__name__}: {err})")
    if meta.get("plan_sha256") != plan.digest or meta.get("chunk") != i:
        return damaged("belongs to another run or chunk")
    if not (np.array_equal(rows, np.arange(first, last)) and np.array_equal(X, plan.X[first:last])):
        return damaged("has the wrong rows or inputs")
    if meta.get("outputs_sha256") != _outputs_sha256(Y):
        return damaged("has outputs that do not match their checksum")
    return np.ascontiguousarray(Y, dtype=np.float64)


def read_chunks(out_dir: str | Path) -> pd.DataFrame:
    """All chunks written in ``out_dir/chunks`` as one frame (row, input:*, output:*), by row."""
    import pyarrow.parquet as pq

    files = sorted((Path(out_dir) / "chunks").glob("chunk_*.parquet"))
    if not files:
        return pd.DataFrame()
    frame = pd.concat([pq.read_table(f).to_pandas() for f in files], ignore_index=True)
    return frame.sort_values("row", kind="stable").reset_index(drop=True)


def check_plan_file(plan: Plan, out_dir: Path) -> None:
    check_key_file(plan.key, out_dir, "plan.json")


def check_key_file(key: dict, out_dir: Path, name: str) -> None:
    """Write ``key`` to ``out_dir/name``, or, if that file exists, refuse a directory whose file
    holds another key (naming the entries that differ)."""
    path = out_dir / name
    if path.exists():
        try:
            old = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            old = None
        if old != key:
            diff = (sorted(k for k in key if not isinstance(old, dict) or old.get(k) != key[k])
                    or [name])
            raise ValueError(f"{out_dir} holds a different sensitivity run (differs in: "
                             f"{', '.join(diff)}); use a new --out directory or delete {out_dir}")
    else:
        write_atomic(path, (json.dumps(key, indent=2) + "\n").encode())


@dataclass
class RunDir:
    """One plan's output directory opened for a run: the outputs read back from the intact
    chunks (NaN elsewhere) and the chunks still to evaluate."""
    plan: Plan
    out: Path
    Y: np.ndarray
    todo: list[int]

    @property
    def chunks_dir(self) -> Path:
        return self.out / "chunks"

    @property
    def skipped(self) -> int:
        return len(self.plan.chunks) - len(self.todo)

    @property
    def rows_left(self) -> int:
        return sum(self.plan.chunks[i][1] - self.plan.chunks[i][0] for i in self.todo)

    def store(self, i: int, Y: np.ndarray) -> None:
        """Keep chunk i's outputs and write its file (atomically, with its checksum)."""
        a, b = self.plan.chunks[i]
        self.Y[a:b] = Y
        write_chunk(self.plan, self.chunks_dir, i, a, self.Y[a:b])


def open_run(plan: Plan, out: Path) -> RunDir:
    """Open ``out`` for ``plan``: refuse a directory holding another run, clear temporary files
    left by a run killed mid-write, and read back every intact chunk (a damaged one is listed to
    evaluate again, with a warning)."""
    chunks_dir = out / "chunks"
    chunks_dir.mkdir(parents=True, exist_ok=True)
    check_plan_file(plan, out)
    (out / "checksums").mkdir(exist_ok=True)
    for stale in [*chunks_dir.glob(".*.tmp-*"), *(out / "checksums").glob(".*.tmp-*")]:
        stale.unlink(missing_ok=True)
    Y = np.full((plan.rows, len(plan.outputs)), np.nan)
    todo: list[int] = []
    for i, (a, b) in enumerate(plan.chunks):
        path = chunk_path(chunks_dir, i)
        got = read_chunk(plan, path, i, a, b) if path.exists() else None
        if got is None:
            todo.append(i)
        else:
            Y[a:b] = got
    return RunDir(plan, out, Y, todo)
