"""``admsim profiles``: list the shipped council profiles."""
from __future__ import annotations

import argparse

import pandas as pd

from .. import profiles


def _cmd_profiles(args: argparse.Namespace) -> int:
    rows = []
    for slug in profiles.available():
        p = profiles.load(slug)
        rows.append({"profile": slug, "council": p.get("name", ""), "as of": p.get("as_of", ""),
                     "children 0-17": f"{p['population']['children_0_17']:,.0f}",
                     "last Ofsted grade": p.get("ofsted", {}).get("last_grade", "")})
    print(pd.DataFrame(rows).set_index("profile").to_string())
    return 0


def register(sub) -> argparse.ArgumentParser:
    prof = sub.add_parser("profiles", help="list the shipped council profiles",
                          description="List the shipped council profiles.")
    prof.set_defaults(func=_cmd_profiles)
    return prof
