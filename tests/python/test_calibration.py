"""Calibration against Ofsted histories, next-grade forecasts and the temporal back-test."""
import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy.special import ndtri
from scipy.stats import multivariate_normal

import admsim
from admsim import calibration as cal
from admsim.cli_calibration import main as cli_main

PARAMS = {"quality_reversion_per_year": 0.3, "inspection_noise_sd": 0.5,
          "sif_share_outstanding": 0.05, "sif_share_good": 0.35,
          "sif_share_requires_improvement": 0.42, "ilacs_shift": 0.5, "improvement": 0.2,
          "ilacs_log_scale": 0.1}


@pytest.fixture(scope="module")
def backtest_result():
    return cal.backtest(draws=150, proposals=300, seed=3, max_sets=50, return_details=True)


def test_shipped_judgements():
    df = cal.load_judgements()
    assert len(df) == 331 and df["local_authority"].nunique() == 155
    assert set(df["grade"]) == {0, 1, 2, 3}
    assert df["framework"].str.startswith(("SIF", "ILACS")).all()
    assert df["publication_date"].min() >= pd.Timestamp("2013-01-01")


def test_shipped_data_match_shared(shared_data):
    shared = cal.load_judgements(shared_data / "ofsted_la_judgements_2009_2022.csv")
    pd.testing.assert_frame_equal(shared, cal.load_judgements())
    adm = pd.read_csv(shared_data / "adm_history_to_2022.csv")
    ours = cal.ADM_HISTORY
    assert list(adm["local_authority"]) == list(ours["local_authority"])
    assert list(adm["catalogue_id"]) == list(ours["catalogue_id"])
    assert list(adm["start"]) == list(ours["start"])
    def ends(col):
        return [e if isinstance(e, str) else None for e in col]

    assert ends(adm["end"]) == ends(ours["end"])


def _one_council(grades, dates, framework="SIF"):
    return pd.DataFrame({"local_authority": "X", "framework": framework, "grade": grades,
                         "publication_date": dates})


def _bands(p):
    o, g, ri = p["sif_share_outstanding"], p["sif_share_good"], p["sif_share_requires_improvement"]
    z = ndtri(1 - np.array([o, o + g, o + g + ri])) * math.sqrt(1 + p["inspection_noise_sd"] ** 2)
    edges = np.concatenate([[np.inf], z, [-np.inf]])
    return [(edges[k + 1], edges[k]) for k in range(4)]  # (lower, upper) per grade


def test_likelihood_single_inspection_is_the_share():
    p = dict(PARAMS, improvement=0.0)
    shares = [0.05, 0.35, 0.42, 0.18]
    for g in range(4):
        ll = cal.log_likelihood(p, _one_council([g], ["2015-01-01"]))
        assert math.exp(ll) == pytest.approx(shares[g], rel=2e-3)


def test_likelihood_two_inspections_matches_bivariate_normal():
    p = dict(PARAMS, improvement=0.0)
    k = 30
    s2 = p["inspection_noise_sd"] ** 2
    rho = math.exp(-p["quality_reversion_per_year"] * k / 12) / (1 + s2)
    mvn = multivariate_normal(mean=[0, 0], cov=[[1, rho], [rho, 1]])
    sd = math.sqrt(1 + s2)
    bands = _bands(p)
    for g1, g2 in [(3, 2), (1, 1), (2, 0)]:
        (a1, b1), (a2, b2) = bands[g1], bands[g2]
        lo = np.array([a1, a2]) / sd
        hi = np.array([b1, b2]) / sd
        lo, hi = np.maximum(lo, -9), np.minimum(hi, 9)
        exact = (mvn.cdf(hi) - mvn.cdf([lo[0], hi[1]]) - mvn.cdf([hi[0], lo[1]]) + mvn.cdf(lo))
        ll = cal.log_likelihood(p, _one_council([g1, g2], ["2015-01-01", "2017-07-01"]))
        assert math.exp(ll) == pytest.approx(exact, rel=5e-3)


def test_engine_parameters_are_valid_and_simulate_accepts_them():
    eng = cal.engine_parameters(PARAMS)
    names = {row["name"] for row in admsim._core.parameter_table()}
    assert set(eng) <= names
    assert sum(eng[k] for k in eng if k.startswith("national_share")) < 1
    res = admsim.simulate("example-county", ["in_house"], years=2, replicates=5, seed=1,
                          progress=False, parameters=eng)
    assert res is not None


def test_forecast_sums_to_one_and_uses_only_rows_up_to_as_of():
    full = cal.load_judgements()
    as_of = "2017-06-30"
    a = cal.forecast(full, as_of=as_of, params=PARAMS)
    b = cal.forecast(full[full["publication_date"] <= as_of], as_of=as_of, params=PARAMS)
    pd.testing.assert_frame_equal(a, b)
    assert np.allclose(a[cal.PROB_COLUMNS].sum(axis=1), 1.0)
    expected = sorted(full.loc[full["publication_date"] <= as_of, "local_authority"].unique())
    assert list(a["local_authority"]) == expected
    # a council's later grade changes its forecast only after it is published
    c = cal.forecast(full, as_of="2022-12-31", params=PARAMS)
    assert len(c) == full["local_authority"].nunique()


def test_forecast_names_match_the_raw_file(shared_data):
    raw = pd.read_csv(shared_data / "ofsted_la_judgements_2009_2022.csv")
    fc = cal.forecast(shared_data / "ofsted_la_judgements_2009_2022.csv", as_of="2020-01-01",
                      params=PARAMS)
    assert set(fc["local_authority"]) <= set(raw["local_authority"])
    assert "Bournemouth, Christchurch & Poole" not in set(fc["local_authority"])  # 2022 only


def test_calibration_same_seed_same_posterior():
    df = cal.load_judgements()
    sub = df[df["local_authority"] < "D"]
    a = cal.calibrate(sub, draws=60, proposals=120, seed=11)
    b = cal.calibrate(sub, draws=60, proposals=120, seed=11)
    pd.testing.assert_frame_equal(a.draws, b.draws)
    assert a.parameters == b.parameters


def test_backtest(backtest_result, tmp_path):
    table, details, calib = backtest_result
    assert list(table.index) == ["model", "transition_matrix", "national_distribution"]
    assert table["n"].iloc[0] > 100
    assert np.allclose(details[cal.PROB_COLUMNS].sum(axis=1), 1.0)
    assert table.loc["model", "brier"] <= table.loc["national_distribution", "brier"]
    assert table.loc["model", "log_loss"] <= table.loc["national_distribution", "log_loss"]
    assert calib.data["last_publication"] <= "2018-12-31"
    # the saved calibration round-trips and its parameters go straight into the engine
    path = calib.save(tmp_path / "cal.json")
    saved = json.loads(path.read_text())
    assert set(saved["parameters"]) == set(cal.ENGINE_PARAMETERS)
    assert saved["diagnostics"]["importance_ess"] > 10
    again = cal.Calibration.load(path)
    pd.testing.assert_frame_equal(again.draws, calib.draws, check_dtype=False)


def test_cli_forecast_and_calibrate(backtest_result, tmp_path):
    _, _, calib = backtest_result
    path = calib.save(tmp_path / "cal.json")
    out = tmp_path / "fc.csv"
    assert cli_main(["forecast", "--as-of", "2018-12-31", "--calibration", str(path),
                     "--out", str(out)]) == 0
    fc = pd.read_csv(out)
    assert list(fc.columns) == ["local_authority", *cal.PROB_COLUMNS]
    assert np.allclose(fc[cal.PROB_COLUMNS].sum(axis=1), 1.0, atol=1e-5)
    df = cal.load_judgements()
    small = tmp_path / "small.csv"
    df[df["local_authority"] < "C"].assign(
        publication_date=lambda d: d["publication_date"].dt.date).to_csv(small, index=False)
    outj = tmp_path / "c.json"
    assert cli_main(["calibrate", "--judgements", str(small), "--until", "2022-12-31",
                     "--draws", "40", "--out", str(outj)]) == 0
    assert set(json.loads(outj.read_text())["parameters"]) == set(cal.ENGINE_PARAMETERS)
