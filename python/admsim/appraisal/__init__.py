"""Options appraisal: gateway questions, weighted criteria and rank probabilities.

This does the job the seed documents describe (Worcestershire: 16 models, gateway questions, a
shortlist of five, weighted desirability / viability / feasibility criteria; Birmingham: 11
critical success factors), with simulated outcomes and honest uncertainty in place of a
spreadsheet.

>>> import admsim
>>> res = admsim.simulate("worcestershire-2017", years=5, replicates=200)
>>> a = admsim.appraise(res)
>>> a.table()          # gateway, criterion scores, weighted score, P(rank 1..k)
>>> a.robustness       # is the first place robust to replicates and weights?
>>> a.csf()            # which of Birmingham's critical success factors each model meets

Shipped defaults (gateway questions, criteria, weights and ranges, default judgement scores,
the critical success factors) are in ``admsim/data/appraisal.json``, each with its source;
:func:`defaults` returns them.

The parts, in the order an appraisal uses them: :mod:`.defaults`, :mod:`.gateway`,
:mod:`.criteria`, :mod:`.scoring` (raw values, normalisation), :mod:`.smaa` (weight draws, rank
probabilities), :mod:`.csf`, :mod:`.ranking` (the steps every appraisal shares),
:mod:`.procedure` (:func:`appraise`) and :mod:`.result` (:class:`Appraisal`). A region's vehicle
is appraised by :func:`appraise_region` (:mod:`.region`, defaults in
``admsim/data/region_appraisal.json``) on the region's totals, through the same steps.
"""
from .defaults import DIRECTIONS, GROUPS, KINDS, default_criteria, default_gateway, defaults
from .procedure import appraise
from .region import appraise_region, region_defaults, region_outcomes
from .result import Appraisal
from .scoring import normalise
from .smaa import rank_probabilities, sample_weights

__all__ = [
    "Appraisal", "DIRECTIONS", "GROUPS", "KINDS", "appraise", "appraise_region", "default_criteria",
    "default_gateway", "defaults", "normalise", "rank_probabilities", "region_defaults",
    "region_outcomes", "sample_weights",
]
