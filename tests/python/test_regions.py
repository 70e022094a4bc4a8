"""Shipped regions: profiles.regions(), profiles.region() and the West Midlands' 14 councils.

All but the last test read only the package's shipped files (no ../shared)."""
from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import pytest

from admsim import outturn, profiles
from admsim.profiles import loader

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "python" / "admsim" / "data" / "regions"
# As DfE's LA panels spell them (region_name "West Midlands").
WEST_MIDLANDS = ["Birmingham", "Coventry", "Dudley", "Herefordshire, County of", "Sandwell",
                 "Shropshire", "Solihull", "Staffordshire", "Stoke-on-Trent", "Telford and Wrekin",
                 "Walsall", "Warwickshire", "Wolverhampton", "Worcestershire"]


@pytest.fixture(scope="module")
def west_midlands():
    return profiles.region("west-midlands")


def test_regions_lists_the_shipped_regions():
    assert profiles.regions() == ["west-midlands"]


def test_west_midlands_is_the_default_and_has_its_14_councils(west_midlands):
    names = [p["name"] for p in west_midlands]
    assert names == WEST_MIDLANDS
    assert len(set(names)) == 14
    assert len({p["slug"] for p in west_midlands}) == 14
    assert [p["name"] for p in profiles.region()] == names
    meta = json.loads((SHIPPED / "west-midlands" / "region.json").read_text(encoding="utf-8"))
    assert meta["name"] == "West Midlands" and "seed 000" in meta["source"]
    assert [c["name"] for c in meta["councils"]] == names


def test_region_returns_fresh_dicts():
    profiles.region()[0]["population"]["children_0_17"] = -1
    assert profiles.region()[0]["population"]["children_0_17"] > 0


@pytest.mark.parametrize("i", range(14))
def test_each_council_validates_and_is_plausible(west_midlands, i):
    p = west_midlands[i]
    profiles.check(p, require_sources=True)
    assert p["as_of"] == "2022-03-31"
    assert p["finance"]["budget_per_year"] > 0
    # English councils' CLA rates at 31 March 2022 run from about 20 to about 220 per 10,000
    # children (England 70); 20-250 catches a rate per child instead of per 10k, or a wrong year's
    # population, without pinning any one council.
    assert 20 <= p["demand"]["cla_per_10k"] <= 250, p["name"]
    # Councils' average caseloads (cases per case-holding FTE, CSWW 2022) run from about 10 to
    # about 25 (England 16.6); outside 8-30 means a wrong column or a division gone astray.
    assert 8 <= p["workforce"]["caseload"] <= 30, p["name"]
    # Spend of £300-£3,000 per child a year brackets every council's modelled-scope outturn.
    assert 300 <= p["finance"]["budget_per_year"] / p["population"]["children_0_17"] <= 3000


def test_birmingham_is_by_far_the_largest(west_midlands):
    sizes = sorted((p["population"]["children_0_17"], p["name"]) for p in west_midlands)
    assert sizes[-1][1] == "Birmingham" and sizes[-1][0] > 1.5 * sizes[-2][0]


def test_trust_councils_say_so(west_midlands):
    by_name = {p["name"]: p for p in west_midlands}
    assert "Birmingham Children's Trust" in by_name["Birmingham"]["description"]
    assert "Sandwell Children's Trust" in by_name["Sandwell"]["description"]
    assert "Worcestershire Children First" in by_name["Worcestershire"]["description"]


def test_worcestershire_2022_differs_from_2017(west_midlands):
    w22 = next(p for p in west_midlands if p["name"] == "Worcestershire")
    w17 = profiles.load("worcestershire-2017")
    assert (w22["slug"], w17["slug"]) == ("worcestershire-2022", "worcestershire-2017")
    assert w22["as_of"] > w17["as_of"]
    assert w17["ofsted"]["last_grade"] == "inadequate"
    assert w22["ofsted"]["last_grade"] == "requires_improvement"  # ILACS, published July 2019
    assert w22["demand"] != w17["demand"] and w22["workforce"] != w17["workforce"]


def test_unknown_region_names_the_shipped_ones():
    with pytest.raises(ValueError, match=r"unknown region 'west-midland'.*west-midlands.*did you mean"):
        profiles.region("west-midland")
    with pytest.raises(ValueError, match=r"unknown region 'north-east' \(shipped regions: west-midlands\)$"):
        profiles.region("north-east")


def test_region_file_errors_name_the_council(tmp_path, monkeypatch):
    shutil.copytree(SHIPPED / "west-midlands", tmp_path / "wm")
    monkeypatch.setattr(loader, "_regions_dir", lambda: tmp_path)
    assert profiles.regions() == ["wm"]
    (tmp_path / "wm" / "dudley-2022.json").unlink()
    with pytest.raises(ValueError, match=r"councils\[2\] \('Dudley'\) names 'dudley-2022.json', which is not shipped"):
        profiles.region("wm")
    meta = json.loads((tmp_path / "wm" / "region.json").read_text(encoding="utf-8"))
    meta["councils"][2]["profile"] = "coventry-2022.json"
    (tmp_path / "wm" / "region.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ValueError, match=r"councils\[2\] is 'Dudley' but coventry-2022.json is 'Coventry'"):
        profiles.region("wm")


def test_outturn_found_by_ons_code_where_names_differ():
    # MHCLG writes "Herefordshire UA" and "Telford & the Wrekin UA": the name alone misses them.
    assert outturn.council_budget("Herefordshire, County of") is None
    budget, text = outturn.council_budget("Herefordshire, County of", ons_code="E06000019")
    assert budget > 0 and "Herefordshire UA" in text
    assert outturn.council_budget("Telford and Wrekin", ons_code="E06000020") is not None


def test_shipped_regions_rebuild_identically(shared_data):
    spec = importlib.util.spec_from_file_location("_build_profiles", ROOT / "scripts" / "build_profiles.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    built = build.build_all_regions(shared_data)
    shipped = {str(p.relative_to(SHIPPED)) for p in SHIPPED.rglob("*.json")}
    assert set(built) == shipped
    for rel, obj in built.items():
        assert build.dumps(obj) == (SHIPPED / rel).read_text(encoding="utf-8"), rel
