"""The Python API over the engine: simulate, Results, reproducibility, the GIL."""
import threading
import time

import numpy as np
import pytest

import admsim
from admsim.simulate import METRICS, OUTCOMES


def test_simulate_returns_results_with_expected_shapes(small_profile):
    res = admsim.simulate(small_profile, ["in_house", "latc"], years=2, replicates=5, seed=3,
                          progress=False)
    assert res.metrics.shape == (2, 5, 24, len(METRICS))
    assert res.outcomes.shape == (2, 5, len(OUTCOMES))
    assert res.models == ["in_house", "latc"]
    assert "2 models x 5 replicates" in repr(res)


def test_summary_has_one_row_per_model_and_paired_differences(small_profile):
    res = admsim.simulate(small_profile, ["in_house", "latc", "independent_trust"], years=3,
                          replicates=40, seed=5, progress=False)
    table = res.summary()
    assert list(table.index) == ["in_house", "latc", "independent_trust"]
    diff = "NPV cost (GBP) diff vs in_house"
    assert table.loc["in_house", diff] == 0
    # Paired difference equals the difference of means (same replicates).
    npv = res.outcome("npv_cost")
    assert table.loc["latc", diff] == pytest.approx(npv[1].mean() - npv[0].mean())
    for col in ["P(Good+ at year 3)", "P(overspend in any year)"]:
        assert table[col].between(0, 1).all()
    assert (table["P(Good+ at year 3) 5%"] <= table["P(Good+ at year 3) 95%"]).all()


def test_summary_only_mode_matches_full_mode_means(small_profile):
    kwargs = dict(years=2, replicates=12, seed=9, progress=False)
    full = admsim.simulate(small_profile, ["in_house", "latc"], **kwargs)
    summary = admsim.simulate(small_profile, ["in_house", "latc"], output="summary", **kwargs)
    with pytest.raises(ValueError, match="output='full'"):
        summary.metrics
    a, b = full.summary(), summary.summary()
    assert np.allclose(a["NPV cost (GBP)"], b["NPV cost (GBP)"])
    assert np.allclose(full.metric_mean("cla"), summary.metric_mean("cla"))


def test_same_seed_same_numbers_any_thread_count(small_profile):
    kwargs = dict(years=2, replicates=10, seed=21, progress=False)
    one = admsim.simulate(small_profile, ["in_house", "latc"], threads=1, **kwargs)
    two = admsim.simulate(small_profile, ["in_house", "latc"], threads=2, **kwargs)
    assert np.array_equal(one.metrics, two.metrics)
    other = admsim.simulate(small_profile, ["in_house", "latc"], **{**kwargs, "seed": 22})
    assert not np.array_equal(one.metrics, other.metrics)


def test_inspections_table_and_xarray(small_profile):
    res = admsim.simulate(small_profile, ["in_house"], years=6, replicates=4, seed=2, progress=False)
    ins = res.inspections()
    assert set(ins["kind"]) <= {"inspection", "monitoring_visit"}
    graded = ins[ins["kind"] == "inspection"]
    assert graded["grade"].isin(["outstanding", "good", "requires_improvement", "inadequate"]).all()
    ds = res.to_xarray()
    assert ds["cla"].dims == ("model", "replicate", "month")
    tidy = res.to_pandas()
    assert len(tidy) == 1 * 4 * 72


def test_gil_is_released_while_cpp_runs(small_profile):
    ticks = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            ticks.append(time.monotonic())
            time.sleep(0.005)

    thread = threading.Thread(target=ticker)
    thread.start()
    start = time.monotonic()
    admsim.simulate(small_profile, ["in_house", "latc", "independent_trust"], years=10,
                    replicates=300, seed=1, output="summary", threads=1, progress=False)
    end = time.monotonic()
    stop.set()
    thread.join()
    during = [t for t in ticks if start < t < end]
    # The other thread kept running for most of the simulation.
    assert end - start > 0.2
    assert len(during) > 0.3 * (end - start) / 0.005


def test_progress_callback_can_stop_a_run(small_profile):
    from admsim import _core
    from admsim.catalogue import load_catalogue
    from admsim.scenario import build_scenario, to_json
    import json

    spec = build_scenario(small_profile, ["in_house"], years=2, replicates=500, seed=1)
    calls = []

    def progress(done, total):
        calls.append(done)
        return len(calls) < 2

    with pytest.raises(KeyboardInterrupt):
        _core.simulate(to_json(spec), json.dumps(load_catalogue()), 1, progress)
    assert len(calls) == 2
    # The interpreter is still usable afterwards.
    res = admsim.simulate(small_profile, ["in_house"], years=1, replicates=2, progress=False)
    assert res.replicates == 2


def test_catalogue_frame_lists_every_model():
    cat = admsim.catalogue()
    assert len(cat) >= 19 + 6
    assert set(range(1, 20)) <= set(cat["birmingham_number"].dropna().astype(int))
    for mid in ["in_house", "strategic_partnership", "latc", "independent_trust",
                "commission_by_contract", "contractual_jv", "corporate_jv", "status_quo_agreement"]:
        assert mid in cat.index
    assert set(cat["group"]) == {"in_house", "partnership", "new_vehicle", "commissioning"}


def test_every_catalogue_model_runs(small_profile):
    ids = list(admsim.catalogue().index)
    res = admsim.simulate(small_profile, ids, years=1, replicates=2, progress=False)
    assert res.metrics.shape[0] == len(ids)
    assert np.isfinite(res.metrics).all()


def test_shipped_default_profile_runs():
    res = admsim.simulate("example-county", ["in_house"], years=1, replicates=2, progress=False)
    assert res.metric_mean("population").iloc[0, 0] > 10000


def test_a_council_starting_inadequate_stays_at_its_profile_in_year_one():
    # Worcestershire 2017 (Inadequate): its observed rates are its own at its starting quality, so
    # in-house with no risk events or interventions, year 1 stays within 5% of the profile
    quiet = {f"risk_probability_{k}": 0.0 for k in ("high", "medium", "low")}
    res = admsim.simulate("worcestershire-2017", ["in_house"], years=1, replicates=300, seed=3,
                          parameters=quiet, progress=False)
    x = res.to_xarray().isel(model=0)
    profile = admsim.profiles.load("worcestershire-2017")
    per10k = profile["population"]["children_0_17"] / 1e4
    assert float(x["turnover_rate"].mean()) == pytest.approx(
        profile["workforce"]["turnover_rate"], rel=0.05)
    assert float(x["cla"].mean()) / per10k == pytest.approx(
        profile["demand"]["cla_per_10k"], rel=0.05)
