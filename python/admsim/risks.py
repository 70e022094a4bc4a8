"""The risk register: seed 002's 17 rated risks as data the engine reads.

Each risk in ``data/risk_register.json`` has the register's wording, likelihood and impact, and how
admsim reads it: which arrangements it applies to (``all`` includes in-house: operational social
work, the national shortage of social workers, demand and savings bind every arrangement), when it
can happen, and its effect (type, size per unit of impact, months) with the rationale for each.
Nothing about a risk is in the C++ code: a scenario carries the register in ``"risks"``.

>>> import admsim
>>> admsim.risks.register()[["likelihood", "impact", "applies_to", "effect"]]
>>> mine = admsim.risks.edit(remove=["savings_undeliverable"],
...                          add=[{"id": "ofsted_monitoring", ...}])
>>> admsim.simulate("example-county", risks=mine)
"""
from __future__ import annotations

import copy
import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from .jsonio import scenario_error
from .outputs import OUTCOMES


def register_path() -> Path:
    return Path(str(resources.files("admsim") / "data" / "risk_register.json"))


@lru_cache(maxsize=1)
def _shipped() -> tuple[str, ...]:
    return tuple(json.dumps(r) for r in json.loads(register_path().read_text(encoding="utf-8"))["risks"])


def load_register() -> list[dict[str, Any]]:
    """The shipped register: one dict per risk (a fresh copy to edit)."""
    return [json.loads(r) for r in _shipped()]


def register(risks: Iterable[Mapping[str, Any]] | None = None) -> pd.DataFrame:
    """A register as a table, one row per risk (default: the shipped one)."""
    rows = []
    for r in (load_register() if risks is None else risks):
        e = r.get("effect", {})
        rows.append({"id": r["id"], "category": r.get("category"), "risk": r.get("risk"),
                     "likelihood": r.get("likelihood"), "impact": r.get("impact"),
                     "applies_to": r.get("applies_to"), "window": r.get("window"),
                     "effect": e.get("type"), "size": e.get("size"), "months": e.get("months"),
                     "passage": r.get("passage"), "rationale": r.get("rationale")})
    return pd.DataFrame(rows).set_index("id")


def edit(base: Iterable[Mapping[str, Any]] | None = None, *, remove: Iterable[str] = (),
         add: Iterable[Mapping[str, Any]] = (),
         update: Mapping[str, Mapping[str, Any]] | None = None) -> list[dict[str, Any]]:
    """A register from ``base`` (default: the shipped one) with risks removed by id, fields of
    some updated (``{"improvement_stalls": {"likelihood": "H"}}``; an ``effect`` dict is merged,
    a value of None removes the field)
    and new ones added. Unknown ids raise ``ValueError``; the engine validates the rest."""
    risks = [dict(copy.deepcopy(r)) for r in (load_register() if base is None else base)]
    ids = [r.get("id") for r in risks]
    for rid in list(remove) + list((update or {}).keys()):
        if rid not in ids:
            raise ValueError(f"risks: no risk {rid!r} to change; ids: {', '.join(map(str, ids))}")
    risks = [r for r in risks if r.get("id") not in set(remove)]
    for r in risks:
        for key, value in (update or {}).get(r["id"], {}).items():
            if value is None:
                r.pop(key, None)
            elif key == "effect" and isinstance(value, Mapping):
                r["effect"] = {**r.get("effect", {}), **value}
            else:
                r[key] = value
    return risks + [dict(copy.deepcopy(r)) for r in add]


def resolve(risks: Any) -> list[dict[str, Any]]:
    """What a scenario's ``risks`` means: None, the shipped register; a list, that register; a
    dict with ``remove``, ``add`` and ``update`` (and optionally ``base``), :func:`edit` of it."""
    if risks is None:
        return load_register()
    if isinstance(risks, Mapping):
        unknown = set(risks) - {"base", "remove", "add", "update"}
        if unknown:
            raise scenario_error(f"/risks/{sorted(unknown)[0]}", "unknown key", sorted(unknown),
                                 "base, remove, add, update (or give the whole register as a list)")
        shapes = {"remove": (list, tuple), "add": (list, tuple), "update": (Mapping, type(None))}
        for key, kinds in shapes.items():
            if key in risks and not isinstance(risks[key], kinds):
                raise scenario_error(f"/risks/{key}", "wrong type", risks[key],
                                     "a list of risk ids" if key == "remove" else
                                     "a list of risks" if key == "add" else "{risk id: fields}")
        return edit(risks.get("base"), remove=risks.get("remove", ()), add=risks.get("add", ()),
                    update=risks.get("update"))
    if not isinstance(risks, (list, tuple)):
        raise scenario_error("/risks", "wrong type", risks,
                             "a list of risks, [] for none, or an edit {remove, add, update}")
    return [dict(r) if isinstance(r, Mapping) else r for r in risks]


MIN_CONTRAST_SHARE = 0.05  # each side of a fired/not-fired contrast needs this share of replicates


def effects(results, outcomes: Iterable[str] = ("npv_cost", "good_by_year3", "overspend_any")
            ) -> pd.DataFrame:
    """Which risks fired in a run and how much each moved the result: per model and risk, the
    share of replicates in which it fired, its events per replicate, and for each outcome the
    mean over replicates where it fired minus the mean over those where it did not (risk draws
    are independent of everything else, so this is the risk's effect, within Monte Carlo error;
    NaN where fewer than 5% of replicates fired or did not: too few to contrast)."""
    raw = results._raw
    ids = list(raw["risk_ids"])
    fired, events = np.asarray(raw["risk_fired_replicates"]), np.asarray(raw["risk_events"])
    s, n = np.asarray(raw["risk_outcome_sum"]), np.asarray(raw["risk_outcome_count"])
    mean_all, n_all = np.asarray(raw["outcome_mean"]), np.asarray(raw["outcome_count"])
    rows = []
    for m, model in enumerate(results.models):
        for k, rid in enumerate(ids):
            row = {"model": model, "risk": rid, "p_fired": fired[m, k] / results.replicates,
                   "events_per_replicate": events[m, k] / results.replicates}
            for name in outcomes:
                o = OUTCOMES.index(name)
                nf, nn = n[m, k, o], n_all[m, o] - n[m, k, o]
                with np.errstate(invalid="ignore", divide="ignore"):
                    mean_f = s[m, k, o] / nf
                    mean_n = (mean_all[m, o] * n_all[m, o] - s[m, k, o]) / nn
                enough = min(nf, nn) >= MIN_CONTRAST_SHARE * n_all[m, o]
                row[f"{name}_if_fired_minus_not"] = (mean_f - mean_n) if enough else np.nan
            rows.append(row)
    return pd.DataFrame(rows).set_index(["model", "risk"])
