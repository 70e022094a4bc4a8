"""The catalogue meets the evidence: the difference-in-differences after an Inadequate grade,
the catalogue's improvement priors beside the fitted effect, the shipped summary, the report
section, and the rationales that misread their source."""
import json
import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import admsim
from admsim.calibration import ADM_HISTORY
from admsim.calibration.evidence import (FITTED_MODELS, catalogue_evidence, did_after_inadequate,
                                         inadequate_episodes, load_summary)
from admsim.calibration.parameters import PARAMETER_NAMES
from admsim.scenario import distribution_mean, distribution_quantiles

ROOT = Path(__file__).resolve().parents[2]


# ---- a synthetic frame with a known answer --------------------------------------------------

def _synthetic(treated_next=(1, 1, 2, 0), control_next=(2, 2, 3, 1, 2, 2)):
    """Treated councils T0.. Inadequate in 2015, a spell from 2016, next grade ``treated_next``;
    controls C0.. the same dates without a spell. Plus two delivery-model councils that must be
    left out: one moved after its next judgement, one before its Inadequate judgement."""
    rows, spells = [], []
    for prefix, grades in (("T", treated_next), ("C", control_next)):
        for i, g in enumerate(grades):
            name = f"{prefix}{i}"
            rows += [(name, "SIF", 3, "2015-03-01"), (name, "SIF", g, "2017-09-01"),
                     (name, "ILACS-Standard", max(g - 1, 0), "2021-06-01")]
            if prefix == "T":
                spells.append((name, "latc", "2016-01-01", None))
    rows += [("Late", "SIF", 3, "2015-03-01"), ("Late", "SIF", 1, "2017-09-01")]
    spells.append(("Late", "independent_trust", "2018-01-01", None))
    rows += [("Early", "SIF", 3, "2015-03-01"), ("Early", "SIF", 0, "2017-09-01")]
    spells.append(("Early", "independent_trust", "2014-06-01", None))
    judgements = pd.DataFrame(rows, columns=["local_authority", "framework", "grade",
                                             "publication_date"])
    adm = pd.DataFrame(spells, columns=["local_authority", "catalogue_id", "start", "end"])
    return judgements, adm


def test_did_recovers_a_known_difference():
    # treated changes -2, -2, -1, -3 (mean -2); controls -1, -1, 0, -2, -1, -1 (mean -1)
    judgements, adm = _synthetic()
    r = did_after_inadequate(judgements, adm, n_boot=500)
    assert r.estimate == pytest.approx(-1.0)
    assert r.mean_change_treated == pytest.approx(-2.0)
    assert r.mean_change_control == pytest.approx(-1.0)
    assert (r.n_treated, r.n_control) == (4, 6)
    groups = r.episodes.set_index("local_authority")["group"]
    assert groups["Late"] == "excluded" and groups["Early"] == "excluded"
    assert "not causal" in r.caveat and "4 councils" in r.caveat
    # to the latest judgement every council improved one more grade (floored at Outstanding)
    latest = did_after_inadequate(judgements, adm, outcome="latest", n_boot=500)
    assert latest.mean_change_treated == pytest.approx(np.mean([-3, -3, -2, -3]))
    assert latest.estimate == pytest.approx(
        np.mean([-3, -3, -2, -3]) - np.mean([-2, -2, -1, -3, -2, -2]))


def test_did_sign_follows_the_data():
    judgements, adm = _synthetic(treated_next=(3, 3, 2, 3), control_next=(1, 1, 2, 1, 1, 1))
    r = did_after_inadequate(judgements, adm, n_boot=200)
    assert r.estimate == pytest.approx(-0.25 - (-11 / 6))  # treated improved less: positive
    assert r.interval[0] > 0
    # equal changes in both groups: no difference
    judgements, adm = _synthetic(treated_next=(2, 2), control_next=(2, 2, 2))
    r = did_after_inadequate(judgements, adm, n_boot=200)
    assert r.estimate == 0.0 and r.interval == (0.0, 0.0)


def test_lead_months_admits_a_move_before_the_inadequate_grade():
    judgements, adm = _synthetic()
    r = did_after_inadequate(judgements, adm, lead_months=12, n_boot=200)
    assert r.n_treated == 5  # "Early" moved 9 months before its Inadequate judgement
    row = r.episodes.set_index("local_authority").loc["Early"]
    assert row["group"] == "treated" and row["catalogue_id"] == "independent_trust"


def test_bootstrap_interval_holds_the_estimate_and_is_reproducible():
    judgements, adm = _synthetic()
    a = did_after_inadequate(judgements, adm, n_boot=1000, seed=7)
    b = did_after_inadequate(judgements, adm, n_boot=1000, seed=7)
    lo, hi = a.interval
    assert lo < a.estimate < hi
    assert a.interval == b.interval
    # another seed, another resample (small n_boot: the percentiles of a coarse grid move)
    others = {did_after_inadequate(judgements, adm, n_boot=40, seed=s).interval for s in range(8)}
    assert len(others) > 1
    # the interval is about the size sampling noise implies (standard errors of two means)
    t = np.array([-2, -2, -1, -3.0])
    k = np.array([-1, -1, 0, -2, -1, -1.0])
    se = math.sqrt(t.var() / len(t) + k.var() / len(k))
    assert 2 * 1.645 * se * 0.6 < hi - lo < 2 * 1.645 * se * 1.4


def test_did_needs_both_groups():
    judgements, adm = _synthetic()
    with pytest.raises(ValueError, match="0 treated"):
        did_after_inadequate(judgements, adm.iloc[0:0], n_boot=10)
    with pytest.raises(ValueError, match="outcome"):
        did_after_inadequate(judgements, adm, outcome="first")


# ---- the real histories ---------------------------------------------------------------------

def test_did_on_the_shipped_histories():
    r = did_after_inadequate()
    assert np.isfinite([r.estimate, *r.interval]).all()
    assert r.interval[0] <= r.estimate <= r.interval[1]
    assert 3 <= r.n_treated <= ADM_HISTORY["local_authority"].nunique()
    assert 15 <= r.n_control <= 60
    ep = r.episodes
    adm_councils = set(ADM_HISTORY["local_authority"])
    assert set(ep.loc[ep["group"] == "treated", "local_authority"]) <= adm_councils
    assert not set(ep.loc[ep["group"] == "control", "local_authority"]) & adm_councils
    used = ep[ep["group"] != "excluded"]
    assert (used["next_date"] > used["inadequate_date"]).all()
    assert used["change_next"].between(-3, 0).all()
    treated = ep[ep["group"] == "treated"]
    assert ((treated["spell_start"] >= treated["inadequate_date"])
            & (treated["spell_start"] < treated["next_date"])).all()
    assert set(ep["local_authority"]) >= adm_councils  # every delivery-model council accounted for
    assert (ep.loc[ep["group"] == "excluded", "reason"] != "").all()
    s = r.summary()
    assert list(s.index) == ["next"] and s.loc["next", "n_treated"] == r.n_treated


def test_did_reads_the_adm_history_file(data_dir):
    a = did_after_inadequate(n_boot=300)
    b = did_after_inadequate(adm_history=data_dir / "adm_history_to_2022.csv", n_boot=300)
    assert (a.estimate, a.interval, a.n_treated, a.n_control) == (
        b.estimate, b.interval, b.n_treated, b.n_control)


def test_episodes_one_row_per_council():
    ep = inadequate_episodes()
    assert ep["local_authority"].is_unique


# ---- priors, the fitted effect, the shipped summary -----------------------------------------

@pytest.mark.parametrize("dist, hook", [
    ({"dist": "triangular", "low": -0.15, "mode": 0.05, "high": 0.3}, "improvement"),
    ({"dist": "triangular", "low": 0.0, "mode": 0.0, "high": 1.0}, "improvement"),
    ({"dist": "uniform", "low": 2.0, "high": 7.5}, "setup_months"),
    ({"dist": "normal", "mean": 0.1, "sd": 0.2}, "improvement"),
    ({"dist": "lognormal", "median": 1.0, "sigma": 0.3}, "setup_cost"),
])
def test_distribution_quantiles_match_sampling(dist, hook):
    rng = np.random.default_rng(3)
    n = 200_000
    kind = dist["dist"]
    x = {"triangular": lambda: rng.triangular(dist["low"], dist["mode"], dist["high"], n),
         "uniform": lambda: rng.uniform(dist["low"], dist["high"], n),
         "normal": lambda: rng.normal(dist.get("mean", 0), dist.get("sd", 1), n),
         "lognormal": lambda: dist.get("median", 1) * np.exp(
             dist.get("sigma", 1) * rng.standard_normal(n)),
         }[kind]()
    mean, q = distribution_quantiles(dist, hook, (0.05, 0.5, 0.95))
    assert q == pytest.approx(np.quantile(x, [0.05, 0.5, 0.95]), abs=0.01)
    assert mean == pytest.approx(x.mean(), abs=0.01) == distribution_mean(dist, hook)
    assert q[0] < q[1] < q[2]
    assert distribution_quantiles({"dist": "fixed", "value": 0.4}, "turnover", (0.9,))[1] == [0.4]
    with pytest.raises(ValueError, match="/effects/improvement"):
        distribution_quantiles({"dist": "lognormal", "median": 1, "sigma": 1}, "improvement")


def test_shipped_summary_is_current_and_names_its_command():
    s = load_summary()
    assert s["source"].startswith("python3 scripts/build_calibration_summary.py ")
    assert s["calibration"]["command"]
    fit = s["improvement"]
    assert fit["p05"] < fit["median"] < fit["p95"] and fit["n_draws"] > 0
    assert fit["pooled_over"] == list(FITTED_MODELS)
    d = s["did_after_inadequate"]
    fresh = did_after_inadequate(n_boot=d["n_boot"], seed=d["seed"], lead_months=d["lead_months"])
    assert (d["estimate"], d["p05"], d["p95"], d["n_treated"], d["n_control"]) == pytest.approx(
        (fresh.estimate, *fresh.interval, fresh.n_treated, fresh.n_control))
    assert "not causal" in d["caveat"]


def _calibration_file(path: Path, improvement: np.ndarray) -> Path:
    draws = {name: [0.0] * len(improvement) for name in PARAMETER_NAMES}
    draws["improvement"] = improvement.tolist()
    path.write_text(json.dumps({
        "posterior_draws": draws, "mode": {}, "seed": 5,
        "diagnostics": {"walkers": 8, "steps": 20, "burn": 10,
                        "chain_longer_than_50_tau": False, "effective_sample_size": 3.0},
        "data": {"last_publication": "2022-12-16", "until": None, "adm_councils": []}}))
    return path


def test_build_script_writes_the_summary(tmp_path):
    improvement = np.random.default_rng(2).normal(0.3, 0.2, 400)
    cal = _calibration_file(tmp_path / "cal.json", improvement)
    out = tmp_path / "summary.json"
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_calibration_summary.py"), str(cal),
         "--out", str(out), "--n-boot", "200", "--calibration-command", "test calibration"],
        capture_output=True, text=True, timeout=120)  # the installed package, as a user runs it
    assert run.returncode == 0, run.stderr
    s = json.loads(out.read_text())
    assert "build_calibration_summary.py" in s["source"] and str(cal) in s["source"]
    assert s["calibration"]["command"] == "test calibration" and s["calibration"]["seed"] == 5
    assert s["improvement"]["median"] == pytest.approx(np.median(improvement))
    assert s["improvement"]["p05"] == pytest.approx(np.quantile(improvement, 0.05))
    assert s["improvement"]["n_draws"] == 400
    assert s["did_after_inadequate"]["n_boot"] == 200
    assert set(s["did_after_inadequate"]["to_latest"]) >= {"estimate", "p05", "p95"}
    # the file reads back as a calibration for catalogue_evidence
    ev = catalogue_evidence(out)
    assert ev.loc["latc", "fitted_median"] == pytest.approx(np.median(improvement))


def test_catalogue_evidence_rows():
    ev = catalogue_evidence()
    ids = [m["id"] for m in admsim.load_catalogue()["models"]]
    assert list(ev.index) == ids
    s = load_summary()
    assert (ev.loc["in_house", ["prior_median", "fitted_median", "did_estimate"]] == 0).all()
    for mid, row in ev.drop(index="in_house").iterrows():
        assert row["prior_p05"] <= row["prior_median"] <= row["prior_p95"], mid
        assert row["fitted_median"] == s["improvement"]["median"]
        assert row["did_estimate"] == s["did_after_inadequate"]["estimate"]
        assert ("pooled fit" in row["basis"]) == (mid in FITTED_MODELS)
    latc = admsim.load_catalogue()["models"][ids.index("latc")]["effects"]["improvement"]
    assert ev.loc["latc", "prior_mean"] == pytest.approx(distribution_mean(latc, "improvement"))
    assert "pooled" in ev.attrs["caveat"] and "not causal" in ev.attrs["caveat"]


def test_catalogue_evidence_from_a_calibration_file(tmp_path):
    cal = _calibration_file(tmp_path / "cal.json", np.linspace(-1, 1, 101))
    ev = catalogue_evidence(cal)
    assert ev.loc["independent_trust", ["fitted_p05", "fitted_median", "fitted_p95"]].tolist() == \
        pytest.approx([-0.9, 0.0, 0.9])
    assert np.isfinite(ev["did_estimate"]).all()


def test_catalogue_frame_has_the_evidence_columns():
    cat = admsim.catalogue()
    new = ["improvement_prior_median", "improvement_prior_90", "improvement_fitted_median",
           "improvement_fitted_90"]
    assert list(cat.columns[-4:]) == new
    for mid, row in cat.iterrows():
        lo, hi = row["improvement_fitted_90"]
        assert lo <= row["improvement_fitted_median"] <= hi, mid
        lo, hi = row["improvement_prior_90"]
        assert lo <= row["improvement_prior_median"] <= hi, mid
    fit = load_summary()["improvement"]
    assert cat.loc["latc", "improvement_fitted_median"] == fit["median"]
    assert cat.loc["latc", "improvement_fitted_90"] == (fit["p05"], fit["p95"])
    assert cat.loc["in_house", "improvement_fitted_90"] == (0.0, 0.0)
    # a triangular prior's median is not its mean (the existing effect_ column)
    tri = {"dist": "triangular", "low": -0.15, "mode": 0.05, "high": 0.3}
    assert cat.loc["latc", "improvement_prior_median"] == pytest.approx(
        distribution_quantiles(tri, "improvement", (0.5,))[1][0])
    assert cat.loc["latc", "effect_improvement"] == pytest.approx(distribution_mean(tri, "improvement"))


# ---- the report section ---------------------------------------------------------------------

def test_report_shows_prior_against_fitted(small_profile, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    from admsim.report import write_report

    override = {"id": "independent_trust",
                "effects": {"improvement": {"dist": "uniform", "low": 0.5, "high": 0.9}}}
    res = admsim.simulate(small_profile, ["in_house", "latc", override, "contractual_jv"],
                          years=1, replicates=2, progress=False)
    text = write_report(res, tmp_path / "r").read_text(encoding="utf-8")
    section = text[text.index("<h2>Improvement: assumption against the Ofsted record</h2>"):]
    section = section[:section.index("</p>", section.index('class="note"'))]
    fit = load_summary()["improvement"]
    fitted = f"{fit['median']:+.2f}".replace("-", "−")
    cells = dict(re.findall(r"<tr><th>(\w+)</th><td>.*?</td><td>(.*?)</td>", section))
    assert list(cells) == ["in_house", "latc", "independent_trust", "contractual_jv"]
    assert cells["in_house"] == "0"  # the comparator
    assert all(cells[m].startswith(fitted) for m in ["latc", "independent_trust", "contractual_jv"])
    assert "+0.70" in section  # the override's median, not the catalogue's
    assert "assumption overridden in this run" in section
    assert "pooled" in section and "neither number is a causal estimate" in section
    assert "contractual_jv" in section and "shown for comparison only" in section


# ---- rationales that misread their source ---------------------------------------------------

def _effect(model_id: str, hook: str) -> dict:
    (model,) = [m for m in admsim.load_catalogue()["models"] if m["id"] == model_id]
    return model["effects"][hook]


def test_transition_dip_does_not_cite_slough_as_evidence():
    for model in admsim.load_catalogue()["models"]:
        dist = model["effects"].get("transition_dip")
        if dist is None:
            continue
        text = dist["rationale"]
        assert "Slough judged Inadequate" not in text, model["id"]
        if "Slough" in text:
            assert "Slough is not evidence of a dip" in text, model["id"]
        assert "assumption" in text, model["id"]
    latc = _effect("latc", "transition_dip")
    assert (latc["low"], latc["mode"], latc["high"]) == (0.0, 0.1, 0.3)  # value unchanged
    assert "triangular 0 to 0.3 SD, mode 0.1" in latc["rationale"]


def test_joint_venture_turnover_does_not_borrow_the_regional_teams_retention():
    for mid in ("contractual_jv", "public_sector_jv", "corporate_jv"):
        text = _effect(mid, "turnover")["rationale"]
        assert "within WMCS delivery team" in text, mid
        assert "not of the councils' social workers" in text and "not evidence" in text, mid
        assert text.startswith("assumption"), mid
    d = _effect("contractual_jv", "turnover")
    assert (d["low"], d["mode"], d["high"]) == (0.85, 0.97, 1.1)


def test_trust_turnover_says_what_the_seed_says():
    d = _effect("independent_trust", "turnover")
    text = d["rationale"]
    assert text.startswith("assumption") and "no seed reports turnover" in text
    assert "staff sentiment, not a retention figure" in text
    assert (d["low"], d["mode"], d["high"]) == (0.8, 0.95, 1.1)


QUOTES = {
    ("latc", "transition_dip"): ("002", [
        "will require significant resource and distraction/disruption to delivery of services "
        "would require careful management",
        "Unease amongst staff can cause disruption to the service",
        "less than 8 weeks after the Trust went live",
        "commented positively on the impact of the Trust leadership",
        "Operational social work does not continue to improve"]),
    ("contractual_jv", "turnover"): ("000", [
        "increased resilience, retention and skills within WMCS delivery team"]),
    ("independent_trust", "turnover"): ("002", [
        "have noticed a positive shift in the feel and mood of the workforce",
        "there is a real drive and determination to succeed",
        "flexible packages of employment benefits",
        "critical in recruiting and retaining the best staff",
        "may be able to lawfully change T &C's of employees",
        "Even with any enhanced benefits package this will not necessarily result in better "
        "performing staff and capability"]),
}


@pytest.mark.parametrize("key", QUOTES)
def test_mended_rationales_quote_their_seed(key):
    text = _effect(*key)["rationale"]
    for q in QUOTES[key][1]:
        assert f"'{q}'" in text, (key, q)


@pytest.mark.parametrize("key", QUOTES)
def test_the_quotes_are_verbatim_in_the_seed(key, shared_seeds):
    # the seeds are not shipped: this half runs where ../shared/seeds is
    prefix, quotes = QUOTES[key]
    (path,) = shared_seeds.glob(f"{prefix}_*.txt")
    seed = re.sub(r"\s+", " ", path.read_text(encoding="utf-8"))
    for q in quotes:
        assert q in seed, (key, q)
