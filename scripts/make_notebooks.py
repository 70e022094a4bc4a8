"""Write the analyst notebooks in notebooks/ (this file is the source of truth for their cells)."""
import sys
from pathlib import Path

import nbformat as nbf

md, code = nbf.v4.new_markdown_cell, nbf.v4.new_code_cell
COMPARE = [
    md("""# Comparing delivery models for a council

This notebook compares alternative delivery models (ADMs) for children's social care with
**admsim**: first for *Example County*, a median English council built from 2022 national data,
then for **Worcestershire as of 2017**, which Ofsted had just rated Inadequate and which appraised
these very options (it chose a council-owned company).

Two things to keep in mind throughout:

* Every number is a distribution over simulated futures (replicates). We show medians with 50%
  and 90% bands, and probabilities.
* **The evidence that any delivery model improves outcomes is thin** (Birmingham's case for change,
  2016, section 6). Each model's effects in the catalogue are assumptions with wide ranges and a
  stated rationale. Read differences between models as "what follows if these assumptions hold",
  and change the assumptions to see how much the conclusion depends on them."""),
    code("""import admsim
import matplotlib.pyplot as plt
import pandas as pd

pd.set_option("display.precision", 3)
la = admsim.profiles.load("example-county")
{k: la[k] for k in ["name", "as_of"]} | {"children": la["population"]["children_0_17"],
 "last grade": la["ofsted"]["last_grade"]}"""),
    md("""## The catalogue

25 delivery models from the seed documents: Birmingham's 19 options, Worcestershire's shortlist
and the West Midlands joint-venture options. Each has attributes (ownership, TUPE, VAT, set-up cost
and time, ...) and effects on the engine (turnover, recruitment, improvement, transition dip,
cost multipliers). The `effect_*` columns show each effect's mean; `load_catalogue()` has the full
distributions with their rationales."""),
    code("""cat = admsim.catalogue()
cat[["name", "group", "setup_months", "effect_turnover", "effect_improvement"]].head(12)"""),
    md("""## Simulate Example County

The in-house model and Worcestershire's five shortlisted models, five years, 500 replicates each
(increase `replicates` for sharper estimates; results do not depend on the number of threads).
All models share random numbers in each replicate (common random numbers), so the paired
differences against in-house are sharp."""),
    code("""models = ["in_house", "strategic_partnership", "public_sector_jv", "latc",
          "independent_trust", "commission_by_contract"]
res = admsim.simulate(la, models=models, years=5, replicates=500, seed=7, progress=False)
summary = res.summary()
summary[["P(Good+ at year 3)", "P(Inadequate at year 3)", "Turnover rate", "Agency share",
         "Caseload", "NPV cost (GBP)", "NPV cost (GBP) diff vs in_house",
         "NPV cost (GBP) diff 5%", "NPV cost (GBP) diff 95%"]]"""),
    md("""**How to read it.** `P(Good+ at year 3)` is the share of replicates whose latest Ofsted grade
at month 36 is Good or Outstanding. The NPV difference columns are paired: for each replicate the
model's discounted cost minus in-house's, then the mean and the 5%–95% range of those
differences. A range that excludes zero means the assumptions make that model reliably dearer
(or cheaper)."""),
    code("""fig = res.plot.grades()"""),
    md("""Each panel stacks the share of replicates holding each grade over time. Grades change only at
inspections, which come every few years, so the bands move in steps as inspections fall due."""),
    code("""fig = res.plot.fan("caseload")"""),
    code("""fig = res.plot.differences("npv_cost")"""),
    md("""## A real council: Worcestershire as of 2017

The profile below was built by `admsim.profiles.from_panels("Worcestershire", <DfE panels>,
year=2017, judgements=<Ofsted judgements file>)` from the DfE local-authority panels and Ofsted's
judgements, and ships with the package. If the source data are beside the repository, we rebuild
it here to show the loader at work."""),
    code("""from pathlib import Path

shared = Path("..").resolve().parent / "shared" / "data"
if (shared / "la_panels").is_dir():
    worcs = admsim.profiles.from_panels(
        "Worcestershire", shared / "la_panels", year=2017,
        judgements=shared / "ofsted_la_judgements_2009_2022.csv")
else:
    worcs = admsim.profiles.load("worcestershire-2017")
{"last grade": worcs["ofsted"]["last_grade"], "inspected": worcs["ofsted"]["last_inspection"],
 "caseload": worcs["workforce"]["caseload"], "turnover": worcs["workforce"]["turnover_rate"]}"""),
    code("""wres = admsim.simulate(worcs, models=["in_house", "strategic_partnership", "latc"],
                       years=5, replicates=500, seed=11, progress=False)
wres.summary()[["P(Good+ at next inspection)", "P(Inadequate at year 3)",
                "Median months to leave Inadequate", "NPV cost (GBP) diff vs in_house"]]"""),
    code("""fig = wres.plot.grades()"""),
    md("""For a council starting Inadequate, the question is how fast each model leaves it.
`Median months to leave Inadequate` counts only replicates that leave within the horizon.

## Testing an assumption

The council-owned company's improvement effect is an assumption. Here we replace it with a
pessimistic one (no improvement, a bigger transition dip) and add a recruitment campaign to the
scenario for every model, to see how much the comparison moves."""),
    code("""pessimistic_latc = {"id": "latc", "effects": {
    "improvement": {"dist": "fixed", "value": 0.0},
    "transition_dip": {"dist": "uniform", "low": 0.2, "high": 0.4}}}
campaign = [{"type": "recruitment_campaign", "start_month": 3, "duration_months": 12, "size": 1.3}]
alt = admsim.simulate(worcs, models=["in_house", pessimistic_latc], years=5, replicates=500,
                      seed=11, interventions=campaign, progress=False)
alt.summary()[["P(Inadequate at year 3)", "Turnover rate", "NPV cost (GBP) diff vs in_house"]]"""),
    md("""Compare with the table above: if the company brings no improvement, it carries its set-up
and transition costs without a quality gain. That is why the catalogue keeps ranges wide, and
why calibration against councils' actual Ofsted histories matters."""),
]
APPRAISAL = [
    md("""# Options appraisal for a council rated Inadequate

Worcestershire was rated Inadequate in January 2017 and directed to move children's social care
into an alternative delivery model. Its scrutiny paper (seed 003) describes the appraisal: 16
models, four gateway questions, a shortlist of five, then weighted desirability, viability and
feasibility criteria. Here we do the same with simulated outcomes and honest uncertainty.

The shipped weights and judgement scores are **defaults with stated sources, not Worcestershire's**
(its Appendix 3 weights are not public in the seeds): change them and see whether the ranking
holds."""),
    code("""import admsim

worcs = admsim.profiles.load("worcestershire-2017")
models = list(admsim.catalogue().index)          # all 25 catalogued models
res = admsim.simulate(worcs, models=models, years=5, replicates=150, seed=3, progress=False)
appraisal = admsim.appraise(res, seed=3)
appraisal.gateway[["passed", "failed"]]"""),
    md("""## Gateway

Each model is tested against the four questions from its catalogue attributes. The in-house
options fail *operational independence*, as in Worcestershire's paper; the five it shortlisted
pass (with two company variants of them)."""),
    code("""appraisal.gateway.loc[["in_house", "managing_agent"], "reason"].tolist()"""),
    md("""## Weighted criteria and rank probabilities

Simulated criteria (probability of Good by year 3, caseload, agency share, NPV cost, overspend,
risk events) vary across replicates; judgement criteria (stakeholder support, legal complexity)
are stated defaults. Scores are normalised per replicate so that 1 is the best passing model.
Rank probabilities come from every (replicate, weight draw) pair: stochastic multi-criteria
acceptability analysis."""),
    code("""table = appraisal.table()
table[["score", "score 5%", "score 95%", "P(rank 1)", "P(rank 2)", "P(rank 3)"]]"""),
    code("""print(appraisal.robustness)
fig = appraisal.plot_ranks()"""),
    code("""fig = appraisal.plot_heatmap()"""),
    md("""## Whose weights?

The central weight vector is the average weight set under which each model ranks first: what a
panel would have to believe for that model to win. `None` means no weights in the ranges make it
win."""),
    code("""{m: (None if w is None else {k: round(v, 3) for k, v in w.items()})
 for m, w in appraisal.central_weights.items()}"""),
    md("""Now weight desirability (improvement and workforce) heavily and cost lightly, as a panel
focused on leaving Inadequate might, and see whether the ranking changes."""),
    code("""quality_first = {"good_by_year3": [0.3, 0.5], "mean_caseload": [0.1, 0.2],
                 "mean_agency_share": [0.1, 0.2], "npv_cost": [0.0, 0.05]}
alt = admsim.appraise(res, weights=quality_first, seed=3)
print(alt.robustness)
alt.table()[["score", "P(rank 1)", "P(rank 2)"]]"""),
    md("""## Critical success factors

Birmingham's 11 critical success factors (seed 002, section 4), mapped to catalogue attributes
and simulated metrics."""),
    code("""appraisal.csf()"""),
]

sys.path.insert(0, str(Path(__file__).resolve().parent))
from notebook_03_cells import CELLS as CALIBRATION  # noqa: E402  (long: kept in its own file)

NOTEBOOKS = {
    "01_compare_delivery_models.ipynb": COMPARE,
    "02_options_appraisal.ipynb": APPRAISAL,
    "03_calibration.ipynb": CALIBRATION,
}

if __name__ == "__main__":
    folder = Path(__file__).resolve().parents[1] / "notebooks"
    for name, cells in NOTEBOOKS.items():
        nb = nbf.v4.new_notebook(cells=cells, metadata={"kernelspec": {
            "name": "python3", "display_name": "Python 3", "language": "python"}})
        nbf.write(nb, folder / name)
        print(f"wrote {folder / name}")
