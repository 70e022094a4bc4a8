"""Councils with many unaccompanied asylum-seeking children (issue 16): the national placement
mix re-weighted so the engine holds their UASC, with the sources saying so."""
import copy

import pytest

import admsim
from admsim import profiles
from admsim.profiles import uasc

UASC_COUNCILS = ["Kent", "Camden", "Westminster", "Kensington and Chelsea", "City of London",
                 "Hillingdon", "Wokingham"]


def fast_turnover(profile):
    """A council whose children in care turn over as fast as Kent's (starts near the stock)."""
    p = copy.deepcopy(profile)
    p["demand"]["cla_starts_per_10k"] = round(0.84 * p["demand"]["cla_per_10k"], 2)
    p["demand"]["cla_ceased_per_10k"] = round(0.80 * p["demand"]["cla_per_10k"], 2)
    return p


def test_the_national_mix_is_unchanged_where_the_engine_holds_the_uasc():
    p = profiles.load("example-county")
    assert uasc.fit_uasc(p, 2022) is p
    # England's UASC share gives England's mix back.
    q = uasc.NATIONAL_UASC_IN_CARE[2022] / profiles.NATIONAL_PLACEMENTS[2022]["Total"]
    mix = uasc.reweighted_mix(p["placements"]["mix"], q, q)
    assert mix == pytest.approx(p["placements"]["mix"], abs=2e-6)


def test_a_fast_turnover_council_is_refused_at_the_national_mix_and_held_reweighted():
    p = fast_turnover(profiles.load("example-county"))
    with pytest.raises(admsim.ScenarioError, match="uasc_share_of_starts.*supported"):
        profiles.check(p)
    fitted = uasc.fit_uasc(p, 2022)
    profiles.check(fitted)
    mix, national = fitted["placements"]["mix"], p["placements"]["mix"]
    assert sum(mix.values()) == pytest.approx(1.0, abs=1e-9)
    assert mix["supported"] > national["supported"] and mix["foster_agency"] < national["foster_agency"]
    assert mix["residential"] < national["residential"]  # the rest shrinks pro rata
    why = fitted["sources"]["placements.mix.supported"]
    assert "unaccompanied asylum-seeking" in why and "5,570" in why and "estimate" in why
    assert "re-weighted for UASC" in fitted["description"]
    assert p["placements"]["mix"] == national  # the input is not changed
    # The share is the smallest that holds them (0.1 pp steps): 0.1 pp less is refused.
    q = float(why.split("UASC put back at ")[1].split("%")[0]) / 100
    q0 = uasc.NATIONAL_UASC_IN_CARE[2022] / profiles.NATIONAL_PLACEMENTS[2022]["Total"]
    less = dict(p, placements=dict(p["placements"], mix=uasc.reweighted_mix(national, q - 0.0015, q0)))
    with pytest.raises(admsim.ScenarioError, match="uasc_share_of_starts"):
        profiles.check(less)
    admsim.simulate(fitted, ["in_house"], years=1, replicates=4, progress=False)


def test_other_errors_are_left_to_the_check():
    p = profiles.load("example-county")
    p["workforce"]["in_post_fte"] = 0.0
    assert uasc.fit_uasc(p, 2022) is p


def test_the_uasc_councils_build_from_the_real_panels(shared_data):
    for la in UASC_COUNCILS:
        p = profiles.from_panels(la, shared_data / "la_panels", year=2022)
        profiles.check(p)
        assert "re-weighted for unaccompanied" in p["sources"]["placements.mix.supported"], la


def test_a_return_with_no_leavers_is_missing_not_zero_turnover(shared_data):
    """Lewisham, Manchester and Oldham reported 0 leavers in 2022 (15-17% the year before): a
    gap in the return, so England's turnover is used, not 0 (which would freeze the workforce)."""
    from admsim.profiles import from_panels

    profile = from_panels("Lewisham", shared_data / "la_panels", year=2022)
    assert 0.1 < profile["workforce"]["turnover_rate"] < 0.25
    assert "national value used" in profile["sources"]["workforce.turnover_rate"]
