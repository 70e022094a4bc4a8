"""Birmingham's 11 critical success factors (seed 002): which each model meets, with the evidence
(attributes, effect means, simulated outcomes against the baseline)."""
from __future__ import annotations

import json
import math
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ..distributions import distribution_mean
from ..outputs import OUTCOMES
from .defaults import MISSING, defaults
from .gateway import passes


def csf_table(results: Any, entries: Mapping[str, dict], baseline: str,
              neutral: Mapping[str, float]) -> pd.DataFrame:
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
                    value = attrs.get(ev["attribute"], MISSING)
                    if "equals" in ev:
                        ok = value is not MISSING and passes(value, ev["equals"])
                    else:
                        ok = value is not MISSING and value in ev["in"]
                    shown = "not given" if value is MISSING else json.dumps(value)
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
