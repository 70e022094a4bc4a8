"""Fit the quality-and-inspection module to graded Ofsted histories: posterior mode, then emcee.

The likelihood is the C++ forward algorithm (``_core.quality_log_likelihood``), evaluated for
many parameter sets at once. Inference:

1. the posterior mode (scipy's L-BFGS-B, gradients by batched central differences) and a
   finite-difference Hessian there;
2. posterior draws from ``emcee``'s affine-invariant ensemble sampler started in a Laplace ball
   around the mode, with its diagnostics (acceptance fraction, integrated autocorrelation time,
   effective sample size, and whether the chain is longer than 50 autocorrelation times).
"""
from __future__ import annotations

import contextlib
import json
import logging
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from .. import _core
from .data import Histories, histories, load_judgements, month_of
from .parameters import (IMPROVEMENT_COORDINATE, ILACS_COORDINATES, PARAMETER_NAMES, PRIORS,
                         SHORT_COORDINATE, WORKFORCE_COORDINATE, core_rows, engine_parameters,
                         from_engine, log_prior, theta_of, unpack)


# Held fixed unless the caller frees them (fixed={}): the persistent council level's likelihood is
# flat (the fit to 2022 gains under one log-likelihood unit from it) and the rolling-origin
# back-test scores long-horizon forecasts better without it (docs/model.md, "Calibration").
DEFAULT_FIXED = {"persistent_share": 0.0}


class ShortChainWarning(UserWarning):
    """The kept chain is shorter than 50 autocorrelation times: its draws are correlated enough
    that intervals may be too narrow. Run more steps."""


def log_likelihood(p: Mapping[str, float], judgements=None, adm_history=None, *, panels=None,
                   workforce: bool = True) -> float:
    """Log-likelihood of the graded histories under one parameter set (named or engine names)."""
    df = load_judgements(judgements)
    h = histories(df, end_month=int(df["month"].max()), adm_history=adm_history, panels=panels,
                  use_workforce=workforce)
    return float(_core.quality_log_likelihood(core_rows([from_engine(p)]), h.arrays).sum())


@dataclass
class Calibration:
    """The result of :func:`calibrate`: posterior draws (named parameters) and diagnostics."""
    draws: pd.DataFrame
    mode: dict
    diagnostics: dict
    data: dict
    seed: int

    @property
    def end_month(self) -> int:
        """The month the fit's data end (the grading drift is linear to here, damped after)."""
        return month_of(self.data.get("until") or self.data["last_publication"])

    def engine_draws(self) -> pd.DataFrame:
        return pd.DataFrame([engine_parameters(r, self.end_month)
                             for r in self.draws.to_dict("records")])

    @property
    def parameters(self) -> dict[str, float]:
        """Posterior-median engine parameters (ILACS standard shares at the end of the data),
        for ``admsim.simulate`` (medians: the reversion/noise ridge gives the noise SD a long
        right tail)."""
        return {k: float(v) for k, v in self.engine_draws().median().items()}

    @property
    def effects(self) -> dict[str, float]:
        return {"improvement": float(self.draws["improvement"].median())}

    def summary(self) -> pd.DataFrame:
        """Mode, posterior mean, SD and 90% interval of every named parameter."""
        d = self.draws
        return pd.DataFrame({"mode": pd.Series(self.mode), "mean": d.mean(), "sd": d.std(),
                             "5%": d.quantile(0.05), "95%": d.quantile(0.95)})

    def to_dict(self) -> dict[str, Any]:
        return {
            "parameters": self.parameters,
            "effects": self.effects,
            "mode": self.mode,
            "posterior_draws": self.draws.to_dict("list"),
            "engine_draws": self.engine_draws().to_dict("list"),
            "diagnostics": self.diagnostics,
            "data": self.data,
            "seed": self.seed,
            "method": ("Exact (grid forward-algorithm, C++) likelihood of the quality/inspection "
                       "module with a persistent council level, workforce inputs from the DfE "
                       "panels, a response to Inadequate grades, grading regimes for SIF and "
                       "ILACS standard and short inspections and a drifting ILACS grading level; "
                       "posterior mode by scipy.optimize; posterior draws by emcee's "
                       "affine-invariant ensemble sampler started around the mode."),
            "notes": ("'parameters' are engine parameters (posterior medians): ILACS standard "
                      "shares at the end of the data, the short-inspection shift and the drift, "
                      "and can be passed as parameters= to admsim.simulate. 'improvement' is a "
                      "delivery-model effect (catalogue hook 'improvement'), weakly identified: "
                      "few councils ran a delivery model and each has 2-3 graded inspections."),
        }

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), indent=2))
        return path

    @classmethod
    def load(cls, path: str | Path) -> "Calibration":
        path = Path(path)
        try:
            d = json.loads(path.read_text())
            draws = pd.DataFrame(d["posterior_draws"])
            for name in PARAMETER_NAMES:  # files from before a parameter existed: at its prior
                if name not in draws:
                    draws[name] = 0.0
            return cls(draws=draws[PARAMETER_NAMES], mode=d["mode"],
                       diagnostics=d["diagnostics"], data=d["data"], seed=d["seed"])
        except (OSError, ValueError, KeyError) as exc:
            raise ValueError(f"{path}: not a calibration file written by admsim calibrate "
                             f"({exc})") from exc


def _free_mask(df: pd.DataFrame, h: Histories, fixed: Mapping[str, float]) -> np.ndarray:
    """Which coordinates are fitted: those the user did not fix and the data can inform."""
    free = np.array([name not in fixed for name in PARAMETER_NAMES])
    regime = h.arrays["framework"]
    if not (regime > 0).any():
        free[list(ILACS_COORDINATES)] = False
    if not (regime == 2).any():
        free[SHORT_COORDINATE] = False
    if not h.arrays["adm_live"].any():
        free[IMPROVEMENT_COORDINATE] = False
    if not h.arrays["stress"].any():
        free[WORKFORCE_COORDINATE] = False
    return free


def calibrate(judgements=None, until=None, *, adm_history=None, panels=None,
              walkers: int = 32, steps: int = 6000, burn: int = 500, draws: int = 1000,
              fixed: Mapping[str, float] | None = DEFAULT_FIXED, fit_improvement: bool = True,
              workforce: bool = True, seed: int = 1, threads: int | None = None,
              progress: bool = False) -> Calibration:
    """Fit the quality/inspection parameters to graded SIF/ILACS histories published by ``until``.

    judgements: path or frame (default: the shipped ``ofsted_history.csv``); until: last
    publication date used (default: all rows; delivery-model spells and workforce snapshots
    published after it are not used either); adm_history: delivery-model spells (default: the
    shipped ``ADM_HISTORY``); panels: a DfE panels folder for the workforce inputs (default: the
    shipped ``council_workforce.csv``); workforce: False leaves workforce inputs out.

    walkers, steps, burn: emcee's ensemble (walkers x steps proposals, the first ``burn`` steps
    dropped); the defaults take 2-6 minutes on 2 cores (more data, longer). draws: posterior
    draws kept (evenly spaced over the kept chain). fixed: named parameters held at given values (e.g.
    ``{"persistent_share": 0}``, the default; ``{}`` fits everything). Parameters the data cannot
    inform (the ILACS terms before any ILACS row, the short-inspection shift before any short
    inspection, the improvement and workforce terms with no delivery-model spells or workforce
    snapshots) are drawn from their priors: their posterior is the prior.
    progress: a progress bar (tqdm) over the sampler's steps. Same ``seed``, same posterior, for
    any ``threads``. A kept chain shorter than 50 autocorrelation times raises a
    :class:`ShortChainWarning` and is flagged in the diagnostics.
    """
    import emcee
    from scipy import optimize

    if steps <= burn:
        raise ValueError(f"steps = {steps} must exceed burn = {burn}")
    df = load_judgements(judgements)
    if until is not None:
        df = df[df["publication_date"] <= pd.Timestamp(until)]
    if df.empty:
        raise ValueError("no graded SIF/ILACS judgements to calibrate on")
    fixed = dict(fixed if fixed is not None else {})
    if not fit_improvement:
        fixed.setdefault("improvement", 0.0)
    h = histories(df, end_month=int(df["month"].max()), adm_history=adm_history, as_of=until,
                  panels=panels, use_workforce=workforce)
    free = _free_mask(df, h, fixed)
    base = np.array([m for m, _ in PRIORS])
    for name, value in fixed.items():
        base[PARAMETER_NAMES.index(name)] = theta_of(name, value)
    free_names = [n for n, f in zip(PARAMETER_NAMES, free) if f]
    d = int(free.sum())
    if walkers < 2 * d:
        raise ValueError(f"walkers = {walkers}: emcee needs at least 2 x {d} free parameters")

    def full(x: np.ndarray) -> np.ndarray:
        theta = np.tile(base, (len(x), 1))
        theta[:, free] = x
        return theta

    evaluations = 0

    def log_post(x: np.ndarray) -> np.ndarray:
        nonlocal evaluations
        x = np.atleast_2d(x)
        theta = full(x)
        out = np.full(len(x), -np.inf)
        ok = np.all(np.abs(x) < 12, axis=1)  # far outside the priors: zero posterior
        rows = core_rows([unpack(t) for t in theta[ok]])
        finite = np.isfinite(rows).all(axis=1)  # shares of exactly 0 or 1 leave no cut-point
        ok[ok] = finite
        if ok.any():
            ll = _core.quality_log_likelihood(rows[finite], h.arrays, threads=threads).sum(axis=1)
            out[ok] = ll + log_prior(theta[ok])
            evaluations += int(ok.sum())
        return out

    def neg(x):
        return -float(log_post(x)[0])

    def neg_grad(x, step=1e-4):
        # central differences, all 2d points in one batched C++ call
        pts = np.vstack([x + step * np.eye(d), x - step * np.eye(d)])
        v = -log_post(pts)
        return (v[:d] - v[d:]) / (2 * step)

    started = time.perf_counter()
    res = optimize.minimize(neg, base[free], jac=neg_grad, method="L-BFGS-B",
                            options={"maxiter": 500})
    xmap = res.x
    H = _hessian(lambda pts: -log_post(pts), xmap)
    eig = np.linalg.eigvalsh(H)
    if eig.min() <= 0:  # regularise a non-positive-definite Hessian (flat ridge)
        H = H + (1e-3 - eig.min()) * np.eye(d)
    cov = np.linalg.inv(H)
    sd_theta = np.sqrt(np.diag(cov))

    # emcee: walkers start in a Laplace ball (a tenth of the posterior scale) around the mode
    rng = np.random.default_rng(seed)
    start = xmap + 0.1 * rng.standard_normal((walkers, d)) @ np.linalg.cholesky(cov).T
    # Differential-evolution moves (with a snooker share) mix along the reversion-noise ridge
    # about twice as fast as the default stretch move (autocorrelation times about halved).
    moves = [(emcee.moves.DEMove(), 0.8), (emcee.moves.DESnookerMove(), 0.2)]
    sampler = emcee.EnsembleSampler(walkers, d, log_post, vectorize=True, moves=moves)
    sampler.random_state = np.random.RandomState(seed).get_state()
    sampler.run_mcmc(start, steps, progress=progress)
    chain = sampler.get_chain(discard=burn, flat=True)
    with _quiet_emcee():  # a short chain is reported in the diagnostics instead
        tau = sampler.get_autocorr_time(discard=burn, quiet=True)
    kept = walkers * (steps - burn)
    pick = np.linspace(0, len(chain) - 1, draws).round().astype(int)
    theta = full(chain[pick])
    # Coordinates the data cannot inform: exact draws from their priors (independent of the rest).
    unseen = ~free & np.array([n not in fixed for n in PARAMETER_NAMES])
    prior_mean, prior_sd = np.array(PRIORS).T
    theta[:, unseen] = (prior_mean[unseen]
                        + prior_sd[unseen] * rng.standard_normal((draws, int(unseen.sum()))))
    sample = pd.DataFrame([unpack(t) for t in theta], columns=PARAMETER_NAMES)
    elapsed = time.perf_counter() - started
    long_enough = bool(steps - burn > 50 * np.nanmax(tau))
    if not long_enough:
        warnings.warn(f"calibrate: the kept chain ({steps - burn} steps) is shorter than 50 "
                      f"autocorrelation times (longest {np.nanmax(tau):.0f} steps, "
                      f"{free_names[int(np.nanargmax(tau))]}); intervals may be too narrow: run more "
                      "steps", ShortChainWarning, stacklevel=2)

    diagnostics = {
        "map_log_posterior": float(-res.fun),
        "map_log_likelihood": float(-res.fun - log_prior(full(xmap[None]))[0]),
        "optimizer_success": bool(res.success),
        "hessian_eigenvalues": [float(e) for e in eig],
        "laplace_sd_unconstrained": dict(zip(free_names, sd_theta.tolist())),
        "free_parameters": free_names,
        "fixed_parameters": {n: v for n, v in unpack(base).items() if n in fixed},
        "prior_only_parameters": [n for n, u in zip(PARAMETER_NAMES, unseen) if u],
        "sampler": f"emcee {emcee.__version__} EnsembleSampler (DE 0.8, DE snooker 0.2 moves)",
        "walkers": walkers, "steps": steps, "burn": burn,
        "acceptance_fraction": float(np.mean(sampler.acceptance_fraction)),
        "autocorrelation_time": dict(zip(free_names, tau.tolist())),
        "effective_sample_size": float(kept / np.nanmax(tau)),
        # emcee's guide: trust tau once the chain is longer than about 50 tau
        "chain_longer_than_50_tau": long_enough,
        "likelihood_evaluations": evaluations,
        "seconds": round(elapsed, 1),
    }
    data = {"n_councils": len(h.names), "n_judgements": int(len(df)),
            "first_publication": str(df["publication_date"].min().date()),
            "last_publication": str(df["publication_date"].max().date()),
            "until": None if until is None else str(pd.Timestamp(until).date()),
            "frameworks": sorted(df["framework"].unique().tolist()),
            "adm_councils": [n for n, row in zip(h.names, h.arrays["adm_live"]) if row.any()],
            "councils_with_workforce_inputs": int((h.arrays["stress"] != 0).any(axis=1).sum())}
    return Calibration(draws=sample, mode=unpack(full(xmap[None])[0]), diagnostics=diagnostics,
                       data=data, seed=seed)


@contextlib.contextmanager
def _quiet_emcee():
    logger = logging.getLogger("emcee")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _hessian(f, x: np.ndarray, h: float = 1e-3) -> np.ndarray:
    """Finite-difference Hessian of f (which takes a batch of points) in one batched call."""
    n = len(x)
    E = np.eye(n) * h
    pts = [x]
    for i in range(n):
        pts += [x + E[i], x - E[i]]
        for j in range(i + 1, n):
            pts += [x + E[i] + E[j], x + E[i] - E[j], x - E[i] + E[j], x - E[i] - E[j]]
    v = iter(f(np.array(pts)))
    f0 = next(v)
    H = np.zeros((n, n))
    for i in range(n):
        fp, fm = next(v), next(v)
        H[i, i] = (fp - 2 * f0 + fm) / h**2
        for j in range(i + 1, n):
            a, b, c, dd = next(v), next(v), next(v), next(v)
            H[i, j] = H[j, i] = (a - b - c + dd) / (4 * h * h)
    return H
