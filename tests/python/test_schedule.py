"""The inspection schedule estimated from the data: gaps as survival data, the log-logistic fit,
the shipped fit and the engine's defaults, next-inspection horizons and simulated gaps."""
import numpy as np
import pandas as pd
import pytest

import admsim
from admsim import calibration as cal
from admsim.calibration.schedule import InspectionSchedule, horizons


def test_gaps_are_censored_at_the_cut_off_and_skip_the_pause():
    g = cal.gaps(until="2022-12-31")
    df = cal.load_judgements()
    # one gap from every judgement, less the few of no length (same-month pairs, December 2022)
    assert len(df) - 3 <= len(g) <= len(df)
    councils = df["local_authority"].nunique()
    assert councils - 2 <= (~g["event"]).sum() <= councils  # each council's last is censored
    assert (g["clock_months"] <= g["months"]).all() and (g["clock_months"] > 0).all()
    p0, p1 = cal.month_of(cal.COVID_PAUSE[0]), cal.month_of(cal.COVID_PAUSE[1])
    spans = g[(g["months"] - g["clock_months"]) > 0]
    assert len(spans) and ((spans["months"] - spans["clock_months"]) <= p1 - p0).all()
    early = cal.gaps(until="2016-12-31")
    assert early["event"].sum() < g["event"].sum() and (early["months"] <= 36).all()


def test_fit_orders_the_grades_and_the_shipped_fit_is_the_engines_default():
    s = cal.fit_schedule()
    m = s.medians["ILACS"]
    assert m["inadequate"] < m["requires_improvement"] < m["good"]
    assert 1.5 < s.shape < 30
    shipped = InspectionSchedule.load()
    for era in ("SIF", "ILACS"):
        for g, v in s.medians[era].items():
            assert shipped.medians[era][g] == pytest.approx(v, rel=1e-6)
    defaults = {r["name"]: r["default"] for r in admsim._core.parameter_table()}
    for name, v in shipped.engine_parameters().items():
        assert defaults[name] == pytest.approx(v, abs=0.051), name  # one decimal in parameters.cpp
    q = s.quantiles()
    assert (q["q25"] < q["q50"]).all() and (q["q50"] < q["q75"]).all()


def test_horizons_follow_the_schedule_given_the_wait():
    df = cal.load_judgements()
    as_of = cal.month_of("2022-12-31")
    h = cal.histories(df, end_month=as_of + 120, as_of="2022-12-31")
    s = InspectionSchedule.load()
    offsets, months, weights = horizons(h, as_of, s, 120)
    assert len(offsets) == len(h.names) + 1
    sums = np.add.reduceat(weights, offsets[:-1])
    assert np.allclose(sums, 1.0, atol=1e-12) and (months >= 1).all()
    # an Inadequate council waiting longer is inspected sooner, on average
    last = df.groupby("local_authority").tail(1).set_index("local_authority")
    ahead = np.add.reduceat(months * weights, offsets[:-1])
    frame = pd.DataFrame({"ahead": ahead, "grade": last.loc[h.names, "grade"].to_numpy(),
                          "since": as_of - last.loc[h.names, "month"].to_numpy()})
    inad = frame[frame["grade"] == 3].sort_values("since")
    assert inad["ahead"].iloc[0] > inad["ahead"].iloc[-1]


def test_simulated_gaps_match_the_datas_quartiles():
    # the check: the gap to the next inspection by last grade, simulated over the same
    # 2013-2022 window (so cut at the same date), within 3 months of the data's quartiles
    params = {"quality_reversion_per_year": 0.4, "inspection_noise_sd": 0.4}
    sim = cal.simulate_histories(params, replicates=200, seed=2)
    observed = cal.observed_quartiles()
    sim = sim.sort_values(["replicate", "local_authority", "month"])
    g = sim.groupby(["replicate", "local_authority"])
    sim = sim.assign(gap=g["month"].shift(-1) - sim["month"]).dropna(subset=["gap"])
    for grade, name in enumerate(cal.GRADES):
        if observed.loc[name, "n"] < 20:
            continue  # Outstanding: too few completed gaps to have quartiles
        q = sim.loc[sim["grade"] == grade, "gap"].quantile([0.25, 0.5, 0.75]).to_numpy()
        assert np.all(np.abs(q - observed.loc[name, ["q25", "q50", "q75"]].to_numpy(float)) <= 3), \
            (name, q, observed.loc[name].to_dict())
