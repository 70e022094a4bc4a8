"""``admsim catalogue``: list the delivery models."""
from __future__ import annotations

import argparse

import pandas as pd

from ..catalogue import catalogue


def _cmd_catalogue(args: argparse.Namespace) -> int:
    table = catalogue()[["name", "group", "birmingham_number"]].copy()
    # Birmingham's 2016 numbering (1-19); models it did not number have none
    table["birmingham_number"] = table["birmingham_number"].astype("Int64")
    with pd.option_context("display.max_rows", None, "display.width", 200):
        print(table.to_string())
    return 0


def register(sub) -> argparse.ArgumentParser:
    cat = sub.add_parser("catalogue", help="list the delivery models", description="List the delivery models.")
    cat.set_defaults(func=_cmd_catalogue)
    return cat
