"""A regional commissioning hub and improvement support between councils (issue 16)."""
from __future__ import annotations

import copy

import numpy as np
import pytest

import admsim
from admsim.outputs import METRICS, OUTCOMES
from admsim.scenario import resolve_profile

COUNCILS = ["example-county", "worcestershire-2017"]
KW = dict(models=["in_house", "latc"], years=4, replicates=60, seed=5, progress=False, risks=[])
# A hub that buys half of every external placement at 10% off from month 0, at no cost.
FREE_HUB = dict(share=0.5, discount=0.1, ramp_months=0, setup_cost=0, running_cost_per_year=0)


def _outcome(res, name, option=0):
    return res.outcomes[option, :, OUTCOMES.index(name)]


def _metric(res, name, option=0):
    return res.metrics[option, :, :, METRICS.index(name)]


@pytest.fixture(scope="module")
def plain():
    return admsim.simulate_region(COUNCILS, **KW)


def test_at_full_take_up_the_hub_lowers_external_placement_costs_by_its_discount(plain):
    hub = admsim.simulate_region(COUNCILS, commissioning_hub=FREE_HUB, **KW)
    for name in plain.names:
        a, b = plain[name], hub[name]
        np.testing.assert_array_equal(_metric(b, "cla"), _metric(a, "cla"))  # the same children
        for line, saved in (("foster_agency", 0.5 * 0.1), ("residential", 0.5 * 0.1 * 0.8), ("foster_inhouse", 0.0)):
            np.testing.assert_allclose(_outcome(b, f"cost_placements_{line}"),
                                       (1 - saved) * _outcome(a, f"cost_placements_{line}"), rtol=1e-12)
        saved = _outcome(a, "total_cost") - _outcome(b, "total_cost")
        assert saved.min() > 0
        # what the council saves is the hub's discount, no more (overheads stay on the full price)
        np.testing.assert_allclose(saved, _outcome(b, "hub_savings"), rtol=1e-9)
        np.testing.assert_allclose(_metric(b, "hub_savings").sum(axis=1), _outcome(b, "hub_savings"), rtol=1e-12)
    # the region's savings by hub year are its councils' monthly savings added up
    by_year = sum(_metric(hub[n], "hub_savings", 1).reshape(KW["replicates"], -1, 12).sum(axis=2) for n in hub.names)
    np.testing.assert_allclose(hub.hub_raw["savings"][1], by_year, rtol=1e-12)
    table = hub.hub()
    assert table.loc[("latc", 1), "P(self-sufficient)"] == 1.0  # no running cost to cover


@pytest.mark.parametrize("split", ["equal", "population", "use"])
def test_the_hubs_costs_add_up_across_councils_to_one_hub(split):
    hub = dict(setup_cost=300e3, setup_months=6, running_cost_per_year=900e3, cost_split=split)
    res = admsim.simulate_region(COUNCILS, commissioning_hub=hub, **dict(KW, replicates=10))
    total = sum(_outcome(res[n], "cost_commissioning_hub", 1) for n in res.names)
    np.testing.assert_allclose(total, 300e3 + 900e3 * KW["years"], rtol=1e-12)
    shares = [_outcome(res[n], "cost_commissioning_hub", 1)[0] / total[0] for n in res.names]
    np.testing.assert_allclose(shares, res.hub_raw["cost_shares"], rtol=1e-12)
    if split == "equal":
        np.testing.assert_allclose(shares, [0.5, 0.5])
    # what each council pays for the hub, as a finance officer reads it (£m)
    table = res.cost_split("cost_commissioning_hub")
    assert table.loc["region", "latc"] == pytest.approx((300e3 + 900e3 * KW["years"]) / 1e6)


def test_with_no_discount_the_hub_only_costs(plain):
    hub = admsim.simulate_region(COUNCILS, commissioning_hub=dict(discount=0.0), **KW)
    for name in plain.names:
        a, b = plain[name], hub[name]
        np.testing.assert_array_equal(_metric(b, "cost_placements"), _metric(a, "cost_placements"))
        np.testing.assert_allclose(_outcome(b, "total_cost") - _outcome(a, "total_cost"),
                                   _outcome(b, "cost_commissioning_hub"), rtol=1e-9)
        assert _outcome(b, "cost_commissioning_hub").min() > 0
    summary = hub.region_summary()
    assert (summary["P(hub self-sufficient in year 3)"] == 0).all()
    assert summary["hub break-even year (median)"].isna().all()


def test_a_hub_started_in_the_last_year_has_no_year_to_break_even_in():
    res = admsim.simulate_region(COUNCILS, commissioning_hub={"start_month": 40}, **dict(KW, replicates=5))
    assert res.hub_raw["savings"].shape == (2, 5, 0)
    assert res.hub().empty
    assert res.region_summary()["P(hub breaks even)"].eq(0).all()
    assert sum(_outcome(res[n], "hub_savings", 1) for n in res.names).min() > 0  # it saves all the same


def test_a_hub_for_one_option_leaves_the_others_bit_identical(plain):
    res = admsim.simulate_region(COUNCILS, commissioning_hub={"options": ["latc"]},
                                 improvement_alliance={"options": [1]}, **KW)
    for name in plain.names:
        np.testing.assert_array_equal(res[name].metrics[0], plain[name].metrics[0])
        np.testing.assert_array_equal(res[name].outcomes[0], plain[name].outcomes[0])
        assert _outcome(res[name], "cost_commissioning_hub", 1).min() > 0
    assert list(res.hub().index.get_level_values("model").unique()) == ["latc"]
    assert np.isnan(res.region_summary().loc["in_house", "P(hub self-sufficient in year 3)"])


def test_hub_draws_are_shared_by_options_and_independent_of_threads_and_blocks():
    hub = dict(share={"dist": "uniform", "low": 0.2, "high": 0.6})
    kw = dict(KW, models=["in_house", "latc"], replicates=12, output="summary")
    one = admsim.simulate_region(COUNCILS, commissioning_hub=hub, improvement_alliance={}, threads=1, **kw)
    two = admsim.simulate_region(COUNCILS, commissioning_hub=hub, improvement_alliance={}, threads=2, **kw)
    np.testing.assert_array_equal(one.hub_raw["savings"], two.hub_raw["savings"])
    np.testing.assert_array_equal(one.net_good, two.net_good)
    # both options meet the same take-up in each replicate (common random numbers)
    last = one.hub_raw["savings"][:, :, -1]
    assert np.corrcoef(last[0], last[1])[0, 1] > 0.9
    assert len(np.unique(last[0])) == 12  # the take-up is drawn by replicate


def _profile(grade):
    profile = copy.deepcopy(resolve_profile("example-county"))
    profile["ofsted"]["last_grade"] = grade
    return profile


def test_the_alliance_lifts_a_struggling_council_only_when_strong_councils_exist():
    kw = dict(KW, models=["in_house"], years=4, replicates=200)
    alliance = {"effect": 0.3, "cost_per_year": 120e3}
    struggling = {"name": "Struggling", "profile": _profile("requires_improvement")}
    strong = {"name": "Strong", "profile": _profile("outstanding")}
    without = admsim.simulate_region([struggling, strong], **kw)
    with_ = admsim.simulate_region([struggling, strong], improvement_alliance=alliance, **kw)
    a, b = without["Struggling"], with_["Struggling"]
    assert _metric(b, "quality").mean() > _metric(a, "quality").mean()
    assert np.nanmean(_outcome(b, "good_by_year3")) > np.nanmean(_outcome(a, "good_by_year3"))
    assert _outcome(with_["Strong"], "cost_improvement_support").mean() > 0
    # a council pays only in months it comes into rated Good or better
    paid = _metric(b, "cost_improvement_support")[:, 1:] > 0
    assert paid.any() and (_metric(b, "current_grade")[:, :-1][paid] <= 2).all()
    assert _metric(b, "cost_improvement_support")[:, 0].max() == 0
    # the alliance's measure: more Good-or-better councils than without it
    assert with_.alliance().loc[("in_house", 4), "Good+ minus Inadequate"] >= \
        without.alliance().loc[("in_house", 4), "Good+ minus Inadequate"]
    # alone, or among struggling councils until one of them is rated Good, it changes nothing
    alone = admsim.simulate_region([struggling], improvement_alliance=alliance, **kw)
    np.testing.assert_array_equal(alone["Struggling"].metrics, admsim.simulate_region([struggling], **kw)["Struggling"].metrics)
    weak = [struggling, {"name": "Weak", "profile": _profile("inadequate")}]
    x = admsim.simulate_region(weak, **kw)
    y = admsim.simulate_region(weak, improvement_alliance=alliance, **kw)
    strong_yet = np.zeros((kw["replicates"], 48), bool)
    for name in x.names:
        strong_yet |= _metric(x[name], "current_grade") <= 2
    strong_yet = np.cumsum(strong_yet, axis=1) > 0  # some council was rated Good by the month's end
    before = np.concatenate([np.zeros((kw["replicates"], 1), bool), ~strong_yet[:, :-1]], axis=1)
    q_x, q_y = _metric(x["Struggling"], "quality"), _metric(y["Struggling"], "quality")
    np.testing.assert_array_equal(q_x[before], q_y[before])
    assert (q_x != q_y).any()


@pytest.mark.parametrize("arrangement, pointer", [
    ({"commissioning_hub": {"discount": 0.9}}, "/commissioning_hub/discount"),
    ({"commissioning_hub": {"share": {"dist": "uniform", "low": 0.2, "high": 1.5}}}, "/commissioning_hub/share/high"),
    ({"commissioning_hub": {"external_share": {"foster_agencies": 1}}}, "/commissioning_hub/external_share/foster_agencies"),
    ({"commissioning_hub": {"external_share": {"kinship": 1}}}, "/commissioning_hub/external_share/kinship"),
    ({"commissioning_hub": {"options": ["trust"]}}, "/commissioning_hub/options/0"),
    ({"commissioning_hub": {"cost_split": "size"}}, "/commissioning_hub/cost_split"),
    ({"commissioning_hub": {"runing_cost_per_year": 1}}, "/commissioning_hub"),
    ({"improvement_alliance": {"effect": 2}}, "/improvement_alliance/effect"),
    ({"improvement_alliance": {"cost_per_year": -1}}, "/improvement_alliance/cost_per_year"),
])
def test_bad_arrangements_name_the_field(arrangement, pointer):
    with pytest.raises(admsim.ScenarioError, match=pointer):
        admsim.simulate_region(COUNCILS, **arrangement, **dict(KW, replicates=2))


def test_the_report_shows_the_hub_and_the_alliance(tmp_path):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from test_plot_report import _verdict  # the headless-Chromium harness

    res = admsim.simulate_region(COUNCILS, commissioning_hub={}, improvement_alliance={}, **KW)
    page = res.write_report(tmp_path / "report")
    text = page.read_text(encoding="utf-8")
    for part in ("The region's arrangements", "P(self-sufficient in year 3)", "Break-even year",
                 "with an improvement alliance", "Good or better minus Inadequate"):
        assert part in text, part
    year3 = res.region_summary()["P(hub self-sufficient in year 3)"]
    assert f"{year3.iloc[0]:.0%}" in text
    for name in ("hub.png", "hub.svg", "alliance.png"):
        assert (page.parent / name).stat().st_size > 0, name
    assert _verdict(page, tmp_path) == {"images": 5, "broken": [], "errors": []}  # 3 + hub + alliance


def test_the_catalogues_stand_ins_for_the_hub_and_alliance_are_not_counted_twice():
    """The seed-001 options' placement-price effect (the hub's collective buying) and the status
    quo's improvement effect (the alliance's support) are neutral when the run models the hub
    and the alliance explicitly; an effect the user sets is kept."""
    own = {"dist": "fixed", "value": 0.97}
    options = ["in_house", "status_quo_agreement", {"id": "contractual_jv", "effects": {"placement_cost": own}}]
    kw = dict(KW, models=options, replicates=5, years=1)
    res = admsim.simulate_region(COUNCILS, commissioning_hub={}, improvement_alliance={}, **kw)
    sqa, jv = res.spec["models"][1], res.spec["models"][2]
    assert sqa["effects"] == {"placement_cost": {"dist": "fixed", "value": 1.0},
                              "improvement": {"dist": "fixed", "value": 0.0}}
    assert jv["effects"] == {"placement_cost": own}
    plain = admsim.simulate_region(COUNCILS, **kw)
    assert plain.spec["models"][1] == "status_quo_agreement"


def test_an_external_share_given_overrides_only_its_own_type(plain):
    """Giving residential's share keeps IFA foster care's default (1): the hub still saves on it."""
    kw = dict(KW, models=["in_house"])
    hub = dict(FREE_HUB)
    only_res = admsim.simulate_region(COUNCILS, commissioning_hub=dict(hub, external_share={"residential": 0.8}), **kw)
    default = admsim.simulate_region(COUNCILS, commissioning_hub=hub, **kw)
    for name in default.names:
        np.testing.assert_array_equal(_outcome(only_res[name], "hub_savings"), _outcome(default[name], "hub_savings"))
