"""The regional appraisal and report (issue 16): seed 001's options appraised on a region's
simulated totals and its vehicle's governance, and the regional HTML report."""
from __future__ import annotations

import copy
import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest

import admsim
from admsim.appraisal.region import aggregation, region_defaults, region_entries, region_outcomes
from admsim.outputs import ADDITIVE_OUTCOMES, OUTCOMES

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_plot_report import _verdict  # noqa: E402  (the headless-Chromium harness)

OPTIONS = ["in_house", "status_quo_agreement", "contractual_jv", "corporate_jv"]
SEED_ORDER = ["corporate_jv", "contractual_jv", "status_quo_agreement", "in_house"]  # least exposed first


@pytest.fixture(scope="module")
def region():
    return admsim.simulate_region(["example-county", "worcestershire-2017"], models=OPTIONS,
                                  labour_market={"mover_share": 0.3}, vehicle={"cost_split": "population"},
                                  years=4, replicates=60, seed=5, progress=False)


@pytest.fixture(scope="module")
def appraisal(region):
    return region.appraise(weight_samples=300)


def test_every_outcome_has_a_regional_aggregation_and_money_adds_up():
    assert {name: aggregation(name) for name in ADDITIVE_OUTCOMES} == dict.fromkeys(ADDITIVE_OUTCOMES, "sum")
    for name in OUTCOMES:
        assert aggregation(name) in ("sum", "share", "mean")
    with pytest.raises(ValueError, match="outcome 'nonsense' has no regional aggregation"):
        aggregation("nonsense")


def test_region_outcomes_combine_the_councils_replicate_by_replicate(region):
    totals = region_outcomes(region)
    councils = list(region.councils.values())
    k = OUTCOMES.index("npv_cost")
    np.testing.assert_allclose(totals[:, :, k], sum(r.outcomes[:, :, k] for r in councils))
    k = OUTCOMES.index("good_by_year3")  # the share of councils Good or better
    np.testing.assert_allclose(totals[:, :, k], np.mean([r.outcomes[:, :, k] for r in councils], axis=0))
    k = OUTCOMES.index("mean_caseload")  # weighted by children aged 0-17
    w = np.array([r.spec["profile"]["population"]["children_0_17"] for r in councils], dtype=float)
    expected = sum(wi * r.outcomes[:, :, k] for wi, r in zip(w, councils)) / w.sum()
    np.testing.assert_allclose(totals[:, :, k], expected)


def test_political_exposure_follows_the_seeds_reasoning(region, appraisal):
    """seed 000: the LA JV 'minimises risk exposure due to political changes in one LA'; a
    corporate JV (its own company) least, the status quo with an agreement exposed to any
    member and most to its host, no vehicle most of all."""
    means = appraisal.raw_scores["political_exposure"]
    assert list(means.sort_values().index) == SEED_ORDER
    g = appraisal.governance
    ranges = [g.loc[o, "political_exposure"] for o in SEED_ORDER]
    for lower, upper in zip(ranges, ranges[1:]):
        assert lower[1] <= upper[0] + 1e-12  # the ranges do not overlap: ordered in every replicate
    d_low, d_high = g.loc["corporate_jv", "host_dependence"]
    n = len(region.names)
    assert ranges[0] == pytest.approx([d_low + (1 - d_low) / n, d_high + (1 - d_high) / n])
    assert ranges[0][0] >= 1 / n  # one member's change exposes at least its own share


def test_the_shipped_governance_has_a_source_for_every_attribute():
    shipped = region_defaults()
    for option, entry in shipped["options"].items():
        assert set(entry["attributes"]) <= set(entry["basis"]), option
        assert "assumption" in entry["basis"]["host_dependence"], option
    for c in shipped["criteria"]:
        if c.get("kind") == "judgement":
            assert all(isinstance(s, list) and s[0] < s[1] for s in c["default_scores"].values()), c["id"]
            assert all(b.startswith("assumption") for b in c["basis"].values()), c["id"]


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, (dict, list)):
        for v in (value.values() if isinstance(value, dict) else value):
            yield from _strings(v)


def test_the_quotes_are_verbatim_in_seeds_000_and_001(shared_seeds):
    """Every 'quoted' passage of region_appraisal.json is in the West Midlands seeds (quote marks
    and line breaks aside; '...' marks a cut)."""
    def norm(text):
        return re.sub(r"\s+", " ", re.sub("[‘’']", "", text))

    seeds = norm(" ".join(p.read_text(encoding="utf-8") for n in ("000", "001")
                          for p in shared_seeds.glob(f"{n}_*.txt")))
    quote = re.compile(r"(?:^|(?<=[\s(]))'(.+?)'(?=[\s,.;:)]|$)")
    found = [q for s in _strings(region_defaults()) for q in quote.findall(s)]
    assert len(found) > 20
    missing = [q for q in found if not all(norm(part.strip()) in seeds for part in q.split("..."))]
    assert missing == []
    assert json.loads(json.dumps(region_defaults())) == region_defaults()


def test_no_vehicle_fails_the_regional_gateway_and_says_why(appraisal):
    gate = appraisal.gateway
    assert not gate.loc["in_house", "passed"]
    assert gate.loc["in_house", "failed"] == "formal_shared_ownership"
    assert "shared ownership and liability" in gate.loc["in_house", "reason"]
    assert list(appraisal.rank_probabilities.index) == OPTIONS[1:]
    probs = appraisal.rank_probabilities.to_numpy()
    np.testing.assert_allclose(probs.sum(axis=0), 1)
    np.testing.assert_allclose(probs.sum(axis=1), 1)
    with pytest.raises(ValueError, match="no critical success factors"):
        appraisal.csf()


def test_a_member_that_will_not_commit_fails_the_gateway(region):
    a = region.appraise(attributes={"corporate_jv": {"members_committed": False}}, weight_samples=50)
    assert a.gateway.loc["corporate_jv", "failed"] == "members_committed"
    assert "corporate_jv" not in a.rank_probabilities.index


def test_an_option_that_dominates_on_every_criterion_ranks_first_with_probability_1(region):
    dominant = copy.deepcopy(region)
    m = OPTIONS.index("contractual_jv")
    for r in dominant.councils.values():
        out = r.outcomes
        for k, name in enumerate(OUTCOMES):
            if np.isnan(out[:, :, k]).all():  # good_by_year5 in a 4-year run
                continue
            if name in ("good_by_year3", "good_by_year5", "good_at_next_inspection"):
                out[m, :, k] = 1.0
            elif name == "overspend_any":
                out[m, :, k] = 0.0
            else:
                best = np.min(np.nan_to_num(out[:, :, k], nan=np.inf), axis=0) - 1.0
                out[m, :, k] = np.where(np.isinf(best), np.nan, best)
    judgements = {"governance_clarity": {o: (5 if o == "contractual_jv" else 1) for o in OPTIONS},
                  "income_generation": {o: (5 if o == "contractual_jv" else [1, 2]) for o in OPTIONS}}
    a = dominant.appraise(gateway=[], judgements=judgements, weight_samples=400,
                          attributes={"contractual_jv": {"setup_months": [0, 0], "political_exposure": 0.0}})
    assert a.rank_probabilities.loc["contractual_jv", "rank 1"] == 1.0
    assert a.robustness.startswith("Robust: contractual_jv ranks first with probability 100%")


def test_on_cost_alone_the_appraisal_is_the_regions_cost_ranking(region):
    """Simulation uncertainty reaches the rank probabilities: every replicate pairs the options."""
    a = region.appraise(gateway=[], criteria=["npv_cost"], weight_samples=20)
    expected = region.rank_probabilities("npv_cost")
    np.testing.assert_allclose(a.rank_probabilities.to_numpy(), expected.to_numpy())
    assert 0 < a.rank_probabilities["rank 1"].max() < 1 or a.rank_probabilities["rank 1"].max() == 1


def test_judgement_ranges_are_drawn_so_overlapping_scores_share_first_place(region):
    a = region.appraise(gateway=[], criteria=["governance_clarity"], weight_samples=10)
    first = a.rank_probabilities["rank 1"]
    assert first["in_house"] == 0 and first["status_quo_agreement"] == 0  # ranges below [3, 5]
    assert 0.3 < first["contractual_jv"] < 0.7 and first["contractual_jv"] + first["corporate_jv"] == pytest.approx(1)
    fixed = region.appraise(gateway=[], criteria=["governance_clarity"], weight_samples=10,
                            judgements={"governance_clarity": {"contractual_jv": 5, "corporate_jv": 4}})
    assert fixed.rank_probabilities.loc["contractual_jv", "rank 1"] == 1


def test_the_regional_appraisal_is_deterministic(region, appraisal):
    again = region.appraise(weight_samples=300)
    assert again.rank_probabilities.equals(appraisal.rank_probabilities)


@pytest.mark.parametrize("kwargs, message", [
    ({"attributes": {"latc": {"members_committed": True}}},
     r"attributes given for option 'latc', which is not in these results; options: in_house, "),
    ({"attributes": {"corporate_jv": {"host_dependence": 1.5}}},
     r"attributes\['corporate_jv'\]\['host_dependence'\] must be a share from 0 to 1 .*got 1.5"),
    ({"attributes": ["corporate_jv"]}, "attributes must be a dict"),
    ({"judgements": {"governance_clarity": {"corporate_jv": [4, 6]}}},
     r"judgement for criterion 'governance_clarity', model 'corporate_jv' must be a number from 1 to 5, "
     r"or a range \[low, high\] within them; got \[4, 6\]"),
    ({"criteria": ["nonsense"]}, "unknown criterion 'nonsense'; shipped criteria: good_by_year3"),
    ({"gateway": ["nonsense"]}, "unknown gateway question 'nonsense'; shipped questions: formal_shared_ownership"),
    ({"weight_samples": 0}, "weight_samples must be a positive integer; got 0"),
])
def test_bad_input_names_the_field_the_value_and_what_is_allowed(region, kwargs, message):
    with pytest.raises(ValueError, match=message):
        region.appraise(**kwargs)


def test_council_criteria_can_be_added_by_id(region):
    a = region.appraise(criteria=["npv_cost", "mean_caseload"], weight_samples=20)
    assert list(a.criteria.index) == ["npv_cost", "mean_caseload"]


def test_summary_only_results_are_refused():
    res = admsim.simulate_region(["example-county"], models=OPTIONS[:2], years=3, replicates=20,
                                 output="summary", progress=False)
    with pytest.raises(ValueError, match="summary-only: simulate_region again with output='full'"):
        admsim.appraise_region(res)
    with pytest.raises(ValueError, match="output='full'"):
        res.write_report("unused")


def test_a_council_judgement_may_be_a_range_too():
    res = admsim.simulate("example-county", ["in_house", "latc"], years=3, replicates=30, seed=2,
                          progress=False)
    a = admsim.appraise(res, gateway=[], criteria=["stakeholder_support"], weight_samples=5,
                        judgements={"stakeholder_support": {"in_house": [1, 4], "latc": [3, 5]}})
    assert 0 < a.rank_probabilities.loc["in_house", "rank 1"] < 0.5


def test_the_report_shows_every_council_and_option_and_renders(region, appraisal, tmp_path):
    page = region.write_report(tmp_path / "report", title="Two councils", appraisal=appraisal)
    text = page.read_text(encoding="utf-8")
    for name in [*region.names, *OPTIONS]:
        assert name in text, name
    for part in ("The region's totals", "Rank probabilities", "Cost split per council",
                 "Options appraisal", "The vehicle's governance", "Exposure to political change"):
        assert part in text, part
    for name in ("region_summary.csv", "rank_probabilities.csv", "cost_split.csv", "appraisal.csv",
                 "gateway.csv", "governance.csv", "cost_split.png", "cost_split.svg", "movers.png"):
        assert (page.parent / name).stat().st_size > 0, name
    assert _verdict(page, tmp_path) == {"images": 6, "broken": [], "errors": []}  # with the alliance chart


def test_the_report_refuses_an_appraisal_of_other_results(region, tmp_path):
    other = copy.deepcopy(region)
    with pytest.raises(ValueError, match="appraisal is of other results"):
        other.write_report(tmp_path, appraisal=region.appraise(weight_samples=5))


def test_region_entries_keep_the_catalogue_attributes(region):
    entries, _ = region_entries(region)
    assert entries["corporate_jv"]["attributes"]["setup_months"] == [12, 24]
    assert entries["corporate_jv"]["attributes"]["formal_shared_ownership"] is True
