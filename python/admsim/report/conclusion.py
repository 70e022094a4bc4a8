"""The report's conclusion: for each headline outcome the model most likely best, P(best) over
paired replicates, the paired difference to the baseline with its 90% interval, a verdict, and
the budget it was judged against."""
from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping, Sequence
import numpy as np
import pandas as pd
from ..simulate import OUTCOMES, SUMMARY_OUTCOMES
if TYPE_CHECKING:
    from ..appraisal import Appraisal
    from ..simulate import Results
from .sensitivity import _money, ranking_sensitivity


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
        from ..simulate import METRICS

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
    from ..plot import is_probability, outcome_unit

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
    from ..plot import is_probability, outcome_unit

    if is_probability(outcome) or outcome_unit(outcome).kind == "percent":
        text += " percentage points"
    return text


def _margin(outcome: str, m: float) -> str:
    if m is None or pd.isna(m):
        return "–"
    word = "ahead" if m >= 0 else "behind"
    from ..plot import is_probability

    amount = _fmt_outcome(outcome, abs(m), signed=is_probability(outcome), unit=True)
    return f"{amount.lstrip('+')} {word}"


def _rank_outcome(results: "Results", outcome: str, models: list[str], seed: int) -> dict[str, Any]:
    """One headline row: leader, P(best), the paired difference shown and its interval."""
    from ..intervals import bootstrap_mean_interval, normal_mean_interval
    from ..plot import higher_is_better, is_probability

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
    if not spans:  # the paired interval to the next best excludes zero: a lead, however small
        return "clear"
    chance = 1.0 / k
    p = row.get("p_best_when_differ")
    if row.get("tied_share", 0) >= 0.95 or p is None or np.isnan(p) or p < chance + (1 - chance) / 3:
        return "tied"
    return "lean"


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
