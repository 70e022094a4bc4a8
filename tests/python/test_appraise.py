"""Options appraisal (issue 4): gateway, criteria, SMAA rank probabilities, CSFs."""
import json
from importlib import resources

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import admsim  # noqa: E402
from admsim.appraisal import (  # noqa: E402
    Appraisal, appraise, default_criteria, default_gateway, normalise, rank_probabilities,
    sample_weights)
from admsim.simulate import OUTCOMES  # noqa: E402

CATALOGUE = admsim.load_catalogue()["models"]
IDS = [m["id"] for m in CATALOGUE]
WORCESTERSHIRE_SHORTLIST = {"strategic_partnership", "public_sector_jv", "latc",
                            "independent_trust", "commission_by_contract"}
# The catalogue's corporate forms of two shortlisted models also pass (catalogue notes).
ALSO_PASS = {"latc_shared", "corporate_jv"}
FEW = ["in_house", "strategic_partnership", "latc", "independent_trust", "commission_by_contract"]


@pytest.fixture(scope="module")
def all_models():
    return admsim.simulate("worcestershire-2017", IDS, years=3, replicates=30, seed=3,
                           progress=False)


@pytest.fixture(scope="module")
def few():
    return admsim.simulate("example-county", FEW, years=3, replicates=30, seed=5, progress=False)


@pytest.fixture(scope="module")
def default_appraisal(all_models):
    return appraise(all_models, weight_samples=500)


def only(criterion, criteria=None):
    """Weights putting everything on one criterion, ranges collapsed."""
    ids = [c["id"] for c in (criteria or default_criteria())]
    return {c: (1.0 if c == criterion else 0.0) for c in ids}


# ---- shipped defaults ---------------------------------------------------------------------------
def test_shipped_defaults_are_sourced_and_consistent():
    doc = json.loads(resources.files("admsim").joinpath("data/appraisal.json").read_text("utf-8"))
    gw = doc["gateway"]
    assert [q["id"] for q in gw["questions"]] == [
        "complies_with_direction", "single_focus_on_children", "can_take_wider_services",
        "operational_independence"]
    assert "six" in gw["note"] and "four" in gw["note"]  # seed 003 para 10's miscount is noted
    for q in gw["questions"]:
        assert q["attribute"] == q["id"] and q["pass_when"] is True and q["source"]
        assert all(q["attribute"] in m["attributes"] for m in CATALOGUE)
    crit = doc["criteria"]
    assert {c["group"] for c in crit} == {"desirability", "viability", "feasibility"}
    assert sum(c["weight"] for c in crit) == pytest.approx(1.0)
    for c in crit:
        assert c["source"] and c["rationale"] and c["direction"] in (
            "higher_is_better", "lower_is_better")
        assert c["range"][0] <= c["weight"] <= c["range"][1]
        if c["kind"] == "simulated":
            assert c["outcome"] in OUTCOMES
        if c["kind"] == "judgement":
            assert "judgement" in c["source"]
            assert set(c["default_scores"]) == set(IDS) == set(c["basis"])
            assert all(1 <= s <= 5 for s in c["default_scores"].values())
    kinds = {c["id"]: c["kind"] for c in crit}
    assert kinds["good_by_year3"] == kinds["npv_cost"] == kinds["risk_events"] == "simulated"
    assert kinds["stakeholder_support"] == kinds["legal_complexity"] == "judgement"
    csf = doc["critical_success_factors"]["factors"]
    assert [f["number"] for f in csf] == list(range(1, 12))
    assert all(f["area"] and f["evidence"] and f["text"] for f in csf)


# ---- gateway ------------------------------------------------------------------------------------
def test_worcestershire_gateway_passes_its_shortlist(default_appraisal):
    gate = default_appraisal.gateway
    passed = set(gate.index[gate.passed])
    assert WORCESTERSHIRE_SHORTLIST <= passed
    assert passed == WORCESTERSHIRE_SHORTLIST | ALSO_PASS
    for model in CATALOGUE:
        if model["group"] == "in_house":
            row = gate.loc[model["id"]]
            assert not row.passed and not row.operational_independence
            assert "operational_independence" in row.failed.split(", ")
            assert "operational control of the Council" in row.reason
            assert "operational_independence = false" in row.reason
            assert model["gateway_notes"] in row.reason
    assert set(default_appraisal.rank_probabilities.index) == passed


def test_user_gateway_questions(few):
    def not_outsourced(entry):
        """Keeps the service out of the private market?"""
        return entry["id"] != "commission_by_contract"

    wider = {"id": "tupe_free", "question": "Avoids a TUPE transfer?", "attribute": "tupe",
             "pass_when": ["no", "may"]}
    a = appraise(few, gateway=["operational_independence", not_outsourced, wider],
                 weight_samples=50)
    g = a.gateway
    assert list(g.columns[2:5]) == ["operational_independence", "not_outsourced", "tupe_free"]
    assert g.loc["commission_by_contract", "failed"] == "not_outsourced, tupe_free"
    assert "Keeps the service out of the private market?" in g.loc["commission_by_contract", "reason"]
    assert 'tupe = "yes"' in g.loc["latc", "reason"]
    assert list(g.index[g.passed]) == ["strategic_partnership"]
    assert appraise(few, gateway=[], weight_samples=10).gateway.passed.all()
    with pytest.raises(ValueError, match="no model passes the gateway"):
        appraise(few, gateway=[{"id": "never", "question": "?", "attribute": "tupe",
                                "pass_when": "never"}])
    with pytest.raises(ValueError, match="'direction_ok'"):
        appraise(few, gateway=["direction_ok"])


# ---- rank probabilities -------------------------------------------------------------------------
def test_rank_probabilities_sum_to_one(default_appraisal):
    rp = default_appraisal.rank_probabilities.to_numpy()
    k = len(rp)
    assert rp.shape == (k, k) and k == 7
    np.testing.assert_allclose(rp.sum(axis=0), 1.0, atol=1e-9)  # every rank is taken
    np.testing.assert_allclose(rp.sum(axis=1), 1.0, atol=1e-9)  # every model has a rank
    assert (rp >= 0).all()
    table = default_appraisal.table()
    assert len(table) == len(IDS)
    assert list(table.gateway[:k]) == ["pass"] * k and table.score[k:].isna().all()
    assert (table["score 5%"][:k] <= table.score[:k]).all()
    assert (table.score[:k] <= table["score 95%"][:k]).all()
    np.testing.assert_allclose(table[[f"P(rank {j})" for j in range(1, k + 1)]][:k].sum(), 1.0)


def test_one_criterion_weighted_one_ranks_by_that_criterion(all_models):
    a = appraise(all_models, weights=only("npv_cost"), weight_samples=40)
    passing = list(a.rank_probabilities.index)
    npv = all_models.outcome("npv_cost")[[all_models.models.index(m) for m in passing]]
    expected = np.zeros((len(passing), len(passing)))
    for r in range(npv.shape[1]):  # cheapest first, replicate by replicate
        for rank, m in enumerate(np.argsort(npv[:, r], kind="stable")):
            expected[m, rank] += 1 / npv.shape[1]
    np.testing.assert_allclose(a.rank_probabilities.to_numpy(), expected, atol=1e-12)
    assert (a.weight_draws[:, list(a.weights.index).index("npv_cost")] == 1).all()

    # A criterion that is the same in every replicate gives a certain ranking ...
    b = appraise(all_models, weights=only("stakeholder_support"), weight_samples=20)
    support = {m: next(c for c in default_criteria() if c["id"] == "stakeholder_support")
               ["default_scores"][m] for m in b.rank_probabilities.index}
    first = b.rank_probabilities["rank 1"]
    best = max(support.values())
    tied = [m for m, s in support.items() if s == best]
    for m in b.rank_probabilities.index:  # ... in which tied models share the ranks they span
        assert first[m] == pytest.approx(1 / len(tied) if m in tied else 0.0)


def test_dominating_model_ranks_first_with_probability_one():
    rng = np.random.default_rng(0)
    scores = rng.random((5, 40, 6))
    scores[3] = scores.max(axis=0) + 0.1  # model 3 is best on every criterion in every replicate
    draws = rng.dirichlet(np.ones(6), size=300)
    probs = rank_probabilities(scores, draws)
    assert probs[3, 0] == 1.0
    np.testing.assert_allclose(probs.sum(axis=0), 1.0)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    # two criteria, opposite preferences: each model wins where its criterion weighs more
    two = np.array([[1.0, 0.0], [0.0, 1.0]])
    np.testing.assert_allclose(rank_probabilities(two, [[0.7, 0.3], [0.2, 0.8]]), 0.5)
    np.testing.assert_allclose(rank_probabilities(two, [[0.5, 0.5]]), 0.5)  # a tie is shared


def test_dominating_custom_model_through_appraise(few):
    crit = ["stakeholder_support", "legal_complexity"]
    scores = {"stakeholder_support": {"latc": 5}, "legal_complexity": {"latc": 1}}
    a = appraise(few, gateway=[], criteria=crit, judgements=scores, weight_samples=200)
    assert a.rank_probabilities.loc["latc", "rank 1"] == 1.0
    assert a.robustness.startswith("Robust: latc ranks first with probability 100%")
    assert a.central_weights["latc"].sum() == pytest.approx(1.0)
    assert all(a.central_weights[m] is None for m in FEW if m != "latc")


def test_not_robust_names_the_contenders(few):
    crit = ["stakeholder_support"]
    scores = {"stakeholder_support": {"latc": 5, "independent_trust": 5}}
    a = appraise(few, gateway=[], criteria=crit, judgements=scores, weight_samples=20)
    assert a.rank_probabilities.loc[["latc", "independent_trust"], "rank 1"].tolist() == [0.5, 0.5]
    assert a.robustness.startswith("Not robust")
    assert "latc 50%" in a.robustness and "independent_trust 50%" in a.robustness


def test_central_weights_and_weight_draws(default_appraisal):
    a = default_appraisal
    lo = a.criteria["range low"] / a.criteria["range low"].sum()
    assert a.weight_draws.shape == (500, len(a.criteria))
    np.testing.assert_allclose(a.weight_draws.sum(axis=1), 1.0)
    assert a.weights.sum() == pytest.approx(1.0)
    firsts = a.rank_probabilities["rank 1"]
    for model, w in a.central_weights.items():
        assert (w is None) == (firsts[model] == 0)
        if w is not None:
            assert w.sum() == pytest.approx(1.0) and list(w.index) == list(a.criteria.index)
    assert lo.notna().all()


def test_sample_weights_dirichlet_without_ranges():
    crit = [{"weight": 0.6, "range": None}, {"weight": 0.4, "range": None}, {"weight": 0.0}]
    draws = sample_weights(crit, 4000, np.random.Generator(np.random.PCG64(1)))
    np.testing.assert_allclose(draws.sum(axis=1), 1.0)
    np.testing.assert_allclose(draws.mean(axis=0), [0.6, 0.4, 0.0], atol=0.02)
    fixed = sample_weights([{"weight": 2, "range": [2, 2]}, {"weight": 1, "range": [1, 1]}], 3,
                           np.random.default_rng(0))
    np.testing.assert_allclose(fixed, [[2 / 3, 1 / 3]] * 3)


def test_normalise_min_max_oriented():
    raw = np.array([[[1.0, 10.0, 5.0]], [[3.0, 30.0, 5.0]], [[2.0, 20.0, 5.0]]])
    z = normalise(raw, ["higher_is_better", "lower_is_better", "higher_is_better"])
    np.testing.assert_allclose(z[:, 0, 0], [0.0, 1.0, 0.5])
    np.testing.assert_allclose(z[:, 0, 1], [1.0, 0.0, 0.5])
    np.testing.assert_allclose(z[:, 0, 2], [1.0, 1.0, 1.0])  # all equal: everyone scores 1


def test_deterministic_for_a_seed(few):
    a = appraise(few, gateway=[], weight_samples=300, seed=11)
    b = appraise(few, gateway=[], weight_samples=300, seed=11)
    c = appraise(few, gateway=[], weight_samples=300, seed=12)
    np.testing.assert_array_equal(a.weight_draws, b.weight_draws)
    assert a.rank_probabilities.equals(b.rank_probabilities)
    assert a.table().equals(b.table()) and a.robustness == b.robustness
    assert not np.array_equal(a.weight_draws, c.weight_draws)


# ---- inputs and errors --------------------------------------------------------------------------
def test_clear_errors_name_the_criterion(few):
    with pytest.raises(ValueError, match="unknown criterion 'npv'"):
        appraise(few, weights={"npv": 1.0})
    with pytest.raises(ValueError, match="unknown criterion 'cost_of_everything'"):
        appraise(few, criteria=["npv_cost", "cost_of_everything"])
    with pytest.raises(ValueError, match="weight of criterion 'npv_cost'"):
        appraise(few, weights={"npv_cost": -1})
    with pytest.raises(ValueError, match="weight range of criterion 'setup_cost'"):
        appraise(few, weights={"setup_cost": [0.3, 0.1]})
    with pytest.raises(ValueError, match="every criterion weight is 0"):
        appraise(few, weights={c["id"]: 0 for c in default_criteria()})
    with pytest.raises(ValueError, match="criterion 'npv_cost' is simulated, not a judgement"):
        appraise(few, judgements={"npv_cost": {"latc": 3}})
    with pytest.raises(ValueError, match="'legal_complexity', model 'latc' must be a number"):
        appraise(few, judgements={"legal_complexity": {"latc": 9}})
    with pytest.raises(ValueError, match="names model 'latcc'"):
        appraise(few, judgements={"legal_complexity": {"latcc": 2}})
    with pytest.raises(ValueError, match="criterion 'good5'.*good_by_year5.*undefined"):
        appraise(few, gateway=[], criteria=["npv_cost", {
            "id": "good5", "group": "desirability", "kind": "simulated",
            "outcome": "good_by_year5", "direction": "higher_is_better", "weight": 0.5}])
    with pytest.raises(ValueError, match="criterion 'x': outcome 'quality'"):
        appraise(few, criteria=[{"id": "x", "group": "viability", "kind": "simulated",
                                 "outcome": "quality", "direction": "higher_is_better",
                                 "weight": 1}])


def test_summary_only_results_are_refused_and_scenarios_accepted():
    spec = admsim.build_scenario("example-county", ["in_house", "latc", "independent_trust"],
                                 years=3, replicates=20, output="summary")
    summary = admsim.simulate("example-county", ["in_house", "latc"], years=3, replicates=20,
                              output="summary", progress=False)
    with pytest.raises(ValueError, match="output='full'"):
        appraise(summary)
    a = appraise(spec, weight_samples=50)  # a scenario is simulated here, in full mode
    assert isinstance(a, Appraisal) and a.replicates == 20
    assert set(a.rank_probabilities.index) == {"latc", "independent_trust"}


def test_custom_model_and_overrides(few):
    spec = dict(few.spec)
    mine = {"id": "my_trust", "name": "My trust", "group": "new_vehicle",
            "attributes": {"complies_with_direction": True, "single_focus_on_children": True,
                           "can_take_wider_services": True, "operational_independence": True,
                           "tupe": "yes", "corporation_tax": False, "contract_management": "high",
                           "vat_recoverable": "uncertain", "pay_flexibility": True,
                           "partner_expertise": False, "setup_months": [6, 10]},
            "effects": {"improvement": {"dist": "fixed", "value": 0.3}}}
    spec["models"] = ["in_house", {"id": "latc", "attributes": {"operational_independence": False}},
                      mine]
    res = admsim.simulate("example-county", spec["models"], years=3, replicates=20,
                          progress=False)
    with pytest.warns(UserWarning) as caught:
        a = appraise(res, weight_samples=50)
    messages = " ".join(str(w.message) for w in caught)
    for cid in ("stakeholder_support", "legal_complexity"):  # neutral score 3, said out loud
        assert f"no {cid} judgement for model 'my_trust'" in messages
        assert any(n.startswith(f"{cid}: no judgement for 'my_trust'") for n in a.notes)
    assert list(a.gateway.index[a.gateway.passed]) == ["my_trust"]  # latc's override fails it
    assert "operational_independence = false" in a.gateway.loc["latc", "reason"]
    assert a.raw_scores.loc["my_trust", "setup_months"] == 8.0
    assert a.robustness.startswith("Only my_trust passes")
    csf = a.csf()
    assert csf.loc["my_trust", ("recruitment and retention", "CSF 6: Flexible employment benefits")]


# ---- critical success factors and output --------------------------------------------------------
def test_csf_mapping(default_appraisal, all_models):
    wide = default_appraisal.csf()
    assert wide.shape == (len(IDS), 11)
    assert wide.columns.names == ["system challenge area", "critical success factor"]
    numbers = [int(c.split(":")[0].split()[1]) for c in wide.columns.get_level_values(1)]
    assert numbers == list(range(1, 12))
    by_number = dict(zip(numbers, wide.columns))
    attrs = {m["id"]: m["attributes"] for m in CATALOGUE}
    for mid in IDS:
        assert wide.loc[mid, by_number[6]] == attrs[mid]["pay_flexibility"]
        assert wide.loc[mid, by_number[2]] == attrs[mid]["operational_independence"]
        assert wide.loc[mid, by_number[1]] == attrs[mid]["single_focus_on_children"]
    assert by_number[9][0] == "organisational agility"
    long = default_appraisal.csf(long=True)
    assert len(long) == 11 * len(IDS)
    assert {"model", "csf", "area", "meets", "evidence"} <= set(long.columns)
    base = long[long.model == all_models.baseline]
    assert not base[base.number.isin([5, 7])].meets.any()  # never better than itself
    flex = long[(long.number == 9)].set_index("model")
    assert flex.loc["latc", "meets"] and not flex.loc["in_house", "meets"]
    assert "establishment_flex" in flex.loc["latc", "evidence"]


def test_plots_are_labelled_figures(default_appraisal):
    for fig in (default_appraisal.plot_ranks(), default_appraisal.plot_heatmap()):
        assert isinstance(fig, Figure)
        ax = fig.axes[0]
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
        plt.close(fig)
    assert "7 pass the gateway" in repr(default_appraisal)
    assert default_gateway()[0]["id"] == "complies_with_direction"


def test_the_direction_question_applies_only_to_a_council_under_direction():
    good = admsim.simulate("example-county", ["in_house", "latc", "independent_trust"], years=3,
                           replicates=40, seed=1, progress=False)
    a = admsim.appraise(good)
    assert "complies_with_direction" not in a.gateway.columns
    assert any("complies_with_direction" in n and "left out" in n for n in a.notes)
    assert a.gateway.loc["in_house", "passed"] == a.gateway.loc["in_house", "single_focus_on_children"]
    directed = admsim.simulate("worcestershire-2017", ["in_house", "latc"], years=3, replicates=40,
                               seed=1, progress=False)
    assert "complies_with_direction" in admsim.appraise(directed).gateway.columns
