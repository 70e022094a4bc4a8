"""National runs: every council, region by region, in one call.

>>> by_region = admsim.profiles.national("../shared/data/la_panels", year=2022)   # ~3 minutes
>>> nation = admsim.simulate_nation(by_region, models=["in_house"], years=5, replicates=200,
...                                 labour_market={"mover_share": 0.3}, output="summary")
>>> nation.summary()        # one row per region and option, and England's

Each region is a :func:`admsim.simulate_region` run (its councils share a labour market; regions
do not); every council and region meets the same replicates (common random numbers).
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

import pandas as pd

from .progress import tqdm_class
from .outputs import ADDITIVE_OUTCOMES
from .region import RegionResults, simulate_region


class NationalResults:
    """One :class:`admsim.RegionResults` per region."""

    def __init__(self, regions: Mapping[str, RegionResults]):
        self.regions = dict(regions)

    def __getitem__(self, region: str) -> RegionResults:
        return self.regions[region]

    def __repr__(self) -> str:
        councils = sum(len(r.names) for r in self.regions.values())
        return f"<admsim.NationalResults {len(self.regions)} regions, {councils} councils>"

    def summary(self) -> pd.DataFrame:
        """Each region's :meth:`RegionResults.region_summary` (means over replicates), and
        England's: costs and social workers summed over the regions."""
        frames = {name: r.region_summary() for name, r in self.regions.items()}
        table = pd.concat(frames, names=["region", "model"])
        additive = [*ADDITIVE_OUTCOMES, "social workers at the end"]
        england = table[additive].groupby(level="model", sort=False).sum()
        england.index = pd.MultiIndex.from_product([["England"], england.index], names=["region", "model"])
        return pd.concat([table.drop(columns="council", errors="ignore"), england])


def simulate_nation(by_region: Mapping[str, Iterable[Any]], models: Iterable[Any] | None = None, *,
                    progress: bool = True, **kw: Any) -> NationalResults:
    """Simulate every region of ``by_region`` ({region: councils}, as :func:`admsim.profiles.national`
    gives) with :func:`admsim.simulate_region` and the same arguments (``labour_market``,
    ``vehicle``, ``years``, ``replicates``, ``seed``, ``output``, ...)."""
    bar = tqdm_class()(total=len(by_region), desc="regions", disable=not progress)
    out = {}
    for region, councils in by_region.items():
        out[region] = simulate_region(list(councils), models, progress=False, **kw)
        bar.update(1)
    bar.close()
    return NationalResults(out)
