"""The catalogue meets the evidence: what graded Ofsted histories say about a delivery model's
``improvement`` effect, beside the catalogue's assumption about it.

Three views of the same question, "does moving children's services into a delivery model
improve them?":

* the **catalogue prior**: each model's ``improvement`` distribution (an assumption with a range,
  in standard-deviation units of the latent practice-quality index; :func:`.summary.prior_summary`);
* the **fitted effect**: the calibration's ``improvement`` parameter (same units), one number
  pooled over the delivery models English councils actually ran to 2022 (``ADM_HISTORY``:
  latc, latc_shared, independent_trust, strategic_partnership);
* a **difference-in-differences** of Ofsted grades after an Inadequate judgement
  (:func:`did_after_inadequate`), in grade points: descriptive, not causal.

:func:`catalogue_evidence` puts them side by side. By default both the fitted effect and the
difference-in-differences come from the shipped ``data/calibration_summary.json``
(:func:`.summary.load_summary`), which only ``scripts/build_calibration_summary.py`` writes.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .data import ADM_HISTORY, load_adm_history, load_judgements
from .summary import load_summary, prior_summary

INADEQUATE = 3
# The delivery models councils ran in the histories the calibration fits.
FITTED_MODELS = tuple(sorted(ADM_HISTORY["catalogue_id"].unique()))


# ---- difference-in-differences after an Inadequate grade ---------------------------------------

@dataclass(frozen=True)
class DidResult:
    """A difference-in-differences of grade change after an Inadequate judgement.

    ``estimate`` is the mean grade change of treated councils (moved to a delivery model) minus
    that of control councils (never ran one), in grade points on the 0 Outstanding .. 3
    Inadequate scale: negative means the treated councils' grades improved by more. ``interval``
    is a 90% percentile interval from a cluster bootstrap that resamples councils within each
    group. ``episodes`` has one row per council used (and the delivery-model councils left out,
    with the reason).
    """
    outcome: str
    estimate: float
    interval: tuple[float, float]
    mean_change_treated: float
    mean_change_control: float
    n_treated: int
    n_control: int
    n_boot: int
    seed: int
    lead_months: int
    episodes: pd.DataFrame = field(repr=False)
    caveat: str = field(repr=False)

    def summary(self) -> pd.DataFrame:
        """One row: the estimate, its 90% interval, the group means and sizes."""
        return pd.DataFrame([{
            "outcome": self.outcome, "estimate": self.estimate, "p05": self.interval[0],
            "p95": self.interval[1], "mean_change_treated": self.mean_change_treated,
            "mean_change_control": self.mean_change_control, "n_treated": self.n_treated,
            "n_control": self.n_control}]).set_index("outcome")

    def to_dict(self) -> dict[str, Any]:
        """The numbers, the design choices and the caveat, as plain JSON-ready values."""
        treated = self.episodes[self.episodes["group"] == "treated"]
        return {
            "outcome": self.outcome, "estimate": self.estimate,
            "p05": self.interval[0], "p95": self.interval[1],
            "mean_change_treated": self.mean_change_treated,
            "mean_change_control": self.mean_change_control,
            "n_treated": self.n_treated, "n_control": self.n_control,
            "treated_councils": treated["local_authority"].tolist(),
            "n_boot": self.n_boot, "seed": self.seed, "lead_months": self.lead_months,
            "units": "Ofsted grade points (0 Outstanding .. 3 Inadequate); negative = improvement",
            "caveat": self.caveat,
        }


def inadequate_episodes(judgements=None, adm_history=None, *, lead_months: int = 0) -> pd.DataFrame:
    """The councils a :func:`did_after_inadequate` compares, one row each.

    An *episode* is an Inadequate judgement (SIF or ILACS) followed by a later graded judgement.
    A council in ``adm_history`` is **treated** in its first episode in which one of its
    delivery-model spells starts: on or after ``lead_months`` months before the Inadequate
    judgement's publication and before the next judgement's publication. A council that never
    appears in ``adm_history`` is a **control**, with its first episode. Delivery-model councils
    with no such episode (a move before the window, an Inadequate grade never followed by another
    graded judgement, or no Inadequate grade in SIF/ILACS) are kept with ``group`` "excluded"
    and the ``reason``.

    Columns: local_authority, group, catalogue_id, spell_start, inadequate_date, next_date,
    next_grade, change_next (next grade - 3), latest_date, latest_grade, change_latest (latest
    grade - 3), reason.
    """
    df = load_judgements(judgements)
    adm = load_adm_history(adm_history).copy()
    adm["start"] = pd.to_datetime(adm["start"])
    spells = {name: g.sort_values("start") for name, g in adm.groupby("local_authority")}
    rows = []
    for name, g in df.groupby("local_authority", sort=True):
        dates = g["publication_date"].tolist()
        grades = g["grade"].tolist()
        episodes = [i for i in range(len(g) - 1) if grades[i] == INADEQUATE]
        base = {"local_authority": name, "catalogue_id": "", "spell_start": pd.NaT,
                "latest_date": dates[-1], "latest_grade": grades[-1], "reason": ""}
        if name not in spells:
            if episodes:
                rows.append(_episode(base, "control", episodes[0], dates, grades))
            continue
        found = None
        for i in episodes:
            lo = dates[i] - pd.DateOffset(months=lead_months)
            starts = spells[name]["start"]
            hit = spells[name][(starts >= lo) & (starts < dates[i + 1])]
            if len(hit):
                found = (i, hit.iloc[0])
                break
        if found is None:
            why = ("no Inadequate SIF/ILACS judgement followed by another graded one"
                   if not episodes else
                   "no delivery-model spell started between an Inadequate judgement and the next")
            rows.append({**base, "group": "excluded", "reason": why,
                         "catalogue_id": ",".join(spells[name]["catalogue_id"])})
            continue
        i, spell = found
        row = _episode(base, "treated", i, dates, grades)
        row.update(catalogue_id=spell["catalogue_id"], spell_start=spell["start"])
        rows.append(row)
    for name in sorted(set(spells) - set(df["local_authority"])):
        rows.append({"local_authority": name, "group": "excluded",
                     "catalogue_id": ",".join(spells[name]["catalogue_id"]),
                     "reason": "no graded SIF/ILACS judgement"})
    cols = ["local_authority", "group", "catalogue_id", "spell_start", "inadequate_date",
            "next_date", "next_grade", "change_next", "latest_date", "latest_grade",
            "change_latest", "reason"]
    return pd.DataFrame(rows, columns=cols)


def _episode(base: dict, group: str, i: int, dates: list, grades: list) -> dict:
    return {**base, "group": group, "inadequate_date": dates[i], "next_date": dates[i + 1],
            "next_grade": grades[i + 1], "change_next": grades[i + 1] - INADEQUATE,
            "change_latest": base["latest_grade"] - INADEQUATE}


def did_after_inadequate(judgements=None, adm_history=None, *, outcome: str = "next",
                         lead_months: int = 0, n_boot: int = 2000, seed: int = 1) -> DidResult:
    """Difference-in-differences of the grade change after an Inadequate judgement: councils
    that moved to a delivery model against councils that stayed in-house.

    judgements: graded judgements (default: the shipped SIF/ILACS ``ofsted_history.csv``; see
    :func:`admsim.calibration.data.load_judgements`). adm_history: delivery-model spells (default
    ``ADM_HISTORY``; or a CSV such as ``shared/data/adm_history_to_2022.csv``). outcome: "next"
    (the change from the Inadequate grade to the next graded judgement) or "latest" (to the
    council's latest graded judgement). lead_months: a spell starting up to this many months
    before the Inadequate judgement also counts (default 0: it must start after it). Who is
    treated and who is a control: :func:`inadequate_episodes`.

    The two "differences" are the before (Inadequate, 3 for everyone) and after grades; as every
    episode starts at 3, the estimate is the difference of the two groups' mean later grades.
    The 90% interval resamples councils with replacement within each group ``n_boot`` times
    (``seed`` fixes it). Descriptive, not causal: see ``caveat``.
    """
    if outcome not in ("next", "latest"):
        raise ValueError(f"outcome = {outcome!r}: expected 'next' or 'latest'")
    episodes = inadequate_episodes(judgements, adm_history, lead_months=lead_months)
    col = f"change_{outcome}"
    treated = episodes.loc[episodes["group"] == "treated", col].to_numpy(float)
    control = episodes.loc[episodes["group"] == "control", col].to_numpy(float)
    if len(treated) == 0 or len(control) == 0:
        raise ValueError(f"did_after_inadequate: {len(treated)} treated and {len(control)} control "
                         "councils; both groups need at least one council with an Inadequate "
                         "judgement followed by another graded judgement")
    rng = np.random.default_rng(seed)
    boot_t = treated[rng.integers(0, len(treated), (n_boot, len(treated)))].mean(axis=1)
    boot_c = control[rng.integers(0, len(control), (n_boot, len(control)))].mean(axis=1)
    lo, hi = np.quantile(boot_t - boot_c, [0.05, 0.95])
    mt, mc = float(treated.mean()), float(control.mean())
    return DidResult(outcome=outcome, estimate=mt - mc, interval=(float(lo), float(hi)),
                     mean_change_treated=mt, mean_change_control=mc,
                     n_treated=len(treated), n_control=len(control), n_boot=n_boot, seed=seed,
                     lead_months=lead_months, episodes=episodes,
                     caveat=_caveat(len(treated), len(control), outcome))


def _caveat(n_treated: int, n_control: int, outcome: str) -> str:
    to = "next graded judgement" if outcome == "next" else "latest graded judgement"
    return (
        f"Descriptive, not causal. Only {n_treated} councils moved to a delivery model after an "
        f"Inadequate grade (and before the next graded judgement), against {n_control} "
        f"Inadequate councils that never ran one; the change is to the {to}. Councils were "
        "moved because they had failed, often repeatedly (selection): several treated councils "
        "were on a second consecutive Inadequate grade, and a move comes with a statutory "
        "direction, a commissioner, DfE money and attention that the comparison councils may "
        "not have had. The next inspection can fall within months of the move. Every council "
        "starts at Inadequate, so both groups improve by regression to the mean, not "
        "necessarily equally. Grades move in whole steps at inspections 2-5 years apart, so each "
        "council gives one coarse change. The treated group mixes council-owned companies, "
        "independent trusts and strategic partnerships. The interval resamples councils and "
        "shows sampling noise only, none of these biases.")


# ---- the fitted effect (the catalogue prior is in summary.py) -----------------------------------

def fitted_improvement(calibration) -> dict[str, Any]:
    """Posterior median, 90% interval and draw count of a calibration's ``improvement``
    (a :class:`~admsim.calibration.fit.Calibration` or the path of one saved by
    ``admsim calibrate --out``)."""
    from .fit import Calibration

    if not isinstance(calibration, Calibration):
        calibration = Calibration.load(calibration)
    d = calibration.draws["improvement"]
    return {"median": float(d.median()), "p05": float(d.quantile(0.05)),
            "p95": float(d.quantile(0.95)), "n_draws": int(len(d))}


def build_summary(calibration, source: str, *, calibration_command: str | None = None,
                  n_boot: int = 2000, seed: int = 1) -> dict[str, Any]:
    """The content of ``data/calibration_summary.json``: the fitted ``improvement`` of
    ``calibration`` and the difference-in-differences (to the next and the latest judgement).
    ``source`` is the command that writes the file; ``calibration_command`` how the calibration
    itself was made (default: described from its diagnostics)."""
    from .fit import Calibration

    cal = calibration if isinstance(calibration, Calibration) else Calibration.load(calibration)
    dg = cal.diagnostics
    described = (f"calibrate(walkers={dg.get('walkers')}, steps={dg.get('steps')}, "
                 f"burn={dg.get('burn')}, draws={len(cal.draws)}, seed={cal.seed}"
                 + (f", until={cal.data['until']!r}" if cal.data.get("until") else "") + ")")
    did = did_after_inadequate(n_boot=n_boot, seed=seed)
    latest = did_after_inadequate(outcome="latest", n_boot=n_boot, seed=seed)
    return {
        "source": source,
        "note": ("Written only by scripts/build_calibration_summary.py; do not edit by hand. "
                 "'improvement' is the calibration's delivery-model effect in standard-deviation "
                 "units of the latent quality index (the catalogue hook 'improvement'), one "
                 "number pooled over the delivery models councils ran: "
                 + ", ".join(FITTED_MODELS) + ". 'did_after_inadequate' is in Ofsted grade "
                 "points and is descriptive, not causal."),
        "calibration": {
            "command": calibration_command or described,
            "seed": cal.seed,
            "walkers": dg.get("walkers"), "steps": dg.get("steps"), "burn": dg.get("burn"),
            "chain_longer_than_50_tau": dg.get("chain_longer_than_50_tau"),
            "effective_sample_size": dg.get("effective_sample_size"),
            "last_publication": cal.data.get("last_publication"),
            "until": cal.data.get("until"),
            "adm_councils": cal.data.get("adm_councils"),
        },
        "improvement": {**fitted_improvement(cal),
                        "units": "SD of the latent practice-quality index",
                        "pooled_over": list(FITTED_MODELS)},
        "did_after_inadequate": {**did.to_dict(), "to_latest": {
            k: v for k, v in latest.to_dict().items()
            if k in ("estimate", "p05", "p95", "mean_change_treated", "mean_change_control",
                     "n_treated", "n_control")}},
    }


def catalogue_evidence(calibration=None, *, did: DidResult | None = None) -> pd.DataFrame:
    """One row per catalogue delivery model: its ``improvement`` prior beside the fitted
    effect and the difference-in-differences.

    calibration: None (the shipped summary), a :class:`~admsim.calibration.fit.Calibration`, the
    path of a calibration file (``admsim calibrate --out``) or of a summary file. did: a
    :func:`did_after_inadequate` result (default: the summary's, or computed afresh when a
    calibration is given).

    Columns: name, group, prior_mean, prior_median, prior_p05, prior_p95 (SD units; 0 where the
    model leaves the hook neutral), fitted_median, fitted_p05, fitted_p95 (SD units),
    did_estimate, did_p05, did_p95 (grade points, negative = improvement), did_n_treated,
    did_n_control, basis. The fitted effect and the DiD are one pooled number each, repeated on
    every row: they were measured on councils that ran latc, latc_shared, independent_trust or
    strategic_partnership, against councils that ran none; ``basis`` says what that means for
    the row. in_house is the comparator: 0 by construction. ``attrs["caveat"]`` and
    ``attrs["source"]`` say the rest.
    """
    from ..catalogue import load_catalogue

    summary = _summary_of(calibration)
    fit = summary["improvement"]
    if did is None and "did_after_inadequate" not in summary:
        did = did_after_inadequate()
    d = did.to_dict() if did is not None else summary["did_after_inadequate"]
    rows = []
    for model in load_catalogue()["models"]:
        mid = model["id"]
        prior = prior_summary(model.get("effects", {}).get("improvement"))
        reference = mid == "in_house"
        row = {"id": mid, "name": model["name"], "group": model["group"],
               **{f"prior_{k}": v for k, v in prior.items()}}
        for k in ("median", "p05", "p95"):
            row[f"fitted_{k}"] = 0.0 if reference else float(fit[k])
        for k in ("estimate", "p05", "p95"):
            row[f"did_{k}"] = 0.0 if reference else float(d[k])
        row["did_n_treated"], row["did_n_control"] = int(d["n_treated"]), int(d["n_control"])
        row["basis"] = _basis(mid)
        rows.append(row)
    out = pd.DataFrame(rows).set_index("id")
    out.attrs["source"] = summary.get("source", "")
    out.attrs["caveat"] = (
        "The fitted effect is one number pooled over the delivery models councils actually ran ("
        + ", ".join(FITTED_MODELS) + "), weakly identified (few councils, 2-3 graded inspections "
        "each); it is not an estimate for any other model. " + d["caveat"])
    return out


def _summary_of(calibration) -> dict[str, Any]:
    if calibration is None:
        return load_summary()
    if isinstance(calibration, (str, Path)):
        d = json.loads(Path(calibration).read_text(encoding="utf-8"))
        if "improvement" in d and "did_after_inadequate" in d:  # a summary file
            return d
    return {"source": f"calibration {calibration}" if isinstance(calibration, (str, Path))
            else "calibration object", "improvement": fitted_improvement(calibration)}


def _basis(model_id: str) -> str:
    if model_id == "in_house":
        return "comparator: the fit measures the effect against councils without a delivery model"
    if model_id in FITTED_MODELS:
        return "pooled fit: councils ran this model (with others) in the fitted histories"
    return "not run by any council in the fitted histories: the pooled number is for comparison"

