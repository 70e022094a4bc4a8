"""The results of a national sensitivity run: every council's indices, and tables across
councils (which input matters most in how many councils, indices by region)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .results import MorrisResult, SobolResult


@dataclass
class NationalSensitivity:
    """One :class:`SobolResult` or :class:`MorrisResult` per council (``results``, by slug), with
    each council's region and name. The index compared across councils is ``key``: the total
    Sobol index ``ST`` (a share of the council's variance, comparable between councils), or
    Morris ``mu_star`` (in the output's units: larger councils have larger effects, so ranks
    are the fairer comparison)."""
    results: dict[str, SobolResult | MorrisResult]
    regions: dict[str, str]
    names: dict[str, str]
    manifest: dict[str, Any] | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        first = next(iter(self.results.values()))
        return (f"<admsim.sensitivity.NationalSensitivity {len(self.results)} councils, "
                f"{len(set(self.regions.values()))} regions, {len(first.inputs)} inputs x "
                f"{len(first.outputs)} outputs, {len(first.Y)} evaluations each>")

    def __getitem__(self, slug: str) -> SobolResult | MorrisResult:
        return self.results[slug]

    @property
    def key(self) -> str:
        return "ST" if isinstance(next(iter(self.results.values())), SobolResult) else "mu_star"

    def to_frame(self) -> pd.DataFrame:
        """Every council's tidy indices (its ``to_frame()``), with ``council``, ``name``,
        ``region`` and ``rank`` (1: the input with the largest ``key`` index for that council
        and output; NaN where the index is undefined)."""
        frames = []
        for slug, res in self.results.items():
            f = res.to_frame()
            f.insert(0, "region", self.regions[slug])
            f.insert(0, "name", self.names[slug])
            f.insert(0, "council", slug)
            f["rank"] = f.groupby("output", sort=False)[self.key].rank(ascending=False, method="min")
            frames.append(f)
        return pd.concat(frames, ignore_index=True)

    def _across(self, frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
        key = self.key
        rows = []
        for names, g in frame.groupby(by, sort=False):
            values = g[key].to_numpy(dtype=float)
            ok = ~np.isnan(values)
            top = int((g["rank"] == 1).sum())
            n = int(ok.sum())
            rows.append({**dict(zip(by, names if isinstance(names, tuple) else (names,))),
                         "councils": n, "top": top, "top_share": top / n if n else np.nan,
                         "median_rank": float(g["rank"].median()) if n else np.nan,
                         f"{key}_median": float(np.median(values[ok])) if n else np.nan,
                         f"{key}_p10": float(np.quantile(values[ok], 0.1)) if n else np.nan,
                         f"{key}_p90": float(np.quantile(values[ok], 0.9)) if n else np.nan})
        return pd.DataFrame(rows)

    def national(self) -> pd.DataFrame:
        """Per output and input: ``councils`` (with the index defined), ``top`` (in how many it
        ranks first; ties count for each), ``top_share``, ``median_rank``, and the median and
        10th/90th percentiles of the index across councils; inputs in order of ``top``."""
        table = self._across(self.to_frame(), ["output", "input"])
        order = {o: i for i, o in enumerate(dict.fromkeys(table["output"]))}
        table["_o"] = table["output"].map(order)
        table = table.sort_values(["_o", "top", "median_rank"], ascending=[True, False, True],
                                  kind="stable")
        return table.drop(columns="_o").reset_index(drop=True)

    def by_region(self) -> pd.DataFrame:
        """The columns of :meth:`national` per region, output and input (regions in order met)."""
        return self._across(self.to_frame(), ["region", "output", "input"])

    def plot(self, output: str | None = None):
        """Horizontal bars: in how many councils each input matters most, for ``output`` (the
        first by default). Returns a matplotlib Figure."""
        import matplotlib.pyplot as plt

        table = self.national()
        output = table["output"].iloc[0] if output is None else output
        if output not in set(table["output"]):
            raise KeyError(f"unknown output {output!r}; known: {', '.join(dict.fromkeys(table['output']))}")
        t = table[table["output"] == output].iloc[::-1]
        fig, ax = plt.subplots(figsize=(7, 0.32 * len(t) + 1.6), layout="constrained")
        ax.barh(t["input"], t["top"], color="#4c72b0")
        ax.set_xlabel(f"councils where it has the largest {self.key} (of {len(self.results)})")
        ax.set_title(f"{output}: the input that matters most, council by council", fontsize=10)
        ax.tick_params(axis="y", labelsize=8)
        return fig

    def write_plots(self, plots_dir: Path) -> list[Path]:
        """One :meth:`plot` per output, ``plots_dir/national_<output>.png``."""
        from .nightly import file_slug, save_png

        plots_dir.mkdir(parents=True, exist_ok=True)
        return [save_png(self.plot(output), plots_dir / f"national_{file_slug(output)}.png")
                for output in dict.fromkeys(self.national()["output"])]
