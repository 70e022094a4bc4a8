"""Charts of :class:`admsim.Results`, reached as ``results.plot``.

Every method returns a matplotlib ``Figure`` and works on full and summary-only results alike
(it reads the per-month quantiles, grade shares and outcome quantiles kept in both modes; in full
mode outcome distributions are computed exactly from the replicates, as in ``summary()``).
Each model keeps one colour in every chart, fixed by its position in ``results.models``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, NamedTuple

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, PercentFormatter

from .simulate import METRICS, OUTCOMES, QUANTILES, SUMMARY_OUTCOMES, _index

if TYPE_CHECKING:
    from .simulate import Results

GRADES = ["Outstanding", "Good", "Requires improvement", "Inadequate"]
GRADE_COLOURS = ["#1a7f37", "#7cc47f", "#f2b134", "#c8102e"]  # dark green, green, amber, red


class Unit(NamedTuple):
    """How to show a quantity: a readable name, the axis unit, and the kind of scale."""

    title: str
    unit: str
    kind: str = "number"  # "number", "percent" (a 0-1 share) or "gbp" (shown in £m)


METRIC_UNITS: dict[str, Unit] = {
    "caseload": Unit("Caseload", "cases per case-holding social worker"),
    "cla": Unit("Children looked after", "number of children"),
    "cpp": Unit("Children on a protection plan", "children"),
    "cin": Unit("Children in need (not on a plan or in care)", "children"),
    "referrals": Unit("Referrals", "referrals per month"),
    "social_workers": Unit("Permanent social workers", "FTE"),
    "agency_workers": Unit("Agency social workers", "FTE"),
    "vacancies": Unit("Vacancies", "FTE"),
    "turnover_rate": Unit("Social worker turnover", "% a year (last 12 months)", "percent"),
    "agency_share": Unit("Agency share of social workers", "% of FTE", "percent"),
    "vacancy_rate": Unit("Vacancy rate", "% of establishment", "percent"),
    "quality": Unit("Latent practice quality", "standard deviations"),
    "cost": Unit("Spend", "£m per month (2022 prices)", "gbp"),
}

OUTCOME_UNITS: dict[str, Unit] = {
    "months_to_leave_inadequate": Unit("Months to leave Inadequate", "months"),
    "mean_caseload": Unit("Mean caseload", "cases per social worker"),
    "cla_per_10k_end": Unit("Children in care at the end", "per 10,000 children"),
    "total_cost": Unit("Total cost", "£m (2022 prices)", "gbp"),
    "npv_cost": Unit("Net present cost", "£m (2022 prices, discounted at 3.5%)", "gbp"),
    "overspend_years": Unit("Years overspent", "years"),
    "overspend_amount": Unit("Overspend", "£m (2022 prices)", "gbp"),
    "setup_cost": Unit("Set-up cost", "£m (2022 prices)", "gbp"),
    "risk_events": Unit("Risk events", "events"),
}


def metric_unit(name: str) -> Unit:
    """The display :class:`Unit` of a monthly metric (``KeyError`` for unknown names)."""
    _index(METRICS, name, "metric")
    if name in METRIC_UNITS:
        return METRIC_UNITS[name]
    title = name.replace("_", " ").capitalize()
    if name.startswith("cost"):
        return Unit(title, "£m per month (2022 prices)", "gbp")
    if name.endswith(("_rate", "_share")):
        return Unit(title, "%", "percent")
    return Unit(title, "number")


def outcome_unit(name: str) -> Unit:
    """The display :class:`Unit` of a per-replicate outcome (``KeyError`` for unknown names)."""
    _index(OUTCOMES, name, "outcome")
    if name in OUTCOME_UNITS:
        return OUTCOME_UNITS[name]
    title = SUMMARY_OUTCOMES.get(name, name.replace("_", " ").capitalize())
    if title.startswith("P("):
        return Unit(title, "% of replicates", "percent")
    if name.endswith(("_rate", "_share")):
        return Unit(title, "%", "percent")
    return Unit(title, "number")


def model_colours(models: Iterable[str]) -> dict[str, str]:
    """A fixed colour per model, by position in the scenario's model list."""
    palette = plt.get_cmap("tab10").colors
    return {m: palette[i % len(palette)] for i, m in enumerate(models)}


class PlotAccessor:
    """Charts of a :class:`~admsim.Results`: ``fan``, ``grades``, ``costs``, ``differences``."""

    def __init__(self, results: "Results"):
        self._res = results
        self.colours = model_colours(results.models)

    # ---- charts -----------------------------------------------------------------------------
    def fan(self, metric: str, models: Iterable[str] | None = None,
            ax: Axes | None = None) -> Figure:
        """Fan chart of a monthly metric: median line, 50% and 90% bands over replicates, by model."""
        unit = metric_unit(metric)
        quantiles = self._res.metric_quantiles(metric)
        q = {p: _scale(quantiles[p].to_numpy(), unit) for p in QUANTILES}
        years = np.arange(self._res.months) / 12
        fig, ax = _axes(ax, (10, 5))
        for model in self._models(models):
            c, colour = self._res.models.index(model), self.colours[model]
            ax.fill_between(years, q[0.25][:, c], q[0.75][:, c], color=colour, alpha=0.2, lw=0)
            ax.plot(years, q[0.05][:, c], years, q[0.95][:, c], color=colour, lw=0.8, ls=":")
            ax.plot(years, q[0.5][:, c], color=colour, lw=2, label=model)
        bands = [Patch(color="grey", alpha=0.35, label="50% of replicates"),
                 Line2D([], [], color="grey", lw=0.8, ls=":", label="90% of replicates")]
        handles, _ = ax.get_legend_handles_labels()
        ax.legend(handles=handles + bands, loc="upper left", bbox_to_anchor=(1.01, 1),
                  fontsize="small", frameon=False)
        _label(ax, f"{unit.title} by delivery model (median and 50%/90% bands)",
               self._years_label(), unit, "y")
        ax.set_xlim(years[0], years[-1])
        return fig

    def grades(self, models: Iterable[str] | None = None) -> Figure:
        """Stacked shares of replicates by latest published Ofsted grade over time, a panel a model."""
        chosen = self._models(models)
        share = self._res._raw["grade_share"]
        years = np.arange(self._res.months) / 12
        cols = min(len(chosen), 3)
        rows = -(-len(chosen) // cols)
        fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.4 * rows + 0.8),
                                 sharex=True, sharey=True, squeeze=False, layout="constrained")
        for ax, model in zip(axes.flat, chosen):
            ax.stackplot(years, share[self._res.models.index(model)].T, colors=GRADE_COLOURS,
                         labels=GRADES, step="post")
            ax.set_title(model, color=self.colours[model], fontweight="bold")
            ax.set_xlim(years[0], years[-1])
            ax.set_ylim(0, 1)
            ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        for ax in axes.flat[len(chosen):]:
            ax.set_visible(False)
        for ax in axes[:, 0]:
            ax.set_ylabel("Share of replicates (%)")
        for ax in axes[-1, :]:
            ax.set_xlabel(self._years_label())
            ax.xaxis.set_tick_params(labelbottom=True)
        fig.legend(*axes.flat[0].get_legend_handles_labels(), loc="outside lower center",
                   ncols=4, frameon=False)
        fig.suptitle("Latest published Ofsted grade over time (share of replicates)")
        return fig

    def costs(self, outcome: str = "npv_cost", models: Iterable[str] | None = None,
              ax: Axes | None = None) -> Figure:
        """Distribution of an outcome by model: whiskers 5-95%, box 25-75%, median line, mean dot."""
        unit = outcome_unit(outcome)
        mean, q = _outcome_stats(self._res, outcome)
        return self._intervals(
            self._models(models), _scale(mean, unit), _scale(q, unit), unit, ax,
            f"{unit.title} by delivery model (over replicates)", None)

    def differences(self, outcome: str = "npv_cost", models: Iterable[str] | None = None,
                    ax: Axes | None = None) -> Figure:
        """Paired difference of each model minus the baseline: mean and 90% interval, zero line."""
        unit = outcome_unit(outcome)
        mean, q = _outcome_stats(self._res, outcome, paired=True)
        chosen = [m for m in self._models(models) if m != self._res.baseline]
        unit = unit._replace(unit=f"{unit.unit}; model minus {self._res.baseline}")
        return self._intervals(
            chosen, _scale(mean, unit), _scale(q, unit), unit, ax,
            f"{unit.title}: difference from {self._res.baseline}\n"
            "(paired, common random numbers; mean and 90% interval)", 0.0, box=False)

    # ---- shared helpers ---------------------------------------------------------------------
    def _models(self, models: Iterable[str] | None) -> list[str]:
        if models is None:
            return list(self._res.models)
        if isinstance(models, str):
            models = [models]
        chosen = list(models)
        for m in chosen:
            _index(self._res.models, m, "model")
        if not chosen:
            raise ValueError(f"no models chosen; known: {', '.join(self._res.models)}")
        return chosen

    def _years_label(self) -> str:
        as_of = self._res.spec.get("profile", {}).get("as_of")
        return f"Years after {as_of}" if as_of else "Years"

    def _intervals(self, chosen: list[str], mean: np.ndarray, q: np.ndarray, unit: Unit,
                   ax: Axes | None, title: str, zero: float | None, box: bool = True) -> Figure:
        """Horizontal interval chart, one row per model (first model on top)."""
        fig, ax = _axes(ax, (9, 0.6 * len(chosen) + 1.8))
        for row, model in enumerate(reversed(chosen)):
            m, colour = self._res.models.index(model), self.colours[model]
            lo, q1, med, q3, hi = q[m]
            if np.isnan(med):  # undefined in every replicate (e.g. never Inadequate)
                continue
            ax.hlines(row, lo, hi, color=colour, lw=1.5)
            if box:
                ax.add_patch(plt.Rectangle((q1, row - 0.25), q3 - q1, 0.5, fc=colour, alpha=0.35,
                                           ec=colour))
                ax.vlines(med, row - 0.25, row + 0.25, color=colour, lw=2.5)
                ax.vlines([lo, hi], row - 0.12, row + 0.12, color=colour, lw=1.5)
            else:
                ax.vlines([lo, hi], row - 0.15, row + 0.15, color=colour, lw=1.5)
            ax.plot(mean[m], row, "o", color=colour, mec="black", ms=7)
        if zero is not None:
            ax.axvline(zero, color="black", lw=1, ls="--")
        ax.set_yticks(range(len(chosen)), list(reversed(chosen)))
        ax.set_ylim(-0.7, len(chosen) - 0.3)
        ax.set_ylabel("Delivery model")
        _label(ax, title, None, unit, "x")
        ax.grid(axis="x", alpha=0.3)
        return fig


def _axes(ax: Axes | None, size: tuple[float, float]) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax
    fig, ax = plt.subplots(figsize=size, layout="constrained")
    return fig, ax


def _scale(values: np.ndarray, unit: Unit) -> np.ndarray:
    return np.asarray(values, dtype=float) * (1e-6 if unit.kind == "gbp" else 1.0)


def _label(ax: Axes, title: str, other: str | None, unit: Unit, axis: str) -> None:
    """Title, axis labels (the value axis with its unit) and the value-axis tick format."""
    value_axis = ax.yaxis if axis == "y" else ax.xaxis
    value_axis.set_label_text(f"{unit.title} ({unit.unit})")
    if unit.kind == "percent":
        value_axis.set_major_formatter(PercentFormatter(1.0))
    elif unit.kind == "gbp":
        value_axis.set_major_formatter(FuncFormatter(lambda v, _: f"£{v:,.1f}m"))
    if other:
        (ax.xaxis if axis == "y" else ax.yaxis).set_label_text(other)
    ax.set_title(title)


def _outcome_stats(res: "Results", name: str, paired: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Mean (M,) and 5/25/50/75/95% quantiles (M, 5) of an outcome, or of its paired difference
    against the baseline: exact from replicates in full mode, from the engine's summary otherwise."""
    k = _index(OUTCOMES, name, "outcome")
    if res.summary_only:
        prefix = "diff" if paired else "outcome"
        return res._raw[f"{prefix}_mean"][:, k], res._raw[f"{prefix}_quantiles"][:, k, :]
    values = res.outcomes[..., k]
    if paired:
        values = values - values[res.models.index(res.baseline)]
    mean, q = np.full(len(values), np.nan), np.full((len(values), len(QUANTILES)), np.nan)
    for m, row in enumerate(values):
        row = row[~np.isnan(row)]
        if row.size:
            mean[m], q[m] = row.mean(), np.quantile(row, QUANTILES)
    return mean, q
