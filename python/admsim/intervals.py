"""Monte Carlo intervals for means over replicates, shared by ``summary()``, the charts and the
report: a probability (the share of replicates with a 0/1 outcome) gets an interval for the
share, never the 5% and 95% quantiles of 0/1 values."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .outputs import OUTCOMES, index_of

if TYPE_CHECKING:
    from .results import Results


def bootstrap_mean_interval(values: np.ndarray, level: float = 0.9, n_boot: int = 2000,
                            seed: int = 0) -> tuple[float, float, float]:
    """Mean of ``values`` (NaN dropped) and its ``level`` bootstrap percentile interval over
    replicates. Pass paired differences (model minus baseline, replicate by replicate) for the
    paired bootstrap. Values with few distinct levels (0/1 indicators and their differences)
    are resampled exactly through multinomial counts, so any number of replicates is cheap."""
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    if v.size == 0:
        return (np.nan, np.nan, np.nan)
    rng = np.random.default_rng(seed)
    levels, counts = np.unique(v, return_counts=True)
    if levels.size <= 16:
        draws = rng.multinomial(v.size, counts / v.size, size=n_boot) @ levels / v.size
    else:
        draws = np.concatenate([v[rng.integers(0, v.size, (min(250, n_boot - i), v.size))].mean(axis=1)
                                for i in range(0, n_boot, 250)])
    tail = (1 - level) / 2
    lo, hi = np.quantile(draws, [tail, 1 - tail])
    return float(v.mean()), float(lo), float(hi)


def normal_mean_interval(mean: float, sd: float, n: float, level: float = 0.9
                         ) -> tuple[float, float, float]:
    """Mean with its normal-approximation interval ``mean ± z·sd/√n`` (summary-only runs)."""
    from statistics import NormalDist

    if not (n > 0) or np.isnan(mean):
        return (float(mean), np.nan, np.nan)
    z = NormalDist().inv_cdf(0.5 + level / 2)
    half = z * sd / np.sqrt(n)
    return float(mean), float(mean - half), float(mean + half)


def probability_stats(res: "Results", name: str, paired: bool = False, level: float = 0.9,
                      baseline: str | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Share of replicates (M,) with a 0/1 outcome, or its paired difference from the baseline,
    and the ``level`` interval: bootstrap over replicates in full mode, normal otherwise."""
    k = index_of(OUTCOMES, name, "outcome")
    M = len(res.models)
    out = np.full((3, M), np.nan)
    b = res.models.index(baseline or res.baseline)
    for m in range(M):
        if res.summary_only:
            prefix = "diff" if paired else "outcome"
            n = res._raw["outcome_count"][m, k] if not paired else min(
                res._raw["outcome_count"][m, k], res._raw["outcome_count"][b, k])
            out[:, m] = normal_mean_interval(res._raw[f"{prefix}_mean"][m, k],
                                             res._raw[f"{prefix}_sd"][m, k], n, level)
        else:
            values = res.outcomes[m, :, k]
            if paired:
                values = values - res.outcomes[b, :, k]
            out[:, m] = bootstrap_mean_interval(values, level, seed=res.seed + 7919 * m + k)
    return out[0], out[1], out[2]
