"""Rebuild python/admsim/data/inspection_schedule.json: the inspection schedule fitted to the
shipped graded judgements to 2022 (admsim.calibration.schedule.fit_schedule). Its ILACS-era medians
and shape are the engine's defaults (cpp/src/scenario/parameters.cpp; a test checks they agree).

    python scripts/build_inspection_schedule.py
"""
from __future__ import annotations

from pathlib import Path


def main() -> None:
    from admsim.calibration.schedule import fit_schedule

    schedule = fit_schedule(until="2022-12-31")
    schedule.fit["source"] = ("python scripts/build_inspection_schedule.py: fit_schedule(until="
                              "'2022-12-31') on python/admsim/data/ofsted_history.csv")
    out = Path(__file__).resolve().parents[1] / "python" / "admsim" / "data" / "inspection_schedule.json"
    schedule.save(out)
    print(schedule.quantiles().round(1).to_string())
    print({k: round(v, 2) for k, v in schedule.engine_parameters().items()})
    print(f"written to {out}")


if __name__ == "__main__":
    main()
