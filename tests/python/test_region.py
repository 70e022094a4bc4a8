"""Regional runs (issue 16): councils simulated together, sharing a labour market."""
from __future__ import annotations

import numpy as np
import pytest

import admsim
from admsim.outputs import METRICS, OUTCOMES

COUNCILS = ["example-county", "worcestershire-2017"]
KW = dict(models=["in_house", "latc"], years=4, replicates=200, seed=4, progress=False)


@pytest.fixture(scope="module")
def coupled():
    return admsim.simulate_region(COUNCILS, labour_market={"mover_share": 0.3}, **KW)


def _metric(res, name, option=0):
    return res.metrics[option, :, :, METRICS.index(name)]


def test_without_coupling_each_council_is_its_own_run():
    """Independent councils (the default): each is its own run with its council seed; shared
    streams: each is its own run with the region's seed."""
    region = admsim.simulate_region(COUNCILS, **KW)
    shared = admsim.simulate_region(COUNCILS, council_streams="shared", **KW)
    for slug, name in zip(COUNCILS, region.names):
        seed = admsim.region.council_seed(KW["seed"], name)
        assert seed != KW["seed"] and region[name].spec["seed"] == seed
        alone = admsim.simulate(slug, **dict(KW, seed=seed))
        assert np.array_equal(region[name].metrics, alone.metrics)
        assert np.array_equal(region[name].outcomes, alone.outcomes, equal_nan=True)
        alone = admsim.simulate(slug, **KW)
        assert np.array_equal(shared[name].metrics, alone.metrics)
        assert np.array_equal(shared[name].outcomes, alone.outcomes, equal_nan=True)


def test_councils_draw_independent_numbers_and_a_shared_vehicle_is_drawn_once():
    """Two copies of one council under different names: their replicates differ (separate
    places do not share shocks) unless the streams are shared; their options' uncertain effects
    are one draw when the vehicle is shared, and the council seed does not depend on the order."""
    twins = [{"profile": "example-county", "name": "East"}, {"profile": "example-county", "name": "West"}]
    kw = dict(KW, models=["in_house", "independent_trust"], replicates=100)
    k = OUTCOMES.index("npv_cost")
    apart = admsim.simulate_region(twins, **kw)
    east, west = apart["East"].outcomes[0, :, k], apart["West"].outcomes[0, :, k]
    assert not np.array_equal(east, west) and abs(np.corrcoef(east, west)[0, 1]) < 0.4
    together = admsim.simulate_region(twins, council_streams="shared", **kw)
    assert np.array_equal(together["East"].outcomes, together["West"].outcomes, equal_nan=True)
    # One vehicle: the trust's set-up cost (an uncertain effect) is the same draw in both councils.
    vehicle = admsim.simulate_region(twins, vehicle={"cost_split": "equal"}, **kw)
    s = OUTCOMES.index("setup_cost")
    assert np.array_equal(vehicle["East"].outcomes[1, :, s], vehicle["West"].outcomes[1, :, s])
    assert not np.array_equal(apart["East"].outcomes[1, :, s], apart["West"].outcomes[1, :, s])
    flipped = admsim.simulate_region(twins[::-1], **kw)
    assert np.array_equal(flipped["East"].outcomes, apart["East"].outcomes, equal_nan=True)


def test_councils_of_the_same_name_and_a_market_of_one_are_refused():
    with pytest.raises(admsim.ScenarioError, match="/councils/1/name"):
        admsim.simulate_region([{"profile": "example-county", "name": "A"}, {"profile": "worcestershire-2017", "name": "A"}], **KW)
    with pytest.raises(admsim.ScenarioError, match="/labour_market/mover_share"):
        admsim.simulate_region(["example-county"], labour_market={"mover_share": 0.3}, **KW)
    with pytest.raises(admsim.ScenarioError, match="/council_streams"):
        admsim.simulate_region(COUNCILS, council_streams="mixed", **KW)


def test_a_no_change_coupled_run_stays_at_the_councils_observed_rates():
    kw = dict(KW, models=["in_house"], risks=[], replicates=300)
    on = admsim.simulate_region(COUNCILS, labour_market={"mover_share": 0.4}, **kw)
    off = admsim.simulate_region(COUNCILS, **kw)
    for name in on.names:
        assert _metric(on[name], "movers_in")[:, 12:].sum() > 0
        for metric, tolerance in (("vacancy_rate", 0.01), ("agency_share", 0.01), ("turnover_rate", 0.01)):
            a, b = _metric(on[name], metric)[:, -12:].mean(), _metric(off[name], metric)[:, -12:].mean()
            assert abs(a - b) < tolerance, (name, metric, a, b)


def test_movers_are_conserved_across_the_region(coupled):
    out = sum(r.metrics[..., METRICS.index("movers_out")] for r in coupled.councils.values())
    hired = coupled.total("movers_in")
    assert out.sum() > 0
    np.testing.assert_array_equal(hired[:, :, 1:] + coupled.unplaced[:, :, 1:], out[:, :, :-1])


def test_the_region_summary_adds_up(coupled):
    table = coupled.region_summary()
    assert list(table.index) == ["in_house", "latc"]
    k = OUTCOMES.index("npv_cost")
    total = sum(r.outcomes[1, :, k].mean() for r in coupled.councils.values())
    assert table.loc["latc", "npv_cost"] == pytest.approx(total)
    assert 0 <= table.loc["latc", "P(any council overspends)"] <= 1
    assert set(coupled.summary()["council"]) == {"Example County", "Worcestershire", "region"}
    with pytest.raises(KeyError, match="did you mean 'Worcestershire'"):
        coupled["Worcestershir"]


def test_a_campaign_in_one_council_draws_movers_from_the_other():
    def movers_into_example(campaign):
        worcs = {"profile": "worcestershire-2017"}
        if campaign:
            worcs["interventions"] = [{"type": "recruitment_campaign", "start_month": 0, "size": 3.0}]
        res = admsim.simulate_region(["example-county", worcs], labour_market={"mover_share": 0.5},
                                     **dict(KW, models=["in_house"]))
        return _metric(res["Example County"], "movers_in").sum()

    assert movers_into_example(True) < movers_into_example(False)


@pytest.mark.parametrize("change,pointer", [
    (dict(councils=["example-county", {"profile": "worcestershire-2017", "models": ["in_house"]}]), "/councils/1/models"),
    (dict(labour_market={"mover_share": 2}), "/labour_market/mover_share"),
    (dict(years=0), "/years"),
    (dict(councils=[]), "/councils"),
], ids=["options differ", "share above 1", "no years", "no councils"])
def test_bad_regions_name_the_field(change, pointer):
    args = dict(KW, councils=COUNCILS)
    args.update(change)
    with pytest.raises(admsim.ScenarioError, match=pointer):
        admsim.simulate_region(**args)


def test_a_pay_rise_in_one_council_lowers_its_vacancies_and_raises_its_neighbours():
    def vacancies(pay_rise):
        worcs = {"profile": "worcestershire-2017"}
        if pay_rise:
            worcs["interventions"] = [{"type": "pay_uplift", "start_month": 0, "size": 0.15}]
        res = admsim.simulate_region(["example-county", worcs], labour_market={"mover_share": 0.4},
                                     **dict(KW, models=["in_house"], replicates=300, risks=[]))
        return {name: _metric(res[name], "vacancy_rate")[:, 12:].mean() for name in res.names}

    before, after = vacancies(False), vacancies(True)
    assert after["Worcestershire"] < before["Worcestershire"]
    assert after["Example County"] > before["Example County"]


def test_a_shared_vehicle_is_paid_once_and_ranked():
    kw = dict(KW, models=["in_house", "latc"], replicates=60)
    alone = admsim.simulate_region(COUNCILS, **kw)
    shared = admsim.simulate_region(COUNCILS, vehicle={"cost_split": "population"}, **kw)
    k = OUTCOMES.index("setup_cost")
    # What one vehicle costs: its set-up is one draw for the region (the region's seed).
    one_vehicle = admsim.simulate("worcestershire-2017", **kw).outcomes[1, :, k]
    np.testing.assert_allclose(sum(r.outcomes[1, :, k] for r in shared.councils.values()), one_vehicle, rtol=1e-12)
    split = shared.cost_split()
    assert split.loc["region", "latc"] == pytest.approx(split.drop(index="region")["latc"].sum())
    ranks = shared.rank_probabilities("npv_cost")
    np.testing.assert_allclose(ranks.sum(axis=1), 1.0)
    np.testing.assert_allclose(ranks.sum(axis=0), 1.0)
    # sharing the vehicle makes change cheaper for the region than every council paying alone
    assert shared.region_summary().loc["latc", "npv_cost"] < alone.region_summary().loc["latc", "npv_cost"]


def test_a_national_run_is_its_regions_and_adds_them_up():
    by_region = {"A": ["example-county"], "B": ["worcestershire-2017", "example-county"]}
    nation = admsim.simulate_nation(by_region, models=["in_house"], years=2, replicates=30, seed=3,
                                    output="summary", progress=False)
    table = nation.summary()
    assert list(table.index.get_level_values("region")) == ["A", "B", "England"]
    for column in ("npv_cost", "social workers at the end"):
        assert table.loc[("England", "in_house"), column] == pytest.approx(
            table.loc[("A", "in_house"), column] + table.loc[("B", "in_house"), column])
    alone = admsim.simulate_region(by_region["B"], models=["in_house"], years=2, replicates=30, seed=3,
                                   output="summary", progress=False)
    assert nation["B"].region_summary().equals(alone.region_summary())


def test_every_council_of_the_panels_by_region(shared_data):
    from admsim.profiles import councils_by_region
    regions = councils_by_region(shared_data / "la_panels", 2022)
    assert len(regions["West Midlands"]) == 14 and sum(map(len, regions.values())) >= 150
    north_east = admsim.profiles.national(shared_data / "la_panels", regions=["North East"], progress=False)
    assert len(north_east["North East"]) == 12


def test_an_agency_rate_agreement_lowers_staff_costs_and_nothing_else():
    kw = dict(KW, models=["in_house"], replicates=60)
    plain = admsim.simulate_region(COUNCILS, **kw)
    deal = admsim.simulate_region(COUNCILS, agency_agreement={"premium_cap": 0.2}, **kw)
    for name in plain.names:
        np.testing.assert_array_equal(_metric(deal[name], "agency_workers"), _metric(plain[name], "agency_workers"))
        assert _metric(deal[name], "cost_staff").sum() < _metric(plain[name], "cost_staff").sum()
    with pytest.raises(admsim.ScenarioError, match="/agency_agreement/premium_cap"):
        admsim.simulate_region(COUNCILS, agency_agreement={"premium_cap": -0.1}, **kw)


def test_the_cost_split_in_summary_mode_is_the_full_modes_means():
    kw = dict(KW, replicates=40, years=2)
    full = admsim.simulate_region(COUNCILS, **kw).cost_split()
    summary = admsim.simulate_region(COUNCILS, output="summary", **kw).cost_split()
    np.testing.assert_allclose(summary.to_numpy(), full.to_numpy(), rtol=1e-9)
