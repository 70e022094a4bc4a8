"""The national sensitivity job (issue 16): a chunk per council x block of rows, locally or on
Dask, resumable, each council's results those of its own job run alone, and tables across
councils."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("SALib")
pytest.importorskip("pyarrow")

import admsim  # noqa: E402
from admsim import ScenarioError, profiles, sensitivity  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = {"models": ["in_house"], "years": 2, "replicates": 10, "seed": 1}
INPUTS = ["quality_reversion_per_year", "demand_trend_per_year", "caseload_turnover_elasticity"]
OUTPUTS = ["in_house.npv_cost", "in_house.mean_turnover_rate"]
CONFIG = {"scenario": SCENARIO, "inputs": INPUTS, "outputs": OUTPUTS, "method": "sobol", "n": 8,
          "seed": 3, "chunk_rows": 15}  # 8 * (3 + 2) = 40 rows, 3 chunks per council


def councils():
    wm = profiles.region("west-midlands")
    return {"West Midlands": wm[:2], "Elsewhere": [profiles.load("example-county")]}


def bits(a):
    return np.ascontiguousarray(a, dtype=np.float64).view(np.uint64)


@pytest.fixture(scope="module")
def local_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("national")
    return out, sensitivity.run_national(CONFIG, out, councils(), threads=2, progress=False)


def test_each_council_is_its_own_job_run_alone(local_run, tmp_path):
    out, nat = local_run
    assert list(nat.results) == ["birmingham-2022", "coventry-2022", "example-county"]
    for slug, (region, profile) in zip(nat.results, [(r, p) for r, ps in councils().items() for p in ps]):
        alone = sensitivity.run_chunks(dict(CONFIG, scenario=dict(SCENARIO, profile=profile)),
                                       tmp_path / slug, threads=1, progress=False)
        assert np.array_equal(bits(alone.Y), bits(nat[slug].Y))
        mine = out / "councils" / slug
        for name in ("indices.csv", "plan.json"):
            assert (mine / name).read_bytes() == (tmp_path / slug / name).read_bytes(), (slug, name)
        for chunk in sorted((mine / "chunks").iterdir()):
            assert chunk.read_bytes() == (tmp_path / slug / "chunks" / chunk.name).read_bytes()
        assert nat.regions[slug] == region


def test_results_do_not_depend_on_chunking(local_run, tmp_path):
    out, nat = local_run
    whole = sensitivity.run_national(dict(CONFIG, chunk_rows=40), tmp_path, councils(), threads=1,
                                     progress=False)
    assert whole.manifest["chunks"]["total"] == 3
    for slug in nat.results:
        assert np.array_equal(bits(whole[slug].Y), bits(nat[slug].Y))
    assert (tmp_path / "national.csv").read_bytes() == (out / "national.csv").read_bytes()


def test_local_cluster_gives_bit_identical_results(local_run, tmp_path):
    out, nat = local_run
    dask = sensitivity.run_national(CONFIG, tmp_path, councils(), local_cluster=2, progress=False)
    assert dask.manifest["mode"]["kind"] == "dask-local-cluster"
    for slug in nat.results:
        assert np.array_equal(bits(dask[slug].Y), bits(nat[slug].Y))
    for name in ("indices.csv", "national.csv", "regions.csv"):
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name


def test_rerun_skips_intact_chunks_redoes_damaged_ones_and_refuses_another_run(local_run, tmp_path):
    out, nat = local_run
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    (copy / "councils" / "coventry-2022" / "chunks" / "chunk_00001.parquet").unlink()
    damaged = copy / "councils" / "example-county" / "chunks" / "chunk_00000.parquet"
    damaged.write_bytes(damaged.read_bytes()[:-40])
    with pytest.warns(RuntimeWarning, match="chunk_00000"):
        again = sensitivity.run_national(CONFIG, copy, councils(), threads=1, progress=False)
    assert again.manifest["chunks"] == {"total": 9, "evaluated": 2, "skipped": 7}
    for name in ("indices.csv", "national.csv", "regions.csv"):
        assert (copy / name).read_bytes() == (out / name).read_bytes(), name
    with pytest.raises(ValueError, match="different sensitivity run.*councils"):
        sensitivity.run_national(CONFIG, copy, {"West Midlands": profiles.region("west-midlands")[:3]},
                                 progress=False)
    with pytest.raises(ValueError, match="different sensitivity run.*seed"):
        sensitivity.run_national(dict(CONFIG, seed=4), copy, councils(), progress=False)


def test_national_tables(local_run):
    out, nat = local_run
    frame = nat.to_frame()
    assert {"council", "name", "region", "output", "input", "ST", "rank"} <= set(frame.columns)
    assert len(frame) == 3 * len(OUTPUTS) * len(INPUTS)
    table = nat.national()
    for output, g in table.groupby("output"):
        assert g["councils"].eq(3).all()
        assert g["top"].sum() >= 3  # every council has a top input (ties count for each)
        assert list(g["top"]) == sorted(g["top"], reverse=True)
        top = frame[(frame.output == output)].sort_values("ST", ascending=False).groupby("council").head(1)
        assert g.set_index("input")["top"].to_dict() == {
            i: int((top["input"] == i).sum()) for i in INPUTS}
    regions = nat.by_region()
    assert set(regions["region"]) == {"West Midlands", "Elsewhere"}
    assert regions.groupby(["output", "input"])["councils"].sum().eq(3).all()
    m = json.loads((out / "manifest.json").read_text())
    assert m["councils"] == 3 and m["chunks"]["total"] == 9 and m["rows_per_council"] == 40
    assert sorted(p.name for p in (out / "plots").iterdir()) == sorted(
        f"national_{o}.png" for o in OUTPUTS)
    assert "3 councils, 2 regions" in repr(nat)


def test_the_forms_councils_come_in():
    wm = sensitivity.resolve_councils({"region": "west-midlands"}, progress=False)
    assert len(wm) == 14 and {r for _, r, _ in wm} == {"west-midlands"}
    listed = sensitivity.resolve_councils(["example-county", profiles.load("worcestershire-2017")])
    assert [(s, r) for s, r, _ in listed] == [("example-county", "-"), ("worcestershire-2017", "-")]
    assert [s for s, _, _ in sensitivity.resolve_councils(councils())] == [
        "birmingham-2022", "coventry-2022", "example-county"]
    for bad, words in ((["nope-county"], "unknown profile"), ([], "no councils"),
                       ({"panels": "x", "yaer": 2022}, "/councils/yaer"), ("example-county", "/councils")):
        with pytest.raises(ValueError, match=words):
            sensitivity.resolve_councils(bad, progress=False)


def test_warnings_name_the_council(tmp_path):
    with pytest.warns(RuntimeWarning, match="council example-county: in_house.inadequate_at_year3 is"):
        sensitivity.run_national(dict(CONFIG, outputs=["in_house.inadequate_at_year3"]), tmp_path,
                                 ["example-county"], progress=False)


def test_errors_name_the_field(tmp_path):
    with pytest.raises(ScenarioError, match="/scenario/profile"):
        sensitivity.run_national(dict(CONFIG, scenario=dict(SCENARIO, profile="example-county")),
                                 tmp_path, councils(), progress=False)
    with pytest.raises(ScenarioError, match="/councils.*missing"):
        sensitivity.run_national(CONFIG, tmp_path, progress=False)
    with pytest.raises(ScenarioError, match="same slug"):
        sensitivity.run_national(CONFIG, tmp_path, ["example-county", "example-county"], progress=False)
    with pytest.raises(ScenarioError, match="/councils.*run_national"):
        sensitivity.run_chunks(dict(CONFIG, councils=["example-county"]), tmp_path, progress=False)
    with pytest.raises(ValueError, match="council coventry-2022: .*/inputs/0"):
        sensitivity.run_national(dict(CONFIG, inputs=["nope", *INPUTS[1:]]), tmp_path,
                                 {"x": profiles.region("west-midlands")[1:2]}, progress=False)


def test_config_councils_and_the_cli(tmp_path, capsys):
    from admsim.cli import main

    path = tmp_path / "c.json"
    path.write_text(json.dumps(dict(CONFIG, n=4, councils=["example-county"])))
    assert main(["sensitivity", str(path), "--out", str(tmp_path / "a"), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "1 councils" in printed and "the input that matters most" in printed
    path.write_text(json.dumps(dict(CONFIG, n=4)))
    assert main(["sensitivity", str(path), "--out", str(tmp_path / "b"), "--quiet",
                 "--councils", "example-county", "--plots"]) == 0
    assert (tmp_path / "b" / "councils" / "example-county" / "plots").is_dir()
    assert ((tmp_path / "a" / "indices.csv").read_bytes() == (tmp_path / "b" / "indices.csv").read_bytes())
    assert main(["sensitivity", str(path), "--out", str(tmp_path / "c"), "--year", "2021"]) == 2
    assert "--panels" in capsys.readouterr().err


def test_the_benchmark_runs_small(tmp_path):
    """bench_national.py's smoke run (untimed): both arms, identical results."""
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_national.py"), "--scale", "0.02",
                          "--repeats", "1", "--councils", "3", "--json", str(tmp_path / "b.json"),
                          "--panels", str(tmp_path / "none")],  # the shipped region: the same everywhere
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    report = json.loads((tmp_path / "b.json").read_text())
    assert report["bit_identical"] and len(report["local_s"]) == len(report["dask_s"]) == 1


def test_national_profiles_run(shared_data, tmp_path):
    """Every council of one region built from the real panels (the UASC councils among them)."""
    nat = sensitivity.run_national(dict(CONFIG, n=4), tmp_path,
                                   {"panels": str(shared_data / "la_panels"), "regions": ["Inner London"]},
                                   progress=False)
    assert {"camden-2022", "westminster-2022", "city-of-london-2022"} <= set(nat.results)
    assert admsim.__version__ == nat.manifest["versions"]["admsim"]


INTERRUPTED = """
import json, signal, sys
from admsim import profiles, sensitivity
signal.signal(signal.SIGINT, signal.default_int_handler)  # as interactively, even as a background job
config, out = json.loads(sys.argv[1]), sys.argv[2]
try:
    sensitivity.run_national(config, out, ["example-county", "worcestershire-2017"], threads=1,
                             progress=False)
except KeyboardInterrupt:
    print("interrupted", flush=True)
    sys.exit(0)
print("finished", flush=True)
"""


def test_ctrl_c_stops_a_national_run_and_it_resumes(tmp_path):
    import signal
    import time

    config = dict(CONFIG, scenario=dict(SCENARIO, replicates=100), chunk_rows=2)  # 40 chunks
    out = tmp_path / "run"
    proc = subprocess.Popen([sys.executable, "-c", INTERRUPTED, json.dumps(config), str(out)],
                            stdout=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not list(out.glob("councils/*/chunks/chunk_*.parquet")):
        assert proc.poll() is None and time.monotonic() < deadline, "no chunk written"
        time.sleep(0.01)
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    printed, _ = proc.communicate(timeout=60)
    assert "interrupted" in printed and time.monotonic() - sent < 5
    assert not (out / "manifest.json").exists()
    resumed = sensitivity.run_national(config, out, ["example-county", "worcestershire-2017"],
                                       threads=2, progress=False)
    assert 0 < resumed.manifest["chunks"]["skipped"] < 40
    clean = sensitivity.run_national(config, tmp_path / "clean", ["example-county", "worcestershire-2017"],
                                     threads=2, progress=False)
    assert (out / "indices.csv").read_bytes() == (tmp_path / "clean" / "indices.csv").read_bytes()
    for slug in clean.results:
        assert np.array_equal(bits(clean[slug].Y), bits(resumed[slug].Y))
