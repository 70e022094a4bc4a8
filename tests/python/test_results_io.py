"""Results.save / admsim.load: one .npz file with a JSON header, in full and summary-only mode."""
import hashlib
import json
import re
import subprocess
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import admsim  # noqa: E402
from admsim.catalogue import catalogue_json  # noqa: E402
from admsim.report import write_report  # noqa: E402
from admsim.results_io import provenance_of, read_header  # noqa: E402

MODELS = ["in_house", "latc", "independent_trust"]


@pytest.fixture(scope="module", params=["full", "summary"])
def results(request):
    profile = json.loads((Path(__file__).parents[1] / "data" / "profile_small.json").read_text())
    return admsim.simulate(profile, MODELS, years=4, replicates=40, seed=11, output=request.param,
                           progress=False)


@pytest.fixture(scope="module")
def saved(results, tmp_path_factory):
    path = tmp_path_factory.mktemp("io") / "run.results"  # any name: no suffix is added
    assert results.save(path) == path
    return path


def test_round_trip_gives_the_same_summary_and_arrays(results, saved):
    back = admsim.load(saved)
    assert isinstance(back, admsim.Results)
    pd.testing.assert_frame_equal(back.summary(), results.summary())
    assert (back.models, back.months, back.replicates, back.seed, back.baseline, back.summary_only) \
        == (results.models, results.months, results.replicates, results.seed, results.baseline,
            results.summary_only)
    assert set(back._raw) == set(results._raw)
    for key, value in results._raw.items():
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(back._raw[key], value, err_msg=key)
            assert back._raw[key].dtype == value.dtype, key
        else:
            assert back._raw[key] == value, key
    assert back.spec == json.loads(json.dumps(results.spec))
    if not results.summary_only:
        pd.testing.assert_frame_equal(back.inspections(), results.inspections())
        np.testing.assert_array_equal(back.outcome("npv_cost"), results.outcome("npv_cost"))


def test_file_records_version_commit_catalogue_hash_and_seed(results, saved):
    header = read_header(saved)
    prov = header["provenance"]
    assert header["format"] == "admsim.results" and header["seed"] == results.seed == 11
    assert prov["admsim_version"] == admsim.__version__
    assert prov["catalogue_sha256"] == hashlib.sha256(catalogue_json().encode()).hexdigest()
    head = subprocess.run(["git", "-C", str(Path(admsim.__file__).parent), "rev-parse", "HEAD"],
                          capture_output=True, text=True)
    if head.returncode == 0:
        assert re.fullmatch(r"[0-9a-f]{40}", prov["git_commit"])
    else:
        assert prov["git_commit"] is None
    loaded = provenance_of(admsim.load(saved))
    assert loaded["seed"] == 11 and loaded["file"] == str(saved)
    assert loaded["catalogue_sha256"] == prov["catalogue_sha256"]


def test_the_file_is_a_plain_npz_readable_without_admsim(saved, results):
    with np.load(saved, allow_pickle=False) as data:
        header = json.loads(bytes(data["__header__"]).decode("utf-8"))
        assert header["spec"]["seed"] == 11
        assert ("outcomes" in data.files) is (not results.summary_only)
        np.testing.assert_array_equal(data["outcome_mean"], results._raw["outcome_mean"])


def test_report_of_loaded_results_states_the_run(saved, tmp_path):
    back = admsim.load(saved)
    text = write_report(back, tmp_path / "r", sensitivity=False).read_text(encoding="utf-8")
    run = text[text.index("<h2>Run</h2>"):text.index("<h2>Scenario</h2>")]
    prov = provenance_of(back)
    assert prov["catalogue_sha256"] in run and admsim.__version__ in run
    assert "Random seed</dt><dd>11" in run and str(saved) in run
    if prov["git_commit"]:
        assert prov["git_commit"] in run


def test_a_file_from_an_engine_with_other_outcome_names_is_reindexed(results, saved, tmp_path):
    with np.load(saved, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    header = json.loads(bytes(arrays.pop("__header__")).decode("utf-8"))
    names = header["outcome_names"]
    order = list(reversed(range(len(names))))  # the old engine listed outcomes the other way round
    header["outcome_names"] = [names[i] for i in order]
    axes = {"outcomes": 2, "outcome_mean": 1, "outcome_sd": 1, "outcome_count": 1,
            "outcome_quantiles": 1, "diff_mean": 1, "diff_sd": 1, "diff_positive": 1,
            "diff_quantiles": 1}
    for key, axis in axes.items():
        if key in arrays:
            arrays[key] = np.take(arrays[key], order, axis=axis)
    arrays["__header__"] = np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)
    other = tmp_path / "old.npz"
    np.savez(other, **arrays)
    with pytest.warns(UserWarning, match="re-indexed by name"):
        back = admsim.load(other)
    pd.testing.assert_frame_equal(back.summary(), results.summary())


def test_not_a_results_file_is_refused(tmp_path):
    bad = tmp_path / "bad.npz"
    np.savez(bad, x=np.zeros(3))
    with pytest.raises(ValueError, match="not an admsim results file"):
        admsim.load(bad)


def test_a_saved_file_is_readable_by_colleagues(tmp_path):
    import os
    import stat

    res = admsim.simulate("example-county", ["in_house"], years=1, replicates=3, seed=1, progress=False)
    path = res.save(tmp_path / "run.npz")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask
