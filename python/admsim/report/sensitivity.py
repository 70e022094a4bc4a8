"""Which assumptions the ranking is most sensitive to: each uncertain engine parameter and each
model's main effects set in turn to the ends of its range, the run repeated with fewer replicates."""
from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence
import numpy as np
import pandas as pd

from .. import _core
from ..catalogue import catalogue_json
from ..distributions import distribution_quantiles
from ..outputs import OUTCOMES
from ..scenario import to_json
from ..units import higher_is_better
from .wording import money

if TYPE_CHECKING:
    from ..results import Results


# Engine parameters the sensitivity pass probes by default (those that act on the differences
# between models: costs of new arrangements, risk events, the workforce-quality links).
SENSITIVITY_PARAMETERS: tuple[str, ...] = (
    "transition_cost_share", "vatable_share", "surplus_margin", "risk_probability_high",
    "risk_impact_high", "quality_workforce_effect", "caseload_turnover_elasticity",
    "pay_turnover_elasticity", "quality_reversion_per_year", "inadequate_response")


# Model effects the sensitivity pass sets to the ends of their catalogue ranges by default.
SENSITIVITY_HOOKS: tuple[str, ...] = (
    "improvement", "turnover", "recruitment", "agency_use", "transition_dip", "edge_of_care",
    "placement_cost", "overhead_cost", "pay", "setup_cost", "setup_months",
    "contract_management_cost", "vat_irrecoverable")


_HOOK_LABELS = {
    "improvement": "improvement in practice quality", "turnover": "effect on social workers leaving",
    "recruitment": "effect on recruitment", "agency_use": "effect on agency use",
    "improvement_pace": "pace of improvement", "transition_dip": "quality dip at go-live",
    "transition_turnover": "extra leaving in transition", "transition_months": "transition length",
    "edge_of_care": "edge-of-care effect on care entries", "placement_cost": "effect on placement costs",
    "overhead_cost": "effect on overheads", "pay": "effect on pay",
    "establishment_flex": "flexibility of the establishment", "setup_cost": "set-up cost",
    "setup_months": "set-up time", "contract_management_cost": "contract-management cost a year",
    "vat_irrecoverable": "VAT ruling (0: recovered, 1: lost)",
}


def _effect_ends(dist: Mapping[str, Any], hook: str) -> tuple[float, float] | None:
    """The ends of an effect's range: its ``low``/``high`` where it has them, else its 5% and
    95% quantiles, else (a two-point law such as a ruling) its 0% and 100% quantiles."""
    if "low" in dist and "high" in dist:
        lo, hi = float(dist["low"]), float(dist["high"])
        return (lo, hi) if lo < hi else None
    for qs in ((0.05, 0.95), (0.0, 1.0)):
        try:
            _, (lo, hi) = distribution_quantiles(dist, hook, qs)
        except Exception:
            return None
        if np.isfinite(lo) and np.isfinite(hi) and lo < hi:
            return float(lo), float(hi)
    return None


def _effect_text(hook: str, v: float) -> str:
    if hook in ("setup_cost", "contract_management_cost"):
        return money(v)
    if hook.endswith("months"):
        return f"{v:g} months"
    if hook in ("improvement", "transition_dip"):
        return f"{v:+.2f} SD".replace("-", "−")
    if hook == "vat_irrecoverable":
        return f"{v:g}"
    return f"×{v:.2f}"


def _parameter_text(p: Mapping[str, Any], v: float) -> str:
    unit = str(p.get("unit", ""))
    if unit in ("share", "probability") or unit.startswith("share"):
        return f"{v:.0%}" if v >= 0.1 or v == 0 else f"{v:.1%}"
    return f"{v:g} {unit}".strip() if unit in ("months", "years") else f"{v:g}"


def ranking_sensitivity(results: "Results", leader: str, *, models: Sequence[str] | None = None,
                        outcome: str = "npv_cost", replicates: int = 200, rivals: int = 2,
                        parameters: Iterable[str] | None = None,
                        hooks: Iterable[str] | None = None, threads: int | None = None
                        ) -> tuple[pd.DataFrame, dict[str, Any]]:
    """One-at-a-time sensitivity of ``leader``'s margin on ``outcome``.

    The scenario is rerun (``results.spec``, ``min(replicates, results.replicates)``
    replicates, common random numbers, so every probe shares the same futures) for the leader
    and its ``rivals`` closest competitors among ``models`` (by the run's means). Each engine
    parameter in ``parameters`` (default :data:`SENSITIVITY_PARAMETERS`) is set to the low and
    high ends of its plausible range (``admsim._core.parameter_table()``), and each effect in
    ``hooks`` (default :data:`SENSITIVITY_HOOKS`) of each of these models to the ends of its
    catalogue range, one at a time. The margin is the best rival's mean minus the leader's
    (oriented so positive means the leader is ahead). Returns the probes sorted by the largest
    change of the margin from the central run, and a dict of what was done.
    """
    start = time.monotonic()
    models = list(models or results.models)
    k = OUTCOMES.index(outcome)
    sign = 1.0 if higher_is_better(outcome) else -1.0
    means = results._raw["outcome_mean"][:, k]
    lead_mean = means[results.models.index(leader)]
    others = sorted((m for m in models if m != leader and np.isfinite(means[results.models.index(m)])),
                    key=lambda m: abs(means[results.models.index(m)] - lead_mean))
    chosen = [leader, *others[:max(1, int(rivals))]]
    spec = json.loads(to_json(results.spec))
    spec["models"] = [spec["models"][results.models.index(m)] for m in chosen]
    spec.pop("baseline", None)
    spec["replicates"] = int(max(1, min(int(replicates), results.replicates)))
    spec["output"] = "summary"
    spec_json, cat = to_json(spec), catalogue_json()
    outputs = [f"{m}.{outcome}" for m in chosen]
    nthreads = int(threads or 0)

    def margins(values: np.ndarray) -> tuple[np.ndarray, list[str]]:
        v = sign * np.asarray(values, dtype=float)  # larger is better
        lead = v[:, 0] - np.nanmax(v[:, 1:], axis=1)
        who = [chosen[int(np.nanargmax(r))] for r in v]
        return lead, who

    base_values = _core.evaluate(spec_json, cat, [], np.zeros((1, 0)), outputs, nthreads)
    base_margin = float(margins(base_values)[0][0])
    rows: list[dict[str, Any]] = []
    # Engine parameters: one batch, each row moving one parameter, the others at the run's values.
    table = {p["name"]: p for p in _core.parameter_table()}
    names = [n for n in (SENSITIVITY_PARAMETERS if parameters is None else parameters)
             if n in table and table[n]["low"] < table[n]["high"]]
    if names:
        current = np.array([float(spec.get("parameters", {}).get(n, table[n]["default"]))
                            for n in names])
        values = np.tile(current, (2 * len(names), 1))
        for i, n in enumerate(names):
            values[2 * i, i], values[2 * i + 1, i] = table[n]["low"], table[n]["high"]
        m, who = margins(_core.evaluate(spec_json, cat, names, values, outputs, nthreads))
        for i, n in enumerate(names):
            p = table[n]
            meaning = str(p.get("meaning", n)).rstrip(".")
            rows.append({"input": n, "kind": "parameter", "label": f"{meaning} ({n})",
                         "low": p["low"], "high": p["high"],
                         "low_text": _parameter_text(p, p["low"]),
                         "high_text": _parameter_text(p, p["high"]),
                         "margin_low": m[2 * i], "margin_high": m[2 * i + 1],
                         "leader_low": who[2 * i], "leader_high": who[2 * i + 1]})
    # Delivery-model effects: one call each, so that the other effects keep their distributions.
    wanted = set(SENSITIVITY_HOOKS if hooks is None else hooks)
    # A model's effect moves only that model's results (the others' replicates are unchanged
    # under common random numbers), so each is rerun alone and set beside the others' central
    # means.
    entries = [json.loads(t) for t in _core.resolve_models(spec_json, cat)]
    for j, (model, entry) in enumerate(zip(chosen, entries)):
        alone = dict(spec, models=[spec["models"][j]])
        alone_json = to_json(alone)
        for hook, dist in (entry.get("effects") or {}).items():
            if hook not in wanted or not isinstance(dist, Mapping):
                continue
            ends = _effect_ends(dist, hook)
            if ends is None:
                continue
            name = f"{model}.{hook}"
            values = np.repeat(base_values, 2, axis=0)
            values[:, j] = _core.evaluate(alone_json, cat, [name], np.array([[ends[0]], [ends[1]]]),
                                          [outputs[j]], nthreads)[:, 0]
            m, who = margins(values)
            rows.append({"input": name, "kind": "effect",
                         "label": f"{model}: {_HOOK_LABELS.get(hook, hook)}",
                         "low": ends[0], "high": ends[1],
                         "low_text": _effect_text(hook, ends[0]),
                         "high_text": _effect_text(hook, ends[1]),
                         "margin_low": m[0], "margin_high": m[1],
                         "leader_low": who[0], "leader_high": who[1]})
    frame = pd.DataFrame(rows, columns=["input", "kind", "label", "low", "high", "low_text",
                                        "high_text", "margin_low", "margin_high", "leader_low",
                                        "leader_high"])
    frame["swing"] = np.maximum(np.abs(frame["margin_low"] - base_margin),
                                np.abs(frame["margin_high"] - base_margin))
    frame = frame.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)
    info = {"outcome": outcome, "leader": leader, "rivals": chosen[1:],
            "replicates": spec["replicates"], "probes": len(frame), "base_margin": base_margin,
            "seconds": time.monotonic() - start}
    return frame, info
