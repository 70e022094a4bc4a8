"""Bad input, as a hostile tester would give it (issue 12): every case must end in a clear error
that names the field, never a crash, a hang, a traceback or a silent acceptance.

Cases run in child processes (a few at a time, each group again one by one if the child dies),
so a segfault fails a test here instead of killing the test run.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import admsim

# The children import the admsim this test imported (the installed one in CI).
PACKAGE_PARENT = str(Path(admsim.__file__).resolve().parent.parent)
TIMEOUT = 120


def _env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=PACKAGE_PARENT + os.pathsep + os.environ.get("PYTHONPATH", ""))

# (name, code, what the error must mention). The code runs with `admsim`, `json`, `core`
# (admsim._core), `cat` (the catalogue JSON), `base` (a small valid spec) and `sim(**kw)` (a
# 1-year, 2-replicate admsim.simulate of Example County with kw merged in) defined.
PY_CASES: list[tuple[str, str, str]] = [
    ("years zero", "sim(years=0)", "/years"),
    ("years negative", "sim(years=-1)", "/years"),
    ("years fractional", "sim(years=1.5)", "/years"),
    ("years string", "sim(years='5')", "/years"),
    ("years None", "sim(years=None)", "/years"),
    ("years huge", "sim(years=10**9)", "/years"),
    ("replicates zero", "sim(replicates=0)", "/replicates"),
    ("replicates word", "sim(replicates='many')", "/replicates"),
    ("replicates None", "sim(replicates=None)", "/replicates"),
    ("replicates 1e12", "sim(replicates=10**12)", "/replicates"),
    ("run too large", "sim(years=50, replicates=10**8)", "/replicates"),
    ("run too long", "sim(years=50, replicates=10**8, output='summary')", "too long"),
    ("seed negative", "sim(seed=-1)", "/seed"),
    ("seed None", "sim(seed=None)", "/seed"),
    ("seed 2^64", "sim(seed=2**64)", "/seed"),
    ("seed string", "sim(seed='x')", "/seed"),
    ("threads negative", "sim(threads=-1)", "threads"),
    ("threads 2^28", "sim(threads=2**28)", "threads"),
    ("threads bool", "sim(threads=True)", "threads"),
    ("threads float", "sim(threads=1.5)", "threads"),
    ("core threads -1", "core.simulate(json.dumps(base), cat, -1)", "threads"),
    ("no models", "sim(models=[])", "/models"),
    ("unknown model", "sim(models=['nope'])", "/models/0"),
    ("formula model id", "sim(models=[{'id': '=HYPERLINK(1)', 'name': 'x', 'group': 'in_house'}])", "/models/0/id"),
    ("effect 1e308", "sim(models=['in_house', {'id': 'latc', 'effects': {'placement_cost': {'dist': 'fixed', 'value': 1e308}}}])",
     "/models/1/effects/placement_cost/value"),
    ("lognormal sigma 1e8", "sim(models=['in_house', {'id': 'latc', 'effects': {'setup_cost': {'dist': 'lognormal', 'median': 3e6, 'sigma': 1e8}}}])",
     "/models/1/effects/setup_cost/sigma"),
    ("uniform +-1e308", "sim(models=['in_house', {'id': 'latc', 'effects': {'improvement': {'dist': 'uniform', 'low': -1e308, 'high': 1e308}}}])",
     "/models/1/effects/improvement/low"),
    ("normal sd too wide", "sim(models=['in_house', {'id': 'latc', 'effects': {'turnover': {'dist': 'normal', 'mean': 1, 'sd': 5}}}])",
     "/models/1/effects/turnover/sd"),
    ("unknown hook", "sim(models=['in_house', {'id': 'latc', 'effects': {'moral': {'dist': 'fixed', 'value': 1}}}])",
     "/models/1/effects/moral"),
    ("negative multiplier", "sim(models=['in_house', {'id': 'latc', 'effects': {'turnover': {'dist': 'fixed', 'value': -5}}}])",
     "/models/1/effects/turnover/value"),
    ("unknown distribution", "sim(models=['in_house', {'id': 'latc', 'effects': {'turnover': {'dist': 'cauchy'}}}])",
     "/models/1/effects/turnover/dist"),
    ("effect NaN", "sim(models=['in_house', {'id': 'latc', 'effects': {'turnover': {'dist': 'fixed', 'value': float('nan')}}}])",
     "/models/1/effects/turnover/value"),
    ("effect inf", "sim(models=['in_house', {'id': 'latc', 'effects': {'pay': {'dist': 'fixed', 'value': float('inf')}}}])",
     "/models/1/effects/pay/value"),
    ("unknown parameter", "sim(parameters={'moral': 1})", "/parameters/moral"),
    ("parameter out of range", "sim(parameters={'quality_reversion_per_year': -1})", "/parameters/quality_reversion_per_year"),
    ("parameter NaN", "sim(parameters={'discount_rate': float('nan')})", "/parameters/discount_rate"),
    ("parameter string", "sim(parameters={'discount_rate': 'low'})", "/parameters/discount_rate"),
    ("age shares over 1", "sim(parameters={'entry_share_age_0_4': 0.8, 'entry_share_age_16_17': 0.3})",
     "/parameters/entry_share_age_16_17"),
    ("too many UASC", "sim(parameters={'uasc_share_of_starts': 0.6})", "/parameters/uasc_share_of_starts"),
    ("rule unknown metric", "sim(rules=[{'when': {'metric': 'moral', 'above': 1}, 'then': {'type': 'pay_uplift', 'size': 0.1, 'duration_months': 3}}])",
     "/rules/0/when/metric"),
    ("rule above and below", "sim(rules=[{'when': {'metric': 'caseload', 'above': 1, 'below': 2}, 'then': {'type': 'pay_uplift', 'size': 0.1, 'duration_months': 3}}])",
     "/rules/0/when"),
    ("rule threshold NaN", "sim(rules=[{'when': {'metric': 'caseload', 'above': float('nan')}, 'then': {'type': 'pay_uplift', 'size': 0.1, 'duration_months': 3}}])",
     "/rules/0/when/above"),
    ("rule size out of range", "sim(rules=[{'when': {'metric': 'caseload', 'above': 20}, 'then': {'type': 'agency_cap', 'size': 2, 'duration_months': 3}}])",
     "/rules/0/then/size"),
    ("rule unknown model", "sim(rules=[{'when': {'metric': 'caseload', 'above': 20}, 'then': {'type': 'pay_uplift', 'size': 0.1, 'duration_months': 3}, 'models': ['trust']}])",
     "/rules/0/models/0"),
    ("intervention unknown model", "sim(interventions=[{'type': 'caseload_cap', 'start_month': 0, 'size': 15, 'models': ['nope']}])",
     "/interventions/0/models/0"),
    ("unknown intervention", "sim(interventions=[{'type': 'magic', 'start_month': 0, 'size': 1}])", "/interventions/0/type"),
    ("intervention after horizon", "sim(interventions=[{'type': 'demand_shock', 'start_month': 99, 'size': 1}])",
     "/interventions/0/start_month"),
    ("intervention size", "sim(interventions=[{'type': 'agency_cap', 'start_month': 0, 'size': 5}])", "/interventions/0/size"),
    ("intervention no size", "sim(interventions=[{'type': 'demand_shock', 'start_month': 0}])", "/interventions/0/size"),
    ("100000 interventions", "sim(interventions=[{'type': 'demand_shock', 'start_month': 0, 'size': 1}] * 100000)",
     "/interventions"),
    ("as_of no such day", "p = admsim.profiles.load('example-county'); p['as_of'] = '2022-02-31'; sim(profile=p)", "/profile/as_of"),
    ("children negative", "p = admsim.profiles.load('example-county'); p['population']['children_0_17'] = -5; sim(profile=p)",
     "/profile/population/children_0_17"),
    ("children NaN", "p = admsim.profiles.load('example-county'); p['population']['children_0_17'] = float('nan'); sim(profile=p)",
     "/profile/population/children_0_17"),
    ("profile without demand", "p = admsim.profiles.load('example-county'); del p['demand']; sim(profile=p)", "/profile/demand"),
    ("profile unknown field", "p = admsim.profiles.load('example-county'); p['moral'] = 1; sim(profile=p)", "/profile/moral"),
    ("budget path short", "p = admsim.profiles.load('example-county'); p['finance']['budget_path'] = [1e7]; sim(profile=p, years=3)",
     "/profile/finance/budget_path"),
    ("unknown profile", "sim(profile='atlantis')", "atlantis"),
    ("deep parameters", "d = x = {}\nfor _ in range(100000):\n    x['a'] = {}; x = x['a']\nsim(parameters=d)", "nested too deeply"),
    ("non-string key", "sim(parameters={1: 0.1})", "/parameters/1"),
    ("set value", "sim(parameters={'discount_rate': {0.1}})", "/parameters/discount_rate"),
    ("decision month negative", "sim(decision_month=-1)", "/decision_month"),
    ("unknown baseline", "sim(baseline='nope')", "/baseline"),
    ("unknown output", "sim(output='everything')", "/output"),
    ("crn not bool", "sim(common_random_numbers='yes')", "/common_random_numbers"),
    ("bad risk", "sim(risks=[{'id': 'x'}])", "/risks/0"),
    ("remove unknown risk", "sim(risks={'remove': ['nope']})", "nope"),
    ("core malformed", "core.simulate('{', cat, 0)", "malformed JSON"),
    ("core 1e999", "core.validate('{\"years\": 1e999}', cat)", "unreadable JSON"),
    ("core invalid utf-8", "core.validate(b'{\"profile\": \"\\xff\\xfe\"}', cat)", "(document)"),
    ("core deep", "core.validate('[' * 100000 + ']' * 100000, cat)", "nested too deeply"),
    ("sensitivity n 2^32", "from admsim import sensitivity\nsensitivity.sobol(base, ['quality_reversion_per_year'], ['latc.npv_cost'], n=2**32)", "/n"),
    ("sensitivity config n 2^32", "from admsim import sensitivity\nsensitivity.run_chunks({'scenario': {'profile': 'example-county', 'models': ['latc']}, 'inputs': ['quality_reversion_per_year'], 'outputs': ['latc.npv_cost'], 'n': 2**32}, '/tmp/admsim-never')", "/n"),
    ("risks not a list", "sim(risks=5)", "/risks"),
    ("risk edit wrong shape", "sim(risks={'remove': 3})", "/risks/remove"),
    ("batch hook out of range",
     "import numpy as np\ncore.evaluate(json.dumps(base), cat, ['latc.turnover'], np.array([[-5.0]]), ['latc.npv_cost'], 1)",
     "/values/0/0"),
    ("batch parameter out of range",
     "import numpy as np\ncore.evaluate(json.dumps(base), cat, ['discount_rate'], np.array([[7.0]]), ['latc.npv_cost'], 1)",
     "/values/0/0"),
]

# Scenario files: (name, bytes, what the error must mention)
FILE_CASES: list[tuple[str, bytes, str]] = [
    ("duplicate key", b'{"profile": "example-county", "years": 2, "years": 3}', "appears twice"),
    ("invalid utf-8", b'{"profile": "example-county\xff"}', "not UTF-8"),
    ("NaN literal", b'{"profile": "example-county", "years": NaN}', "NaN"),
    ("1e999", b'{"profile": "example-county", "years": 1e999}', "years"),
    ("truncated", b'{"profile": "example-county", "ye', "malformed JSON"),
    ("a list", b'[1, 2]', "JSON object"),
    ("deep", b"[" * 100000 + b"]" * 100000, "nested too deeply"),
]

PRELUDE = textwrap.dedent("""
    import json, sys, traceback
    import admsim
    from admsim import _core as core
    from admsim.catalogue import catalogue_json
    cat = catalogue_json()
    base = admsim.build_scenario('example-county', ['in_house', 'latc'], years=1, replicates=2)
    def sim(**kw):
        args = dict(profile='example-county', models=['in_house', 'latc'], years=1, replicates=2, progress=False)
        args.update(kw)
        return admsim.simulate(args.pop('profile'), args.pop('models'), **args)
    def case(name, code):
        try:
            exec(code, globals())
            out = {'name': name, 'type': None, 'msg': 'accepted'}
        except BaseException as err:
            out = {'name': name, 'type': type(err).__name__, 'msg': str(err)[:600],
                   'clear': isinstance(err, (admsim.ScenarioError, ValueError, OSError))}
        print('CASE ' + json.dumps(out), flush=True)
""")


def _run_group(cases: list[tuple[str, str, str]]) -> tuple[dict[str, dict], int]:
    body = PRELUDE + "".join(f"case({name!r}, {code!r})\n" for name, code, _ in cases)
    proc = subprocess.run([sys.executable, "-c", body], capture_output=True, text=True,
                          timeout=TIMEOUT, env=_env())
    found = {}
    for line in proc.stdout.splitlines():
        if line.startswith("CASE "):
            item = json.loads(line[5:])
            found[item["name"]] = item
    return found, proc.returncode


def _outcomes(cases: list[tuple[str, str, str]]) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for start in range(0, len(cases), 12):
        group = cases[start:start + 12]
        got, rc = _run_group(group)
        if rc != 0:  # the child died: find which case killed it
            for one in group:
                single, rc1 = _run_group([one])
                got.update(single)
                if rc1 != 0:
                    got[one[0]] = {"name": one[0], "type": f"exit status {rc1}", "msg": "crashed", "clear": False}
        found.update(got)
    return found


@pytest.fixture(scope="module")
def python_outcomes():
    return _outcomes(PY_CASES)


def test_there_are_at_least_sixty_kinds():
    assert len(PY_CASES) + len(FILE_CASES) + len(CLI_CASES) >= 60


@pytest.mark.parametrize("name,code,mention", PY_CASES, ids=[c[0] for c in PY_CASES])
def test_python_api_bad_input_is_a_clear_error(python_outcomes, name, code, mention):
    out = python_outcomes.get(name)
    assert out is not None, f"{name}: no outcome (hang or crash before it ran)"
    assert out["type"] is not None, f"{name}: accepted silently"
    assert out["clear"], f"{name}: {out['type']}: {out['msg']}"
    assert mention in out["msg"], f"{name}: the message does not name {mention!r}: {out['msg']}"


@pytest.mark.parametrize("name,content,mention", FILE_CASES, ids=[c[0] for c in FILE_CASES])
def test_bad_scenario_files_are_clear_errors(tmp_path, name, content, mention):
    path = tmp_path / "scenario.json"
    path.write_bytes(content)
    got, rc = _run_group([(name, f"admsim.scenario.load_scenario({str(path)!r})", mention)])
    assert rc == 0, f"{name}: the child exited {rc}"
    out = got[name]
    assert out["type"] is not None and out["clear"], f"{name}: {out}"
    assert mention in out["msg"], f"{name}: {out['msg']}"


# Command lines: (name, argv after `python -m admsim`, what stderr must mention). Files named
# {deep}, {utf8} and {big} are written first.
CLI_CASES: list[tuple[str, list[str], str]] = [
    ("years zero", ["compare", "--years", "0", "--replicates", "2"], "/years"),
    ("missing scenario", ["run", "/nonexistent/scenario.json"], "cannot read"),
    ("deep scenario", ["run", "{deep}"], "nested too deeply"),
    ("utf-8 scenario", ["run", "{utf8}"], "UTF-8"),
    ("1e999 scenario", ["run", "{big}"], "years"),
    ("url profile", ["compare", "--profile", "http://example.org/p.json"], "local path"),
    ("url judgements", ["forecast", "--judgements", "https://example.org/j.csv", "--as-of", "2022-01-01", "--out", "f.csv"], "local path"),
    ("too large", ["compare", "--years", "50", "--replicates", "100000000"], "too long"),
    ("unknown model", ["compare", "--models", "nope", "--replicates", "2", "--years", "1"], "/models/0"),
]


@pytest.mark.parametrize("name,argv,mention", CLI_CASES, ids=[c[0] for c in CLI_CASES])
def test_cli_bad_input_is_one_line_and_status_2(tmp_path, name, argv, mention):
    files = {"deep": b"[" * 100000 + b"]" * 100000,
             "utf8": b'{"profile": "example-county\xff"}',
             "big": b'{"profile": "example-county", "years": 1e999}'}
    paths = {}
    for key, content in files.items():
        paths[key] = tmp_path / f"{key}.json"
        paths[key].write_bytes(content)
    argv = [a.format(**{k: str(v) for k, v in paths.items()}) for a in argv]
    proc = subprocess.run([sys.executable, "-m", "admsim", *argv], capture_output=True, text=True,
                          timeout=TIMEOUT, env=_env(), cwd=tmp_path)
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-500:])
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert lines and lines[-1].startswith("admsim") and mention in lines[-1], proc.stderr[-500:]
    assert len([line for line in lines if line.startswith("admsim: error")]) == 1


@pytest.mark.parametrize("target,content,mention", [
    ("secrets.json", b'{"password": "hunter2", "population": {"token": "hunter2"}}', "not an admsim profile"),
    ("secrets.txt", b'{"password": "hunter2"}', ".json file"),
], ids=["json that is not a profile", "not a json file"])
def test_a_scenario_profile_path_never_echoes_another_file(tmp_path, target, content, mention):
    (tmp_path / target).write_bytes(content)
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps({"profile": target, "models": ["in_house"]}))
    got, rc = _run_group([("p", f"admsim.scenario.load_scenario({str(path)!r})", mention)])
    assert rc == 0
    out = got["p"]
    assert out["type"] is not None and out["clear"], out
    assert mention in out["msg"] and "hunter2" not in out["msg"], out["msg"]
    assert "/profile" in out["msg"], out["msg"]
