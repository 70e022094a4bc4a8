#!/usr/bin/env python3
"""Fuzz the scenario parser and the engine (issue 12, "standing gates").

    python3 scripts/fuzz.py --seconds 60            # fuzz for a minute (make fuzz: 30 minutes)
    python3 scripts/fuzz.py --replay                # replay tests/data/fuzz_corpus/*.json
    python3 scripts/fuzz.py --record FILE... [--target core|file] [--note TEXT]   # add to the corpus

Inputs come from three generators, given shares of the run time:

* ``schema``: documents drawn by hypothesis-jsonschema from the shipped JSON Schema
  (python/admsim/data/scenario.schema.json): the whole schema now and then, and more often one
  part of it (the profile or one of its sections, a model, a model's effects, interventions,
  risks, parameters, the top-level scalars) spliced into a valid scenario;
* ``mutate``: valid scenarios (the shipped profiles and tests/data/profile_small.json, a few
  models as catalogue ids, overrides and new definitions, interventions, parameters, risks) with
  one to three structured mutations: extreme numbers (1e308, -1e308, 5e-324, huge integers,
  negative, 0), non-JSON number literals (1e999, NaN, 0x10, ...), numbers as strings ("nan",
  "inf"), wrong types, deleted and unknown keys, duplicate keys, arrays repeated many times,
  nesting up to 200000 deep, long ASCII/accented/emoji strings, invalid UTF-8 in strings and
  keys, random effect distributions with extreme parameters, extra interventions/parameters/
  risks; now and then the JSON text is cut short;
* ``bytes``: random byte-level edits (flips, inserted tokens and bytes, deleted, repeated and
  moved ranges, truncation) of small valid scenario texts.

Each input runs in a child process (forked; restarted after a crash, killed after --timeout
seconds) on one of two targets:

* ``core`` (most inputs): ``_core.validate(text, catalogue_json)``; if valid, the scenario
  capped to at most 1 year, 2 replicates and 2 models goes to ``_core.simulate(..., threads=1)``.
  Text that is not UTF-8 is passed as ``bytes`` (pybind11 takes both).
* ``file``: the text written to a file and read as ``admsim run`` reads it:
  ``scenario.load_scenario`` -> ``admsim.validate`` -> ``run_spec`` (capped) -> ``summary()``.

Documented outcomes: success; ``admsim.ScenarioError`` (``_core.ScenarioError``, a ValueError),
as README.md says of bad input; a plain ``ValueError`` or ``TypeError`` (exactly those types:
UnicodeDecodeError, a ValueError subclass, is not one). Anything else is a finding: another
exception type (RuntimeError, RecursionError, UnicodeDecodeError, MemoryError under the child's
address-space limit, ...), a signal (SIGSEGV, SIGABRT, ...), an exit, or no answer within
--timeout seconds (twice). Each new finding is shrunk (structure first, then bytes) while it
keeps its signature and saved to the corpus as ``<sha256[:16]>.json`` (the input's bytes) with
``<sha256[:16]>.outcome`` (JSON: per target, the stage, outcome, exception type and message or
signal, generator and mutation). Before fuzzing, each numeric field of the seeds and each effect
parameter is probed with +-1.8e308; the bounds the parser names in its messages ("allowed: a
number in [0, 10]") are learnt then and during the run, and the ``edge`` mutations put fields
at and just past them. Prints the executions, their rate, the outcomes and each finding; exits
1 if there was any finding (2 on a usage error).
"""
from __future__ import annotations

import argparse
import copy
import hashlib
import json
import math
import os
import random
import re
import signal
import sys
import tempfile
import time
import traceback
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_PATH = ROOT / "python" / "admsim" / "data" / "scenario.schema.json"
CORPUS = ROOT / "tests" / "data" / "fuzz_corpus"
SMALL_PROFILE = ROOT / "tests" / "data" / "profile_small.json"

os.environ.setdefault("OMP_NUM_THREADS", "1")  # the child forks from this process: no BLAS pools
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
try:
    import admsim  # noqa: E402
except ImportError:  # running from a checkout with the extension built in place
    sys.path.insert(0, str(ROOT / "python"))
    import admsim  # noqa: E402
from admsim import _core  # noqa: E402
from admsim.catalogue import catalogue_json  # noqa: E402

# Sizes of what is simulated: an input's scenario is capped to these before _core.simulate.
MAX_YEARS, MAX_REPLICATES, MAX_MODELS = 1, 2, 2
MAX_INPUT_BYTES = 3_000_000
CLEAN = ("ok", "rejected", "allowed")


# ==== the target (runs in the child) ==========================================================
def _cap(spec):
    """The scenario with years, replicates and models capped; (spec, whether it changed)."""
    if not isinstance(spec, dict):
        return spec, False
    out, changed = dict(spec), False
    for key, most in (("years", MAX_YEARS), ("replicates", MAX_REPLICATES)):
        value = out.get(key)  # the parser takes 1e8 for 100000000: floats too
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value > most:
            out[key], changed = most, True
    models = out.get("models")
    if isinstance(models, list) and len(models) > MAX_MODELS:
        keep = models[:MAX_MODELS]
        base = out.get("baseline")
        ids = [m if isinstance(m, str) else m.get("id") if isinstance(m, dict) else None for m in models]
        if base in ids and base not in ids[:MAX_MODELS]:
            keep = [models[0], models[ids.index(base)]]
        out["models"], changed = keep, True
    return out, changed


def _classify(stage: str, err: BaseException) -> dict:
    kind = type(err)
    name = f"{kind.__module__}.{kind.__qualname__}" if kind.__module__ != "builtins" else kind.__qualname__
    if isinstance(err, _core.ScenarioError):
        outcome = "rejected"
    elif kind in (ValueError, TypeError):
        outcome = "allowed"
    else:
        outcome = "error"
    res = {"outcome": outcome, "stage": stage, "type": name, "message": _text(err)[:600]}
    if outcome == "error":
        res["traceback"] = "".join(traceback.format_exception(err)[-6:])[-2000:]
    return res


def _text(err: BaseException) -> str:
    try:
        return str(err)
    except Exception as e:  # noqa: BLE001 - a message that cannot be printed is itself reported
        return f"<str() failed: {type(e).__name__}>"


def run_core(data: bytes, catalogue: str) -> dict:
    stage = "decode"
    try:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            # Not UTF-8: first as a str holding the bad bytes as lone surrogates (what
            # open(errors="surrogateescape") reads), then as bytes, which reach the parser as they are.
            stage = "validate(str)"
            try:
                _core.validate(data.decode("utf-8", "surrogateescape"), catalogue)
            except BaseException as err:  # noqa: BLE001
                res = _classify(stage, err)
                if res["outcome"] == "error":
                    return res
            text = data
        stage = "validate"
        _core.validate(text, catalogue)
        stage = "cap"
        try:
            spec = json.loads(data)
        except (ValueError, RecursionError):
            return {"outcome": "ok", "stage": "validate", "note": "valid for C++, not parsed by Python json"}
        capped, changed = _cap(spec)
        sim_text = json.dumps(capped) if changed else text
        stage = "simulate"
        _core.simulate(sim_text, catalogue, 1, None)
        return {"outcome": "ok", "stage": "simulate", "capped": changed}
    except BaseException as err:  # noqa: BLE001 - every exception is classified
        res = _classify(stage, err)
        if stage == "simulate" and res["outcome"] != "error":
            res["capped"] = changed
        return res


def run_file(data: bytes, catalogue: str, workdir: str) -> dict:
    from admsim.scenario import load_scenario
    from admsim.simulate import run_spec

    stage = "load"
    try:
        path = Path(workdir) / "scenario.json"
        path.write_bytes(data)
        spec = load_scenario(path)
        stage = "validate"
        admsim.validate(spec)
        stage = "simulate"
        capped, changed = _cap(spec)
        res = run_spec(capped, threads=1, progress=False)
        stage = "summary"
        res.summary()
        return {"outcome": "ok", "stage": "summary", "capped": changed}
    except BaseException as err:  # noqa: BLE001
        return _classify(stage, err)


def _child(conn, catalogue: str, mem_bytes: int) -> None:
    import resource

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent
    if mem_bytes > 0:
        try:
            with open("/proc/self/status") as fh:
                vm = int(re.search(r"VmSize:\s+(\d+)", fh.read()).group(1)) * 1024
            resource.setrlimit(resource.RLIMIT_AS, (vm + mem_bytes, vm + mem_bytes))
        except (OSError, ValueError, AttributeError):
            pass
    warnings.simplefilter("ignore")
    workdir = tempfile.mkdtemp(prefix="admsim-fuzz-")
    while True:
        try:
            msg = conn.recv()
        except EOFError:
            return
        except MemoryError:  # the harness, not the target: say so rather than die
            conn.send({"outcome": "skipped", "stage": "recv", "ms": 0})
            continue
        if msg is None:
            return
        target, data = msg
        t0 = time.perf_counter()
        res = run_core(data, catalogue) if target == "core" else run_file(data, catalogue, workdir)
        res["ms"] = round(1000 * (time.perf_counter() - t0), 3)
        conn.send(res)


class Executor:
    """Runs inputs in a forked child; a crash or a hang is an outcome, not the end of the run."""

    def __init__(self, timeout: float, mem_mb: int = 3072):
        import multiprocessing as mp

        self.ctx = mp.get_context("fork")
        self.timeout, self.mem = timeout, mem_mb * 2**20
        self.catalogue = catalogue_json()
        self.proc = self.conn = None
        self.restarts = 0

    def _start(self) -> None:
        parent, child = self.ctx.Pipe()
        self.proc = self.ctx.Process(target=_child, args=(child, self.catalogue, self.mem), daemon=True)
        self.proc.start()
        child.close()
        self.conn = parent

    def _stop(self) -> int | None:
        if self.proc is None:
            return None
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(5)
        code = self.proc.exitcode
        self.conn.close()
        self.proc = self.conn = None
        return code

    def close(self) -> None:
        if self.proc is not None:
            try:
                self.conn.send(None)
            except OSError:
                pass
            self.proc.join(2)
            self._stop()

    def run(self, target: str, data: bytes, timeout: float | None = None) -> dict:
        if self.proc is None:
            self._start()
        t0 = time.perf_counter()
        try:
            self.conn.send((target, data))
            if self.conn.poll(timeout or self.timeout):
                return self.conn.recv()
            hung = True
        except (EOFError, OSError):
            hung = False
        if hung:
            self._stop()
            self.restarts += 1
            return {"outcome": "hang", "stage": "?", "ms": round(1000 * (time.perf_counter() - t0), 3)}
        self.proc.join(5)
        code = self._stop()
        self.restarts += 1
        res = {"outcome": "crash", "stage": "?", "exitcode": code,
               "ms": round(1000 * (time.perf_counter() - t0), 3)}
        if code is not None and code < 0:
            try:
                res["signal"] = signal.Signals(-code).name
            except ValueError:
                res["signal"] = f"signal {-code}"
        return res


def signature(target: str, res: dict) -> tuple | None:
    """What identifies a finding (None for a documented outcome)."""
    out = res["outcome"]
    if out in CLEAN or out == "skipped":
        return None
    if out == "crash":
        return (target, "crash", res.get("signal") or f"exit {res.get('exitcode')}")
    if out == "hang":
        return (target, "hang")
    if res["type"] in ("UnicodeDecodeError", "UnicodeEncodeError", "RecursionError", "MemoryError"):
        return (target, res["stage"], res["type"], "")  # the message names only a byte or a depth
    return (target, res["stage"], res["type"], _normalise(res.get("message", "")))


def _normalise(message: str) -> str:
    m = re.sub(r"'[^']{0,200}'|\"[^\"]{0,200}\"", "'_'", message)
    m = re.sub(r"0x[0-9a-fA-F]+", "X", m)
    m = re.sub(r"\d+(\.\d+)?([eE][+-]?\d+)?", "N", m)
    return m[:90]


def describe(sig: tuple) -> str:
    if sig[1] == "crash":
        return f"{sig[0]}: crash {sig[2]}"
    if sig[1] == "hang":
        return f"{sig[0]}: hang (no answer within the timeout, twice)"
    return f"{sig[0]}/{sig[1]}: {sig[2]}: {sig[3]}"


# ==== JSON trees with raw tokens and duplicate keys ===========================================
class Raw:
    """Bytes put in the JSON text as they are (a non-JSON number, invalid UTF-8, deep nesting)."""

    __slots__ = ("data", "kind", "n")

    def __init__(self, data: bytes, kind: str = "raw", n: int = 0):
        self.data, self.kind, self.n = data, kind, n

    def __deepcopy__(self, memo):
        return self

    def __repr__(self):
        return f"Raw({self.kind}, {len(self.data)} bytes)"


class Pairs(list):
    """An object written as its [key, value] pairs in order: keys may repeat."""


def nest(kind: str, depth: int) -> Raw:
    if kind == "array":
        data = b"[" * depth + b"]" * depth
    elif kind == "object":
        data = b'{"a":' * depth + b"0" + b"}" * depth
    elif kind == "mixed":
        half = max(depth // 2, 1)
        data = b'[{"a":' * half + b"0" + b"}]" * half
    else:  # "open": never closed
        data = b"[" * depth
    return Raw(data, "nest:" + kind, depth)


def encode(v, ascii_: bool = True) -> bytes:
    if isinstance(v, Raw):
        return v.data
    if isinstance(v, Pairs):
        return b"{" + b",".join(_key(k, ascii_) + b":" + encode(x, ascii_) for k, x in v) + b"}"
    if isinstance(v, dict):
        return b"{" + b",".join(_key(k, ascii_) + b":" + encode(x, ascii_) for k, x in v.items()) + b"}"
    if isinstance(v, list):
        return b"[" + b",".join(encode(x, ascii_) for x in v) + b"]"
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=ascii_).encode("utf-8", "surrogatepass")
    if isinstance(v, bool) or v is None:
        return json.dumps(v).encode()
    if isinstance(v, int):
        return str(v).encode()
    if isinstance(v, float):
        return json.dumps(v).encode()  # NaN/Infinity stay as Python writes them
    raise TypeError(type(v))


def _key(k, ascii_: bool) -> bytes:
    return k.data if isinstance(k, Raw) else encode(str(k), ascii_)


def walk(node, path=()):
    yield path, node
    if isinstance(node, Pairs):
        for i, (_k, v) in enumerate(node):
            yield from walk(v, path + (("pair", i),))
    elif isinstance(node, dict):
        for k, v in node.items():
            yield from walk(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from walk(v, path + (i,))


def get(root, path):
    for p in path:
        root = root[p[1]][1] if isinstance(p, tuple) else root[p]
    return root


def put(root, path, value):
    if not path:
        return value
    parent, last = get(root, path[:-1]), path[-1]
    if isinstance(last, tuple):
        parent[last[1]][1] = value
    else:
        parent[last] = value
    return root


def delete(root, path):
    parent, last = get(root, path[:-1]), path[-1]
    if isinstance(last, tuple):
        del parent[last[1]]
    else:
        del parent[last]
    return root


def pattern(path) -> str:
    return "/" + "/".join("*" if not isinstance(p, str) else p for p in path)


# ==== generators ==============================================================================
INTERESTING_NUMBERS = [
    0, -0.0, 1, -1, 2, 0.5, 1e308, -1e308, 1.7976931348623157e308, -1.7976931348623157e308,
    5e-324, -5e-324, 2.2250738585072014e-308, 1e-300, 1e300, -1e300, 1e16, 1e8, -1e8, 1e15,
    2**31 - 1, 2**31, -2**31, -2**31 - 1, 2**32, 2**53, 2**53 + 1, 2**63 - 1, 2**63, -2**63,
    -2**63 - 1, 2**64 - 1, 2**64, 10**30, -10**30, 10**400, 0.9999999999999999,
    1.0000000000000002, 12, 120, 600, 100000, 1e5 + 0.5, 3.0, -3.0,
    1e-323, 2.5e-323, 1e-322, 1e-320, 1e-310, -1e-320,  # subnormal: spans that underflow
]
RAW_NUMBERS = [
    b"1e999", b"-1e999", b"1e-999", b"NaN", b"nan", b"Infinity", b"-Infinity", b"inf", b"1e",
    b"1.", b".5", b"-", b"+1", b"01", b"0x10", b"1_000", b"1e+", b"-0", b"0e0", b"1E400",
    b"123456789012345678901234567890123456789", b"-123456789012345678901234567890",
    b"18446744073709551616", b"18446744073709551615", b"9223372036854775808",
    b"-9223372036854775809", b"4.9406564584124654e-324", b"2.4703282292062327e-324",
    b"1" + b"0" * 400, b"0." + b"0" * 400 + b"1", b"1" * 5000, b"-0.0e-0",
]
BAD_UTF8 = [b"\xff", b"\xfe", b"\xc0\xaf", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80", b"\xf4\x90\x80\x80",
            b"\x80", b"\xf8\x88\x80\x80\x80", b"\xc3\x28", b"\xe2\x28\xa1"]
WRONG_TYPES = [None, True, False, [], {}, [1], {"a": 1}, "x", 0, 1.5, [[]], [None], {"": None}]
NEST_DEPTHS = [2, 50, 500, 5000, 50000, 100000, 200000]
TOKENS = [b"{", b"}", b"[", b"]", b'"', b",", b":", b"\\", b"0", b"-", b"e", b".", b"\x00", b"\xff",
          b"\xc3", b"\n", b"1e999", b"null", b'"a":1,', b"\\u0000", b"\\ud800", b"9" * 30, b"true"]


def strings(rng: random.Random) -> str:
    k = rng.choice([10, 100, 1000, 10000, 100000, 1000000])
    return rng.choice([
        "", "nan", "NaN", "inf", "-inf", "Infinity", "1e308", "1e999", "0", "-1", "null", "true",
        " ", "\x00", "\x00abc", "\u202e", "%s%n%x", "{}", "[]", "../../etc/passwd", "in_house",
        "latc", "\ud800", "a\udc80b", "é" * k, "😀" * k, "A" * k, "é" * 79 + "😀", "\\u0000",
        "2022-02-30", "0000-00-00", "9999-99-99", "2022-13-01", "-2022-01-01", "2022-3-1",
    ])


def pick_number(rng: random.Random):
    r = rng.random()
    if r < 0.5:
        return rng.choice(INTERESTING_NUMBERS)
    if r < 0.8:
        return round(rng.uniform(-10, 10), rng.choice([0, 2, 6]))
    return rng.choice([-1, 1]) * 10 ** rng.uniform(-12, 308)


def pick_int(rng: random.Random):
    return rng.choice([0, 1, 2, 11, 12, 13, 24, 119, 120, 600, -1, 2**31, 2**63, 10**30, 10**6])


DISTS = {"fixed": ["value"], "uniform": ["low", "high"], "triangular": ["low", "mode", "high"],
         "normal": ["mean", "sd"], "bernoulli": ["p"], "lognormal": ["median", "sigma"]}


def random_dist(rng: random.Random) -> dict:
    d = rng.choice(list(DISTS))
    out = {"dist": d}
    values = [pick_number(rng) for _ in DISTS[d]]
    if d in ("uniform", "triangular") and rng.random() < 0.6:
        values.sort()
    for name, x in zip(DISTS[d], values):
        out[name] = x
    if rng.random() < 0.1:
        out["rationale"] = strings(rng)
    return out


class Seeds:
    """Valid scenarios to mutate, and what the schema says about names."""

    def __init__(self, executor: Executor, rng: random.Random):
        self.schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
        props = self.schema["properties"]
        model_obj = props["models"]["items"]["oneOf"][1]
        self.hooks = list(model_obj["properties"]["effects"]["properties"])
        self.intervention_types = props["interventions"]["items"]["properties"]["type"]["enum"]
        risk_item = props["risks"]["oneOf"][0]["items"]
        self.risk_effects = risk_item["properties"]["effect"]["properties"]["type"]["enum"]
        self.risk_enums = {k: risk_item["properties"][k]["enum"]
                           for k in ("likelihood", "impact", "applies_to", "window")}
        self.parameters = [p["name"] for p in _core.parameter_table()]
        cat = admsim.load_catalogue()
        self.catalogue = {m["id"]: m for m in cat["models"]}
        self.ids = list(self.catalogue)
        self.keys = sorted({k for _p, n in walk(self.schema) if isinstance(n, dict)
                            for k in (n.get("properties") or {})})
        register = admsim.risks.resolve(None)
        profiles = [admsim.profiles.load(p) for p in admsim.profiles.available()]
        profiles.append(json.loads(SMALL_PROFILE.read_text(encoding="utf-8")))

        def override(mid, with_attributes=False):
            m = self.catalogue[mid]
            o = {"id": mid, "effects": copy.deepcopy(m.get("effects", {}))}
            if with_attributes:
                o["attributes"] = copy.deepcopy(m.get("attributes", {}))
            return o

        new_model = copy.deepcopy(self.catalogue["latc"])
        new_model.update(id="fuzz_new_model", name="Fuzz model")
        model_sets = [["in_house"], ["latc"], ["independent_trust", "in_house"],
                      [override("latc")], [override("commission_by_contract", True)],
                      [override("strategic_partnership"), "in_house"], [new_model],
                      [override("executive_commissioners")], [override("public_sector_jv", True), "latc"]]
        table = {p["name"]: p for p in _core.parameter_table()}
        candidates = []
        for i in range(36):
            profile = profiles[i % len(profiles)]
            models = model_sets[i % len(model_sets)]
            risks = [register, [], register[:2]][i % 3]
            spec = admsim.build_scenario(profile, copy.deepcopy(models), years=1,
                                         replicates=1 + i % 2, seed=i, risks=copy.deepcopy(risks),
                                         output=["full", "summary"][(i // 3) % 2])
            if i % 4 == 1:
                names = rng.sample(self.parameters, 4)
                spec["parameters"] = {n: table[n]["default"] for n in names}
            if i % 4 == 2:
                spec["interventions"] = [
                    {"type": "recruitment_campaign", "start_month": 1, "duration_months": 6, "size": 10},
                    {"type": "caseload_cap", "start_month": 0, "size": 18},
                    {"type": "demand_shock", "start_month": 3, "size": 0.1},
                ]
            if i % 5 == 3:
                spec["decision_month"] = 3
            candidates.append(spec)
        self.specs, self.rejected = [], []
        for spec in candidates:
            res = executor.run("core", json.dumps(spec).encode())
            (self.specs if res["outcome"] == "ok" else self.rejected).append((spec, res))
        self.specs = [s for s, _ in self.specs]
        if not self.specs:
            raise SystemExit(f"fuzz: no valid seed scenario; first rejection: {self.rejected[0][1]}")
        self.small = [s for s in self.specs if len(json.dumps(s)) < 8000] or self.specs

    def pick(self, rng: random.Random, small: bool = False):
        return copy.deepcopy(rng.choice(self.small if small else self.specs))


RANGE = re.compile(r"^(/[^:;]*): .*allowed: an? (number|integer) (?:in \[([^,\]]+), ([^\]]+)\]|"
                   r"(>=|<=|>|<) ([-+0-9.eE]+))")


def _bound(text: str) -> float | None:
    text = text.strip().replace("2^31 - 1", str(2**31 - 1))
    try:
        return float(text)
    except ValueError:
        return None


class Ranges:
    """Bounds the parser states in its messages ("allowed: a number in [0, 10]"), by field pattern:
    inputs at and just past them reach the engine with the most extreme values it accepts."""

    def __init__(self, seeds: "Seeds"):
        self.by_pattern: dict[str, tuple] = {}
        for p in _core.parameter_table():
            self.by_pattern[f"/parameters/{p['name']}"] = ("number", p["min"], p["max"])

    def learn(self, message: str) -> None:
        m = RANGE.match(message)
        if not m:
            return
        ptr = re.sub(r"/\d+(?=/|$)", "/*", m.group(1))
        if ptr in self.by_pattern:
            return
        if m.group(3) is not None:
            lo, hi = _bound(m.group(3)), _bound(m.group(4))
        else:
            op, x = m.group(5), _bound(m.group(6))
            lo, hi = (x, None) if op in (">=", ">") else (None, x)
        self.by_pattern[ptr] = (m.group(2), lo, hi)

    def values(self, ptr: str, rng: random.Random):
        kind, lo, hi = self.by_pattern[ptr]
        out = []
        for b in (lo, hi):
            if b is None or not math.isfinite(b):
                continue
            out += [b, math.nextafter(b, math.inf), math.nextafter(b, -math.inf)]
            if kind == "integer":
                out += [int(b), int(b) + 1, int(b) - 1]
        if lo is not None and hi is not None and math.isfinite(lo) and math.isfinite(hi):
            out += [(lo + hi) / 2, lo + (hi - lo) * 1e-9, hi - (hi - lo) * 1e-9]
        if lo is not None and hi is None and math.isfinite(lo):
            out += [max(lo, 0) + 1e300, 1.7976931348623157e308, lo + 1e15]
        if hi is not None and lo is None and math.isfinite(hi):
            out += [-1.7976931348623157e308, min(hi, 0) - 1e300]
        if kind == "integer":
            out = [int(x) if isinstance(x, float) and x.is_integer() and abs(x) < 2**70 else x for x in out]
        return out or [pick_number(rng)]

    def edge(self, ptr: str, rng: random.Random):
        vals = self.values(ptr, rng)
        # mostly the bounds themselves (accepted), sometimes just past them
        return rng.choice(vals[:2] * 3 + vals)


class Mutator:
    OPS = ["edge", "edge", "edge_all", "number", "number", "number", "raw_number", "string",
           "wrong_type", "delete", "add_key", "dup_key", "nest", "bad_utf8", "splice", "blowup",
           "dist", "dist", "add_param", "add_intervention", "add_risk", "scale"]

    def __init__(self, seeds: Seeds, rng: random.Random, ranges: Ranges):
        self.seeds, self.rng, self.ranges = seeds, rng, ranges

    def _bounded(self, doc):
        return [(p, n) for p, n in walk(doc) if p and pattern(p) in self.ranges.by_pattern]

    def op_edge(self, doc):
        nodes = self._bounded(doc)
        if not nodes:
            return self.op_dist(doc)
        p, _ = self.rng.choice(nodes)
        return put(doc, p, self.ranges.edge(pattern(p), self.rng)), pattern(p) + "(edge)"

    def op_edge_all(self, doc):
        nodes = self._bounded(doc)
        if not nodes:
            return self.op_dist(doc)
        share = self.rng.choice([0.1, 0.3, 1.0])
        for p, _ in nodes:
            if self.rng.random() < share:
                doc = put(doc, p, self.ranges.edge(pattern(p), self.rng))
        return doc, f"*(edge all {share:g})"

    def _node(self, doc, want=None):
        rng = self.rng
        nodes = list(walk(doc))
        if want == "number" or (want is None and rng.random() < 0.5):
            nums = [(p, n) for p, n in nodes if p and isinstance(n, (int, float)) and not isinstance(n, bool)]
            if nums:
                return rng.choice(nums)
        if want == "string":
            strs = [(p, n) for p, n in nodes if p and isinstance(n, str)]
            if strs:
                return rng.choice(strs)
        if want == "container":
            cons = [(p, n) for p, n in nodes if isinstance(n, (dict, list))]
            return rng.choice(cons)
        nodes = [(p, n) for p, n in nodes if p] or nodes
        return rng.choice(nodes)

    def mutate(self, doc):
        rng, ops = self.rng, []
        for _ in range(rng.choice([1, 1, 1, 2, 2, 3])):
            op = rng.choice(self.OPS)
            doc, where = getattr(self, "op_" + op)(doc)
            ops.append(f"{op}:{where}")
        return doc, ops

    def op_number(self, doc):
        p, _ = self._node(doc, "number")
        return put(doc, p, pick_number(self.rng)), pattern(p)

    def op_scale(self, doc):
        p, n = self._node(doc, "number")
        if not isinstance(n, (int, float)) or isinstance(n, bool):
            return self.op_number(doc)
        f = self.rng.choice([1e300, -1, 1e8, -1e8, 1e-300, 0])
        try:
            v = n * f
        except OverflowError:
            v = 1e308
        return put(doc, p, v if math.isfinite(v) else 1.7976931348623157e308), pattern(p)

    def op_raw_number(self, doc):
        p, _ = self._node(doc, "number")
        return put(doc, p, Raw(self.rng.choice(RAW_NUMBERS), "number")), pattern(p)

    def op_string(self, doc):
        p, _ = self._node(doc)
        return put(doc, p, strings(self.rng)), pattern(p)

    def op_wrong_type(self, doc):
        p, _ = self._node(doc)
        return put(doc, p, copy.deepcopy(self.rng.choice(WRONG_TYPES))), pattern(p)

    def op_delete(self, doc):
        p, _ = self._node(doc)
        if not p:
            return doc, "/"
        return delete(doc, p), pattern(p)

    def op_add_key(self, doc):
        p, n = self._node(doc, "container")
        rng = self.rng
        if isinstance(n, dict):
            key = rng.choice([rng.choice(self.seeds.keys), "x_unknown", "", "Years", "years ", "\u00e9"])
            n[key] = rng.choice([pick_number(rng), strings(rng), copy.deepcopy(rng.choice(WRONG_TYPES))])
            return doc, pattern(p) + "/+" + key[:20]
        if isinstance(n, Pairs):
            n.append([rng.choice(self.seeds.keys), pick_number(rng)])
            return doc, pattern(p) + "/+"
        n.append(rng.choice([pick_number(rng), strings(rng), copy.deepcopy(rng.choice(WRONG_TYPES))]))
        return doc, pattern(p) + "/+"

    def op_dup_key(self, doc):
        cons = [(p, n) for p, n in walk(doc) if isinstance(n, dict) and n]
        if not cons:
            return doc, "-"
        p, n = self.rng.choice(cons)
        pairs = Pairs([[k, v] for k, v in n.items()])
        k, v = self.rng.choice(pairs)
        other = self.rng.choice([pick_number(self.rng), strings(self.rng), None, copy.deepcopy(v)])
        pairs.insert(self.rng.randrange(len(pairs) + 1), [k, other])
        return put(doc, p, pairs), pattern(p) + "/" + str(k)

    def op_nest(self, doc):
        p, _ = self._node(doc)
        kind = self.rng.choice(["array", "object", "mixed", "open"])
        return put(doc, p, nest(kind, self.rng.choice(NEST_DEPTHS))), f"{pattern(p)}({kind})"

    def op_bad_utf8(self, doc):
        p, n = self._node(doc, "string")
        bad = self.rng.choice(BAD_UTF8)
        text = n if isinstance(n, str) else "x"
        cut = self.rng.randrange(len(text) + 1)
        raw = encode(text[:cut])[:-1] + bad + encode(text[cut:])[1:]
        if self.rng.random() < 0.3 and p and isinstance(p[-1], str):  # the key instead
            parent = get(doc, p[:-1])
            pairs = Pairs([[Raw(b'"' + p[-1].encode() + bad + b'"', "key") if k == p[-1] else k, v]
                           for k, v in parent.items()])
            return put(doc, p[:-1], pairs), pattern(p) + "(key)"
        return put(doc, p, Raw(raw, "string")), pattern(p)

    def op_splice(self, doc):
        (p, _), (_q, m) = self._node(doc), self._node(doc)
        return put(doc, p, copy.deepcopy(m)), pattern(p)

    def op_blowup(self, doc):
        lists = [(p, n) for p, n in walk(doc) if isinstance(n, list) and n]
        if not lists:
            return doc, "-"
        p, n = self.rng.choice(lists)
        k = self.rng.choice([2, 10, 100, 1000, 10000])
        size = len(encode(n))
        k = min(k, MAX_INPUT_BYTES // 2 // max(size, 1))
        if k < 2:
            return doc, "-"
        n[:] = [copy.deepcopy(x) for _ in range(k) for x in n]  # copies: a later edit hits one
        return doc, f"{pattern(p)}x{k}"

    def op_dist(self, doc):
        rng = self.rng
        models = doc.get("models") if isinstance(doc, dict) else None
        if not isinstance(models, list) or not models:
            return self.op_number(doc)
        i = rng.randrange(len(models))
        if not isinstance(models[i], dict):
            models[i] = {"id": models[i] if isinstance(models[i], str) else rng.choice(self.seeds.ids)}
        effects = models[i].setdefault("effects", {})
        if not isinstance(effects, dict):
            return self.op_number(doc)
        hook = rng.choice(self.seeds.hooks)
        effects[hook] = random_dist(rng)
        if rng.random() < 0.7:  # at the bounds the parser has stated for this hook's parameters
            for name in DISTS[effects[hook]["dist"]]:
                ptr = f"/models/*/effects/{hook}/{name}"
                if ptr in self.ranges.by_pattern:
                    effects[hook][name] = self.ranges.edge(ptr, rng)
        return doc, f"/models/*/effects/{hook}({effects[hook]['dist']})"

    def op_add_param(self, doc):
        if not isinstance(doc, dict):
            return doc, "-"
        params = doc.get("parameters")
        if not isinstance(params, dict):
            params = doc["parameters"] = {}
        name = self.rng.choice(self.seeds.parameters)
        params[name] = pick_number(self.rng)
        return doc, f"/parameters/{name}"

    def op_add_intervention(self, doc):
        if not isinstance(doc, dict):
            return doc, "-"
        items = doc.get("interventions")
        if not isinstance(items, list):
            items = doc["interventions"] = []
        rng = self.rng
        item = {"type": rng.choice(self.seeds.intervention_types), "start_month": pick_int(rng),
                "size": pick_number(rng)}
        if rng.random() < 0.6:
            item["duration_months"] = pick_int(rng)
        items.append(item)
        return doc, f"/interventions/*({item['type']})"

    def op_add_risk(self, doc):
        if not isinstance(doc, dict):
            return doc, "-"
        items = doc.get("risks")
        if not isinstance(items, list):
            items = doc["risks"] = []
        rng = self.rng
        risk = {"id": f"fuzz_{rng.randrange(1000)}"}
        risk.update({k: rng.choice(v) for k, v in self.seeds.risk_enums.items()})
        risk["effect"] = {"type": rng.choice(self.seeds.risk_effects), "size": pick_number(rng)}
        if rng.random() < 0.5:
            risk["effect"]["months"] = pick_int(rng)
        if rng.random() < 0.4:
            risk["window_months"] = [pick_int(rng), pick_int(rng)]
        items.append(risk)
        return doc, f"/risks/*({risk['effect']['type']})"


def byte_mutate(data: bytes, rng: random.Random) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        if not b:
            b += rng.choice(TOKENS)
            continue
        i = rng.randrange(len(b))
        op = rng.randrange(7)
        if op == 0:
            b[i] ^= 1 << rng.randrange(8)
        elif op == 1:
            b[i] = rng.randrange(256)
        elif op == 2:
            b[i:i] = rng.choice(TOKENS)
        elif op == 3:
            del b[i:i + rng.choice([1, 1, 2, 8, 64])]
        elif op == 4:
            j = min(len(b), i + rng.choice([1, 4, 16, 256]))
            b[i:i] = b[i:j] * rng.choice([1, 2, 100])
        elif op == 5:
            j = rng.randrange(len(b))
            chunk = b[j:j + rng.choice([4, 16, 64])]
            b[i:i] = chunk
        else:
            del b[i:]
    return bytes(b[:MAX_INPUT_BYTES])


class SchemaGen:
    """Documents from the JSON Schema (hypothesis-jsonschema), whole or one part spliced in."""

    # Examples drawn per part (the whole schema takes about a second an example, a part 0.01-0.1 s).
    WEIGHTS = {"full": 0.3, "narrow": 0.6, "profile": 2, "model": 3, "effects": 4, "interventions": 2,
               "risks": 2, "parameters": 3, "top": 2, "profile.population": 1, "profile.demand": 1,
               "profile.placements": 1, "profile.workforce": 1, "profile.finance": 1,
               "profile.ofsted": 1}

    def __init__(self, seeds: Seeds, rng: random.Random):
        self.seeds, self.rng = seeds, rng
        self.strategies, self.queues = {}, {}
        s = seeds.schema
        p = s["properties"]
        profile = p["profile"]["oneOf"][1]
        narrow = copy.deepcopy(s)
        q = narrow["properties"]
        q["profile"] = copy.deepcopy(profile)
        q["years"] = {"type": "integer", "minimum": 1, "maximum": MAX_YEARS}
        q["replicates"] = {"type": "integer", "minimum": 1, "maximum": MAX_REPLICATES}
        q["models"] = dict(q["models"], maxItems=MAX_MODELS)
        q["risks"] = dict(q["risks"]["oneOf"][0], maxItems=3)
        q["interventions"] = dict(q["interventions"], maxItems=3)
        model = p["models"]["items"]["oneOf"][1]
        self.schemas = {
            "full": s, "narrow": narrow, "profile": profile, "model": model,
            "effects": model["properties"]["effects"],
            "interventions": dict(p["interventions"], maxItems=4),
            "risks": dict(p["risks"]["oneOf"][0], maxItems=3),
            "parameters": p["parameters"],
            "top": {"type": "object", "properties": {k: p[k] for k in (
                "years", "replicates", "seed", "decision_month", "output", "baseline",
                "common_random_numbers")}},
        }
        for sec in ("population", "demand", "placements", "workforce", "finance", "ofsted"):
            self.schemas["profile." + sec] = profile["properties"][sec]

    def _strict(self, schema):
        """The schema as the parser reads it, where the schema is looser (no unknown fields,
        catalogue model ids, interventions inside the capped horizon): more inputs get past the
        parser to the engine. Used for 70% of the draws; the shipped schema for the rest."""
        schema = copy.deepcopy(schema)
        for _p, node in walk(schema):
            if not isinstance(node, dict):
                continue
            props = node.get("properties")
            if isinstance(props, dict) and props and "additionalProperties" not in node:
                node["additionalProperties"] = False
            if isinstance(props, dict) and props.get("id") == {"type": "string"}:
                props["id"] = {"enum": self.seeds.ids}
            if isinstance(props, dict) and "start_month" in props and "size" in props:
                props["start_month"] = {"type": "integer", "minimum": 0, "maximum": 12 * MAX_YEARS - 1}
        return schema

    def _batch(self, part: str) -> list:
        from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings
        from hypothesis_jsonschema import from_schema

        strict = self.rng.random() < 0.7
        key = (part, strict)
        if key not in self.strategies:
            schema = self._strict(self.schemas[part]) if strict else self.schemas[part]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self.strategies[key] = from_schema(schema)
        out = []
        n = 1 if part in ("full", "narrow") else 3 if part == "profile" else 10

        @seed(self.rng.randrange(2**32))
        @settings(max_examples=n, deadline=None, database=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet)
        @given(self.strategies[key])
        def collect(x):
            out.append(x)

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            collect()
        return out

    def next(self):
        rng = self.rng
        part = rng.choices(list(self.WEIGHTS), list(self.WEIGHTS.values()))[0]
        queue = self.queues.setdefault(part, [])
        if not queue:
            queue.extend(self._batch(part))
            if not queue:
                return None, part
        x = queue.pop()
        if part in ("full", "narrow"):
            return x, part
        doc = self.seeds.pick(rng, small=True)
        if part == "model":
            doc["models"][0] = x
        elif part == "effects":
            doc["models"][0] = {"id": rng.choice(self.seeds.ids), "effects": x}
        elif part == "top":
            doc.update(x)
        elif part.startswith("profile."):
            doc["profile"][part.split(".")[1]] = x
        else:
            doc[part] = x
        return doc, part


# ==== shrinking ===============================================================================
class Shrinker:
    def __init__(self, executor: Executor, target: str, sig: tuple, budget_s: float, budget_n: int):
        self.ex, self.target, self.sig = executor, target, sig
        self.deadline, self.left = time.monotonic() + budget_s, budget_n

    def alive(self) -> bool:
        return self.left > 0 and time.monotonic() < self.deadline

    def holds(self, data: bytes) -> bool:
        if not self.alive():
            return False
        self.left -= 1
        return signature(self.target, self.ex.run(self.target, data)) == self.sig

    def tree(self, doc, ascii_: bool):
        def enc(d):
            return encode(d, ascii_)

        changed = True
        while changed and self.alive():
            changed = False
            queue = [()]
            while queue and self.alive():
                path = queue.pop(0)
                try:
                    node = get(doc, path)
                except (KeyError, IndexError, TypeError):
                    continue
                if isinstance(node, (dict, list)):  # Pairs is a list
                    doc, did = self._children(doc, path, enc)
                    changed |= did
                    node = get(doc, path)
                    keys = (range(len(node)) if isinstance(node, list) and not isinstance(node, Pairs)
                            else [("pair", i) for i in range(len(node))] if isinstance(node, Pairs)
                            else list(node))
                    queue.extend(path + (k,) for k in keys)
                elif isinstance(node, Raw) and node.kind.startswith("nest:"):
                    doc, did = self._depth(doc, path, node, enc)
                    changed |= did
                elif isinstance(node, str) and len(node) > 16:
                    for cut in (16, len(node) // 2):
                        cand = put(copy.deepcopy(doc), path, node[:cut])
                        if self.holds(enc(cand)):
                            doc, changed = cand, True
                            break
        return doc

    def _children(self, doc, path, enc):
        did = False
        node = get(doc, path)
        chunk = len(node)
        while chunk >= 1 and self.alive():
            i = 0
            while i < len(get(doc, path)) and self.alive():
                cand = copy.deepcopy(doc)
                target = get(cand, path)
                if isinstance(target, dict):
                    for k in list(target)[i:i + chunk]:
                        del target[k]
                else:
                    del target[i:i + chunk]
                if self.holds(enc(cand)):
                    doc, did = cand, True
                else:
                    i += chunk
            chunk //= 2
        return doc, did

    def _depth(self, doc, path, node, enc):
        kind, lo, hi, did = node.kind.split(":")[1], 1, node.n, False
        while lo < hi and self.alive():
            mid = (lo + hi) // 2
            cand = put(copy.deepcopy(doc), path, nest(kind, mid))
            if self.holds(enc(cand)):
                hi, doc, did = mid, cand, True
            else:
                lo = mid + 1
        return doc, did

    def bytes_(self, data: bytes) -> bytes:
        data = self._ddmin(data)
        for cut in range(1, len(data)):  # the shortest suffix, then the shortest prefix, that holds
            if not self.alive():
                break
            if self.holds(data[-cut:]):
                data = data[-cut:]
                break
        for cut in range(1, len(data)):
            if not self.alive():
                break
            if self.holds(data[:cut]):
                data = data[:cut]
                break
        return self._ddmin(data)

    def _ddmin(self, data: bytes) -> bytes:
        chunk = len(data) // 2
        while chunk >= 1 and self.alive():
            i = 0
            while i < len(data) and self.alive():
                cand = data[:i] + data[i + chunk:]
                if cand and self.holds(cand):
                    data = cand
                else:
                    i += chunk
            chunk //= 2
        return data


def shrink(executor, target, sig, data, tree, ascii_, budget_s=20.0, budget_n=600):
    s = Shrinker(executor, target, sig, budget_s, budget_n)
    if tree is None:
        try:
            tree = json.loads(data)
            ascii_ = False
            if not s.holds(encode(tree, ascii_)):
                tree = None
        except (ValueError, RecursionError):
            tree = None
    if tree is not None:
        tree = s.tree(tree, ascii_)
        data = encode(tree, ascii_)
    return s.bytes_(data) if len(data) < 20000 else data


# ==== the run =================================================================================
class Run:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.ex = Executor(args.timeout, args.memory_mb)
        self.corpus = Path(args.corpus)
        self.n = 0
        self.by_gen = {g: {"executions": 0, "ok": 0, "simulated": 0, "rejected": 0, "allowed": 0,
                           "finding": 0} for g in ("probe", "schema", "mutate", "bytes")}
        self.spent = {"schema": 1e-9, "mutate": 1e-9, "bytes": 1e-9}
        self.share = {"schema": 0.3, "mutate": 0.5, "bytes": 0.2}
        self.findings: dict[tuple, dict] = {}
        self.allowed: dict[str, list] = {}
        self.disagree: dict[str, int] = {}
        self.notes: dict[str, int] = {}
        self.slowest = (0.0, "")
        self.skipped = 0

    def log(self, *a):
        if not self.args.quiet:
            print(*a, flush=True)

    def fuzz(self) -> int:
        t0 = time.monotonic()
        self.seeds = Seeds(self.ex, self.rng)
        self.ranges = Ranges(self.seeds)
        self.probe()
        mutator = Mutator(self.seeds, self.rng, self.ranges)
        schema = SchemaGen(self.seeds, self.rng)
        self.log(f"fuzz: {len(self.seeds.specs)} valid seed scenarios "
                 f"({len(self.seeds.rejected)} candidates rejected), seed {self.args.seed}")
        deadline = t0 + self.args.seconds
        next_report = time.monotonic() + 30
        while time.monotonic() < deadline:
            gen = min(self.spent, key=lambda g: self.spent[g] / self.share[g])
            g0 = time.monotonic()
            tree, ascii_, origin = None, self.rng.random() < 0.5, []
            if gen == "schema":
                doc, part = schema.next()
                origin = [f"schema:{part}"]
                if doc is None:
                    self.spent[gen] += time.monotonic() - g0
                    continue
                tree = doc
            elif gen == "mutate":
                tree, origin = mutator.mutate(self.seeds.pick(self.rng))
            if tree is not None:
                data = encode(tree, ascii_)
            else:
                data = byte_mutate(encode(self.seeds.pick(self.rng, small=True), ascii_), self.rng)
                origin = ["bytes"]
            if gen != "bytes" and self.rng.random() < 0.05:
                data = data[: self.rng.randrange(len(data) + 1)]
                tree, origin = None, origin + ["truncate"]
            if len(data) > MAX_INPUT_BYTES:  # e.g. nesting inside a repeated array: not worth it
                self.skipped += 1
                self.spent[gen] += time.monotonic() - g0
                continue
            target = "file" if self.rng.random() < self.args.file_share else "core"
            self.execute(gen, target, data, tree, ascii_, origin)
            self.spent[gen] += time.monotonic() - g0
            if time.monotonic() > next_report:
                next_report += 30
                self.log(f"  ... {self.n} executions, {time.monotonic() - t0:.0f} s, "
                         f"{len(self.findings)} distinct findings")
        elapsed = time.monotonic() - t0
        self.ex.close()
        return self.report(elapsed)

    def probe(self) -> None:
        """Learn the parser's bounds up front: each numeric field of the seeds, and each parameter
        of each effect distribution of each hook, set to +-1.8e308 in an otherwise valid scenario."""
        docs, seen = [], set()
        for spec in self.seeds.specs:
            for p, n in walk(spec):
                if isinstance(n, (int, float)) and not isinstance(n, bool) and pattern(p) not in seen:
                    seen.add(pattern(p))
                    docs += [put(copy.deepcopy(spec), p, v) for v in (1.7976931348623157e308,
                                                                       -1.7976931348623157e308)]
        neutral = {"value": 0, "low": 0, "mode": 0, "high": 0, "mean": 0, "sd": 0, "p": 0,
                   "median": 1, "sigma": 0}
        base = self.seeds.small[0]
        for hook in self.seeds.hooks:
            for dist, names in DISTS.items():
                for name in names:
                    for v in (1.7976931348623157e308, -1.7976931348623157e308):
                        doc = copy.deepcopy(base)
                        effect = {"dist": dist, **{k: neutral[k] for k in names}, name: v}
                        doc["models"] = [{"id": "latc", "effects": {hook: effect}}]
                        docs.append(doc)
        for doc in docs:
            self.execute("probe", "core", encode(doc), doc, True, ["probe"])
        self.log(f"fuzz: probed {len(docs)} inputs, {len(self.ranges.by_pattern)} bounds known")

    def execute(self, gen, target, data, tree, ascii_, origin):
        res = self.ex.run(target, data)
        if res["outcome"] == "skipped":
            self.skipped += 1
            return
        self.n += 1
        stats = self.by_gen[gen]
        stats["executions"] += 1
        if res["outcome"] == "hang":  # a second try: a busy machine is not a hang
            res = self.ex.run(target, data, self.args.timeout * 2)
            if res["outcome"] != "hang":
                self.note(f"slow (over {self.args.timeout:g} s once)", data, res, origin)
        if res.get("ms", 0) > self.slowest[0] and res["outcome"] in CLEAN:
            self.slowest = (res["ms"], " ".join(origin))
        out = res["outcome"]
        if out == "ok":
            stats["ok"] += 1
            stats["simulated"] += res.get("stage") in ("simulate", "summary")
        elif out in ("rejected", "allowed"):
            stats[out] += 1
            if out == "rejected":
                self.ranges.learn(res["message"])
            if out == "allowed":
                key = f"{target}/{res['stage']}: {res['type']}: {_normalise(res['message'])}"
                self.allowed.setdefault(key, [0, res["message"][:200], " ".join(origin)])[0] += 1
            if gen == "schema" and "truncate" not in origin:
                ptr = _normalise(res["message"].split(":")[0]) if out == "rejected" else res["type"]
                key = f"{target}/{res['stage']} {origin[0]}: {ptr}"
                self.disagree.setdefault(key, [0, res["message"][:160]])[0] += 1
            if res.get("capped") is False and res.get("stage") == "simulate":
                self.note("validate accepted, simulate rejected the same text", data, res, origin)
        else:
            stats["finding"] += 1
            self.finding(target, data, tree, ascii_, origin, res)

    def note(self, what: str, data: bytes, res: dict, origin: list) -> None:
        """Something odd that is not a finding: counted, the first example kept in --notes-dir."""
        n = self.notes.setdefault(what, [0, res.get("message", "")[:200], " ".join(origin), None])
        n[0] += 1
        if n[0] == 1 and self.args.notes_dir:
            d = Path(self.args.notes_dir)
            d.mkdir(parents=True, exist_ok=True)
            path = d / f"{hashlib.sha256(data).hexdigest()[:16]}.json"
            path.write_bytes(data)
            n[3] = path

    def finding(self, target, data, tree, ascii_, origin, res):
        sig = signature(target, res)
        f = self.findings.setdefault(sig, {"count": 0, "saved": [], "origins": set(), "result": res})
        f["count"] += 1
        where = ";".join(o for o in origin)
        key = re.sub(r"\(\w+\)|x\d+", "", where)
        # An exception names its cause: one input is enough. A crash or a hang does not: keep
        # up to --per-signature inputs of different origins.
        keep = self.args.per_signature if res["outcome"] in ("crash", "hang") else 1
        if key in f["origins"] or len(f["saved"]) >= keep:
            return
        f["origins"].add(key)
        small = data
        if not self.args.no_shrink and res["outcome"] != "hang":
            small = shrink(self.ex, target, sig, data, tree, ascii_, self.args.shrink_seconds)
        final = self.ex.run(target, small)
        if signature(target, final) != sig:  # flaky: keep what was seen
            small, final = data, res
        path = self.save(small, target, final, origin)
        f["saved"].append((path, len(small), where))
        self.log(f"FINDING {describe(sig)}\n    {path} ({len(small)} bytes, from {len(data)}) "
                 f"origin {where}")

    def save(self, data: bytes, target: str, res: dict, origin: list) -> Path:
        """Keep an input as <sha256[:16]>.json; its .outcome file records, per target it was run
        on, the outcome then and where it came from (the replay runs it on each of them)."""
        self.corpus.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256(data).hexdigest()[:16]
        path, meta_path = self.corpus / f"{digest}.json", self.corpus / f"{digest}.outcome"
        meta = json.loads(meta_path.read_text()) if meta_path.exists() else {"outcomes": {}}
        if target not in meta["outcomes"]:
            path.write_bytes(data)
            meta["outcomes"][target] = {"origin": origin, "fuzz_seed": self.args.seed,
                                        "outcome": {k: v for k, v in res.items() if k != "ms"}}
            meta_path.write_text(json.dumps(meta, indent=1, ensure_ascii=True) + "\n")
        return path

    def report(self, elapsed: float) -> int:
        n = self.n
        print(f"admsim fuzz: {n} executions in {elapsed:.1f} s ({n / max(elapsed, 1e-9):.1f}/s), "
              f"{self.ex.restarts} child restarts, {self.skipped} inputs over "
              f"{MAX_INPUT_BYTES // 10**6} MB skipped")
        for g, s in self.by_gen.items():
            print(f"  {g:7s} {s['executions']:7d} executions: ok {s['ok']} (simulated "
                  f"{s['simulated']}), ScenarioError {s['rejected']}, plain ValueError/TypeError "
                  f"{s['allowed']}, findings {s['finding']}")
        print(f"  slowest clean execution: {self.slowest[0]:.0f} ms ({self.slowest[1]})")
        for k, (c, msg, origin, path) in sorted(self.notes.items()):
            print(f"  note: {k}: {c}; e.g. {msg!r} ({origin}){' ' + _rel(path) if path else ''}")
        if self.args.verbose:
            print(f"  bounds learnt from the parser's messages: {len(self.ranges.by_pattern)} fields")
        if self.allowed:
            print("plain ValueError/TypeError (allowed; not ScenarioError):")
            for k, (c, msg, origin) in sorted(self.allowed.items(), key=lambda kv: -kv[1][0])[:15]:
                print(f"  {c:5d}  {k}\n         e.g. {msg!r} ({origin})")
        if self.disagree and self.args.verbose:
            print("schema-valid parts the parser rejects (schema vs parser; not findings):")
            for k, (c, msg) in sorted(self.disagree.items(), key=lambda kv: -kv[1][0])[:30]:
                print(f"  {c:5d}  {k}\n         e.g. {msg!r}")
        total = sum(f["count"] for f in self.findings.values())
        print(f"findings: {total} inputs, {len(self.findings)} distinct")
        for i, (sig, f) in enumerate(sorted(self.findings.items(), key=lambda kv: -kv[1]["count"]), 1):
            r = f["result"]
            print(f"  [{i}] {describe(sig)}  x{f['count']}")
            if r.get("message"):
                print(f"      message: {r['message'][:300]!r}")
            for path, size, where in f["saved"]:
                print(f"      {_rel(path)} ({size} bytes) from {where}")
        return 1 if self.findings else 0


def _rel(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def replay(args) -> int:
    """Run corpus inputs (or FILES) on the targets their .outcome files name (core if none)."""
    files = [Path(f) for f in args.files] or sorted(Path(args.corpus).glob("*.json"))
    ex = Executor(args.timeout, args.memory_mb)
    results, bad = [], 0
    for path in files:
        meta_path = path.with_suffix(".outcome")
        meta = json.loads(meta_path.read_text()) if meta_path.exists() else {"outcomes": {}}
        recorded = meta["outcomes"]
        data = path.read_bytes()
        for target in [args.target] if args.target else (list(recorded) or ["core"]):
            res = ex.run(target, data)
            if res["outcome"] == "hang":
                res = ex.run(target, data, args.timeout * 2)
            clean = res["outcome"] in CLEAN
            bad += not clean
            then = recorded.get(target, {})
            results.append({"file": path.name, "target": target, "clean": clean, "result": res,
                            "recorded": then.get("outcome"), "origin": then.get("origin")})
            what = res["outcome"] if clean else describe(signature(target, res))
            print(f"{'clean' if clean else 'FAIL '} {_rel(path)} [{target}] {what}", flush=True)
    ex.close()
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(results, indent=1))
    print(f"replayed {len(results)} runs of {len(files)} inputs: {len(results) - bad} clean, {bad} not")
    return 1 if bad else 0


def record(args) -> int:
    """Add inputs to the corpus (hand-written reproducers, e.g. of crashes since fixed) with the
    outcome they have now; exit 1 if any is a finding."""
    run = Run(args)
    status = 0
    for name in args.files:
        data = Path(name).read_bytes()
        target = args.target or "core"
        res = run.ex.run(target, data)
        sig = signature(target, res)
        origin = [f"hand:{Path(name).name}"] + ([args.note] if args.note else [])
        path = run.save(data, target, res, origin)
        print(f"{'clean' if sig is None else 'FINDING'} {name} [{target}] "
              f"{res['outcome'] if sig is None else describe(sig)}: kept as {_rel(path)}")
        status |= sig is not None
    run.ex.close()
    return int(status)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="fuzz.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=60, help="how long to fuzz (default 60)")
    ap.add_argument("--seed", type=int, default=0, help="random seed of the generators")
    ap.add_argument("--timeout", type=float, default=5.0, help="seconds an input may take (then twice that)")
    ap.add_argument("--memory-mb", type=int, default=3072, help="address space the child may add")
    ap.add_argument("--corpus", default=str(CORPUS), help="where findings are kept")
    ap.add_argument("--file-share", type=float, default=0.25, help="share of inputs on the file target")
    ap.add_argument("--per-signature", type=int, default=6, help="inputs kept per distinct finding")
    ap.add_argument("--shrink-seconds", type=float, default=20.0, help="time to shrink each new finding")
    ap.add_argument("--no-shrink", action="store_true", help="keep findings as found")
    ap.add_argument("--quiet", action="store_true", help="only the final report")
    ap.add_argument("--notes-dir", help="keep the first example of each note here")
    ap.add_argument("--verbose", action="store_true", help="also list schema-vs-parser disagreements")
    ap.add_argument("--replay", action="store_true", help="replay corpus files (or FILES) instead")
    ap.add_argument("--record", action="store_true", help="run FILES once, keep findings in the corpus")
    ap.add_argument("--target", choices=("core", "file"), help="target for --replay/--record")
    ap.add_argument("--note", help="--record: a note kept with the inputs (e.g. the issue)")
    ap.add_argument("--json-out", help="--replay: write the results as JSON here")
    ap.add_argument("files", nargs="*", help="inputs for --replay/--record")
    args = ap.parse_args(argv)
    if args.replay:
        return replay(args)
    if args.record:
        return record(args)
    if args.files:
        ap.error("FILES need --replay or --record")
    try:
        return Run(args).fuzz()
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
