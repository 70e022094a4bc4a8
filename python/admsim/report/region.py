"""The HTML report of a regional run (:class:`admsim.RegionResults`): the region's totals per
option with their intervals, rank probabilities, the cost split per council, the shared labour
market, and the options appraisal of the vehicle when one is given
(:func:`admsim.appraise_region`)."""
from __future__ import annotations

import datetime
import html
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._version import __version__
from ..csvout import write_csv
from ..outputs import OUTCOMES
from .region_arrangements import arrangements_html, figure_specs, hub_option
from .region_charts import cost_split_differences, council_order, plot_cost_split, plot_movers, plot_region_costs
from .sections import _CSS, _appraisal_html, _figures_html, _fmt

if TYPE_CHECKING:
    from ..appraisal import Appraisal
    from ..region import RegionResults

_EXTRA_CSS = """
td.p { text-align: center; } .hl { font-weight: 700; }
table.appraisal td, table.appraisal th { text-align: right; }
"""

FIGURES = [
    ("region_costs.png", plot_region_costs,
     "The region's net present cost (2022 prices, discounted at 3.5% a year) summed over its "
     "councils, per option: the dot is the mean over replicates and the bar holds 90% of them; "
     "right, each option minus {baseline}, replicate by replicate (common random numbers: every "
     "option meets the same demand, labour market and inspections in each replicate)."),
    ("cost_split.png", plot_cost_split,
     "Each council's net present cost under each option minus its cost under {baseline} (£m), "
     "largest councils first: the dot is the mean paired difference and the line holds 90% of "
     "replicates. Left of the dashed line the council gains. The vehicle's own costs are split "
     "{split}; its effects act on each council's own spending, so large councils carry most of "
     "any saving or cost."),
    ("movers.png", plot_movers,
     "The shared labour market: left, the social workers each council hires from and loses to the "
     "region's other councils a year, under {baseline} ({mover_share:.0%} of leavers move to "
     "another council of the region); right, the region's movers hired each year under each "
     "option (the dot is the mean over replicates, the line holds 90% of them): movers come in "
     "bursts, so a single month says little."),
]

_SPLIT = {"equal": "equally among the councils", "population": "by child population",
          "use": "by use (children in care)"}


def write_region_report(results: "RegionResults", out_dir: str | Path, title: str | None = None,
                        appraisal: "Appraisal | None" = None) -> Path:
    """Write ``region_summary.csv``, ``rank_probabilities.csv``, ``cost_split.csv``, the charts
    (PNG at 200 dpi and SVG), with an ``appraisal`` its tables (``appraisal.csv``,
    ``gateway.csv``, ``governance.csv``) and charts, and a self-contained ``report.html`` into
    ``out_dir``; return the page's path. Needs full-mode results (intervals over replicates)."""
    from . import APPRAISAL_FIGURES, _save_figures  # the main report's: PNG at its resolution, and SVG

    if results.summary_only:
        raise ValueError("the regional report needs per-replicate results: simulate_region again "
                         "with output='full'")
    if appraisal is not None and appraisal.results is not results:
        raise ValueError("appraisal is of other results: pass results.appraise(...) of these results")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    region = results.region_summary()
    write_csv(region, out / "region_summary.csv")
    ranks = rank_tables(results)
    write_csv(ranks, out / "rank_probabilities.csv")
    split = results.cost_split()
    write_csv(split, out / "cost_split.csv")
    split_rule = (results.vehicle_split or "none")
    fmt = {"baseline": results.options[0], "mover_share": results.mover_share,
           "split": _SPLIT.get(split_rule, "not at all: each council bears the whole, as if alone")}
    figures = _save_figures(FIGURES, results, out, **fmt)
    arrangement_figures = _save_figures(figure_specs(results), results, out, option=hub_option(results), **fmt)
    section = ""
    if appraisal is not None:
        write_csv(appraisal.table(), out / "appraisal.csv")
        write_csv(appraisal.gateway, out / "gateway.csv")
        write_csv(appraisal.governance, out / "governance.csv")
        # The council report's appraisal charts, sized for a region's few options.
        wider = {"appraisal_ranks.png": lambda a: a.plot_ranks(figsize=(9, 4.5)),
                 "appraisal_heatmap.png": lambda a: a.plot_heatmap(figsize=(12, 5.5))}
        charts = [(name, wider.get(name, draw), caption) for name, draw, caption in APPRAISAL_FIGURES]
        section = _appraisal_html(appraisal, _save_figures(charts, appraisal, out)) + _governance_html(appraisal)
    title = title or f"A regional vehicle for {len(results.names)} councils"
    e = html.escape
    page = out / "report.html"
    page.write_text(f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)}</title><style>{_CSS}{_EXTRA_CSS}</style></head>
<body>
<h1>{e(title)}</h1>
<p class="meta">admsim {e(__version__)} · generated {datetime.date.today().isoformat()} ·
{len(results.names)} councils × {len(results.options)} options × {results.replicates} replicates,
{results.months // 12} years, seed {e(str(results.spec.get('seed', '?')))} · mover share
{results.mover_share:g} · vehicle costs split {e(fmt['split'])}</p>
{_lead_html(results, region, ranks, appraisal)}
<p><strong>Councils</strong> (largest first): {e(', '.join(council_order(results)))}.</p>
<h2>The region's totals</h2>
<p>Summed over the councils, replicate by replicate; the range under each figure holds 90% of the
replicates. £m are 2022 prices.</p>
{_totals_html(results, region)}
<h2>Rank probabilities</h2>
<p>The share of replicates in which each option ranks first, second, ... on the region's net
present cost (lowest first) and on the number of its councils graded Good or better at year 3
(the improvement alliance's measure; most first). Every option meets the same replicates.</p>
{_ranks_html(ranks)}
<h2>Charts</h2>
{_figures_html(figures)}
<h2>Cost split per council (£m)</h2>
{_split_html(results, split)}
{arrangements_html(results, region, _figures_html(arrangement_figures))}
{section}
</body></html>
""", encoding="utf-8")
    return page


def rank_tables(results: "RegionResults") -> pd.DataFrame:
    """Rank probabilities on the region's NPV (lowest first) and on its councils Good by year 3."""
    return pd.concat({"on cost": results.rank_probabilities("npv_cost"),
                      "on Good councils at year 3": results.rank_probabilities(
                          "good_by_year3", lower_is_better=False)}, axis=1)


def _council_share(results: "RegionResults", m: int, outcome: str) -> float:
    """The mean share of the councils for which a 0/1 ``outcome`` holds, under option ``m``."""
    k = OUTCOMES.index(outcome)
    return float(np.nanmean([np.nanmean(r.outcomes[m, :, k]) for r in results.councils.values()]))


def _lead_html(results: "RegionResults", region: pd.DataFrame, ranks: pd.DataFrame,
               appraisal: "Appraisal | None") -> str:
    """The lead, from the page's own region summary and rank tables."""
    e = html.escape
    lowest = ranks["on cost"]["P(rank 1)"]
    cheapest = lowest.idxmax()
    lines = [f"<li>On the region's net present cost, <strong>{e(cheapest)}</strong> is lowest in "
             f"{lowest[cheapest]:.0%} of replicates.</li>"]
    option = hub_option(results)
    if option is not None:
        row = region.loc[option]
        lines.append(f"<li>The commissioning hub is self-sufficient in its third year (its savings to the "
                     f"councils cover its running cost) in {row['P(hub self-sufficient in year 3)']:.0%} "
                     f"of replicates under {e(option)}; its take-up and discount are assumptions.</li>")
    if appraisal is not None:
        first = appraisal.rank_probabilities["rank 1"].sort_values(ascending=False)
        shares = ", ".join(f"{e(m)} {p:.0%}" for m, p in first.items())
        lines.append(f"<li>In the options appraisal (gateway, {len(appraisal.criteria)} criteria, "
                     f"SMAA over {appraisal.replicates} replicates × {appraisal.weight_samples} "
                     f"weight draws), P(rank 1): {shares}. {e(appraisal.robustness)}</li>")
    else:
        lines.append("<li>No options appraisal in this report (gateway, criteria, SMAA): write it with "
                     "<code>appraisal=results.appraise(...)</code>.</li>")
    return ('<div id="conclusion"><h2>In short</h2><ul>' + "".join(lines) + "</ul>"
            "<p class=\"note\">Every effect of a vehicle on councils' services is an assumption with "
            "a range (the catalogue's, with its rationale); governance scores are judgements with "
            "ranges (admsim/data/region_appraisal.json). Read a difference as what follows if the "
            "assumptions hold.</p></div>")


def _totals_html(results: "RegionResults", region: pd.DataFrame) -> str:
    e = html.escape
    base = results.options[0]
    rows = [("Net present cost", lambda r: _with_range(r, "npv_cost", "gbp")),
            (f"Difference from {base}", lambda r: _fmt(r[f"npv_cost diff vs {base}"], "gbp", signed=True)
             + f'<span class="sub nw">[{_fmt(r["diff 5%"], "gbp", signed=True)}, '
               f'{_fmt(r["diff 95%"], "gbp", signed=True)}]</span>'),
            ("Set-up cost (paid once by the region)", lambda r: _with_range(r, "setup_cost", "gbp")),
            ("Overspend", lambda r: _with_range(r, "overspend_amount", "gbp")),
            ("P(any council overspends)", lambda r: _fmt(r["P(any council overspends)"], "percent", True)),
            ("Risk events", lambda r: _with_range(r, "risk_events", "number")),
            ("Social workers at the end", lambda r: f"{r['social workers at the end']:,.0f}"),
            ("Movers hired a year", lambda r: f"{r['movers hired a year']:,.0f}"),
            ("Movers leaving the region a year", lambda r: f"{r['movers leaving the region a year']:,.0f}")]
    head = "".join(f"<th>{e(o)}</th>" for o in region.index)
    body = "".join(f"<tr><th>{e(label)}</th>" + "".join(f"<td>{cell(row)}</td>" for _, row in region.iterrows())
                   + "</tr>" for label, cell in rows)
    for outcome, label in (("overspend_any", "Councils overspending in some year (mean share)"),
                           ("good_by_year3", "Councils Good or better at year 3 (mean share)")):
        cells = "".join(f"<td>{_council_share(results, m, outcome):.0%}</td>"
                        for m in range(len(results.options)))
        body += f"<tr><th>{e(label)}</th>{cells}</tr>"
    return (f'<div class="scroll"><table><thead><tr><th>Region</th>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


def _with_range(row: pd.Series, name: str, kind: str) -> str:
    return (_fmt(row[name], kind) + f'<span class="sub nw">{_fmt(row[f"{name} 5%"], kind)} to '
            f'{_fmt(row[f"{name} 95%"], kind)}</span>')


def _ranks_html(ranks: pd.DataFrame) -> str:
    e = html.escape
    top = "".join(f'<th colspan="{ranks[g].shape[1]}">{e(g)}</th>' for g in ranks.columns.levels[0]
                  if g in ranks.columns.get_level_values(0))
    sub = "".join(f"<th>{e(c[1].replace('P(', '').replace(')', ''))}</th>" for c in ranks.columns)

    def cell(p: float) -> str:
        shade = f"rgba(26,127,55,{0.08 + 0.6 * p:.2f})"
        return f'<td class="p" style="background:{shade}">{p:.0%}</td>'

    body = "".join(f"<tr><th>{e(o)}</th>{''.join(cell(p) for p in row)}</tr>" for o, row in ranks.iterrows())
    return (f'<div class="scroll"><table><thead><tr><th></th>{top}</tr><tr><th>Option</th>{sub}</tr>'
            f"</thead><tbody>{body}</tbody></table></div>")


def _split_html(results: "RegionResults", split: pd.DataFrame) -> str:
    e = html.escape
    diffs = cost_split_differences(results)
    base = results.options[0]
    head = "".join(f"<th>{e(o)}</th>" for o in results.options)
    head += "".join(f"<th>{e(o)} − {e(base)}</th>" for o in results.options[1:])
    rows = []
    for i, name in enumerate([*council_order(results), "region"]):
        cells = "".join(f"<td>{split.loc[name, o]:,.1f}</td>" for o in results.options)
        for o in results.options[1:]:
            d = split.loc[name, f"{o} vs {base}"]
            rng = ("" if name == "region" else
                   f'<span class="sub nw">[{diffs[o][i, 1]:+,.1f}, {diffs[o][i, 2]:+,.1f}]</span>')
            cells += f"<td>{d:+,.1f}{rng}</td>"
        cls = ' class="hl"' if name == "region" else ""
        rows.append(f"<tr{cls}><th>{e(name)}</th>{cells}</tr>")
    return (f'<p>Mean net present cost of each council under each option, and its paired difference '
            f"from {e(base)} with the range holding 90% of replicates.</p>"
            f'<div class="scroll"><table><thead><tr><th>Council</th>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table></div>")


def _governance_html(appraisal: Any) -> str:
    e = html.escape
    g = appraisal.governance

    def show(v: Any) -> str:
        if isinstance(v, (list, tuple)):
            return f"{v[0]:.2f}–{v[1]:.2f}"
        return {True: "yes", False: "no", None: "–"}.get(v, f"{v:.2f}") if not isinstance(v, str) else v

    cols = [c for c in g.columns if c != "basis"]
    head = "".join(f"<th>{e(c.replace('_', ' '))}</th>" for c in cols)
    rows = "".join(f"<tr><th>{e(o)}</th>{''.join(f'<td>{e(show(r[c]))}</td>' for c in cols)}</tr>"
                   for o, r in g.iterrows())
    basis = "".join(f"<li><strong>{e(o)}</strong>: {e(r['basis'])}</li>" for o, r in g.iterrows())
    total = sum(c["weight"] for c in appraisal.criteria_definitions)
    crit = "".join(_criterion_row(c, total) for _, c in appraisal.criteria.iterrows())
    return (f"<h3>The vehicle's governance</h3><p>Political-change exposure is the share of the "
            f"region's joint delivery a political change in one council puts at risk: host "
            f"dependence d (a judgement range) plus the rest split among the councils, "
            f"d + (1 − d)/n, drawn within its range in each replicate.</p>"
            f'<div class="scroll"><table><thead><tr><th>Option</th>{head}</tr></thead>'
            f"<tbody>{rows}</tbody></table></div>"
            f"<details><summary>Basis of each attribute (seeds 000, 001)</summary><ul>{basis}</ul></details>"
            "<h3>Criteria</h3><p>Weights are central weights normalised to sum 1; SMAA draws each "
            "within its range. Judgement scores are ranges drawn in each replicate "
            "(assumptions, stated with their basis in admsim/data/region_appraisal.json).</p>"
            '<div class="scroll"><table><thead><tr><th>Criterion</th><th>group</th><th>kind</th>'
            "<th>weight (range)</th><th>better</th><th>source</th></tr></thead>"
            f"<tbody>{crit}</tbody></table></div>")


def _criterion_row(c: pd.Series, total: float) -> str:
    """A criterion's row: its central weight and range as shares of the central weights' sum."""
    e = html.escape
    rng = ("" if np.isnan(c["range low"]) else
           f'<span class="sub">{c["range low"] / total:.1%} to {c["range high"] / total:.1%}</span>')
    return (f"<tr><th>{e(c['label'])}</th><td>{e(c['group'])}</td><td>{e(c['kind'])}</td>"
            f'<td class="nw">{c["weight"]:.0%}{rng}</td>'
            f'<td>{e(c["direction"].replace("_is_better", ""))}</td>'
            f'<td style="text-align:left">{e(str(c["source"]))}</td></tr>')
