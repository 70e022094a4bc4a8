"""The fitted quality parameters in their three forms: unconstrained coordinates ``theta`` (what
the sampler moves), named values (what users read), and rows of ``_core.QUALITY_PARAMETERS``
(what the C++ model takes); and the engine parameters they imply.

Grading regimes (``quality_model.hpp``): SIF (2013-2017), ILACS standard inspections (councils
last graded RI or Inadequate) and ILACS short inspections (last graded Good or Outstanding). Their
cut-points, in standardised units:

* SIF's from its grade shares ``sif_share_*``;
* ILACS standard's: SIF's scaled by ``exp(-ilacs_log_scale)`` and shifted down by
  ``ilacs_shift``, at the start of ILACS (January 2018);
* ILACS short's: standard's shifted down by ``short_shift``;
* both ILACS regimes fall by ``grading_drift_per_year`` a year from January 2018 (the national
  grading level drifts), linearly to the end of the data and damped after it with half-life
  ``drift_half_life_years`` (an assumption, not fitted).
"""
from __future__ import annotations

import math
from typing import Mapping

import numpy as np

from .. import _core
from .data import ILACS_START, month_of

# Named parameters, in the order of the unconstrained coordinates theta (see unpack).
PARAMETER_NAMES = ["quality_reversion_per_year", "inspection_noise_sd", "sif_share_outstanding",
                   "sif_share_good", "sif_share_requires_improvement", "ilacs_shift", "improvement",
                   "ilacs_log_scale", "persistent_share", "inadequate_response",
                   "quality_workforce_effect", "short_shift", "grading_drift_per_year",
                   "inadequate_response_ilacs"]
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
#   theta11 = short_shift (SD units)     ~ N(0, 1)
#   theta12 = grading_drift_per_year (SD units a year) ~ N(0, 0.05): regimes move slowly (0.1 SD
#             in two years is a notable move); wider priors let two years of early ILACS data pull
#             it to -0.13, which the back-test punished
#   theta13 = inadequate_response_ilacs (SD units) ~ N(0, 1): the response while Inadequate from
#             2018 (ILACS's monitoring visits and DfE intervention), apart from the SIF era's
PRIORS = [(math.log(0.35), 1.0), (math.log(0.5), 1.0), (1.0, 2.0), (0.0, 1.5), (0.0, 1.5),
          (0.0, 1.0), (0.0, 0.5), (0.0, 0.5), (-1.0, 1.5), (0.0, 1.0), (0.0, 0.5), (0.0, 1.0),
          (0.0, 0.05), (0.0, 1.0)]
# The grading drift's half-life after the end of the data (assumption; docs/parameters.md).
DRIFT_HALF_LIFE_YEARS = 5.0
# Coordinates that only ILACS rows, ILACS short rows, delivery-model spells or workforce inputs
# inform; fixed at their prior means when the data have none.
ILACS_COORDINATES = (5, 7, 11, 12, 13)
SHORT_COORDINATE = 11
IMPROVEMENT_COORDINATE = 6
WORKFORCE_COORDINATE = 10
SHARE_COORDINATES = (2, 3, 4)  # cut-point shares cannot be fixed one at a time


def sif_z(p: Mapping[str, float]) -> np.ndarray:
    """Standardised SIF cut-points (Outstanding/Good, Good/RI, RI/Inadequate) from the shares."""
    from scipy.special import ndtri

    o, g, ri = p["sif_share_outstanding"], p["sif_share_good"], p["sif_share_requires_improvement"]
    return ndtri(1.0 - np.array([o, o + g, o + g + ri]))


def ilacs_z(p: Mapping[str, float]) -> np.ndarray:
    """ILACS standard cut-points in January 2018: SIF's scaled by exp(-ilacs_log_scale), then
    shifted down by ilacs_shift (ILACS grades more generously and more often at the extremes)."""
    return sif_z(p) * math.exp(-p.get("ilacs_log_scale", 0.0)) - p.get("ilacs_shift", 0.0)


def short_z(p: Mapping[str, float]) -> np.ndarray:
    """ILACS short-inspection cut-points in January 2018: standard's shifted down by short_shift."""
    return ilacs_z(p) - p.get("short_shift", 0.0)


def drift_at(p: Mapping[str, float], month: int, end_month: int,
             half_life: float = DRIFT_HALF_LIFE_YEARS) -> float:
    """How far ILACS cut-points have fallen by ``month`` (standardised units): the drift linear
    from January 2018 to ``end_month`` and damped after (``GradingDrift`` in C++)."""
    return float(_core.grading_drift(p.get("grading_drift_per_year", 0.0), half_life,
                                     month_of(ILACS_START), end_month, month))


def unpack(theta: np.ndarray) -> dict[str, float]:
    """Named parameters from unconstrained coordinates."""
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
            "quality_workforce_effect": float(theta[10]),
            "short_shift": float(theta[11]),
            "grading_drift_per_year": float(theta[12]),
            "inadequate_response_ilacs": float(theta[13])}


def theta_of(name: str, value: float) -> float:
    """Unconstrained coordinate of one fixed named value (cut-point shares cannot be fixed)."""
    i = PARAMETER_NAMES.index(name)
    if i in (0, 1):
        return math.log(value)
    if i == 8:
        from scipy.special import logit
        return float(logit(value / MAX_PERSISTENT_SHARE)) if value > 0 else -30.0
    if i in SHARE_COORDINATES:
        raise ValueError(f"fixed: {name!r} cannot be fixed; fixable: "
                         f"{[n for k, n in enumerate(PARAMETER_NAMES) if k not in SHARE_COORDINATES]}")
    return float(value)


def log_prior(theta: np.ndarray) -> np.ndarray:
    theta = np.atleast_2d(theta)
    m = np.array([mu for mu, _ in PRIORS])
    s = np.array([sd for _, sd in PRIORS])
    return -0.5 * np.sum(((theta - m) / s) ** 2, axis=1)


def core_rows(sets: list[Mapping[str, float]],
              half_life: float = DRIFT_HALF_LIFE_YEARS) -> np.ndarray:
    """Rows of ``_core.QUALITY_PARAMETERS`` for named parameter sets."""
    rows = [[p["quality_reversion_per_year"], p.get("persistent_share", 0.0),
             p["inspection_noise_sd"], p.get("improvement", 0.0),
             p.get("inadequate_response", 0.0), p.get("quality_workforce_effect", 0.0),
             p.get("inadequate_response_ilacs", p.get("inadequate_response", 0.0)),
             p.get("grading_drift_per_year", 0.0), half_life,
             *sif_z(p), *ilacs_z(p), *short_z(p)] for p in sets]
    return np.asarray(rows, dtype=float).reshape(len(rows), len(_core.QUALITY_PARAMETERS))


def engine_parameters(p: Mapping[str, float], end_month: int) -> dict[str, float]:
    """Engine parameters from named ones: the ILACS standard regime's shares as they stand at
    ``end_month`` (the end of the data: the engine's drift starts there), the short-inspection
    shift and the drift."""
    from scipy.special import ndtr

    cum = 1.0 - ndtr(ilacs_z(p) - drift_at(p, end_month, end_month))
    return {"quality_reversion_per_year": float(p["quality_reversion_per_year"]),
            "inspection_noise_sd": float(p["inspection_noise_sd"]),
            "national_share_outstanding": float(cum[0]),
            "national_share_good": float(cum[1] - cum[0]),
            "national_share_requires_improvement": float(cum[2] - cum[1]),
            "quality_persistent_share": float(p.get("persistent_share", 0.0)),
            "inadequate_response": float(p.get("inadequate_response_ilacs",
                                               p.get("inadequate_response", 0.0))),
            "quality_workforce_effect": float(p.get("quality_workforce_effect", 0.0)),
            "short_inspection_shift": float(p.get("short_shift", 0.0)),
            "grading_drift_per_year": float(p.get("grading_drift_per_year", 0.0))}


def from_engine(p: Mapping[str, float]) -> dict[str, float]:
    """Named parameters from named ones (returned as they are) or engine names (the engine's
    defaults for any left out). From engine names the standard regime's shares are taken as
    ILACS's and SIF's alike, with no drift before the engine's month 0."""
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
            "quality_workforce_effect": e["quality_workforce_effect"],
            "short_shift": e["short_inspection_shift"],
            "grading_drift_per_year": 0.0,
            "inadequate_response_ilacs": e["inadequate_response"]}
