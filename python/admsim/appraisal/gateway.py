"""The gateway: yes/no questions a delivery model must pass before it is scored (Worcestershire's
four by default), as shipped ids, dicts or callables."""
from __future__ import annotations

import copy
import json
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from .defaults import MISSING, default_gateway


def resolve_gateway(gateway: Iterable[Any] | None,
                    shipped_questions: Iterable[Mapping[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Gateway questions as dicts, from shipped ids, dicts and callables (``None``: every shipped
    one). ``shipped_questions``: the set ids name (default a council's, ``default_gateway()``)."""
    shipped = {q["id"]: dict(q) for q in (default_gateway() if shipped_questions is None
                                          else shipped_questions)}
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


def passes(value: Any, pass_when: Any) -> bool:
    if isinstance(pass_when, (list, tuple, set)):
        return any(passes(value, p) for p in pass_when)
    if isinstance(pass_when, bool):  # True must not match 1.0 or "yes"
        return isinstance(value, (bool, np.bool_)) and bool(value) is pass_when
    return value == pass_when


def evaluate_gateway(entries: Mapping[str, dict], questions: list[dict]) -> pd.DataFrame:
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
                value = attrs.get(q["attribute"], MISSING)
                ok = value is not MISSING and passes(value, q["pass_when"])
                shown = (f"{q['attribute']} not given" if value is MISSING
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
