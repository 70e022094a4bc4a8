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


class Analyzer:
    """A user-defined monthly metric. Subclass and define :meth:`measure`, returning {name:
    values} with values broadcast to (models, replicates), from the state at the end of each
    month; pass instances as ``admsim.simulate(analyzers=[...])``. The values appear in
    :class:`admsim.Results` like the engine's metrics (``metric()``, ``metric_mean()``,
    ``to_xarray()``, ``plot.fan()``), kept per replicate in both output modes."""

    def measure(self, state: PolicyState) -> Mapping[str, Any]:
        raise NotImplementedError("an Analyzer subclass defines measure(self, state)")

    def __call__(self, state: PolicyState) -> Mapping[str, Any]:
        return self.measure(state)


class Policy:
    """Subclass and define :meth:`decide`; pass an instance as ``admsim.simulate(policy=...)``."""

    def decide(self, state: PolicyState) -> Mapping[str, Any]:
        """Return {lever: sizes} for this month (see the module docstring)."""
        raise NotImplementedError("a Policy subclass defines decide(self, state)")

    def __call__(self, state: PolicyState) -> Mapping[str, Any]:
        return self.decide(state)


PolicyLike = Union[Policy, Callable[[PolicyState], Mapping[str, Any]]]


def _name(f: Any) -> str:
    return getattr(f, "__name__", type(f).__name__)


def _call(f: Any, what: str, view: PolicyState) -> Any:
    try:
        return f(view)
    except Exception as err:  # the user's own exception, with where it happened
        last = view.replicates[0] + len(view.replicates) - 1
        err.add_note(f"in admsim {what} {_name(f)} at month {view.month}, replicates {view.replicates[0]}-{last}")
        raise


class Recorder:
    """The values analyzers return, by name: arrays (models, replicates, months)."""

    def __init__(self, analyzers: Sequence[Any], models: int, replicates: int, months: int):
        for a in analyzers:
            if not callable(a):
                raise TypeError(f"an analyzer must be an admsim.Analyzer or a function of a PolicyState, "
                                f"not {type(a).__name__}")
        self.analyzers, self.shape, self.values = list(analyzers), (models, replicates, months), {}

    def record(self, view: PolicyState) -> None:
        """The analyzers' values for the month just ended (view.month - 1)."""
        t, first, n = view.month - 1, view.replicates[0], len(view.replicates)
        for analyzer in self.analyzers:
            measured = _call(analyzer, "analyzer", view) or {}
            if not isinstance(measured, Mapping):
                raise TypeError(f"analyzer {_name(analyzer)} returned {type(measured).__name__}; expected a dict")
            for key, values in measured.items():
                if key in METRICS:
                    raise ValueError(f"analyzer {_name(analyzer)}: {key!r} is the name of an engine metric")
                store = self.values.setdefault(key, np.full(self.shape, np.nan))
                try:
                    store[:, first:first + n, t] = np.broadcast_to(np.asarray(values, dtype=float), (self.shape[0], n))
                except ValueError:
                    raise ValueError(f"analyzer {_name(analyzer)}: {key} has shape {np.shape(values)}, which does "
                                     f"not broadcast to (models, replicates) = ({self.shape[0]}, {n})") from None


def engine_hook(policy: PolicyLike | None, models: Sequence[str], recorder: Recorder | None = None,
                months: int | None = None) -> Callable[[int, int, np.ndarray, np.ndarray], np.ndarray]:
    """The callable ``_core.simulate(policy=...)`` takes: wraps ``policy`` and turns what it
    returns into the engine's lever array (models, replicates, levers), checking names and
    values (the engine checks each size against its range); feeds ``recorder``'s analyzers."""
    if policy is not None and not callable(policy):
        raise TypeError(f"policy must be an admsim.Policy or a function of a PolicyState, not {type(policy).__name__}")
    name = _name(policy)

    def hook(month: int, first: int, state: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
        if month == 0:
            state[:] = np.nan  # nothing simulated yet
        M, n = state.shape[:2]
        view = PolicyState(month, models, np.arange(first, first + n), state, uniforms)
        levers = np.full((M, n, len(LEVERS)), np.nan)
        if recorder is not None and month > 0:
            recorder.record(view)
        if policy is None or month == months:  # after the last month: nothing left to set
            return levers
        chosen = _call(policy, "policy", view)
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


class ThresholdPolicy(Policy):
    """A scenario rule written as a Python policy: pull ``lever`` at ``size`` for
    ``duration_months`` once ``metric`` has been above ``above`` for ``for_months`` months in a
    row, at most ``max_times``, ``cooldown_months`` after the last action ends. It gives the
    same results as the rule bit for bit (a test); start from it to write your own."""

    def __init__(self, metric: str, above: float, lever: str, size: float, duration_months: int, *,
                 for_months: int = 1, max_times: int = 1, cooldown_months: int = 0):
        self.metric, self.above, self.lever, self.size = metric, above, lever, size
        self.duration, self.for_months, self.max_times, self.cooldown = duration_months, for_months, max_times, cooldown_months
        self._blocks: dict[int, dict[str, np.ndarray]] = {}  # per block of replicates: its own state

    def decide(self, state: PolicyState) -> Mapping[str, Any]:
        shape = state[self.metric].shape
        s = self._blocks.setdefault(int(state.replicates[0]), {k: np.zeros(shape) for k in ("streak", "times", "free", "until")})
        if state.month > 0:
            s["streak"] = np.where(state[self.metric] > self.above, s["streak"] + 1, 0)
            fire = (s["streak"] >= self.for_months) & (s["times"] < self.max_times) & (state.month >= s["free"])
            s["until"][fire] = state.month + self.duration
            s["free"][fire] = state.month + self.duration + self.cooldown
            s["times"][fire] += 1
            s["streak"][fire] = 0
        return {self.lever: np.where(state.month < s["until"], self.size, np.nan)}
