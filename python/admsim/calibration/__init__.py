"""Calibrate the quality-and-inspection module against real Ofsted histories; forecast next grades
and back-test the forecasts against strong baselines.

The engine's quality module (``cpp/include/admsim/quality_model.hpp``) is a hidden Gaussian
process read through ordinal grades at irregular dates. A council's latent quality is
``q = u + v``: ``u ~ N(0, rho)`` its persistent level, ``v`` an AR(1) reverting at
``quality_reversion_per_year`` towards a target shifted by ``improvement`` while it runs a
delivery model, by ``-quality_workforce_effect x stress`` (its workforce against England's, from
the DfE panels) and by ``inadequate_response`` while its latest grade is Inadequate. A grade is the
band of ``q + noise`` between cut-points of its grading regime (SIF; ILACS standard; ILACS short),
the ILACS ones drifting with the national grading level (:mod:`.parameters`).

* :mod:`.data` — judgements, delivery-model spells, and their packing for ``_core``;
* :mod:`.workforce` — councils' workforce stress from the DfE panels;
* :mod:`.parameters` — the fitted parameters and the engine parameters they imply;
* :mod:`.fit` — :func:`calibrate` (posterior mode, then emcee);
* :mod:`.schedule` — the inspection schedule (log-logistic survival model, lifelines);
* :mod:`.forecast` — :func:`forecast`, :func:`one_step_predictions`;
* :mod:`.baselines`, :mod:`.backtest` — :func:`backtest` at rolling origins;
* :mod:`.predictive` — posterior predictive histories and their summaries;
* :mod:`.evidence`, :mod:`.summary` — the catalogue's ``improvement`` beside the fitted effect.

Only SIF (2013-2018) and ILACS (2018-) graded judgements are used: the older SLAC and CPI
frameworks graded a different thing (safeguarding services only) on a different scale.
"""
from .backtest import DEFAULT_ORIGINS, QUICK_CALIBRATION, BacktestResult, backtest
from .data import (ADM_HISTORY, COVID_PAUSE, GRADE_LABELS, GRADES, ILACS_START, PROB_COLUMNS,
                   Histories, adm_spells, default_judgements_path, histories, load_adm_history,
                   load_judgements, month_of)
from .fit import Calibration, ShortChainWarning, calibrate, log_likelihood
from .forecast import forecast, one_step_predictions, rounded
from .parameters import PARAMETER_NAMES, PRIORS, engine_parameters
from .predictive import (grade_shares_at, months_to_leave_inadequate, national_shares_check, scores,
                         simulate_histories, transition_counts, transition_matrix)
from .schedule import InspectionSchedule, fit_schedule, gaps, observed_quartiles

__all__ = [
    "ADM_HISTORY", "COVID_PAUSE", "DEFAULT_ORIGINS", "GRADES", "GRADE_LABELS", "ILACS_START",
    "PARAMETER_NAMES", "PRIORS", "PROB_COLUMNS", "QUICK_CALIBRATION", "BacktestResult",
    "Calibration", "Histories", "InspectionSchedule", "ShortChainWarning", "adm_spells",
    "backtest", "calibrate", "default_judgements_path", "engine_parameters", "fit_schedule",
    "forecast", "gaps", "grade_shares_at", "histories", "load_adm_history", "load_judgements",
    "log_likelihood", "month_of", "months_to_leave_inadequate", "national_shares_check", "observed_quartiles",
    "one_step_predictions", "rounded", "scores", "simulate_histories", "transition_counts",
    "transition_matrix",
]
