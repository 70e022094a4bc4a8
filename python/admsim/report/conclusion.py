"""The report's conclusion: for each headline outcome the model most likely best, P(best) over
paired replicates, the paired difference to the baseline with its 90% interval, a verdict, and
the budget it was judged against."""
from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ..outputs import METRICS
from .ranking import rank_outcome
from .sensitivity import ranking_sensitivity
from .wording import (budget_text, format_outcome, in_sentence, join_words, margin_text, money,
                      outcome_label)

if TYPE_CHECKING:
    from ..appraisal import Appraisal
    from ..results import Results


# ---- the conclusion ----------------------------------------------------------------------------
HEADLINE_OUTCOMES: tuple[str, ...] = ("good_by_year3", "inadequate_at_year3", "npv_cost",
                                      "overspend_any", "mean_turnover_rate", "cla_per_10k_end")


_VERDICTS = {"clear": "Clear lead", "lean": "Leaning", "tied": "Too close to call",
             "na": "Not available"}


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
                by_leader.setdefault(r["leader"], []).append(in_sentence(r["label"]))
        verb = "has the best mean on" if self.results.summary_only else "is most likely best on"
        parts = [f"<strong>{e(m)}</strong> {verb} {e(join_words(labels))}"
                 for m, labels in sorted(by_leader.items(), key=lambda kv: -len(kv[1]))]
        tied = [in_sentence(r["label"]) for r in defined if r["verdict"] == "tied"]
        if not parts:
            return (f"In short: the models cannot be told apart on any headline outcome "
                    f"({e(join_words(tied))}).")
        text = "In short: " + "; ".join(parts)
        if tied:
            text += f"; on {e(join_words(tied))} the models cannot be told apart"
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
            amount = money(b["budget_per_year"])
            if path == "flat_real":
                parts.append(f"{amount} a year, held flat in real terms (2022 prices)")
            elif path == "demand_led":
                parts.append(f"{amount} in the first year, growing with the child population "
                             "and the demand trend (2022 prices)")
            elif isinstance(path, (list, tuple)):
                parts.append(f"{amount} a year as the base; the budget by year: "
                             f"{e(budget_text(path))} (2022 prices)")
            else:
                parts.append(f"{amount} a year; budget path {e(budget_text(path))}")
        elif isinstance(path, (list, tuple)):
            parts.append(f"by year: {e(budget_text(path))} (2022 prices)")
        for key, value in other.items():
            parts.append(f"{e(key.replace('_', ' '))}: {e(budget_text(value))}")
        sources = "".join(f'<span class="sub">Source ({e(k)}): {e(str(v))}</span>'
                          for k, v in b.get("sources", {}).items())
        context = ""
        spend, share = b.get("baseline_spend_per_year"), b.get("spend_share")
        if spend is not None and share is not None and np.isfinite(share):
            context = (f" In the simulation {e(self.results.baseline)} spends {money(spend)} a "
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
        label = in_sentence(outcome_label(outcome, self.results.months // 12))
        top = s.head(3)
        items = []
        for _, r in top.iterrows():
            flips = [f"at the {end} end {e(who)} takes the lead"
                     for end, who in (("low", r["leader_low"]), ("high", r["leader_high"]))
                     if who != leader]
            items.append(
                f"<li><strong>{e(r['label'])}</strong> ({e(r['low_text'])} to {e(r['high_text'])}): "
                f"margin {margin_text(outcome, r['margin_low'])} at the low end, "
                f"{margin_text(outcome, r['margin_high'])} at the high end"
                + (f"; {'; '.join(flips)}" if flips else "") + ".</li>")
        rivals = ", ".join(info["rivals"]) or "none"
        table = ""
        if details:
            shown = s[["label", "low_text", "high_text", "margin_low", "margin_high", "swing",
                       "leader_low", "leader_high"]].copy()
            for col in ("margin_low", "margin_high", "swing"):
                shown[col] = [format_outcome(outcome, v, signed=col != "swing") for v in shown[col]]
            shown.columns = ["Assumption", "Low end", "High end", "Margin at low end",
                             "Margin at high end", "Largest change", "Leader at low end",
                             "Leader at high end"]
            table = (f"<details><summary>All {len(s)} probes</summary><div class=\"scroll\">"
                     f"{shown.to_html(index=False, escape=True)}</div></details>")
        return f"""<p><strong>What could change the ranking.</strong> The ranking on {e(label)}
is most sensitive to these three assumptions, each set in turn to the ends of its plausible range
(engine parameters) or of its catalogue range (delivery-model effects), with everything else as in
the run: the margin is by how much the leader, <strong>{e(leader)}</strong>, beats the best of its
closest rivals ({e(rivals)}) on the mean, {margin_text(outcome, info['base_margin'])} at the central
assumptions (rerun with {info['replicates']:,} replicates, {info['probes']} probes,
{info['seconds']:.1f} s).</p>
<ol>{''.join(items)}</ol>
{table}"""


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
    rows = [rank_outcome(results, o, models, seed=results.seed) for o in outcomes]
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
        row = rank_outcome(results, outcome, models, seed=results.seed)
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
