"""How the conclusion says things: outcome labels, values and intervals in their units, money in
£m, and the sentence of each headline row."""
from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ..outputs import SUMMARY_OUTCOMES
from ..units import is_probability, outcome_unit

if TYPE_CHECKING:
    from ..results import Results


def money(v: float, signed: bool = False) -> str:
    shown = round(v / 1e6, 1)
    sign = "−" if shown < 0 else ("+" if signed and shown > 0 else "")
    return f"{sign}£{abs(shown):,.1f}m"


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


def outcome_label(outcome: str, years: int) -> str:
    return _PHRASES.get(outcome, (SUMMARY_OUTCOMES.get(outcome, outcome), ""))[0].format(years=years)


def in_sentence(label: str) -> str:
    """A label inside a sentence: lower-case first letter, except grade names."""
    return label if label.split(" ", 1)[0] in _PROPER else label[:1].lower() + label[1:]


def join_words(items: Sequence[str]) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def budget_text(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return money(value) if abs(value) >= 1e4 else f"{value:g}"
    if isinstance(value, (list, tuple)) and all(isinstance(v, (int, float)) for v in value):
        return ", ".join(budget_text(v) for v in value)
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {budget_text(v)}" for k, v in value.items())
    return str(value)


def format_outcome(outcome: str, v: float, signed: bool = False, unit: bool = False) -> str:
    """A value (or, ``signed``, a difference) of an outcome as text; ``unit`` adds the unit
    where the number alone would not say it (percentage points, per 10,000)."""
    if v is None or pd.isna(v):
        return "–"
    kind = outcome_unit(outcome).kind
    if kind == "gbp":
        return money(v, signed)
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


def format_interval(outcome: str, lo: float, hi: float) -> str:
    """``lo to hi`` with the unit once at the end."""
    text = f"{format_outcome(outcome, lo, signed=True)} to {format_outcome(outcome, hi, signed=True)}"
    if is_probability(outcome) or outcome_unit(outcome).kind == "percent":
        text += " percentage points"
    return text


def margin_text(outcome: str, m: float) -> str:
    if m is None or pd.isna(m):
        return "–"
    word = "ahead" if m >= 0 else "behind"
    amount = format_outcome(outcome, abs(m), signed=is_probability(outcome), unit=True)
    return f"{amount.lstrip('+')} {word}"


def undefined_sentence(row: dict[str, Any], results: "Results") -> str:
    return (f"<strong>{html.escape(row['label'])}.</strong> Not defined in this run (the "
            f"{results.months // 12}-year horizon does not reach it, or no replicate has it).")


def row_sentence(row: dict[str, Any], results: "Results") -> str:
    e = html.escape
    outcome = row["outcome"]
    leader, base = row["leader"], row["baseline"]
    best = _PHRASES.get(outcome, ("", "Best"))[1]
    value = format_outcome(outcome, row["leader_mean"], unit=True)
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
               f"({format_outcome(outcome, row['compared_mean'], unit=True)}), against {e(base)}:")
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
    text += (f"{who} {format_outcome(outcome, row['diff'], signed=True, unit=True)} "
             f"({row['interval']}: {format_interval(outcome, row['diff_lo'], row['diff_hi'])}"
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
