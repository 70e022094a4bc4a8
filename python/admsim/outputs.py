"""The names of what the engine records, in the order of its arrays: monthly metrics, outcomes
per replicate, the quantiles of its summaries; and looking a name up with a "did you mean".

They come from ``_core`` (``cpp/include/admsim/metrics.hpp``), so Python never keeps a second
list. Every module that reads results indexes them through these.
"""
from __future__ import annotations

from . import _core, jsonio

METRICS: list[str] = list(_core.metric_names)
OUTCOMES: list[str] = list(_core.outcome_names)
QUANTILES: list[float] = list(_core.quantiles)

# Outcomes that add up across councils (money, events): a region's total is their sum.
ADDITIVE_OUTCOMES = ("npv_cost", "total_cost", "overspend_amount", "setup_cost", "risk_events", "hub_savings")

# Outcomes shown by Results.summary(), with readable labels.
SUMMARY_OUTCOMES = {
    "good_at_next_inspection": "P(Good+ at next inspection)",
    "good_by_year3": "P(Good+ at year 3)",
    "good_by_year5": "P(Good+ at year 5)",
    "inadequate_at_year3": "P(Inadequate at year 3)",
    "months_to_leave_inadequate": "Months to leave Inadequate",
    "mean_turnover_rate": "Turnover rate",
    "mean_vacancy_rate": "Vacancy rate",
    "mean_agency_share": "Agency share",
    "mean_caseload": "Caseload",
    "cla_per_10k_end": "CLA per 10k (end)",
    "total_cost": "Total cost (GBP)",
    "npv_cost": "NPV cost (GBP)",
    "overspend_any": "P(overspend in any year)",
    "overspend_years": "Years overspent",
    "overspend_amount": "Overspend (GBP)",
}


def index_of(names: list[str], name: str, what: str) -> int:
    """Position of ``name`` in ``names``; ``KeyError`` with a suggestion and the known names."""
    try:
        return names.index(name)
    except ValueError:
        hint = jsonio.did_you_mean(name, names)
        raise KeyError(f"unknown {what} {name!r}{hint}; known: {', '.join(names)}") from None
