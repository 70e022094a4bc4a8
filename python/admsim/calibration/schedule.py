"""The inspection schedule estimated from the data: months from one graded judgement to the next.

A parametric survival model, fitted with ``lifelines``: log-logistic accelerated failure time,
``P(gap <= t) = 1 / (1 + (t / median)^-shape)``, the median by the latest grade (Outstanding with
Good: ILACS inspects both on the short-inspection cycle) and by era (the latest grade under SIF or
under ILACS), one shape for all. Every gap counts, completed or not: a council not re-inspected by
the cut-off is censored there. Time is on the schedule's clock, which stops during the COVID pause
(no graded judgement was published from July 2020 to July 2021), so the backlog after it follows
from the same rule. A small ridge penalty keeps the ILACS-era terms finite when the data have few
ILACS-era re-inspections (early cut-offs).

The fit on the shipped judgements to 2022 is shipped as ``data/inspection_schedule.json``; its
ILACS-era medians and shape are the engine's defaults (``inspection_gap_*``, a test checks), and
forecasts and back-tests refit it on the rows they may see.
"""
from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from .. import _core
from .data import GRADES, load_judgements, month_of, pause_months

PENALIZER = 0.01  # lifelines' ridge on the coefficients (not the intercepts)
_GROUPS = {0: "good", 1: "good", 2: "requires_improvement", 3: "inadequate"}
ENGINE_NAMES = {"good": "inspection_gap_median_good_months",
                "requires_improvement": "inspection_gap_median_requires_improvement_months",
                "inadequate": "inspection_gap_median_inadequate_months"}


@dataclass
class InspectionSchedule:
    """Median gap (clock months) by era ("SIF", "ILACS") and grade group ("good",
    "requires_improvement", "inadequate"), and the log-logistic shape."""
    medians: dict[str, dict[str, float]]
    shape: float
    fit: dict = field(default_factory=dict)  # what it was fitted on, and its uncertainty

    def array(self) -> np.ndarray:
        """The 2 x 5 schedule ``_core`` takes: after a SIF grade, after an ILACS grade; medians
        after grades 0..3, then the shape."""
        return np.array([[self.medians[era][_GROUPS[g]] for g in range(4)] + [self.shape]
                         for era in ("SIF", "ILACS")], float)

    def engine_parameters(self) -> dict[str, float]:
        """The engine's schedule parameters (ILACS era)."""
        out = {ENGINE_NAMES[g]: float(m) for g, m in self.medians["ILACS"].items()}
        out["inspection_gap_shape"] = float(self.shape)
        return out

    def quantiles(self, q=(0.25, 0.5, 0.75)) -> pd.DataFrame:
        """Gap quantiles (clock months) by era and grade group."""
        rows = [{"era": era, "after": g, **{f"q{int(100 * p)}": m * (p / (1 - p)) ** (1 / self.shape)
                                             for p in q}}
                for era, by in self.medians.items() for g, m in by.items()]
        return pd.DataFrame(rows).set_index(["era", "after"])

    def to_dict(self) -> dict:
        return {"medians": self.medians, "shape": self.shape, "fit": self.fit}

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_text(json.dumps(self.to_dict(), indent=2) + "\n")
        return path

    @classmethod
    def load(cls, path: str | Path | None = None) -> "InspectionSchedule":
        """A saved schedule; by default the shipped fit to 2022."""
        path = shipped_path() if path is None else Path(path)
        d = json.loads(path.read_text())
        return cls(medians=d["medians"], shape=float(d["shape"]), fit=d.get("fit", {}))


def shipped_path() -> Path:
    return Path(str(resources.files("admsim") / "data" / "inspection_schedule.json"))


def gaps(judgements=None, until=None) -> pd.DataFrame:
    """Every gap from a graded judgement to the next, as survival data: council, latest grade and
    era, calendar and clock months, and whether it ended in a judgement by ``until`` (default:
    the last judgement) or was censored there. Same-month pairs (a judgement and its
    re-publication) are left out."""
    df = load_judgements(judgements)
    if until is not None:
        df = df[df["publication_date"] <= pd.Timestamp(until)]
    end = month_of(until) if until is not None else int(df["month"].max())
    p0, p1 = pause_months()
    rows = []
    for name, g in df.groupby("local_authority", sort=True):
        m, gr = g["month"].to_numpy(), g["grade"].to_numpy()
        fw = g["framework"].astype(str).to_numpy()
        for i in range(len(m)):
            stop = m[i + 1] if i + 1 < len(m) else end
            rows.append({"local_authority": name, "grade": int(gr[i]),
                         "era": "ILACS" if fw[i].startswith("ILACS") else "SIF",
                         "months": int(stop - m[i]),
                         "clock_months": int(_core.clock_months(m[i], stop, p0, p1)),
                         "event": i + 1 < len(m)})
    out = pd.DataFrame(rows)
    return out[out["clock_months"] > 0].reset_index(drop=True)


def _design(g: pd.DataFrame, eras: bool) -> pd.DataFrame:
    ri = (g["grade"] == 2).astype(float)
    inad = (g["grade"] == 3).astype(float)
    X = pd.DataFrame({"T": g["clock_months"].astype(float), "E": g["event"].astype(int),
                      "ri": ri, "inad": inad})
    if eras:
        ilacs = (g["era"] == "ILACS").astype(float)
        X["ilacs"], X["ilacs_ri"], X["ilacs_inad"] = ilacs, ilacs * ri, ilacs * inad
    return X


def fit_schedule(judgements=None, until=None) -> InspectionSchedule:
    """Fit the schedule to the gaps known by ``until`` (default: all rows)."""
    from lifelines import LogLogisticAFTFitter

    g = gaps(judgements, until)
    if not g["event"].any():
        raise ValueError("schedule: no council has two graded judgements to fit a gap to")
    eras = bool((g["era"] == "ILACS").any())
    X = _design(g, eras)
    with warnings.catch_warnings():  # lifelines' convergence chatter; the fit is checked below
        warnings.simplefilter("ignore")
        model = LogLogisticAFTFitter(penalizer=PENALIZER).fit(X, "T", "E")
    groups = pd.DataFrame({"ri": [0.0, 1.0, 0.0], "inad": [0.0, 0.0, 1.0]},
                          index=["good", "requires_improvement", "inadequate"])
    medians = {}
    for era in ("SIF", "ILACS"):
        G = groups.copy()
        if eras:
            il = 1.0 if era == "ILACS" else 0.0
            G["ilacs"], G["ilacs_ri"], G["ilacs_inad"] = il, il * G["ri"], il * G["inad"]
        medians[era] = {k: float(v) for k, v in model.predict_median(G).items()}
    shape = float(np.exp(model.params_["beta_"]["Intercept"]))
    ci = model.confidence_intervals_
    fit = {"model": "lifelines LogLogisticAFTFitter, clock months (COVID pause removed), "
                    f"penalizer {PENALIZER}",
           "until": None if until is None else str(pd.Timestamp(until).date()),
           "gaps": int(len(g)), "completed": int(g["event"].sum()),
           "ilacs_era_terms": eras, "aic": float(model.AIC_),
           "coefficients": {f"{a}:{b}": float(v) for (a, b), v in model.params_.items()},
           "coefficients_90": {f"{a}:{b}": [float(lo), float(hi)]
                               for (a, b), (lo, hi) in zip(ci.index, _ci90(model))}}
    return InspectionSchedule(medians=medians, shape=shape, fit=fit)


def _ci90(model) -> np.ndarray:
    from scipy.stats import norm

    z = norm.ppf(0.95)
    p, se = model.params_.to_numpy(), model.standard_errors_.to_numpy()
    return np.column_stack([p - z * se, p + z * se])


def observed_quartiles(judgements=None) -> pd.DataFrame:
    """Quartiles of the completed gaps (calendar months) by grade, as a check against simulated
    histories (which are cut at the same date, so completed gaps compare like with like)."""
    g = gaps(judgements)
    g = g[g["event"]]
    out = g.groupby("grade")["months"].quantile([0.25, 0.5, 0.75]).unstack()
    out.index = [GRADES[i] for i in out.index]
    out.columns = ["q25", "q50", "q75"]
    return out.assign(n=g.groupby("grade").size().to_numpy())


def horizons(h, as_of_month: int, schedule: InspectionSchedule, max_months: int):
    """Each council's distribution of months ahead of ``as_of_month`` of its next graded
    inspection (``_core.next_inspection_horizons``): (offsets, months, weights)."""
    p0, p1 = pause_months()
    return _core.next_inspection_horizons(h.arrays, as_of_month=as_of_month,
                                          schedule=schedule.array(), pause_start_month=p0,
                                          pause_end_month=p1, max_months=max_months)
