"""Demand that moves: referral rates revert toward the council's long-run rate."""
import numpy as np

import admsim
from admsim import trends


def test_reverting_beats_the_steady_state_in_the_back_test():
    t = trends.backtest()
    for series in ("councils", "England"):
        steady = t.loc[(series, "steady state")].filter(like="rmse")
        moving = t.loc[(series, "reverting")].filter(like="rmse")
        assert (moving < steady).all(), series
    defaults = {r["name"]: r["default"] for r in admsim._core.parameter_table()}
    assert t.loc[("councils", "reverting"), "persistence"] == defaults["demand_persistence_per_year"]


def test_shipped_rates_match_the_panels(shared_data):
    fresh = trends.from_panels(shared_data / "la_panels")
    shipped = trends.load()
    assert len(fresh) == len(shipped)
    assert np.allclose(fresh["referrals_per_10k"], shipped["referrals_per_10k"], atol=1e-3)


def test_shipped_rates_match_the_excerpt(excerpt):
    # the same derivation on the excerpt's councils: their rows of the shipped file, every year
    fresh = trends.from_panels(excerpt / "la_panels")
    shipped = trends.load().merge(fresh[["area", "year"]])
    assert fresh["area"].nunique() == 7 and len(fresh) == len(shipped) == 70
    assert list(fresh["la_name"]) == list(shipped["la_name"])
    assert np.allclose(fresh["referrals_per_10k"], shipped["referrals_per_10k"], atol=1e-3)


def test_referrals_move_toward_the_long_run_rate():
    p = admsim.profiles.load("worcestershire-2017")
    assert p["demand"]["referrals_per_10k_long_run"] < p["demand"]["referrals_per_10k"]
    quiet = {f"risk_probability_{k}": 0.0 for k in ("high", "medium", "low")}
    res = admsim.simulate(p, ["in_house"], years=6, replicates=100, seed=1, parameters=quiet,
                          progress=False)
    ref = res.to_xarray()["referrals"].isel(model=0).mean("replicate").to_numpy()
    first, last = ref[:12].sum(), ref[-12:].sum()
    per10k = p["population"]["children_0_17"] / 1e4
    lr = p["demand"]["referrals_per_10k_long_run"]
    assert last < first and abs(last / per10k - lr) < abs(first / per10k - lr)
    steady = dict(p, demand={k: v for k, v in p["demand"].items()
                             if k != "referrals_per_10k_long_run"})
    flat = admsim.simulate(steady, ["in_house"], years=6, replicates=100, seed=1,
                           parameters=quiet, progress=False)
    flat_ref = flat.to_xarray()["referrals"].isel(model=0).mean("replicate").to_numpy()
    assert abs(flat_ref[-12:].sum() / flat_ref[:12].sum() - 1) < 0.05
