"""Sensitivity analysis: SALib over the batch call, chunked and resumable, locally and on Dask."""
import argparse
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("SALib")
pytest.importorskip("pyarrow")

import admsim  # noqa: E402
from admsim import ScenarioError, sensitivity  # noqa: E402
from admsim.cli.sensitivity import register  # noqa: E402

MODELS = ["latc", "in_house"]
# in_house.turnover is the dummy: every output reads latc only, and a model's effects touch only
# that model's replicates, so the outputs cannot depend on it.
INPUTS = ["quality_reversion_per_year", "caseload_turnover_elasticity", "latc.turnover",
          "in_house.turnover"]
BOUNDS = {"latc.turnover": [0.85, 1.15], "in_house.turnover": [0.8, 1.2]}
OUTPUTS = ["latc.npv_cost", "latc.mean_turnover_rate", "latc.mean_caseload"]
SCENARIO = {"profile": "example-county", "models": MODELS, "years": 2, "replicates": 10, "seed": 1}
CONFIG = {"scenario": SCENARIO, "inputs": INPUTS, "bounds": BOUNDS, "outputs": OUTPUTS,
          "method": "sobol", "n": 32, "seed": 3, "chunk_rows": 40}  # 32 * (4 + 2) = 192 rows, 5 chunks


def spec():
    return admsim.build_scenario(**SCENARIO)


def bits(a: np.ndarray) -> np.ndarray:
    """Compare floats bit for bit (NaN included)."""
    return np.ascontiguousarray(a, dtype=np.float64).view(np.uint64)


def outputs_of(out_dir) -> np.ndarray:
    frame = sensitivity.read_chunks(out_dir)
    return frame[[f"output:{o}" for o in OUTPUTS]].to_numpy()


@pytest.fixture(scope="module")
def local_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("local")
    return out, sensitivity.run_chunks(CONFIG, out, threads=2, progress=False)


# ---- the batch wrapper ------------------------------------------------------------------------
def test_evaluate_is_independent_of_threads_and_batching():
    rng = np.random.default_rng(0)
    values = np.column_stack([rng.uniform(0.15, 0.6, 6), rng.uniform(0.5, 2, 6),
                              rng.uniform(0.85, 1.15, 6), rng.uniform(0.8, 1.2, 6)])
    one = sensitivity.evaluate(spec(), INPUTS, values, OUTPUTS, threads=1, progress=False)
    two = sensitivity.evaluate(spec(), INPUTS, values, OUTPUTS, threads=2, progress=False)
    rows = np.vstack([sensitivity.evaluate(spec(), INPUTS, values[i:i + 1], OUTPUTS, threads=2,
                                           progress=False) for i in range(len(values))])
    assert one.shape == (6, 3)
    assert np.array_equal(bits(one), bits(two)) and np.array_equal(bits(one), bits(rows))
    # the dummy: changing in_house.turnover alone leaves every latc output exactly unchanged
    moved = values.copy()
    moved[:, 3] = 0.8 if values[0, 3] > 1 else 1.2
    assert np.array_equal(bits(one), bits(sensitivity.evaluate(spec(), INPUTS, moved, OUTPUTS,
                                                               threads=2, progress=False)))


def test_evaluate_rejects_a_badly_shaped_matrix():
    with pytest.raises(ScenarioError) as err:
        sensitivity.evaluate(spec(), INPUTS, np.ones((2, 3)), OUTPUTS, progress=False)
    assert err.value.pointer == "/values"


# ---- problem and bad names --------------------------------------------------------------------
def test_problem_defaults_to_plausible_ranges():
    table = {p["name"]: p for p in admsim._core.parameter_table()}
    prob = sensitivity.problem(["quality_reversion_per_year", "latc.turnover"],
                               {"latc.turnover": (0.85, 1.15)})
    assert prob["num_vars"] == 2
    assert prob["bounds"] == [[table["quality_reversion_per_year"]["low"],
                               table["quality_reversion_per_year"]["high"]], [0.85, 1.15]]


@pytest.mark.parametrize("inputs, bounds, pointer, words", [
    (["quality_reversion_per_year", "latc.turnover"], None, "/inputs/1", "latc.turnover"),
    (["quality_reversion_per_year", "latc.bogus"], {"latc.bogus": [0, 1]}, "/inputs/1", "latc.bogus"),
    (["nonsense"], None, "/inputs/0", "nonsense"),
    (["vat_rate"], None, "/inputs/0", "vat_rate"),  # plausible range is a single point
    (["quality_reversion_per_year"], {"quality_reversion_per_year": [0.1, 9]},
     "/bounds/quality_reversion_per_year", "allowed range"),
    (["quality_reversion_per_year"], {"quality_reversion_per_year": [0.5, 0.2]},
     "/bounds/quality_reversion_per_year", "low < high"),
])
def test_problem_errors_name_the_input(inputs, bounds, pointer, words):
    with pytest.raises(ScenarioError) as err:
        sensitivity.problem(inputs, bounds)
    assert err.value.pointer == pointer
    assert words in str(err.value)


@pytest.mark.parametrize("inputs, outputs, pointer", [
    (["quality_reversion_per_year", "latc.bogus"], OUTPUTS, "/inputs/1"),
    (["quality_reversion_per_year", "corporate_jv.turnover"], OUTPUTS, "/inputs/1"),  # not in scenario
    (["quality_reversion_per_year", "nope"], OUTPUTS, "/inputs/1"),
    (["quality_reversion_per_year", "quality_reversion_per_year"], OUTPUTS, "/inputs/1"),
    (["quality_reversion_per_year"], ["latc.bogus"], "/outputs/0"),
])
def test_bad_names_raise_scenario_errors(inputs, outputs, pointer, tmp_path):
    with pytest.raises(ScenarioError) as err:
        sensitivity.sobol(spec(), inputs, outputs, n=4, progress=False)
    assert err.value.pointer == pointer
    with pytest.raises(ScenarioError) as err:
        sensitivity.run_chunks(dict(CONFIG, inputs=inputs, outputs=outputs, bounds={}), tmp_path)
    assert err.value.pointer == pointer
    assert not (tmp_path / "chunks").exists()


def test_config_typos_are_named(tmp_path):
    with pytest.raises(ScenarioError) as err:
        sensitivity.run_chunks(dict(CONFIG, chunk_row=5), tmp_path)
    assert err.value.pointer == "/chunk_row"
    with pytest.raises(ScenarioError) as err:
        sensitivity.run_chunks(dict(CONFIG, scenario=dict(SCENARIO, replicate=3)), tmp_path)
    assert err.value.pointer == "/scenario/replicate"


def test_undefined_outputs_get_nan_indices_not_zeros():
    # good_by_year3 is undefined over a 2-year horizon; SALib alone would report zeros
    with pytest.warns(RuntimeWarning, match="latc.good_by_year3 is undefined"):
        res = sensitivity.sobol(spec(), INPUTS[:2], ["latc.good_by_year3", "latc.npv_cost"], n=4,
                                progress=False)
    frame = res.to_frame().set_index("output")
    assert frame.loc["latc.good_by_year3", ["S1", "ST"]].isna().all().all()
    assert frame.loc["latc.npv_cost", ["S1", "ST"]].notna().all().all()


# ---- indices ----------------------------------------------------------------------------------
def test_indices_lie_in_range_and_total_exceeds_first_order(local_run):
    _, res = local_run
    frame = res.to_frame()
    assert list(frame.columns) == ["output", "input", "S1", "S1_conf", "ST", "ST_conf"]
    assert len(frame) == len(OUTPUTS) * len(INPUTS)
    assert frame[["S1", "S1_conf", "ST", "ST_conf"]].notna().all().all()
    assert (frame.S1 >= -frame.S1_conf - 1e-12).all() and (frame.S1 <= 1 + frame.S1_conf).all()
    assert (frame.ST >= -frame.ST_conf - 1e-12).all() and (frame.ST <= 1 + frame.ST_conf).all()
    assert (frame.ST >= frame.S1 - frame.S1_conf - frame.ST_conf).all()
    # latc's own turnover effect drives its turnover rate
    top = frame[frame.output == "latc.mean_turnover_rate"].sort_values("ST").iloc[-1]
    assert top.input == "latc.turnover"


def test_dummy_input_gets_indices_near_zero(local_run):
    _, res = local_run
    dummy = res.to_frame().query("input == 'in_house.turnover'")
    assert len(dummy) == len(OUTPUTS)
    assert (dummy.S1.abs() < 0.05 + dummy.S1_conf).all()
    assert (dummy.ST < 0.05 + dummy.ST_conf).all()
    assert (dummy.ST == 0).all()  # common random numbers make it exact


def test_api_matches_the_chunked_runner(local_run):
    out, res = local_run
    api = sensitivity.sobol(spec(), INPUTS, OUTPUTS, n=32, bounds=BOUNDS, seed=3, threads=1,
                            progress=False)
    assert np.array_equal(bits(api.Y), bits(res.Y)) and np.array_equal(api.X, res.X)
    pd.testing.assert_frame_equal(api.to_frame(), res.to_frame())
    assert list(api.S1.index) == INPUTS and list(api.ST.columns) == OUTPUTS


def test_sobol_plot_is_titled_and_labelled(local_run):
    _, res = local_run
    fig = res.plot("latc.npv_cost")
    (ax,) = fig.axes
    assert "Sobol" in fig._suptitle.get_text()
    assert ax.get_title() == "latc.npv_cost" and ax.get_ylabel() and ax.get_xlabel()
    assert [t.get_text() for t in ax.get_xticklabels()] == INPUTS
    assert len(ax.containers) >= 2  # S1 and ST bars (with their error bars)
    assert len(res.plot().axes) >= len(OUTPUTS)
    with pytest.raises(KeyError):
        res.plot("latc.bogus")


# ---- the chunked runner: files, Dask, resume --------------------------------------------------
def test_run_writes_indices_plots_and_manifest(local_run):
    out, res = local_run
    assert sorted(p.name for p in (out / "chunks").iterdir()) == [f"chunk_{i:05d}.parquet" for i in range(5)]
    indices = pd.read_csv(out / "indices.csv")
    assert list(indices.columns) == ["output", "input", "S1", "S1_conf", "ST", "ST_conf"]
    assert len(list((out / "plots").glob("sobol_*.png"))) == len(OUTPUTS)
    m = json.loads((out / "manifest.json").read_text())
    assert m["scenario_sha256"] == sensitivity.scenario_hash(spec())
    assert m["seed"] == 3 and m["method"] == "sobol" and m["n"] == 32 and m["rows"] == 192
    assert m["inputs"] == INPUTS and m["outputs"] == OUTPUTS
    assert m["chunks"] == {"total": 5, "evaluated": 5, "skipped": 0}
    assert {"admsim", "SALib", "numpy", "dask"} <= set(m["versions"])
    assert {"sample", "evaluate", "analyse", "write", "total"} <= set(m["timings_s"])


def test_local_cluster_gives_bit_identical_results(local_run, tmp_path):
    pytest.importorskip("dask.distributed")
    out, res = local_run
    dask_res = sensitivity.run_chunks(CONFIG, tmp_path, local_cluster=2, progress=False)
    assert np.array_equal(bits(dask_res.Y), bits(res.Y))
    assert np.array_equal(bits(outputs_of(tmp_path)), bits(outputs_of(out)))
    assert (tmp_path / "indices.csv").read_bytes() == (out / "indices.csv").read_bytes()
    m = json.loads((tmp_path / "manifest.json").read_text())
    assert m["mode"]["kind"] == "dask-local-cluster" and m["mode"]["workers_seen"] == 2


def test_rerun_skips_written_chunks_and_refuses_a_different_run(local_run, tmp_path):
    import shutil

    out, res = local_run
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    (copy / "indices.csv").unlink()
    again = sensitivity.run_chunks(CONFIG, copy, progress=False)
    assert again.manifest["chunks"] == {"total": 5, "evaluated": 0, "skipped": 5}
    assert (copy / "indices.csv").read_bytes() == (out / "indices.csv").read_bytes()
    with pytest.raises(ValueError, match="different sensitivity run.*seed"):
        sensitivity.run_chunks(dict(CONFIG, seed=4), copy, progress=False)


def test_sigkill_midway_then_resume_gives_identical_results(tmp_path):
    config = dict(CONFIG, scenario=dict(SCENARIO, replicates=20), chunk_rows=2)  # 96 chunks
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    killed, clean = tmp_path / "killed", tmp_path / "clean"
    cmd = [sys.executable, "-m", "admsim", "sensitivity", str(path), "--out", str(killed),
           "--threads", "1", "--quiet"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not list((killed / "chunks").glob("chunk_*.parquet")):
        assert proc.poll() is None, proc.stderr.read().decode()
        assert time.monotonic() < deadline, "no chunk written within 60 s"
        time.sleep(0.002)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    written = len(list((killed / "chunks").glob("chunk_*.parquet")))
    assert 0 < written < 96 and not (killed / "manifest.json").exists()

    resumed = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    m = json.loads((killed / "manifest.json").read_text())
    assert m["chunks"] == {"total": 96, "evaluated": 96 - written, "skipped": written}
    assert not list((killed / "chunks").glob(".*tmp*"))

    sensitivity.run_chunks(config, clean, threads=2, progress=False)
    assert (killed / "indices.csv").read_bytes() == (clean / "indices.csv").read_bytes()
    assert np.array_equal(bits(outputs_of(killed)), bits(outputs_of(clean)))


# ---- Morris -----------------------------------------------------------------------------------
def test_morris_runs_and_plots(tmp_path):
    res = sensitivity.morris(spec(), INPUTS, OUTPUTS[:2], trajectories=6, levels=4, bounds=BOUNDS,
                             seed=2, progress=False)
    frame = res.to_frame()
    assert list(frame.columns) == ["output", "input", "mu", "mu_star", "sigma", "mu_star_conf"]
    assert len(res.Y) == 6 * (len(INPUTS) + 1)
    dummy = frame[frame.input == "in_house.turnover"]
    assert (dummy.mu_star == 0).all() and (dummy.sigma == 0).all()
    assert (frame[frame.input == "latc.turnover"].mu_star > 0).all()
    fig = res.plot("latc.npv_cost")
    (ax,) = fig.axes
    assert ax.get_xlabel().startswith("μ*") and ax.get_ylabel().startswith("σ") and ax.get_title()
    assert {t.get_text() for t in ax.texts} == set(INPUTS)

    run = sensitivity.run_chunks(dict(CONFIG, method="morris", n=6, levels=4, seed=2,
                                      outputs=OUTPUTS[:2]), tmp_path, progress=False)
    pd.testing.assert_frame_equal(run.to_frame(), frame)
    assert len(list((tmp_path / "plots").glob("morris_*.png"))) == 2


# ---- the command line -------------------------------------------------------------------------
def _parser():
    parser = argparse.ArgumentParser(prog="admsim")
    register(parser.add_subparsers(dest="command", required=True))
    return parser


def test_cli_options():
    args = _parser().parse_args(["sensitivity", "c.json", "--out", "d", "--local-cluster", "2"])
    assert args.local_cluster == 2 and args.scheduler is None and callable(args.func)
    args = _parser().parse_args(["sensitivity", "c.json", "--out", "d", "--scheduler", "tcp://h:8786"])
    assert args.scheduler == "tcp://h:8786"
    for bad in (["--scheduler", "tcp://h:8786", "--local-cluster", "2"], ["--local-cluster", "0"], []):
        with pytest.raises(SystemExit):
            _parser().parse_args(["sensitivity", "c.json", *(["--out", "d"] if bad else []), *bad])
    text = _parser()._subparsers._group_actions[0].choices["sensitivity"].format_help()
    assert "--scheduler ADDRESS" in text and "--local-cluster N" in text and "chunk_rows" in text


def test_cli_reports_errors(tmp_path, capsys):
    from admsim.cli import main

    path = tmp_path / "c.json"
    path.write_text(json.dumps(dict(CONFIG, inputs=["quality_reversion_per_year", "latc.nope"],
                                    bounds={})))
    assert main(["sensitivity", str(path), "--out", str(tmp_path / "o")]) == 2
    assert "/inputs/1" in capsys.readouterr().err
