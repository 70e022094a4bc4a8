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
    "uasc": st.floats(0.0, 0.12),  # more overfills supported accommodation at the national mix (an error)
    "uasc_shock": st.floats(0.0, 5.0),
    "step_down": st.floats(0.0, 10.0),
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
                                      "caseload_turnover_elasticity": c["caseload_elasticity"],
                                      "uasc_share_of_starts": c["uasc"]},
                          interventions=[{"type": "uasc_arrivals", "start_month": 6, "size": c["uasc_shock"]},
                                         {"type": "step_down_programme", "start_month": 3,
                                          "size": c["step_down"]}],
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
    # By placement type and by age band, every child in care is counted once; care leavers
    # (turning 18) are among the exits and UASC among the entries.
    types = [M[f"cla_{t}"] for t in ["foster_inhouse", "foster_agency", "kinship", "residential",
                                      "supported", "with_parents", "adoption"]]
    ages = [M[f"cla_age_{a}"] for a in ["0_4", "5_9", "10_15", "16_17"]]
    assert np.array_equal(x[..., types].sum(axis=-1), x[..., M["cla"]])
    assert np.array_equal(x[..., ages].sum(axis=-1), x[..., M["cla"]])
    assert (x[..., types + ages] >= 0).all()
    assert (x[..., M["care_leavers"]] <= x[..., M["cla_ceased"]]).all()
    assert (x[..., M["uasc_starts"]] <= x[..., M["cla_starts"]]).all()
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


def test_too_many_uasc_for_the_placement_mix_is_a_named_error(small_profile):
    import pytest

    with pytest.raises(admsim.ScenarioError, match="/parameters/uasc_share_of_starts.*supported"):
        admsim.simulate(small_profile, ["in_house"], years=1, replicates=1, progress=False,
                        parameters={"uasc_share_of_starts": 0.5})
