"""Ranking the models on one headline outcome: P(best) over paired replicates, the leader, the
paired difference shown against the baseline with its interval, and the verdict."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..intervals import bootstrap_mean_interval, normal_mean_interval
from ..outputs import OUTCOMES
from ..units import higher_is_better, is_probability
from .wording import outcome_label, row_sentence, undefined_sentence

if TYPE_CHECKING:
    from ..results import Results


def p_best(values: np.ndarray, higher_is_better: bool) -> tuple[np.ndarray, np.ndarray, float, int]:
    """P(best) per model from paired replicates ``values`` (models x replicates).

    Returns ``(p, p_when_differ, tied, n)``: the share of replicates in which each model is best
    (a tie shares the replicate equally among the tied models, so ``p`` sums to 1), the same
    among the replicates where not every model has the same value, the share where all are
    tied, and the number of replicates used (those where some model's value is defined; an
    undefined value, NaN, is never best).
    """
    v = np.asarray(values, dtype=float)
    k = v.shape[0]
    x = v if higher_is_better else -v
    x = np.where(np.isnan(x), -np.inf, x)
    x = x[:, np.isfinite(x).any(axis=0)]
    n = x.shape[1]
    if n == 0 or k == 0:
        return np.full(k, np.nan), np.full(k, np.nan), np.nan, 0
    best = x.max(axis=0)
    is_best = x >= best - 1e-9 * np.maximum(1.0, np.abs(best))
    share = is_best / is_best.sum(axis=0)
    tied = is_best.all(axis=0)
    p = share.mean(axis=1)
    p_differ = share[:, ~tied].mean(axis=1) if (~tied).any() else np.full(k, np.nan)
    return p, p_differ, float(tied.mean()), int(n)


def rank_outcome(results: "Results", outcome: str, models: list[str], seed: int) -> dict[str, Any]:
    """One headline row: leader, P(best), the paired difference shown and its interval."""
    k = OUTCOMES.index(outcome)
    hib = higher_is_better(outcome)
    sign = 1.0 if hib else -1.0
    prob = is_probability(outcome)
    base = results.baseline
    b = results.models.index(base)
    idx = [results.models.index(m) for m in models]
    row: dict[str, Any] = {"outcome": outcome, "label": outcome_label(outcome, results.months // 12),
                           "baseline": base, "higher_is_better": hib, "probability": prob}
    p_all = np.full(len(models), np.nan)
    if results.summary_only:
        means = results._raw["outcome_mean"][idx, k].astype(float)
        counts = results._raw["outcome_count"][idx, k]
        means = np.where(counts > 0, means, np.nan)
        defined = np.isfinite(means)
        order = sorted(np.flatnonzero(defined), key=lambda i: -sign * means[i])
    else:
        values = results.outcomes[idx, :, k]
        p, p_diff, tied, n = p_best(values, hib)
        with np.errstate(all="ignore"):
            means = np.array([np.nanmean(v) if np.isfinite(v).any() else np.nan for v in values])
        defined = np.isfinite(means)
        p_all = p
        order = sorted(np.flatnonzero(defined), key=lambda i: (-p[i], -sign * means[i]))
        row.update(tied_share=tied, n=n)
    row["p_best_all"] = dict(zip(models, p_all))
    if not order:
        row.update(leader=None, verdict="na", sentence=undefined_sentence(row, results))
        return row
    leader = models[order[0]]
    runner = models[order[1]] if len(order) > 1 else None  # second most often best
    # The comparison with the baseline: the leader, or where the baseline leads, the next best
    # on the mean (the closest competitor on average, which P(best)'s second need not be).
    by_mean = [models[i] for i in sorted(np.flatnonzero(defined), key=lambda i: -sign * means[i])]
    next_on_mean = next((m for m in by_mean if m != leader), None)
    compared = leader if leader != base else next_on_mean
    row.update(leader=leader, leader_mean=means[order[0]], runner_up=runner,
               p_best=p_all[order[0]], compared=compared,
               p_runner=p_all[order[1]] if len(order) > 1 else np.nan)
    if not results.summary_only:
        row["p_best_when_differ"] = p_diff[order[0]]
    if compared is not None:
        c = results.models.index(compared)
        row["compared_mean"] = means[models.index(compared)]
        if results.summary_only:
            dmean = results._raw["diff_mean"][c, k]
            if prob:
                n = min(results._raw["outcome_count"][c, k], results._raw["outcome_count"][b, k])
                d, lo, hi = normal_mean_interval(dmean, results._raw["diff_sd"][c, k], n)
                interval = "normal approximation (summaries only)"
                p_higher = results._raw["diff_positive"][c, k]
                p_lower = p_higher - dmean  # a 0/1 difference is -1, 0 or +1
            else:
                d = dmean
                lo, hi = results._raw["diff_quantiles"][c, k, [0, 4]]
                interval = "90% of replicates (from summaries)"
                p_higher, p_lower = results._raw["diff_positive"][c, k], np.nan
        else:
            diff = results.outcomes[c, :, k] - results.outcomes[b, :, k]
            diff = diff[~np.isnan(diff)]
            if prob:
                d, lo, hi = bootstrap_mean_interval(diff, seed=seed + k)
                interval = "90% paired bootstrap interval"
            else:
                d = float(diff.mean()) if diff.size else np.nan
                lo, hi = (np.quantile(diff, [0.05, 0.95]) if diff.size else (np.nan, np.nan))
                interval = "90% of replicates"
            tol = 1e-9 * max(1.0, float(np.nanmax(np.abs(results.outcomes[b, :, k]))) if diff.size else 1.0)
            p_higher = float((diff > tol).mean()) if diff.size else np.nan
            p_lower = float((diff < -tol).mean()) if diff.size else np.nan
        row.update(diff=float(d), diff_lo=float(lo), diff_hi=float(hi), interval=interval,
                   p_higher=float(p_higher), p_lower=float(p_lower))
    row["verdict"] = verdict_of(row, len(order), results.summary_only)
    row["sentence"] = row_sentence(row, results)
    return row


def verdict_of(row: dict[str, Any], k: int, summary_only: bool) -> str:
    if k < 2 or row.get("compared") is None:
        return "na"
    lo, hi = row["diff_lo"], row["diff_hi"]
    spans = not (lo > 0 or hi < 0)  # includes an interval that is all zero
    if summary_only:  # only the comparison with the baseline is known, not one with each model
        if lo == 0 and hi == 0:
            return "tied"
        return "lean" if spans or row["leader"] != row["baseline"] else "clear"
    if not spans:  # the paired interval to the next best excludes zero: a lead, however small
        return "clear"
    chance = 1.0 / k
    p = row.get("p_best_when_differ")
    if row.get("tied_share", 0) >= 0.95 or p is None or np.isnan(p) or p < chance + (1 - chance) / 3:
        return "tied"
    return "lean"
