"""Rolling-origin back-test: the baselines, the harness's table, intervals and plot, the CLI."""
import numpy as np
import pandas as pd
import pytest

from admsim import calibration as cal
from admsim.calibration import baselines as B
from admsim.cli import main as cli_main

TINY = {"walkers": 28, "steps": 40, "burn": 20, "draws": 40}


@pytest.fixture(scope="module")
def small_backtest():
    return cal.backtest(origins=["2018-12-31", "2021-12-31"], calibration_options=TINY,
                        max_sets=20, n_boot=300, seed=2)


def test_training_rows_know_only_the_past():
    df = cal.load_judgements()
    train = df[df["publication_date"] <= "2020-12-31"]
    rows = B.training_rows(train, "2020-12-31")
    assert len(rows) == len(train) - train["local_authority"].nunique()
    assert set(rows["regime"]) <= {0, 1, 2} and (rows["years_since"] >= 0).all()
    assert (rows.loc[rows["regime"] == 2, "last"] <= 1).all()


def test_last_two_is_chosen_by_cross_validation_and_ordinal_falls_back_when_unfit():
    df = cal.load_judgements()
    train = df[df["publication_date"] <= "2021-12-31"]
    rows = B.training_rows(train, "2021-12-31")
    assert B.last_two_alpha(rows) in B.ALPHAS
    early = df[df["publication_date"] <= "2016-12-31"]
    p, why = B.ordinal(B.training_rows(early, "2016-12-31"), None, 0)
    assert p is None and "not estimable" in why


def test_backtest_table_scores_every_method_with_intervals(small_backtest):
    t = small_backtest.table()
    assert list(t.index) == ["2018-12-31", "2021-12-31", "pooled"]
    assert t.loc["pooled", "n"] == t["n"].iloc[:2].sum()
    for m in B.METHODS:
        lo, mid, hi = (t[f"model_minus_{m}{s}"] for s in ("_5%", "", "_95%"))
        assert (lo <= mid).all() and (mid <= hi).all()
        assert np.allclose(t[f"model_minus_{m}"], t["brier_model"] - t[f"brier_{m}"])
    p = small_backtest.predictions
    assert np.allclose(p[cal.PROB_COLUMNS].sum(axis=1), 1.0)
    # every method scored on the same councils at each origin
    counts = p.groupby(["origin", "method"]).size().unstack()
    assert (counts.nunique(axis=1) == 1).all()
    rel = small_backtest.reliability()
    assert ((rel["forecast"] >= 0) & (rel["forecast"] <= 1)).all()
    assert isinstance(small_backtest.wins(), pd.DataFrame)


def test_backtest_trains_only_on_rows_before_each_origin(small_backtest):
    chosen = small_backtest.chosen["2018-12-31"]
    assert chosen["schedule"]["fit"]["until"] == "2018-12-31"
    assert chosen["calibration"]["chain_longer_than_50_tau"] is False  # recorded, not warned
    assert chosen["training_rows"] < small_backtest.chosen["2021-12-31"]["training_rows"]


def test_backtest_plot_and_cli(small_backtest, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    ax = small_backtest.plot()
    assert len(ax[0].lines) == 5
    assert cli_main(["backtest", "--origins", "2021-12-31", "--walkers", "28", "--steps",
                     "30", "--burn", "10", "--draws", "30", "--out", str(tmp_path)]) == 0
    for name in ("backtest.csv", "predictions.csv", "backtest.png", "backtest.svg"):
        assert (tmp_path / name).stat().st_size > 0
