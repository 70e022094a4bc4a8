"""Python policies (admsim.Policy): levers set each month from the simulated state."""
from __future__ import annotations

import numpy as np
import pytest

import admsim
from admsim.policy import ThresholdPolicy


def _run(policy=None, **kw):
    args = dict(years=3, replicates=80, seed=9, progress=False)
    args.update(kw)
    return admsim.simulate("example-county", ["in_house", "latc"], policy=policy, **args).to_xarray()


class Stretched(admsim.Policy):
    """Recruit in any month after one whose caseload was above the threshold."""

    def __init__(self, threshold=17.0):
        self.threshold = threshold

    def decide(self, state):
        return {"recruitment_campaign": np.where(state["caseload"] > self.threshold, 1.5, np.nan)}


def test_a_policy_that_pulls_nothing_changes_nothing():
    plain, idle = _run(), _run(lambda state: {})
    for name in ("caseload", "cost", "cla", "current_grade"):
        assert np.array_equal(plain[name].values, idle[name].values), name


def test_a_policy_is_the_rule_it_mirrors():
    rule = {"when": {"metric": "caseload", "above": 17.0}, "max_times": 1000,
            "then": {"type": "recruitment_campaign", "size": 1.5, "duration_months": 1}}
    ruled, policed = _run(rules=[rule]), _run(Stretched())
    assert int(ruled["rule_actions"].sum()) > 0
    for name in ("caseload", "hires", "cost", "social_workers"):
        assert np.array_equal(ruled[name].values, policed[name].values), name


def test_policies_are_bit_identical_for_any_thread_count():
    seen = []

    def noisy(state):  # uses the keyed uniforms, as a policy needing randomness should
        seen.append(state.uniform.copy())
        return {"pay_uplift": np.where(state.uniform < 0.2, 0.05, np.nan)}

    a, b, c = _run(noisy, threads=1), _run(noisy, threads=2), _run(noisy, threads=8)
    for other in (b, c):
        assert np.array_equal(a["cost"].values, other["cost"].values)
        assert np.array_equal(a["turnover_rate"].values, other["turnover_rate"].values)
    assert all(0 < u.min() and u.max() < 1 for u in seen)


def test_the_state_is_last_month_and_nan_before_the_first():
    months = []

    def look(state):
        months.append((state.month, state["cla"].copy(), state.models, state.replicates.copy()))
        return None

    x = _run(look, years=1, replicates=5)
    assert [m for m, *_ in months] == list(range(12))
    assert np.isnan(months[0][1]).all()
    assert months[0][2] == ("in_house", "latc") and list(months[0][3]) == [0, 1, 2, 3, 4]
    np.testing.assert_array_equal(months[5][1], x["cla"].values[:, :, 4])


@pytest.mark.parametrize("policy,error,mention", [
    (lambda s: {"agency_cap": 5}, admsim.ScenarioError, "/policy"),
    (lambda s: {"recruitment_campain": 1.2}, KeyError, "did you mean 'recruitment_campaign'"),
    (lambda s: {"caseload_cap": np.ones(7)}, ValueError, "does not broadcast"),
    (lambda s: {"pay_uplift": np.inf}, ValueError, "infinite"),
    (lambda s: [1, 2], TypeError, "dict of lever"),
    (lambda s: s["moral"], KeyError, "unknown metric"),
    (42, TypeError, "policy must be"),
], ids=["out of range", "misspelt lever", "wrong shape", "infinite", "not a dict", "unknown metric", "not callable"])
def test_bad_policies_are_clear_errors(policy, error, mention):
    with pytest.raises(error, match=mention.replace("(", r"\(")):
        _run(policy, years=1, replicates=3)


def test_a_policys_own_exception_reaches_the_caller():
    def broken(state):
        raise RuntimeError("my bug")

    with pytest.raises(RuntimeError, match="my bug") as caught:
        _run(broken, years=1, replicates=3)
    assert "in admsim policy broken at month 0, replicates 0-2" in caught.value.__notes__
    assert admsim.simulate("example-county", ["in_house"], years=1, replicates=2, progress=False)  # still alive


# The issue's rule: caseload above 20 for 3 months -> recruitment campaign x1.5 for 12 months,
# at most twice (a demand shock pushes caseloads over 20 in some replicates).
SHOCK = [{"type": "demand_shock", "start_month": 0, "size": 1.25}]
RULE = {"when": {"metric": "caseload", "above": 20, "for_months": 3},
        "then": {"type": "recruitment_campaign", "size": 1.5, "duration_months": 12}, "max_times": 2}


def same_as_the_rule():
    """The rule written in Python (admsim.policy.ThresholdPolicy)."""
    return ThresholdPolicy("caseload", 20, "recruitment_campaign", 1.5, 12, for_months=3, max_times=2)


def test_the_issues_rule_fires_exactly_when_its_condition_holds_and_at_most_twice():
    x = _run(rules=[RULE], interventions=SHOCK, years=5, replicates=60)
    acts, caseload = x["rule_actions"].values, x["caseload"].values
    assert 0 < (acts.sum(axis=2) > 0).mean() < 1, "the condition must hold in some replicates, not all"
    for m in range(acts.shape[0]):
        for r in range(acts.shape[1]):
            fired = np.flatnonzero(acts[m, r])
            assert len(fired) <= 2
            # replay the rule from the metrics: streaks of months over 20, eligibility, windows
            streak, times, free, expect = 0, 0, 0, []
            for t in range(1, acts.shape[2]):
                streak = streak + 1 if caseload[m, r, t - 1] > 20 else 0
                if streak >= 3 and times < 2 and t >= free:
                    expect.append(t)
                    times, free, streak = times + 1, t + 12, 0
            assert list(fired) == expect, (m, r)


def test_the_issues_rule_in_python_is_bit_identical_to_the_rule():
    ruled = _run(rules=[RULE], interventions=SHOCK, years=5, replicates=60)
    policed = _run(same_as_the_rule(), interventions=SHOCK, years=5, replicates=60)
    assert int(ruled["rule_actions"].sum()) > 0
    for name in ("caseload", "hires", "cost", "vacancy_rate", "current_grade"):
        assert np.array_equal(ruled[name].values, policed[name].values), name


class PerWorker(admsim.Analyzer):
    """Children in care per permanent social worker, and a per-model constant (broadcast)."""

    def measure(self, state):
        return {"cla_per_worker": state["cla"] / state["social_workers"],
                "model_number": np.arange(len(state.models))[:, None]}


def test_an_analyzer_records_a_custom_metric_every_month(tmp_path):
    res = admsim.simulate("example-county", ["in_house", "latc"], years=2, replicates=30, seed=9,
                          progress=False, analyzers=[PerWorker()])
    x = res.to_xarray()
    expect = x["cla"].values / x["social_workers"].values
    np.testing.assert_allclose(x["cla_per_worker"].values, expect, rtol=1e-12)  # every month, the last too
    assert np.array_equal(res.metric("model_number")[:, 0, 0], [0, 1])
    np.testing.assert_allclose(res.metric_mean("cla_per_worker").values.T, expect.mean(axis=1), rtol=1e-12)
    assert res.plot.fan("cla_per_worker") is not None
    back = admsim.load(res.save(tmp_path / "run.npz"))
    np.testing.assert_array_equal(back.metric("cla_per_worker"), res.metric("cla_per_worker"))
    plain = admsim.simulate("example-county", ["in_house", "latc"], years=2, replicates=30, seed=9, progress=False)
    assert np.array_equal(plain.metrics, res.metrics)  # recording changes nothing


def test_analyzers_and_policies_together_in_summary_mode_for_any_threads():
    runs = [admsim.simulate("example-county", ["in_house", "latc"], years=2, replicates=70, seed=9,
                            progress=False, threads=t, output="summary", policy=Stretched(),
                            analyzers=[PerWorker()]) for t in (1, 2, 8)]
    for other in runs[1:]:
        np.testing.assert_array_equal(runs[0].metric("cla_per_worker"), other.metric("cla_per_worker"))
        np.testing.assert_array_equal(runs[0]._raw["metric_mean"], other._raw["metric_mean"])


def test_a_bad_analyzer_is_a_clear_error():
    with pytest.raises(ValueError, match="name of an engine metric"):
        _run(analyzers=[lambda s: {"cla": 1.0}], years=1, replicates=3)
    with pytest.raises(ZeroDivisionError) as caught:
        _run(analyzers=[lambda s: 1 / 0], years=1, replicates=3)
    assert any("in admsim analyzer" in n for n in caught.value.__notes__)
