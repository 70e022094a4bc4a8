"""Write a derived data file the package ships: a '#' comment header naming its source, then CSV.
Shared by the scripts/build_*.py that rebuild python/admsim/data/ from shared/data."""
from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "python" / "admsim" / "data"


def write(name: str, header: str, table, **to_csv) -> Path:
    out = DATA / name
    with open(out, "w") as f:
        f.write(header)
        table.to_csv(f, index=False, **to_csv)
    return out
