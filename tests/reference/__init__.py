"""Independent NumPy reference implementation of the admsim model (docs/model.md), used by
tests/python/test_reference.py as a statistical oracle and by benchmarks/bench_reference.py."""
from .model import simulate_reference

__all__ = ["simulate_reference"]
