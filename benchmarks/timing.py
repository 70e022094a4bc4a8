"""Interleaved timing for the Python benchmarks: A B A B ..., so drift in the machine's load
hits every side alike; medians, spreads and paired ratios."""
from __future__ import annotations

import statistics
import time
from typing import Callable, Mapping


def interleaved(runs: Mapping[str, Callable[[], object]], repeats: int, warmup: bool = False) -> dict[str, list[float]]:
    """Wall seconds of each run, ``repeats`` times, the runs taking turns."""
    if warmup:
        for run in runs.values():
            run()
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            t0 = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - t0)
    return times


def line(name: str, seconds: list[float], width: int = 18) -> str:
    return f"  {name:{width}s} median {statistics.median(seconds):6.2f} s  (min {min(seconds):.2f}, max {max(seconds):.2f})"


def ratio_line(label: str, a: list[float], b: list[float]) -> str:
    """The ratio a/b pair by pair: its median and range."""
    r = [x / y for x, y in zip(a, b)]
    return f"  {label}: median {statistics.median(r):.2f}x (pairs {min(r):.2f}-{max(r):.2f})"
