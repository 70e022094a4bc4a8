""":func:`appraise`: from simulated results to an :class:`~admsim.appraisal.result.Appraisal`
(gateway, normalised criteria, weighted scores, SMAA rank probabilities, CSFs)."""
from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from .. import _core
from ..catalogue import catalogue_json
from ..results import Results
from ..scenario import load_scenario, to_json
from ..simulate import run_spec
from .criteria import apply_judgements, apply_weights, resolve_criteria
from .csf import csf_table
from .defaults import defaults
from .gateway import evaluate_gateway, resolve_gateway
from .result import Appraisal
from .scoring import normalise, raw_values
from .smaa import sample_weights, smaa


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
    if (not isinstance(weight_samples, (int, np.integer)) or isinstance(weight_samples, bool)
            or weight_samples < 1):
        raise ValueError(f"weight_samples must be a positive integer; got {weight_samples!r}")
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
    crit = resolve_criteria(criteria)
    apply_weights(crit, weights)
    apply_judgements(crit, judgements, results.models)
    w_total = sum(c["weight"] for c in crit)
    if w_total <= 0:
        raise ValueError("every criterion weight is 0: give at least one a positive weight")

    raw = raw_values(results, crit, entries, neutral, notes)
    passing = [m for m in results.models if gate.loc[m, "passed"]]
    if not passing:
        raise ValueError("no model passes the gateway:\n" + "\n".join(
            f"  {m}: fails {gate.loc[m, 'failed']}" for m in gate.index))
    p_idx = [results.models.index(m) for m in passing]
    raw_p = raw[p_idx]
    for k, c in enumerate(crit):
        bad = np.isnan(raw_p[:, :, k])
        if bad.any():
            who = [passing[i] for i in np.unique(np.nonzero(bad)[0])]
            raise ValueError(f"criterion {c['id']!r}: outcome {c.get('outcome')!r} is undefined "
                             f"(NaN) in {int(bad.sum())} model-replicates ({', '.join(who)}), "
                             "e.g. good_by_year5 in a run shorter than 5 years; drop or replace it")
    directions = [c["direction"] for c in crit]
    z = normalise(raw_p, directions)                                  # (P, R, C)

    ids = [c["id"] for c in crit]
    w0 = np.array([c["weight"] for c in crit]) / w_total
    weighted = z @ w0                                                 # (P, R)
    lo, hi = np.quantile(weighted, [0.05, 0.95], axis=1)
    weighted_df = pd.DataFrame({"mean": weighted.mean(axis=1), "5%": lo, "95%": hi},
                               index=pd.Index(passing, name="model"))

    rng = np.random.Generator(np.random.PCG64(seed))
    draws = sample_weights(crit, int(weight_samples), rng)
    probs, first_w, first_n = smaa(z, draws)
    ranks = [f"rank {j + 1}" for j in range(len(passing))]
    rp = pd.DataFrame(probs, index=pd.Index(passing, name="model"), columns=ranks)
    central = {m: (pd.Series(first_w[i] / first_n[i], index=ids) if first_n[i] > 0 else None)
               for i, m in enumerate(passing)}

    robustness = _robustness(rp, results.replicates, int(weight_samples))
    crit_df = pd.DataFrame([{
        "id": c["id"], "group": c["group"], "label": c["label"], "kind": c["kind"],
        "value": (c.get("outcome") if c["kind"] == "simulated" else c.get("attribute")
                  if c["kind"] == "attribute" else "judgement 1-5"),
        "direction": c["direction"], "weight": c["weight"] / w_total,
        "range low": (c["range"][0] if c["range"] else np.nan),
        "range high": (c["range"][1] if c["range"] else np.nan),
        "source": c.get("source", ""),
    } for c in crit]).set_index("id")

    return Appraisal(
        results=results, gateway=gate, questions=questions, criteria=crit_df,
        criteria_definitions=crit, weights=pd.Series(w0, index=ids, name="weight"),
        scores=pd.DataFrame(z.mean(axis=1), index=pd.Index(passing, name="model"), columns=ids),
        raw_scores=pd.DataFrame(_nanmean(raw), index=pd.Index(results.models, name="model"),
                                columns=ids),
        normalised=z, weighted=weighted_df, rank_probabilities=rp, central_weights=central,
        weight_draws=draws, robustness=robustness, baseline=baseline, notes=notes,
        replicates=results.replicates, weight_samples=int(weight_samples), seed=seed,
        _csf=csf_table(results, entries, baseline, neutral),
    )


def _nanmean(raw: np.ndarray) -> np.ndarray:
    with warnings.catch_warnings():  # all-NaN outcomes of failing models stay NaN quietly
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(raw, axis=1)


def _robustness(rp: pd.DataFrame, replicates: int, draws: int) -> str:
    first = rp["rank 1"].sort_values(ascending=False, kind="stable")
    top, p = first.index[0], float(first.iloc[0])
    over = f"over {replicates} replicates x {draws} weight draws"
    if len(rp) == 1:
        return f"Only {top} passes the gateway, so it ranks first by default."
    if p >= 0.8:
        return f"Robust: {top} ranks first with probability {p:.0%} {over}."
    share = [f"{m} {q:.0%}" for m, q in first.items() if q >= 0.05]
    return (f"Not robust: no option ranks first with probability 0.8 or more {over}; first place "
            f"is shared: {', '.join(share)}. Compare the central weight vectors to see which "
            "weights favour each.")
