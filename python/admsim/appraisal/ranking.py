"""The steps every appraisal shares, a council's (:func:`~admsim.appraise`) and a region's
(:func:`~admsim.appraisal.region.appraise_region`): criteria with the user's weights and
judgements, and from raw criterion values to the tables of an
:class:`~admsim.appraisal.result.Appraisal` (normalisation over the models that pass the
gateway, weighted scores, SMAA rank probabilities, robustness)."""
from __future__ import annotations

import warnings
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from .criteria import apply_judgements, apply_weights, resolve_criteria
from .scoring import normalise
from .smaa import sample_weights, smaa


def check_weight_samples(weight_samples: Any) -> int:
    """``weight_samples`` as an int, or a ValueError naming it."""
    if (not isinstance(weight_samples, (int, np.integer)) or isinstance(weight_samples, bool)
            or weight_samples < 1):
        raise ValueError(f"weight_samples must be a positive integer; got {weight_samples!r}")
    return int(weight_samples)


def prepare_criteria(criteria: Iterable[Any] | None, weights: Mapping[str, Any] | None,
                     judgements: Mapping[str, Any] | None, models: Sequence[str],
                     shipped: Iterable[Mapping[str, Any]] | None = None) -> list[dict[str, Any]]:
    """The criteria resolved (from ``shipped``, default a council's), with the user's weights
    and judgement scores applied; a ValueError if every weight is 0."""
    crit = resolve_criteria(criteria, shipped)
    apply_weights(crit, weights)
    apply_judgements(crit, judgements, models)
    if sum(c["weight"] for c in crit) <= 0:
        raise ValueError("every criterion weight is 0: give at least one a positive weight")
    return crit


def judgement_rng(seed: int) -> np.random.Generator:
    """The generator that draws judgement scores and attribute values within their ranges: its
    own stream of ``seed``, so the weight draws (``PCG64(seed)``) do not depend on it."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([int(seed), 1])))


def score_and_rank(raw: np.ndarray, models: Sequence[str], crit: list[dict], gate: pd.DataFrame,
                   *, weight_samples: int, seed: int) -> dict[str, Any]:
    """The tables of an appraisal from raw values (model, replicate, criterion) of every model
    and the gateway table: see :func:`admsim.appraise` (Method) for what each step does."""
    models = list(models)
    replicates = raw.shape[1]
    passing = [m for m in models if gate.loc[m, "passed"]]
    if not passing:
        raise ValueError("no model passes the gateway:\n" + "\n".join(
            f"  {m}: fails {gate.loc[m, 'failed']}" for m in gate.index))
    raw_p = raw[[models.index(m) for m in passing]]
    for k, c in enumerate(crit):
        bad = np.isnan(raw_p[:, :, k])
        if bad.any():
            who = [passing[i] for i in np.unique(np.nonzero(bad)[0])]
            raise ValueError(f"criterion {c['id']!r}: outcome {c.get('outcome')!r} is undefined "
                             f"(NaN) in {int(bad.sum())} model-replicates ({', '.join(who)}), "
                             "e.g. good_by_year5 in a run shorter than 5 years; drop or replace it")
    z = normalise(raw_p, [c["direction"] for c in crit])             # (P, R, C)

    ids = [c["id"] for c in crit]
    w_total = sum(c["weight"] for c in crit)
    w0 = np.array([c["weight"] for c in crit]) / w_total
    weighted = z @ w0                                                 # (P, R)
    lo, hi = np.quantile(weighted, [0.05, 0.95], axis=1)
    index = pd.Index(passing, name="model")
    weighted_df = pd.DataFrame({"mean": weighted.mean(axis=1), "5%": lo, "95%": hi}, index=index)

    draws = sample_weights(crit, weight_samples, np.random.Generator(np.random.PCG64(seed)))
    probs, first_w, first_n = smaa(z, draws)
    rp = pd.DataFrame(probs, index=index, columns=[f"rank {j + 1}" for j in range(len(passing))])
    central = {m: (pd.Series(first_w[i] / first_n[i], index=ids) if first_n[i] > 0 else None)
               for i, m in enumerate(passing)}
    crit_df = pd.DataFrame([{
        "id": c["id"], "group": c["group"], "label": c["label"], "kind": c["kind"],
        "value": (c.get("outcome") if c["kind"] == "simulated" else c.get("attribute")
                  if c["kind"] == "attribute" else "judgement {}-{}".format(*c.get("scale", [1, 5]))),
        "direction": c["direction"], "weight": c["weight"] / w_total,
        "range low": (c["range"][0] if c["range"] else np.nan),
        "range high": (c["range"][1] if c["range"] else np.nan),
        "source": c.get("source", ""),
    } for c in crit]).set_index("id")
    return dict(
        gateway=gate, criteria=crit_df, criteria_definitions=crit,
        weights=pd.Series(w0, index=ids, name="weight"),
        scores=pd.DataFrame(z.mean(axis=1), index=index, columns=ids),
        raw_scores=pd.DataFrame(_nanmean(raw), index=pd.Index(models, name="model"), columns=ids),
        normalised=z, weighted=weighted_df, rank_probabilities=rp, central_weights=central,
        weight_draws=draws, robustness=_robustness(rp, replicates, weight_samples),
        replicates=replicates, weight_samples=weight_samples, seed=seed,
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
