"""Cells of notebooks/03_calibration.ipynb; scripts/make_notebooks.py writes the notebook."""
import nbformat as nbf

md, code = nbf.v4.new_markdown_cell, nbf.v4.new_code_cell
CELLS = [
    md("""# Calibrating the quality and inspection module against Ofsted histories

The engine's latent practice quality is an AR(1) that Ofsted reads with noise at each graded
inspection. Here we fit its parameters to every council's graded **SIF (2014-2018) and ILACS
(2018-2022)** judgements, test next-grade forecasts in a temporal back-test, and check the fitted
model against what happened (posterior predictive checks).

* **Likelihood.** Without workforce feedback the module is a hidden Gaussian AR(1) seen through
  ordinal grades at irregular dates, so its likelihood is computed (almost exactly) by a forward
  algorithm on a grid of 81 latent values, with the exact k-month Gaussian kernel between
  inspections. No simulation is needed to fit it.
* **Posterior.** MAP with weakly informative priors, a Laplace approximation at the mode, and
  importance resampling of the Laplace draws against the exact posterior (ESS reported).
* **Out of scope.** The older SLAC and CPI frameworks graded safeguarding only, on a scale with
  "Adequate"; they are not on the SIF/ILACS scale and are left out.
* **ILACS vs SIF.** ILACS has graded more generously and more often at the extremes, so its
  cut-points are SIF's scaled and shifted (`ilacs_log_scale`, `ilacs_shift`). The engine's
  `national_share_*` parameters are the ILACS ones (the framework in force now).
* **Delivery models.** `improvement` shifts the quality target in the months a council ran a
  delivery model (Doncaster, Slough, Sunderland, Birmingham, Kingston, ...). Few councils, 2-3
  graded inspections each, and they were not chosen at random: **the data speak to it only
  weakly**, and its posterior is close to the prior.

This notebook runs a reduced budget (fewer draws) so it finishes in about a minute; the full
calibration is `admsim calibrate --until 2018-12-31 --out calibration.json`."""),
    code("""import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import admsim
from admsim import calibration as cal

pd.set_option("display.precision", 3)
judgements = cal.load_judgements()  # shipped derived copy of the SIF/ILACS judgements
judgements.groupby(judgements["framework"].str[:5])["grade"].value_counts().unstack()"""),
    md("""## Back-test: calibrate to 2018, forecast the next grade in 2019-2022

Calibrate on judgements published up to 31 December 2018; forecast each council's first graded
judgement published 2019-2022 (integrating over when it falls, by the re-inspection schedule);
score against two baselines from the same training rows: the empirical grade-to-grade transition
matrix (add-one smoothing) and the national grade distribution at 31 December 2018. Lower is
better for both the Brier score (summed over the four grades) and the log loss."""),
    code("""table, details, cal_2018 = cal.backtest("""
         """draws=200, proposals=400, max_sets=60, seed=1, return_details=True)
table"""),
    code("""cal_2018.summary()"""),
    md("""Per-council forecasts next to the transition-matrix baseline (`tm_*`) and what happened:"""),
    code("""details.head(10)"""),
    md("""## Posterior on all the data (2014-2022)"""),
    code("""cal_all = cal.calibrate(draws=200, proposals=400, seed=1)
print({k: round(v, 3) for k, v in cal_all.parameters.items()}, cal_all.effects)
print("importance ESS:", round(cal_all.diagnostics["importance_ess"]),
      "of", cal_all.diagnostics["importance_proposals"])
cal_all.summary()"""),
    md("""The fitted engine parameters go straight into a simulation:"""),
    code("""res = admsim.simulate("example-county", ["in_house", "latc"], years=5, replicates=200, seed=7,
                     progress=False, parameters=cal_all.parameters)
res.summary()[["P(Good+ at year 3)", "P(Inadequate at year 3)"]]"""),
    md("""## Posterior predictive checks

Each replicate takes one posterior draw and simulates every council from January 2013: latent
quality from N(0, 1), first graded inspection in the month of its real first one, then the
schedule's re-inspection intervals by grade, SIF cut-points before 2018 and ILACS after."""),
    code("""sim = cal.simulate_histories(cal_all, replicates=200, seed=2)
len(sim)"""),
    md("""### National grade distribution at 31 March, simulated vs observed"""),
    code("""dates = [f"{y}-03-31" for y in range(2014, 2023)]
obs = pd.DataFrame({y: np.array(c) / sum(c) for y, c in
                    admsim.profiles.OFSTED_NATIONAL_DISTRIBUTION.items()},
                   index=cal.GRADES).T
shares = cal.grade_shares_at(sim, dates, by="replicate")
shares["year"] = shares["date"].dt.year
fig, axes = plt.subplots(1, 4, figsize=(14, 3.2), sharey=True)
for ax, g in zip(axes, cal.GRADES):
    q = shares.groupby("year")[g].quantile([0.05, 0.5, 0.95]).unstack()
    ax.fill_between(q.index, q[0.05], q[0.95], alpha=0.3, label="simulated 90%")
    ax.plot(q.index, q[0.5], label="simulated median")
    ax.plot(obs.index, obs[g], "ko-", label="observed")
    ax.set_title(g)
axes[0].set_ylabel("share of graded councils")
axes[0].legend(fontsize=7)
fig.tight_layout()"""),
    md("""### Grade-to-grade transition matrix, simulated vs observed (2014-2022)"""),
    code("""def transitions(df):
    return pd.DataFrame(cal.transition_matrix(df, smoothing=0.0), index=cal.GRADES,
                        columns=cal.GRADES)

obs_tm = transitions(judgements)
sim_tm = transitions(sim.assign(local_authority=sim["replicate"].astype(str) + "|"
                                + sim["local_authority"]))
fig, axes = plt.subplots(1, 2, figsize=(10, 4))
for ax, (title, m) in zip(axes, [("observed", obs_tm), ("simulated", sim_tm)]):
    ax.imshow(m.to_numpy(), vmin=0, vmax=1, cmap="Blues")
    for i in range(4):
        for j in range(4):
            ax.text(j, i, f"{m.iat[i, j]:.2f}", ha="center", va="center")
    ax.set_xticks(range(4), ["O", "G", "RI", "I"]); ax.set_yticks(range(4), ["O", "G", "RI", "I"])
    ax.set_title(f"{title}: from (rows) to (columns)")
fig.tight_layout()
pd.concat({"observed": obs_tm, "simulated": sim_tm}, axis=1)"""),
    md("""### Time to leave Inadequate (months from a first Inadequate to the next better grade)"""),
    code("""obs_leave = cal.months_to_leave_inadequate(judgements)
sim_leave = cal.months_to_leave_inadequate(sim)
fig, ax = plt.subplots(figsize=(6, 3.5))
bins = np.arange(0, 100, 6)
ax.hist(sim_leave, bins=bins, density=True, alpha=0.5, label="simulated")
ax.hist(obs_leave, bins=bins, density=True, histtype="step", lw=2, color="k", label="observed")
ax.set_xlabel("months"); ax.legend()
pd.DataFrame({"observed": obs_leave.describe(), "simulated": sim_leave.describe()}).T"""),
    md("""Both leave out councils that had not left Inadequate by the end of 2022 (censored)."""),
    md("""### Councils that moved to a delivery model: observed grades vs simulated bands"""),
    code("""adm_councils = ["Doncaster", "Slough", "Sunderland", "Birmingham", "Kingston upon Thames",
                "Worcestershire", "Kirklees", "Sandwell", "Reading", "Northamptonshire"]
months = pd.date_range("2014-01-01", "2022-12-01", freq="6MS")
fig, axes = plt.subplots(2, 5, figsize=(16, 6), sharey=True)
for ax, name in zip(axes.flat, adm_councils):
    s = sim[sim["local_authority"] == name]
    latest = np.array([s[s["publication_date"] <= d].groupby("replicate")["grade"].last()
                       .reindex(range(200)).to_numpy() for d in months], float)
    lo, mid, hi = np.nanquantile(latest, [0.1, 0.5, 0.9], axis=1)
    ax.fill_between(months, lo, hi, step="post", alpha=0.3, label="simulated 10-90%")
    ax.step(months, np.nanmean(latest, axis=1), where="post", label="simulated mean")
    o = judgements[judgements["local_authority"] == name]
    ax.plot(o["publication_date"], o["grade"], "ko", label="observed")
    spell = cal.ADM_HISTORY[cal.ADM_HISTORY["local_authority"] == name]
    for start in spell["start"]:
        ax.axvline(pd.Timestamp(start), color="r", ls=":")
    ax.set_title(name, fontsize=9)
    ax.tick_params(axis="x", labelsize=7, rotation=45)
axes[0, 0].set_yticks(range(4), ["O", "G", "RI", "I"]); axes[0, 0].invert_yaxis()
axes[0, 0].legend(fontsize=6)
fig.tight_layout()"""),
    md("""The red line marks go-live. Simulated bands are unconditional on each council's observed
grades (they start from N(0, 1) in 2013), so they show what the fitted model makes of a typical
council with this inspection timing and delivery-model spell; the observed histories of these
councils (mostly Inadequate before the move) sit at the bad end, which is why they moved."""),
    md("""## What this shows

* The model beats the national-distribution baseline in the back-test but does **not** beat the
  empirical transition matrix (see the table above). The transition matrix is fitted directly to
  grade pairs; the model forecasts through one latent AR(1) with the same stationary mean for
  every council, so it cannot carry a council's persistent level, and its SIF-to-ILACS mapping
  is estimated from the few 2018 ILACS judgements in the training rows.
* `quality_reversion_per_year` and `inspection_noise_sd` lie on a ridge (slow reversion with
  little noise and faster reversion with more noise fit about equally); the posterior is wide.
* `improvement` is close to its prior: the data cannot tell a delivery-model effect apart from
  reversion to the mean for councils that moved when Inadequate."""),
]
