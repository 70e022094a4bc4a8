"""Type stubs for the C++ extension admsim._core."""
from typing import Any, Callable, Optional

import numpy as np
from numpy.typing import ArrayLike

metric_names: list[str]
outcome_names: list[str]
hook_names: list[str]
placement_names: list[str]
intervention_names: list[str]
intervention_ranges: list[tuple[float, float]]
max_json_depth: int  # deepest nesting of objects and arrays accepted
max_threads: int  # most worker threads a run may ask for
grade_names: list[str]
quantiles: list[float]
QUALITY_PARAMETERS: list[str]
"""Columns of a quality parameter matrix, in order: reversion_per_year (> 0), persistent_share
(rho in [0, 0.95]), inspection_noise_sd (> 0), improvement, inadequate_response, workforce_effect,
sif_z0 > sif_z1 > sif_z2, ilacs_z0 > ilacs_z1 > ilacs_z2 (standardised cut-points per framework)."""

class ScenarioError(ValueError):
    """Bad scenario input; ``pointer`` is the JSON pointer of the field."""

    pointer: str
    value: str
    allowed: str

def parameter_table() -> list[dict[str, Any]]: ...
risk_vocabulary: dict[str, list[str]]  # allowed window, applies_to and effect names of a risk
def validate(spec: str, catalogue: str) -> list[str]: ...
def resolve_models(spec: str, catalogue: str) -> list[str]:
    """Each model's full entry as JSON text: catalogue entry with the scenario's overrides merged in."""
    ...
def council_seed(seed: int, name: str) -> int: ...
def simulate_region(
    spec: str,
    catalogue: str,
    threads: int = 0,
    progress: Optional[Callable[[int, int], Optional[bool]]] = None,
) -> dict[str, Any]:
    """Run a regional scenario: councils (a simulate() dict each), names, mover_share, net_good
    (option, replicate, month: councils Good or better minus Inadequate), hub (with a
    commissioning hub: savings (option, replicate, hub year) in GBP, running_cost_per_year,
    setup_cost, start_month, cost_split, cost_shares, options), alliance (with an improvement
    alliance: cost_per_year, options) and, in full mode, unplaced (option, replicate, month):
    last month's movers no council took."""
    ...

def simulate(
    spec: str,
    catalogue: str,
    threads: int = 0,
    progress: Optional[Callable[[int, int], Optional[bool]]] = None,
    policy: Optional[Callable[[int, int, np.ndarray, np.ndarray], np.ndarray]] = None,
) -> dict[str, Any]:
    """Run the ensemble. policy(month, first_replicate, state (M, n, K), uniforms (n,)) ->
    levers (M, n, len(intervention_names)), NaN for none, is called before each month of each
    block of n replicates (see admsim.Policy). Keys: models, months, replicates, seed, baseline, summary_only,
    replicate_months; in full mode metrics (M, R, T, K), outcomes (M, R, O), events (E, 5);
    always metric_mean/metric_sd (M, T, K), metric_quantiles (M, T, K, Q), grade_share (M, T, 4)
    (share of replicates whose latest grade is outstanding/good/RI/inadequate), outcome_mean/sd/count
    (M, O), outcome_quantiles (M, O, Q), diff_mean/diff_sd/diff_positive (M, O), diff_quantiles
    (M, O, Q)."""
    ...
def evaluate(
    spec: str,
    catalogue: str,
    inputs: list[str],
    values: np.ndarray,
    outputs: list[str],
    threads: int = 0,
    progress: Optional[Callable[[int, int], Optional[bool]]] = None,
) -> np.ndarray:
    """Rows of input values (n, len(inputs)) -> outcome means (n, len(outputs)); inputs are engine
    parameters or '<model>.<hook>'; outputs '<model>.<outcome>'; rows share random numbers."""
    ...

# ---- The quality model fitted to Ofsted histories (cpp/include/admsim/quality_model.hpp).
# `parameters` is float64 (S, 17), columns as QUALITY_PARAMETERS (drift_half_life_years may be
# inf). `histories` is a dict:
#   first_month: int (absolute month year*12 + month-1 of column 0); ilacs_start_month: int (ILACS
#   grades and the drift start); drift_end_month: int (the drift is linear to here, damped after);
#   offsets: int (C+1,) CSR over councils; month, grade (0 Outstanding .. 3 Inadequate), framework
#   (the regime: 0 SIF, 1 ILACS standard, 2 ILACS short): int (N,) one per graded inspection,
#   months nondecreasing within a council and inside [first_month, first_month + M); adm_live:
#   float (C, M) of 0/1; stress: float (C, M), finite. Optional "months" and "councils" must
#   agree with the arrays. Bad input raises ScenarioError (a ValueError) naming the field, e.g.
#   histories['grade'][17] or parameters[3, 1].
# `schedule` is float (2, 5): rows after a SIF and after an ILACS grade; log-logistic median gaps
#   (months) after grades 0..3, then the shape.
# threads: None (or 0) uses every core; results are identical for any thread count.

def quality_log_likelihood(
    parameters: np.ndarray,
    histories: dict[str, Any],
    *,
    grid: int = 81,
    nodes: int = 9,
    threads: Optional[int] = None,
) -> np.ndarray:
    """Log-likelihood (S, C) of each council's graded history under each parameter set.

    Forward algorithm: the transient latent v on `grid` points over +-5 sqrt(1 - rho) (cells with
    edges midway, outer edges infinite), the persistent level u by Gauss-Hermite quadrature with
    `nodes` nodes (one at u = 0 when rho = 0). v starts from N(0, 1 - rho) at the council's first
    inspection and moves by the exact k-month kernel between inspections, with the shifts from its
    adm_live/stress rows and latest grade. Each grade is read under its regime's cut-points after
    the drift to its month. Several inspections in one month apply in turn. Councils with no
    inspections get 0."""
    ...

def next_inspection_horizons(
    histories: dict[str, Any],
    *,
    as_of_month: int,
    schedule: np.ndarray,
    pause_start_month: int,
    pause_end_month: int,
    max_months: int = 120,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(offsets (C+1,), months, weights): each council's distribution of the months ahead of
    as_of_month of its next graded inspection, from the schedule after its latest grade given none
    since, the clock stopped in the pause; the tail beyond max_months goes to the last month."""
    ...

def quality_forecast(
    parameters: np.ndarray,
    histories: dict[str, Any],
    *,
    as_of_month: int,
    horizon_offsets: np.ndarray,
    horizon_months: np.ndarray,
    horizon_weights: np.ndarray,
    grid: int = 81,
    nodes: int = 9,
    threads: Optional[int] = None,
) -> np.ndarray:
    """Probabilities (S, C, 4) of each grade at each council's next inspection.

    All of a council's inspections must be <= as_of_month. Council c's horizons are
    horizon_months[horizon_offsets[c]:horizon_offsets[c+1]] (months after as_of_month, >= 1, with
    as_of_month + months inside the histories' months) with weights summing to 1; the result is the
    weighted mixture over them, each graded in the regime its month and the latest grade imply at
    the drifted grading level. A council never inspected starts from the stationary distribution
    at as_of_month. Equals exp(loglik(history + next grade) - loglik(history)) for one horizon."""
    ...

def simulate_quality_histories(
    parameters: np.ndarray,
    histories: dict[str, Any],
    *,
    start_month: int,
    end_month: int,
    replicates: int,
    seed: int,
    schedule: np.ndarray,
    pause_start_month: int,
    pause_end_month: int,
    threads: Optional[int] = None,
) -> dict[str, np.ndarray]:
    """Simulated graded inspections: int32 arrays replicate, council, month, grade, framework (the
    regime), one entry per inspection, sorted by replicate, council and month.

    Replicate r uses parameter set r % S. Each council: u ~ N(0, rho), v ~ N(0, 1 - rho) at
    start_month, monthly steps to end_month with the shifts of its adm_live/stress rows and latest
    simulated grade; first inspection in its first observed inspection month (which must be >=
    start_month; councils never inspected get none), then gaps drawn from the schedule after the
    latest grade's era, the clock stopped in [pause_start_month, pause_end_month). SIF before the
    histories' ilacs_start_month, then ILACS short after Good/Outstanding, standard otherwise.
    Draws are keyed by (seed, replicate, 4 * council + purpose, month): identical for any thread
    count, and a replicate's history does not depend on how many run."""
    ...

def grading_drift(per_year: ArrayLike, half_life_years: ArrayLike, start_month: ArrayLike,
                  end_month: ArrayLike, month: ArrayLike) -> np.ndarray:
    """How far ILACS cut-points have fallen by `month` (standardised units), elementwise."""
    ...

def grading_regime(month: ArrayLike, latest_grade: ArrayLike, ilacs_start_month: ArrayLike
                   ) -> np.ndarray:
    """The regime (0 SIF, 1 ILACS standard, 2 ILACS short) of an inspection, elementwise."""
    ...

def clock_months(from_month: ArrayLike, to_month: ArrayLike, pause_start_month: ArrayLike,
                 pause_end_month: ArrayLike) -> np.ndarray:
    """Months between two months on the schedule's clock (stopped in the pause), elementwise."""
    ...

def effect_distribution(hook: str, spec: str, quantiles: list[float]) -> tuple[float, list[float]]:
    """(mean, quantiles) of one effect distribution (JSON text), as the engine draws it."""
    ...

def workforce_stress(
    turnover: ArrayLike,
    agency_share: ArrayLike,
    caseload: ArrayLike,
    turnover_ref: ArrayLike,
    agency_share_ref: ArrayLike,
    caseload_ref: ArrayLike,
) -> np.ndarray:
    """The engine's workforce stress, elementwise (broadcast like numpy):
    ((turnover - turnover_ref) / 0.05 + (agency_share - agency_share_ref) / 0.10
    + (caseload / caseload_ref - 1) / 0.2) / 3. Turnover and agency share are fractions."""
    ...
