"""A region's options appraisal: a regional vehicle's options (seed 001: a contractual joint
venture, a corporate joint venture, the status quo with a legally binding agreement, against no
vehicle) appraised on the region's simulated totals and on the vehicle's governance.

>>> res = admsim.simulate_region(admsim.profiles.region("west-midlands"),
...     models=["in_house", "status_quo_agreement", "contractual_jv", "corporate_jv"],
...     labour_market={"mover_share": 0.3}, vehicle={"cost_split": "population"},
...     years=5, replicates=200)
>>> a = admsim.appraise_region(res)      # or res.appraise()
>>> a.table(); a.rank_probabilities; a.robustness; a.governance

The steps are the council appraisal's (:mod:`.gateway`, :mod:`.criteria`, :mod:`.scoring`,
:mod:`.smaa`, through :mod:`.ranking`); what is regional is their input: the outcomes of the
councils combined replicate by replicate (:func:`region_outcomes`), each option's attributes with
the vehicle's governance added (:func:`region_entries`), and the shipped regional gateway and
criteria (``admsim/data/region_appraisal.json``, each entry with its source in the seeds).
"""
from __future__ import annotations

import math
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from ..outputs import ADDITIVE_OUTCOMES, OUTCOMES
from .defaults import default_criteria, defaults, shipped_json
from .gateway import evaluate_gateway, resolve_gateway
from .procedure import model_entries
from .ranking import check_weight_samples, judgement_rng, prepare_criteria, score_and_rank
from .result import Appraisal
from .scoring import raw_values

# How each council outcome becomes the region's (see "aggregation" in region_appraisal.json).
SHARE_OF_COUNCILS = ("good_at_next_inspection", "good_by_year3", "good_by_year5",
                     "inadequate_at_year3", "overspend_any")
CHILD_WEIGHTED_MEAN = ("months_to_leave_inadequate", "mean_turnover_rate", "mean_vacancy_rate",
                       "mean_agency_share", "mean_caseload", "cla_per_10k_end", "overspend_years")


def region_defaults() -> dict[str, Any]:
    """The shipped regional appraisal defaults (a fresh copy of ``region_appraisal.json``)."""
    return shipped_json("region_appraisal.json")


def region_criteria() -> list[dict[str, Any]]:
    """The shipped regional criteria: each a council criterion of the same id (if there is one)
    with the regional entry's fields over it; then the council criteria not named, so a user can
    add them by id."""
    council = {c["id"]: c for c in default_criteria()}
    out = [dict(council.get(c["id"], {}), **c) for c in region_defaults()["criteria"]]
    named = {c["id"] for c in out}
    return out + [c for cid, c in council.items() if cid not in named]


def aggregation(outcome: str) -> str:
    """How ``outcome`` combines over a region's councils: "sum", "share" (of councils) or
    "mean" (weighted by children aged 0-17)."""
    if outcome in SHARE_OF_COUNCILS:
        return "share"
    if outcome in CHILD_WEIGHTED_MEAN:
        return "mean"
    if outcome in ADDITIVE_OUTCOMES or outcome.startswith(("cost_", "income_")):
        return "sum"
    raise ValueError(f"outcome {outcome!r} has no regional aggregation; known: {', '.join(OUTCOMES)}")


def region_outcomes(results: Any) -> np.ndarray:
    """The region's outcomes, array (option, replicate, outcome) in ``OUTCOMES`` order, each
    replicate's councils combined by :func:`aggregation` (NaN council values left out of shares
    and means; NaN where every council's is NaN)."""
    stack = np.stack([r.outcomes for r in results.councils.values()])       # (council, O, R, K)
    children = np.array([float(r.spec["profile"]["population"]["children_0_17"])
                         for r in results.councils.values()])
    out = np.empty(stack.shape[1:])
    for k, name in enumerate(OUTCOMES):
        values, how = stack[..., k], aggregation(name)
        if how == "sum":
            out[..., k] = values.sum(axis=0)
            continue
        w = (children if how == "mean" else np.ones_like(children))[:, None, None]
        w = np.where(np.isnan(values), 0.0, w)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[..., k] = np.where(w.sum(axis=0) > 0,
                                   np.nansum(values * w, axis=0) / w.sum(axis=0), np.nan)
    return out


def _check_fraction(option: str, name: str, value: Any) -> Any:
    def ok(x: Any) -> bool:
        return (isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool)
                and math.isfinite(x) and 0 <= x <= 1)

    if ok(value) or (isinstance(value, (list, tuple)) and len(value) == 2 and ok(value[0])
                     and ok(value[1]) and value[0] <= value[1]):
        return list(map(float, value)) if isinstance(value, (list, tuple)) else float(value)
    raise ValueError(f"attributes[{option!r}][{name!r}] must be a share from 0 to 1 or a range "
                     f"[low, high] within 0 to 1; got {value!r}")


def region_entries(results: Any, attributes: Mapping[str, Mapping[str, Any]] | None = None,
                   ) -> tuple[dict[str, dict[str, Any]], pd.DataFrame]:
    """Each option's entry for the gateway and criteria: its catalogue attributes (the first
    council's model, with the scenario's overrides), the vehicle's shipped governance attributes
    and the user's ``attributes`` over them, and ``political_exposure`` worked out from
    ``host_dependence`` (see region_appraisal.json). Also a table of the governance attributes
    with their basis."""
    shipped = region_defaults()["options"]
    attributes = {} if attributes is None else attributes
    if not isinstance(attributes, Mapping):
        raise ValueError("attributes must be a dict {option id: {attribute: value}}; got "
                         f"{type(attributes).__name__}")
    for option, given in attributes.items():
        if option not in results.options:
            raise ValueError(f"attributes given for option {option!r}, which is not in these "
                             f"results; options: {', '.join(results.options)}")
        if not isinstance(given, Mapping):
            raise ValueError(f"attributes[{option!r}] must be a dict {{attribute: value}}; got {given!r}")
    first = next(iter(results.councils.values()))
    entries = model_entries(first)
    n = len(results.councils)
    out, rows = {}, []
    for option in results.options:
        entry = dict(entries[option])
        mine = dict(shipped.get(option, {}).get("attributes", {}), **attributes.get(option, {}))
        for name in ("host_dependence", "political_exposure"):
            if name in mine:
                mine[name] = _check_fraction(option, name, mine[name])
        if "political_exposure" not in attributes.get(option, {}) and "host_dependence" in mine:
            d = np.atleast_1d(mine["host_dependence"]).astype(float)
            exposure = [float(x + (1 - x) / n) for x in d]
            mine["political_exposure"] = exposure if len(exposure) == 2 else exposure[0]
        entry["attributes"] = dict(entry.get("attributes", {}), **mine)
        entry.pop("gateway_notes", None)  # the catalogue's notes answer the council's questions
        out[option] = entry
        basis = shipped.get(option, {}).get("basis", {})
        rows.append({"option": option, **{k: mine.get(k) for k in (
            "formal_shared_ownership", "members_committed", "market_for_trading",
            "host_dependence", "political_exposure")},
            "basis": "; ".join(f"{k}: {'user' if k in attributes.get(option, {}) else v}"
                               for k, v in basis.items())})
    return out, pd.DataFrame(rows).set_index("option")


def appraise_region(
    results: Any,
    *,
    gateway: Iterable[Any] | None = None,
    criteria: Iterable[Any] | None = None,
    weights: Mapping[str, Any] | None = None,
    judgements: Mapping[str, Mapping[str, Any]] | None = None,
    attributes: Mapping[str, Mapping[str, Any]] | None = None,
    weight_samples: int = 2000,
    seed: int = 0,
) -> Appraisal:
    """Appraise a region's options: regional gateway, criteria on the region's totals and the
    vehicle's governance, SMAA rank probabilities. Returns an :class:`Appraisal` (no CSF table:
    Birmingham's factors are for one council's service).

    results: an :class:`admsim.RegionResults` in full mode (``output="full"``, the default).
    gateway: default the three regional questions of ``region_appraisal.json`` (formal shared
        ownership, members committed, a market for the trading income counted on); items as
        for :func:`admsim.appraise` (shipped ids, dicts, callables of the option's entry).
    criteria: default the shipped regional criteria; ids of the council criteria
        (``admsim.appraisal.default_criteria()``) may be added. Simulated criteria read the
        region's outcome, replicate by replicate (:func:`region_outcomes`: costs and events
        summed, 0/1 outcomes as the share of councils, rates as child-weighted means).
    weights: as for :func:`admsim.appraise`.
    judgements: ``{criterion id: {option id: score or [low, high]}}``; a range is drawn
        uniformly in each replicate, so the rank probabilities carry the judgement's spread.
    attributes: ``{option id: {attribute: value}}`` over the shipped governance attributes:
        ``host_dependence`` (share 0-1 or [low, high]), ``political_exposure`` (given directly
        instead), ``formal_shared_ownership``, ``members_committed``, ``market_for_trading``
        (booleans the gateway reads), or any catalogue attribute.
    weight_samples, seed: as for :func:`admsim.appraise` (judgement and exposure ranges are
        drawn from their own stream of ``seed``).

    Every replicate pairs all options (common random numbers) and is ranked under every weight
    draw, as in :func:`admsim.appraise` (see its Method).
    """
    if not (hasattr(results, "councils") and hasattr(results, "options")):
        raise ValueError(f"appraise_region needs admsim RegionResults; got {type(results).__name__}")
    if results.summary_only:
        raise ValueError("appraise_region needs per-replicate outcomes for rank probabilities; "
                         "these results are summary-only: simulate_region again with output='full'")
    weight_samples = check_weight_samples(weight_samples)
    shipped = region_defaults()
    entries, governance = region_entries(results, attributes)
    questions = resolve_gateway(gateway, shipped["gateway"]["questions"])
    gate = evaluate_gateway(entries, questions)
    if criteria is None:
        criteria = [c["id"] for c in shipped["criteria"]]
    crit = prepare_criteria(criteria, weights, judgements, results.options, region_criteria())
    notes = [f"{len(results.councils)} councils: {shipped['aggregation']['note']}"]
    neutral = defaults()["neutral_effects"]["values"]
    raw = raw_values(region_outcomes(results), results.options, crit, entries, neutral, notes,
                     judgement_rng(seed))
    parts = score_and_rank(raw, results.options, crit, gate, weight_samples=weight_samples, seed=seed)
    return Appraisal(results=results, questions=questions, baseline=results.options[0],
                     notes=notes, governance=governance, _csf=None, **parts)
