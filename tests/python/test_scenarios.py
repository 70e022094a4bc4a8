"""admsim.Scenarios: packages compared for the same models under common random numbers."""
from __future__ import annotations

import numpy as np
import pytest

import admsim
from admsim.outputs import OUTCOMES

CAP = [{"type": "caseload_cap", "start_month": 3, "size": 14}]
KW = dict(profile="example-county", models=["in_house", "latc"], years=3, replicates=150, seed=5)


@pytest.fixture(scope="module")
def results():
    return admsim.Scenarios({"no change": {}, "same again": {}, "caseload cap": {"interventions": CAP}},
                            **KW).run(progress=False)


def test_a_scenario_equal_to_the_baseline_differs_by_exactly_nothing(results):
    assert np.all(results.difference("npv_cost", "same again") == 0)
    row = results.summary().loc[("same again", "latc")]
    assert row["NPV cost (GBP) diff vs no change"] == 0


def test_paired_differences_are_sharper_than_the_marginal_spread(results):
    diff = results.difference("mean_caseload", "caseload cap")
    assert (diff < 0).mean() > 0.95  # the cap lowers caseloads in almost every replicate
    k = OUTCOMES.index("mean_caseload")
    # common random numbers: the paired spread is below that of independent runs' difference
    a, b = results["caseload cap"].outcomes[..., k], results["no change"].outcomes[..., k]
    assert np.all(diff.std(axis=1) < np.sqrt(a.var(axis=1) + b.var(axis=1)))
    row = results.summary().loc[("caseload cap", "in_house")]
    assert row["Caseload diff 95%"] < 0 and row["NPV cost (GBP) diff 5%"] > 0  # more posts cost more


def test_the_plot_and_the_errors(results):
    ax = results.plot_differences("npv_cost")
    assert len(ax.get_xticklabels()) == 4  # two scenarios x two models
    with pytest.raises(KeyError, match="did you mean 'caseload cap'"):
        results["caseload cp"]
    with pytest.raises(ValueError, match="every scenario shares it"):
        admsim.Scenarios({"a": {}, "b": {"seed": 3}}, **KW)
    with pytest.raises(KeyError, match="baseline"):
        admsim.Scenarios({"a": {}}, baseline="b", **KW)


def test_the_report_shows_every_package_against_the_baseline(results, tmp_path):
    page = results.write_report(tmp_path)
    text = page.read_text()
    assert "caseload cap" in text and "same again" in text and "no change" in text
    assert text.count("<tr><th>") == 1 + 4  # the header, then two scenarios x two models (not the baseline)
    assert (tmp_path / "summary.csv").exists() and (tmp_path / "differences_npv_cost.svg").exists()
    assert "data:image/png;base64," in text
