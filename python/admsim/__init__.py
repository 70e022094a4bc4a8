"""admsim: simulate alternative delivery models for English children's social care.

>>> import admsim
>>> la = admsim.profiles.load("example-county")
>>> res = admsim.simulate(la, models=["in_house", "latc"], years=5, replicates=200, seed=7)
>>> res.summary()
"""
from . import profiles, risks
from ._core import ScenarioError
from .appraise import Appraisal, appraise
from .catalogue import catalogue, load_catalogue
from .scenario import build_scenario, validate
from .policy import Policy, PolicyState
from .simulate import CancelToken, Results, simulate
from .results_io import load

__version__ = "0.1.0"

# Submodules that pull in matplotlib, SALib or Dask load on first use: `import admsim` stays fast.
_LAZY = {"report", "plot", "sensitivity", "calibration"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'admsim' has no attribute {name!r}")
__all__ = [
    "CancelToken",
    "Policy",
    "PolicyState",
    "Appraisal",
    "ScenarioError",
    "appraise",
    "Results",
    "build_scenario",
    "catalogue",
    "load",
    "load_catalogue",
    "profiles",
    "risks",
    "simulate",
    "validate",
]
