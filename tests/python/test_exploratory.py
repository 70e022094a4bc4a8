"""admsim as an EMA Workbench model (issue 15): batch evaluation, and PRIM scenario discovery."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import admsim

ex = pytest.importorskip("admsim.exploratory")
with warnings.catch_warnings():
    warnings.simplefilter("ignore", UserWarning)
    ema = pytest.importorskip("ema_workbench")

UNC = {"quality_reversion_per_year": (0.2, 0.6), "independent_trust.improvement": (-0.2, 0.6)}
OUT = ["in_house.good_by_year5", "independent_trust.good_by_year5"]


@pytest.fixture(scope="module")
def model():
    spec = admsim.build_scenario("worcestershire-2017", ["in_house", "independent_trust"], years=5,
                                 replicates=40, seed=3, risks=[])
    return ex.ema_model(spec, uncertainties=UNC, outcomes=OUT)


def test_the_batch_evaluator_gives_what_one_call_per_experiment_gives(model):
    experiments, batch = ex.perform(model, scenarios=12, seed=7)
    one_by_one = [model.function(**{k: row[k] for k in UNC}) for _, row in experiments.iterrows()]
    for name in OUT:
        np.testing.assert_array_equal(batch[name], [o[name] for o in one_by_one])
    again = ex.perform(model, scenarios=12, seed=7)[1]  # seeded: the same design and numbers
    np.testing.assert_array_equal(again[OUT[1]], batch[OUT[1]])


def test_prim_finds_where_the_trust_beats_in_house(model):
    experiments, outcomes = ex.perform(model, scenarios=60, seed=1)
    cases = outcomes[OUT[1]] > outcomes[OUT[0]]
    assert 0 < cases.mean() < 1
    table = ex.box_table(ex.discover(experiments[list(UNC)], cases))
    # the box restricts the trust's improvement effect from below: that is what makes it win
    row = table.set_index("uncertainty").loc["independent_trust.improvement"]
    assert row["low"] > UNC["independent_trust.improvement"][0]
    assert table.attrs["density"] > cases.mean()


def test_bad_inputs_are_named(model):
    spec = model.admsim["spec"]
    with pytest.raises(admsim.ScenarioError, match="/inputs/0"):
        ex.ema_model(spec, uncertainties={"moral": (0, 1)}, outcomes=OUT)
    with pytest.raises(ValueError, match="both true and false"):
        ex.discover(ex.perform(model, scenarios=4)[0], np.zeros(4, dtype=bool))


def test_levers_on_a_package_and_outcomes_on_a_metric():
    """A sweep over an intervention's size (a lever) read through a metric (caseload in the last
    month): a tighter caseload cap gives lower caseloads, experiment by experiment."""
    from admsim.sensitivity import evaluate

    spec = admsim.build_scenario("example-county", ["in_house"], years=2, replicates=40, seed=1,
                                 interventions=[{"type": "caseload_cap", "start_month": 0, "size": 15}])
    y = evaluate(spec, ["interventions.0.size"], [[12.0], [15.0], [18.0]], ["in_house.caseload@end"], progress=False)
    assert y[0, 0] < y[1, 0] < y[2, 0]
    model = ex.ema_model(spec, uncertainties={"quality_reversion_per_year": (0.2, 0.6)},
                         levers={"interventions.0.size": (12, 18)},
                         outcomes=["in_house.caseload@end", "in_house.npv_cost"])
    experiments, outcomes = ex.perform(model, scenarios=3, policies=3, seed=2)
    assert len(experiments) == 9 and np.isfinite(outcomes["in_house.caseload@end"]).all()
    with pytest.raises(admsim.ScenarioError, match="/inputs/0"):
        evaluate(spec, ["interventions.3.size"], [[12.0]], ["in_house.npv_cost"], progress=False)
