"""Write docs/parameters.md from the engine's parameter table (the one source of defaults)."""
from __future__ import annotations

import sys
from pathlib import Path

from admsim import _core

HEADER = """# Engine parameters

Generated from `cpp/src/scenario/parameters.cpp` by `python scripts/gen_parameters_doc.py`; do not edit by
hand. *Allowed* is what a scenario may set (validation); *plausible* is the range we believe, used
for sensitivity analysis. A source of "assumption" means no publication or data fixes the value.

"""


def render() -> str:
    lines = [HEADER]
    rows = _core.parameter_table()
    for module in ["demand", "workforce", "quality", "finance", "risk"]:
        lines.append(f"## {module.capitalize()}\n\n")
        lines.append("| parameter | default | plausible | allowed | unit | meaning | source |\n")
        lines.append("|---|---|---|---|---|---|---|\n")
        for r in rows:
            if r["module"] != module:
                continue
            lines.append(f"| `{r['name']}` | {r['default']:g} | {r['low']:g}–{r['high']:g} | "
                         f"{r['min']:g}–{r['max']:g} | {r['unit']} | {r['meaning']} | {r['source']} |\n")
        lines.append("\n")
    return "".join(lines)


if __name__ == "__main__":
    target = Path(__file__).resolve().parents[1] / "docs" / "parameters.md"
    target.write_text(render(), encoding="utf-8")
    print(f"wrote {target}", file=sys.stderr)
