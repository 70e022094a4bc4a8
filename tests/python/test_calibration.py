"""Calibration against Ofsted histories and next-grade forecasts (the schedule and the back-test
have their own test files)."""
import io
import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy.special import ndtri
from scipy.stats import multivariate_normal

import admsim
from admsim import calibration as cal
from admsim.calibration import parameters as P
from admsim.cli import main as cli_main

PARAMS = {"quality_reversion_per_year": 0.3, "inspection_noise_sd": 0.5,
          "sif_share_outstanding": 0.05, "sif_share_good": 0.35,
          "sif_share_requires_improvement": 0.42, "ilacs_shift": 0.5, "improvement": 0.2,
          "ilacs_log_scale": 0.1, "persistent_share": 0.3, "inadequate_response": 0.4,
          "quality_workforce_effect": 0.1, "short_shift": 0.6, "grading_drift_per_year": 0.05,
          "inadequate_response_ilacs": 0.8}
QUICK = {"walkers": 28, "steps": 120, "burn": 60, "draws": 100}


@pytest.fixture(scope="module")
def quick_calibration():
    """A short calibration on the rows to 2018 (as a forecast at the end of 2018 would use)."""
    with pytest.warns(cal.ShortChainWarning):
        return cal.calibrate(until="2018-12-31", seed=3, **QUICK)


def test_shipped_judgements():
    df = cal.load_judgements()
    assert len(df) == 331 and df["local_authority"].nunique() == 155
    assert set(df["grade"]) == {0, 1, 2, 3}
    assert df["framework"].str.startswith(("SIF", "ILACS")).all()
    assert df["publication_date"].min() >= pd.Timestamp("2013-01-01")


def test_shipped_data_match_shared(shared_data):
    shared = cal.load_judgements(shared_data / "ofsted_la_judgements_2009_2022.csv")
    pd.testing.assert_frame_equal(shared, cal.load_judgements())
    _assert_adm_history_is(shared_data / "adm_history_to_2022.csv")


def test_shipped_data_match_the_excerpt(excerpt):
    # the excerpt's councils: their rows of the shipped judgements; the spells file is whole
    fresh = cal.load_judgements(excerpt / "ofsted_la_judgements_2009_2022.csv")
    shipped = cal.load_judgements()
    shipped = shipped[shipped["local_authority"].isin(fresh["local_authority"])]
    assert fresh["local_authority"].nunique() == 7
    pd.testing.assert_frame_equal(fresh, shipped.reset_index(drop=True))
    _assert_adm_history_is(excerpt / "adm_history_to_2022.csv")


def _assert_adm_history_is(path):
    adm = pd.read_csv(path)
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


@pytest.mark.parametrize("persistent", [0.0, 0.4])
def test_likelihood_single_inspection_is_the_share(persistent):
    p = dict(PARAMS, improvement=0.0, persistent_share=persistent)
    shares = [0.05, 0.35, 0.42, 0.18]
    for g in range(4):
        ll = cal.log_likelihood(p, _one_council([g], ["2015-01-01"]), workforce=False)
        assert math.exp(ll) == pytest.approx(shares[g], rel=2e-3)


@pytest.mark.parametrize("persistent", [0.0, 0.4])
def test_likelihood_two_inspections_matches_bivariate_normal(persistent):
    # no shifts between the two (Good/RI grades, no delivery model, no workforce inputs)
    p = dict(PARAMS, improvement=0.0, persistent_share=persistent)
    k = 30
    s2 = p["inspection_noise_sd"] ** 2
    phi_k = math.exp(-p["quality_reversion_per_year"] * k / 12)
    rho = (persistent + (1 - persistent) * phi_k) / (1 + s2)
    mvn = multivariate_normal(mean=[0, 0], cov=[[1, rho], [rho, 1]])
    sd = math.sqrt(1 + s2)
    bands = _bands(p)
    for g1, g2 in [(2, 3), (1, 1), (2, 0)]:
        (a1, b1), (a2, b2) = bands[g1], bands[g2]
        lo = np.array([a1, a2]) / sd
        hi = np.array([b1, b2]) / sd
        lo, hi = np.maximum(lo, -9), np.minimum(hi, 9)
        exact = (mvn.cdf(hi) - mvn.cdf([lo[0], hi[1]]) - mvn.cdf([hi[0], lo[1]]) + mvn.cdf(lo))
        ll = cal.log_likelihood(p, _one_council([g1, g2], ["2015-01-01", "2017-07-01"]),
                                workforce=False)
        assert math.exp(ll) == pytest.approx(exact, rel=5e-3)


def _share(z, g):
    from scipy.special import ndtr

    upper = 1.0 if g == 0 else ndtr(z[g - 1])
    lower = 0.0 if g == 3 else ndtr(z[g])
    return upper - lower


@pytest.mark.parametrize("framework, date", [("ILACS-Standard", "2018-01-15"),
                                             ("ILACS-Short", "2018-01-15"),
                                             ("ILACS-Standard", "2021-01-15")])
def test_likelihood_grades_by_regime_and_drift(framework, date):
    # a single judgement: its grade's probability under the regime's cut-points, which have
    # fallen by the drift since January 2018 (linear up to the data's end, the judgement itself)
    p = dict(PARAMS, persistent_share=0.0)
    z = P.short_z(p) if framework == "ILACS-Short" else P.ilacs_z(p)
    years = (cal.month_of(date) - cal.month_of(cal.ILACS_START)) / 12
    for g in range(4):
        ll = cal.log_likelihood(p, _one_council([g], [date], framework), workforce=False)
        assert math.exp(ll) == pytest.approx(_share(z - p["grading_drift_per_year"] * years, g),
                                             rel=2e-3, abs=2e-4)  # the 81-point grid's error


def test_regimes_follow_the_type_or_the_latest_grade():
    df = pd.DataFrame({"local_authority": "X", "grade": [1, 1, 2, 3, 0],
                       "framework": ["SIF", "ILACS", "ILACS-Standard", "ILACS", "ILACS-Short"]})
    assert list(cal.data.regimes(df)) == [0, 2, 1, 1, 2]


def test_engine_parameters_are_valid_and_simulate_accepts_them():
    eng = cal.engine_parameters(PARAMS, cal.month_of("2022-12-31"))
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
    assert np.allclose(a[cal.PROB_COLUMNS].sum(axis=1), 1.0, rtol=0, atol=1e-12)
    assert (a["expected_months_ahead"] >= 1).all()
    expected = sorted(full.loc[full["publication_date"] <= as_of, "local_authority"].unique())
    assert list(a["local_authority"]) == expected
    # a council's later grade changes its forecast only after it is published
    c = cal.forecast(full, as_of="2022-12-31", params=PARAMS)
    assert len(c) == full["local_authority"].nunique()


def test_forecast_names_match_the_raw_file(data_dir):
    raw = pd.read_csv(data_dir / "ofsted_la_judgements_2009_2022.csv")
    fc = cal.forecast(data_dir / "ofsted_la_judgements_2009_2022.csv", as_of="2020-01-01",
                      params=PARAMS)
    assert set(fc["local_authority"]) <= set(raw["local_authority"])
    assert "Bournemouth, Christchurch & Poole" not in set(fc["local_authority"])  # 2022 only


@pytest.mark.filterwarnings("ignore::admsim.calibration.ShortChainWarning")
def test_calibration_same_seed_same_posterior():
    df = cal.load_judgements()
    sub = df[df["local_authority"] < "D"]
    quick = dict(walkers=28, steps=40, burn=20, draws=40)
    a = cal.calibrate(sub, seed=11, threads=1, **quick)
    b = cal.calibrate(sub, seed=11, threads=2, **quick)
    pd.testing.assert_frame_equal(a.draws, b.draws)
    assert a.parameters == b.parameters
    c = cal.calibrate(sub, seed=12, threads=2, **quick)
    assert not a.draws.equals(c.draws)


def test_calibration_saves_and_loads(quick_calibration, tmp_path):
    calib = quick_calibration
    assert calib.data["last_publication"] <= "2018-12-31"
    path = calib.save(tmp_path / "cal.json")
    saved = json.loads(path.read_text())
    assert set(saved["parameters"]) == set(cal.engine_parameters(PARAMS, 0))
    diag = saved["diagnostics"]
    assert 0.05 < diag["acceptance_fraction"] < 0.9
    assert set(diag["autocorrelation_time"]) == set(diag["free_parameters"])
    assert diag["chain_longer_than_50_tau"] is False  # a short test chain says so
    assert "persistent_share" in diag["fixed_parameters"]
    again = cal.Calibration.load(path)
    pd.testing.assert_frame_equal(again.draws, calib.draws, check_dtype=False)
    assert again.parameters == pytest.approx(calib.parameters)


def test_parameters_the_data_cannot_inform_come_from_their_priors():
    # before 2018 there is no ILACS row: the ILACS terms' posterior is their prior
    with pytest.warns(cal.ShortChainWarning):
        c = cal.calibrate(until="2016-12-31", seed=4, walkers=24, steps=40, burn=20, draws=400)
    assert "short_shift" in c.diagnostics["prior_only_parameters"]
    for name in ("ilacs_shift", "short_shift", "grading_drift_per_year"):
        mean, sd = P.PRIORS[P.PARAMETER_NAMES.index(name)]
        assert c.draws[name].std() == pytest.approx(sd, rel=0.15)
        assert abs(c.draws[name].mean() - mean) < 0.2 * sd


def test_rounded_rows_sum_to_one_at_the_precision_written():
    rng = np.random.default_rng(1)
    p = rng.dirichlet(np.ones(4), size=500)
    r = cal.rounded(p, 6)
    assert np.all(np.abs(r - p) <= 1e-6 + 1e-12)
    text = pd.DataFrame(r).to_csv(index=False, float_format="%.6f")
    back = pd.read_csv(io.StringIO(text)).to_numpy()
    assert (np.round(back.sum(axis=1) * 1e6).astype(int) == 1_000_000).all()


def test_cli_forecast_and_calibrate(quick_calibration, tmp_path):
    path = quick_calibration.save(tmp_path / "cal.json")
    out = tmp_path / "fc.csv"
    assert cli_main(["forecast", "--as-of", "2018-12-31", "--calibration", str(path),
                     "--out", str(out)]) == 0
    fc = pd.read_csv(out)
    assert list(fc.columns[:5]) == ["local_authority", *cal.PROB_COLUMNS]
    text_sums = fc[cal.PROB_COLUMNS].sum(axis=1)
    assert (np.round(text_sums * 1e6).astype(int) == 1_000_000).all()  # exact as written
    df = cal.load_judgements()
    small = tmp_path / "small.csv"
    df[df["local_authority"] < "C"].assign(
        publication_date=lambda d: d["publication_date"].dt.date).to_csv(small, index=False)
    outj = tmp_path / "c.json"
    with pytest.warns(cal.ShortChainWarning):
        assert cli_main(["calibrate", "--judgements", str(small), "--until", "2022-12-31",
                         "--walkers", "28", "--steps", "30", "--burn", "10", "--draws", "40",
                         "--out", str(outj)]) == 0
    assert set(json.loads(outj.read_text())["parameters"]) == set(cal.engine_parameters(PARAMS, 0))


def test_forecast_with_panels_matches_shipped_workforce(shared_data):
    df = cal.load_judgements()
    a = cal.forecast(df, as_of="2019-06-30", params=PARAMS)
    b = cal.forecast(df, as_of="2019-06-30", params=PARAMS, panels=shared_data / "la_panels")
    pd.testing.assert_frame_equal(a, b)


def test_forecast_with_the_excerpt_panels_matches_shipped_workforce(excerpt):
    # the excerpt's workforce rows give its councils the stress the shipped table gives them
    # (and the councils it leaves out none: so the forecast read them)
    df = cal.load_judgements()
    ours = set(cal.load_judgements(excerpt / "ofsted_la_judgements_2009_2022.csv")["local_authority"])
    ours.add("Richmond upon Thames")  # in Kingston's joint workforce row

    def fc(panels=None, **params):
        return cal.forecast(df, as_of="2019-06-30", params=dict(PARAMS, **params),
                            panels=panels).set_index("local_authority")[cal.PROB_COLUMNS]

    a, b, without = fc(), fc(excerpt / "la_panels"), fc(quality_workforce_effect=0)
    mine = a.index.isin(ours)
    assert mine.sum() == 7  # BCP is graded only in 2022
    pd.testing.assert_frame_equal(a[mine], b[mine])
    assert not np.allclose(a[mine], without[mine])  # their stress matters
    assert np.allclose(b[~mine], without[~mine]) and not np.allclose(a[~mine], b[~mine])


def test_forecast_uses_workforce_published_by_as_of():
    df = cal.load_judgements()
    p = dict(PARAMS, quality_workforce_effect=1.0)
    # the September 2018 snapshot is published in February 2019: not known on 2019-01-31
    a = cal.forecast(df, as_of="2019-01-31", params=p).set_index("local_authority")
    b = cal.forecast(df, as_of="2019-02-28", params=p).set_index("local_authority")
    same = df[df["publication_date"] <= "2019-01-31"]["local_authority"].unique()
    moved = (a.loc[same, cal.PROB_COLUMNS] - b.loc[same, cal.PROB_COLUMNS]).abs().max(axis=1)
    assert (moved > 1e-3).sum() > 20


def test_shipped_workforce_matches_panel(shared_data):
    from admsim.calibration import workforce

    shipped = workforce.load()
    fresh = workforce.from_panel(shared_data / "la_panels" / "workforce_2017_2022.csv")
    assert len(shipped) == len(fresh)
    assert np.allclose(shipped["stress"], fresh["stress"], atol=1e-5)


def test_shipped_workforce_matches_the_excerpt(excerpt):
    from admsim.calibration import workforce

    # the excerpt's councils, one of them in a joint row ("Kingston upon Thames / Richmond ...")
    fresh = workforce.from_panel(excerpt / "la_panels" / "workforce_2017_2022.csv")
    shipped = workforce.load().merge(fresh[["local_authority", "year"]])
    assert fresh["local_authority"].nunique() == 7 and len(fresh) == len(shipped) == 42
    assert np.allclose(shipped["stress"], fresh["stress"], atol=1e-5)


def test_every_graded_council_has_shipped_workforce():
    from admsim.calibration import workforce

    names = sorted(cal.load_judgements()["local_authority"].unique())
    stress = workforce.stress_matrix(names, cal.month_of("2013-01-01"), 120)
    assert (stress != 0).any(axis=1).all()  # every graded council has a workforce row
    assert (stress[:, : cal.month_of("2017-09-01") - cal.month_of("2013-01-01")] == 0).all()


def test_simulated_histories(quick_calibration):
    calib = quick_calibration
    sim = cal.simulate_histories(calib, replicates=30, seed=5)
    again = cal.simulate_histories(calib, replicates=30, seed=5, threads=1)
    pd.testing.assert_frame_equal(sim, again)
    assert set(sim["grade"]) <= {0, 1, 2, 3}
    assert sim["replicate"].nunique() == 30
    df = cal.load_judgements()
    first = df.groupby("local_authority")["month"].min()
    sim_first = sim.groupby(["replicate", "local_authority"])["month"].min()
    assert (sim_first.to_numpy() == first.loc[sim_first.index.get_level_values(1)].to_numpy()).all()
    ilacs = sim["framework"].str.startswith("ILACS")
    assert (sim.loc[ilacs, "month"] >= cal.month_of(cal.ILACS_START)).all()
    assert (sim.loc[~ilacs, "month"] < cal.month_of(cal.ILACS_START)).all()
    # short inspections exactly after Good or Outstanding
    prev = sim.groupby(["replicate", "local_authority"])["grade"].shift()
    assert ((sim["framework"] == "ILACS-Short") == (ilacs & prev.le(1))).all()
    pause = (sim["month"] >= cal.month_of(cal.COVID_PAUSE[0])) & (
        sim["month"] < cal.month_of(cal.COVID_PAUSE[1]))
    first_ones = sim.groupby(["replicate", "local_authority"]).cumcount() == 0
    assert not (pause & ~first_ones).any()


def test_one_step_predictions(quick_calibration):
    calib = quick_calibration
    one = cal.one_step_predictions(calib, councils=["Doncaster", "Slough", "Birmingham"],
                                   max_sets=20)
    assert len(one) >= 3
    assert np.allclose(one[cal.PROB_COLUMNS].sum(axis=1), 1.0)


def test_national_shares_at_the_next_march_lie_in_the_posterior_bands(quick_calibration):
    # trained to the end of 2018, the simulated national shares of each latest grade at
    # 31 March 2019 cover the observed ones (notebook 03 runs 2019-2022)
    check = cal.national_shares_check({"2018-12-31": quick_calibration}, replicates=60)
    assert len(check) == 4 and check["inside_90%"].all(), check
    assert np.allclose(check["observed"].sum(), 1.0)
