"""The outcomes of a region's commissioning hub and improvement alliance (issue 16), as tables.

The engine (``cpp/src/region``) applies both inside the simulation: the hub's discount lowers
each member council's placement costs and its set-up and running cost is a line of each
council's costs (``cost_commissioning_hub``); the alliance's support raises the quality target
of councils rated Requires Improvement or Inadequate, paid for by those rated Good or better
(``cost_improvement_support``). These tables read what the run returns:

* :func:`hub_table`: the hub's savings to its councils against its running cost, by hub year,
  and the chance it is self-sufficient (savings at least its running cost) in that year;
* :func:`break_even`: per option, P(self-sufficient in year 3) and the year it first breaks even;
* :func:`alliance_table`: the alliance's own measure, councils Good or better minus those
  Inadequate, at each year's end.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from .intervals import bootstrap_mean_interval
from .results import mean_and_range

# The self-sufficiency target of seed 001: "self-sufficient within three years".
TARGET_YEAR = 3


def _self_sufficient(hub: Mapping[str, Any]) -> np.ndarray:
    """(option, replicate, hub year): 1 where the year's savings cover its running cost."""
    return (np.asarray(hub["savings"]) >= float(hub["running_cost_per_year"])).astype(float)


def first_break_even(hub: Mapping[str, Any]) -> np.ndarray:
    """(option, replicate): the first hub year (1, 2, ...) whose savings cover its running cost,
    NaN if none within the horizon."""
    ok = _self_sufficient(hub) > 0
    if ok.shape[2] == 0:  # the hub starts less than a year before the horizon ends
        return np.full(ok.shape[:2], np.nan)
    year = np.argmax(ok, axis=2).astype(float) + 1
    year[~ok.any(axis=2)] = np.nan
    return year


def hub_table(hub: Mapping[str, Any], options: Sequence[str]) -> pd.DataFrame:
    """One row per (option with the hub, hub year): the region's savings from the hub's
    discount (GBP, mean and the range of 90% of replicates), its running cost, the net, and
    P(self-sufficient that year) with a 90% Monte Carlo interval."""
    savings = np.asarray(hub["savings"])
    running = float(hub["running_cost_per_year"])
    ok = _self_sufficient(hub)
    first = first_break_even(hub)
    rows = []
    for m, option in enumerate(options):
        if not hub["options"][m]:
            continue
        for y in range(savings.shape[2]):
            row: dict[str, Any] = {"model": option, "year": y + 1}
            row["savings"], row["savings 5%"], row["savings 95%"] = mean_and_range(savings[m, :, y])
            row["running cost"] = running
            row["net"], row["net 5%"], row["net 95%"] = mean_and_range(savings[m, :, y] - running)
            row["P(self-sufficient)"], row["P 5%"], row["P 95%"] = bootstrap_mean_interval(ok[m, :, y])
            row["P(broken even by then)"] = float(np.mean(first[m] <= y + 1))
            rows.append(row)
    columns = ["model", "year", "savings", "savings 5%", "savings 95%", "running cost", "net", "net 5%",
               "net 95%", "P(self-sufficient)", "P 5%", "P 95%", "P(broken even by then)"]
    return pd.DataFrame(rows, columns=columns).set_index(["model", "year"])


def break_even(hub: Mapping[str, Any], m: int) -> dict[str, float]:
    """Option m's hub headline: P(self-sufficient in year 3) with its interval, P(it breaks even
    within the horizon) and the median first break-even year (NaN for an option without it)."""
    nan = float("nan")
    keys = ("P(hub self-sufficient in year 3)", "P(hub yr3) 5%", "P(hub yr3) 95%", "P(hub breaks even)",
            "hub break-even year (median)")
    if not hub["options"][m]:
        return dict.fromkeys(keys, nan)
    ok, first = _self_sufficient(hub)[m], first_break_even(hub)[m]
    p = bootstrap_mean_interval(ok[:, TARGET_YEAR - 1]) if ok.shape[1] >= TARGET_YEAR else (nan, nan, nan)
    reached = first[~np.isnan(first)]
    # never breaking even counts as after the horizon; the median a year some replicate has
    median = float(np.quantile(np.where(np.isnan(first), np.inf, first), 0.5, method="inverted_cdf"))
    median = median if np.isfinite(median) else nan  # NaN: half or more never break even
    return dict(zip(keys, (*p, float(reached.size / first.size), median)))


def alliance_table(net_good: np.ndarray, options: Sequence[str], months: int) -> pd.DataFrame:
    """One row per (option, year): councils rated Good or better minus those Inadequate at the
    year's end (mean, range of 90% of replicates) and P(more Good or better than Inadequate)
    with a 90% Monte Carlo interval."""
    rows = []
    for m, option in enumerate(options):
        for y in range(months // 12):
            balance = net_good[m, :, 12 * y + 11]
            row: dict[str, Any] = {"model": option, "year": y + 1}
            # A count: its range as counts that occur (not interpolated between them).
            row["Good+ minus Inadequate"] = float(balance.mean())
            row["5%"], row["95%"] = (float(q) for q in np.quantile(balance, [0.05, 0.95], method="inverted_cdf"))
            row["P(more Good+ than Inadequate)"], row["P 5%"], row["P 95%"] = bootstrap_mean_interval(
                (balance > 0).astype(float))
            rows.append(row)
    columns = ["model", "year", "Good+ minus Inadequate", "5%", "95%", "P(more Good+ than Inadequate)",
               "P 5%", "P 95%"]
    return pd.DataFrame(rows, columns=columns).set_index(["model", "year"])
