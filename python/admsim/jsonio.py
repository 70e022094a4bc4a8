"""JSON in and out of the engine, checked the way the C++ parser checks it.

Errors are ``ScenarioError`` naming the JSON pointer, the value and what is allowed, like the
engine's own. Files are read strictly: a key given twice, ``NaN``/``Infinity`` (not JSON) and
nesting deeper than the engine accepts are refused instead of silently taking one reading.
Python values bound for the engine are walked without recursion, so a dict nested 10^5 deep is
refused by name rather than ending in ``RecursionError``.
"""
from __future__ import annotations

import contextlib
import difflib
import json
import math
import re
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from . import _core

MAX_DEPTH: int = int(_core.max_json_depth)


def scenario_error(pointer: str, problem: str, value: Any, allowed: str) -> Exception:
    """A ``ScenarioError`` raised from Python, shaped like the C++ ones."""
    shown = repr(value)
    if len(shown) > 80:
        shown = shown[:77] + "..."
    err = _core.ScenarioError(f"{pointer or '(document)'}: {problem}; got {shown}; allowed: {allowed}")
    err.pointer, err.value, err.allowed = pointer, shown, allowed
    return err


def _token(key: Any) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")


def check_value(value: Any, pointer: str = "") -> None:
    """Refuse what JSON cannot carry to the engine, naming the field: NaN or infinity, keys that
    are not strings, objects that are not JSON values, nesting deeper than ``MAX_DEPTH``."""
    stack: list[tuple[Any, str, int]] = [(value, pointer, 0)]
    while stack:
        item, where, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise scenario_error(where[:200], "nested too deeply", f"more than {MAX_DEPTH} levels",
                                 f"at most {MAX_DEPTH} levels of objects and arrays")
        if isinstance(item, (bool, np.bool_)) or item is None or isinstance(item, str):
            continue
        if isinstance(item, (int, np.integer)):
            continue
        if isinstance(item, (float, np.floating)):
            if not math.isfinite(item):
                raise scenario_error(where, "non-finite number", item, "a finite number")
            continue
        if isinstance(item, np.ndarray):
            item = item.tolist()
        if isinstance(item, Mapping):
            for key, child in item.items():
                if not isinstance(key, str):
                    raise scenario_error(f"{where}/{_token(key)}", "a key that is not a string", key,
                                         "string keys (JSON objects)")
                stack.append((child, f"{where}/{_token(key)}", depth + 1))
        elif isinstance(item, (list, tuple)):
            stack.extend((child, f"{where}/{i}", depth + 1) for i, child in enumerate(item))
        else:
            raise scenario_error(where, "not a JSON value", type(item).__name__,
                                 "a number, string, true/false, null, list or dict")


def _json_default(value: Any) -> Any:
    # NumPy scalars and arrays (e.g. years=np.int64(5)) serialise as plain numbers and lists.
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"cannot put a {type(value).__name__} in a scenario: {value!r}")


def dumps(value: Any) -> str:
    """Serialise for C++ after :func:`check_value`."""
    check_value(value)
    return json.dumps(value, allow_nan=False, default=_json_default)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Duplicate(key)
        out[key] = value
    return out


class _Duplicate(Exception):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def loads(text: str | bytes, source: str = "the document") -> Any:
    """Parse JSON strictly (see the module docstring); errors name ``source``."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as err:
            raise scenario_error("", f"{source} is not UTF-8 text (byte {err.start})",
                                 text[max(0, err.start - 10):err.start + 10], "a UTF-8 JSON document") from None
    try:
        value = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_not_json)
    except _Duplicate as dup:
        raise scenario_error("", f"the key {dup.key!r} appears twice in one object of {source}",
                             dup.key, "each key once per object") from None
    except json.JSONDecodeError as err:
        raise scenario_error("", f"malformed JSON at line {err.lineno} column {err.colno} of {source}",
                             err.msg, "a JSON document") from None
    except RecursionError:
        raise scenario_error("", f"{source} is nested too deeply", "more levels than Python can read",
                             f"at most {MAX_DEPTH} levels of objects and arrays") from None
    except ValueError as err:
        raise scenario_error("", f"unreadable JSON in {source}", str(err)[:80],
                             f"a JSON document with finite numbers, at most {MAX_DEPTH} levels deep") from None
    check_value(value)
    return value


def is_url(path: str | Path) -> bool:
    """Whether ``path`` names a URL (scheme:/...) rather than a local file: inputs are never
    fetched. (Path() folds "http://" to "http:/", so both forms count.)"""
    return re.match(r"^[A-Za-z][A-Za-z0-9+.-]+:/", str(path)) is not None


def read(path: str | Path, what: str = "JSON file") -> Any:
    """Read a local JSON file strictly; a missing or unreadable file is a ``ScenarioError``."""
    p = Path(path)
    if is_url(path):
        raise scenario_error("", f"{what} must be a local file", str(path), "a path on this machine")
    try:
        data = p.read_bytes()
    except OSError as err:
        raise scenario_error("", f"cannot read {what} {p}", err.strerror or str(err), "a readable local file") from None
    return loads(data, str(p))


def did_you_mean(word: str, choices: list[str] | tuple[str, ...]) -> str:
    """' (did you mean 'x'?)' for the closest of ``choices`` to ``word``, or ''."""
    close = difflib.get_close_matches(str(word), list(choices), n=2, cutoff=0.6)
    return f" (did you mean {' or '.join(map(repr, close))}?)" if close else ""


@contextlib.contextmanager
def suggestions():
    """Re-raise an engine ``ScenarioError`` for an unknown name with the closest allowed name."""
    try:
        yield
    except _core.ScenarioError as err:
        allowed = getattr(err, "allowed", "") or ""
        value = (getattr(err, "value", "") or "").strip('"\'')
        if not allowed.startswith("one of ") or not value:
            raise
        hint = did_you_mean(value, [c.strip() for c in allowed[len("one of "):].split(",")])
        if not hint:
            raise
        new = _core.ScenarioError(str(err) + hint)
        new.pointer, new.value, new.allowed = err.pointer, err.value, err.allowed
        raise new from None
