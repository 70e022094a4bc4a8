"""Bad input gives a ScenarioError naming the field, from Python, with no crash."""
import json
import math

import pytest

import admsim
from admsim.scenario import build_scenario, load_scenario


def _error(spec):
    with pytest.raises(admsim.ScenarioError) as info:
        admsim.validate(spec)
    return info.value


@pytest.mark.parametrize(
    "mutate, pointer",
    [
        (lambda s: s["profile"]["demand"].pop("cpp_per_10k"), "/profile/demand/cpp_per_10k"),
        (lambda s: s.__setitem__("years", "ten"), "/years"),
        (lambda s: s["profile"]["demand"].__setitem__("rereferral_rate", 1.2), "/profile/demand/rereferral_rate"),
        (lambda s: s["profile"]["population"].__setitem__("children_0_17", -5), "/profile/population/children_0_17"),
        (lambda s: s["models"].__setitem__(1, "no_such_model"), "/models/1"),
        (lambda s: s.__setitem__("interventions", [{"type": "teleport", "start_month": 0, "size": 1}]), "/interventions/0/type"),
        (lambda s: s.__setitem__("years", 0), "/years"),
        (lambda s: s.__setitem__("replicates", 0), "/replicates"),
        (lambda s: s["profile"]["workforce"].__setitem__("caseload", math.nan), "/profile/workforce/caseload"),
        (lambda s: s["profile"]["workforce"].__setitem__("turnover_rate", math.inf), "/profile/workforce/turnover_rate"),
        (lambda s: s["models"].__setitem__(1, {"id": "latc", "effects": {"turnover": {"dist": "fixed", "value": -1}}}), "/models/1/effects/turnover/value"),
        (lambda s: s.__setitem__("parameters", {"no_such_parameter": 1}), "/parameters/no_such_parameter"),
    ],
)
def test_bad_input_names_the_field(small_profile, mutate, pointer):
    spec = build_scenario(small_profile, ["in_house", "latc"], years=2, replicates=2)
    mutate(spec)
    err = _error(spec)
    assert err.pointer == pointer
    assert pointer in str(err)
    assert "allowed" in str(err)
    assert isinstance(err, ValueError)


def test_simulate_raises_the_same_error(small_profile):
    with pytest.raises(admsim.ScenarioError, match="/replicates"):
        admsim.simulate(small_profile, ["in_house"], replicates=0, progress=False)


def test_malformed_json_file(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"years": 10,')
    with pytest.raises(admsim.ScenarioError, match="malformed JSON"):
        load_scenario(path)


def test_malformed_json_text_from_cpp():
    from admsim import _core

    with pytest.raises(admsim.ScenarioError, match="malformed JSON") as info:
        _core.validate('{"years": ', json.dumps(admsim.load_catalogue()))
    assert info.value.pointer == ""
