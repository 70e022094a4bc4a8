"""Calibrate the quality-and-inspection module against real Ofsted histories; forecast next grades.

The engine's quality module (``cpp/include/admsim/quality_model.hpp``) is a hidden Gaussian
process read through ordinal grades at irregular dates. A council's latent quality is
``q = u + v``: ``u ~ N(0, rho)`` its persistent level, ``v`` an AR(1) reverting at
``quality_reversion_per_year`` towards a target shifted by ``improvement`` while it runs a
delivery model, by ``-quality_workforce_effect x stress`` (its workforce against England's, from
the DfE panels) and by ``inadequate_response`` while its latest grade is Inadequate (statutory
intervention and improvement support). A grade is the band of ``q + noise`` between cut-points
set by the national grade shares, per framework.

Because the model is linear-Gaussian underneath, its likelihood is computed almost exactly by a
forward algorithm in C++ (``_core.quality_log_likelihood``: grid over ``v``, Gauss-Hermite
nodes over ``u``, exact k-month kernels), for many parameter sets at once. Inference:

1. the posterior mode (scipy.optimize, gradients by batched finite differences);
2. posterior draws from ``emcee``'s affine-invariant ensemble sampler started in a Laplace ball
   around the mode, with its diagnostics (acceptance fraction, integrated autocorrelation time,
   effective sample size).

Forecasts (``_core.quality_forecast``) filter each council's own history, so a council's
persistent level carries into its next grade; posterior predictive histories come from
``_core.simulate_quality_histories``, the same C++ code the engine steps with.

Only SIF (2013-2018) and ILACS (2018-) graded judgements are used: the older SLAC and CPI
frameworks graded a different thing (safeguarding services only) on a different four-point scale
with "Adequate", so their grades are not on the SIF/ILACS scale. ILACS gets its own cut-points:
SIF's scaled by ``exp(-ilacs_log_scale)`` and shifted down by ``ilacs_shift``.

The fitted ``"parameters"`` (posterior medians, with the ILACS-era shares) can be passed as
``parameters=`` to :func:`admsim.simulate`; ``improvement`` is a delivery-model *effect*
(catalogue hook ``improvement``) and is saved under ``"effects"``.
"""
from __future__ import annotations

import contextlib
import json
import logging
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from . import _core
from .calibration_data import (  # noqa: F401  (re-exported: the public calibration API)
    ADM_HISTORY, COVID_PAUSE, DEFAULT_INTERVALS, GRADE_LABELS, GRADES, ILACS_START, PROB_COLUMNS,
    Histories, adm_spells, default_judgements_path, histories, load_adm_history,
    load_judgements, month_of, next_inspection_weights)
from .predictive import (  # noqa: F401
    grade_shares_at, months_to_leave_inadequate, scores, transition_counts, transition_matrix)

# Named parameters, in the order of the unconstrained coordinates theta (see _unpack).
PARAMETER_NAMES = ["quality_reversion_per_year", "inspection_noise_sd", "sif_share_outstanding",
                   "sif_share_good", "sif_share_requires_improvement", "ilacs_shift", "improvement",
                   "ilacs_log_scale", "persistent_share", "inadequate_response",
                   "quality_workforce_effect"]
ENGINE_PARAMETERS = ["quality_reversion_per_year", "inspection_noise_sd",
                     "national_share_outstanding", "national_share_good",
                     "national_share_requires_improvement", "quality_persistent_share",
                     "inadequate_response", "quality_workforce_effect"]
MAX_PERSISTENT_SHARE = 0.95  # the engine's upper bound
# Weakly informative normal priors on theta: (mean, sd) per coordinate.
#   theta0 = log reversion per year      ~ N(log 0.35, 1)     (the pre-calibration assumption)
#   theta1 = log inspection noise SD     ~ N(log 0.5, 1)
#   theta2 = z1 (Outstanding/Good cut, standardised)       ~ N(1, 2)
#   theta3, theta4 = log gaps z1 - z2, z2 - z3             ~ N(0, 1.5)
#   theta5 = ilacs_shift                 ~ N(0, 1)
#   theta6 = improvement (SD units)      ~ N(0, 0.5): the data speak to it only weakly
#   theta7 = ilacs_log_scale             ~ N(0, 0.5): ILACS cut-points z_k exp(-scale) - shift
#   theta8 = logit(persistent_share / 0.95) ~ N(-1, 1.5): median share 0.26
#   theta9 = inadequate_response (SD units) ~ N(0, 1)
#   theta10 = quality_workforce_effect (SD units per unit of stress) ~ N(0, 0.5)
PRIORS = [(math.log(0.35), 1.0), (math.log(0.5), 1.0), (1.0, 2.0), (0.0, 1.5), (0.0, 1.5),
          (0.0, 1.0), (0.0, 0.5), (0.0, 0.5), (-1.0, 1.5), (0.0, 1.0), (0.0, 0.5)]
_HORIZON_MONTHS = 84  # forecasts look at most this far past as_of (the schedule's 60 + pause)


# ---------------------------------------------------------------------------------------------
# Parameters: unconstrained theta <-> named values <-> the C++ parameter rows
# ---------------------------------------------------------------------------------------------
def _sif_z(p: Mapping[str, float]) -> np.ndarray:
    """Standardised SIF cut-points (Outstanding/Good, Good/RI, RI/Inadequate) from the shares."""
    from scipy.special import ndtri

    o, g, ri = p["sif_share_outstanding"], p["sif_share_good"], p["sif_share_requires_improvement"]
    return ndtri(1.0 - np.array([o, o + g, o + g + ri]))


def _ilacs_z(p: Mapping[str, float]) -> np.ndarray:
    """ILACS cut-points: SIF's scaled by exp(-ilacs_log_scale), then shifted down by ilacs_shift
    (ILACS has graded more generously and more often at the extremes)."""
    return _sif_z(p) * math.exp(-p.get("ilacs_log_scale", 0.0)) - p.get("ilacs_shift", 0.0)


def _unpack(theta: np.ndarray) -> dict[str, float]:
    from scipy.special import expit, ndtr

    z1 = theta[2]
    z2 = z1 - math.exp(theta[3])
    z3 = z2 - math.exp(theta[4])
    cum = 1.0 - ndtr(np.array([z1, z2, z3]))
    return {"quality_reversion_per_year": math.exp(theta[0]),
            "inspection_noise_sd": math.exp(theta[1]),
            "sif_share_outstanding": float(cum[0]), "sif_share_good": float(cum[1] - cum[0]),
            "sif_share_requires_improvement": float(cum[2] - cum[1]),
            "ilacs_shift": float(theta[5]), "improvement": float(theta[6]),
            "ilacs_log_scale": float(theta[7]),
            "persistent_share": (0.0 if theta[8] <= -30  # fixed at exactly 0
                                 else float(MAX_PERSISTENT_SHARE * expit(theta[8]))),
            "inadequate_response": float(theta[9]),
            "quality_workforce_effect": float(theta[10])}


def _core_rows(sets: list[Mapping[str, float]]) -> np.ndarray:
    """Rows of ``_core.QUALITY_PARAMETERS`` for named parameter sets."""
    rows = [[p["quality_reversion_per_year"], p.get("persistent_share", 0.0),
             p["inspection_noise_sd"], p.get("improvement", 0.0),
             p.get("inadequate_response", 0.0), p.get("quality_workforce_effect", 0.0),
             *_sif_z(p), *_ilacs_z(p)] for p in sets]
    return np.asarray(rows, dtype=float).reshape(len(rows), len(_core.QUALITY_PARAMETERS))


def engine_parameters(p: Mapping[str, float]) -> dict[str, float]:
    """Engine parameters for the framework in force now (ILACS), from named parameters."""
    from scipy.special import ndtr

    cum = 1.0 - ndtr(_ilacs_z(p))
    return {"quality_reversion_per_year": float(p["quality_reversion_per_year"]),
            "inspection_noise_sd": float(p["inspection_noise_sd"]),
            "national_share_outstanding": float(cum[0]),
            "national_share_good": float(cum[1] - cum[0]),
            "national_share_requires_improvement": float(cum[2] - cum[1]),
            "quality_persistent_share": float(p.get("persistent_share", 0.0)),
            "inadequate_response": float(p.get("inadequate_response", 0.0)),
            "quality_workforce_effect": float(p.get("quality_workforce_effect", 0.0))}


def _from_engine(p: Mapping[str, float]) -> dict[str, float]:
    """Named parameters from engine names (ILACS shares, no framework shift; the engine's defaults
    for any left out) or named ones."""
    if "sif_share_outstanding" in p:
        return {k: float(p.get(k, 0.0)) for k in PARAMETER_NAMES}
    e = {row["name"]: row["default"] for row in _core.parameter_table()}
    e.update(p)
    return {"quality_reversion_per_year": e["quality_reversion_per_year"],
            "inspection_noise_sd": e["inspection_noise_sd"],
            "sif_share_outstanding": e["national_share_outstanding"],
            "sif_share_good": e["national_share_good"],
            "sif_share_requires_improvement": e["national_share_requires_improvement"],
            "ilacs_shift": 0.0, "improvement": p.get("improvement", 0.0), "ilacs_log_scale": 0.0,
            "persistent_share": p.get("persistent_share", e["quality_persistent_share"]),
            "inadequate_response": e["inadequate_response"],
            "quality_workforce_effect": e["quality_workforce_effect"]}


def _log_prior(theta: np.ndarray) -> np.ndarray:
    theta = np.atleast_2d(theta)
    m = np.array([mu for mu, _ in PRIORS])
    s = np.array([sd for _, sd in PRIORS])
    return -0.5 * np.sum(((theta - m) / s) ** 2, axis=1)


def log_likelihood(p: Mapping[str, float], judgements=None, adm_history=None, *, panels=None,
                   workforce: bool = True) -> float:
    """Log-likelihood of the graded histories under one parameter set (named or engine names)."""
    df = load_judgements(judgements)
    h = histories(df, end_month=int(df["month"].max()), adm_history=adm_history, panels=panels,
                  workforce=workforce)
    return float(_core.quality_log_likelihood(_core_rows([_from_engine(p)]), h.arrays).sum())


# ---------------------------------------------------------------------------------------------
# Calibration
# ---------------------------------------------------------------------------------------------
@dataclass
class Calibration:
    """The result of :func:`calibrate`: posterior draws (named parameters) and diagnostics."""
    draws: pd.DataFrame
    mode: dict
    diagnostics: dict
    data: dict
    seed: int

    @property
    def parameters(self) -> dict[str, float]:
        """Posterior-median engine parameters (ILACS-era shares), for ``admsim.simulate``
        (medians: the reversion/noise ridge gives the noise SD a long right tail)."""
        eng = pd.DataFrame([engine_parameters(r) for r in self.draws.to_dict("records")])
        return {k: float(v) for k, v in eng.median().items()}

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
            "engine_draws": pd.DataFrame([engine_parameters(r) for r in
                                          self.draws.to_dict("records")]).to_dict("list"),
            "diagnostics": self.diagnostics,
            "data": self.data,
            "seed": self.seed,
            "method": ("Exact (grid forward-algorithm, C++) likelihood of the quality/inspection "
                       "module with a persistent council level, workforce inputs from the DfE "
                       "panels and a response to Inadequate grades; posterior mode by "
                       "scipy.optimize; posterior draws by emcee's affine-invariant ensemble "
                       "sampler started around the mode."),
            "notes": ("'parameters' are engine parameters (posterior medians) for the ILACS "
                      "framework and can be passed as parameters= to admsim.simulate. "
                      "'improvement' is a delivery-model effect (catalogue hook 'improvement'), "
                      "weakly identified: few councils ran a delivery model and each has 2-3 "
                      "graded inspections."),
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
            return cls(draws=pd.DataFrame(d["posterior_draws"]), mode=d["mode"],
                       diagnostics=d["diagnostics"], data=d["data"], seed=d["seed"])
        except (OSError, ValueError, KeyError) as exc:
            raise ValueError(f"{path}: not a calibration file written by admsim calibrate "
                             f"({exc})") from exc


def _free_mask(df: pd.DataFrame, h: Histories, fixed: Mapping[str, float]) -> np.ndarray:
    """Which coordinates are fitted: those the user did not fix and the data can inform."""
    free = np.array([name not in fixed for name in PARAMETER_NAMES])
    if not df["framework"].str.startswith("ILACS").any():
        free[[5, 7]] = False
    if not h.arrays["adm_live"].any():
        free[6] = False
    if not h.arrays["stress"].any():
        free[10] = False
    return free


def _theta_of(name: str, value: float) -> float:
    """Unconstrained coordinate of one fixed named value (cut-point shares cannot be fixed)."""
    i = PARAMETER_NAMES.index(name)
    if i in (0, 1):
        return math.log(value)
    if i == 8:
        from scipy.special import logit
        return float(logit(value / MAX_PERSISTENT_SHARE)) if value > 0 else -30.0
    if i in (5, 6, 7, 9, 10):
        return float(value)
    raise ValueError(f"fixed: {name!r} cannot be fixed; fixable: "
                     f"{[n for k, n in enumerate(PARAMETER_NAMES) if k not in (2, 3, 4)]}")


def calibrate(judgements=None, until=None, *, adm_history=None, panels=None,
              walkers: int = 32, steps: int = 6000, burn: int = 500, draws: int = 1000,
              fixed: Mapping[str, float] | None = None, fit_improvement: bool = True,
              workforce: bool = True, seed: int = 1, threads: int | None = None,
              progress: bool = False) -> Calibration:
    """Fit the quality/inspection parameters to graded SIF/ILACS histories published by ``until``.

    judgements: path or frame (default: the shipped ``ofsted_history.csv``); until: last
    publication date used (default: all rows; delivery-model spells and workforce snapshots
    published after it are not used either); adm_history: delivery-model spells (default: the
    shipped ``ADM_HISTORY``); panels: a DfE panels folder for the workforce inputs (default: the
    shipped ``council_workforce.csv``); workforce: False leaves workforce inputs out.

    walkers, steps, burn: emcee's ensemble (walkers x steps proposals, the first ``burn`` steps
    dropped); draws: posterior draws kept (evenly spaced over the kept chain). fixed: named
    parameters held at given values (e.g. ``{"persistent_share": 0}``); the fit also holds the
    ILACS, improvement and workforce terms at 0 when the data have no ILACS rows, delivery-model
    spells or workforce snapshots. Same ``seed``, same posterior, for any ``threads``.
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
    fixed = dict(fixed or {})
    if not fit_improvement:
        fixed.setdefault("improvement", 0.0)
    h = histories(df, end_month=int(df["month"].max()), adm_history=adm_history, as_of=until,
                  panels=panels, workforce=workforce)
    free = _free_mask(df, h, fixed)
    base = np.array([m for m, _ in PRIORS])
    for name, value in fixed.items():
        base[PARAMETER_NAMES.index(name)] = _theta_of(name, value)
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
        if ok.any():
            rows = _core_rows([_unpack(t) for t in theta[ok]])
            ll = _core.quality_log_likelihood(rows, h.arrays, threads=threads).sum(axis=1)
            out[ok] = ll + _log_prior(theta[ok])
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
    x0 = base[free]
    res = optimize.minimize(neg, x0, jac=neg_grad, method="L-BFGS-B", options={"maxiter": 500})
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
    sampler = emcee.EnsembleSampler(walkers, d, log_post, vectorize=True)
    sampler.random_state = np.random.RandomState(seed).get_state()
    sampler.run_mcmc(start, steps, progress=progress)
    chain = sampler.get_chain(discard=burn, flat=True)
    with _quiet_emcee():  # a short chain is reported in the diagnostics instead
        tau = sampler.get_autocorr_time(discard=burn, quiet=True)
    kept = walkers * (steps - burn)
    pick = np.linspace(0, len(chain) - 1, draws).round().astype(int)
    sample = pd.DataFrame([_unpack(t) for t in full(chain[pick])], columns=PARAMETER_NAMES)
    elapsed = time.perf_counter() - started

    diagnostics = {
        "map_log_posterior": float(-res.fun),
        "map_log_likelihood": float(-res.fun - _log_prior(full(xmap[None]))[0]),
        "optimizer_success": bool(res.success),
        "hessian_eigenvalues": [float(e) for e in eig],
        "laplace_sd_unconstrained": dict(zip(free_names, sd_theta.tolist())),
        "free_parameters": free_names,
        "fixed_parameters": {n: v for (n, v), f in zip(_unpack(base).items(), free) if not f},
        "sampler": f"emcee {emcee.__version__} EnsembleSampler (stretch move)",
        "walkers": walkers, "steps": steps, "burn": burn,
        "acceptance_fraction": float(np.mean(sampler.acceptance_fraction)),
        "autocorrelation_time": dict(zip(free_names, tau.tolist())),
        "effective_sample_size": float(kept / np.nanmax(tau)),
        # emcee's guide: trust tau once the chain is longer than about 50 tau
        "chain_longer_than_50_tau": bool(steps - burn > 50 * np.nanmax(tau)),
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
    return Calibration(draws=sample, mode=_unpack(full(xmap[None])[0]), diagnostics=diagnostics,
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


# ---------------------------------------------------------------------------------------------
# Forecasts
# ---------------------------------------------------------------------------------------------
def _param_sets(params, max_sets: int) -> list[dict]:
    """Named parameter sets from a Calibration, a saved file, draws or one set of values."""
    if params is None:
        raise ValueError("params is required here")
    if isinstance(params, (str, Path)):
        params = Calibration.load(params)
    if isinstance(params, Calibration):
        rows = params.draws.to_dict("records")
        if len(rows) > max_sets:
            step = len(rows) / max_sets
            rows = [rows[int(i * step)] for i in range(max_sets)]
        return [_from_engine(r) for r in rows]
    if isinstance(params, pd.DataFrame):
        return [_from_engine(r) for r in params.to_dict("records")][:max_sets]
    if isinstance(params, Mapping) and "posterior_draws" in params:
        return _param_sets(Calibration(pd.DataFrame(params["posterior_draws"]), params["mode"],
                                       {}, {}, params.get("seed", 0)), max_sets)
    return [_from_engine(params)]


def _predict(sets, h: Histories, as_of_month: int, horizons: list[dict[int, float]],
             framework: int, threads) -> np.ndarray:
    """Mean over parameter sets of each council's grade probabilities at the given horizons."""
    offsets = np.cumsum([0] + [len(w) for w in horizons]).astype(np.int32)
    months = np.array([m for w in horizons for m in w], np.int32)
    weights = np.array([p for w in horizons for p in w.values()], float)
    P = _core.quality_forecast(_core_rows(sets), h.arrays, as_of_month=as_of_month,
                               horizon_offsets=offsets, horizon_months=months,
                               horizon_weights=weights, framework=framework, threads=threads)
    return P.mean(axis=0)


def forecast(judgements=None, as_of=None, params=None, adm_history=None, *, panels=None,
             intervals: Mapping[int, tuple[int, int]] | None = None, max_sets: int = 200,
             seed: int = 1, threads: int | None = None, **calibrate_options) -> pd.DataFrame:
    """Probability of each grade at every council's next graded inspection after ``as_of``.

    Uses only rows published on or before ``as_of`` (and only delivery-model spells and workforce
    snapshots known by then). ``params``: a :class:`Calibration`, a path to a saved calibration
    JSON, a dict of parameters (engine or named), or None to calibrate on those rows first
    (``calibrate_options`` go to :func:`calibrate`). ``panels``: a DfE panels folder for the
    workforce inputs (default: the shipped copy). The next inspection's month is integrated over
    the schedule's interval for the council's latest grade (``intervals``, default the engine's),
    given it falls after ``as_of``. Returns one row per council with a graded judgement on or
    before ``as_of``, columns local_authority and ``PROB_COLUMNS``; posterior-averaged over at
    most ``max_sets`` draws.
    """
    as_of = pd.Timestamp(as_of) if as_of is not None else pd.Timestamp.today().normalize()
    df = load_judgements(judgements)
    df = df[df["publication_date"] <= as_of]
    if df.empty:
        return pd.DataFrame(columns=["local_authority", *PROB_COLUMNS])
    if params is None:
        params = calibrate(df, until=as_of, adm_history=adm_history, panels=panels, seed=seed,
                           threads=threads, **calibrate_options)
    sets = _param_sets(params, max_sets)
    a = month_of(as_of)
    h = histories(df, end_month=a + _HORIZON_MONTHS, adm_history=adm_history, as_of=as_of,
                  panels=panels)
    last = df.groupby("local_authority").tail(1).set_index("local_authority")
    horizons = [next_inspection_weights(int(last.at[n, "grade"]), a - int(last.at[n, "month"]), a,
                                        intervals) for n in h.names]
    framework = int(as_of >= ILACS_START - pd.DateOffset(days=1))
    probs = _predict(sets, h, a, horizons, framework, threads)
    out = pd.DataFrame(probs, columns=PROB_COLUMNS)
    out.insert(0, "local_authority", h.names)
    return out


def one_step_predictions(params, judgements=None, councils=None, *, adm_history=None,
                         panels=None, max_sets: int = 200, threads=None) -> pd.DataFrame:
    """For every graded judgement after a council's first, the predicted probability of each
    grade given only the judgements before it (the inspection month known). A conditional
    posterior predictive check: one row per judgement, with the observed grade."""
    df = load_judgements(judgements)
    if councils is not None:
        df = df[df["local_authority"].isin(list(councils))]
    sets = _param_sets(params, max_sets)
    rows = []
    for name, g in df.groupby("local_authority", sort=True):
        for k in range(1, len(g)):
            before, target = g.iloc[:k], g.iloc[k]
            a = int(target["month"]) - 1
            if before["month"].iloc[-1] > a:  # same-month judgements: nothing to forecast from
                continue
            as_of = pd.Timestamp(year=a // 12, month=a % 12 + 1, day=1) + pd.offsets.MonthEnd()
            h = histories(before, end_month=a + 1, adm_history=adm_history, as_of=as_of,
                          panels=panels)
            p = _predict(sets, h, a, [{1: 1.0}],
                         int(str(target["framework"]).startswith("ILACS")), threads)[0]
            rows.append({"local_authority": name, "publication_date": target["publication_date"],
                         "observed": int(target["grade"]),
                         **dict(zip(PROB_COLUMNS, p))})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------
# Back-test
# ---------------------------------------------------------------------------------------------
def backtest(judgements=None, train_until="2018-12-31", test_until="2022-12-31", *,
             adm_history=None, panels=None, calibration=None, max_sets: int = 200,
             seed: int = 1, threads: int | None = None, return_details: bool = False,
             **calibrate_options):
    """Calibrate on rows published by ``train_until``; forecast each council's first graded
    judgement published in (train_until, test_until]; score against the transition-matrix (add-one
    smoothing) and national-distribution baselines from the same training rows.

    Returns a frame indexed by method with Brier score (sum over the four grades, mean over
    councils), log loss and n; with ``return_details`` also the per-council forecasts and the
    calibration. ``calibrate_options`` (walkers, steps, burn, draws, ...) go to
    :func:`calibrate`.
    """
    df = load_judgements(judgements)
    t0, t1 = pd.Timestamp(train_until), pd.Timestamp(test_until)
    train = df[df["publication_date"] <= t0]
    test = df[(df["publication_date"] > t0) & (df["publication_date"] <= t1)]
    test = test.groupby("local_authority", sort=True).head(1).set_index("local_authority")
    cal = calibration or calibrate(train, until=t0, adm_history=adm_history, panels=panels,
                                   seed=seed, threads=threads, **calibrate_options)
    fc = forecast(train, as_of=t0, params=cal, adm_history=adm_history, panels=panels,
                  max_sets=max_sets, threads=threads).set_index("local_authority")
    names = [n for n in fc.index if n in test.index]
    y = test.loc[names, "grade"].to_numpy()
    p_model = fc.loc[names, PROB_COLUMNS].to_numpy()
    T = transition_matrix(train)
    last = train.groupby("local_authority")["grade"].last()
    p_trans = T[last.loc[names].to_numpy()]
    nat = np.bincount(last.to_numpy(), minlength=4).astype(float)
    nat /= nat.sum()
    p_nat = np.tile(nat, (len(names), 1))
    rows = []
    for method, p in (("model", p_model), ("transition_matrix", p_trans),
                      ("national_distribution", p_nat)):
        b, ll = scores(p, y)
        rows.append({"method": method, "brier": b, "log_loss": ll, "n": len(names)})
    table = pd.DataFrame(rows).set_index("method")
    if not return_details:
        return table
    details = fc.loc[names].copy()
    details["observed"] = [GRADES[g] for g in y]
    details["last_grade"] = [GRADES[g] for g in last.loc[names]]
    for k, g in enumerate(GRADES):
        details[f"tm_{g}"] = p_trans[:, k]
    return table, details, cal


# ---------------------------------------------------------------------------------------------
# Posterior predictive simulation (the engine's quality model, in C++)
# ---------------------------------------------------------------------------------------------
def simulate_histories(calibration, judgements=None, *, adm_history=None, panels=None,
                       replicates: int = 200, start="2013-01-01", end="2022-12-31",
                       seed: int = 1, intervals: Mapping[int, tuple[int, int]] | None = None,
                       threads: int | None = None) -> pd.DataFrame:
    """Simulated graded histories of every council in ``judgements``, one posterior draw per
    replicate (``_core.simulate_quality_histories``): latent quality from its stationary law at
    ``start``; first graded inspection in the month of the council's observed first one, then the
    schedule's intervals by grade (``intervals``, default the engine's), postponed past the COVID
    pause; SIF cut-points before 2018, ILACS after; the council's delivery-model spells and
    workforce inputs as observed. Returns long rows: replicate, local_authority, month,
    publication_date, grade, framework.
    """
    df = load_judgements(judgements)
    sets = _param_sets(calibration, replicates)
    m0, m1 = month_of(start), month_of(end)
    if len(df) and df["month"].min() < m0:
        raise ValueError(f"start = {start}: must be on or before the first judgement "
                         f"({df['publication_date'].min().date()})")
    h = histories(df, start_month=m0, end_month=m1, adm_history=adm_history, panels=panels)
    table = np.array([(intervals or DEFAULT_INTERVALS)[g] for g in range(4)], float)
    sim = _core.simulate_quality_histories(
        _core_rows(sets), h.arrays, start_month=m0, end_month=m1, replicates=replicates,
        seed=seed, intervals=table, ilacs_start_month=month_of(ILACS_START),
        pause_start_month=month_of(COVID_PAUSE[0]), pause_end_month=month_of(COVID_PAUSE[1]),
        threads=threads)
    res = pd.DataFrame({"replicate": sim["replicate"],
                        "local_authority": np.array(h.names, dtype=object)[sim["council"]],
                        "month": sim["month"], "grade": sim["grade"]})
    res["publication_date"] = pd.to_datetime(
        {"year": res["month"] // 12, "month": res["month"] % 12 + 1, "day": 1})
    res["framework"] = np.where(sim["framework"] == 1, "ILACS", "SIF")
    return res
