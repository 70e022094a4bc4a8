"""Type stubs for the C++ extension admsim._core."""
from typing import Any, Callable, Optional

import numpy as np

metric_names: list[str]
outcome_names: list[str]
hook_names: list[str]
placement_names: list[str]
intervention_names: list[str]
grade_names: list[str]
quantiles: list[float]

class ScenarioError(ValueError):
    """Bad scenario input; ``pointer`` is the JSON pointer of the field."""

    pointer: str
    value: str
    allowed: str

def parameter_table() -> list[dict[str, Any]]: ...
def risk_register() -> list[dict[str, Any]]: ...
def validate(spec: str, catalogue: str) -> list[str]: ...
def resolve_models(spec: str, catalogue: str) -> list[str]:
    """Each model's full entry as JSON text: catalogue entry with the scenario's overrides merged in."""
    ...
def simulate(
    spec: str,
    catalogue: str,
    threads: int = 0,
    progress: Optional[Callable[[int, int], Optional[bool]]] = None,
) -> dict[str, Any]:
    """Run the ensemble. Keys: models, months, replicates, seed, baseline, summary_only,
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
