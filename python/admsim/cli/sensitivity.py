"""``admsim sensitivity CONFIG.json --out DIR``: the nightly sensitivity job."""
from __future__ import annotations

import argparse
from pathlib import Path

from .options import positive_int

_DESCRIPTION = """\
Run a Sobol or Morris sensitivity analysis described by CONFIG.json, in chunks, resumably.

CONFIG.json holds:
  "scenario"   build_scenario arguments ({"profile": "example-county", "models": [...],
               "years": 5, "replicates": 200, "seed": 1}), a full scenario spec, or a path
               to a scenario JSON file
  "inputs"     engine parameters (see parameter_table()) or "<model>.<hook>" effects
  "bounds"     {input: [low, high]}; parameters default to their plausible range,
               effects must be given
  "outputs"    "<model>.<outcome>" (each the mean over the scenario's replicates)
  "method"     "sobol" (default) or "morris"
  "n"          Sobol base rows, a power of 2 (default 512), or Morris trajectories
  "seed"       sample and bootstrap seed (default 1)
  "chunk_rows" rows per chunk (default 256)
  optional: "calc_second_order", "levels" (Morris grid), "num_resamples", "conf_level"

Each finished chunk is written to DIR/chunks/chunk_NNNNN.parquet; run the same command
again after an interruption and the chunks already written are skipped. Results are
bit-identical locally and on Dask, and between interrupted and uninterrupted runs. At the
end DIR holds indices.csv, plots/*.png and manifest.json (scenario hash, seed, versions,
timings, chunks evaluated and skipped).

National runs: with --councils or --panels (or a "councils" entry in CONFIG.json: a list
of profiles, {"panels": DIR, "year": 2022, "regions": [...]} or {"region": "west-midlands"}),
the scenario has no profile and the analysis runs in every council, a chunk per council and
block of rows, locally or on Dask, resumably. DIR/councils/<slug>/ holds each council's run,
exactly what its own job would write; DIR/indices.csv every council's indices, national.csv
in how many councils each input matters most (and its index's spread), regions.csv the
same by region."""


def _cmd_sensitivity(args: argparse.Namespace) -> int:
    if args.threads is not None and (args.scheduler or args.local_cluster):
        raise ValueError("--threads applies to local runs only; Dask tasks run one thread each")
    if args.councils or args.panels or _names_councils(args.config):
        return _national(args)
    if args.year is not None or args.regions or args.plots:
        raise ValueError("--year, --regions and --plots apply to national runs (--councils or --panels)")
    from ..sensitivity import run_chunks  # SALib, pyarrow and Dask load only when it runs

    result = run_chunks(args.config, args.out, scheduler=args.scheduler,
                        local_cluster=args.local_cluster, threads=args.threads,
                        progress=not args.quiet)
    m = result.manifest or {}
    chunks = m.get("chunks", {})
    print(f"{result!r}")
    print(f"chunks: {chunks.get('evaluated')} evaluated, {chunks.get('skipped')} already written; "
          f"{m.get('timings_s', {}).get('total', float('nan')):.1f} s")
    key = "ST" if m.get("method") == "sobol" else "mu_star"
    frame = result.to_frame()
    for output, group in frame.groupby("output", sort=False):
        top = group.sort_values(key, ascending=False).head(5)
        print(f"  {output}: " + ", ".join(f"{r.input} {key}={getattr(r, key):.3g}"
                                          for r in top.itertuples()))
    print(f"Indices, plots and manifest written to {args.out}")
    return 0


def _names_councils(config: Path) -> bool:
    """Whether CONFIG.json has a "councils" entry (a national run); errors are left to the run."""
    from .. import jsonio

    try:
        cfg = jsonio.read(config, "sensitivity config")
    except (OSError, ValueError):
        return False
    return isinstance(cfg, dict) and "councils" in cfg


def _councils(args: argparse.Namespace):
    """--panels DIR [--year] [--regions], or --councils (slugs, files, shipped regions)."""
    from .. import profiles

    if args.panels and args.councils:
        raise ValueError("give --councils or --panels, not both")
    if args.panels:
        return {"panels": str(args.panels), "year": args.year or 2022,
                **({"regions": args.regions} if args.regions else {})}
    if args.year is not None or args.regions:
        raise ValueError("--year and --regions choose councils from the DfE panels: give --panels DIR")
    if not args.councils:
        return None  # the config's "councils"
    by_region: dict[str, list] = {}
    shipped = profiles.regions()
    for item in args.councils:
        if item in shipped:
            by_region.setdefault(item, []).extend(profiles.region(item))
        else:
            by_region.setdefault("-", []).append(item)
    return by_region


def _national(args: argparse.Namespace) -> int:
    from ..sensitivity import run_national

    result = run_national(args.config, args.out, _councils(args), scheduler=args.scheduler,
                          local_cluster=args.local_cluster, threads=args.threads,
                          progress=not args.quiet, plots=args.plots)
    m = result.manifest or {}
    chunks = m.get("chunks", {})
    print(f"{result!r}")
    print(f"chunks: {chunks.get('evaluated')} evaluated, {chunks.get('skipped')} already written; "
          f"{m.get('timings_s', {}).get('total', float('nan')):.1f} s")
    table = result.national()
    for output, group in table.groupby("output", sort=False):
        print(f"  {output}, the input that matters most: " + ", ".join(
            f"{r.input} in {r.top} of {r.councils}" for r in group.head(3).itertuples()))
    print(f"Per-council results in {args.out}/councils/; indices.csv, national.csv, regions.csv, "
          f"plots and manifest written to {args.out}")
    return 0


def register(subparsers) -> argparse.ArgumentParser:
    """Add ``sensitivity`` to the ``admsim`` subcommands and return its parser."""
    p = subparsers.add_parser(
        "sensitivity", help="Sobol/Morris sensitivity analysis, chunked and resumable (nightly job)",
        description=_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("config", type=Path, metavar="CONFIG.json", help="analysis configuration (JSON)")
    p.add_argument("--out", type=Path, required=True, metavar="DIR",
                   help="directory for chunks, indices.csv, plots and manifest.json")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--scheduler", metavar="ADDRESS", default=None,
                       help="run chunks as tasks on the Dask scheduler at ADDRESS "
                            "(e.g. tcp://10.0.0.5:8786)")
    where.add_argument("--local-cluster", type=positive_int, metavar="N", default=None,
                       help="run chunks on a Dask LocalCluster of N single-threaded workers")
    p.add_argument("--threads", type=positive_int, default=None, metavar="N",
                   help="threads for a local run (default: all cores)")
    nat = p.add_argument_group("national runs (the same analysis in many councils)")
    nat.add_argument("--councils", nargs="+", metavar="COUNCIL", default=None,
                     help="shipped profile slugs, profile JSON files or shipped regions "
                          "(e.g. west-midlands)")
    nat.add_argument("--panels", type=Path, metavar="DIR", default=None,
                     help="every council of the DfE LA panels in DIR (e.g. ../shared/data/la_panels)")
    nat.add_argument("--year", type=positive_int, default=None, help="panels reporting year (default 2022)")
    nat.add_argument("--regions", nargs="+", metavar="REGION", default=None,
                     help="with --panels: only these DfE regions (e.g. 'West Midlands')")
    nat.add_argument("--plots", action="store_true", help="also write each council's plots")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_sensitivity)
    return p
