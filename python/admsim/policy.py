"""Policies: Python that sets the month's levers from the simulated state.

A policy is a :class:`Policy` subclass (``decide``) or a plain function of a
:class:`PolicyState`; it returns the levers to pull this month, each an intervention type of
:mod:`admsim` (``recruitment_campaign``, ``caseload_cap``, ``agency_cap``, ``pay_uplift``,
``edge_of_care_investment``, ``demand_shock``, ``uasc_arrivals``, ``step_down_programme``) with
its size, as an array broadcast to (models, replicates) — a number for all, one per replicate,
one per model — with NaN where the lever is not pulled::

    class RecruitWhenStretched(admsim.Policy):
        def decide(self, state):
            return {"recruitment_campaign": np.where(state["caseload"] > 18, 1.5, np.nan)}

    admsim.simulate("example-county", ["in_house", "latc"], policy=RecruitWhenStretched())

The engine runs each block of replicates in lockstep and calls the policy once a month per
block, holding the GIL only for that call. A policy sees each replicate's own state; one that
treats every replicate (row) on its own gives the same results for any thread count and block
size. Randomness it needs comes from ``state.uniform``, keyed by (seed, replicate, month) and
the same for every model, so delivery models keep common random numbers. A rule that needs no
Python (a threshold held for some months) is faster as a scenario ``rules`` entry.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence, Union

import numpy as np

from . import _core
from .jsonio import did_you_mean

LEVERS: tuple[str, ...] = tuple(_core.intervention_names)
METRICS: tuple[str, ...] = tuple(_core.metric_names)


class PolicyState:
    """Last month's state of a block of replicates, for a policy.

    ``state["caseload"]`` is that metric at the end of the previous month, an array (models,
    replicates); at month 0 there is no previous month and every metric is NaN. ``month`` is the
    month about to be simulated, ``models`` the delivery-model ids (rows), ``replicates`` the
    replicate numbers (columns) and ``uniform`` one uniform in (0, 1) per replicate.
    """

    def __init__(self, month: int, models: Sequence[str], replicates: np.ndarray, state: np.ndarray,
                 uniform: np.ndarray):
        self.month = month
        self.models = tuple(models)
        self.replicates = replicates
        self.uniform = uniform
        self._state = state
        state.flags.writeable = False

    def __getitem__(self, metric: str) -> np.ndarray:
        try:
            k = METRICS.index(metric)
        except ValueError:
            raise KeyError(f"unknown metric {metric!r}{did_you_mean(metric, METRICS)}") from None
        return self._state[:, :, k]

    def __repr__(self) -> str:
        return (f"<PolicyState month {self.month}: {len(self.models)} models x "
                f"{len(self.replicates)} replicates>")


class Policy:
    """Subclass and define :meth:`decide`; pass an instance as ``admsim.simulate(policy=...)``."""

    def decide(self, state: PolicyState) -> Mapping[str, Any]:
        """Return {lever: sizes} for this month (see the module docstring)."""
        raise NotImplementedError("a Policy subclass defines decide(self, state)")

    def __call__(self, state: PolicyState) -> Mapping[str, Any]:
        return self.decide(state)


PolicyLike = Union[Policy, Callable[[PolicyState], Mapping[str, Any]]]


def engine_hook(policy: PolicyLike, models: Sequence[str]) -> Callable[[int, int, np.ndarray, np.ndarray], np.ndarray]:
    """The callable ``_core.simulate(policy=...)`` takes: wraps ``policy`` and turns what it
    returns into the engine's lever array (models, replicates, levers), checking names and
    values (the engine checks each size against its range)."""
    if not callable(policy):
        raise TypeError(f"policy must be an admsim.Policy or a function of a PolicyState, not {type(policy).__name__}")
    name = getattr(policy, "__name__", type(policy).__name__)

    def hook(month: int, first: int, state: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
        if month == 0:
            state[:] = np.nan  # nothing simulated yet
        M, n = state.shape[:2]
        view = PolicyState(month, models, np.arange(first, first + n), state, uniforms)
        try:
            chosen = policy(view)
        except Exception as err:  # the user's own exception, with where it happened
            err.add_note(f"in admsim policy {name} at month {month}, replicates {first}-{first + n - 1}")
            raise
        levers = np.full((M, n, len(LEVERS)), np.nan)
        if chosen is None:
            return levers
        if not isinstance(chosen, Mapping):
            raise TypeError(f"policy {name} returned {type(chosen).__name__}; expected a dict of lever -> sizes")
        for lever, sizes in chosen.items():
            if lever not in LEVERS:
                raise KeyError(f"policy {name} set unknown lever {lever!r}{did_you_mean(str(lever), LEVERS)} "
                               f"(levers: {', '.join(LEVERS)})")
            try:
                values = np.broadcast_to(np.asarray(sizes, dtype=float), (M, n))
            except ValueError:
                raise ValueError(f"policy {name}: {lever} has shape {np.shape(sizes)}, which does not broadcast "
                                 f"to (models, replicates) = ({M}, {n})") from None
            if np.isinf(values).any():
                raise ValueError(f"policy {name}: {lever} is infinite in month {month}; NaN means not pulled")
            levers[:, :, LEVERS.index(lever)] = values
        return levers

    return hook
