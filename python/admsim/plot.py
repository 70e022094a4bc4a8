"""Charts of :class:`admsim.Results`, reached as ``results.plot``.

Every method returns a matplotlib ``Figure`` and works on full and summary-only results alike
(it reads the per-month quantiles, grade shares and outcome quantiles kept in both modes; in full
mode outcome distributions are computed exactly from the replicates, as in ``summary()``).
Each model keeps one colour in every chart, fixed by its position in ``results.models``; no two
models share a colour, however many there are (:func:`model_colours`).

Charts stay readable with many models: monthly metrics and grades are small multiples (one panel
per model, the baseline drawn in every panel for reference), interval charts give each model a
row, and legends sit below the axes inside the figure, whose size follows the number of models.
Probabilities (shares of replicates with a 0/1 outcome) are shown as the share with a 90%
bootstrap interval over replicates, never as quantiles of 0/1 values.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import colors as mcolors
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, PercentFormatter

from .intervals import probability_stats
from .outputs import OUTCOMES, QUANTILES, index_of
from .units import Unit, higher_is_better, is_probability, metric_unit, outcome_unit

if TYPE_CHECKING:
    from .results import Results

GRADES = ["Outstanding", "Good", "Requires improvement", "Inadequate"]
GRADE_COLOURS = ["#1a7f37", "#7cc47f", "#f2b134", "#c8102e"]  # dark green, green, amber, red


def _palette(n: int) -> list[tuple[float, float, float]]:
    """``n`` distinct colours: tab10 first (so small runs look as before), then the two darker
    shades of tab20b and the middle shade of tab20c (25 colours, none pale), then the lighter
    shades of tab20, tab20b and tab20c, then evenly spaced hues."""
    groups = [plt.get_cmap("tab10").colors, plt.get_cmap("tab20b").colors[0::4],
              plt.get_cmap("tab20b").colors[1::4], plt.get_cmap("tab20c").colors[1::4],
              plt.get_cmap("tab20c").colors[0::4], plt.get_cmap("tab20").colors[1::2],
              plt.get_cmap("tab20b").colors[2::4], plt.get_cmap("tab20c").colors[2::4],
              plt.get_cmap("tab20b").colors[3::4], plt.get_cmap("tab20c").colors[3::4]]
    out: list[tuple[float, float, float]] = []
    seen: set[str] = set()
    for c in (c for group in groups for c in group):
        key = mcolors.to_hex(c)
        if key not in seen:
            seen.add(key)
            out.append(tuple(float(x) for x in c))
    k = 0
    while len(out) < n:  # beyond 60 models: evenly spaced hues at two lightness levels
        h = (k * 0.618033988749895) % 1.0
        c = mcolors.hsv_to_rgb((h, 0.75, 0.55 + 0.3 * (k % 2)))
        if mcolors.to_hex(c) not in seen:
            seen.add(mcolors.to_hex(c))
            out.append(tuple(float(x) for x in c))
        k += 1
    return out[:max(n, 0)]


def _lightness(colour) -> float:
    r, g, b = mcolors.to_rgb(colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def model_colours(models: Iterable[str]) -> dict[str, tuple[float, float, float]]:
    """A fixed colour per model, by position in the scenario's model list; never repeated."""
    models = list(models)
    return dict(zip(models, _palette(len(models))))


def model_linestyles(models: Iterable[str]) -> dict[str, str]:
    """A line style per model: solid for the first ten, then dashed, dash-dot, dotted, so that
    lines stay apart where colours come close (beyond ten models)."""
    styles = ["-", "--", "-.", ":"]
    return {m: styles[(i // 10) % len(styles)] for i, m in enumerate(models)}


def _grid(n: int) -> tuple[int, int, float, float]:
    """(rows, columns, panel width, panel height) in inches for ``n`` small multiples: at most
    five columns and about 11 inches wide, so text stays legible when the figure is shown at
    the width of a report page."""
    cols = 1 if n <= 1 else 2 if n <= 4 else 3 if n <= 6 else 4 if n <= 12 else 5
    rows = -(-n // cols)
    width = {1: 7.5, 2: 4.6, 3: 3.6, 4: 2.8, 5: 2.25}[cols]
    height = 3.6 if cols == 1 else 2.7 if cols <= 3 else 2.0 if cols == 4 else 1.75
    return rows, cols, width, height


class PlotAccessor:
    """Charts of a :class:`~admsim.Results`: ``fan``, ``grades``, ``costs``, ``differences``."""

    def __init__(self, results: "Results"):
        self._res = results
        self.colours = model_colours(results.models)
        self.linestyles = model_linestyles(results.models)

    # ---- charts -----------------------------------------------------------------------------
    def fan(self, metric: str, models: Iterable[str] | None = None,
            ax: Axes | None = None) -> Figure:
        """Fan chart of a monthly metric: median line, 50% and 90% bands over replicates.

        One panel per model (small multiples, shared axes), with the baseline's median drawn
        dashed in every other panel for reference. With ``ax``, every chosen model is drawn in
        that one axes instead (medians and 50% bands).
        """
        unit = metric_unit(metric, self._res.analyzers)
        chosen = self._models(models)
        quantiles = self._res.metric_quantiles(metric)
        q = {p: _scale(quantiles[p].to_numpy(), unit) for p in QUANTILES}
        years = np.arange(self._res.months) / 12
        title = f"{unit.title} by delivery model (median and 50%/90% bands over replicates)"
        if ax is not None:
            return self._fan_overlay(ax, chosen, q, years, unit, title)
        rows, cols, w, h = _grid(len(chosen))
        fig, axes = plt.subplots(rows, cols, figsize=(w * cols + 0.9, h * rows + 1.5),
                                 sharex=True, sharey=True, squeeze=False, layout="constrained")
        base = self._res.models.index(self._res.baseline)
        small = cols >= 4
        for ax_, model in zip(axes.flat, chosen):
            c, colour = self._res.models.index(model), self.colours[model]
            light = _lightness(colour)  # paler colours get denser bands, so all read alike
            ax_.fill_between(years, q[0.05][:, c], q[0.95][:, c], color=colour,
                             alpha=0.15 + 0.2 * light, lw=0)
            ax_.fill_between(years, q[0.25][:, c], q[0.75][:, c], color=colour,
                             alpha=0.4 + 0.3 * light, lw=0)
            ax_.plot(years, q[0.5][:, c], color=colour, lw=2, label=model)
            if model != self._res.baseline:
                ax_.plot(years, q[0.5][:, base], color="black", lw=1, ls="--",
                         label=f"{self._res.baseline} (median)")
            ax_.set_title(model, fontsize=9 if small else 11)
            ax_.set_xlim(years[0], years[-1])
            ax_.grid(alpha=0.25)
            ax_.tick_params(labelsize=8 if small else 9)
            _format_axis(ax_.yaxis, unit)
        for ax_ in axes.flat[len(chosen):]:
            ax_.set_visible(False)
        self._grid_labels(fig, axes, len(chosen), unit.unit, unit.title)
        handles = [Line2D([], [], color="dimgrey", lw=2, label="median"),
                   Patch(color="dimgrey", alpha=0.55, label="middle 50% of replicates"),
                   Patch(color="dimgrey", alpha=0.2, label="middle 90% of replicates")]
        if any(m != self._res.baseline for m in chosen):
            handles.append(Line2D([], [], color="black", lw=1, ls="--",
                                  label=f"median of {self._res.baseline} (baseline)"))
        fig.legend(handles=handles, loc="outside lower center", ncols=len(handles),
                   frameon=False, fontsize="small")
        fig.suptitle(title)
        return fig

    def _fan_overlay(self, ax: Axes, chosen: list[str], q: dict, years: np.ndarray, unit: Unit,
                     title: str) -> Figure:
        fig = ax.figure
        for model in chosen:
            c, colour = self._res.models.index(model), self.colours[model]
            ax.fill_between(years, q[0.25][:, c], q[0.75][:, c], color=colour, alpha=0.2, lw=0)
            ax.plot(years, q[0.5][:, c], color=colour, lw=2, ls=self.linestyles[model], label=model)
        handles, _ = ax.get_legend_handles_labels()
        handles.append(Patch(color="grey", alpha=0.35, label="50% of replicates"))
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.14),
                  ncols=min(4, len(handles)), fontsize="small", frameon=False)
        _label(ax, title, self._years_label(), unit, "y")
        ax.set_xlim(years[0], years[-1])
        return fig

    def grades(self, models: Iterable[str] | None = None) -> Figure:
        """Stacked shares of replicates by latest published Ofsted grade over time, a panel a
        model; the baseline's share Good or better is drawn as a black line in the others."""
        chosen = self._models(models)
        share = self._res._raw["grade_share"]
        years = np.arange(self._res.months) / 12
        rows, cols, w, h = _grid(len(chosen))
        fig, axes = plt.subplots(rows, cols, figsize=(w * cols + 0.9, h * rows + 1.5),
                                 sharex=True, sharey=True, squeeze=False, layout="constrained")
        base = self._res.models.index(self._res.baseline)
        good_base = share[base][:, :2].sum(axis=1)
        small = cols >= 4
        for ax, model in zip(axes.flat, chosen):
            ax.stackplot(years, share[self._res.models.index(model)].T, colors=GRADE_COLOURS,
                         labels=GRADES, step="post")
            if model != self._res.baseline:
                ax.step(years, good_base, where="post", color="black", lw=1.2,
                        label=f"{self._res.baseline}: Good or better")
            ax.set_title(model, fontsize=9 if small else 11)
            ax.set_xlim(years[0], years[-1])
            ax.set_ylim(0, 1)
            ax.yaxis.set_major_formatter(PercentFormatter(1.0))
            ax.tick_params(labelsize=8 if small else 9)
        for ax in axes.flat[len(chosen):]:
            ax.set_visible(False)
        self._grid_labels(fig, axes, len(chosen), "Share of replicates (%)")
        handles = [Patch(color=c, label=g) for g, c in zip(GRADES, GRADE_COLOURS)]
        if any(m != self._res.baseline for m in chosen):
            handles.append(Line2D([], [], color="black", lw=1.2,
                                  label=f"{self._res.baseline} (baseline): Good or better"))
        fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 5),
                   frameon=False, fontsize="small")
        fig.suptitle("Latest published Ofsted grade over time (share of replicates)")
        return fig

    def costs(self, outcome: str = "npv_cost", models: Iterable[str] | None = None,
              ax: Axes | None = None, order: str = "given") -> Figure:
        """Distribution of an outcome by model: whiskers 5-95%, box 25-75%, median line, mean
        dot. For a probability, the share of replicates with its 90% bootstrap interval.
        ``order="best"`` sorts the rows best first (lowest cost, highest P(Good+))."""
        unit = outcome_unit(outcome)
        chosen = self._models(models)
        if is_probability(outcome):
            mean, lo, hi = probability_stats(self._res, outcome)
            q = np.stack([lo, lo, mean, hi, hi], axis=1)
            title = f"{unit.title} by delivery model\n(share of replicates; 90% bootstrap interval)"
            return self._intervals(self._order(chosen, mean, outcome, order), _scale(mean, unit),
                                   _scale(q, unit), unit, ax, title, None, box=False)
        mean, q = _outcome_stats(self._res, outcome)
        return self._intervals(
            self._order(chosen, mean, outcome, order), _scale(mean, unit), _scale(q, unit), unit,
            ax, f"{unit.title} by delivery model (over replicates)", None)

    def differences(self, outcome: str = "npv_cost", models: Iterable[str] | None = None,
                    ax: Axes | None = None, order: str = "given") -> Figure:
        """Paired difference of each model minus the baseline: mean and 90% interval, zero line.

        For costs and other quantities the interval holds 90% of the replicates' paired
        differences; for a probability it is the 90% paired bootstrap interval of the difference
        in shares (in percentage points). ``order="best"`` sorts the rows best first."""
        unit = outcome_unit(outcome)
        baseline = self._res.baseline
        chosen = [m for m in self._models(models) if m != baseline]
        if is_probability(outcome):
            mean, lo, hi = probability_stats(self._res, outcome, paired=True)
            q = np.stack([lo, lo, mean, hi, hi], axis=1)
            how = "mean and 90% paired bootstrap interval"
            unit = unit._replace(unit=f"percentage points; model minus {baseline}", kind="points")
        else:
            mean, q = _outcome_stats(self._res, outcome, paired=True)
            how = "mean and 90% of replicates"
            unit = unit._replace(unit=f"{unit.unit}; model minus {baseline}")
        return self._intervals(
            self._order(chosen, mean, outcome, order), _scale(mean, unit), _scale(q, unit), unit,
            ax, f"{unit.title}: difference from {baseline}\n(paired, common random numbers; {how})",
            0.0, box=False)

    # ---- shared helpers ---------------------------------------------------------------------
    def _models(self, models: Iterable[str] | None) -> list[str]:
        if models is None:
            return list(self._res.models)
        if isinstance(models, str):
            models = [models]
        chosen = list(models)
        for m in chosen:
            index_of(self._res.models, m, "model")
        if not chosen:
            raise ValueError(f"no models chosen; known: {', '.join(self._res.models)}")
        return chosen

    def _order(self, chosen: list[str], mean: np.ndarray, outcome: str, order: str) -> list[str]:
        if order == "given":
            return chosen
        if order != "best":
            raise ValueError(f"order must be 'given' or 'best'; got {order!r}")
        sign = -1.0 if higher_is_better(outcome) else 1.0
        key = {m: sign * mean[self._res.models.index(m)] for m in chosen}
        return sorted(chosen, key=lambda m: (np.inf if np.isnan(key[m]) else key[m]))

    def _years_label(self) -> str:
        as_of = self._res.spec.get("profile", {}).get("as_of")
        return f"Years after {as_of}" if as_of else "Years"

    def _grid_labels(self, fig: Figure, axes: np.ndarray, n: int, ylabel: str,
                     title: str | None = None) -> None:
        """x labels under the lowest visible panel of each column; the unit (wrapped to the
        panel's height) beside every panel of the first column, and the quantity's name once
        for the whole figure."""
        import textwrap

        rows, cols = axes.shape
        for col in range(cols):
            last = max(r for r in range(rows) if r * cols + col < n) if col < n else None
            if last is None:
                continue
            axes[last, col].set_xlabel(self._years_label())
            axes[last, col].xaxis.set_tick_params(labelbottom=True)
        height = fig.get_size_inches()[1] / rows  # inches per row, roughly
        width = max(14, int(height * 72 / 6.5))  # characters of a small font that fit
        for r in range(rows):
            axes[r, 0].set_ylabel(textwrap.fill(ylabel, width), fontsize="small")
        if title and rows * cols > 1:
            fig.supylabel(title)
        elif title:
            axes[0, 0].set_ylabel(textwrap.fill(f"{title} ({ylabel})", width))

    def _intervals(self, chosen: list[str], mean: np.ndarray, q: np.ndarray, unit: Unit,
                   ax: Axes | None, title: str, zero: float | None, box: bool = True) -> Figure:
        """Horizontal interval chart, one row per model (first in ``chosen`` on top)."""
        row_height = 0.5 if len(chosen) <= 8 else 0.32
        fig, ax = _axes(ax, (9, row_height * len(chosen) + 1.9))
        for row, model in enumerate(reversed(chosen)):
            m, colour = self._res.models.index(model), self.colours[model]
            lo, q1, med, q3, hi = q[m]
            if np.isnan(med):  # undefined in every replicate (e.g. never Inadequate)
                continue
            ax.hlines(row, lo, hi, color=colour, lw=1.8)
            if box:
                ax.add_patch(plt.Rectangle((q1, row - 0.25), q3 - q1, 0.5, fc=colour, alpha=0.35,
                                           ec=colour))
                ax.vlines(med, row - 0.25, row + 0.25, color=colour, lw=2.5)
                ax.vlines([lo, hi], row - 0.12, row + 0.12, color=colour, lw=1.5)
            else:
                ax.vlines([lo, hi], row - 0.15, row + 0.15, color=colour, lw=1.5)
            ax.plot(mean[m], row, "o", color=colour, mec="black", ms=6 if len(chosen) > 8 else 7)
        if not chosen:
            ax.text(0.5, 0.5, "No model to show", transform=ax.transAxes, ha="center",
                    va="center", color="dimgrey")
        if zero is not None:
            ax.axvline(zero, color="black", lw=1, ls="--")
        ax.set_yticks(range(len(chosen)), list(reversed(chosen)),
                      fontsize=8 if len(chosen) > 12 else None)
        for label in ax.get_yticklabels():
            if label.get_text() == self._res.baseline:
                label.set_fontweight("bold")
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


def _format_axis(axis, unit: Unit) -> None:
    if unit.kind == "percent":
        axis.set_major_formatter(PercentFormatter(1.0))
    elif unit.kind == "points":  # a difference of shares, in percentage points
        axis.set_major_formatter(FuncFormatter(_points_tick))
    elif unit.kind == "gbp":
        axis.set_major_formatter(FuncFormatter(_gbp_tick))


def _points_tick(v: float, _pos=None) -> str:
    points = round(100 * v, 6)
    if points == 0:
        return "0"
    text = f"{points:+.0f}" if points == round(points) else f"{points:+.1f}"
    return text.replace("-", "−")


def _gbp_tick(v: float, _pos=None) -> str:
    text = f"£{abs(v):,.0f}m" if abs(v) >= 100 else f"£{abs(v):,.1f}m"
    return ("−" if v < 0 and text not in ("£0m", "£0.0m") else "") + text


def _label(ax: Axes, title: str, other: str | None, unit: Unit, axis: str) -> None:
    """Title, axis labels (the value axis with its unit) and the value-axis tick format."""
    value_axis = ax.yaxis if axis == "y" else ax.xaxis
    value_axis.set_label_text(f"{unit.title} ({unit.unit})")
    _format_axis(value_axis, unit)
    if other:
        (ax.xaxis if axis == "y" else ax.yaxis).set_label_text(other)
    ax.set_title(title)


def _outcome_stats(res: "Results", name: str, paired: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Mean (M,) and 5/25/50/75/95% quantiles (M, 5) of an outcome, or of its paired difference
    against the baseline: exact from replicates in full mode, from the engine's summary otherwise."""
    k = index_of(OUTCOMES, name, "outcome")
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
