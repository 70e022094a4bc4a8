"""Regional runs: several councils simulated together, sharing a labour market.

>>> import admsim
>>> res = admsim.simulate_region(["example-county", "worcestershire-2017"],
...                              models=["in_house", "latc"], labour_market={"mover_share": 0.3},
...                              years=5, replicates=500)
>>> res.summary()          # per council and option, and the region's totals
>>> res["Worcestershire"]  # one council's admsim.Results

Each replicate steps every council month by month together: a share of each council's
leavers (``mover_share``) move to another council of the region, and last month's movers are
offered to the councils by vacancies times pull (recruitment effect, campaigns, pay), hired
first; movers no council takes leave the region. Option k of the region is model k of every
council (a council may name its own models, one per option). Each council draws its own random
numbers (``council_streams="independent"``, the default: its seed is :func:`council_seed` of the
region's seed and its name), so with ``mover_share`` 0 every council's results are bit-identical
to its own :func:`admsim.simulate` with that seed; options share random numbers within a
council (common random numbers), and a shared vehicle is drawn once for the region.

Two more region-level arrangements act inside the run: a commissioning hub
(``commissioning_hub``: set-up and running cost shared by the councils, a discount on the
external placements bought through it; :meth:`RegionResults.hub` for its self-sufficiency) and
improvement support between councils (``improvement_alliance``; :meth:`RegionResults.alliance`
for the count of Good-or-better minus Inadequate councils).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from . import _core, jsonio
from .catalogue import catalogue_json
from .intervals import bootstrap_mean_interval
from .outputs import ADDITIVE_OUTCOMES, METRICS, OUTCOMES
from .region_arrangements import alliance_table, break_even, hub_table
from .progress import CancelToken, Progress
from .results import Results, mean_and_range
from .scenario import build_scenario, resolve_profile, to_json

# Outcomes that add up across councils (money, events).
# Fields of a regional spec that are the region's, not its councils'.
REGION_FIELDS = ("councils", "labour_market", "vehicle", "agency_agreement", "commissioning_hub",
                 "improvement_alliance", "council_streams")


# Catalogue effects that stand for a regional arrangement the run may model explicitly (their
# rationales cite seed 001's commissioning hub and improvement alliance): with the arrangement
# given, they are set neutral so that it is not counted twice.
STANDS_FOR = {"commissioning_hub": {"status_quo_agreement": "placement_cost", "contractual_jv": "placement_cost",
                                    "corporate_jv": "placement_cost"},
              "improvement_alliance": {"status_quo_agreement": "improvement"}}
_NEUTRAL = {"placement_cost": 1.0, "improvement": 0.0}


def _not_twice(models: Iterable[Any] | None, arrangements: Mapping[str, Any]) -> list[Any] | None:
    """``models`` with the effects STANDS_FOR names neutral for each arrangement given (None:
    not given), unless the user set that effect."""
    if models is None:
        return None
    out = []
    for model in models:
        entry = dict(model) if isinstance(model, Mapping) else {"id": model}
        effects = dict(entry.get("effects", {}))
        for arrangement, hooks in STANDS_FOR.items():
            hook = hooks.get(entry.get("id"))
            if arrangements.get(arrangement) is not None and hook and hook not in effects:
                effects[hook] = {"dist": "fixed", "value": _NEUTRAL[hook]}
        if effects:
            entry["effects"] = effects
        out.append(entry if len(entry) > 1 else entry["id"])
    return out


def council_seed(seed: int, name: str) -> int:
    """The seed council ``name`` draws its random numbers with in a region of ``seed`` whose
    councils are independent (the default): the same in any region, whatever the order."""
    return int(_core.council_seed(int(seed), str(name)))


def _council(entry: Any, index: int) -> dict[str, Any]:
    """A council entry: a profile (slug, path or dict) or a dict with "profile" and own fields."""
    if isinstance(entry, Mapping) and "profile" in entry:
        council = dict(entry)
    else:
        council = {"profile": entry}
    council["profile"] = resolve_profile(council["profile"])
    council.setdefault("name", council["profile"].get("name", f"council {index}"))
    return council


def build_region(councils: Iterable[Any], models: Iterable[Any] | None = None, *,
                 labour_market: Mapping[str, Any] | None = None, vehicle: Mapping[str, Any] | None = None,
                 agency_agreement: Mapping[str, Any] | None = None,
                 commissioning_hub: Mapping[str, Any] | None = None,
                 improvement_alliance: Mapping[str, Any] | None = None,
                 council_streams: str = "independent", **scenario: Any) -> dict[str, Any]:
    """The regional scenario spec :func:`simulate_region` runs: the region's shared fields (those
    of :func:`admsim.build_scenario`) plus ``councils``, ``labour_market``, ``council_streams``
    and the region-level arrangements given."""
    entries = [_council(c, i) for i, c in enumerate(councils)]
    if not entries:
        raise jsonio.scenario_error("/councils", "no councils", "[]", "at least one council")
    models = _not_twice(models, {"commissioning_hub": commissioning_hub, "improvement_alliance": improvement_alliance})
    spec = build_scenario(entries[0]["profile"], models, **scenario)
    del spec["profile"]
    spec["councils"] = entries
    spec["labour_market"] = dict(labour_market or {})
    spec["council_streams"] = council_streams
    if vehicle is not None:
        spec["vehicle"] = dict(vehicle)
    for key, value in (("agency_agreement", agency_agreement), ("commissioning_hub", commissioning_hub),
                       ("improvement_alliance", improvement_alliance)):
        if value is not None:
            spec[key] = dict(value)
    return spec


class RegionResults:
    """The results of a regional run: one :class:`admsim.Results` per council, and the region's."""

    def __init__(self, raw: Mapping[str, Any], spec: Mapping[str, Any]):
        self.spec = dict(spec)
        self.names: list[str] = list(raw["names"])
        self.mover_share = float(raw["mover_share"])
        self.unplaced = raw.get("unplaced")  # (option, replicate, month); full mode only
        self.vehicle_split = spec.get("vehicle", {}).get("cost_split")
        shared = {k: v for k, v in spec.items() if k not in REGION_FIELDS}
        self.councils: dict[str, Results] = {}
        for name, council, entry, seed in zip(self.names, raw["councils"], spec["councils"], raw["seeds"]):
            council_spec = dict(shared, **{k: v for k, v in entry.items() if k != "name"}, seed=int(seed))
            self.councils[name] = Results(council, council_spec)
        first = next(iter(self.councils.values()))
        self.options: list[str] = first.models
        self.replicates, self.months, self.summary_only = first.replicates, first.months, first.summary_only
        # The hub's savings by year and its costs (with a hub), and the alliance's measure
        # (option, replicate, month): councils Good or better minus those Inadequate.
        self.hub_raw: dict[str, Any] | None = raw.get("hub")
        self.alliance_raw: dict[str, Any] | None = raw.get("alliance")
        self.net_good = raw.get("net_good")

    def __getitem__(self, name: str) -> Results:
        if name not in self.councils:
            raise KeyError(f"no council {name!r} in this region{jsonio.did_you_mean(name, self.names)}")
        return self.councils[name]

    def __repr__(self) -> str:
        return (f"<admsim.RegionResults {len(self.names)} councils x {len(self.options)} options x "
                f"{self.replicates} replicates x {self.months} months, mover share {self.mover_share:g}>")

    def total(self, metric: str) -> np.ndarray:
        """A metric summed over the councils: (option, replicate, month) in full mode, the mean
        (option, month) in summary mode."""
        k = METRICS.index(metric)
        if self.summary_only:
            return sum(r._raw["metric_mean"][:, :, k] for r in self.councils.values())
        return sum(r.metrics[..., k] for r in self.councils.values())

    def summary(self) -> pd.DataFrame:
        """One row per (council, option) with its headline outcomes, then the region's rows:
        summed costs with 90% intervals over replicates, the chance that any council overspends,
        and the region's social workers at the end."""
        rows = []
        for name, res in self.councils.items():
            table = res.summary()
            table.insert(0, "council", name)
            rows.append(table.reset_index())
        per_council = pd.concat(rows, ignore_index=True)
        return pd.concat([per_council, self.region_summary().reset_index()], ignore_index=True)

    def region_summary(self) -> pd.DataFrame:
        """The region as a whole, one row per option (full mode: intervals over replicates)."""
        rows = []
        for m, option in enumerate(self.options):
            row: dict[str, Any] = {"council": "region", "model": option}
            for name in ADDITIVE_OUTCOMES:
                k = OUTCOMES.index(name)
                if self.summary_only:
                    row[name] = sum(r._raw["outcome_mean"][m, k] for r in self.councils.values())
                    continue
                total = sum(r.outcomes[m, :, k] for r in self.councils.values())
                row[name], row[f"{name} 5%"], row[f"{name} 95%"] = mean_and_range(total)
            if not self.summary_only:
                # Paired against the first option, replicate by replicate (common random numbers).
                k = OUTCOMES.index("npv_cost")
                diff = sum(r.outcomes[m, :, k] - r.outcomes[0, :, k] for r in self.councils.values())
                row[f"npv_cost diff vs {self.options[0]}"], row["diff 5%"], row["diff 95%"] = mean_and_range(diff)
                k = OUTCOMES.index("overspend_any")
                anyone = np.max([r.outcomes[m, :, k] for r in self.councils.values()], axis=0)
                share, lo, hi = bootstrap_mean_interval(anyone)  # a Monte Carlo interval for the share
                row["P(any council overspends)"], row["P(any) 5%"], row["P(any) 95%"] = share, lo, hi
                row["movers hired a year"] = float(self.total("movers_in")[m].sum(axis=1).mean() * 12 / self.months)
                row["movers leaving the region a year"] = float(self.unplaced[m].sum(axis=1).mean() * 12 / self.months)
            row["social workers at the end"] = float(np.mean(self.total("social_workers")[m][..., -1]))
            if self.hub_raw is not None:
                row.update(break_even(self.hub_raw, m))
            if self.alliance_raw is not None and self.net_good is not None:
                row["Good+ minus Inadequate at the end"] = float(self.net_good[m, :, -1].mean())
            rows.append(row)
        return pd.DataFrame(rows).set_index("model")


    def hub(self) -> pd.DataFrame:
        """The commissioning hub by option and hub year: the region's savings from its discount
        against its running cost, and P(self-sufficient that year) with 90% intervals (see
        :func:`admsim.region_arrangements.hub_table`); the headline, P(self-sufficient in year 3)
        and the break-even year, is in :meth:`region_summary`."""
        if self.hub_raw is None:
            raise ValueError("this region has no commissioning hub: pass commissioning_hub={...}")
        return hub_table(self.hub_raw, self.options)

    def alliance(self) -> pd.DataFrame:
        """The improvement alliance's measure by option and year: councils rated Good or better
        minus those Inadequate at the year's end, with 90% intervals (with or without an
        alliance, so runs with and without one compare)."""
        return alliance_table(self.net_good, self.options, self.months)

    def rank_probabilities(self, outcome: str = "npv_cost", *, lower_is_better: bool = True) -> pd.DataFrame:
        """P(each option ranks 1st, 2nd, ...) on the region's total of ``outcome``, replicate by
        replicate (common random numbers: every option meets the same replicates). Options tied
        in a replicate (a count of councils often is) share the ranks they span equally."""
        k = OUTCOMES.index(outcome)
        total = sum(r.outcomes[:, :, k] for r in self.councils.values())  # (option, replicate)
        key = total if lower_is_better else -total
        ahead = (key[None, :, :] < key[:, None, :]).sum(axis=1)           # options strictly ahead
        tied = (key[None, :, :] == key[:, None, :]).sum(axis=1)           # including itself
        return pd.DataFrame({f"P(rank {i + 1})": (((ahead <= i) & (i < ahead + tied)) / tied).mean(axis=1)
                             for i in range(len(self.options))}, index=pd.Index(self.options, name="model"))

    def cost_split(self, outcome: str = "npv_cost") -> pd.DataFrame:
        """Each council's mean ``outcome`` under each option (£m for money), and its difference
        from the first option: who gains and who pays under a shared vehicle."""
        k = OUTCOMES.index(outcome)
        money = outcome.endswith("cost") or outcome.startswith(("overspend_amount", "cost_", "income_", "hub_savings"))
        scale = 1e-6 if money else 1.0
        def mean(r: Results) -> np.ndarray:  # summary mode keeps each option's mean only
            return r._raw["outcome_mean"][:, k] if self.summary_only else r.outcomes[:, :, k].mean(axis=1)

        rows = {name: mean(r) * scale for name, r in self.councils.items()}
        table = pd.DataFrame(rows, index=self.options).T
        for option in self.options[1:]:
            table[f"{option} vs {self.options[0]}"] = table[option] - table[self.options[0]]
        table.loc["region"] = table.sum()
        return table

    def appraise(self, **options: Any):
        """The options appraisal of the region's vehicle: :func:`admsim.appraise_region` (same
        keyword arguments)."""
        from .appraisal.region import appraise_region

        return appraise_region(self, **options)

    def write_report(self, out_dir: str | Path, title: str | None = None, appraisal: Any = None) -> Path:
        """Write the regional HTML report (``report.html``, CSV tables, charts) into ``out_dir``:
        :func:`admsim.report.region.write_region_report`; returns the page's path."""
        from .report.region import write_region_report

        return write_region_report(self, out_dir, title=title, appraisal=appraisal)


def simulate_region(councils: Iterable[Any], models: Iterable[Any] | None = None, *,
                    labour_market: Mapping[str, Any] | None = None,
                    vehicle: Mapping[str, Any] | None = None,
                    agency_agreement: Mapping[str, Any] | None = None,
                    commissioning_hub: Mapping[str, Any] | None = None,
                    improvement_alliance: Mapping[str, Any] | None = None,
                    council_streams: str = "independent", years: int = 10,
                    replicates: int = 1000, seed: int = 1, threads: int | None = None,
                    progress: bool = True, cancel: CancelToken | None = None,
                    catalogue_path: str | Path | None = None, **scenario: Any) -> RegionResults:
    """Simulate the councils of a region together; see the module docstring.

    councils: profile slugs, paths or dicts (``admsim.profiles.region("west-midlands")`` if the
        region is shipped), or dicts with a ``"profile"`` and the council's own ``name``,
        ``models`` (one per option), ``parameters``, ``interventions``, ``rules``, ``risks``.
    models: the options, as for :func:`admsim.simulate` (the same for every council unless a
        council names its own).
    labour_market: ``{"mover_share": s}``, the share of leavers who move to another council of
        the region (0, the default: councils do not interact).
    vehicle: ``{"cost_split": "equal" | "population" | "use"}``: the options other than in-house
        are one shared vehicle, its set-up, contract-management and trading sums split among the
        councils by that rule (children 0-17, or children in care, for "use"); without it each
        council bears the whole, as if it set one up alone.
    agency_agreement: ``{"premium_cap": c, "assignment_months": m}``: a regional agency-rate
        agreement; every council pays agency social workers at most (1 + c) times its employed
        cost, and assignments last ``m`` months on average (optional).
    commissioning_hub: a regional commissioning hub, ``{"setup_cost", "setup_months",
        "running_cost_per_year", "start_month", "share", "ramp_months", "discount",
        "external_share", "cost_split", "options"}`` (every field optional; docs/model.md gives
        the defaults and their ranges): from ``start_month`` it buys a ``share`` (rising over
        ``ramp_months``) of each council's external placements (``external_share`` of
        foster_agency, residential or supported; defaults IFA foster care 1, residential 0.8,
        each type given overriding its own) at ``discount`` off the price; share and
        discount may be distributions, drawn once a replicate. Its costs are split by
        ``cost_split`` (default the vehicle's rule, else "use"); ``options`` (names or indices)
        limits it to some options.
    improvement_alliance: improvement support between councils, ``{"effect", "cost_per_year",
        "options"}``: each month a council rated RI or Inadequate gets ``effect`` (SD of quality,
        a number or distribution) times the share of the other councils rated Good or better
        on its quality target; those councils pay ``cost_per_year`` per council supported.
    council_streams: "independent" (the default): each council draws its own random numbers
        (its seed is :func:`council_seed` of ``seed`` and its name), as separate places do,
        while a council's options share them; a shared ``vehicle``'s uncertain effects and
        implementation risks are drawn once for the region (one vehicle, implemented once).
        "shared": every council uses ``seed`` itself, so shocks are perfectly correlated across
        councils (each council then equals its own :func:`admsim.simulate` with ``seed``).
    scenario: further fields shared by every council (``parameters``, ``interventions``,
        ``rules``, ``output``, ...), as for :func:`admsim.build_scenario`.
    """
    spec = build_region(councils, models, labour_market=labour_market, vehicle=vehicle,
                        agency_agreement=agency_agreement, commissioning_hub=commissioning_hub,
                        improvement_alliance=improvement_alliance, council_streams=council_streams, years=years,
                        replicates=replicates, seed=seed, **scenario)
    text, catalogue = to_json(spec), catalogue_json(catalogue_path)
    bar = Progress(progress, int(replicates), cancel=cancel)
    try:
        with jsonio.suggestions():
            raw = _core.simulate_region(text, catalogue, int(threads or 0), bar)
    finally:
        bar.close()
    return RegionResults(raw, spec)
