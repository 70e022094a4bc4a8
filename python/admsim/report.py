"""A self-contained HTML report of a comparison that answers the question first.

At the top, a conclusion in plain English: for each headline outcome the model most likely to
be best, the share of replicates in which it is best (P(best)), and its paired difference from
the baseline with a 90% interval; the budget the overspend is judged against; and the three
assumptions the ranking on net present cost is most sensitive to (one at a time, at the ends
of their ranges). Then the run's provenance (version, git commit, catalogue hash, seed), the
scenario, the summary table (also CSV and Parquet) and the charts (PNG at 200 dpi and SVG).

:func:`conclude` computes the conclusion on its own (a :class:`Conclusion`);
:func:`write_report` writes everything.
"""
from __future__ import annotations

import base64
import datetime
import html
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from .simulate import OUTCOMES, SUMMARY_OUTCOMES

if TYPE_CHECKING:
    from .appraise import Appraisal
    from .plot import PlotAccessor
    from .simulate import Results

DPI = 200  # every chart is written as PNG at this resolution and as SVG

_BANDS = ("One panel per model, on the same axes: the line is the median over replicates, the "
          "darker band holds the middle 50% of replicates and the lighter one the middle 90%; the "
          "dashed black line repeats the median of {baseline} in every other panel. Overlapping "
          "bands do not mean two models are alike: all models share each replicate's random "
          "numbers, so the paired differences below are the sharper comparison.")
_RANKED = ("Rows are sorted best first{gateway}.")


def _quality_outcome(results: "Results") -> str:
    """P(Good+ at year 3) where the horizon reaches it, else at the next inspection."""
    k = OUTCOMES.index("good_by_year3")
    defined = (np.isfinite(results._raw["outcome_mean"][:, k]).any()
               and results._raw["outcome_count"][:, k].sum() > 0)
    return "good_by_year3" if defined else "good_at_next_inspection"


# (file name, how to draw it from the plot accessor and the ranked models, caption). Captions
# may name {baseline}, {gateway} and {quality}. Each is written as PNG (200 dpi) and SVG.
FIGURES: list[tuple[str, Callable[["PlotAccessor", list[str]], object], str]] = [
    ("fan_caseload.png", lambda p, ranked: p.fan("caseload"),
     "Caseload: children's cases per case-holding social worker (agency staff included), month by "
     "month. Lower caseloads lower turnover and raise practice quality in the model. " + _BANDS),
    ("fan_agency_share.png", lambda p, ranked: p.fan("agency_share"),
     "Agency staff as a share of social-work FTE. Agency workers cost more and leave sooner, so a "
     "falling share is both a saving and a sign of a steadier workforce. " + _BANDS),
    ("fan_turnover_rate.png", lambda p, ranked: p.fan("turnover_rate"),
     "Turnover: permanent social workers who left in the last 12 months over the mean number in "
     "post (the DfE definition). " + _BANDS),
    ("fan_cla.png", lambda p, ranked: p.fan("cla"),
     "Children looked after at the end of each month. Care entries respond to practice quality "
     "and to edge-of-care work; models differ here only through those. " + _BANDS),
    ("fan_cost.png", lambda p, ranked: p.fan("cost"),
     "Monthly spend in 2022 prices: staff, placements, overheads and the delivery model's own "
     "costs (set-up and transition in the first months of a new arrangement, then contract "
     "management, irrecoverable VAT and tax). " + _BANDS),
    ("grades.png", lambda p, ranked: p.grades(),
     "Latest published Ofsted grade, as the share of replicates holding each grade month by "
     "month, one panel per model; the black line is the share of {baseline}'s replicates that "
     "are Good or better. Grades change only at inspections, so the shares move in steps; read "
     "the height of the two green layers as the chance of being Good or better at that date."),
    ("costs.png", lambda p, ranked: p.costs("npv_cost", models=ranked, order="best"),
     "Net present cost over the whole horizon (2022 prices, discounted at 3.5% a year), by "
     "model: the box spans the middle 50% of replicates, the whiskers 5% to 95%, the bar is the "
     "median and the dot the mean. Boxes overlap because every model faces the same uncertain "
     "demand and labour market; see the next chart for the difference each model makes. "
     + _RANKED),
    ("differences.png", lambda p, ranked: p.differences("npv_cost", models=ranked, order="best"),
     "Net present cost of each model minus that of {baseline}, replicate by replicate (paired "
     "with common random numbers): the dot is the mean difference and the bar holds 90% of the "
     "replicates' differences. A bar wholly left of the dashed zero line means the model costs "
     "less than {baseline} in at least 95% of replicates; one straddling zero means the sign is "
     "uncertain. " + _RANKED),
    ("differences_quality.png",
     lambda p, ranked: p.differences(_quality_outcome(p._res), models=ranked, order="best"),
     "{quality} of each model minus that of {baseline}, in percentage points: the dot is the "
     "difference in the share of replicates, the bar its 90% paired bootstrap interval "
     "(replicates resampled, each with every model's result). " + _RANKED),
]

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


# Appraisal charts: (file name, how to draw it from an Appraisal, caption).
APPRAISAL_FIGURES: list[tuple[str, Callable[["Appraisal"], object], str]] = [
    ("appraisal_ranks.png", lambda a: a.plot_ranks(),
     "Rank probabilities of the models that passed the gateway: each bar splits into the chance "
     "of ranking first, second, ... over the simulated replicates and over the weight ranges "
     "(stochastic multi-criteria acceptability analysis)."),
    ("appraisal_heatmap.png", lambda a: a.plot_heatmap(),
     "Criterion scores of the passing models, normalised so that 1 is the best of them and 0 the "
     "worst (mean over replicates). Scores are relative: they change with the set of models."),
]


def output_files(out_dir: str | Path, appraisal: bool = False,
                 sensitivity: bool = True) -> list[Path]:
    """The files :func:`write_report` writes into ``out_dir``, in the order it writes them
    (``sensitivity=False`` when the report was written without the sensitivity pass)."""
    out = Path(out_dir)
    charts = [name for name, _, _ in FIGURES]
    names = ["summary.csv", "summary.parquet", "conclusion.csv", "p_best.csv"]
    if sensitivity:
        names.append("sensitivity.csv")
    names += [n for name in charts for n in (name, name.replace(".png", ".svg"))]
    if appraisal:
        names += ["appraisal.csv", "gateway.csv", "csf.csv",
                  *(n for name, _, _ in APPRAISAL_FIGURES
                    for n in (name, name.replace(".png", ".svg")))]
    return [out / name for name in [*names, "report.html"]]


def write_report(results: "Results", out_dir: str | Path, title: str | None = None,
                 appraisal: "Appraisal | None" = None, *, sensitivity: bool = True,
                 sensitivity_options: Mapping[str, Any] | None = None,
                 conclusion: "Conclusion | None" = None) -> Path:
    """Write the conclusion (``conclusion.csv``, ``p_best.csv``, ``sensitivity.csv``), the
    summary (``summary.csv``, ``summary.parquet``), the charts (PNG at 200 dpi and SVG) and a
    self-contained ``report.html`` (images embedded, no external resources) into ``out_dir``.
    With an ``appraisal`` (from :func:`admsim.appraise`), its tables (CSV), charts and a section
    of the report are written too, and models that fail its gateway are left out of the
    rankings. ``sensitivity=False`` skips the sensitivity pass; ``sensitivity_options`` go to
    :func:`ranking_sensitivity` (``replicates``, ``parameters``, ``hooks``, ``rivals``,
    ``outcome``, ``threads``). A ready ``conclusion`` (from :func:`conclude`) is used as given.

    Returns the path of ``report.html``; :func:`output_files` lists everything written.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if conclusion is None:
        conclusion = conclude(results, appraisal=appraisal, sensitivity=sensitivity,
                              sensitivity_options=sensitivity_options)
    summary = results.summary()
    summary.to_csv(out / "summary.csv")
    summary.to_parquet(out / "summary.parquet", engine="pyarrow")
    conclusion.table().to_csv(out / "conclusion.csv", index=False)
    conclusion.p_best.to_csv(out / "p_best.csv")
    if conclusion.sensitivity is not None:
        conclusion.sensitivity.to_csv(out / "sensitivity.csv", index=False)
    gateway = ("; models that failed the gateway are left out" if conclusion.excluded else "")
    fmt = {"baseline": results.baseline, "gateway": gateway,
           "quality": SUMMARY_OUTCOMES[_quality_outcome(results)]}
    ranked = conclusion.models
    figures = _save_figures([(n, (lambda p, d=d: d(p, ranked)), c) for n, d, c in FIGURES],
                            results.plot, out, **fmt)
    section = ""
    if appraisal is not None:
        appraisal.table().to_csv(out / "appraisal.csv")
        appraisal.gateway.to_csv(out / "gateway.csv")
        appraisal.csf().to_csv(out / "csf.csv")
        section = _appraisal_html(appraisal, _save_figures(APPRAISAL_FIGURES, appraisal, out))
    profile = results.spec.get("profile", {})
    title = title or f"Delivery models for {profile.get('name', 'the council')}"
    page = out / "report.html"
    page.write_text(_html(results, summary, figures, title, conclusion, section),
                    encoding="utf-8")
    return page


def _save_figures(specs, source, out: Path, **fmt) -> list[tuple[Path, str]]:
    import matplotlib.pyplot as plt

    figures = []
    for name, draw, caption in specs:
        fig = draw(source)
        try:
            fig.savefig(out / name, dpi=DPI)
            fig.savefig((out / name).with_suffix(".svg"))
        finally:
            plt.close(fig)
        figures.append((out / name, caption.format(**fmt)))
    return figures


def _figures_html(figures: list[tuple[Path, str]]) -> str:
    e = html.escape
    return "".join(
        f'<figure><img src="data:image/png;base64,{base64.b64encode(path.read_bytes()).decode()}" '
        f'alt="{e(path.stem.replace("_", " "))}"><figcaption>{e(caption)} '
        f'<span class="files">Files: <a href="{e(path.name)}">PNG</a> · '
        f'<a href="{e(path.with_suffix(".svg").name)}">SVG</a></span></figcaption></figure>\n'
        for path, caption in figures)


# ---- the conclusion ----------------------------------------------------------------------------
HEADLINE_OUTCOMES: tuple[str, ...] = ("good_by_year3", "inadequate_at_year3", "npv_cost",
                                      "overspend_any", "mean_turnover_rate", "cla_per_10k_end")

# outcome: (name, what the best is called; {years} is the horizon in years)
_PHRASES: dict[str, tuple[str, str]] = {
    "good_at_next_inspection": ("Good or Outstanding at the next inspection", "Highest chance"),
    "good_by_year3": ("Good or Outstanding at year 3", "Highest chance"),
    "good_by_year5": ("Good or Outstanding at year 5", "Highest chance"),
    "inadequate_at_year3": ("Inadequate at year 3", "Lowest chance"),
    "npv_cost": ("Net present cost over {years} years", "Lowest"),
    "total_cost": ("Total cost over {years} years", "Lowest"),
    "overspend_any": ("Overspending the budget in at least one year", "Lowest chance"),
    "mean_turnover_rate": ("Social-worker turnover (mean over {years} years)", "Lowest"),
    "cla_per_10k_end": ("Children in care per 10,000 at the end", "Fewest"),
}
_PROPER = ("Good", "Inadequate", "Outstanding", "Requires")


def _label(outcome: str, years: int) -> str:
    return _PHRASES.get(outcome, (SUMMARY_OUTCOMES.get(outcome, outcome), ""))[0].format(years=years)


def _lower(label: str) -> str:
    """A label inside a sentence: lower-case first letter, except grade names."""
    return label if label.split(" ", 1)[0] in _PROPER else label[:1].lower() + label[1:]


# Engine parameters the sensitivity pass probes by default (those that act on the differences
# between models: costs of new arrangements, risk events, the workforce-quality links).
SENSITIVITY_PARAMETERS: tuple[str, ...] = (
    "transition_cost_share", "vatable_share", "surplus_margin", "risk_probability_high",
    "risk_impact_high", "quality_workforce_effect", "caseload_turnover_elasticity",
    "pay_turnover_elasticity", "quality_reversion_per_year", "inadequate_response")

# Model effects the sensitivity pass sets to the ends of their catalogue ranges by default.
SENSITIVITY_HOOKS: tuple[str, ...] = (
    "improvement", "turnover", "recruitment", "agency_use", "transition_dip", "edge_of_care",
    "placement_cost", "overhead_cost", "pay", "setup_cost", "setup_months",
    "contract_management_cost", "vat_irrecoverable")

_HOOK_LABELS = {
    "improvement": "improvement in practice quality", "turnover": "effect on social workers leaving",
    "recruitment": "effect on recruitment", "agency_use": "effect on agency use",
    "improvement_pace": "pace of improvement", "transition_dip": "quality dip at go-live",
    "transition_turnover": "extra leaving in transition", "transition_months": "transition length",
    "edge_of_care": "edge-of-care effect on care entries", "placement_cost": "effect on placement costs",
    "overhead_cost": "effect on overheads", "pay": "effect on pay",
    "establishment_flex": "flexibility of the establishment", "setup_cost": "set-up cost",
    "setup_months": "set-up time", "contract_management_cost": "contract-management cost a year",
    "vat_irrecoverable": "VAT ruling (0: recovered, 1: lost)",
}

_VERDICTS = {"clear": "Clear lead", "lean": "Leaning", "tied": "Too close to call",
             "na": "Not available"}


def p_best(values: np.ndarray, higher_is_better: bool) -> tuple[np.ndarray, np.ndarray, float, int]:
    """P(best) per model from paired replicates ``values`` (models x replicates).

    Returns ``(p, p_when_differ, tied, n)``: the share of replicates in which each model is best
    (a tie shares the replicate equally among the tied models, so ``p`` sums to 1), the same
    among the replicates where not every model has the same value, the share where all are
    tied, and the number of replicates used (those where some model's value is defined; an
    undefined value, NaN, is never best).
    """
    v = np.asarray(values, dtype=float)
    k = v.shape[0]
    x = v if higher_is_better else -v
    x = np.where(np.isnan(x), -np.inf, x)
    x = x[:, np.isfinite(x).any(axis=0)]
    n = x.shape[1]
    if n == 0 or k == 0:
        return np.full(k, np.nan), np.full(k, np.nan), np.nan, 0
    best = x.max(axis=0)
    is_best = x >= best - 1e-9 * np.maximum(1.0, np.abs(best))
    share = is_best / is_best.sum(axis=0)
    tied = is_best.all(axis=0)
    p = share.mean(axis=1)
    p_differ = share[:, ~tied].mean(axis=1) if (~tied).any() else np.full(k, np.nan)
    return p, p_differ, float(tied.mean()), int(n)


@dataclass
class Conclusion:
    """The answer at the top of the report (see :func:`conclude`).

    rows: one dict per headline outcome (``outcome``, ``leader``, ``p_best``, ``compared``,
    ``diff``, ``diff_lo``, ``diff_hi``, ``interval``, ``verdict``, ...); ``p_best``: DataFrame
    (ranked model x outcome) of P(best), each column summing to 1 (NaN in summary-only mode);
    ``budget``: what the overspend is judged against; ``sensitivity``: DataFrame of the
    one-at-a-time probes (or None); ``models``: the ranked models; ``excluded``: gateway
    failures left out.
    """

    results: Any
    rows: list[dict[str, Any]]
    p_best: pd.DataFrame
    models: list[str]
    excluded: list[str] = field(default_factory=list)
    budget: dict[str, Any] = field(default_factory=dict)
    sensitivity: pd.DataFrame | None = None
    sensitivity_info: dict[str, Any] = field(default_factory=dict)

    def table(self) -> pd.DataFrame:
        """The headline rows as a DataFrame (what ``conclusion.csv`` holds)."""
        keep = ["outcome", "label", "leader", "p_best", "p_best_when_differ", "tied_share",
                "compared", "baseline", "diff", "diff_lo", "diff_hi", "interval", "p_higher",
                "p_lower", "verdict", "sentence"]
        return pd.DataFrame([{k: r.get(k) for k in keep} for r in self.rows])

    def text(self) -> str:
        """The conclusion as plain text (the lead, one line per outcome, budget, sensitivity)."""
        import re

        def plain(s: str) -> str:
            s = re.sub(r"</li>|</p>|<span class=\"sub\">", "\n", s)
            return html.unescape(re.sub(r"<[^>]+>", "", s)).strip()

        lines = [plain(self._lead()), ""]
        lines += [f"- [{_VERDICTS[r['verdict']]}] {plain(r['sentence'])}" for r in self.rows]
        lines += ["", plain(self._budget_html()), "", plain(self._sensitivity_html(details=False))]
        return "\n".join(lines)

    # ---- HTML -----------------------------------------------------------------------------
    def html(self) -> str:
        items = "".join(
            f'<li><span class="verdict {r["verdict"]}">{_VERDICTS[r["verdict"]]}</span>'
            f'{r["sentence"]}</li>' for r in self.rows)
        res = self.results
        how = ("P(best) is the share of replicates in which a model is best, with replicates "
               "paired across models by common random numbers (a tie shares the replicate). "
               "Costs, turnover and children in care are compared replicate by replicate, and "
               "their interval holds 90% of the replicates' paired differences; for the "
               "probabilities the interval is a 90% paired bootstrap interval of the difference "
               "in shares (in percentage points). <em>Too close to call</em>: the leader is best "
               "not much more often than chance (one in the number of models) or almost every "
               "replicate ties. <em>Leaning</em>: a leader, but the difference shown could go "
               "either way.")
        if res.summary_only:
            how = ("<strong>This run kept summaries only</strong>, so P(best), which needs every "
                   "replicate of every model, is not available: the leader is the model with the "
                   "best mean, and the intervals come from the summaries (histogram quantiles of "
                   "the paired differences; for probabilities a normal approximation from the "
                   "paired standard deviation). Run with <code>output=\"full\"</code> for P(best).")
        excluded = ""
        if self.excluded:
            comparator = (f" The baseline, {html.escape(res.baseline)}, stays the comparator "
                          "for the differences." if res.baseline in self.excluded else "")
            excluded = (f"<p>Left out of the ranking because they failed the appraisal's gateway: "
                        f"{html.escape(', '.join(self.excluded))}.{comparator}</p>")
        return f"""<section id="conclusion"><h2>Conclusion</h2>
<p class="lead">{self._lead()}</p>
<ul>{items}</ul>
{excluded}{self._budget_html()}
{self._sensitivity_html()}
<p class="sub">{how} With {res.replicates:,} replicates of {res.months // 12} years each;
every effect of a delivery model is an assumption with a wide range (see "Read with care").</p>
</section>"""

    def _lead(self) -> str:
        e = html.escape
        if len(self.models) == 1:
            return (f"Only {e(self.models[0])} is ranked, so there is nothing to choose between.")
        defined = [r for r in self.rows if r["verdict"] != "na"]
        if not defined:
            return "No headline outcome is defined for this run."
        by_leader: dict[str, list[str]] = {}
        for r in defined:
            if r["verdict"] != "tied":
                by_leader.setdefault(r["leader"], []).append(_lower(r["label"]))
        verb = "has the best mean on" if self.results.summary_only else "is most likely best on"
        parts = [f"<strong>{e(m)}</strong> {verb} {e(_join(labels))}"
                 for m, labels in sorted(by_leader.items(), key=lambda kv: -len(kv[1]))]
        tied = [_lower(r["label"]) for r in defined if r["verdict"] == "tied"]
        if not parts:
            return (f"In short: the models cannot be told apart on any headline outcome "
                    f"({e(_join(tied))}).")
        text = "In short: " + "; ".join(parts)
        if tied:
            text += f"; on {e(_join(tied))} the models cannot be told apart"
        return text + "."

    def _budget_html(self) -> str:
        e = html.escape
        b = self.budget
        if b.get("budget_per_year") is None and not b.get("other"):  # nothing to judge against
            return "<p><strong>Budget.</strong> The profile states no budget.</p>"
        parts = []
        other = dict(b.get("other", {}))
        path = other.pop("budget_path", "flat_real")
        if b.get("budget_per_year") is not None:
            amount = _money(b["budget_per_year"])
            if path == "flat_real":
                parts.append(f"{amount} a year, held flat in real terms (2022 prices)")
            elif path == "demand_led":
                parts.append(f"{amount} in the first year, growing with the child population "
                             "and the demand trend (2022 prices)")
            elif isinstance(path, (list, tuple)):
                parts.append(f"{amount} a year as the base; the budget by year: "
                             f"{e(_budget_value(path))} (2022 prices)")
            else:
                parts.append(f"{amount} a year; budget path {e(_budget_value(path))}")
        elif isinstance(path, (list, tuple)):
            parts.append(f"by year: {e(_budget_value(path))} (2022 prices)")
        for key, value in other.items():
            parts.append(f"{e(key.replace('_', ' '))}: {e(_budget_value(value))}")
        sources = "".join(f'<span class="sub">Source ({e(k)}): {e(str(v))}</span>'
                          for k, v in b.get("sources", {}).items())
        context = ""
        spend, share = b.get("baseline_spend_per_year"), b.get("spend_share")
        if spend is not None and share is not None and np.isfinite(share):
            context = (f" In the simulation {e(self.results.baseline)} spends {_money(spend)} a "
                       f"year on average over the {self.results.months // 12} years "
                       f"({share:.0%} of this budget).")
            if not 0.85 <= share <= 1.15:
                context += (" The budget is far from the simulated spend, so the chance of "
                            "overspending says more about the budget than about the models; "
                            "compare the models' costs instead.")
        derived = any("derived" in str(v).lower() for v in b.get("sources", {}).values())
        caveat = (" This budget is derived from the profile's own activity and unit costs, not "
                  "the council's actual budget, so it sits close to today's spend: read the "
                  "chance of overspending as a comparison between models, not as a forecast."
                  if derived else "")
        return (f"<p><strong>Budget used.</strong> {'; '.join(parts)}. A year overspends when "
                f"its spend exceeds it.{context}{caveat}{sources}</p>")

    def _sensitivity_html(self, details: bool = True) -> str:
        e = html.escape
        info = self.sensitivity_info
        if info.get("skipped"):
            return f"<p><strong>Sensitivity.</strong> {e(info['skipped'])}</p>"
        s = self.sensitivity
        if s is None or s.empty:
            return "<p><strong>Sensitivity.</strong> No assumption could be probed.</p>"
        outcome, leader = info["outcome"], info["leader"]
        label = _lower(_label(outcome, self.results.months // 12))
        top = s.head(3)
        items = []
        for _, r in top.iterrows():
            flips = [f"at the {end} end {e(who)} takes the lead"
                     for end, who in (("low", r["leader_low"]), ("high", r["leader_high"]))
                     if who != leader]
            items.append(
                f"<li><strong>{e(r['label'])}</strong> ({e(r['low_text'])} to {e(r['high_text'])}): "
                f"margin {_margin(outcome, r['margin_low'])} at the low end, "
                f"{_margin(outcome, r['margin_high'])} at the high end"
                + (f"; {'; '.join(flips)}" if flips else "") + ".</li>")
        rivals = ", ".join(info["rivals"]) or "none"
        table = ""
        if details:
            shown = s[["label", "low_text", "high_text", "margin_low", "margin_high", "swing",
                       "leader_low", "leader_high"]].copy()
            for col in ("margin_low", "margin_high", "swing"):
                shown[col] = [_fmt_outcome(outcome, v, signed=col != "swing") for v in shown[col]]
            shown.columns = ["Assumption", "Low end", "High end", "Margin at low end",
                             "Margin at high end", "Largest change", "Leader at low end",
                             "Leader at high end"]
            table = (f"<details><summary>All {len(s)} probes</summary><div class=\"scroll\">"
                     f"{shown.to_html(index=False, escape=True)}</div></details>")
        return f"""<p><strong>What could change the ranking.</strong> The ranking on {e(label)}
is most sensitive to these three assumptions, each set in turn to the ends of its plausible range
(engine parameters) or of its catalogue range (delivery-model effects), with everything else as in
the run: the margin is by how much the leader, <strong>{e(leader)}</strong>, beats the best of its
closest rivals ({e(rivals)}) on the mean, {_margin(outcome, info['base_margin'])} at the central
assumptions (rerun with {info['replicates']:,} replicates, {info['probes']} probes,
{info['seconds']:.1f} s).</p>
<ol>{''.join(items)}</ol>
{table}"""


def _join(items: Sequence[str]) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _money(v: float, signed: bool = False) -> str:
    shown = round(v / 1e6, 1)
    sign = "−" if shown < 0 else ("+" if signed and shown > 0 else "")
    return f"{sign}£{abs(shown):,.1f}m"


def _budget_value(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _money(value) if abs(value) >= 1e4 else f"{value:g}"
    if isinstance(value, (list, tuple)) and all(isinstance(v, (int, float)) for v in value):
        return ", ".join(_budget_value(v) for v in value)
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {_budget_value(v)}" for k, v in value.items())
    return str(value)


def _budget(results: "Results") -> dict[str, Any]:
    """The budget the run judged overspend against, read defensively from the spec's profile:
    ``budget_per_year``, any other ``finance`` entry about the budget, and the profile's
    sources for budget or finance fields."""
    profile = results.spec.get("profile") or {}
    finance = profile.get("finance") or {}
    budget = finance.get("budget_per_year") if isinstance(finance, Mapping) else None
    other = ({k: v for k, v in finance.items() if "budget" in k and k != "budget_per_year"}
             if isinstance(finance, Mapping) else {})
    sources = profile.get("sources") or {}
    picked = ({k: v for k, v in sources.items() if "budget" in k.lower()}
              if isinstance(sources, Mapping) else {})
    if not picked and isinstance(sources, Mapping):
        picked = {k: v for k, v in sources.items() if k.lower().startswith("finance")}
    out = {"budget_per_year": budget, "other": other, "sources": picked}
    try:  # the baseline's simulated spend a year, to set the budget beside
        from .simulate import METRICS

        cost = results._raw["metric_mean"][results.models.index(results.baseline), :,
                                           METRICS.index("cost")]
        if results.months >= 12:
            per_year = float(cost.sum()) * 12 / results.months
            out["baseline_spend_per_year"] = per_year
            if isinstance(budget, (int, float)) and budget > 0:
                out["spend_share"] = per_year / float(budget)
    except (KeyError, ValueError, IndexError):
        pass
    return out


def _fmt_outcome(outcome: str, v: float, signed: bool = False, unit: bool = False) -> str:
    """A value (or, ``signed``, a difference) of an outcome as text; ``unit`` adds the unit
    where the number alone would not say it (percentage points, per 10,000)."""
    from .plot import is_probability, outcome_unit

    if v is None or pd.isna(v):
        return "–"
    kind = outcome_unit(outcome).kind
    if kind == "gbp":
        return _money(v, signed)
    percent = is_probability(outcome) or kind == "percent"
    shown = round(100 * v, 1) if percent else round(v, 1)
    sign = "−" if shown < 0 else ("+" if signed and shown > 0 else "")
    if percent:
        if signed:
            return f"{sign}{abs(100 * v):.1f}" + (" percentage points" if unit else "")
        return f"{100 * v:.0f}%" if is_probability(outcome) else f"{100 * v:.1f}%"
    text = f"{sign}{abs(v):,.1f}"
    if unit and outcome == "cla_per_10k_end":
        text += " per 10,000"
    return text


def _fmt_interval(outcome: str, lo: float, hi: float) -> str:
    """``lo to hi`` with the unit once at the end."""
    text = f"{_fmt_outcome(outcome, lo, signed=True)} to {_fmt_outcome(outcome, hi, signed=True)}"
    from .plot import is_probability, outcome_unit

    if is_probability(outcome) or outcome_unit(outcome).kind == "percent":
        text += " percentage points"
    return text


def _margin(outcome: str, m: float) -> str:
    if m is None or pd.isna(m):
        return "–"
    word = "ahead" if m >= 0 else "behind"
    from .plot import is_probability

    amount = _fmt_outcome(outcome, abs(m), signed=is_probability(outcome), unit=True)
    return f"{amount.lstrip('+')} {word}"


def _rank_outcome(results: "Results", outcome: str, models: list[str], seed: int) -> dict[str, Any]:
    """One headline row: leader, P(best), the paired difference shown and its interval."""
    from .plot import bootstrap_mean_interval, higher_is_better, is_probability, normal_mean_interval

    k = OUTCOMES.index(outcome)
    hib = higher_is_better(outcome)
    sign = 1.0 if hib else -1.0
    prob = is_probability(outcome)
    base = results.baseline
    b = results.models.index(base)
    idx = [results.models.index(m) for m in models]
    row: dict[str, Any] = {"outcome": outcome, "label": _label(outcome, results.months // 12),
                           "baseline": base, "higher_is_better": hib, "probability": prob}
    p_all = np.full(len(models), np.nan)
    if results.summary_only:
        means = results._raw["outcome_mean"][idx, k].astype(float)
        counts = results._raw["outcome_count"][idx, k]
        means = np.where(counts > 0, means, np.nan)
        defined = np.isfinite(means)
        order = sorted(np.flatnonzero(defined), key=lambda i: -sign * means[i])
    else:
        values = results.outcomes[idx, :, k]
        p, p_diff, tied, n = p_best(values, hib)
        with np.errstate(all="ignore"):
            means = np.array([np.nanmean(v) if np.isfinite(v).any() else np.nan for v in values])
        defined = np.isfinite(means)
        p_all = p
        order = sorted(np.flatnonzero(defined), key=lambda i: (-p[i], -sign * means[i]))
        row.update(tied_share=tied, n=n)
    row["p_best_all"] = dict(zip(models, p_all))
    if not order:
        row.update(leader=None, verdict="na", sentence=_na_sentence(row, results))
        return row
    leader = models[order[0]]
    runner = models[order[1]] if len(order) > 1 else None  # second most often best
    # The comparison with the baseline: the leader, or where the baseline leads, the next best
    # on the mean (the closest competitor on average, which P(best)'s second need not be).
    by_mean = [models[i] for i in sorted(np.flatnonzero(defined), key=lambda i: -sign * means[i])]
    next_on_mean = next((m for m in by_mean if m != leader), None)
    compared = leader if leader != base else next_on_mean
    row.update(leader=leader, leader_mean=means[order[0]], runner_up=runner,
               p_best=p_all[order[0]], compared=compared,
               p_runner=p_all[order[1]] if len(order) > 1 else np.nan)
    if not results.summary_only:
        row["p_best_when_differ"] = p_diff[order[0]]
    if compared is not None:
        c = results.models.index(compared)
        row["compared_mean"] = means[models.index(compared)]
        if results.summary_only:
            dmean = results._raw["diff_mean"][c, k]
            if prob:
                n = min(results._raw["outcome_count"][c, k], results._raw["outcome_count"][b, k])
                d, lo, hi = normal_mean_interval(dmean, results._raw["diff_sd"][c, k], n)
                interval = "normal approximation (summaries only)"
                p_higher = results._raw["diff_positive"][c, k]
                p_lower = p_higher - dmean  # a 0/1 difference is -1, 0 or +1
            else:
                d = dmean
                lo, hi = results._raw["diff_quantiles"][c, k, [0, 4]]
                interval = "90% of replicates (from summaries)"
                p_higher, p_lower = results._raw["diff_positive"][c, k], np.nan
        else:
            diff = results.outcomes[c, :, k] - results.outcomes[b, :, k]
            diff = diff[~np.isnan(diff)]
            if prob:
                d, lo, hi = bootstrap_mean_interval(diff, seed=seed + k)
                interval = "90% paired bootstrap interval"
            else:
                d = float(diff.mean()) if diff.size else np.nan
                lo, hi = (np.quantile(diff, [0.05, 0.95]) if diff.size else (np.nan, np.nan))
                interval = "90% of replicates"
            tol = 1e-9 * max(1.0, float(np.nanmax(np.abs(results.outcomes[b, :, k]))) if diff.size else 1.0)
            p_higher = float((diff > tol).mean()) if diff.size else np.nan
            p_lower = float((diff < -tol).mean()) if diff.size else np.nan
        row.update(diff=float(d), diff_lo=float(lo), diff_hi=float(hi), interval=interval,
                   p_higher=float(p_higher), p_lower=float(p_lower))
    row["verdict"] = _verdict(row, len(order), results.summary_only)
    row["sentence"] = _sentence(row, results)
    return row


def _verdict(row: dict[str, Any], k: int, summary_only: bool) -> str:
    if k < 2 or row.get("compared") is None:
        return "na"
    lo, hi = row["diff_lo"], row["diff_hi"]
    spans = not (lo > 0 or hi < 0)  # includes an interval that is all zero
    if summary_only:  # only the comparison with the baseline is known, not one with each model
        if lo == 0 and hi == 0:
            return "tied"
        return "lean" if spans or row["leader"] != row["baseline"] else "clear"
    chance = 1.0 / k
    p = row.get("p_best_when_differ")
    if row.get("tied_share", 0) >= 0.95 or p is None or np.isnan(p) or p < chance + (1 - chance) / 3:
        return "tied"
    return "lean" if spans else "clear"


def _na_sentence(row: dict[str, Any], results: "Results") -> str:
    return (f"<strong>{html.escape(row['label'])}.</strong> Not defined in this run (the "
            f"{results.months // 12}-year horizon does not reach it, or no replicate has it).")


def _sentence(row: dict[str, Any], results: "Results") -> str:
    e = html.escape
    outcome = row["outcome"]
    leader, base = row["leader"], row["baseline"]
    best = _PHRASES.get(outcome, ("", "Best"))[1]
    value = _fmt_outcome(outcome, row["leader_mean"], unit=True)
    who_lead = f"<strong>{e(leader)}</strong> ({'the baseline; ' if leader == base else ''}{value})"
    text = f"<strong>{e(row['label'])}.</strong> {best}: {who_lead}"
    k = len(row["p_best_all"])
    if results.summary_only:
        text += ", judged on the means."
    elif k < 2:
        text += "."
    elif row.get("probability"):
        tied = row.get("tied_share", np.nan)
        text += (f". All {k} models have the same result in {tied:.0%} of replicates" if k > 2
                 else f". Both models have the same result in {tied:.0%} of replicates")
        if tied < 0.995 and not np.isnan(row.get("p_best_when_differ", np.nan)):
            text += (f"; in the others {e(leader)} is best in {row['p_best_when_differ']:.0%} "
                     f"of them (P(best) with ties shared: {row['p_best']:.0%}).")
        else:
            text += "."
    else:
        text += f", best in {row['p_best']:.0%} of replicates"
        if row.get("runner_up") is not None:
            text += f" ({e(row['runner_up'])} in {row['p_runner']:.0%})"
        text += "."
    compared = row.get("compared")
    if compared is None:
        return text
    if compared == leader:
        who = f" Against {e(base)}:"
    else:
        who = (f" The next {'cheapest' if outcome.endswith('cost') else 'best'} on average, "
               f"<strong>{e(compared)}</strong> "
               f"({_fmt_outcome(outcome, row['compared_mean'], unit=True)}), against {e(base)}:")
    cost = outcome.endswith("cost")
    share = ""
    if not row.get("probability"):
        bits = []
        if not np.isnan(row.get("p_lower", np.nan)):
            bits.append(f"{'cheaper' if cost else 'lower'} in {row['p_lower']:.0%}")
        if not np.isnan(row.get("p_higher", np.nan)):
            bits.append(f"{'dearer' if cost else 'higher'} in {row['p_higher']:.0%}")
        if bits:
            share = f"; {' and '.join(bits)} of replicates"
    text += (f"{who} {_fmt_outcome(outcome, row['diff'], signed=True, unit=True)} "
             f"({row['interval']}: {_fmt_interval(outcome, row['diff_lo'], row['diff_hi'])}"
             f"{share}).")
    verdict = row["verdict"]
    if verdict == "tied" and results.summary_only:
        text += " The summaries show no difference between them."
    elif verdict == "tied":
        if row.get("tied_share", 0) >= 0.95:
            text += " The models almost never differ on this outcome."
        else:
            text += (f" {e(leader)} is best not much more often than chance would make it "
                     f"(1 in {k}).")
    elif verdict == "lean" and not results.summary_only and not row.get("probability"):
        text += " The interval includes zero: in some futures the order reverses."
    elif verdict == "lean" and (row["diff_lo"] > 0 or row["diff_hi"] < 0):
        text += (" Summaries cannot compare it with each of the other models replicate by "
                 "replicate, so its lead over them is not established.")
    elif verdict == "lean":
        text += " The interval includes zero, so the sign is not settled."
    return text


def conclude(results: "Results", appraisal: "Appraisal | None" = None, *,
             outcomes: Sequence[str] = HEADLINE_OUTCOMES, sensitivity: bool = True,
             sensitivity_options: Mapping[str, Any] | None = None) -> Conclusion:
    """The conclusion of ``results``: for each headline outcome the model most likely best, its
    P(best) and the paired difference from the baseline with a 90% interval; the budget; and
    (``sensitivity=True``) the assumptions the ranking is most sensitive to
    (:func:`ranking_sensitivity`, options in ``sensitivity_options``). Models that fail the
    ``appraisal``'s gateway are left out of the ranking (the baseline stays the comparator)."""
    models = list(results.models)
    excluded: list[str] = []
    if appraisal is not None:
        passed = appraisal.gateway["passed"]
        excluded = [m for m in models if m in passed.index and not bool(passed[m])]
        models = [m for m in models if m not in excluded]
    if not models:
        raise ValueError("no model passed the gateway: nothing to rank")
    rows = [_rank_outcome(results, o, models, seed=results.seed) for o in outcomes]
    p = pd.DataFrame({r["label"]: pd.Series(r["p_best_all"]) for r in rows}, index=models)
    p.index.name = "model"
    out = Conclusion(results=results, rows=rows, p_best=p, models=models, excluded=excluded,
                     budget=_budget(results))
    if not sensitivity:
        out.sensitivity_info = {"skipped": "Skipped for this report (sensitivity=False)."}
        return out
    options = dict(sensitivity_options or {})
    outcome = options.pop("outcome", "npv_cost")
    row = next((r for r in rows if r["outcome"] == outcome), None)
    if row is None:
        row = _rank_outcome(results, outcome, models, seed=results.seed)
    if row.get("leader") is None or len(models) < 2:
        out.sensitivity_info = {"skipped": "Not run: fewer than two ranked models, or the "
                                           "outcome is not defined."}
        return out
    try:
        table, info = ranking_sensitivity(results, row["leader"], models=models, outcome=outcome,
                                          **options)
        out.sensitivity, out.sensitivity_info = table, info
    except Exception as err:  # the report must still be written; say what went wrong
        out.sensitivity_info = {"skipped": f"The sensitivity pass failed: {err}"}
    return out


def _effect_ends(dist: Mapping[str, Any], hook: str) -> tuple[float, float] | None:
    """The ends of an effect's range: its ``low``/``high`` where it has them, else its 5% and
    95% quantiles, else (a two-point law such as a ruling) its 0% and 100% quantiles."""
    from .scenario import distribution_quantiles

    if "low" in dist and "high" in dist:
        lo, hi = float(dist["low"]), float(dist["high"])
        return (lo, hi) if lo < hi else None
    for qs in ((0.05, 0.95), (0.0, 1.0)):
        try:
            _, (lo, hi) = distribution_quantiles(dist, hook, qs)
        except Exception:
            return None
        if np.isfinite(lo) and np.isfinite(hi) and lo < hi:
            return float(lo), float(hi)
    return None


def _effect_text(hook: str, v: float) -> str:
    if hook in ("setup_cost", "contract_management_cost"):
        return _money(v)
    if hook.endswith("months"):
        return f"{v:g} months"
    if hook in ("improvement", "transition_dip"):
        return f"{v:+.2f} SD".replace("-", "−")
    if hook == "vat_irrecoverable":
        return f"{v:g}"
    return f"×{v:.2f}"


def _parameter_text(p: Mapping[str, Any], v: float) -> str:
    unit = str(p.get("unit", ""))
    if unit in ("share", "probability") or unit.startswith("share"):
        return f"{v:.0%}" if v >= 0.1 or v == 0 else f"{v:.1%}"
    return f"{v:g} {unit}".strip() if unit in ("months", "years") else f"{v:g}"


def ranking_sensitivity(results: "Results", leader: str, *, models: Sequence[str] | None = None,
                        outcome: str = "npv_cost", replicates: int = 200, rivals: int = 2,
                        parameters: Iterable[str] | None = None,
                        hooks: Iterable[str] | None = None, threads: int | None = None
                        ) -> tuple[pd.DataFrame, dict[str, Any]]:
    """One-at-a-time sensitivity of ``leader``'s margin on ``outcome``.

    The scenario is rerun (``results.spec``, ``min(replicates, results.replicates)``
    replicates, common random numbers, so every probe shares the same futures) for the leader
    and its ``rivals`` closest competitors among ``models`` (by the run's means). Each engine
    parameter in ``parameters`` (default :data:`SENSITIVITY_PARAMETERS`) is set to the low and
    high ends of its plausible range (``admsim._core.parameter_table()``), and each effect in
    ``hooks`` (default :data:`SENSITIVITY_HOOKS`) of each of these models to the ends of its
    catalogue range, one at a time. The margin is the best rival's mean minus the leader's
    (oriented so positive means the leader is ahead). Returns the probes sorted by the largest
    change of the margin from the central run, and a dict of what was done.
    """
    from . import _core
    from .catalogue import catalogue_json
    from .plot import higher_is_better
    from .scenario import to_json

    start = time.monotonic()
    models = list(models or results.models)
    k = OUTCOMES.index(outcome)
    sign = 1.0 if higher_is_better(outcome) else -1.0
    means = results._raw["outcome_mean"][:, k]
    lead_mean = means[results.models.index(leader)]
    others = sorted((m for m in models if m != leader and np.isfinite(means[results.models.index(m)])),
                    key=lambda m: abs(means[results.models.index(m)] - lead_mean))
    chosen = [leader, *others[:max(1, int(rivals))]]
    spec = json.loads(to_json(results.spec))
    spec["models"] = [spec["models"][results.models.index(m)] for m in chosen]
    spec.pop("baseline", None)
    spec["replicates"] = int(max(1, min(int(replicates), results.replicates)))
    spec["output"] = "summary"
    spec_json, cat = to_json(spec), catalogue_json()
    outputs = [f"{m}.{outcome}" for m in chosen]
    nthreads = int(threads or 0)

    def margins(values: np.ndarray) -> tuple[np.ndarray, list[str]]:
        v = sign * np.asarray(values, dtype=float)  # larger is better
        lead = v[:, 0] - np.nanmax(v[:, 1:], axis=1)
        who = [chosen[int(np.nanargmax(r))] for r in v]
        return lead, who

    base_values = _core.evaluate(spec_json, cat, [], np.zeros((1, 0)), outputs, nthreads)
    base_margin = float(margins(base_values)[0][0])
    rows: list[dict[str, Any]] = []
    # Engine parameters: one batch, each row moving one parameter, the others at the run's values.
    table = {p["name"]: p for p in _core.parameter_table()}
    names = [n for n in (SENSITIVITY_PARAMETERS if parameters is None else parameters)
             if n in table and table[n]["low"] < table[n]["high"]]
    if names:
        current = np.array([float(spec.get("parameters", {}).get(n, table[n]["default"]))
                            for n in names])
        values = np.tile(current, (2 * len(names), 1))
        for i, n in enumerate(names):
            values[2 * i, i], values[2 * i + 1, i] = table[n]["low"], table[n]["high"]
        m, who = margins(_core.evaluate(spec_json, cat, names, values, outputs, nthreads))
        for i, n in enumerate(names):
            p = table[n]
            meaning = str(p.get("meaning", n)).rstrip(".")
            rows.append({"input": n, "kind": "parameter", "label": f"{meaning} ({n})",
                         "low": p["low"], "high": p["high"],
                         "low_text": _parameter_text(p, p["low"]),
                         "high_text": _parameter_text(p, p["high"]),
                         "margin_low": m[2 * i], "margin_high": m[2 * i + 1],
                         "leader_low": who[2 * i], "leader_high": who[2 * i + 1]})
    # Delivery-model effects: one call each, so that the other effects keep their distributions.
    wanted = set(SENSITIVITY_HOOKS if hooks is None else hooks)
    # A model's effect moves only that model's results (the others' replicates are unchanged
    # under common random numbers), so each is rerun alone and set beside the others' central
    # means.
    entries = [json.loads(t) for t in _core.resolve_models(spec_json, cat)]
    for j, (model, entry) in enumerate(zip(chosen, entries)):
        alone = dict(spec, models=[spec["models"][j]])
        alone_json = to_json(alone)
        for hook, dist in (entry.get("effects") or {}).items():
            if hook not in wanted or not isinstance(dist, Mapping):
                continue
            ends = _effect_ends(dist, hook)
            if ends is None:
                continue
            name = f"{model}.{hook}"
            values = np.repeat(base_values, 2, axis=0)
            values[:, j] = _core.evaluate(alone_json, cat, [name], np.array([[ends[0]], [ends[1]]]),
                                          [outputs[j]], nthreads)[:, 0]
            m, who = margins(values)
            rows.append({"input": name, "kind": "effect",
                         "label": f"{model}: {_HOOK_LABELS.get(hook, hook)}",
                         "low": ends[0], "high": ends[1],
                         "low_text": _effect_text(hook, ends[0]),
                         "high_text": _effect_text(hook, ends[1]),
                         "margin_low": m[0], "margin_high": m[1],
                         "leader_low": who[0], "leader_high": who[1]})
    frame = pd.DataFrame(rows, columns=["input", "kind", "label", "low", "high", "low_text",
                                        "high_text", "margin_low", "margin_high", "leader_low",
                                        "leader_high"])
    frame["swing"] = np.maximum(np.abs(frame["margin_low"] - base_margin),
                                np.abs(frame["margin_high"] - base_margin))
    frame = frame.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)
    info = {"outcome": outcome, "leader": leader, "rivals": chosen[1:],
            "replicates": spec["replicates"], "probes": len(frame), "base_margin": base_margin,
            "seconds": time.monotonic() - start}
    return frame, info


def _html(results: "Results", summary: pd.DataFrame, figures: list[tuple[Path, str]],
          title: str, conclusion: "Conclusion", appraisal_section: str = "") -> str:
    from . import __version__

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
{_evidence_html(results)}
{appraisal_section}
</body></html>
"""


def _run_html(results: "Results") -> str:
    """The small "Run" section: what produced these numbers."""
    from .results_io import provenance_of

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
    csf = appraisal.csf().T.replace({True: "✓", False: ""}).to_html(classes="appraisal")
    return f"""<h2>Options appraisal</h2>
<p>Gateway questions first (pass/fail from each model's attributes), then weighted criteria in
three groups (desirability, viability, feasibility), some simulated and some judgements with
stated defaults. Passed the gateway: {passed}.</p>
<details><summary>Why the others failed</summary><ul>{failed}</ul></details>
<p class="note"><strong>Robustness.</strong> {e(appraisal.robustness)}</p>
<div class="scroll">{ranks}</div>
{_figures_html(figures)}
<h3>Critical success factors (Birmingham, 2016)</h3>
<p>Which of the 11 critical success factors each model meets, from its attributes and, for the
simulated ones, from beating the baseline's mean.</p>
<div class="scroll">{csf}</div>"""



def _run_improvement_priors(results: "Results") -> list[tuple[str, dict | None, bool]]:
    """(model id, its ``improvement`` distribution in this run or None, overridden?) per model:
    an override's effect replaces the catalogue's whole, as in the engine."""
    from .catalogue import load_catalogue

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
    from .calibration.evidence import FITTED_MODELS, load_summary, prior_summary

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
    from .catalogue import catalogue

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
    from .plot import outcome_unit

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
