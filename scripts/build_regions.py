"""The shipped regions, built from the shared data: used by scripts/build_profiles.py.

A region is a folder python/admsim/data/regions/<slug>/ holding region.json (name, description,
source and the councils in order) and one from_panels profile per council, <profile slug>.json.
"""
from __future__ import annotations

import csv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REGIONS_DIR = ROOT / "python" / "admsim" / "data" / "regions"

WEST_MIDLANDS_YEAR = 2022  # reporting year 2021-22 (as_of 31 March 2022), the latest in the panels
# The 14 councils of the West Midlands region as DfE's LA panels name them (region_name "West
# Midlands" in every panel file gives exactly these 14); from_panels needs the panels' spelling.
WEST_MIDLANDS = ("Birmingham", "Coventry", "Dudley", "Herefordshire, County of", "Sandwell",
                 "Shropshire", "Solihull", "Staffordshire", "Stoke-on-Trent", "Telford and Wrekin",
                 "Walsall", "Warwickshire", "Wolverhampton", "Worcestershire")
WEST_MIDLANDS_SOURCE = (
    "seed 000 (West Midlands Children's Services Delivery Model: Options Appraisal and Outline "
    "Business Case, 2019): WMCS supports the West Midlands Directors of Children's Services Network "
    "through 'collaboration between the 14 local authorities across the region'; the 14 are the "
    "councils with region_name 'West Midlands' in DfE's LA-level releases (shared/data/la_panels)")
ADM_HISTORY = "adm_history_to_2022.csv"


def _delivery_models(data: Path, as_of: str) -> dict[str, str]:
    """Council -> a sentence on the alternative delivery model running at ``as_of``, from the ADM
    history file (councils not in it ran children's services in house)."""
    out = {}
    with (data / ADM_HISTORY).open(newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["start"] <= as_of and (not r["end"] or r["end"] > as_of):
                out[r["local_authority"]] = (
                    f" Children's services delivered by {r['delivery_model']} since {r['start']} "
                    f"({ADM_HISTORY}: {r['catalogue_id']}; {r['note']}; {r['source']}).")
    return out


def build_west_midlands(data: Path) -> dict[str, dict]:
    """{path relative to the regions folder: JSON object} for the West Midlands region."""
    from admsim import profiles

    as_of = f"{WEST_MIDLANDS_YEAR}-03-31"
    models = _delivery_models(data, as_of)
    files: dict[str, dict] = {}
    councils, modelled = [], []
    for name in WEST_MIDLANDS:
        profile = profiles.from_panels(name, data / "la_panels", year=WEST_MIDLANDS_YEAR,
                                       judgements=data / "ofsted_la_judgements_2009_2022.csv")
        assert profile["name"] == name and profile["as_of"] == as_of, (profile["name"], name)
        profile["description"] += models.get(name, "")
        if "has no RO3 outturn row" in profile["sources"]["finance.budget_per_year"]:
            modelled.append(name)
        slug = profile["slug"]
        files[f"west-midlands/{slug}.json"] = profile
        councils.append({"name": name, "slug": slug, "profile": f"{slug}.json"})
    files["west-midlands/region.json"] = {
        "name": "West Midlands",
        "description": (
            f"The {len(councils)} councils of the West Midlands region at 31 March "
            f"{WEST_MIDLANDS_YEAR} (reporting year {WEST_MIDLANDS_YEAR - 1}-{str(WEST_MIDLANDS_YEAR)[-2:]}), "
            f"one admsim.profiles.from_panels profile each, with the last Ofsted judgement by then. "
            f"Budgets are each council's RO3 2024-25 outturn in 2022 prices"
            + (f", except {' and '.join(modelled)}, which have no usable RO3 row (modelled cost)"
               if modelled else "")
            + ". Rebuilt by scripts/build_profiles.py."),
        "source": WEST_MIDLANDS_SOURCE,
        "councils": councils,
    }
    return files


def build_regions(data: Path) -> dict[str, dict]:
    """Every shipped region's files: {path relative to the regions folder: JSON object}."""
    return build_west_midlands(data)
