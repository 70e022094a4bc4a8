"""How each metric and outcome is shown: a readable name, its unit and scale, and which way is
better. Shared by the charts, the report and its conclusion; no matplotlib here."""
from __future__ import annotations

from typing import Iterable, NamedTuple

from .outputs import METRICS, OUTCOMES, SUMMARY_OUTCOMES, index_of


class Unit(NamedTuple):
    """How to show a quantity: a readable name, the axis unit, and the kind of scale."""

    title: str
    unit: str
    kind: str = "number"  # "number", "percent" (a 0-1 share) or "gbp" (shown in £m)


METRIC_UNITS: dict[str, Unit] = {
    "caseload": Unit("Caseload", "cases per case-holding social worker"),
    "cla": Unit("Children looked after", "number of children"),
    "cpp": Unit("Children on a protection plan", "children"),
    "cin": Unit("Children in need (not on a plan or in care)", "children"),
    "referrals": Unit("Referrals", "referrals per month"),
    "social_workers": Unit("Permanent social workers", "FTE"),
    "agency_workers": Unit("Agency social workers", "FTE"),
    "vacancies": Unit("Vacancies", "FTE"),
    "turnover_rate": Unit("Social worker turnover", "% a year (last 12 months)", "percent"),
    "agency_share": Unit("Agency share of social workers", "% of FTE", "percent"),
    "vacancy_rate": Unit("Vacancy rate", "% of establishment", "percent"),
    "quality": Unit("Latent practice quality", "standard deviations"),
    "cost": Unit("Spend", "£m per month (2022 prices)", "gbp"),
    "spend_vs_budget": Unit("Spend against budget", "% of the budget for the year so far", "percent"),
    "rule_actions": Unit("Interventions started by rules", "actions per month"),
    "movers_in": Unit("Social workers hired from the region's other councils", "FTE per month"),
    "movers_out": Unit("Leavers to the region's other councils", "FTE per month"),
    "hub_savings": Unit("Saved on placements bought through the commissioning hub", "£m per month (2022 prices)", "gbp"),
}

OUTCOME_UNITS: dict[str, Unit] = {
    "months_to_leave_inadequate": Unit("Months to leave Inadequate", "months"),
    "mean_caseload": Unit("Mean caseload", "cases per social worker"),
    "cla_per_10k_end": Unit("Children in care at the end", "per 10,000 children"),
    "total_cost": Unit("Total cost", "£m (2022 prices)", "gbp"),
    "npv_cost": Unit("Net present cost", "£m (2022 prices, discounted at 3.5%)", "gbp"),
    "overspend_years": Unit("Years overspent", "years"),
    "overspend_amount": Unit("Overspend", "£m (2022 prices)", "gbp"),
    "setup_cost": Unit("Set-up cost", "£m (2022 prices)", "gbp"),
    "risk_events": Unit("Risk events", "events"),
    "hub_savings": Unit("Saved on placements bought through the commissioning hub", "£m (2022 prices)", "gbp"),
}


def metric_unit(name: str, custom: Iterable[str] = ()) -> Unit:
    """The display :class:`Unit` of a monthly metric, or of one of the ``custom`` (analyzer)
    metrics (``KeyError`` for unknown names)."""
    index_of([*METRICS, *custom], name, "metric")
    if name in METRIC_UNITS:
        return METRIC_UNITS[name]
    title = name.replace("_", " ").capitalize()
    if name.startswith("cost"):
        return Unit(title, "£m per month (2022 prices)", "gbp")
    if name.endswith(("_rate", "_share")):
        return Unit(title, "%", "percent")
    return Unit(title, "number")


def outcome_unit(name: str) -> Unit:
    """The display :class:`Unit` of a per-replicate outcome (``KeyError`` for unknown names)."""
    index_of(OUTCOMES, name, "outcome")
    if name in OUTCOME_UNITS:
        return OUTCOME_UNITS[name]
    title = SUMMARY_OUTCOMES.get(name, name.replace("_", " ").capitalize())
    if title.startswith("P("):
        return Unit(title, "% of replicates", "percent")
    if name.endswith(("_rate", "_share")):
        return Unit(title, "%", "percent")
    return Unit(title, "number")


# Outcomes where more is better; every other outcome is better when lower.
HIGHER_IS_BETTER = frozenset({"good_at_next_inspection", "good_by_year3", "good_by_year5", "hub_savings"})


def higher_is_better(name: str) -> bool:
    """Whether a larger value of the outcome ``name`` is better (P(Good+)); else lower is."""
    index_of(OUTCOMES, name, "outcome")
    return name in HIGHER_IS_BETTER


def is_probability(name: str) -> bool:
    """Whether the outcome is a 0/1 indicator per replicate, summarised as a probability."""
    return SUMMARY_OUTCOMES.get(name, "").startswith("P(")
