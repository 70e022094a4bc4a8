"""The regional report's charts (matplotlib Figures from a :class:`admsim.RegionResults`): the
cost split per council, the labour market's movers, the region's net present cost per option."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..outputs import OUTCOMES
from ..results import mean_and_range

if TYPE_CHECKING:
    from ..region import RegionResults


def _colours(options: list[str]) -> dict[str, tuple]:
    from ..plot import model_colours  # the colour each option has in every other chart

    return model_colours(options)


def _children(res: "RegionResults") -> dict[str, float]:
    return {name: float(r.spec["profile"]["population"]["children_0_17"])
            for name, r in res.councils.items()}


def council_order(res: "RegionResults") -> list[str]:
    """The councils, largest (children aged 0-17) first."""
    children = _children(res)
    return sorted(res.names, key=lambda n: -children[n])


def cost_split_differences(res: "RegionResults", outcome: str = "npv_cost") -> dict[str, np.ndarray]:
    """Per option other than the first: (council, 3) mean and 90% range of the council's paired
    difference from the first option, in £m, councils in :func:`council_order`."""
    k = OUTCOMES.index(outcome)
    out = {}
    for m, option in enumerate(res.options[1:], start=1):
        out[option] = np.array([mean_and_range(1e-6 * (res[n].outcomes[m, :, k] - res[n].outcomes[0, :, k]))
                                for n in council_order(res)])
    return out


def plot_cost_split(res: "RegionResults", outcome: str = "npv_cost"):
    """Each council's paired difference from the first option, one marker per option with the
    range holding 90% of replicates; councils largest first."""
    import matplotlib.pyplot as plt

    names = council_order(res)
    diffs = cost_split_differences(res, outcome)
    colours = _colours(res.options)
    fig, ax = plt.subplots(figsize=(10, 0.42 * len(names) + 1.8), layout="constrained")
    y = np.arange(len(names))
    step = 0.7 / max(1, len(diffs))
    for j, (option, d) in enumerate(diffs.items()):
        yy = y - 0.35 + step * (j + 0.5)
        ax.hlines(yy, d[:, 1], d[:, 2], color=colours[option], lw=2, alpha=0.55)
        ax.plot(d[:, 0], yy, "o", color=colours[option], ms=6, label=option)
    ax.axvline(0, color="black", lw=0.8, ls="--")
    ax.set_yticks(y, [f"{n} ({_children(res)[n] / 1e3:,.0f}k children)" for n in names])
    ax.invert_yaxis()
    ax.grid(axis="x", color="#ddd", lw=0.6)
    ax.set_axisbelow(True)
    ax.set_xlabel(f"Net present cost minus {res.options[0]}'s, £m (dot: mean; line: 90% of replicates)")
    ax.set_title(f"Who pays and who gains: each council's cost of each option against {res.options[0]}")
    ax.legend(title="Option", loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    return fig


def plot_region_costs(res: "RegionResults"):
    """The region's net present cost per option (£m): mean and 90% range over replicates, and
    each option's paired difference from the first."""
    import matplotlib.pyplot as plt

    k = OUTCOMES.index("npv_cost")
    total = 1e-6 * sum(r.outcomes[:, :, k] for r in res.councils.values())       # (option, replicate)
    colours = _colours(res.options)
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 0.5 * len(res.options) + 2.2),
                                      layout="constrained", sharey=True)
    y = np.arange(len(res.options))
    for i, option in enumerate(res.options):
        mean, lo, hi = mean_and_range(total[i])
        left.hlines(i, lo, hi, color=colours[option], lw=3, alpha=0.6)
        left.plot(mean, i, "o", color=colours[option], ms=8)
        d_mean, d_lo, d_hi = mean_and_range(total[i] - total[0])
        right.hlines(i, d_lo, d_hi, color=colours[option], lw=3, alpha=0.6)
        right.plot(d_mean, i, "o", color=colours[option], ms=8)
    left.set_yticks(y, res.options)
    left.invert_yaxis()
    left.set_xlabel("Region's net present cost, £m")
    left.set_title("Total over the councils")
    right.axvline(0, color="black", lw=0.8, ls="--")
    right.set_xlabel(f"Minus {res.options[0]}'s, replicate by replicate, £m")
    right.set_title("Paired difference")
    for ax in (left, right):
        ax.grid(axis="x", color="#ddd", lw=0.6)
        ax.set_axisbelow(True)
    return fig


def movers_per_year(res: "RegionResults", option: int = 0) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Councils (largest first), mean movers hired a year and mean leavers moving out a year."""
    from ..outputs import METRICS

    names = council_order(res)
    years = res.months / 12
    hired = np.array([res[n].metrics[option, :, :, METRICS.index("movers_in")].sum(axis=1).mean() / years
                      for n in names])
    left = np.array([res[n].metrics[option, :, :, METRICS.index("movers_out")].sum(axis=1).mean() / years
                     for n in names])
    return names, hired, left


def plot_movers(res: "RegionResults"):
    """The shared labour market under the first option: social workers each council loses to and
    hires from the region's other councils a year (left), and the region's movers hired each
    year under every option (right)."""
    import matplotlib.pyplot as plt
    from ..outputs import METRICS

    names, hired, left = movers_per_year(res)
    colours = _colours(res.options)
    fig, (a, b) = plt.subplots(1, 2, figsize=(12, 0.42 * len(names) + 1.8), layout="constrained",
                               gridspec_kw={"width_ratios": [1.25, 1]})
    y = np.arange(len(names))
    a.barh(y - 0.2, hired, height=0.4, color="#2b8cbe", label="hired from the region's other councils")
    a.barh(y + 0.2, left, height=0.4, color="#e34a33", label="left for another council")
    a.set_yticks(y, names)
    a.invert_yaxis()
    a.set_xlabel(f"Social workers a year (mean over replicates, {res.options[0]})")
    a.set_title("Movers between the councils\n(a year, mean over replicates)")
    a.legend(loc="lower right", frameon=False, fontsize=8)
    a.grid(axis="x", color="#ddd", lw=0.6)
    a.set_axisbelow(True)
    k = METRICS.index("movers_in")
    years = res.months // 12
    width = 0.7 / len(res.options)
    for m, option in enumerate(res.options):
        monthly = sum(r.metrics[m, :, :years * 12, k] for r in res.councils.values())  # (replicate, month)
        yearly = monthly.reshape(monthly.shape[0], years, 12).sum(axis=2)
        lo, hi = np.quantile(yearly, [0.05, 0.95], axis=0)
        x = np.arange(1, years + 1) - 0.35 + width * (m + 0.5)
        b.vlines(x, lo, hi, color=colours[option], lw=2, alpha=0.55)
        b.plot(x, yearly.mean(axis=0), "o", color=colours[option], ms=5, label=option)
    b.set_xticks(np.arange(1, years + 1))
    b.set_xlabel("Year")
    b.set_ylabel("Movers hired in the region a year")
    b.set_title("The region's movers, year by year\n(dot: mean; line: 90% of replicates)")
    b.legend(loc="lower right", frameon=False, fontsize=8)
    b.set_ylim(bottom=0)
    b.grid(axis="y", color="#ddd", lw=0.6)
    b.set_axisbelow(True)
    return fig
