"""The weighted criteria: resolving shipped ids and dicts, checking them, and applying the
user's weights (or ranges) and judgement scores."""
from __future__ import annotations

import math
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from ..outputs import OUTCOMES
from .defaults import DIRECTIONS, GROUPS, KINDS, default_criteria


def resolve_criteria(criteria: Iterable[Any] | None,
                     shipped_criteria: Iterable[Mapping[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Criteria as checked dicts, from shipped ids and dicts (``None``: every shipped one).
    ``shipped_criteria``: the shipped set ids name (default a council's, ``default_criteria()``)."""
    shipped = {c["id"]: dict(c) for c in (default_criteria() if shipped_criteria is None
                                          else shipped_criteria)}
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


def apply_weights(criteria: list[dict], weights: Mapping[str, Any] | None) -> None:
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


def apply_judgements(criteria: list[dict], judgements: Mapping[str, Any] | None,
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
            merged[model] = check_score(cid, model, score, lo, hi)
            basis[model] = "user judgement"
        c["default_scores"], c["basis"] = merged, basis


def check_score(cid: str, model: str, score: Any, lo: float, hi: float) -> float | list[float]:
    """A judgement score: a number from ``lo`` to ``hi``, or a range [low, high] within them
    (drawn uniformly in each replicate); returned as a float or a list of two floats."""
    def number(x: Any) -> bool:
        return (isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool)
                and lo <= x <= hi)

    if isinstance(score, (list, tuple)):
        if len(score) == 2 and number(score[0]) and number(score[1]) and score[0] <= score[1]:
            return [float(score[0]), float(score[1])]
    elif number(score):
        return float(score)
    raise ValueError(f"judgement for criterion {cid!r}, model {model!r} must be a number from {lo} "
                     f"to {hi}, or a range [low, high] within them; got {score!r}")
