"""The HTML report of a scenario comparison (:class:`admsim.ScenarioResults`): what each package
changes against the baseline scenario, paired replicate by replicate, for every delivery model."""
from __future__ import annotations

import datetime
import html
from pathlib import Path
from typing import TYPE_CHECKING

from .._version import __version__
from ..csvout import write_csv
from ..outputs import SUMMARY_OUTCOMES
from ..units import outcome_unit
from .sections import _CSS, _figures_html, _fmt

if TYPE_CHECKING:
    from ..scenarios import ScenarioResults

# The differences a reader looks at first: cost, quality, the workforce.
HEADLINE = ("npv_cost", "good_by_year3", "overspend_any", "mean_caseload", "mean_agency_share")


def write_scenario_report(results: "ScenarioResults", out_dir: str | Path, title: str | None = None) -> Path:
    """Write ``summary.csv`` (every outcome's paired difference with its 90% interval), the
    difference charts (PNG and SVG) and a self-contained ``report.html`` into ``out_dir``;
    return the page's path."""
    from . import _save_figures  # the main report's: PNG at its resolution, and SVG

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    summary = results.summary()
    write_csv(summary, out / "summary.csv")
    caption = ("{title}: each scenario minus {baseline!r}, replicate by replicate (boxes hold half the "
               "replicates, whiskers 1.5 box lengths).")
    figures = []
    # Continuous outcomes: a 0/1 outcome's paired differences (-1, 0, +1) make empty boxes; its
    # change in share is in the table.
    for outcome in ("npv_cost", "mean_caseload"):
        draw = (lambda r, o=outcome: r.plot_differences(o).figure)
        figures += _save_figures([(f"differences_{outcome}.png", draw, caption)], results, out,
                                 title=outcome_unit(outcome).title, baseline=results.baseline)
    e = html.escape
    first = results[results.baseline]
    title = title or f"Scenarios for {first.spec.get('profile', {}).get('name', 'the council')}"
    head = "".join(f"<th>{e(SUMMARY_OUTCOMES[o])}</th>" for o in HEADLINE)
    rows = []
    for (scenario, model), row in summary.iterrows():
        if scenario == results.baseline:
            continue
        cells = []
        for o in HEADLINE:
            label, unit = SUMMARY_OUTCOMES[o], outcome_unit(o)
            prob = label.startswith("P(")
            cells.append(f"<td>{_fmt(row[f'{label} diff vs {results.baseline}'], unit.kind, prob, signed=True)}"
                         f"<br><small>[{_fmt(row[f'{label} diff 5%'], unit.kind, prob, signed=True)}, "
                         f"{_fmt(row[f'{label} diff 95%'], unit.kind, prob, signed=True)}]</small></td>")
        rows.append(f"<tr><th>{e(scenario)}</th><td>{e(model)}</td>{''.join(cells)}</tr>")
    page = out / "report.html"
    page.write_text(f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{e(title)}</title><style>{_CSS}</style></head>
<body>
<h1>{e(title)}</h1>
<p class="meta">admsim {e(__version__)} · generated {datetime.date.today().isoformat()} ·
{len(results.names)} scenarios × {len(results.models)} delivery models × {first.replicates} replicates,
{first.months // 12} years, seed {first.seed}</p>
<p>Each cell is the mean change against the scenario <strong>{e(results.baseline)}</strong> for the
same delivery model, replicate by replicate (common random numbers: every scenario meets the same
demand, labour market and inspections), with the interval holding 90% of the paired changes
(for probabilities, a 90% Monte Carlo interval, in percentage points). £m are 2022 prices.</p>
<div class="scroll"><table><thead><tr><th>Scenario</th><th>Model</th>{head}</tr></thead>
<tbody>{''.join(rows)}</tbody></table></div>
<h2>Charts</h2>
{_figures_html(figures)}
</body></html>
""", encoding="utf-8")
    return page
