"""The admsim command line: compare delivery models, run a scenario file, list the catalogue."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from . import jsonio, profiles
from .catalogue import catalogue
from .scenario import DEFAULT_MODELS, build_scenario, load_scenario
from .simulate import Results, run_spec, table_from_summary

def format_table(summary: pd.DataFrame) -> str:
    """The comparison as text (see :meth:`Results.table`)."""
    return table_from_summary(summary).to_string()


def _report(results: Results, out: Path | None, appraisal=None) -> None:
    summary = results.summary()
    print(f"\n{results!r}\n")
    print(format_table(summary))
    print(f"\nIntervals and differences are over replicates; differences are paired against "
          f"'{results.baseline}' (common random numbers).")
    if out is not None:
        import matplotlib

        matplotlib.use("Agg")  # files only, no display
        from .report import output_files, write_report

        write_report(results, out, appraisal=appraisal)
        print(f"\nWritten to {out}:")
        for path in output_files(out, appraisal=appraisal is not None):
            print(f"  {path}")


def _cmd_compare(args: argparse.Namespace) -> int:
    # The report's conclusion (P(best), paired intervals) needs every replicate's outcomes.
    spec = build_scenario(args.profile, args.models or list(DEFAULT_MODELS), years=args.years,
                          replicates=args.replicates, seed=args.seed,
                          output="full" if args.out else "summary")
    _report(run_spec(spec, threads=args.threads, allow_large=args.allow_large), args.out)
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    spec = load_scenario(args.scenario)
    _report(run_spec(spec, threads=args.threads, allow_large=args.allow_large), args.out)
    return 0


def _cmd_appraise(args: argparse.Namespace) -> int:
    from .appraisal import appraise

    if args.scenario is not None:
        spec = load_scenario(args.scenario)
        spec["output"] = "full"  # rank probabilities need every replicate
    else:
        spec = build_scenario(args.profile, args.models or list(catalogue().index), years=args.years,
                              replicates=args.replicates, seed=args.seed)
    weights = jsonio.read(args.weights, "weights file") if args.weights else None
    results = run_spec(spec, threads=args.threads, allow_large=args.allow_large)
    appraisal = appraise(results, weights=weights, seed=args.seed)
    table = appraisal.table()
    ranks = [c for c in table.columns if c.startswith("P(rank")][:3]
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(appraisal.gateway[["passed", "failed"]].to_string())
        print()
        print(table[["score", "score 5%", "score 95%", *ranks]].to_string(float_format=lambda v: f"{v:.2f}"))
    print(f"\n{appraisal.robustness}")
    if args.out is not None:
        _report(results, args.out, appraisal=appraisal)
    return 0


def _cmd_catalogue(args: argparse.Namespace) -> int:
    table = catalogue()[["name", "group", "birmingham_number"]].copy()
    # Birmingham's 2016 numbering (1-19); models it did not number have none
    table["birmingham_number"] = table["birmingham_number"].astype("Int64")
    with pd.option_context("display.max_rows", None, "display.width", 200):
        print(table.to_string())
    return 0


def _cmd_profiles(args: argparse.Namespace) -> int:
    rows = []
    for slug in profiles.available():
        p = profiles.load(slug)
        rows.append({"profile": slug, "council": p.get("name", ""), "as of": p.get("as_of", ""),
                     "children 0-17": f"{p['population']['children_0_17']:,.0f}",
                     "last Ofsted grade": p.get("ofsted", {}).get("last_grade", "")})
    print(pd.DataFrame(rows).set_index("profile").to_string())
    return 0


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="admsim",
        description="Simulate alternative delivery models for children's social care.")
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--threads", type=_positive_int, default=None, help="worker threads (default: all)")
        p.add_argument("--allow-large", action="store_true",
                       help="run even if estimated to need over half the memory or over two hours")
        p.add_argument("--out", type=Path, default=None,
                       help="write the summary (CSV, Parquet), charts (PNG) and report.html here")

    compare = sub.add_parser("compare", help="compare delivery models for one council",
                             description="Compare delivery models for one council and print a table; "
                                         "with --out, also write a report.")
    compare.add_argument("--profile", default="example-county",
                         help="shipped profile slug or path to a profile JSON (default: example-county)")
    compare.add_argument("--models", nargs="+", default=None,
                         help=f"catalogue ids (default: {' '.join(DEFAULT_MODELS)})")
    compare.add_argument("--years", type=int, default=10, help="horizon in years (default 10)")
    compare.add_argument("--replicates", type=int, default=1000, help="replicates per model (default 1000)")
    compare.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    common(compare)
    compare.set_defaults(func=_cmd_compare)

    run = sub.add_parser("run", help="run a scenario JSON file",
                         description="Run a scenario JSON file and print a table; with --out, "
                                     "also write a report.")
    run.add_argument("scenario", type=Path, help="scenario JSON (see python/admsim/data/scenario.schema.json)")
    common(run)
    run.set_defaults(func=_cmd_run)

    appr = sub.add_parser(
        "appraise", help="options appraisal: gateway, weighted criteria, rank probabilities",
        description="Simulate the models, apply the gateway questions (Worcestershire's four by "
                    "default), score the weighted criteria and report rank probabilities over "
                    "replicates and weight ranges. With --out, also write the report.")
    appr.add_argument("scenario", type=Path, nargs="?", default=None,
                      help="optional scenario JSON; otherwise --profile/--models/--years/...")
    appr.add_argument("--profile", default="example-county", help="profile slug or path (default example-county)")
    appr.add_argument("--models", nargs="+", default=None, help="catalogue ids (default: every catalogue model)")
    appr.add_argument("--years", type=int, default=5, help="horizon in years (default 5)")
    appr.add_argument("--replicates", type=int, default=300, help="replicates per model (default 300)")
    appr.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    appr.add_argument("--weights", default=None,
                      help="JSON file {criterion: weight or [low, high]} overriding the shipped weights")
    common(appr)
    appr.set_defaults(func=_cmd_appraise)

    from .calibration.cli import register as register_calibration
    from .cli_sensitivity import register as register_sensitivity

    register_calibration(sub)
    register_sensitivity(sub)

    cat = sub.add_parser("catalogue", help="list the delivery models", description="List the delivery models.")
    cat.set_defaults(func=_cmd_catalogue)
    prof = sub.add_parser("profiles", help="list the shipped council profiles",
                          description="List the shipped council profiles.")
    prof.set_defaults(func=_cmd_profiles)
    return parser


def _one_line(err: BaseException) -> str:
    text = " ".join(str(err).split()) or type(err).__name__
    hint = ""
    if "(did you mean" in text:  # keep the suggestion when a long list of allowed names is cut
        text, _, rest = text.rpartition(" (did you mean")
        hint = " (did you mean" + rest
    return (text if len(text) <= 400 else text[:397] + "...") + hint


def main(argv: list[str] | None = None) -> int:
    """The ``admsim`` command. Bad input ends in one line on stderr and exit status 2, never a
    traceback; Ctrl-C in status 130."""
    args = build_parser().parse_args(argv)
    for name in ("judgements", "profile", "scenario", "weights", "config", "calibration", "adm_history"):
        value = getattr(args, name, None)
        if value is not None and jsonio.is_url(value):  # inputs are local files, never fetched
            print(f"admsim: error: --{name} must be a local path, not {str(value)!r}", file=sys.stderr)
            return 2
    try:
        return args.func(args)
    except (ValueError, OSError, KeyError, TypeError, LookupError, UnicodeError) as err:
        print(f"admsim: error: {_one_line(err)}", file=sys.stderr)
        return 2
    except RecursionError:
        print("admsim: error: input nested too deeply", file=sys.stderr)
        return 2
    except MemoryError:
        print("admsim: error: out of memory: use fewer replicates or --output summary", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("admsim: interrupted (admsim sensitivity resumes if run again)", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
