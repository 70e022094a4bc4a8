"""Rules in the scenario: interventions the simulated state starts (issue 15's first slice)."""
from __future__ import annotations

import numpy as np

import admsim

RULE = {"id": "recruit", "when": {"metric": "caseload", "above": 17.0, "for_months": 2},
        "then": {"type": "recruitment_campaign", "size": 1.5, "duration_months": 6},
        "max_times": 3, "cooldown_months": 3}


def _run(**kw):
    args = dict(years=3, replicates=120, seed=5, progress=False, rules=[RULE])
    args.update(kw)
    return admsim.simulate("example-county", ["in_house", "latc"], **args)


def test_rules_are_bit_identical_for_any_thread_count_and_in_summary_mode():
    one, two = _run(threads=1), _run(threads=2)
    assert np.array_equal(one.to_xarray()["rule_actions"].values, two.to_xarray()["rule_actions"].values)
    assert np.array_equal(one.to_xarray()["caseload"].values, two.to_xarray()["caseload"].values)
    summary = _run(output="summary", threads=2)
    full_mean = one.to_xarray()["rule_actions"].mean("replicate").values
    np.testing.assert_allclose(summary.metric_mean("rule_actions").values.T, full_mean, rtol=1e-12, atol=1e-12)


def test_a_rule_acts_only_on_the_replicates_that_call_for_it():
    x = _run().to_xarray()
    fired = (x["rule_actions"].sum("month") > 0).values
    assert 0 < fired.mean() < 1
    # replicates where it fired had the higher caseloads before it did
    first = x["caseload"].isel(month=slice(0, 6)).mean("month").values
    assert first[fired].mean() > first[~fired].mean()
    assert x["rule_actions"].sum("month").max() <= RULE["max_times"]


def test_rules_keep_common_random_numbers_where_they_do_not_fire():
    ruled = _run(rules=[dict(RULE, when={"metric": "caseload", "above": 1e6})]).to_xarray()
    plain = _run(rules=[]).to_xarray()
    assert int(ruled["rule_actions"].sum()) == 0
    assert np.array_equal(ruled["cost"].values, plain["cost"].values)
