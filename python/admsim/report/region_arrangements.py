"""The regional report's sections on the region's own arrangements: the commissioning hub (its
savings against its running cost, year by year, and seed 001's "self-sufficient within three
years" as a probability) and the improvement alliance's measure (councils Good or better minus
those Inadequate)."""
from __future__ import annotations

import html
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .sections import _fmt

if TYPE_CHECKING:
    from ..region import RegionResults

HUB_CAPTION = ("The commissioning hub under {option}: the region's savings from the hub's discount "
               "on the placements bought through it, each year of the run (the dot is the mean over "
               "replicates, the bar holds 90% of them), against its running cost (dashed). Take-up "
               "and discount are assumptions with ranges (docs/model.md), drawn once a replicate.")
ALLIANCE_CAPTION = ("The improvement alliance's measure: the region's councils rated Good or better "
                    "minus those rated Inadequate at each year's end, per option (mean over "
                    "replicates; the band holds 90% of them for {baseline}).")


def hub_option(results: "RegionResults") -> str | None:
    """The first option with the hub (None without one)."""
    if results.hub_raw is None:
        return None
    return next((o for o, on in zip(results.options, results.hub_raw["options"]) if on), None)


def plot_hub(results: "RegionResults"):
    """Hub savings per year (£m) with 90% ranges against its running cost, for its first option."""
    import matplotlib.pyplot as plt

    option = hub_option(results)
    table = results.hub().loc[option]
    fig, ax = plt.subplots(figsize=(8, 3.6), layout="constrained")
    years = table.index.to_numpy()
    ax.vlines(years, table["savings 5%"] / 1e6, table["savings 95%"] / 1e6, color="#1a7f37", lw=4, alpha=0.5)
    ax.plot(years, table["savings"] / 1e6, "o", color="#1a7f37", ms=8, label="savings (mean, 90% of replicates)")
    ax.axhline(table["running cost"].iloc[0] / 1e6, color="#c8102e", ls="--", lw=1.2, label="running cost")
    ax.set_xticks(years, [f"year {y}" for y in years])
    ax.set_ylabel("£m a year")
    ax.set_ylim(0, 1.08 * max(table["savings 95%"].max(), table["running cost"].iloc[0]) / 1e6)
    ax.grid(axis="y", color="#ddd", lw=0.6)
    ax.set_axisbelow(True)
    ax.set_title(f"Commissioning hub: savings against its running cost ({option})")
    ax.legend(frameon=False, loc="upper left")
    return fig


def plot_alliance(results: "RegionResults"):
    """Good-or-better minus Inadequate councils at each year's end, per option."""
    import matplotlib.pyplot as plt

    table = results.alliance()
    fig, ax = plt.subplots(figsize=(8, 3.6), layout="constrained")
    for i, option in enumerate(results.options):
        rows = table.loc[option]
        years = rows.index.to_numpy()
        if i == 0:
            ax.fill_between(years, rows["5%"], rows["95%"], color=f"C{i}", alpha=0.15, lw=0)
        ax.plot(years, rows["Good+ minus Inadequate"], "o-", color=f"C{i}", label=option)
    ax.axhline(0, color="black", lw=0.8)
    ax.set_xticks(years, [f"year {y}" for y in years])
    ax.set_ylabel("councils")
    ax.grid(axis="y", color="#ddd", lw=0.6)
    ax.set_axisbelow(True)
    ax.set_title("Councils Good or better minus councils Inadequate")
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1))
    return fig


def figure_specs(results: "RegionResults") -> list[tuple[str, object, str]]:
    """The charts of this section, as the report's (file name, draw, caption) specs."""
    specs = [("alliance.png", plot_alliance, ALLIANCE_CAPTION)]
    if hub_option(results) is not None:
        specs.insert(0, ("hub.png", plot_hub, HUB_CAPTION))
    return specs


def arrangements_html(results: "RegionResults", region: pd.DataFrame, figures_html: str) -> str:
    """The section: the hub's headline per option (if there is one, from the page's ``region``
    summary) and the alliance's measure."""
    e = html.escape
    parts = ["<h2>The region's arrangements</h2>"]
    if hub_option(results) is not None:
        head = "".join(f"<th>{e(o)}</th>" for o in region.index)
        rows = [("P(self-sufficient in year 3)", lambda r: _fmt(r["P(hub self-sufficient in year 3)"], "percent", True)
                 + f'<span class="sub nw">{_fmt(r["P(hub yr3) 5%"], "percent", True)} to '
                   f'{_fmt(r["P(hub yr3) 95%"], "percent", True)}</span>'),
                ("P(breaks even within the run)", lambda r: _fmt(r["P(hub breaks even)"], "percent", True)),
                ("Break-even year (median)", lambda r: "–" if np.isnan(r["hub break-even year (median)"])
                 else f"year {r['hub break-even year (median)']:.0f}")]
        body = "".join(f"<tr><th>{e(label)}</th>" + "".join(f"<td>{cell(row)}</td>" for _, row in region.iterrows())
                       + "</tr>" for label, cell in rows)
        parts.append("<p>Seed 001: the hub is meant to be \u201cself-sufficient within three years\u201d "
                     "through the region's collaborative buying power. Here that is its savings to the "
                     "councils in its third year against its running cost, replicate by replicate "
                     "(an interval is Monte Carlo error).</p>"
                     f'<div class="scroll"><table><thead><tr><th>Commissioning hub</th>{head}</tr></thead>'
                     f"<tbody>{body}</tbody></table></div>")
    alliance = results.alliance()
    last = alliance.index.get_level_values("year").max()
    cells = "".join(f"<td>{alliance.loc[(o, last), 'Good+ minus Inadequate']:.1f}"
                    f'<span class="sub nw">{alliance.loc[(o, last), "5%"]:.0f} to {alliance.loc[(o, last), "95%"]:.0f}</span></td>'
                    for o in results.options)
    chance = "".join(f"<td>{alliance.loc[(o, last), 'P(more Good+ than Inadequate)']:.0%}</td>" for o in results.options)
    head = "".join(f"<th>{e(o)}</th>" for o in results.options)
    status = "with an improvement alliance" if results.alliance_raw is not None else "without an improvement alliance"
    parts.append(f"<p>The West Midlands' improvement alliance measures itself by more Good than Inadequate "
                 f"councils (seed 001). This run is {status}.</p>"
                 f'<div class="scroll"><table><thead><tr><th>At year {last}</th>{head}</tr></thead><tbody>'
                 f"<tr><th>Good or better minus Inadequate</th>{cells}</tr>"
                 f"<tr><th>P(more Good or better than Inadequate)</th>{chance}</tr></tbody></table></div>")
    parts.append(figures_html)
    return "\n".join(parts)
