"""The ``admsim`` command line: one module per command, each adding itself with
``register(subparsers)``; :func:`main` runs one and turns errors into one line."""
from __future__ import annotations

import argparse
import sys

from .. import jsonio
from . import appraise, backtest, calibrate, catalogue, compare, forecast, profiles, run, sensitivity

# In the order `admsim --help` lists them.
COMMANDS = (compare, run, appraise, calibrate, forecast, backtest, sensitivity, catalogue, profiles)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="admsim",
        description="Simulate alternative delivery models for children's social care.")
    sub = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.register(sub)
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
    for name in ("judgements", "profile", "scenario", "weights", "config", "calibration", "adm_history",
                 "panels"):
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
