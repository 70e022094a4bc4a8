"""Calibrate the quality-and-inspection module against real Ofsted histories; forecast next grades.

The quality module on its own (no workforce feedback) is a hidden Gaussian AR(1) observed through
ordinal grades at irregular dates:

    q[t] = q[t-1] + kappa (target[t] - q[t-1]) + sigma e[t],   kappa = 1 - exp(-r / 12),
    sigma = sqrt(1 - (1 - kappa)^2)                            (stationary SD 1)
    y = q + eps,  eps ~ N(0, s^2);  grade = band of y between cut-points c_k = sqrt(1 + s^2) z_k,
    z_k = Phi^-1(1 - cumulative national share)                (as in the engine)

so its likelihood is computed almost exactly by a forward algorithm on a grid of latent values:
between two inspections k months apart the latent moves by the exact k-step Gaussian kernel
(mean target + (1 - kappa)^k (q - target), variance 1 - (1 - kappa)^(2k)), and each inspection
multiplies by the ordered-probit probability of its grade. Each council starts from the stationary
N(0, 1) at its first graded inspection.

Parameters fitted (``PARAMETER_NAMES``): ``quality_reversion_per_year``, ``inspection_noise_sd``,
the three SIF-era national shares (which set the cut-points), ``ilacs_shift`` (the ILACS
framework's cut-points sit ``ilacs_shift`` standardised units lower than SIF's: ILACS has graded
more generously) and ``improvement`` (shift of the quality target in the months a council ran a
delivery model, from the ADM history). Only SIF (2013-2018) and ILACS (2018-) graded judgements are
used: the older SLAC and CPI frameworks graded a different thing (safeguarding services only) on a
different four-point scale with "Adequate", so their grades are not on the SIF/ILACS scale.

Inference: maximum a posteriori with weakly informative priors (``PRIORS``) by scipy.optimize, a
Laplace approximation from the finite-difference Hessian at the mode, and importance resampling of
Laplace draws against the exact posterior (sampling-importance-resampling), whose effective sample
size is reported as the diagnostic. numpy/scipy only; no MCMC library is needed.

The fitted ``"parameters"`` (posterior means of the engine parameters, with the ILACS-era shares,
which are the ones in force now) can be passed as ``parameters=`` to :func:`admsim.simulate`.
``improvement`` is a delivery-model *effect* (catalogue hook ``improvement``), not an engine
parameter, and is saved separately under ``"effects"``.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd
from scipy import optimize
from scipy.special import ndtr, ndtri

GRADES = ["outstanding", "good", "requires_improvement", "inadequate"]
GRADE_LABELS = {"Outstanding": 0, "Good": 1, "Requires improvement to be good": 2,
                "Requires improvement": 2, "Inadequate": 3}
PROB_COLUMNS = [f"p_{g}" for g in GRADES]
FRAMEWORKS = ("SIF", "ILACS")  # prefixes of graded frameworks in scope
ILACS_START = pd.Timestamp("2018-01-01")

# Unconstrained coordinates (theta) -> named parameters; see _unpack.
PARAMETER_NAMES = ["quality_reversion_per_year", "inspection_noise_sd", "sif_share_outstanding",
                   "sif_share_good", "sif_share_requires_improvement", "ilacs_shift", "improvement",
                   "ilacs_log_scale"]
ENGINE_PARAMETERS = ["quality_reversion_per_year", "inspection_noise_sd",
                     "national_share_outstanding", "national_share_good",
                     "national_share_requires_improvement"]
# Weakly informative normal priors on theta: (mean, sd) per coordinate.
#   theta0 = log reversion per year      ~ N(log 0.35, 1)     (parameters.md default 0.35)
#   theta1 = log inspection noise SD     ~ N(log 0.5, 1)
#   theta2 = z1 (Outstanding/Good cut, standardised)       ~ N(1, 2)
#   theta3, theta4 = log gaps z1 - z2, z2 - z3             ~ N(0, 1.5)
#   theta5 = ilacs_shift                 ~ N(0, 1)
#   theta6 = improvement (SD units)      ~ N(0, 0.5): the data speak to it only weakly
#   theta7 = ilacs_log_scale             ~ N(0, 0.5): ILACS cut-points z_k exp(-scale) - shift
PRIORS = [(math.log(0.35), 1.0), (math.log(0.5), 1.0), (1.0, 2.0), (0.0, 1.5), (0.0, 1.5),
          (0.0, 1.0), (0.0, 0.5), (0.0, 0.5)]

# Re-inspection intervals in months by latest grade (engine defaults, docs/parameters.md).
DEFAULT_INTERVALS = {0: (36, 60), 1: (36, 60), 2: (30, 42), 3: (24, 36)}

# Delivery-model spells (adm_history_to_2022.csv in shared/data; sources there). Kept in code so
# the package needs no shared/data; tests check it against the file when present.
ADM_HISTORY = pd.DataFrame(
    [("Kingston upon Thames", "latc_shared", "2014-04-01", None),
     ("Richmond upon Thames", "latc_shared", "2014-04-01", None),
     ("Windsor and Maidenhead", "latc_shared", "2017-08-01", None),
     ("Doncaster", "independent_trust", "2014-10-01", "2022-09-01"),
     ("Slough", "independent_trust", "2015-10-01", "2021-04-01"),
     ("Slough", "latc", "2021-04-01", None),
     ("Sunderland", "latc", "2017-04-01", None),
     ("Birmingham", "latc", "2018-04-01", None),
     ("Sandwell", "independent_trust", "2018-04-01", None),
     ("Reading", "latc", "2018-12-01", None),
     ("Worcestershire", "latc", "2019-10-01", None),
     ("Northamptonshire", "independent_trust", "2020-11-01", None),
     ("Kirklees", "strategic_partnership", "2017-09-14", "2020-01-13"),
     ("Isle of Wight", "strategic_partnership", "2013-01-01", None)],
    columns=["local_authority", "catalogue_id", "start", "end"])

_GRID = np.linspace(-5.0, 5.0, 81)
_EDGES = np.concatenate([[-np.inf], (_GRID[1:] + _GRID[:-1]) / 2, [np.inf]])


def _month(ts) -> int:
    ts = pd.Timestamp(ts)
    return ts.year * 12 + ts.month - 1


# ---------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------
def default_judgements_path() -> Path:
    """The shipped SIF/ILACS graded judgements (python/admsim/data/ofsted_history.csv)."""
    return Path(str(resources.files("admsim") / "data" / "ofsted_history.csv"))


def load_judgements(judgements: str | Path | pd.DataFrame | None = None) -> pd.DataFrame:
    """Graded SIF and ILACS judgements as a frame sorted by council and publication date.

    Accepts the shipped derived file (default), the shared ``ofsted_la_judgements_2009_2022.csv``
    (column ``overall_effectiveness``) or a frame of either. Columns out: local_authority,
    framework, grade (0 Outstanding .. 3 Inadequate), publication_date, month.
    """
    if judgements is None:
        judgements = default_judgements_path()
    if isinstance(judgements, pd.DataFrame):
        df = judgements.copy()
    else:
        df = pd.read_csv(judgements, comment="#")
    if "grade" not in df.columns or not pd.api.types.is_numeric_dtype(df["grade"]):
        col = "overall_effectiveness" if "overall_effectiveness" in df.columns else "grade"
        df["grade"] = df[col].map(GRADE_LABELS)
    df = df[df["framework"].astype(str).str.startswith(FRAMEWORKS) & df["grade"].notna()].copy()
    df["grade"] = df["grade"].astype(int)
    df["publication_date"] = pd.to_datetime(df["publication_date"])
    df = df.dropna(subset=["publication_date"])
    df["month"] = df["publication_date"].map(_month)
    df = df.sort_values(["local_authority", "publication_date"], kind="stable")
    return df[["local_authority", "framework", "grade", "publication_date", "month"]].reset_index(
        drop=True)


def load_adm_history(adm_history: str | Path | pd.DataFrame | None = None) -> pd.DataFrame:
    if adm_history is None:
        return ADM_HISTORY.copy()
    df = adm_history.copy() if isinstance(adm_history, pd.DataFrame) else pd.read_csv(adm_history)
    return df[["local_authority", "catalogue_id", "start", "end"]]


def _adm_months(adm: pd.DataFrame, as_of=None) -> dict[str, list[tuple[int, int]]]:
    """Council -> list of [start, end) month spells; spells starting after as_of are unknown then,
    and an end after as_of is not yet known either (the spell continues)."""
    out: dict[str, list[tuple[int, int]]] = {}
    cutoff = None if as_of is None else pd.Timestamp(as_of)
    for row in adm.itertuples():
        start = pd.Timestamp(row.start)
        if cutoff is not None and start > cutoff:
            continue
        end = row.end if isinstance(row.end, str) and row.end else None
        end_ts = pd.Timestamp(end) if end else None
        if end_ts is not None and cutoff is not None and end_ts > cutoff:
            end_ts = None
        out.setdefault(row.local_authority, []).append(
            (_month(start), _month(end_ts) if end_ts is not None else 10**6))
    return out


# ---------------------------------------------------------------------------------------------
# Model
# ---------------------------------------------------------------------------------------------
def _unpack(theta: np.ndarray) -> dict[str, float]:
    r, s = math.exp(theta[0]), math.exp(theta[1])
    z1 = theta[2]
    z2 = z1 - math.exp(theta[3])
    z3 = z2 - math.exp(theta[4])
    cum = 1.0 - ndtr(np.array([z1, z2, z3]))
    return {"quality_reversion_per_year": r, "inspection_noise_sd": s,
            "sif_share_outstanding": float(cum[0]), "sif_share_good": float(cum[1] - cum[0]),
            "sif_share_requires_improvement": float(cum[2] - cum[1]),
            "ilacs_shift": float(theta[5]), "improvement": float(theta[6]),
            "ilacs_log_scale": float(theta[7])}


def _pack(p: Mapping[str, float]) -> np.ndarray:
    o, g, ri = p["sif_share_outstanding"], p["sif_share_good"], p["sif_share_requires_improvement"]
    z = ndtri(1.0 - np.array([o, o + g, o + g + ri]))
    return np.array([math.log(p["quality_reversion_per_year"]), math.log(p["inspection_noise_sd"]),
                     z[0], math.log(z[0] - z[1]), math.log(z[1] - z[2]),
                     p.get("ilacs_shift", 0.0), p.get("improvement", 0.0),
                     p.get("ilacs_log_scale", 0.0)])


def _ilacs_z(z: np.ndarray, p: Mapping[str, float]) -> np.ndarray:
    """ILACS standardised cut-points from SIF's: scaled by exp(-ilacs_log_scale), then shifted
    down by ilacs_shift (ILACS has graded more generously and more often at the extremes)."""
    return z * math.exp(-p.get("ilacs_log_scale", 0.0)) - p.get("ilacs_shift", 0.0)


def engine_parameters(p: Mapping[str, float]) -> dict[str, float]:
    """Engine parameters for the framework in force now (ILACS): reversion, noise and shares."""
    o, g, ri = p["sif_share_outstanding"], p["sif_share_good"], p["sif_share_requires_improvement"]
    z = _ilacs_z(ndtri(1.0 - np.array([o, o + g, o + g + ri])), p)
    cum = 1.0 - ndtr(z)
    return {"quality_reversion_per_year": float(p["quality_reversion_per_year"]),
            "inspection_noise_sd": float(p["inspection_noise_sd"]),
            "national_share_outstanding": float(cum[0]),
            "national_share_good": float(cum[1] - cum[0]),
            "national_share_requires_improvement": float(cum[2] - cum[1])}


def _from_engine(p: Mapping[str, float]) -> dict[str, float]:
    """Named parameters from engine names (ILACS shares, no framework shift) or named ones."""
    if "sif_share_outstanding" in p:
        return dict(p)
    return {"quality_reversion_per_year": p.get("quality_reversion_per_year", 0.35),
            "inspection_noise_sd": p.get("inspection_noise_sd", 0.5),
            "sif_share_outstanding": p.get("national_share_outstanding", 0.14),
            "sif_share_good": p.get("national_share_good", 0.40),
            "sif_share_requires_improvement": p.get("national_share_requires_improvement", 0.34),
            "ilacs_shift": 0.0, "improvement": p.get("improvement", 0.0), "ilacs_log_scale": 0.0}


@dataclass
class _Model:
    """Grid quantities for one parameter set."""
    p: dict
    phi: float = field(init=False)
    emission: dict = field(init=False)  # framework ("SIF"/"ILACS") -> (4, n) grade probabilities
    _kernels: dict = field(init=False, default_factory=dict)

    def __post_init__(self):
        p = self.p
        self.phi = math.exp(-p["quality_reversion_per_year"] / 12.0)
        s = p["inspection_noise_sd"]
        obs_sd = math.sqrt(1.0 + s * s)
        o, g, ri = p["sif_share_outstanding"], p["sif_share_good"], p["sif_share_requires_improvement"]
        z = ndtri(1.0 - np.array([o, o + g, o + g + ri]))
        self.emission = {}
        for fw, zf in (("SIF", z), ("ILACS", _ilacs_z(z, p))):
            cuts = obs_sd * zf  # decreasing: O/G, G/RI, RI/I
            upper = np.concatenate([[np.inf], cuts])[:, None]
            lower = np.concatenate([cuts, [-np.inf]])[:, None]
            x = _GRID[None, :]
            e = ndtr((upper - x) / s) - ndtr((lower - x) / s)
            self.emission[fw] = np.maximum(e, 1e-300)
        self.prior = np.diff(ndtr(_EDGES))

    def kernel(self, k: int, target: float) -> np.ndarray:
        key = (k, target)
        K = self._kernels.get(key)
        if K is None:
            a = self.phi ** k
            sd = math.sqrt(max(1.0 - a * a, 1e-12))
            mean = target + a * (_GRID - target)
            K = np.diff(ndtr((_EDGES[None, :] - mean[:, None]) / sd), axis=1)
            self._kernels[key] = K
        return K

    def propagate(self, alpha: np.ndarray, m0: int, m1: int, spells) -> np.ndarray:
        """Move the latent distribution from month m0 to m1 (targets per month from spells)."""
        if m1 <= m0:
            return alpha
        imp = self.p.get("improvement", 0.0)
        if not spells or imp == 0.0:
            return alpha @ self.kernel(m1 - m0, 0.0)
        # step into month t uses target(t); split (m0, m1] into runs of constant target
        t = m0
        while t < m1:
            live = any(a <= t + 1 < b for a, b in spells)
            u = t + 1
            while u < m1 and any(a <= u + 1 < b for a, b in spells) == live:
                u += 1
            alpha = alpha @ self.kernel(u - t, imp if live else 0.0)
            t = u
        return alpha


def _framework_of(fw: str) -> str:
    return "ILACS" if str(fw).startswith("ILACS") else "SIF"


def _filter(model: _Model, rows: pd.DataFrame, spells) -> tuple[float, np.ndarray, int]:
    """Forward filter one council: log-likelihood, latent distribution at its last inspection,
    and that inspection's month."""
    alpha, ll, last = model.prior, 0.0, None
    for m, fw, g in zip(rows["month"].to_numpy(), rows["framework"].to_numpy(),
                        rows["grade"].to_numpy()):
        if last is not None:
            alpha = model.propagate(alpha, last, int(m), spells)
        alpha = alpha * model.emission[_framework_of(fw)][g]
        c = alpha.sum()
        ll += math.log(max(c, 1e-300))
        alpha = alpha / c
        last = int(m)
    return ll, alpha, last


def _groups(df: pd.DataFrame):
    return [(name, g) for name, g in df.groupby("local_authority", sort=True)]


def log_likelihood(p: Mapping[str, float], judgements=None, adm_history=None) -> float:
    """Exact-up-to-grid log-likelihood of the graded histories under named parameters ``p``."""
    df = load_judgements(judgements)
    spells = _adm_months(load_adm_history(adm_history))
    model = _Model(_from_engine(p))
    return sum(_filter(model, g, spells.get(name))[0] for name, g in _groups(df))


def _log_prior(theta: np.ndarray) -> float:
    return float(sum(-0.5 * ((t - m) / s) ** 2 for t, (m, s) in zip(theta, PRIORS)))


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
            "method": ("Exact (grid forward-algorithm) likelihood of the quality/inspection module "
                       "without workforce feedback; MAP by scipy.optimize with weakly informative "
                       "priors; Laplace approximation at the mode; sampling-importance-resampling "
                       "of Laplace draws against the exact posterior."),
            "notes": ("'parameters' are engine parameters (posterior medians) for the ILACS framework "
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
        d = json.loads(Path(path).read_text())
        return cls(draws=pd.DataFrame(d["posterior_draws"]), mode=d["mode"],
                   diagnostics=d["diagnostics"], data=d["data"], seed=d["seed"])


def _hessian(f, x: np.ndarray, h: float = 1e-3) -> np.ndarray:
    n = len(x)
    H = np.zeros((n, n))
    f0 = f(x)
    for i in range(n):
        ei = np.zeros(n); ei[i] = h
        H[i, i] = (f(x + ei) - 2 * f0 + f(x - ei)) / h**2
        for j in range(i + 1, n):
            ej = np.zeros(n); ej[j] = h
            H[i, j] = H[j, i] = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej)
                                 + f(x - ei - ej)) / (4 * h * h)
    return H


def calibrate(judgements=None, until=None, *, adm_history=None, draws: int = 1000,
              proposals: int | None = None, seed: int = 1, fit_improvement: bool = True,
              progress: bool = False) -> Calibration:
    """Fit the quality/inspection parameters to graded SIF/ILACS histories published by ``until``.

    judgements: path or frame (default: the shipped ``ofsted_history.csv``); until: last
    publication date used (default: all rows); adm_history: delivery-model spells (default: the
    shipped table ``ADM_HISTORY``); draws: posterior draws returned; proposals: Laplace draws
    importance-weighted (default ``2 * draws``); seed: makes the draws reproducible.
    """
    df = load_judgements(judgements)
    if until is not None:
        df = df[df["publication_date"] <= pd.Timestamp(until)]
    if df.empty:
        raise ValueError("no graded SIF/ILACS judgements to calibrate on")
    spells = _adm_months(load_adm_history(adm_history), until)
    groups = _groups(df)
    free = np.ones(len(PARAMETER_NAMES), bool)
    if not fit_improvement:
        free[6] = False
    has_ilacs = df["framework"].str.startswith("ILACS").any()
    if not has_ilacs:
        free[5] = free[7] = False

    def full(x):
        theta = np.zeros(len(PARAMETER_NAMES))
        theta[free] = x
        return theta

    def neg_log_post(x):
        theta = full(x)
        if np.any(np.abs(theta) > 12):
            return 1e10
        model = _Model(_unpack(theta))
        ll = sum(_filter(model, g, spells.get(name))[0] for name, g in groups)
        return -(ll + _log_prior(theta))

    x0 = np.array([m for m, _ in PRIORS])[free]
    res = optimize.minimize(neg_log_post, x0, method="L-BFGS-B", options={"maxiter": 500})
    res2 = optimize.minimize(neg_log_post, res.x, method="Nelder-Mead",
                             options={"xatol": 1e-5, "fatol": 1e-6, "maxiter": 4000})
    xmap = res2.x if res2.fun <= res.fun else res.x
    fmap = min(res.fun, res2.fun)
    H = _hessian(neg_log_post, xmap)
    H = (H + H.T) / 2
    eig = np.linalg.eigvalsh(H)
    if eig.min() <= 0:  # regularise a non-positive-definite Hessian (flat ridge)
        H = H + (1e-6 - min(eig.min(), 0) + 1e-3) * np.eye(len(xmap))
    cov = np.linalg.inv(H)
    rng = np.random.default_rng(seed)
    n_prop = proposals or 2 * draws
    L = np.linalg.cholesky(cov)
    # multivariate t (5 df) proposals: heavier tails than the Laplace normal for robust weights
    z = rng.standard_normal((n_prop, len(xmap)))
    chi = rng.chisquare(5, size=n_prop) / 5
    prop = xmap + (z @ L.T) / np.sqrt(chi)[:, None]
    dfree = len(xmap)
    maha = np.einsum("ij,jk,ik->i", prop - xmap, np.linalg.inv(cov), prop - xmap)
    log_q = -0.5 * (5 + dfree) * np.log1p(maha / 5)
    log_p = -np.array([neg_log_post(x) for x in prop])
    logw = log_p - log_q
    logw -= logw.max()
    w = np.exp(logw)
    w /= w.sum()
    ess = float(1.0 / np.sum(w**2))
    idx = rng.choice(n_prop, size=draws, replace=True, p=w)
    sample = pd.DataFrame([_unpack(full(prop[i])) for i in idx], columns=PARAMETER_NAMES)
    mode = _unpack(full(xmap))
    sd_theta = np.sqrt(np.diag(cov))
    corr = cov / np.outer(sd_theta, sd_theta)
    diagnostics = {
        "map_neg_log_posterior": float(fmap),
        "map_log_likelihood": float(-fmap - _log_prior(full(xmap))),
        "optimizer_success": bool(res.success or res2.success),
        "hessian_eigenvalues": [float(e) for e in eig],
        "hessian_condition_number": float(eig.max() / max(eig.min(), 1e-12)),
        "laplace_sd_unconstrained": dict(zip(np.array(PARAMETER_NAMES)[free], sd_theta.tolist())),
        "laplace_correlation": corr.round(3).tolist(),
        "free_parameters": list(np.array(PARAMETER_NAMES)[free]),
        "importance_proposals": n_prop,
        "importance_ess": ess,
        "importance_ess_fraction": ess / n_prop,
        "max_weight": float(w.max()),
        "unique_draws": int(len(np.unique(idx))),
    }
    data = {"n_councils": len(groups), "n_judgements": int(len(df)),
            "first_publication": str(df["publication_date"].min().date()),
            "last_publication": str(df["publication_date"].max().date()),
            "until": None if until is None else str(pd.Timestamp(until).date()),
            "frameworks": sorted(df["framework"].unique().tolist()),
            "adm_councils": sorted(set(spells) & set(df["local_authority"]))}
    return Calibration(draws=sample, mode=mode, diagnostics=diagnostics, data=data, seed=seed)


# ---------------------------------------------------------------------------------------------
# Forecasts
# ---------------------------------------------------------------------------------------------
def _param_sets(params, max_sets: int) -> list[dict]:
    if params is None:
        raise ValueError("params is required here")
    if isinstance(params, (str, Path)):
        params = Calibration.load(params)
    if isinstance(params, Calibration):
        rows = params.draws.to_dict("records")
        if len(rows) > max_sets:
            step = len(rows) / max_sets
            rows = [rows[int(i * step)] for i in range(max_sets)]
        return rows
    if isinstance(params, pd.DataFrame):
        return [_from_engine(r) for r in params.to_dict("records")][:max_sets]
    if isinstance(params, Mapping) and "posterior_draws" in params:
        return _param_sets(Calibration(pd.DataFrame(params["posterior_draws"]), params["mode"],
                                       {}, {}, params.get("seed", 0)), max_sets)
    return [_from_engine(params)]


def _horizon_weights(grade: int, months_since: int, intervals) -> dict[int, float]:
    """Months ahead -> probability of the next graded inspection, given it is after as_of."""
    lo, hi = intervals[grade]
    gaps = list(range(int(lo), max(int(hi), int(lo) + 1)))  # engine: floor of U(lo, hi)
    ahead = [g - months_since for g in gaps if g - months_since >= 1]
    if not ahead:  # overdue: the engine puts it 1..11 months ahead
        ahead = list(range(1, 12))
    w = 1.0 / len(ahead)
    return {a: w for a in ahead}


def forecast(judgements=None, as_of=None, params=None, adm_history=None, *,
             intervals: Mapping[int, tuple[int, int]] | None = None, max_sets: int = 200,
             seed: int = 1) -> pd.DataFrame:
    """Probability of each grade at every council's next graded inspection after ``as_of``.

    Uses only rows published on or before ``as_of``. ``params``: a :class:`Calibration`, a path
    to a saved calibration JSON, a dict of parameters (engine or named), or None to calibrate
    on those rows first. The next inspection's month is integrated over the schedule's interval
    for the council's latest grade (``intervals``, default the engine's), given it falls after
    ``as_of``. Returns one row per council with a graded judgement on or before ``as_of``.
    """
    as_of = pd.Timestamp(as_of) if as_of is not None else pd.Timestamp.today().normalize()
    df = load_judgements(judgements)
    df = df[df["publication_date"] <= as_of]
    if df.empty:
        return pd.DataFrame(columns=["local_authority", *PROB_COLUMNS])
    if params is None:
        params = calibrate(df, until=as_of, adm_history=adm_history, draws=200, seed=seed)
    sets = _param_sets(params, max_sets)
    spells = _adm_months(load_adm_history(adm_history), as_of)
    intervals = dict(intervals or DEFAULT_INTERVALS)
    a = _month(as_of)
    groups = _groups(df)
    fw_next = "ILACS" if as_of >= ILACS_START - pd.DateOffset(days=1) else "SIF"
    names, probs = [], np.zeros((len(groups), 4))
    for p in sets:
        model = _Model(p)
        E = model.emission[fw_next]  # (4, n)
        for i, (name, g) in enumerate(groups):
            _, alpha, last = _filter(model, g, spells.get(name))
            weights = _horizon_weights(int(g["grade"].iloc[-1]), a - last, intervals)
            alpha = model.propagate(alpha, last, a, spells.get(name))
            pred, t = np.zeros(4), a
            for h in sorted(weights):
                alpha = model.propagate(alpha, t, a + h, spells.get(name))
                t = a + h
                pred += weights[h] * (E @ alpha)
            probs[i] += pred / pred.sum()
        names = [n for n, _ in groups]
    probs /= len(sets)
    out = pd.DataFrame(probs, columns=PROB_COLUMNS)
    out.insert(0, "local_authority", names)
    return out


# ---------------------------------------------------------------------------------------------
# Baselines and back-test
# ---------------------------------------------------------------------------------------------
def transition_matrix(df: pd.DataFrame, smoothing: float = 1.0) -> np.ndarray:
    """Empirical grade-to-grade transitions between consecutive graded judgements (rows: from)."""
    T = np.full((4, 4), smoothing)
    for _, g in df.groupby("local_authority"):
        gr = g["grade"].to_numpy()
        for x, y in zip(gr[:-1], gr[1:]):
            T[x, y] += 1
    return T / T.sum(axis=1, keepdims=True)


def _scores(p: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    onehot = np.eye(4)[y]
    brier = float(np.mean(np.sum((p - onehot) ** 2, axis=1)))
    logloss = float(np.mean(-np.log(np.clip(p[np.arange(len(y)), y], 1e-12, None))))
    return brier, logloss


def backtest(judgements=None, train_until="2018-12-31", test_until="2022-12-31", *,
             adm_history=None, draws: int = 400, proposals: int | None = None, seed: int = 1,
             calibration=None, max_sets: int = 200, return_details: bool = False):
    """Calibrate on rows published by ``train_until``; forecast each council's first graded
    judgement published in (train_until, test_until]; score against the transition-matrix (add-one
    smoothing) and national-distribution baselines from the same training rows.

    Returns a frame indexed by method with Brier score (sum over the four grades, mean over
    councils), log loss and n; with ``return_details`` also the per-council forecasts.
    """
    df = load_judgements(judgements)
    t0, t1 = pd.Timestamp(train_until), pd.Timestamp(test_until)
    train = df[df["publication_date"] <= t0]
    test = df[(df["publication_date"] > t0) & (df["publication_date"] <= t1)]
    test = test.groupby("local_authority", sort=True).head(1).set_index("local_authority")
    cal = calibration or calibrate(train, until=t0, adm_history=adm_history, draws=draws,
                                   proposals=proposals, seed=seed)
    fc = forecast(train, as_of=t0, params=cal, adm_history=adm_history,
                  max_sets=max_sets).set_index("local_authority")
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
        b, ll = _scores(p, y)
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
# Posterior predictive simulation (same model as the likelihood, vectorised in numpy)
# ---------------------------------------------------------------------------------------------
def simulate_histories(calibration, judgements=None, *, adm_history=None, replicates: int = 200,
                       start="2013-01-01", end="2022-12-31", seed: int = 1,
                       intervals: Mapping[int, tuple[int, int]] | None = None) -> pd.DataFrame:
    """Simulated graded histories of every council in ``judgements``, one posterior draw per
    replicate: latent quality from N(0, 1) at ``start``, first graded inspection in the month of
    the council's observed first one, then the schedule's intervals by grade (overdue ones are not
    possible here); SIF cut-points before 2018, ILACS after. Returns long rows: replicate,
    local_authority, month, publication_date, grade, framework.
    """
    df = load_judgements(judgements)
    sets = _param_sets(calibration, replicates)
    rng = np.random.default_rng(seed)
    names = sorted(df["local_authority"].unique())
    first = df.groupby("local_authority")["month"].min().loc[names].to_numpy()
    m0, m1 = _month(start), _month(end)
    spells = _adm_months(load_adm_history(adm_history))
    live = np.zeros((len(names), m1 - m0 + 1), bool)
    for i, n in enumerate(names):
        for a, b in spells.get(n, []):
            live[i, max(a - m0, 0):max(min(b, m1 + 1) - m0, 0)] = True
    intervals = dict(intervals or DEFAULT_INTERVALS)
    lo = np.array([intervals[g][0] for g in range(4)], float)
    hi = np.array([intervals[g][1] for g in range(4)], float)
    ilacs_m = _month(ILACS_START)
    out = []
    R, C = replicates, len(names)
    draws = [sets[r % len(sets)] for r in range(R)]
    kappa = np.array([1 - math.exp(-p["quality_reversion_per_year"] / 12) for p in draws])[:, None]
    noise = np.sqrt(1 - (1 - kappa) ** 2)
    s = np.array([p["inspection_noise_sd"] for p in draws])[:, None]
    imp = np.array([p.get("improvement", 0.0) for p in draws])[:, None]
    cuts = {}
    for fw in ("SIF", "ILACS"):
        cuts[fw] = np.stack([_cuts(p, fw) for p in draws])  # (R, 3)
    q = rng.standard_normal((R, C))
    nxt = np.broadcast_to(first, (R, C)).copy()
    for t in range(m0, m1 + 1):
        if t > m0:
            target = imp * live[None, :, t - m0]
            q = q + kappa * (target - q) + noise * rng.standard_normal((R, C))
        due = nxt == t
        if due.any():
            y = q + s * rng.standard_normal((R, C))
            c = cuts["ILACS" if t >= ilacs_m else "SIF"]
            grade = 3 - (y[:, :, None] > c[:, None, ::-1]).sum(axis=2)
            u = rng.random((R, C))
            gap = np.maximum(1, np.floor(lo[grade] + (hi[grade] - lo[grade]) * u)).astype(int)
            nxt = np.where(due, t + gap, nxt)
            r_idx, c_idx = np.nonzero(due)
            out.append(pd.DataFrame({"replicate": r_idx, "council": c_idx, "month": t,
                                     "grade": grade[r_idx, c_idx]}))
    res = pd.concat(out, ignore_index=True)
    res["local_authority"] = np.array(names)[res.pop("council").to_numpy()]
    res["publication_date"] = pd.to_datetime(
        {"year": res["month"] // 12, "month": res["month"] % 12 + 1, "day": 1})
    res["framework"] = np.where(res["month"] >= ilacs_m, "ILACS", "SIF")
    return res.sort_values(["replicate", "local_authority", "month"]).reset_index(drop=True)


def _cuts(p: Mapping[str, float], framework: str) -> np.ndarray:
    o, g, ri = p["sif_share_outstanding"], p["sif_share_good"], p["sif_share_requires_improvement"]
    z = ndtri(1.0 - np.array([o, o + g, o + g + ri]))
    if framework == "ILACS":
        z = _ilacs_z(z, p)
    return math.sqrt(1 + p["inspection_noise_sd"] ** 2) * z


def grade_shares_at(df: pd.DataFrame, dates: Iterable, by: str | None = None) -> pd.DataFrame:
    """Share of councils holding each latest grade at each date (among those graded by then)."""
    rows = []
    groups = df.groupby(by) if by else [(None, df)]
    for key, g in groups:
        for d in dates:
            d = pd.Timestamp(d)
            latest = g[g["publication_date"] <= d].groupby("local_authority")["grade"].last()
            counts = np.bincount(latest.to_numpy(), minlength=4)
            row = {"date": d, **{GRADES[k]: counts[k] / max(counts.sum(), 1) for k in range(4)}}
            if by:
                row[by] = key
            rows.append(row)
    return pd.DataFrame(rows)


def months_to_leave_inadequate(df: pd.DataFrame) -> pd.Series:
    """Months from each council's first Inadequate grade to its next better graded judgement
    (councils that never left are left out; see the caller for censoring)."""
    out = []
    for _, g in df.groupby([c for c in ("replicate", "local_authority") if c in df.columns]):
        gr, m = g["grade"].to_numpy(), g["month"].to_numpy()
        bad = np.nonzero(gr == 3)[0]
        if len(bad):
            later = np.nonzero((gr != 3) & (np.arange(len(gr)) > bad[0]))[0]
            if len(later):
                out.append(m[later[0]] - m[bad[0]])
    return pd.Series(out, dtype=float)
