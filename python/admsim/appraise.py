"""Options appraisal: gateway questions, weighted criteria and rank probabilities.

This does the job the seed documents describe (Worcestershire: 16 models, gateway questions, a
shortlist of five, weighted desirability / viability / feasibility criteria; Birmingham: 11
critical success factors), with simulated outcomes and honest uncertainty in place of a
spreadsheet.

>>> import admsim
>>> from admsim.appraise import appraise
>>> res = admsim.simulate("worcestershire-2017", years=5, replicates=200)
>>> a = appraise(res)
>>> a.table()          # gateway, criterion scores, weighted score, P(rank 1..k)
>>> a.robustness       # is the first place robust to replicates and weights?
>>> a.csf()            # which of Birmingham's critical success factors each model meets

Shipped defaults (gateway questions, criteria, weights and ranges, default judgement scores,
the critical success factors) are in ``admsim/data/appraisal.json``, each with its source;
:func:`defaults` returns them.
"""
from __future__ import annotations

import copy
import json
import math
import warnings
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from . import _core
from .catalogue import catalogue_json
from .scenario import distribution_mean, load_scenario, to_json

GROUPS = ("desirability", "viability", "feasibility")
DIRECTIONS = ("higher_is_better", "lower_is_better")
KINDS = ("simulated", "judgement", "attribute")
_MISSING = object()
_TIE_DECIMALS = 10  # weighted scores equal to 10 decimals count as tied


# ---- shipped defaults ---------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _shipped() -> str:
    return resources.files("admsim").joinpath("data/appraisal.json").read_text(encoding="utf-8")


def defaults() -> dict[str, Any]:
    """The shipped appraisal defaults (a fresh copy of ``admsim/data/appraisal.json``)."""
    return json.loads(_shipped())


def default_gateway() -> list[dict[str, Any]]:
    """Worcestershire's four gateway questions (seed 003 para 10), as dicts."""
    return defaults()["gateway"]["questions"]


def default_criteria() -> list[dict[str, Any]]:
    """The shipped criteria, as dicts (see ``appraisal.json`` for each one's rationale)."""
    return defaults()["criteria"]


# ---- model entries ------------------------------------------------------------------------------
def _model_entries(results: Any) -> dict[str, dict[str, Any]]:
    """Each simulated model's full entry, resolved by the engine itself (catalogue entry with the
    scenario's overrides merged in), so the appraisal reads the attributes that were simulated."""
    entries = _core.resolve_models(to_json(results.spec), catalogue_json())
    return {entry["id"]: entry for entry in map(json.loads, entries)}


# ---- gateway ------------------------------------------------------------------------------------
def _resolve_gateway(gateway: Iterable[Any] | None) -> list[dict[str, Any]]:
    shipped = {q["id"]: q for q in default_gateway()}
    if gateway is None:
        return list(shipped.values())
    if isinstance(gateway, (str, Mapping)) or callable(gateway):
        gateway = [gateway]
    out: list[dict[str, Any]] = []
    for i, item in enumerate(gateway):
        if isinstance(item, str):
            if item not in shipped:
                raise ValueError(f"unknown gateway question {item!r}; shipped questions: "
                                 f"{', '.join(shipped)} (or pass a dict or a callable)")
            out.append(dict(shipped[item]))
        elif isinstance(item, Mapping):
            q = dict(shipped.get(item.get("id"), {}))  # a shipped id: override parts of it
            q.update(item)
            missing = [k for k in ("id", "question", "attribute") if k not in q]
            if missing:
                raise ValueError(f"gateway question {q.get('id', i)!r} needs {', '.join(missing)}: "
                                 "a dict {id, question, attribute, pass_when}")
            q.setdefault("pass_when", True)
            out.append(q)
        elif callable(item):
            name = getattr(item, "__name__", f"question_{i}")
            doc = (getattr(item, "__doc__", None) or "").strip().splitlines()
            out.append({"id": name, "question": doc[0] if doc else name, "attribute": None,
                        "pass_when": True, "callable": item})
        else:
            raise ValueError(f"gateway question {i} must be a shipped id, a dict "
                             f"{{id, question, attribute, pass_when}} or a callable; got {item!r}")
    ids = [q["id"] for q in out]
    dup = sorted({x for x in ids if ids.count(x) > 1})
    if dup:
        raise ValueError(f"duplicate gateway question id(s): {', '.join(map(str, dup))}")
    return out


def _passes(value: Any, pass_when: Any) -> bool:
    if isinstance(pass_when, (list, tuple, set)):
        return any(_passes(value, p) for p in pass_when)
    if isinstance(pass_when, bool):  # True must not match 1.0 or "yes"
        return isinstance(value, (bool, np.bool_)) and bool(value) is pass_when
    return value == pass_when


def _evaluate_gateway(entries: Mapping[str, dict], questions: list[dict]) -> pd.DataFrame:
    rows = []
    for model, entry in entries.items():
        attrs = entry.get("attributes", {})
        row: dict[str, Any] = {"model": model}
        failed, reasons = [], []
        for q in questions:
            if "callable" in q:
                try:
                    ok = bool(q["callable"](copy.deepcopy(entry)))
                except Exception as err:  # name the question and model, keep the cause
                    raise ValueError(f"gateway question {q['id']!r} raised {err!r} for model "
                                     f"{model!r}") from err
                shown = "user test"
            else:
                value = attrs.get(q["attribute"], _MISSING)
                ok = value is not _MISSING and _passes(value, q["pass_when"])
                shown = (f"{q['attribute']} not given" if value is _MISSING
                         else f"{q['attribute']} = {json.dumps(value)}")
            row[q["id"]] = ok
            if not ok:
                failed.append(q["id"])
                reasons.append(f"{q['question']} No ({shown}).")
        notes = entry.get("gateway_notes")
        if not failed:
            reasons.append(f"Passes all {len(questions)} gateway questions.")
        if notes:
            reasons.append(f"Catalogue note: {notes}")
        row.update(passed=not failed, failed=", ".join(failed), reason=" ".join(reasons))
        rows.append(row)
    cols = ["model", "passed", "failed", *[q["id"] for q in questions], "reason"]
    return pd.DataFrame(rows, columns=cols).set_index("model")


# ---- criteria -----------------------------------------------------------------------------------
def _resolve_criteria(criteria: Iterable[Any] | None) -> list[dict[str, Any]]:
    shipped = {c["id"]: c for c in default_criteria()}
    if criteria is None:
        items: list[Any] = list(shipped.values())
    elif isinstance(criteria, (str, Mapping)):
        items = [criteria]
    else:
        items = list(criteria)
    out = []
    for i, item in enumerate(items):
        if isinstance(item, str):
            if item not in shipped:
                raise ValueError(f"unknown criterion {item!r}; shipped criteria: "
                                 f"{', '.join(shipped)} (or pass a dict)")
            c = dict(shipped[item])
        elif isinstance(item, Mapping):
            if "id" not in item:
                raise ValueError(f"criterion {i} needs an 'id'")
            c = dict(shipped[item["id"]], **item) if item["id"] in shipped else dict(item)
        else:
            raise ValueError(f"criterion {i} must be a shipped id or a dict; got {item!r}")
        _check_criterion(c)
        out.append(c)
    ids = [c["id"] for c in out]
    dup = sorted({x for x in ids if ids.count(x) > 1})
    if dup:
        raise ValueError(f"duplicate criterion id(s): {', '.join(dup)}")
    if not out:
        raise ValueError("no criteria to appraise on")
    return out


def _check_criterion(c: dict[str, Any]) -> None:
    from .simulate import OUTCOMES

    cid = c["id"]
    for key in ("group", "kind", "direction", "weight"):
        if key not in c:
            raise ValueError(f"criterion {cid!r} needs {key!r}")
    if c["group"] not in GROUPS:
        raise ValueError(f"criterion {cid!r}: group {c['group']!r} is not one of {', '.join(GROUPS)}")
    if c["kind"] not in KINDS:
        raise ValueError(f"criterion {cid!r}: kind {c['kind']!r} is not one of {', '.join(KINDS)}")
    if c["direction"] not in DIRECTIONS:
        raise ValueError(f"criterion {cid!r}: direction {c['direction']!r} is not one of "
                         f"{', '.join(DIRECTIONS)}")
    if c["kind"] == "simulated" and c.get("outcome") not in OUTCOMES:
        raise ValueError(f"criterion {cid!r}: outcome {c.get('outcome')!r} is not a simulated "
                         f"outcome; known: {', '.join(OUTCOMES)}")
    if c["kind"] == "attribute" and not isinstance(c.get("attribute"), str):
        raise ValueError(f"criterion {cid!r}: an attribute criterion needs 'attribute' "
                         "(a catalogue attribute, or 'effects.<hook>')")
    c.setdefault("label", cid)
    c.setdefault("range", None)
    _check_weight(cid, c["weight"], c["range"])


def _check_weight(cid: str, weight: Any, rng: Any) -> None:
    def bad(x: Any) -> bool:
        return (not isinstance(x, (int, float, np.integer, np.floating)) or isinstance(x, bool)
                or not math.isfinite(x) or x < 0)

    if bad(weight):
        raise ValueError(f"weight of criterion {cid!r} must be a finite number >= 0; got {weight!r}")
    if rng is None:
        return
    if (not isinstance(rng, (list, tuple)) or len(rng) != 2 or bad(rng[0]) or bad(rng[1])
            or rng[0] > rng[1]):
        raise ValueError(f"weight range of criterion {cid!r} must be [low, high] with "
                         f"0 <= low <= high; got {rng!r}")
    if not rng[0] <= weight <= rng[1]:
        raise ValueError(f"weight of criterion {cid!r} ({weight!r}) is outside its range {list(rng)!r}")


def _apply_weights(criteria: list[dict], weights: Mapping[str, Any] | None) -> None:
    if weights is None:
        return
    if not isinstance(weights, Mapping):
        raise ValueError("weights must be a dict {criterion id: weight | [low, high] | "
                         "{'weight': w, 'range': [low, high]}}")
    by_id = {c["id"]: c for c in criteria}
    for cid, w in weights.items():
        if cid not in by_id:
            raise ValueError(f"weight given for unknown criterion {cid!r}; criteria in this "
                             f"appraisal: {', '.join(by_id)}")
        c = by_id[cid]
        if isinstance(w, Mapping):
            unknown = set(w) - {"weight", "range"}
            if unknown:
                raise ValueError(f"weight of criterion {cid!r}: unknown key(s) {sorted(unknown)}")
            rng = w.get("range", c["range"])
            if "weight" in w:
                weight = w["weight"]
            elif rng is not None:
                try:
                    weight = 0.5 * (float(rng[0]) + float(rng[1]))
                except (TypeError, ValueError, IndexError, KeyError):
                    raise ValueError(f"weight range of criterion {cid!r} must be [low, high]; "
                                     f"got {rng!r}") from None
            else:
                weight = c["weight"]
        elif isinstance(w, (list, tuple)):
            if len(w) != 2:
                raise ValueError(f"weight range of criterion {cid!r} must be [low, high]; got {w!r}")
            rng = list(w)
            weight = 0.5 * (w[0] + w[1]) if all(isinstance(x, (int, float)) for x in w) else w[0]
        else:
            weight, rng = w, [w, w]  # a single number fixes the weight
        _check_weight(cid, weight, rng)
        c["weight"], c["range"] = float(weight), (list(map(float, rng)) if rng is not None else None)


def _apply_judgements(criteria: list[dict], judgements: Mapping[str, Any] | None,
                      models: Sequence[str]) -> None:
    if judgements is None:
        return
    if not isinstance(judgements, Mapping):
        raise ValueError("judgements must be a dict {criterion id: {model id: score}}")
    by_id = {c["id"]: c for c in criteria}
    for cid, scores in judgements.items():
        if cid not in by_id:
            raise ValueError(f"judgement given for unknown criterion {cid!r}; criteria in this "
                             f"appraisal: {', '.join(by_id)}")
        c = by_id[cid]
        if c["kind"] != "judgement":
            raise ValueError(f"criterion {cid!r} is {c['kind']}, not a judgement: it cannot be scored")
        if not isinstance(scores, Mapping):
            raise ValueError(f"judgements for criterion {cid!r} must be a dict {{model id: score}}")
        lo, hi = c.get("scale", [1, 5])
        merged = dict(c.get("default_scores", {}))
        basis = dict(c.get("basis", {}))
        for model, score in scores.items():
            if model not in models:
                raise ValueError(f"judgement for criterion {cid!r} names model {model!r}, which is "
                                 f"not in these results: {', '.join(models)}")
            if (not isinstance(score, (int, float, np.integer, np.floating)) or isinstance(score, bool)
                    or not lo <= score <= hi):
                raise ValueError(f"judgement for criterion {cid!r}, model {model!r} must be a number "
                                 f"from {lo} to {hi}; got {score!r}")
            merged[model] = float(score)
            basis[model] = "user judgement"
        c["default_scores"], c["basis"] = merged, basis


def _attribute_value(c: dict, model: str, entry: Mapping[str, Any],
                     neutral: Mapping[str, float]) -> float:
    path = c["attribute"]
    if path.startswith("effects."):
        hook = path.split(".", 1)[1]
        dist = entry.get("effects", {}).get(hook)
        if dist is None:
            value: Any = c.get("neutral", neutral.get(hook))
            if value is None:
                raise ValueError(f"criterion {c['id']!r}: model {model!r} has no effect {hook!r} "
                                 "and the criterion gives no 'neutral' value")
            return float(value)
        value = distribution_mean(dist, hook)
    else:
        value = entry.get("attributes", {}).get(path, _MISSING)
        if value is _MISSING:
            raise ValueError(f"criterion {c['id']!r}: model {model!r} has no attribute {path!r}")
    if isinstance(value, (bool, np.bool_)):
        return float(value)
    if isinstance(value, str):
        levels = c.get("levels")
        if not levels or value not in levels:
            raise ValueError(f"criterion {c['id']!r}: attribute {path!r} of model {model!r} is "
                             f"{value!r}; give the criterion 'levels' mapping each value to a number")
        return float(levels[value])
    if isinstance(value, (list, tuple)) and len(value) == 2:
        return 0.5 * (float(value[0]) + float(value[1]))  # a [low, high] range: its midpoint
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    raise ValueError(f"criterion {c['id']!r}: attribute {path!r} of model {model!r} is {value!r}, "
                     "not a number, boolean, [low, high] range or level")


def _raw_values(results: Any, criteria: list[dict], entries: Mapping[str, dict],
                neutral: Mapping[str, float], notes: list[str]) -> np.ndarray:
    """Raw criterion values, array (model, replicate, criterion), all models in results."""
    from .simulate import OUTCOMES

    M, R = len(results.models), results.replicates
    out = np.empty((M, R, len(criteria)))
    for k, c in enumerate(criteria):
        if c["kind"] == "simulated":
            out[:, :, k] = results.outcomes[:, :, OUTCOMES.index(c["outcome"])]
        elif c["kind"] == "attribute":
            for m, model in enumerate(results.models):
                out[m, :, k] = _attribute_value(c, model, entries[model], neutral)
        else:
            scores = c.get("default_scores", {})
            lo, hi = c.get("scale", [1, 5])
            for m, model in enumerate(results.models):
                if model in scores:
                    out[m, :, k] = scores[model]
                else:
                    mid = 0.5 * (lo + hi)
                    notes.append(f"{c['id']}: no judgement for {model!r}; scored {mid:g} (neutral)")
                    warnings.warn(f"admsim.appraise: no {c['id']} judgement for model {model!r}; "
                                  f"using the neutral score {mid:g} (pass judgements=...)",
                                  stacklevel=3)
                    out[m, :, k] = mid
    return out


def normalise(values: np.ndarray, directions: Sequence[str]) -> np.ndarray:
    """Min-max normalise raw values, array (model, replicate, criterion), across models.

    For each replicate and criterion: ``(x - min) / (max - min)`` when higher is better,
    ``(max - x) / (max - min)`` when lower is better, so 1 is the best model and 0 the worst;
    where every model has the same value, every model scores 1.
    """
    values = np.asarray(values, dtype=float)
    lo = values.min(axis=0, keepdims=True)
    hi = values.max(axis=0, keepdims=True)
    span = hi - lo
    lower = np.array([d == "lower_is_better" for d in directions])
    oriented = np.where(lower, hi - values, values - lo)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(span > 0, oriented / np.where(span > 0, span, 1.0), 1.0)
    return z


# ---- SMAA ---------------------------------------------------------------------------------------
def sample_weights(criteria: Sequence[Mapping[str, Any]], n: int,
                   rng: np.random.Generator) -> np.ndarray:
    """Weight draws, array (n, criterion), each row summing to 1.

    Criteria with a weight range ``[low, high]`` draw uniformly within it (a collapsed range
    fixes the weight); criteria without one keep their weight; each row is then divided by its
    sum. If **no** criterion has a range, rows are Dirichlet with concentration
    ``number of criteria x normalised weight`` (mean = the weights; zero weights stay zero).
    """
    w0 = np.array([float(c["weight"]) for c in criteria])
    ranges = [c.get("range") for c in criteria]
    if all(r is None for r in ranges):
        if w0.sum() <= 0:
            raise ValueError("every criterion weight is 0: give at least one a positive weight")
        alpha = w0 / w0.sum() * len(w0)
        draws = np.zeros((n, len(w0)))
        pos = alpha > 0
        draws[:, pos] = rng.dirichlet(alpha[pos], size=n)
        return draws
    lo = np.array([r[0] if r is not None else w for r, w in zip(ranges, w0)], dtype=float)
    hi = np.array([r[1] if r is not None else w for r, w in zip(ranges, w0)], dtype=float)
    if hi.sum() <= 0:
        raise ValueError("every criterion weight (and range) is 0: give at least one a positive weight")
    draws = lo + (hi - lo) * rng.random((n, len(w0)))
    total = draws.sum(axis=1, keepdims=True)
    if np.any(total <= 0):  # only if several ranges start at 0 and all draw exactly 0
        draws[total[:, 0] <= 0] = hi
        total = draws.sum(axis=1, keepdims=True)
    return draws / total


def _smaa(scores: np.ndarray, weight_samples: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rank probabilities, first-place weight sums and first-place counts over all pairs.

    ``scores``: (model, replicate, criterion), already oriented so higher is better.
    Ties (weighted scores equal to 10 decimals) share the ranks they span equally.
    """
    scores = np.asarray(scores, dtype=float)
    if scores.ndim == 2:
        scores = scores[:, None, :]
    if scores.ndim != 3:
        raise ValueError("scores must be an array (model, criterion) or (model, replicate, criterion)")
    W = np.asarray(weight_samples, dtype=float)
    if W.ndim == 1:
        W = W[None, :]
    M, R, C = scores.shape
    if W.ndim != 2 or W.shape[1] != C:
        raise ValueError(f"weight_samples must be an array (draw, criterion) with {C} criteria; "
                         f"got shape {W.shape}")
    if np.any(~np.isfinite(W)) or np.any(W < 0) or np.any(W.sum(axis=1) <= 0):
        raise ValueError("weight samples must be finite, >= 0, and each draw must have a positive sum")
    if np.any(~np.isfinite(scores)):
        raise ValueError("scores must be finite")
    W = W / W.sum(axis=1, keepdims=True)
    N = W.shape[0]
    acc = np.zeros(M * (M + 1))
    first_w = np.zeros((M, C))
    first_n = np.zeros(M)
    chunk = max(1, int(2e7 // max(1, N * M * M)))
    model_idx = np.arange(M)
    for start in range(0, R, chunk):
        z = scores[:, start:start + chunk, :]                       # (M, r, C)
        s = np.round(np.einsum("mrc,nc->rnm", z, W), _TIE_DECIMALS)  # (r, N, M)
        better = (s[..., None, :] > s[..., :, None]).sum(axis=-1)   # models strictly ahead
        tied = (s[..., None, :] == s[..., :, None]).sum(axis=-1)    # including itself
        share = 1.0 / tied
        base = model_idx * (M + 1)
        acc += np.bincount((base + better).ravel(), weights=share.ravel(), minlength=M * (M + 1))
        acc -= np.bincount((base + better + tied).ravel(), weights=share.ravel(),
                           minlength=M * (M + 1))
        first = np.where(better == 0, share, 0.0)                   # (r, N, M)
        first_w += np.einsum("rnm,nc->mc", first, W)
        first_n += first.sum(axis=(0, 1))
    probs = np.cumsum(acc.reshape(M, M + 1), axis=1)[:, :M] / (R * N)
    probs = np.clip(probs, 0.0, 1.0)
    return probs, first_w, first_n


def rank_probabilities(scores: np.ndarray, weight_samples: np.ndarray) -> np.ndarray:
    """SMAA rank probabilities from arrays: element ``[m, k]`` is P(model m ranks k+1).

    ``scores`` is (model, replicate, criterion) or (model, criterion), normalised and oriented
    so that higher is better; ``weight_samples`` is (draw, criterion), each row normalised to
    sum 1 here. Every (replicate, weight draw) pair ranks the models by ``scores @ weights``;
    tied models share the ranks they span equally, so each row and each column sums to 1.
    """
    return _smaa(scores, weight_samples)[0]


# ---- critical success factors -------------------------------------------------------------------
def _csf_table(results: Any, entries: Mapping[str, dict], baseline: str,
               neutral: Mapping[str, float]) -> pd.DataFrame:
    from .simulate import OUTCOMES

    spec = defaults()["critical_success_factors"]
    b = results.models.index(baseline)
    rows = []
    for m, model in enumerate(results.models):
        entry = entries[model]
        attrs = entry.get("attributes", {})
        for f in spec["factors"]:
            checks, texts = [], []
            for ev in f["evidence"]:
                if ev["kind"] == "attribute":
                    value = attrs.get(ev["attribute"], _MISSING)
                    if "equals" in ev:
                        ok = value is not _MISSING and _passes(value, ev["equals"])
                    else:
                        ok = value is not _MISSING and value in ev["in"]
                    shown = "not given" if value is _MISSING else json.dumps(value)
                    texts.append(f"{ev['attribute']} = {shown}")
                elif ev["kind"] == "effect":
                    dist = entry.get("effects", {}).get(ev["effect"])
                    value = (distribution_mean(dist, ev["effect"]) if dist
                             else neutral.get(ev["effect"], math.nan))
                    ok = value > ev["above"] if "above" in ev else value < ev["below"]
                    rule = f"> {ev['above']:g}" if "above" in ev else f"< {ev['below']:g}"
                    texts.append(f"effect {ev['effect']} mean {value:.3g} ({rule} needed)")
                else:  # outcome vs baseline
                    k = OUTCOMES.index(ev["outcome"])
                    mine = float(np.nanmean(results.outcomes[m, :, k]))
                    base = float(np.nanmean(results.outcomes[b, :, k]))
                    ok = mine < base if ev["direction"] == "lower_is_better" else mine > base
                    texts.append(f"simulated {ev['outcome']} {mine:.3g} vs {base:.3g} for {baseline}")
                checks.append(bool(ok))
            meets = all(checks) if f.get("meets_when", "all") == "all" else any(checks)
            rows.append({"model": model, "csf": f["id"], "number": f["number"],
                         "factor": f["short"], "text": f["text"], "area": f["area"],
                         "meets": meets, "evidence": "; ".join(texts)})
    return pd.DataFrame(rows)


# ---- the appraisal ------------------------------------------------------------------------------
class Appraisal:
    """The result of :func:`appraise`.

    Attributes
    ----------
    gateway: DataFrame, one row per model: ``passed``, ``failed`` (question ids), one column per
        question, and ``reason`` (each failed question, the attribute value, the catalogue note).
    criteria: DataFrame of the criteria used, with normalised central weights and ranges.
    weights: Series, the central (default) weights normalised to sum 1.
    scores: DataFrame (passing model x criterion): mean normalised score, 1 = best.
    raw_scores: DataFrame (every model x criterion): mean raw value over replicates.
    weighted: DataFrame (passing model): weighted score at the central weights, mean and 90%
        interval over replicates.
    rank_probabilities: DataFrame (passing model x rank 1..k).
    central_weights: dict model -> Series of weights (the mean weight vector over the draws in
        which it ranks first), or None if it never does.
    robustness: str, whether the first place is robust.
    notes: list of str, anything the appraisal filled in (e.g. neutral judgement scores).
    """

    def __init__(self, **parts: Any):
        self.__dict__.update(parts)

    def __repr__(self) -> str:
        return (f"<admsim.Appraisal {len(self.gateway)} models, {int(self.gateway.passed.sum())} "
                f"pass the gateway, {len(self.criteria)} criteria, "
                f"{self.replicates} replicates x {self.weight_samples} weight draws>")

    def table(self) -> pd.DataFrame:
        """One row per model: gateway result, criterion scores, weighted score, P(rank 1..k).

        Models that pass the gateway come first, in order of expected rank; models that fail it
        follow with empty scores.
        """
        passing = list(self.rank_probabilities.index)
        k = len(passing)
        ranks = np.arange(1, k + 1)
        expected = pd.Series(self.rank_probabilities.to_numpy() @ ranks, index=passing)
        order = list(expected.sort_values(kind="stable").index)
        order += [m for m in self.gateway.index if m not in order]
        t = pd.DataFrame(index=pd.Index(order, name="model"))
        t["gateway"] = self.gateway["passed"].map({True: "pass", False: "fail"})
        t["failed"] = self.gateway["failed"]
        for cid in self.scores.columns:
            t[cid] = self.scores[cid]
        t["score"] = self.weighted["mean"]
        t["score 5%"] = self.weighted["5%"]
        t["score 95%"] = self.weighted["95%"]
        t["expected rank"] = expected
        for col in self.rank_probabilities.columns:
            t[f"P({col})"] = self.rank_probabilities[col]
        return t

    def csf(self, long: bool = False) -> pd.DataFrame:
        """Which of seed 002's 11 critical success factors each model meets.

        Wide (default): one row per model, columns ``(system challenge area, "CSF n: factor")``,
        values True/False. ``long=True``: one row per (model, CSF) with the factor's text, area,
        ``meets`` and the evidence (attribute values, effect means, simulated outcomes against
        the baseline).
        """
        if long:
            return self._csf.copy()
        cols = pd.MultiIndex.from_tuples(
            [(a, f"CSF {n}: {f}") for n, f, a in
             self._csf[["number", "factor", "area"]].drop_duplicates().itertuples(index=False)],
            names=["system challenge area", "critical success factor"])
        wide = self._csf.pivot(index="model", columns="number", values="meets")
        wide = wide.reindex(index=list(self.gateway.index))
        wide.columns = cols
        return wide.astype(bool)

    # ---- charts -----------------------------------------------------------------------------
    def plot_ranks(self, figsize: tuple[float, float] | None = None):
        """Stacked bars of rank probabilities, one bar per passing model (a matplotlib Figure)."""
        import matplotlib.pyplot as plt
        from matplotlib.ticker import PercentFormatter

        rp = self.rank_probabilities.loc[self.table().index[:len(self.rank_probabilities)]]
        k = rp.shape[1]
        fig, ax = plt.subplots(figsize=figsize or (max(6.0, 1.2 * len(rp) + 2), 4.5),
                               layout="constrained")
        colours = plt.get_cmap("viridis")(np.linspace(0.1, 0.9, k))
        bottom = np.zeros(len(rp))
        x = np.arange(len(rp))
        for j in range(k):
            ax.bar(x, rp.iloc[:, j], bottom=bottom, color=colours[j], label=f"{j + 1}",
                   edgecolor="white", linewidth=0.5)
            bottom += rp.iloc[:, j].to_numpy()
        ax.set_xticks(x, rp.index, rotation=30, ha="right")
        ax.set_ylim(0, 1)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_xlabel("Delivery model (passing the gateway), by expected rank")
        ax.set_ylabel("Probability of each rank")
        ax.set_title(f"Rank probabilities over {self.replicates} replicates x "
                     f"{self.weight_samples} weight draws (SMAA)")
        ax.legend(title="Rank", bbox_to_anchor=(1.01, 1), loc="upper left", frameon=False)
        return fig

    def plot_heatmap(self, figsize: tuple[float, float] | None = None):
        """Heat map of mean normalised criterion scores (1 = best among passing models)."""
        import matplotlib.pyplot as plt

        order = list(self.table().index[:len(self.scores)])
        data = self.scores.loc[order]
        labels = [f"{self.criteria.loc[c, 'label']}\n({self.criteria.loc[c, 'group']}, "
                  f"w={self.weights[c]:.0%})" for c in data.columns]
        fig, ax = plt.subplots(figsize=figsize or (1.1 * data.shape[1] + 3, 0.55 * data.shape[0] + 2.8),
                               layout="constrained")
        im = ax.imshow(data.to_numpy(), cmap="RdYlGn", vmin=0, vmax=1, aspect="auto")
        ax.set_xticks(np.arange(data.shape[1]), labels, rotation=45, ha="right", fontsize=8)
        ax.set_yticks(np.arange(data.shape[0]), data.index)
        for i in range(data.shape[0]):
            for j in range(data.shape[1]):
                ax.text(j, i, f"{data.iat[i, j]:.2f}", ha="center", va="center", fontsize=7)
        ax.set_xlabel("Criterion (group, central weight)")
        ax.set_ylabel("Delivery model")
        ax.set_title("Criterion scores, min-max normalised across passing models (1 = best)")
        fig.colorbar(im, ax=ax, label="Mean normalised score")
        return fig


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
    from .simulate import Results, run_spec

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
    entries = _model_entries(results)
    questions = _resolve_gateway(gateway)
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
    gate = _evaluate_gateway(entries, questions)
    crit = _resolve_criteria(criteria)
    _apply_weights(crit, weights)
    _apply_judgements(crit, judgements, results.models)
    w_total = sum(c["weight"] for c in crit)
    if w_total <= 0:
        raise ValueError("every criterion weight is 0: give at least one a positive weight")

    raw = _raw_values(results, crit, entries, neutral, notes)
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
    probs, first_w, first_n = _smaa(z, draws)
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
        _csf=_csf_table(results, entries, baseline, neutral),
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
