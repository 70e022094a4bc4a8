"""Global sensitivity analysis: Sobol and Morris indices over the C++ batch call.

>>> import admsim
>>> from admsim import sensitivity
>>> spec = admsim.build_scenario("example-county", ["in_house", "latc"], years=5, replicates=200)
>>> res = sensitivity.sobol(spec, ["quality_reversion_per_year", "latc.turnover"],
...                         ["latc.npv_cost"], n=256, bounds={"latc.turnover": (0.85, 1.15)})
>>> res.to_frame()          # S1, ST and their bootstrap intervals per (output, input)
>>> res.plot()              # bar chart with intervals

Sampling and analysis are SALib's (``SALib.sample.sobol`` / ``SALib.analyze.sobol``, and the
Morris pair); the model runs are one call into C++ (:func:`admsim._core.evaluate`) per batch of
rows, with the GIL released. Every row reuses the same replicate keys (common random numbers), so
an output differs between rows only because the inputs do, and the results are bit-identical for
any thread count, any chunking, and locally or on Dask.

:func:`run_chunks` is the nightly job behind ``admsim sensitivity``: it splits the sample into
chunks, evaluates them locally or as Dask tasks, writes each finished chunk atomically to
Parquet with its SHA-256 in ``checksums/``, skips the intact chunks already written when
restarted (a damaged one is evaluated again), then writes ``indices.csv``, plots and
``manifest.json``. :func:`run_national` is the same job across councils (every council of the
DfE panels, a shipped region, or a list of profiles): a chunk per council x block of rows, each
council's directory exactly what its own job would write, and tables across councils
(:class:`NationalSensitivity`: which input matters most in how many councils, by region).

The parts: :mod:`.design` (the SALib problem and sample), :mod:`.evaluate` (the batch call),
:mod:`.analysis` and :mod:`.results` (indices, tables, charts), :mod:`.methods` (``sobol``,
``morris``); for the nightly job :mod:`.plan` (config, sample, hashes), :mod:`.chunks` (chunk
files and their checks), :mod:`.execute` and :mod:`.cluster` (local threads or Dask),
:mod:`.nightly` (``run_chunks``), :mod:`.national` and :mod:`.national_results`.
"""
from .chunks import read_chunks
from .design import MAX_COUNT, METHODS, problem
from .evaluate import evaluate, evaluate_chunk
from .methods import morris, sobol
from .national import resolve_councils, run_national
from .national_results import NationalSensitivity
from .nightly import run_chunks
from .plan import scenario_hash
from .results import MorrisResult, SobolResult

__all__ = [
    "MAX_COUNT", "METHODS", "MorrisResult", "NationalSensitivity", "SobolResult", "evaluate",
    "evaluate_chunk", "morris", "problem", "read_chunks", "resolve_councils", "run_chunks",
    "run_national", "scenario_hash", "sobol",
]
