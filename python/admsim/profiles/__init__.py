"""Council profiles: one council's starting point for a simulation.

A profile is a JSON object (see the shipped ``data/profiles/*.json``): child population, demand
rates, placement mix and weekly costs, workforce, finance and the last Ofsted grade, with a
``"sources"`` map that names, for every numeric field (dotted path), where the number comes from
or that it is an assumption.

- :func:`load` reads a shipped profile by slug, or a profile JSON file.
- :func:`available` lists the shipped slugs.
- :func:`region` returns a shipped region's council profiles (e.g. the 14 West Midlands councils);
  :func:`regions` lists the shipped regions.
- :func:`from_panels` builds a profile for any council in DfE's LA-level releases (the format of
  ``shared/data/la_panels``), optionally with its Ofsted history.
- :func:`national` builds every council's profile (or a region's) from the panels, by region;
  :func:`councils_by_region` lists them.
- :func:`check` validates a profile and names the dotted field at fault (the C++ engine validates
  again, with JSON pointers).

The parts: :mod:`.loader` (the format, load and check), :mod:`.panels` (``from_panels``),
:mod:`.dfe_files` (reading the DfE and Ofsted CSVs) and :mod:`.reference` (the national figures
shipped in code, with their sources).
"""
from .loader import GRADES, PLACEMENT_TYPES, available, check, load, region, regions
from .panels import from_panels
from .national import councils_by_region, national
# Also read as profiles.NUMERIC_FIELDS, profiles.NATIONAL_PLACEMENTS, ... (tests, notebooks).
from .loader import NUMERIC_FIELDS, PROFILE_SECTIONS  # noqa: F401
from .reference import (FOSTER_SPLIT, NATIONAL_PLACEMENTS, OFSTED_DISTRIBUTION_FILE,  # noqa: F401
                        OFSTED_NATIONAL_DISTRIBUTION, OVERHEADS_SHARE, PLACEMENT_MIX_FILE,
                        WEEKLY_COST, WEEKLY_COST_AGENCY, WEEKLY_COST_EMPLOYED)

__all__ = [
    "councils_by_region",
    "national",
    "GRADES",
    "PLACEMENT_TYPES",
    "available",
    "check",
    "from_panels",
    "load",
    "region",
    "regions",
]
