"""Stochastic multi-criteria acceptability analysis: weight draws within their ranges, and the
rank probabilities over every (replicate, weight draw) pair."""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np


_TIE_DECIMALS = 10  # weighted scores equal to 10 decimals count as tied


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


def smaa(scores: np.ndarray, weight_samples: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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
    return smaa(scores, weight_samples)[0]
