"""The :class:`Appraisal` an appraisal returns: its tables, the CSF view and its charts."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


class Appraisal:
    """The result of :func:`appraise`.

    Attributes
    ----------
    gateway: DataFrame, one row per model: ``passed``, ``failed`` (question ids), one column per
        question, and ``reason`` (each failed question, the attribute value, the catalogue note).
    criteria: DataFrame of the criteria used, with normalised central weights and ranges.
    weights: Series, the central (default) weights normalised to sum 1.
    scores: DataFrame (passing model x criterion): mean normalised score, 1 = best.
    raw_scores: DataFrame (every model x criterion): mean raw value over replicates.
    weighted: DataFrame (passing model): weighted score at the central weights, mean and 90%
        interval over replicates.
    rank_probabilities: DataFrame (passing model x rank 1..k).
    central_weights: dict model -> Series of weights (the mean weight vector over the draws in
        which it ranks first), or None if it never does.
    robustness: str, whether the first place is robust.
    notes: list of str, anything the appraisal filled in (e.g. neutral judgement scores).
    governance: DataFrame (option), a regional appraisal's governance attributes with their basis
        (:func:`admsim.appraise_region`; None for a council's).
    """

    def __init__(self, **parts: Any):
        self.governance = None
        self.__dict__.update(parts)

    def __repr__(self) -> str:
        return (f"<admsim.Appraisal {len(self.gateway)} models, {int(self.gateway.passed.sum())} "
                f"pass the gateway, {len(self.criteria)} criteria, "
                f"{self.replicates} replicates x {self.weight_samples} weight draws>")

    def table(self) -> pd.DataFrame:
        """One row per model: gateway result, criterion scores, weighted score, P(rank 1..k).

        Models that pass the gateway come first, in order of expected rank; models that fail it
        follow with empty scores.
        """
        passing = list(self.rank_probabilities.index)
        k = len(passing)
        ranks = np.arange(1, k + 1)
        expected = pd.Series(self.rank_probabilities.to_numpy() @ ranks, index=passing)
        order = list(expected.sort_values(kind="stable").index)
        order += [m for m in self.gateway.index if m not in order]
        t = pd.DataFrame(index=pd.Index(order, name="model"))
        t["gateway"] = self.gateway["passed"].map({True: "pass", False: "fail"})
        t["failed"] = self.gateway["failed"]
        for cid in self.scores.columns:
            t[cid] = self.scores[cid]
        t["score"] = self.weighted["mean"]
        t["score 5%"] = self.weighted["5%"]
        t["score 95%"] = self.weighted["95%"]
        t["expected rank"] = expected
        for col in self.rank_probabilities.columns:
            t[f"P({col})"] = self.rank_probabilities[col]
        return t

    def csf(self, long: bool = False) -> pd.DataFrame:
        """Which of seed 002's 11 critical success factors each model meets.

        Wide (default): one row per model, columns ``(system challenge area, "CSF n: factor")``,
        values True/False. ``long=True``: one row per (model, CSF) with the factor's text, area,
        ``meets`` and the evidence (attribute values, effect means, simulated outcomes against
        the baseline).
        """
        if self._csf is None:
            raise ValueError("this appraisal has no critical success factors: Birmingham's 11 "
                             "factors (seed 002) are for one council's service, not a region's vehicle")
        if long:
            return self._csf.copy()
        cols = pd.MultiIndex.from_tuples(
            [(a, f"CSF {n}: {f}") for n, f, a in
             self._csf[["number", "factor", "area"]].drop_duplicates().itertuples(index=False)],
            names=["system challenge area", "critical success factor"])
        wide = self._csf.pivot(index="model", columns="number", values="meets")
        wide = wide.reindex(index=list(self.gateway.index))
        wide.columns = cols
        return wide.astype(bool)

    # ---- charts -----------------------------------------------------------------------------
    def plot_ranks(self, figsize: tuple[float, float] | None = None):
        """Stacked bars of rank probabilities, one bar per passing model (a matplotlib Figure)."""
        import matplotlib.pyplot as plt
        from matplotlib.ticker import PercentFormatter

        rp = self.rank_probabilities.loc[self.table().index[:len(self.rank_probabilities)]]
        k = rp.shape[1]
        fig, ax = plt.subplots(figsize=figsize or (max(6.0, 1.2 * len(rp) + 2), 4.5),
                               layout="constrained")
        colours = plt.get_cmap("viridis")(np.linspace(0.1, 0.9, k))
        bottom = np.zeros(len(rp))
        x = np.arange(len(rp))
        for j in range(k):
            ax.bar(x, rp.iloc[:, j], bottom=bottom, color=colours[j], label=f"{j + 1}",
                   edgecolor="white", linewidth=0.5)
            bottom += rp.iloc[:, j].to_numpy()
        ax.set_xticks(x, rp.index, rotation=30, ha="right")
        ax.set_ylim(0, 1)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_xlabel("Delivery model (passing the gateway), by expected rank")
        ax.set_ylabel("Probability of each rank")
        ax.set_title(f"Rank probabilities over {self.replicates} replicates x "
                     f"{self.weight_samples} weight draws (SMAA)")
        ax.legend(title="Rank", bbox_to_anchor=(1.01, 1), loc="upper left", frameon=False)
        return fig

    def plot_heatmap(self, figsize: tuple[float, float] | None = None):
        """Heat map of mean normalised criterion scores (1 = best among passing models)."""
        import matplotlib.pyplot as plt

        order = list(self.table().index[:len(self.scores)])
        data = self.scores.loc[order]
        labels = [f"{self.criteria.loc[c, 'label']}\n({self.criteria.loc[c, 'group']}, "
                  f"w={self.weights[c]:.0%})" for c in data.columns]
        fig, ax = plt.subplots(figsize=figsize or (1.1 * data.shape[1] + 3, 0.55 * data.shape[0] + 2.8),
                               layout="constrained")
        im = ax.imshow(data.to_numpy(), cmap="RdYlGn", vmin=0, vmax=1, aspect="auto")
        ax.set_xticks(np.arange(data.shape[1]), labels, rotation=45, ha="right", fontsize=8)
        ax.set_yticks(np.arange(data.shape[0]), data.index)
        for i in range(data.shape[0]):
            for j in range(data.shape[1]):
                ax.text(j, i, f"{data.iat[i, j]:.2f}", ha="center", va="center", fontsize=7)
        ax.set_xlabel("Criterion (group, central weight)")
        ax.set_ylabel("Delivery model")
        ax.set_title("Criterion scores, min-max normalised across passing models (1 = best)")
        fig.colorbar(im, ax=ax, label="Mean normalised score")
        return fig
