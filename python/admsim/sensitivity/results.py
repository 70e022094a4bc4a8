"""The results of an analysis: Sobol indices or Morris statistics per output, as tables and
charts."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd


@dataclass
class SensitivityResult:
    problem: dict[str, Any]
    outputs: list[str]
    X: np.ndarray  # the sample, (rows, inputs)
    Y: np.ndarray  # the outputs, (rows, outputs)
    indices: dict[str, dict[str, np.ndarray]]  # SALib's result per output
    n: int
    seed: int
    conf_level: float = 0.95
    calc_second_order: bool = False
    levels: int = 4
    manifest: dict[str, Any] | None = field(default=None, repr=False)

    _COLUMNS: ClassVar[tuple[str, ...]] = ()

    @property
    def inputs(self) -> list[str]:
        return list(self.problem["names"])

    def to_frame(self) -> pd.DataFrame:
        """Tidy indices: one row per (output, input), one column per index and interval."""
        rows = []
        for out in self.outputs:
            for i, name in enumerate(self.inputs):
                rows.append({"output": out, "input": name,
                             **{c: float(self.indices[out][c][i]) for c in self._COLUMNS}})
        return pd.DataFrame(rows, columns=["output", "input", *self._COLUMNS])

    def _which(self, output: str | None) -> list[str]:
        if output is None:
            return list(self.outputs)
        if output not in self.outputs:
            raise KeyError(f"unknown output {output!r}; known: {', '.join(self.outputs)}")
        return [output]

    @staticmethod
    def _grid(count: int, width: float, height: float):
        import matplotlib.pyplot as plt

        cols = min(2, count)
        rows = math.ceil(count / cols)
        fig, axes = plt.subplots(rows, cols, figsize=(width * cols, height * rows + 0.6),
                                 squeeze=False, layout="constrained")
        for ax in axes.flat[count:]:
            ax.set_visible(False)
        return fig, list(axes.flat)


class SobolResult(SensitivityResult):
    """Sobol indices per output: first-order ``S1`` and total ``ST`` with bootstrap intervals
    (``S1_conf``, ``ST_conf``: half-widths at ``conf_level``); ``S2`` when second order was asked."""

    _COLUMNS = ("S1", "S1_conf", "ST", "ST_conf")

    def __repr__(self) -> str:
        return (f"<admsim.sensitivity.SobolResult {len(self.inputs)} inputs x {len(self.outputs)} "
                f"outputs, N={self.n}, {len(self.Y)} evaluations>")

    def _table(self, key: str) -> pd.DataFrame:
        return pd.DataFrame({out: self.indices[out][key] for out in self.outputs}, index=self.inputs)

    @property
    def S1(self) -> pd.DataFrame:
        """First-order indices, input x output."""
        return self._table("S1")

    @property
    def ST(self) -> pd.DataFrame:
        """Total indices, input x output."""
        return self._table("ST")

    @property
    def S2(self) -> dict[str, pd.DataFrame]:
        """Second-order indices per output (input x input), if ``calc_second_order``."""
        if not self.calc_second_order:
            raise ValueError("second-order indices need calc_second_order=True")
        return {out: pd.DataFrame(self.indices[out]["S2"], index=self.inputs, columns=self.inputs)
                for out in self.outputs}

    def plot(self, output: str | None = None):
        """Bar chart of S1 and ST per input with their bootstrap intervals; one panel per output
        (all outputs by default). Returns a matplotlib Figure."""
        outs = self._which(output)
        names = self.inputs
        fig, axes = self._grid(len(outs), max(4.5, 0.55 * len(names) + 2), 3.8)
        x = np.arange(len(names))
        for ax, out in zip(axes, outs):
            ind = self.indices[out]
            ax.bar(x - 0.2, ind["S1"], 0.4, yerr=ind["S1_conf"], capsize=3, label="first order (S1)",
                   color="#4c72b0")
            ax.bar(x + 0.2, ind["ST"], 0.4, yerr=ind["ST_conf"], capsize=3, label="total (ST)",
                   color="#dd8452")
            ax.axhline(0, color="black", linewidth=0.6)
            ax.set_xticks(x, names, rotation=45, ha="right", fontsize=8)
            ax.set_title(out)
            ax.set_xlabel("input")
            ax.set_ylabel("Sobol index (share of variance)")
            ax.legend(fontsize=8)
        fig.suptitle(f"Sobol sensitivity indices (N = {self.n}, {len(self.Y)} evaluations)\n"
                     f"error bars: {self.conf_level:.0%} bootstrap intervals", fontsize=10)
        return fig


class MorrisResult(SensitivityResult):
    """Morris elementary-effect statistics per output: ``mu``, ``mu_star`` (mean absolute effect),
    ``sigma`` and ``mu_star_conf`` (bootstrap half-width at ``conf_level``)."""

    _COLUMNS = ("mu", "mu_star", "sigma", "mu_star_conf")

    def __repr__(self) -> str:
        return (f"<admsim.sensitivity.MorrisResult {len(self.inputs)} inputs x {len(self.outputs)} "
                f"outputs, {self.n} trajectories, {len(self.Y)} evaluations>")

    def plot(self, output: str | None = None):
        """μ*–σ scatter with input labels (and μ* intervals), one panel per output. Returns a
        matplotlib Figure."""
        outs = self._which(output)
        fig, axes = self._grid(len(outs), 5.5, 4.2)
        for ax, out in zip(axes, outs):
            ind = self.indices[out]
            ax.errorbar(ind["mu_star"], ind["sigma"], xerr=ind["mu_star_conf"], fmt="o",
                        color="#4c72b0", ecolor="#9bb0d3", capsize=3)
            for i, name in enumerate(self.inputs):
                ax.annotate(name, (ind["mu_star"][i], ind["sigma"][i]), fontsize=7,
                            xytext=(4, 3), textcoords="offset points")
            top = np.nanmax(np.concatenate([ind["mu_star"], ind["sigma"], [0.0]]))
            if np.isfinite(top) and top > 0:
                ax.plot([0, top], [0, top], linestyle=":", color="grey", linewidth=0.8,
                        label="σ = μ*")
                ax.legend(fontsize=8, loc="upper left")
            ax.ticklabel_format(style="sci", axis="both", scilimits=(-3, 4))
            ax.set_title(out)
            ax.set_xlabel("μ* (mean absolute elementary effect)")
            ax.set_ylabel("σ (SD of elementary effects)")
        fig.suptitle(f"Morris screening ({self.n} trajectories, {self.levels} levels)\n"
                     f"error bars: {self.conf_level:.0%} bootstrap intervals on μ*", fontsize=10)
        return fig
