"""A self-contained HTML report of a comparison that answers the question first.

At the top, a conclusion in plain English: for each headline outcome the model most likely to
be best, the share of replicates in which it is best (P(best)), and its paired difference from
the baseline with a 90% interval; the budget the overspend is judged against; and the three
assumptions the ranking on net present cost is most sensitive to (one at a time, at the ends
of their ranges). Then the run's provenance (version, git commit, catalogue hash, seed), the
scenario, the summary table (also CSV and Parquet) and the charts (PNG at 200 dpi and SVG).

:func:`conclude` computes the conclusion on its own (a :class:`Conclusion`);
:func:`write_report` writes everything.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping
import numpy as np
from ..csvout import write_csv
from ..outputs import OUTCOMES, SUMMARY_OUTCOMES
if TYPE_CHECKING:
    from ..appraisal import Appraisal
    from ..plot import PlotAccessor
    from ..results import Results
from .conclusion import Conclusion, HEADLINE_OUTCOMES, conclude  # noqa: F401
from .ranking import p_best  # noqa: F401
from .sections import _appraisal_html, _figures_html, _html  # noqa: F401
from .sensitivity import SENSITIVITY_HOOKS, SENSITIVITY_PARAMETERS, ranking_sensitivity  # noqa: F401


DPI = 200  # every chart is written as PNG at this resolution and as SVG


_BANDS = ("One panel per model, on the same axes: the line is the median over replicates, the "
          "darker band holds the middle 50% of replicates and the lighter one the middle 90%; the "
          "dashed black line repeats the median of {baseline} in every other panel. Overlapping "
          "bands do not mean two models are alike: all models share each replicate's random "
          "numbers, so the paired differences below are the sharper comparison.")


_RANKED = ("Rows are sorted best first{gateway}.")


def _quality_outcome(results: "Results") -> str:
    """P(Good+ at year 3) where the horizon reaches it, else at the next inspection."""
    k = OUTCOMES.index("good_by_year3")
    defined = (np.isfinite(results._raw["outcome_mean"][:, k]).any()
               and results._raw["outcome_count"][:, k].sum() > 0)
    return "good_by_year3" if defined else "good_at_next_inspection"


# (file name, how to draw it from the plot accessor and the ranked models, caption). Captions
# may name {baseline}, {gateway} and {quality}. Each is written as PNG (200 dpi) and SVG.
FIGURES: list[tuple[str, Callable[["PlotAccessor", list[str]], object], str]] = [
    ("fan_caseload.png", lambda p, ranked: p.fan("caseload"),
     "Caseload: children's cases per case-holding social worker (agency staff included), month by "
     "month. Lower caseloads lower turnover and raise practice quality in the model. " + _BANDS),
    ("fan_agency_share.png", lambda p, ranked: p.fan("agency_share"),
     "Agency staff as a share of social-work FTE. Agency workers cost more and leave sooner, so a "
     "falling share is both a saving and a sign of a steadier workforce. " + _BANDS),
    ("fan_turnover_rate.png", lambda p, ranked: p.fan("turnover_rate"),
     "Turnover: permanent social workers who left in the last 12 months over the mean number in "
     "post (the DfE definition). " + _BANDS),
    ("fan_cla.png", lambda p, ranked: p.fan("cla"),
     "Children looked after at the end of each month. Care entries respond to practice quality "
     "and to edge-of-care work; models differ here only through those. " + _BANDS),
    ("fan_cost.png", lambda p, ranked: p.fan("cost"),
     "Monthly spend in 2022 prices: staff, placements, overheads and the delivery model's own "
     "costs (set-up and transition in the first months of a new arrangement, then contract "
     "management, irrecoverable VAT and tax). " + _BANDS),
    ("grades.png", lambda p, ranked: p.grades(),
     "Latest published Ofsted grade, as the share of replicates holding each grade month by "
     "month, one panel per model; the black line is the share of {baseline}'s replicates that "
     "are Good or better. Grades change only at inspections, so the shares move in steps; read "
     "the height of the two green layers as the chance of being Good or better at that date."),
    ("costs.png", lambda p, ranked: p.costs("npv_cost", models=ranked, order="best"),
     "Net present cost over the whole horizon (2022 prices, discounted at 3.5% a year), by "
     "model: the box spans the middle 50% of replicates, the whiskers 5% to 95%, the bar is the "
     "median and the dot the mean. Boxes overlap because every model faces the same uncertain "
     "demand and labour market; see the next chart for the difference each model makes. "
     + _RANKED),
    ("differences.png", lambda p, ranked: p.differences("npv_cost", models=ranked, order="best"),
     "Net present cost of each model minus that of {baseline}, replicate by replicate (paired "
     "with common random numbers): the dot is the mean difference and the bar holds 90% of the "
     "replicates' differences. A bar wholly left of the dashed zero line means the model costs "
     "less than {baseline} in at least 95% of replicates; one straddling zero means the sign is "
     "uncertain. " + _RANKED),
    ("differences_quality.png",
     lambda p, ranked: p.differences(_quality_outcome(p._res), models=ranked, order="best"),
     "{quality} of each model minus that of {baseline}, in percentage points: the dot is the "
     "difference in the share of replicates, the bar its 90% paired bootstrap interval "
     "(replicates resampled, each with every model's result). " + _RANKED),
]


# Appraisal charts: (file name, how to draw it from an Appraisal, caption).
APPRAISAL_FIGURES: list[tuple[str, Callable[["Appraisal"], object], str]] = [
    ("appraisal_ranks.png", lambda a: a.plot_ranks(),
     "Rank probabilities of the models that passed the gateway: each bar splits into the chance "
     "of ranking first, second, ... over the simulated replicates and over the weight ranges "
     "(stochastic multi-criteria acceptability analysis)."),
    ("appraisal_heatmap.png", lambda a: a.plot_heatmap(),
     "Criterion scores of the passing models, normalised so that 1 is the best of them and 0 the "
     "worst (mean over replicates). Scores are relative: they change with the set of models."),
]


def output_files(out_dir: str | Path, appraisal: bool = False,
                 sensitivity: bool = True) -> list[Path]:
    """The files :func:`write_report` writes into ``out_dir``, in the order it writes them
    (``sensitivity=False`` when the report was written without the sensitivity pass)."""
    out = Path(out_dir)
    charts = [name for name, _, _ in FIGURES]
    names = ["summary.csv", "summary.parquet", "conclusion.csv", "p_best.csv"]
    if sensitivity:
        names.append("sensitivity.csv")
    names += [n for name in charts for n in (name, name.replace(".png", ".svg"))]
    if appraisal:
        names += ["appraisal.csv", "gateway.csv", "csf.csv",
                  *(n for name, _, _ in APPRAISAL_FIGURES
                    for n in (name, name.replace(".png", ".svg")))]
    return [out / name for name in [*names, "report.html"]]


def write_report(results: "Results", out_dir: str | Path, title: str | None = None,
                 appraisal: "Appraisal | None" = None, *, sensitivity: bool = True,
                 sensitivity_options: Mapping[str, Any] | None = None,
                 conclusion: "Conclusion | None" = None) -> Path:
    """Write the conclusion (``conclusion.csv``, ``p_best.csv``, ``sensitivity.csv``), the
    summary (``summary.csv``, ``summary.parquet``), the charts (PNG at 200 dpi and SVG) and a
    self-contained ``report.html`` (images embedded, no external resources) into ``out_dir``.
    With an ``appraisal`` (from :func:`admsim.appraise`), its tables (CSV), charts and a section
    of the report are written too, and models that fail its gateway are left out of the
    rankings. ``sensitivity=False`` skips the sensitivity pass; ``sensitivity_options`` go to
    :func:`ranking_sensitivity` (``replicates``, ``parameters``, ``hooks``, ``rivals``,
    ``outcome``, ``threads``). A ready ``conclusion`` (from :func:`conclude`) is used as given.

    Returns the path of ``report.html``; :func:`output_files` lists everything written.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if conclusion is None:
        conclusion = conclude(results, appraisal=appraisal, sensitivity=sensitivity,
                              sensitivity_options=sensitivity_options)
    summary = results.summary()
    write_csv(summary, out / "summary.csv")
    summary.to_parquet(out / "summary.parquet", engine="pyarrow")
    write_csv(conclusion.table(), out / "conclusion.csv", index=False)
    write_csv(conclusion.p_best, out / "p_best.csv")
    if conclusion.sensitivity is not None:
        write_csv(conclusion.sensitivity, out / "sensitivity.csv", index=False)
    gateway = ("; models that failed the gateway are left out" if conclusion.excluded else "")
    fmt = {"baseline": results.baseline, "gateway": gateway,
           "quality": SUMMARY_OUTCOMES[_quality_outcome(results)]}
    ranked = conclusion.models
    figures = _save_figures([(n, (lambda p, d=d: d(p, ranked)), c) for n, d, c in FIGURES],
                            results.plot, out, **fmt)
    section = ""
    if appraisal is not None:
        write_csv(appraisal.table(), out / "appraisal.csv")
        write_csv(appraisal.gateway, out / "gateway.csv")
        write_csv(appraisal.csf(), out / "csf.csv")
        section = _appraisal_html(appraisal, _save_figures(APPRAISAL_FIGURES, appraisal, out))
    profile = results.spec.get("profile", {})
    title = title or f"Delivery models for {profile.get('name', 'the council')}"
    page = out / "report.html"
    page.write_text(_html(results, summary, figures, title, conclusion, section),
                    encoding="utf-8")
    return page


def _save_figures(specs, source, out: Path, **fmt) -> list[tuple[Path, str]]:
    import matplotlib.pyplot as plt

    figures = []
    for name, draw, caption in specs:
        fig = draw(source)
        try:
            fig.savefig(out / name, dpi=DPI)
            fig.savefig((out / name).with_suffix(".svg"))
        finally:
            plt.close(fig)
        figures.append((out / name, caption.format(**fmt)))
    return figures
