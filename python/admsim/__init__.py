"""admsim: simulate alternative delivery models for English children's social care.

>>> import admsim
>>> la = admsim.profiles.load("example-county")
>>> res = admsim.simulate(la, models=["in_house", "latc"], years=5, replicates=200, seed=7)
>>> res.summary()
"""
from . import profiles, risks
from ._core import ScenarioError
from ._version import __version__ as __version__  # the one place it is set
from .appraisal import Appraisal, appraise, appraise_region
from .catalogue import catalogue, load_catalogue
from .progress import CancelToken
from .results import Results, load
from .policy import Analyzer, Policy, PolicyState
from .national import NationalResults, simulate_nation
from .region import RegionResults, simulate_region
from .scenario import build_scenario, validate
from .scenarios import ScenarioResults, Scenarios
from .simulate import simulate

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
    "Analyzer",
    "Appraisal",
    "ScenarioError",
    "ScenarioResults",
    "Scenarios",
    "appraise",
    "appraise_region",
    "RegionResults",
    "Results",
    "build_scenario",
    "catalogue",
    "load",
    "load_catalogue",
    "NationalResults",
    "profiles",
    "risks",
    "simulate",
    "simulate_nation",
    "simulate_region",
    "validate",
]
