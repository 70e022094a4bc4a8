"""Every council in the DfE panels, by region: :func:`councils_by_region` and :func:`national`."""
from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any, Iterable

from .dfe_files import read_csv
from .panels import from_panels

# DfE's population file lists every council with its region; the other panels follow it.
POPULATION_GLOB = "population_0_17_*.csv"
JUDGEMENTS_GLOB = "ofsted_la_judgements_*.csv"


def councils_by_region(panels_dir: str | Path, year: int = 2022) -> dict[str, list[str]]:
    """{region name: council names} of the councils in the panels' population file for ``year``
    (DfE's nine English regions, in the file's order)."""
    files = sorted(Path(panels_dir).glob(POPULATION_GLOB))
    if not files:
        raise FileNotFoundError(f"no {POPULATION_GLOB} in {str(panels_dir)!r} (the DfE panels, e.g. ../shared/data/la_panels)")
    frame = read_csv(str(files[-1]), files[-1].stat().st_mtime)
    rows = frame[(frame["geographic_level"] == "Local authority") & (frame["time_period"] == str(year))]
    if rows.empty:
        raise ValueError(f"{files[-1].name} has no councils for {year}; years: "
                         f"{', '.join(sorted(frame['time_period'].unique()))}")
    out: dict[str, list[str]] = {}
    for region, la in zip(rows["region_name"], rows["la_name"]):
        if la not in out.setdefault(region, []):
            out[region].append(la)
    return out


def find_judgements(panels_dir: str | Path) -> Path | None:
    """Ofsted's judgements file beside the panels (``shared/data`` keeps
    ``ofsted_la_judgements_*.csv`` next to ``la_panels``), or None with a warning: without it
    every council would start at England's modal grade, last inspected at a date assumed."""
    found = sorted(Path(panels_dir).resolve().parent.glob(JUDGEMENTS_GLOB))
    if found:
        return found[-1]
    warnings.warn(f"no Ofsted judgements file ({JUDGEMENTS_GLOB}) beside {str(panels_dir)!r}: every council "
                  "starts at England's modal grade; pass judgements= to give each its own", stacklevel=3)
    return None


def national(panels_dir: str | Path, *, year: int = 2022, judgements: str | Path | None = None,
             regions: Iterable[str] | None = None, progress: bool = True) -> dict[str, list[dict[str, Any]]]:
    """Profiles of every council (or those of ``regions``), {region: [profile, ...]}, built by
    :func:`from_panels` (about a second each), each with its latest Ofsted grade and date from
    ``judgements`` (by default the file beside the panels, :func:`find_judgements`). A council whose data cannot make a valid profile
    is left out with a warning naming it and why. With the 2022 panels that is the Isles of
    Scilly alone (151 of 152 councils built): DfE's workforce file gives it no social workers in
    post (inpost_fte 0, all 1.8 FTE agency) and its children-in-care counts are "z" (not
    applicable), and the engine's workforce needs staff in post. Councils with many
    unaccompanied asylum-seeking children (Kent, Hillingdon, central London) are built with a
    re-weighted placement mix (:mod:`.uasc`)."""
    from ..progress import tqdm_class
    from .loader import check

    if judgements is None:
        judgements = find_judgements(panels_dir)
    wanted = councils_by_region(panels_dir, year)
    if regions is not None:
        regions = list(regions)
        unknown = [r for r in regions if r not in wanted]
        if unknown:
            raise ValueError(f"unknown regions {unknown}; the panels' regions: {', '.join(wanted)}")
        wanted = {r: wanted[r] for r in regions}
    total = sum(len(v) for v in wanted.values())
    bar = tqdm_class()(total=total, desc="council profiles", disable=not progress)
    out: dict[str, list[dict[str, Any]]] = {}
    skipped = []
    for region, names in wanted.items():
        for la in names:
            try:
                profile = from_panels(la, panels_dir, year=year, judgements=judgements)
                check(profile)
                out.setdefault(region, []).append(profile)
            except ValueError as err:  # ScenarioError is one
                skipped.append(f"{la} ({str(err).splitlines()[0][:120]})")
            bar.update(1)
    bar.close()
    if skipped:
        warnings.warn(f"{len(skipped)} council(s) left out: " + "; ".join(skipped), stacklevel=2)
    return out
