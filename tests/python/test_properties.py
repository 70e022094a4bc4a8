"""Property tests: invariants hold for any valid council and parameters."""
import copy

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import admsim
from admsim.simulate import METRICS

M = {name: i for i, name in enumerate(METRICS)}

councils = st.fixed_dictionaries({
    "children": st.floats(5_000, 400_000),
    "referrals": st.floats(300, 900),
    "rereferral": st.floats(0.05, 0.4),
    "cla": st.floats(30, 140),
    "cpp": st.floats(20, 80),
    "turnover": st.floats(0.05, 0.35),
    "vacancy": st.floats(0.02, 0.4),
    "agency": st.floats(0.0, 0.4),
    "grade": st.sampled_from(["outstanding", "good", "requires_improvement", "inadequate"]),
    "seed": st.integers(0, 2**40),
    "model": st.sampled_from(["in_house", "latc", "independent_trust", "commission_by_contract",
                              "strategic_partnership", "employee_mutual"]),
    "reversion": st.floats(0.0, 2.0),
    "caseload_elasticity": st.floats(0.0, 3.0),
})


def make_profile(base, c):
    p = copy.deepcopy(base)
    p["population"]["children_0_17"] = c["children"]
    d = p["demand"]
    d["referrals_per_10k"] = c["referrals"]
    d["rereferral_rate"] = c["rereferral"]
    d["cla_per_10k"] = c["cla"]
    d["cla_starts_per_10k"] = c["cla"] * 0.38
    d["cpp_per_10k"] = c["cpp"]
    d["cpp_starts_per_10k"] = c["cpp"] * 1.25
    d["cin_per_10k"] = c["cla"] + c["cpp"] + 230
    w = p["workforce"]
    scale = c["children"] / 60_000
    w["in_post_fte"] = 161 * scale
    w["agency_fte"] = w["in_post_fte"] * c["agency"] / (1 - c["agency"])
    w["turnover_rate"] = c["turnover"]
    w["vacancy_rate"] = c["vacancy"]
    p["ofsted"]["last_grade"] = c["grade"]
    return p


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(c=councils)
def test_invariants_hold_for_any_council(small_profile, c):
    profile = make_profile(small_profile, c)
    res = admsim.simulate(profile, [c["model"]], years=3, replicates=3, seed=c["seed"],
                          parameters={"quality_reversion_per_year": c["reversion"],
                                      "caseload_turnover_elasticity": c["caseload_elasticity"]},
                          progress=False)
    x = res.metrics[0]  # (replicate, month, metric)
    d = np.diff(x, axis=1)
    flows = x[:, 1:, :]
    # Children and staff are conserved: change in stock = entries - exits.
    assert np.array_equal(d[..., M["cla"]], flows[..., M["cla_starts"]] - flows[..., M["cla_ceased"]])
    assert np.array_equal(d[..., M["cpp"]], flows[..., M["cpp_starts"]] - flows[..., M["cpp_ends"]])
    assert np.array_equal(d[..., M["cin"]], flows[..., M["cin_starts"]] - flows[..., M["cin_closed"]])
    assert np.array_equal(d[..., M["social_workers"]], flows[..., M["hires"]] - flows[..., M["leavers"]])
    assert np.array_equal(d[..., M["agency_workers"]],
                          flows[..., M["agency_starts"]] - flows[..., M["agency_ends"]])
    # Stocks and flows are counts; shares stay in [0, 1]; costs are non-negative.
    for name in ["referrals", "cin", "cpp", "cla", "social_workers", "agency_workers", "leavers"]:
        assert (x[..., M[name]] >= 0).all()
    for name in ["agency_share", "vacancy_rate"]:
        assert ((x[..., M[name]] >= 0) & (x[..., M[name]] <= 1)).all()
    for name in ["cost", "cost_staff", "cost_placements", "cost_delivery_model", "cost_discounted"]:
        assert (x[..., M[name]] >= 0).all()
    grades = x[..., M["current_grade"]]
    assert np.isin(grades, [1, 2, 3, 4]).all()
    probabilities = res.summary().filter(like="P(")
    # Point probabilities in [0, 1] (difference columns may be negative).
    cols = [col for col in probabilities.columns if "diff" not in col]
    v = probabilities[cols].to_numpy(dtype=float)
    v = v[~np.isnan(v)]
    assert ((v >= 0) & (v <= 1)).all()
