"""Resume never trusts a damaged chunk: it is evaluated again, with a warning, and the results
are byte-identical to an uninterrupted run (issue 12)."""
import json
import shutil
import warnings

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("SALib")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from admsim import sensitivity  # noqa: E402
from admsim.sensitivity.plan import sha256  # noqa: E402

# 8 * (2 + 2) = 32 rows in 4 chunks of 8: a run takes about a second.
CONFIG = {"scenario": {"profile": "example-county", "models": ["latc"], "years": 1, "replicates": 4,
                       "seed": 1},
          "inputs": ["quality_reversion_per_year", "latc.turnover"],
          "bounds": {"latc.turnover": [0.85, 1.15]},
          "outputs": ["latc.npv_cost", "latc.mean_caseload"],
          "method": "sobol", "n": 8, "seed": 3, "chunk_rows": 8, "num_resamples": 20}
CHUNK = "chunk_00001.parquet"  # the one damaged
OUTPUT = "output:latc.npv_cost"


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    out = tmp_path_factory.mktemp("clean")
    sensitivity.run_chunks(CONFIG, out, threads=2, progress=False)
    return out


def resume(out):
    """Resume the run in ``out``; the manifest and the chunk warnings it raised."""
    (out / "indices.csv").unlink()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sensitivity.run_chunks(CONFIG, out, threads=2, progress=False)
    said = [str(w.message) for w in caught if "chunk" in str(w.message)]
    return json.loads((out / "manifest.json").read_text()), said


def sidecar(path):
    return path.parent.parent / "checksums" / (path.name + ".sha256")


def reseal(path):
    """Rewrite the sidecar to match the file: damage that only the inner checks can see."""
    sidecar(path).write_text(f"{sha256(path.read_bytes())}  chunks/{path.name}\n")


def value_offset(path):
    """Offset in the file of the bytes of one output value (Parquet stores doubles raw): the first
    value whose bytes occur once in the file, so flipping them damages that value alone."""
    data = path.read_bytes()
    for value in pq.read_table(path).column(OUTPUT).to_numpy():
        raw = np.float64(value).tobytes()
        if data.count(raw) == 1:
            return data.find(raw)
    raise AssertionError(f"no output value of {path.name} has bytes unique in the file")


def flip(path, at):
    data = bytearray(path.read_bytes())
    data[at] ^= 0x01
    path.write_bytes(bytes(data))


def flip_mid_file(path):
    flip(path, path.stat().st_size // 2)


def flip_output_value(path):  # the damage the old resume accepted: the file still reads
    flip(path, value_offset(path))


def flip_output_value_resealed(path):  # caught by the page CRC
    flip(path, value_offset(path))
    reseal(path)


def rewrite_output(path):
    table = pq.read_table(path)
    meta = table.schema.metadata
    j = table.schema.get_field_index(OUTPUT)
    changed = pa.array(table.column(OUTPUT).to_numpy() * 1.5)
    table = table.set_column(j, OUTPUT, changed).replace_schema_metadata(meta)
    pq.write_table(table, path)
    assert pq.read_table(path).schema.metadata == meta  # a valid file, metadata intact


def rewrite_output_resealed(path):  # caught by the outputs' checksum in the metadata
    rewrite_output(path)
    reseal(path)


def truncate_resealed(path):  # caught by Parquet itself
    path.write_bytes(path.read_bytes()[:-100])
    reseal(path)


def delete_sidecar(path):
    sidecar(path).unlink()


# Each damage, and the check that must catch it (the warning names it).
CASES = [
    (flip_mid_file, "does not match its checksum"),
    (flip_output_value, "does not match its checksum"),
    (flip_output_value_resealed, "CRC"),
    (rewrite_output, "does not match its checksum"),
    (rewrite_output_resealed, "outputs that do not match their checksum"),
    (truncate_resealed, "unreadable"),
    (delete_sidecar, "has no checksum file"),
]


@pytest.mark.parametrize("damage, why", CASES, ids=[d.__name__ for d, _ in CASES])
def test_damaged_chunk_is_evaluated_again(clean, tmp_path, damage, why):
    out = tmp_path / "run"
    shutil.copytree(clean, out)
    damage(out / "chunks" / CHUNK)
    manifest, said = resume(out)
    assert (out / "indices.csv").read_bytes() == (clean / "indices.csv").read_bytes()
    assert manifest["chunks"] == {"total": 4, "evaluated": 1, "skipped": 3}
    assert len(said) == 1 and CHUNK in said[0] and why in said[0], said
    for name in ("chunks/" + CHUNK, f"checksums/{CHUNK}.sha256"):  # as the clean run wrote them
        assert (out / name).read_bytes() == (clean / name).read_bytes()


def test_intact_chunks_are_trusted_silently(clean, tmp_path):
    out = tmp_path / "run"
    shutil.copytree(clean, out)
    manifest, said = resume(out)
    assert manifest["chunks"] == {"total": 4, "evaluated": 0, "skipped": 4}
    assert said == []
    assert (out / "indices.csv").read_bytes() == (clean / "indices.csv").read_bytes()


def test_sidecars_are_sha256sum_files_and_pages_carry_crcs(clean):
    path = clean / "chunks" / CHUNK
    digest, name = sidecar(path).read_text().split()
    assert (digest, name) == (sha256(path.read_bytes()), "chunks/" + CHUNK)
    assert sorted(p.name for p in (clean / "chunks").iterdir()) == [f"chunk_{i:05d}.parquet"
                                                                     for i in range(4)]
    assert len(pd.read_parquet(clean / "chunks")) == 32  # chunks/ stays a plain Parquet dataset
    data = bytearray(path.read_bytes())
    data[value_offset(path)] ^= 0x01
    with pytest.raises(OSError, match="CRC"):
        pq.read_table(pa.BufferReader(bytes(data)), page_checksum_verification=True)
