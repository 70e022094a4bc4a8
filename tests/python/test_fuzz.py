"""The fuzz gate of issue 12: a short run of scripts/fuzz.py, and every input kept in
tests/data/fuzz_corpus/ replayed, each in a child process, to a documented outcome (success,
ScenarioError, or a plain ValueError/TypeError; not a crash, a hang or another exception).

Each corpus file is its own test, named by the file: a failure names the input, what it does now
and what it did when it was found (its .outcome file). Inputs that crashed before a fix stay in the
corpus as regression tests; they are not marked xfail. The long run is `make fuzz`.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "fuzz.py"
CORPUS = ROOT / "tests" / "data" / "fuzz_corpus"
CORPUS_FILES = sorted(CORPUS.glob("*.json"))
SHORT_RUN_SECONDS = 20


def _fuzz(*args: str, timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)


def test_short_fuzz_run_has_no_findings(tmp_path):
    pytest.importorskip("hypothesis_jsonschema")
    corpus = tmp_path / "corpus"
    proc = _fuzz("--seconds", str(SHORT_RUN_SECONDS), "--seed", "12", "--corpus", str(corpus),
                 "--shrink-seconds", "3", "--timeout", "10", "--quiet",
                 timeout=SHORT_RUN_SECONDS + 120)
    out = proc.stdout + proc.stderr
    assert proc.returncode in (0, 1), out[-6000:]
    total = re.search(r"admsim fuzz: (\d+) executions", proc.stdout)
    assert total and int(total.group(1)) >= 200, out[-6000:]
    for gen in ("schema", "mutate", "bytes"):  # every generator produced and ran inputs
        ran = re.search(rf"^\s+{gen}\s+(\d+) executions", proc.stdout, re.M)
        assert ran and int(ran.group(1)) > 0, f"generator {gen} ran nothing:\n{out[-6000:]}"
    assert proc.returncode == 0, (
        f"the fuzzer found inputs without a documented outcome (kept in {corpus}; copy them to "
        f"tests/data/fuzz_corpus/ with their .outcome files):\n{proc.stdout[-8000:]}")


@pytest.fixture(scope="module")
def replayed(tmp_path_factory):
    results = tmp_path_factory.mktemp("fuzz_replay") / "results.json"
    proc = _fuzz("--replay", "--json-out", str(results), "--timeout", "20",
                 timeout=60 + 45 * len(CORPUS_FILES))
    assert results.exists(), proc.stdout[-4000:] + proc.stderr[-4000:]
    by_file: dict[str, list] = {}
    for r in json.loads(results.read_text()):
        by_file.setdefault(r["file"], []).append(r)
    return by_file


def _what(res: dict | None) -> str:
    if not res:
        return "?"
    if res["outcome"] == "crash":
        return f"crash ({res.get('signal') or 'exit code %s' % res.get('exitcode')})"
    if res["outcome"] == "hang":
        return "hang (no answer within the timeout)"
    return f"{res['outcome']} at {res['stage']}: {res.get('type')}: {res.get('message', '')[:300]}"


@pytest.mark.parametrize("path", CORPUS_FILES, ids=[p.name for p in CORPUS_FILES])
def test_corpus_input_has_a_documented_outcome(replayed, path):
    runs = replayed[path.name]  # one per target the input's .outcome file names
    failed = [r for r in runs if not r["clean"]]
    assert not failed, "\n".join(
        f"{path.relative_to(ROOT)} [target {r['target']}] now: {_what(r['result'])}; when found: "
        f"{_what(r.get('recorded'))} (from {' '.join(r.get('origin') or ['?'])})" for r in failed)
