"""The HTML sections of the report: the run's provenance, the scenario, the summary table, the
appraisal, and the catalogue's assumptions against the Ofsted record."""
from __future__ import annotations

import base64
import datetime
import html
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .. import risks as risk_register
from .._version import __version__
from ..catalogue import catalogue, load_catalogue
from ..outputs import SUMMARY_OUTCOMES
from ..results_io import provenance_of
from ..units import outcome_unit

if TYPE_CHECKING:
    from ..appraisal import Appraisal
    from ..results import Results
    from .conclusion import Conclusion



_EVIDENCE = ("The evidence that any delivery model improves outcomes is thin (Birmingham's case for "
             "change, 2016, section 6). Every delivery-model effect in this report is an assumption "
             "with a wide range, drawn afresh in each replicate, and replaceable by the user; the "
             "spread of the results includes that uncertainty. Read a difference between models "
             "as what follows if the assumptions hold, not as a forecast.")


_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #1b1f24;
       max-width: 1100px; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; }
h1 { margin-bottom: .2rem; } .meta { color: #57606a; margin-top: 0; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dl.facts dt { font-weight: 600; } dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.note { background: #fff8e1; border-left: 4px solid #f2b134; padding: .6rem 1rem; }
#conclusion { background: #f3f8ff; border: 1px solid #b6d4fe; border-radius: 6px;
              padding: .4rem 1.2rem 1rem; margin: 1rem 0 2rem; }
#conclusion h2 { margin-top: .6rem; } #conclusion li { margin: .45rem 0; }
.lead { font-size: 1.08rem; }
.verdict { display: inline-block; font-size: .75rem; font-weight: 700; padding: 0 .4rem;
           border-radius: 3px; margin-right: .3rem; vertical-align: 1px; white-space: nowrap; }
.verdict.clear { background: #1a7f37; color: #fff; } .verdict.lean { background: #f2b134; }
.verdict.tied { background: #d0d7de; } .verdict.na { background: #eee; color: #57606a; }
.run { font-size: .85rem; } .run dd code { font-size: .8rem; }
table { border-collapse: collapse; font-size: .85rem; margin: 1rem 0; }
th, td { border-bottom: 1px solid #d0d7de; padding: .3rem .5rem; text-align: right;
         vertical-align: top; }
th:first-child, td:first-child { text-align: left; }
thead th { background: #f6f8fa; position: sticky; top: 0; }
tbody th { position: sticky; left: 0; background: #fff; }
.scroll { overflow-x: auto; } thead th { word-break: normal; } tbody th { min-width: 10rem; }
.sub { display: block; color: #57606a; font-size: .75rem; } .nw { white-space: nowrap; }
figure { margin: 2rem 0; } figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #333; max-width: 60rem; } .files { font-size: .8rem; color: #57606a; }
"""


def _html(results: "Results", summary: pd.DataFrame, figures: list[tuple[Path, str]],
          title: str, conclusion: "Conclusion", appraisal_section: str = "") -> str:
    e = html.escape
    figure_html = _figures_html(figures)
    facts = "".join(f"<dt>{e(k)}</dt><dd>{e(str(v))}</dd>" for k, v in _facts(results).items())
    histogram = (" This run kept summaries only: its intervals come from 128-bin histograms, "
                 "accurate to about 1% of each quantity's range." if results.summary_only else "")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)}</title><style>{_CSS}</style></head>
<body>
<h1>{e(title)}</h1>
<p class="meta">admsim {e(__version__)} · generated {datetime.date.today().isoformat()}</p>
{conclusion.html()}
{_run_html(results)}
<h2>Scenario</h2>
<dl class="facts">{facts}</dl>
<p class="note"><strong>Read with care.</strong> {e(_EVIDENCE)}</p>
<h2>Summary</h2>
<p>One column per delivery model. Each cell gives the mean over replicates, then (for quantities
that vary within a replicate set) the 5th to 95th percentile range, then the paired difference
from {e(results.baseline)} with its 90% interval; probabilities are shares of replicates and their
differences are in percentage points. £m are 2022 prices.{histogram}</p>
{_summary_table(summary, results.baseline)}
<h2>Charts</h2>
{figure_html}
{_risks_html(results)}
{_evidence_html(results)}
{appraisal_section}
</body></html>
"""


def _run_html(results: "Results") -> str:
    """The small "Run" section: what produced these numbers."""
    e = html.escape
    prov = provenance_of(results)
    commit = prov.get("git_commit")
    commit_text = (f"<code>{e(commit)}</code>" + (" (with uncommitted changes)"
                                                  if prov.get("git_dirty") else "")
                   if commit else "none (not run from a git checkout)")
    rows = [
        ("admsim version", e(str(prov.get("admsim_version")))),
        ("Git commit", commit_text),
        ("Catalogue (sha256)", f"<code>{e(str(prov.get('catalogue_sha256')))}</code>"),
        ("Random seed", e(str(prov["seed"]))),
        ("Replicates per model", e(f"{results.replicates:,}")
         + (" (summaries only)" if results.summary_only else " (every replicate kept)")),
        ("Run at", e(str(prov.get("created", "?")))),
    ]
    if prov.get("file"):
        rows.append(("Loaded from", f"<code>{e(prov['file'])}</code>"))
    note = ("" if prov.get("recorded", True) else
            "<p class=\"sub\">These results did not record their provenance; the version, commit "
            "and catalogue hash above are this installation's at the time of the report.</p>")
    dl = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
    return f'<section class="run"><h2>Run</h2><dl class="facts">{dl}</dl>{note}</section>'


def _appraisal_html(appraisal: "Appraisal", figures: list[tuple[Path, str]]) -> str:
    e = html.escape
    gateway = appraisal.gateway
    failed = "".join(
        f"<li><strong>{e(model)}</strong>: {e(str(row['reason']))}</li>"
        for model, row in gateway.iterrows() if not row["passed"])
    passed = ", ".join(e(m) for m, ok in gateway["passed"].items() if ok)
    table = appraisal.table()
    keep = [c for c in table.columns if c in ("score", "score 5%", "score 95%", "expected rank")
            or c.startswith("P(rank")]
    ranks = table[keep].to_html(float_format=lambda v: f"{v:.2f}", na_rep="–", classes="appraisal")
    csf = ("" if appraisal._csf is None else f"""
<h3>Critical success factors (Birmingham, 2016)</h3>
<p>Which of the 11 critical success factors each model meets, from its attributes and, for the
simulated ones, from beating the baseline's mean.</p>
<div class="scroll">{appraisal.csf().T.replace({True: "✓", False: ""}).to_html(classes="appraisal")}</div>""")
    return f"""<h2>Options appraisal</h2>
<p>Gateway questions first (pass/fail from each model's attributes), then weighted criteria in
three groups (desirability, viability, feasibility), some simulated and some judgements with
stated defaults. Passed the gateway: {passed}.</p>
<details><summary>Why the others failed</summary><ul>{failed}</ul></details>
<p class="note"><strong>Robustness.</strong> {e(appraisal.robustness)}</p>
<div class="scroll">{ranks}</div>
{_figures_html(figures)}{csf}"""


def _run_improvement_priors(results: "Results") -> list[tuple[str, dict | None, bool]]:
    """(model id, its ``improvement`` distribution in this run or None, overridden?) per model:
    an override's effect replaces the catalogue's whole, as in the engine."""
    known = {m["id"]: m for m in load_catalogue()["models"]}
    out = []
    for entry, model in zip(results.spec.get("models", []), results.models):
        dist = known.get(model, {}).get("effects", {}).get("improvement")
        overridden = False
        if isinstance(entry, dict) and "improvement" in (entry.get("effects") or {}):
            dist, overridden = entry["effects"]["improvement"], True
        out.append((model, dist, overridden))
    return out


def _evidence_html(results: "Results") -> str:
    """The run's improvement assumptions against the effect fitted to Ofsted histories."""
    from ..calibration.evidence import FITTED_MODELS
    from ..calibration.summary import load_summary, prior_summary

    e = html.escape
    summary = load_summary()
    fit, did = summary["improvement"], summary["did_after_inadequate"]

    def sd(v: float) -> str:
        return f"{v:+.2f}".replace("-", "−")

    def cell(d: dict) -> str:
        return (f'{sd(d["median"])}<span class="sub nw">90%: {sd(d["p05"])} to '
                f'{sd(d["p95"])}</span>')

    rows = []
    for model, dist, overridden in _run_improvement_priors(results):
        prior = cell(prior_summary(dist)) if dist else "0 (neutral)"
        if model == "in_house":
            note, fit_cell = "the comparator: no delivery model (0 by construction)", "0"
        else:
            fit_cell = cell(fit)
            note = ("councils ran this model in the fitted histories (pooled with the others)"
                    if model in FITTED_MODELS else
                    "no council ran this model in the fitted histories: the pooled effect is "
                    "shown for comparison only")
        if overridden:
            note += "; assumption overridden in this run"
        rows.append(f"<tr><th>{e(model)}</th><td>{prior}</td><td>{fit_cell}</td>"
                    f"<td style=\"text-align:left\">{e(note)}</td></tr>")
    gap = did["estimate"]
    words = "less" if gap > 0 else "more"
    return f"""<h2>Improvement: assumption against the Ofsted record</h2>
<p>The catalogue's <code>improvement</code> effect of each model in this run (the assumption the
simulation draws from, in standard deviations of the latent practice-quality index; positive is
better) beside the effect fitted to English councils' graded SIF/ILACS histories to 2022. The
fitted effect is one number pooled over the delivery models councils actually ran
({e(", ".join(FITTED_MODELS))}), with its 90% posterior interval.</p>
<div class="scroll"><table><thead><tr><th>Model</th><th>Catalogue assumption (median)</th>
<th>Fitted, pooled (median)</th><th>What the fit covers</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table></div>
<p>In grades: councils that moved to a delivery model after an Inadequate judgement improved by
{abs(gap):.2f} grades {words} by their next graded inspection than Inadequate councils that never
ran one (difference in mean grade change {sd(gap)}, 90% interval {sd(did["p05"])} to
{sd(did["p95"])}, where positive means less improvement; {did["n_treated"]} councils moved,
{did["n_control"]} did not).</p>
<p class="note"><strong>Caveat.</strong> Few councils have run a delivery model, and they were
moved there because they had failed, often repeatedly, so neither number is a causal estimate of
what a model does: read them as a check that the assumptions are not out of line with the
record.</p>"""


def _facts(results: "Results") -> dict[str, object]:
    profile = results.spec.get("profile", {})
    names = catalogue()["name"]
    models = "; ".join(f"{m} ({names[m]})" if m in names.index else m for m in results.models)
    return {
        "Council profile": f"{profile.get('name', '?')} (data as of {profile.get('as_of', '?')})",
        "Delivery models": models,
        "Baseline": results.baseline,
        "Horizon": f"{results.months // 12} years ({results.months} months)",
        "Replicates per model": results.replicates,
        "Random seed": results.seed,
        "Interventions": len(results.spec.get("interventions", [])) or "none",
        "Output": "summaries only" if results.summary_only else "full (every replicate)",
    }


def _summary_table(summary: pd.DataFrame, baseline: str) -> str:
    e = html.escape
    head = "".join(f"<th>{e(m).replace('_', '_<wbr>')}</th>" for m in summary.index)
    rows = []
    for name, label in SUMMARY_OUTCOMES.items():
        kind = outcome_unit(name).kind
        probability = label.startswith("P(")
        cells = []
        for model, row in summary.iterrows():
            cell = _fmt(row[label], kind, probability)
            if not probability and pd.notna(row[label]):
                cell += (f'<span class="sub">90%: <span class="nw">{_fmt(row[f"{label} 5%"], kind)}'
                         f' to {_fmt(row[f"{label} 95%"], kind)}</span></span>')
            diff = row[f"{label} diff vs {baseline}"]
            if model != baseline and pd.notna(diff):
                interval = "" if probability else (
                    f' <span class="nw">[{_fmt(row[f"{label} diff 5%"], kind, signed=True)}, '
                    f'{_fmt(row[f"{label} diff 95%"], kind, signed=True)}]</span>')
                cell += (f'<span class="sub"><span class="nw">Δ {_fmt(diff, kind, probability, True)}'
                         f'</span>{interval}</span>')
            cells.append(f"<td>{cell}</td>")
        rows.append(f"<tr><th>{e(label.replace(' (GBP)', ' (£m)'))}</th>{''.join(cells)}</tr>")
    return (f'<div class="scroll"><table><thead><tr><th>Outcome</th>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div>')


def _fmt(value: float, kind: str, probability: bool = False, signed: bool = False) -> str:
    """A summary value as text: percentages, percentage points, £m or plain numbers."""
    if pd.isna(value):
        return "–"
    scale, digits = {"percent": (100, 0 if probability else 1), "gbp": (1e-6, 1)}.get(kind, (1, 1))
    shown = round(value * scale, digits)
    sign = "−" if shown < 0 else ("+" if signed and shown > 0 else "")
    number = f"{abs(shown):,.{digits}f}"
    if kind == "percent":
        return sign + number + (" pp" if signed else "%")
    return f"{sign}£{number}m" if kind == "gbp" else sign + number


def _figures_html(figures: list[tuple[Path, str]]) -> str:
    e = html.escape
    return "".join(
        f'<figure><img src="data:image/png;base64,{base64.b64encode(path.read_bytes()).decode()}" '
        f'alt="{e(path.stem.replace("_", " "))}"><figcaption>{e(caption)} '
        f'<span class="files">Files: <a href="{e(path.name)}">PNG</a> · '
        f'<a href="{e(path.with_suffix(".svg").name)}">SVG</a></span></figcaption></figure>\n'
        for path, caption in figures)


def _risks_html(results: "Results") -> str:
    """Which risks of the register fired, for which models, and how much each moved the result."""
    ids = list(results._raw.get("risk_ids", []))
    if not ids:
        return "<h2>Risk events</h2><p>No risk register in this run (risks=[]).</p>"
    e = html.escape
    table = risk_register.effects(results)
    register = {r["id"]: r for r in results.spec.get("risks", [])}
    rows = []
    for rid in ids:
        r = register.get(rid, {})
        fired = [table.loc[(m, rid), "p_fired"] for m in results.models]
        if max(fired) == 0:
            continue
        # the effect where it fired, pooled over the models it fired for (weighted by firings)
        sub = table.xs(rid, level="risk")
        w = sub["p_fired"].to_numpy()
        def pooled(col):
            v = sub[col].to_numpy()
            ok = ~np.isnan(v) & (w > 0)
            return float(np.average(v[ok], weights=w[ok])) if ok.any() else float("nan")
        npv, good = pooled("npv_cost_if_fired_minus_not"), pooled("good_by_year3_if_fired_minus_not")
        cells = "".join(f"<td>{p:.0%}</td>" for p in fired)
        npv_t = "–" if np.isnan(npv) else f"{npv / 1e6:+.1f}".replace("-", "−")
        good_t = "–" if np.isnan(good) else f"{100 * good:+.1f}".replace("-", "−")
        rows.append(f"<tr><th title=\"{e(r.get('risk', ''))}\">{e(rid)}<span class=\"sub\">"
                    f"{e(r.get('likelihood', '?'))}/{e(r.get('impact', '?'))}, "
                    f"{e(str(r.get('applies_to', '')).replace('_', ' '))}</span></th>"
                    f"<td>{npv_t}</td><td>{good_t}</td>{cells}</tr>")
    return f"""<h2>Risk events</h2>
<p>The risk register of Birmingham's case for change (2016, section 7), as data: each risk's
likelihood and impact as the register rates them, the arrangements it applies to (in-house too
where its wording applies to any arrangement), and its effect (<code>admsim.risks.register()</code>
lists them with the passage each rests on). The table gives the share of replicates in which each
risk fired, by model, and what it did where it fired: the mean NPV and P(Good+ at year 3) where it
fired minus where it did not (the risks' draws are independent of the rest, so this is the
risk's effect, within Monte Carlo error). Risks that apply only to a new arrangement (set-up,
transition, staff transfer, contracts) are much of why a change can look worse than in-house even
when the catalogue assumes it improves practice.</p>
<p class="note">For risks tied to go-live (implementation windows, "after go-live") whether a risk
can fire depends on when go-live falls, so their contrast also carries some of the effect of an
early or late go-live. "–": it fired, or did not, in fewer than 5% of replicates: too few to
contrast.</p>
<div class="scroll"><table><thead><tr><th>Risk (likelihood/impact, applies to)</th>
<th>NPV where fired (£m)</th><th>P(Good+ y3) where fired (pp)</th>
<th colspan="{len(results.models)}">Share of replicates it fired in: {", ".join(e(m) for m in results.models)}</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table></div>"""

