"""Data for the calibration: graded Ofsted histories, delivery-model spells, workforce inputs,
and their packing into the arrays the C++ quality model reads (``_core.quality_*``).

Months are absolute indices, ``year * 12 + month - 1``, of the judgement's publication.
"""
from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from .. import _core
from . import workforce

GRADES = ["outstanding", "good", "requires_improvement", "inadequate"]
GRADE_LABELS = {"Outstanding": 0, "Good": 1, "Requires improvement to be good": 2,
                "Requires improvement": 2, "Inadequate": 3}
PROB_COLUMNS = [f"p_{g}" for g in GRADES]
FRAMEWORKS = ("SIF", "ILACS")  # prefixes of graded frameworks in scope
ILACS_START = pd.Timestamp("2018-01-01")
# No graded judgement was published between 10 June 2020 and 20 August 2021 (ofsted_history.csv):
# Ofsted suspended routine inspection on 17 March 2020. The schedule's clock stops in the pause.
COVID_PAUSE = (pd.Timestamp("2020-07-01"), pd.Timestamp("2021-08-01"))
# Grading regimes of the C++ model (quality_model.hpp's Regime).
REGIMES = {"SIF": 0, "ILACS-Standard": 1, "ILACS-Short": 2}

# Delivery-model spells (adm_history_to_2022.csv in shared/data; sources there). Kept in code so
# the package needs no shared/data; tests check it against the file when present.
ADM_HISTORY = pd.DataFrame(
    [("Kingston upon Thames", "latc_shared", "2014-04-01", None),
     ("Richmond upon Thames", "latc_shared", "2014-04-01", None),
     ("Windsor and Maidenhead", "latc_shared", "2017-08-01", None),
     ("Doncaster", "independent_trust", "2014-10-01", "2022-09-01"),
     ("Slough", "independent_trust", "2015-10-01", "2021-04-01"),
     ("Slough", "latc", "2021-04-01", None),
     ("Sunderland", "latc", "2017-04-01", None),
     ("Birmingham", "latc", "2018-04-01", None),
     ("Sandwell", "independent_trust", "2018-04-01", None),
     ("Reading", "latc", "2018-12-01", None),
     ("Worcestershire", "latc", "2019-10-01", None),
     ("Northamptonshire", "independent_trust", "2020-11-01", None),
     ("Kirklees", "strategic_partnership", "2017-09-14", "2020-01-13"),
     ("Isle of Wight", "strategic_partnership", "2013-01-01", None)],
    columns=["local_authority", "catalogue_id", "start", "end"])


def month_of(ts) -> int:
    ts = pd.Timestamp(ts)
    return ts.year * 12 + ts.month - 1


def pause_months() -> tuple[int, int]:
    """The COVID pause as [start, end) months."""
    return month_of(COVID_PAUSE[0]), month_of(COVID_PAUSE[1])


def regimes(df: pd.DataFrame) -> np.ndarray:
    """The grading regime of each judgement in ``df`` (sorted by council and date): 0 SIF (and its
    re-inspections), 1 ILACS standard, 2 ILACS short; an ILACS row without its type takes the
    rule of ILACS (short after a Good or Outstanding grade)."""
    fw = df["framework"].astype(str).to_numpy()
    prev = df.groupby("local_authority", sort=False)["grade"].shift().fillna(-1).to_numpy(int)
    ilacs = np.char.startswith(fw.astype(str), "ILACS")
    # an untyped ILACS row: the C++ rule (regime_of) for a month inside ILACS
    out = np.where(ilacs, _core.grading_regime(month_of(ILACS_START), prev, month_of(ILACS_START)), 0)
    out[fw == "ILACS-Standard"] = 1
    out[fw == "ILACS-Short"] = 2
    return out.astype(np.int32)


def default_judgements_path() -> Path:
    """The shipped SIF/ILACS graded judgements (python/admsim/data/ofsted_history.csv)."""
    return Path(str(resources.files("admsim") / "data" / "ofsted_history.csv"))


def load_judgements(judgements: str | Path | pd.DataFrame | None = None) -> pd.DataFrame:
    """Graded SIF and ILACS judgements as a frame sorted by council and publication date.

    Accepts the shipped derived file (default), the shared ``ofsted_la_judgements_2009_2022.csv``
    (column ``overall_effectiveness``) or a frame of either. Columns out: local_authority,
    framework, grade (0 Outstanding .. 3 Inadequate), publication_date, month.
    """
    if judgements is None:
        judgements = default_judgements_path()
    if isinstance(judgements, pd.DataFrame):
        df = judgements.copy()
    else:
        df = pd.read_csv(judgements, comment="#")
    missing = {"local_authority", "framework", "publication_date"} - set(df.columns)
    if missing:
        raise ValueError(f"judgements: missing column(s) {sorted(missing)}; expected "
                         "local_authority, framework, publication_date and overall_effectiveness "
                         "(or grade 0-3)")
    if "grade" not in df.columns or not pd.api.types.is_numeric_dtype(df["grade"]):
        col = "overall_effectiveness" if "overall_effectiveness" in df.columns else "grade"
        df["grade"] = df[col].map(GRADE_LABELS)
    df = df[df["framework"].astype(str).str.startswith(FRAMEWORKS) & df["grade"].notna()].copy()
    df["grade"] = df["grade"].astype(int)
    df["publication_date"] = pd.to_datetime(df["publication_date"])
    df = df.dropna(subset=["publication_date"])
    df["month"] = df["publication_date"].map(month_of)
    df = df.sort_values(["local_authority", "publication_date"], kind="stable")
    return df[["local_authority", "framework", "grade", "publication_date", "month"]].reset_index(
        drop=True)


def load_adm_history(adm_history: str | Path | pd.DataFrame | None = None) -> pd.DataFrame:
    """Delivery-model spells: local_authority, catalogue_id, start, end (empty: still running)."""
    if adm_history is None:
        return ADM_HISTORY.copy()
    df = adm_history.copy() if isinstance(adm_history, pd.DataFrame) else pd.read_csv(adm_history)
    return df[["local_authority", "catalogue_id", "start", "end"]]


def adm_spells(adm: pd.DataFrame, as_of=None) -> dict[str, list[tuple[int, int]]]:
    """Council -> [start, end) month spells. A spell starting after ``as_of`` is not known then,
    and an end after ``as_of`` is not known either (the spell continues)."""
    out: dict[str, list[tuple[int, int]]] = {}
    cutoff = None if as_of is None else pd.Timestamp(as_of)
    for row in adm.itertuples():
        start = pd.Timestamp(row.start)
        if cutoff is not None and start > cutoff:
            continue
        end = pd.Timestamp(row.end) if isinstance(row.end, str) and row.end else None
        if end is not None and cutoff is not None and end > cutoff:
            end = None
        out.setdefault(row.local_authority, []).append(
            (month_of(start), month_of(end) if end is not None else 10**6))
    return out


@dataclass
class Histories:
    """Councils' graded histories and monthly inputs, in the layout ``_core.quality_*`` reads."""
    names: list[str]
    first_month: int
    arrays: dict

    @property
    def months(self) -> int:
        return self.arrays["adm_live"].shape[1]


def histories(df: pd.DataFrame, *, names: list[str] | None = None, end_month: int,
              start_month: int | None = None, adm_history=None, as_of=None, panels=None,
              use_workforce: bool = True) -> Histories:
    """Pack ``df`` (from :func:`load_judgements`) for the C++ quality model.

    Months run from the earliest judgement (or ``start_month``, if earlier) to ``end_month``. ``adm_live``
    marks months a council ran a delivery model (spells known by ``as_of``); ``stress`` is its
    workforce stress (:mod:`admsim.calibration.workforce`; snapshots published by ``as_of``; zero
    with ``use_workforce=False``). The grading drift is linear to ``as_of`` (default: the last
    judgement) and damped after it.
    """
    names = sorted(df["local_authority"].unique()) if names is None else list(names)
    first = min([int(end_month)] + ([int(df["month"].min())] if len(df) else [])
                + ([int(start_month)] if start_month is not None else []))
    months = int(end_month) - first + 1
    order = {n: i for i, n in enumerate(names)}
    rows = df[df["local_authority"].isin(order)]
    idx = rows["local_authority"].map(order).to_numpy()
    perm = np.lexsort((rows["month"].to_numpy(), idx))
    rows, idx = rows.iloc[perm], idx[perm]
    offsets = np.zeros(len(names) + 1, np.int32)
    np.add.at(offsets, idx + 1, 1)
    offsets = np.cumsum(offsets).astype(np.int32)
    live = np.zeros((len(names), months))
    for name, spells in adm_spells(load_adm_history(adm_history), as_of).items():
        if name in order:
            for a, b in spells:
                live[order[name], max(a - first, 0):max(min(b, first + months) - first, 0)] = 1.0
    stress = (workforce.stress_matrix(names, first, months, as_of=as_of, panels=panels)
              if use_workforce else np.zeros((len(names), months)))
    drift_end = (month_of(as_of) if as_of is not None
                 else int(df["month"].max()) if len(df) else first)
    arrays = {"first_month": first,
              "ilacs_start_month": month_of(ILACS_START),
              "drift_end_month": drift_end,
              "offsets": offsets,
              "month": rows["month"].to_numpy(np.int32),
              "grade": rows["grade"].to_numpy(np.int32),
              "framework": regimes(rows),
              "adm_live": live, "stress": stress}
    return Histories(names=names, first_month=first, arrays=arrays)
