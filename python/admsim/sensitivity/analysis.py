"""SALib's analysis of evaluated rows, with undefined outputs (NaN or constant) given NaN indices
and a warning rather than SALib's zeros."""
from __future__ import annotations

import warnings
from typing import Any, Mapping

import numpy as np

from .results import MorrisResult, SobolResult


def _undefined_outputs(outputs: list[str], Y: np.ndarray) -> set[str]:
    """Outputs whose indices are undefined: NaN in some rows, or constant over the sample.

    SALib's Sobol analyser reports 0 for both, which would read as "no input matters"; they
    get NaN indices and a warning instead.
    """
    bad = set()
    for j, name in enumerate(outputs):
        column = Y[:, j]
        nan = int(np.isnan(column).sum())
        if nan:
            warnings.warn(f"{name} is undefined (NaN) in {nan} of {len(Y)} rows, so its indices are "
                          "NaN; pick an outcome defined over the horizon", RuntimeWarning, stacklevel=3)
            bad.add(name)
        elif len(column) and np.all(column == column[0]):
            warnings.warn(f"{name} is the same in every row, so its indices are NaN (no variance "
                          "to apportion)", RuntimeWarning, stacklevel=3)
            bad.add(name)
    return bad


def analyse(method: str, prob: Mapping[str, Any], X: np.ndarray, Y: np.ndarray, outputs: list[str],
            *, n: int, seed: int, calc_second_order: bool = False, levels: int = 4,
            num_resamples: int = 100, conf_level: float = 0.95) -> "SobolResult | MorrisResult":
    undefined = _undefined_outputs(outputs, Y)
    indices: dict[str, dict[str, np.ndarray]] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # 0/0 for constant or NaN outputs
        for j, name in enumerate(outputs):
            if method == "sobol":
                from SALib.analyze import sobol as sobol_analyze

                raw = sobol_analyze.analyze(dict(prob), Y[:, j], calc_second_order=calc_second_order,
                                            num_resamples=num_resamples, conf_level=conf_level,
                                            seed=seed)
            else:
                from SALib.analyze import morris as morris_analyze

                raw = morris_analyze.analyze(dict(prob), X, Y[:, j], num_resamples=num_resamples,
                                             conf_level=conf_level, num_levels=levels, seed=seed)
            indices[name] = {k: np.asarray(np.ma.filled(v, np.nan) if np.ma.isMaskedArray(v) else v,
                                           dtype=float)
                             for k, v in raw.items() if k != "names"}
            if name in undefined:
                for value in indices[name].values():
                    value[...] = np.nan
    cls = SobolResult if method == "sobol" else MorrisResult
    return cls(problem=dict(prob), outputs=list(outputs), X=X, Y=Y, indices=indices, n=n, seed=seed,
               conf_level=conf_level, calc_second_order=calc_second_order, levels=levels)
