""":func:`appraise`: from simulated results to an :class:`~admsim.appraisal.result.Appraisal`
(gateway, normalised criteria, weighted scores, SMAA rank probabilities, CSFs)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable, Mapping

from .. import _core
from ..catalogue import catalogue_json
from ..results import Results
from ..scenario import load_scenario, to_json
from ..simulate import run_spec
from .csf import csf_table
from .defaults import defaults
from .gateway import evaluate_gateway, resolve_gateway
from .ranking import check_weight_samples, judgement_rng, prepare_criteria, score_and_rank
from .result import Appraisal
from .scoring import raw_values


def model_entries(results: Any) -> dict[str, dict[str, Any]]:
    """Each simulated model's full entry, resolved by the engine itself (catalogue entry with the
    scenario's overrides merged in), so the appraisal reads the attributes that were simulated."""
    entries = _core.resolve_models(to_json(results.spec), catalogue_json())
    return {entry["id"]: entry for entry in map(json.loads, entries)}


def appraise(
    results: Any,
    *,
    gateway: Iterable[Any] | None = None,
    criteria: Iterable[Any] | None = None,
    weights: Mapping[str, Any] | None = None,
    judgements: Mapping[str, Mapping[str, float]] | None = None,
    weight_samples: int = 2000,
    seed: int = 0,
    baseline: str | None = None,
) -> Appraisal:
    """Appraise simulated delivery models: gateway, weighted criteria, rank probabilities.

    Parameters
    ----------
    results: :class:`admsim.Results` in full mode (per-replicate outcomes are needed), or a
        scenario dict (as built by :func:`admsim.build_scenario`) or scenario JSON path, which is
        simulated here with ``output="full"``.
    gateway: questions; default Worcestershire's four (seed 003 para 10). Items are shipped
        question ids, dicts ``{id, question, attribute, pass_when}`` (pass when the model's
        attribute equals ``pass_when``, default True, or any of a list), or callables
        ``f(model_entry) -> bool`` (the entry is the catalogue entry with the scenario's
        overrides merged in; the function's name is the id, its docstring's first line the
        question). ``[]`` passes every model. Attributes come from the catalogue, with any
        overrides in the scenario's model dicts merged in (models not in the catalogue use their
        dict's ``attributes``).
    criteria: default the shipped 13 (``default_criteria()``); items are shipped ids or dicts
        (a dict with a shipped id overrides parts of it). Each criterion has ``kind``
        ``simulated`` (``outcome``, a name in ``admsim.simulate.OUTCOMES``), ``attribute``
        (``attribute``: a catalogue attribute, ranges scored at their midpoint, booleans as 0/1,
        strings through a ``levels`` dict; or ``effects.<hook>``, the mean of the model's
        effect distribution, ``neutral`` where it has none) or ``judgement`` (scores 1-5 per
        model, shipped defaults drawn from the seeds' considerations).
    weights: ``{criterion id: w}`` fixes a weight (its range collapses to w); ``[low, high]``
        sets a range (central weight its midpoint); ``{"weight": w, "range": [low, high]}``
        sets both. Unnamed criteria keep their defaults.
    judgements: ``{criterion id: {model id: score}}`` replaces default judgement scores.
    weight_samples, seed: number of weight draws for SMAA, and the seed of
        ``numpy.random.Generator(PCG64(seed))`` that draws them (the appraisal is deterministic).
    baseline: the model that simulated CSF evidence is compared with (default: the scenario's).

    Method
    ------
    *Normalisation*: for each replicate and criterion, raw values are min-max normalised across
    the models that pass the gateway, oriented so 1 is the best and 0 the worst; if every
    passing model has the same value, all score 1. Attribute and judgement criteria are the same
    in every replicate. Min-max scores depend on which models are compared (adding a model can
    reorder others), and a criterion on which models hardly differ still spans 0 to 1: read the
    raw values (``raw_scores``) alongside.
    *Weights* are normalised to sum 1 over all criteria. The weighted score is the normalised
    scores times the central weights, reported as its mean and 90% interval over replicates.
    *SMAA*: ``weight_samples`` weight vectors are drawn (each criterion uniform within its range,
    then normalised; Dirichlet around the weights if no criterion has a range: see
    :func:`sample_weights`); every (replicate, draw) pair ranks the passing models by weighted
    score (ties share ranks), giving rank probabilities over both sources of uncertainty. The
    central weight vector of a model is the mean of the weight draws in which it ranks first.
    The ranking is called robust when the top model's P(rank 1) is at least 0.8.
    """
    if isinstance(results, (str, Path)):
        results = load_scenario(results)
    if isinstance(results, Mapping):
        spec = dict(results)
        spec["output"] = "full"
        results = run_spec(spec)
    if not isinstance(results, Results):
        raise ValueError("appraise needs admsim Results or a scenario dict; got "
                         f"{type(results).__name__}")
    if results.summary_only:
        raise ValueError("appraise needs per-replicate outcomes for rank probabilities; these "
                         "results are summary-only: simulate again with output='full'")
    weight_samples = check_weight_samples(weight_samples)
    baseline = baseline or results.baseline
    if baseline not in results.models:
        raise ValueError(f"baseline {baseline!r} is not among the simulated models: "
                         f"{', '.join(results.models)}")

    shipped = defaults()
    neutral = shipped["neutral_effects"]["values"]
    entries = model_entries(results)
    questions = resolve_gateway(gateway)
    notes: list[str] = []
    # A question tied to the council's situation (a direction after an Inadequate grade) is left
    # out where that situation does not hold, and the notes say so.
    last_grade = results.spec.get("profile", {}).get("ofsted", {}).get("last_grade")
    kept = []
    for q in questions:
        when = q.get("applies_when_last_grade")
        if when is not None and last_grade not in when:
            notes.append(f"gateway question {q['id']!r} left out: the council's last grade is "
                         f"{last_grade} ({q.get('applies_note', 'it applies only when the last grade is ' + ', '.join(when))})")
        else:
            kept.append(q)
    questions = kept
    gate = evaluate_gateway(entries, questions)
    crit = prepare_criteria(criteria, weights, judgements, results.models)
    raw = raw_values(results.outcomes, results.models, crit, entries, neutral, notes,
                     judgement_rng(seed))
    parts = score_and_rank(raw, results.models, crit, gate, weight_samples=weight_samples, seed=seed)
    return Appraisal(results=results, questions=questions, baseline=baseline, notes=notes,
                     _csf=csf_table(results, entries, baseline, neutral), **parts)
