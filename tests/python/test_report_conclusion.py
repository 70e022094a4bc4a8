"""The conclusion at the top of the report: P(best), paired differences, budget, sensitivity,
and that it renders first in a real browser."""
import json
import re
import types
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import admsim  # noqa: E402
from admsim.intervals import bootstrap_mean_interval  # noqa: E402
from admsim.report import (HEADLINE_OUTCOMES, conclude, output_files, p_best,  # noqa: E402
                           ranking_sensitivity, write_report)
from admsim.simulate import OUTCOMES  # noqa: E402

from test_plot_report import _verdict  # noqa: E402  (the headless-Chromium harness)

MODELS = ["in_house", "strategic_partnership", "latc", "commission_by_contract"]
SMALL = {"replicates": 20, "parameters": ["quality_reversion_per_year"],
         "hooks": ["setup_cost", "overhead_cost"]}


def _profile():
    return json.loads((Path(__file__).parents[1] / "data" / "profile_small.json").read_text())


@pytest.fixture(scope="module", params=["full", "summary"])
def results(request):
    return admsim.simulate(_profile(), MODELS, years=4, replicates=80, seed=5,
                           output=request.param, progress=False)


@pytest.fixture(scope="module")
def full():
    return admsim.simulate(_profile(), MODELS, years=4, replicates=80, seed=5, progress=False)


@pytest.fixture(scope="module")
def conclusion(results):
    return conclude(results, sensitivity_options=SMALL)


# ---- P(best) -----------------------------------------------------------------------------------
def test_p_best_shares_ties_and_never_picks_undefined():
    values = np.array([[1.0, 5.0, 3.0, np.nan],
                       [1.0, 2.0, 4.0, 7.0],
                       [0.0, 2.0, 4.0, np.nan]])
    p, p_differ, tied, n = p_best(values, higher_is_better=True)
    # replicate 0: models 0 and 1 tie; 1: model 0; 2: models 1 and 2 tie; 3: model 1 (NaN elsewhere)
    assert p == pytest.approx([(0.5 + 1) / 4, (0.5 + 0.5 + 1) / 4, 0.5 / 4])
    assert p.sum() == pytest.approx(1)
    assert tied == 0 and n == 4
    assert p_differ == pytest.approx(p)
    low, *_ = p_best(values, higher_is_better=False)
    # replicate 0: model 2; 1: models 1 and 2 tie; 2: model 0; 3: model 1
    assert low == pytest.approx([0.25, 0.375, 0.375])
    same = np.ones((3, 10))
    p, p_differ, tied, _ = p_best(same, True)
    assert p == pytest.approx([1 / 3] * 3) and tied == 1 and np.isnan(p_differ).all()


def test_p_best_sums_to_one_for_every_headline_outcome(conclusion, results):
    p = conclusion.p_best
    assert list(p.index) == MODELS
    assert list(p.columns) == [r["label"] for r in conclusion.rows]
    if results.summary_only:
        assert p.isna().all().all()  # P(best) needs every replicate: not faked from summaries
        return
    for row in conclusion.rows:
        if row["verdict"] == "na":
            continue
        assert p[row["label"]].sum() == pytest.approx(1.0), row["outcome"]
        assert row["leader"] == p[row["label"]].idxmax()


def test_p_best_matches_a_direct_count_on_the_replicates(full):
    c = conclude(full, sensitivity=False)
    npv = full.outcome("npv_cost")
    wins = np.bincount(np.argmin(npv, axis=0), minlength=len(MODELS)) / npv.shape[1]
    assert c.p_best[c.rows[HEADLINE_OUTCOMES.index("npv_cost")]["label"]].to_numpy() == \
        pytest.approx(wins)


# ---- differences -------------------------------------------------------------------------------
def test_every_difference_interval_contains_its_estimate(conclusion):
    checked = 0
    for row in conclusion.rows:
        if row.get("compared") is None:
            continue
        assert row["diff_lo"] <= row["diff"] <= row["diff_hi"], row["outcome"]
        assert row["compared"] != row["baseline"]
        checked += 1
    assert checked >= 4


def test_difference_is_paired_against_the_baseline(full):
    c = conclude(full, sensitivity=False)
    b = full.models.index(full.baseline)
    for row in c.rows:
        if row.get("compared") is None:
            continue
        k = OUTCOMES.index(row["outcome"])
        d = full.outcomes[full.models.index(row["compared"]), :, k] - full.outcomes[b, :, k]
        d = d[~np.isnan(d)]
        assert row["diff"] == pytest.approx(d.mean())
        if row["probability"]:  # a bootstrap interval of the difference in proportions
            assert row["interval"] == "90% paired bootstrap interval"
            assert row["diff_hi"] - row["diff_lo"] < 0.5
        else:  # 90% of the replicates' paired differences
            assert (row["diff_lo"], row["diff_hi"]) == pytest.approx(tuple(np.quantile(d, [0.05, 0.95])))


def test_paired_bootstrap_interval_is_right_for_a_known_difference():
    rng = np.random.default_rng(3)
    d = rng.choice([-1.0, 0.0, 1.0], p=[0.1, 0.6, 0.3], size=4000)
    mean, lo, hi = bootstrap_mean_interval(d, seed=1)
    half = 1.6449 * d.std() / np.sqrt(d.size)
    assert mean == pytest.approx(d.mean())
    assert lo == pytest.approx(mean - half, abs=0.004) and hi == pytest.approx(mean + half, abs=0.004)
    cont = rng.normal(2.0, 1.0, size=3000)
    m, lo, hi = bootstrap_mean_interval(cont, seed=2)
    assert lo < 2.0 < hi and hi - lo == pytest.approx(2 * 1.6449 / np.sqrt(3000), rel=0.1)


def test_gateway_failures_are_left_out_of_the_ranking(full):
    gateway = pd.DataFrame({"passed": [True, True, False, True]}, index=MODELS)
    c = conclude(full, appraisal=types.SimpleNamespace(gateway=gateway), sensitivity=False)
    assert c.excluded == ["latc"] and "latc" not in c.p_best.index
    assert all(r["leader"] != "latc" and r.get("compared") != "latc" for r in c.rows)
    assert "failed the appraisal's gateway: latc" in c.html()


def _fake(outcomes: np.ndarray, models=("in_house", "a", "b")):
    """A stand-in for Results with given per-replicate outcomes (models x replicates x outcome)."""
    return types.SimpleNamespace(models=list(models), outcomes=outcomes, summary_only=False,
                                 baseline=models[0], months=60, seed=1,
                                 replicates=outcomes.shape[1], spec={"profile": {}}, _raw={})


def test_identical_models_cannot_be_told_apart():
    rng = np.random.default_rng(0)
    one = rng.normal(1e8, 1e7, size=(1, 300, len(OUTCOMES)))
    one[..., [OUTCOMES.index(o) for o in ("good_by_year3", "inadequate_at_year3", "overspend_any")]] = \
        rng.integers(0, 2, size=(1, 300, 3))
    c = conclude(_fake(np.repeat(one, 3, axis=0)), sensitivity=False)
    assert all(r["verdict"] == "tied" for r in c.rows)
    assert all(c.p_best[r["label"]].to_numpy() == pytest.approx([1 / 3] * 3) for r in c.rows)
    assert "cannot be told apart" in c.html() and "almost never differ" in c.html()


def test_a_model_cheaper_in_every_replicate_has_a_clear_lead():
    rng = np.random.default_rng(1)
    base = rng.normal(1e8, 1e7, size=(300, len(OUTCOMES)))
    out = np.stack([base, base + 5e6, base - 3e6])  # b is cheaper than in_house by £3m, always
    c = conclude(_fake(out), sensitivity=False)
    row = c.rows[HEADLINE_OUTCOMES.index("npv_cost")]
    assert row["leader"] == "b" and row["p_best"] == 1.0 and row["verdict"] == "clear"
    assert row["diff"] == pytest.approx(-3e6) and "−£3.0m" in row["sentence"]
    good = c.rows[HEADLINE_OUTCOMES.index("good_by_year3")]  # higher is better here
    assert good["leader"] == "a" and good["verdict"] == "clear"


# ---- budget and sensitivity --------------------------------------------------------------------
def test_budget_and_its_sources_are_stated(full):
    spec = dict(full.spec)
    profile = dict(spec["profile"])
    profile["finance"] = dict(profile["finance"], budget_per_year=41_500_000, budget_path="demand_led")
    profile["sources"] = {"finance.budget_per_year": "the council's 2021-22 outturn, RO3",
                          "demand.cla_per_10k": "not about the budget"}
    full.spec = dict(spec, profile=profile)
    try:
        text = conclude(full, sensitivity=False).html()
    finally:
        full.spec = spec
    assert "£41.5m" in text and "growing with the child population" in text
    assert "the council&#x27;s 2021-22 outturn, RO3" in text and "not about the budget" not in text


def test_sensitivity_finds_the_planted_cost_lever(full):
    c = conclude(full, sensitivity=False)
    leader = c.rows[HEADLINE_OUTCOMES.index("npv_cost")]["leader"]
    table, info = ranking_sensitivity(full, leader, replicates=20, parameters=[],
                                      hooks=["setup_cost"])
    assert info["leader"] == leader and len(info["rivals"]) == 2
    assert table["swing"].is_monotonic_decreasing
    for _, r in table.iterrows():
        model = r["input"].split(".")[0]
        # dearer set-up for a rival widens the leader's margin; for the leader it narrows it
        if model == leader:
            assert r["margin_high"] <= r["margin_low"] + 1e-6
        else:
            assert r["margin_high"] >= r["margin_low"] - 1e-6
    assert (table["swing"] > 0).any()


def test_sensitivity_can_be_skipped_and_says_so(full):
    c = conclude(full, sensitivity=False)
    assert c.sensitivity is None and "Skipped" in c.html()


# ---- in the report, in a browser ---------------------------------------------------------------
def test_conclusion_renders_first_in_headless_chromium(full, tmp_path):
    page = write_report(full, tmp_path / "out", sensitivity_options=SMALL)
    for path in output_files(tmp_path / "out"):
        assert path.is_file(), path
    text = page.read_text(encoding="utf-8")
    probe = """<script>window.addEventListener("load", function () {
      var c = document.getElementById("conclusion");
      var first = document.querySelector("h2");
      var out = document.createElement("pre"); out.id = "conclusion-probe";
      out.textContent = JSON.stringify({text: c ? c.innerText : "",
        height: c ? c.getBoundingClientRect().height : 0,
        top: c ? c.getBoundingClientRect().top : -1,
        firstHeading: first ? first.textContent : "",
        figureTop: document.querySelector("figure").getBoundingClientRect().top});
      document.body.appendChild(out);});</script>"""
    checked = page.with_name("probed.html")
    checked.write_text(text.replace("</head>", probe + "</head>", 1), encoding="utf-8")
    verdict = _verdict(checked, tmp_path)
    assert verdict["broken"] == [] and verdict["errors"] == []
    from test_plot_report import _browse

    dom = _browse(page.with_name("probed.html"), tmp_path).stdout
    found = re.search(r'<pre id="conclusion-probe">(.*?)</pre>', dom, flags=re.S)
    assert found, "the probe did not run"
    import html as _html

    probe_out = json.loads(_html.unescape(found.group(1)))
    assert probe_out["firstHeading"] == "Conclusion"
    assert probe_out["height"] > 100 and 0 <= probe_out["top"] < probe_out["figureTop"]
    shown = probe_out["text"]
    assert any(re.search(rf"\b{m}\b", shown) for m in MODELS)  # names a model
    assert re.search(r"90% (paired bootstrap interval|of replicates): [−+]?[£\d.]", shown)
    assert "Budget used" in shown and "What could change the ranking" in shown
    assert re.search(r"best in \d+% of replicates", shown)
