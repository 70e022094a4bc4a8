"""admsim: simulate alternative delivery models for English children's social care.

>>> import admsim
>>> la = admsim.profiles.load("example-county")
>>> res = admsim.simulate(la, models=["in_house", "latc"], years=5, replicates=200, seed=7)
>>> res.summary()
"""
from . import profiles
from ._core import ScenarioError
from .catalogue import catalogue, load_catalogue
from .scenario import build_scenario, validate
from .simulate import Results, simulate

__version__ = "0.1.0"
__all__ = [
    "ScenarioError",
    "Results",
    "build_scenario",
    "catalogue",
    "load_catalogue",
    "profiles",
    "simulate",
    "validate",
]
