"""Council profiles: shipped profiles, check(), and from_panels() on the DfE LA panels."""
from __future__ import annotations

import copy
import csv
import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# from_panels() runs on `data_dir` (conftest): the shipped excerpt, and ../shared/data if present.
JUDGEMENTS = "ofsted_la_judgements_2009_2022.csv"

from admsim import profiles


@pytest.fixture
def example():
    return profiles.load("example-county")


def _file_population(data_dir: Path, la: str, year: int) -> float:
    with (data_dir / "la_panels" / "population_0_17_2012_2022.csv").open(newline="") as fh:
        for row in csv.DictReader(fh):
            if (row["geographic_level"] == "Local authority" and row["la_name"] == la
                    and int(row["time_period"]) == year):
                return float(row["population_estimate"])
    raise LookupError((la, year))


# ---------------------------------------------------------------- shipped profiles


def test_available_lists_shipped_profiles():
    slugs = profiles.available()
    assert "example-county" in slugs
    assert "worcestershire-2017" in slugs
    assert slugs == sorted(slugs)


def test_load_example_county_passes_check(example):
    profiles.check(example, require_sources=True)
    assert example["name"] == "Example County"
    assert example["slug"] == "example-county"
    assert example["as_of"] == "2022-03-31"
    assert 55_000 <= example["population"]["children_0_17"] <= 65_000
    d = example["demand"]
    # England 2021-22 (england_csc_national_2013_2022.csv)
    assert d["referrals_per_10k"] == pytest.approx(552.8, abs=0.1)
    assert d["cin_per_10k"] == pytest.approx(343.7, abs=0.1)
    assert d["cpp_per_10k"] == pytest.approx(43.3, abs=0.1)
    assert d["cla_per_10k"] == pytest.approx(70.0, abs=0.5)
    assert d["rereferral_rate"] == pytest.approx(0.215)
    assert d["no_further_action_rate"] == pytest.approx(0.364, abs=0.001)
    w = example["workforce"]
    assert w["vacancy_rate"] == pytest.approx(0.20)
    assert w["turnover_rate"] == pytest.approx(0.172)
    assert w["in_post_fte"] == pytest.approx(31634.1 * example["population"]["children_0_17"] / 11762878, abs=0.1)
    assert sum(example["placements"]["mix"].values()) == pytest.approx(1.0, abs=1e-9)
    assert example["ofsted"]["last_grade"] == "good"
    assert example["ofsted"]["last_inspection"] < example["as_of"]
    assert "assumption" in example["sources"]["ofsted.last_grade"]


def test_shipped_worcestershire_passes_check():
    p = profiles.load("worcestershire-2017", validate=True)
    profiles.check(p, require_sources=True)
    assert p["ofsted"]["last_grade"] == "inadequate"
    assert p["as_of"] == "2017-03-31"


def test_every_numeric_field_has_a_source(example):
    for field in profiles.NUMERIC_FIELDS:
        assert example["sources"][field].strip(), field


def test_load_returns_a_fresh_dict(example):
    example["demand"]["cla_per_10k"] = -1
    assert profiles.load("example-county")["demand"]["cla_per_10k"] > 0


def test_load_by_path_matches_slug(tmp_path, example):
    path = tmp_path / "mine.json"
    path.write_text(json.dumps(example))
    assert profiles.load(path) == example
    assert profiles.load(str(path)) == example


def test_unknown_slug_names_it_and_the_available_slugs():
    with pytest.raises(ValueError) as err:
        profiles.load("no-such-council")
    message = str(err.value)
    assert "no-such-council" in message
    assert "example-county" in message and "worcestershire-2017" in message


def test_missing_file_names_it(tmp_path):
    missing = tmp_path / "nope.json"
    with pytest.raises(FileNotFoundError, match="nope.json") as err:
        profiles.load(missing)
    assert "example-county" in str(err.value)


def test_invalid_json_file(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ValueError, match="bad.json"):
        profiles.load(bad)


# ---------------------------------------------------------------- check()


def test_check_catches_negative_population(example):
    p = copy.deepcopy(example)
    p["population"]["children_0_17"] = -100
    with pytest.raises(ValueError, match=r"population\.children_0_17"):
        profiles.check(p)


def test_check_catches_mix_not_summing_to_one(example):
    p = copy.deepcopy(example)
    p["placements"]["mix"]["foster_inhouse"] += 0.05
    with pytest.raises(ValueError, match=r"placements\.mix"):
        profiles.check(p)


@pytest.mark.parametrize("field, value", [
    ("demand.rereferral_rate", 1.5),
    ("workforce.turnover_rate", -0.1),
    ("workforce.vacancy_rate", "x"),
    ("demand.cla_per_10k", float("nan")),
    ("finance.overheads_share", True),
    ("placements.weekly_cost.residential", -1),
])
def test_check_names_the_bad_field(example, field, value):
    p = copy.deepcopy(example)
    node = p
    *parents, leaf = field.split(".")
    for part in parents:
        node = node[part]
    node[leaf] = value
    with pytest.raises(ValueError, match=field.replace(".", r"\.")):
        profiles.check(p)


def test_check_catches_missing_key(example):
    p = copy.deepcopy(example)
    del p["demand"]["cla_per_10k"]
    with pytest.raises(ValueError, match=r"demand\.cla_per_10k.*missing"):
        profiles.check(p)


def test_check_catches_bad_grade_and_dates(example):
    p = copy.deepcopy(example)
    p["ofsted"]["last_grade"] = "adequate"
    with pytest.raises(ValueError, match=r"ofsted\.last_grade"):
        profiles.check(p)
    p = copy.deepcopy(example)
    p["ofsted"]["last_inspection"] = "2023-01-01"
    with pytest.raises(ValueError, match=r"ofsted\.last_inspection"):
        profiles.check(p)


def test_check_cin_must_exceed_cpp_plus_cla(example):
    p = copy.deepcopy(example)
    p["demand"]["cin_per_10k"] = 50.0
    with pytest.raises(ValueError, match=r"demand\.cin_per_10k"):
        profiles.check(p)


def test_check_require_sources(example):
    p = copy.deepcopy(example)
    del p["sources"]["demand.cla_per_10k"]
    profiles.check(p)  # sources optional by default
    with pytest.raises(ValueError, match=r"sources\.demand\.cla_per_10k"):
        profiles.check(p, require_sources=True)


def test_check_accepts_the_engine_test_profile():
    small = json.loads((ROOT / "tests" / "data" / "profile_small.json").read_text())
    profiles.check(small)


# ---------------------------------------------------------------- from_panels() on the DfE panels

SANE = {
    "referrals_per_10k": (100, 2000), "cin_per_10k": (100, 1500), "cpp_per_10k": (5, 200),
    "cpp_starts_per_10k": (5, 250), "cla_per_10k": (10, 300), "cla_starts_per_10k": (3, 150),
    "cla_ceased_per_10k": (3, 150),
}


def _assert_sane(p, la, year, data_dir):
    profiles.check(p, require_sources=True)
    assert p["name"] == la
    file_pop = _file_population(data_dir, la, year - 1)
    assert abs(p["population"]["children_0_17"] - file_pop) <= 0.1 * file_pop
    for field, (lo, hi) in SANE.items():
        assert lo <= p["demand"][field] <= hi, (la, field, p["demand"][field])
    for field in ("rereferral_rate", "no_further_action_rate", "cpp_repeat_rate"):
        assert 0 <= p["demand"][field] <= 1
    w = p["workforce"]
    assert w["in_post_fte"] > 0 and w["agency_fte"] >= 0
    assert 0 <= w["vacancy_rate"] <= 0.9 and 0 <= w["turnover_rate"] <= 1
    assert 5 <= w["caseload"] <= 40
    assert 0.2 <= w["case_holding_share"] <= 1
    assert p["finance"]["budget_per_year"] > 0
    assert p["ofsted"]["last_grade"] in profiles.GRADES


def test_worcestershire_2017(data_dir):
    p = profiles.from_panels("Worcestershire", data_dir / "la_panels", year=2017,
                             judgements=data_dir / JUDGEMENTS)
    _assert_sane(p, "Worcestershire", 2017, data_dir)
    assert p["slug"] == "worcestershire-2017"
    assert p["as_of"] == "2017-03-31"
    assert p["population"]["children_0_17"] == 116203  # ONS mid-2016
    d = p["demand"]
    assert d["referrals_per_10k"] == pytest.approx(5497 / 116203 * 1e4, abs=0.01)
    assert d["cin_per_10k"] == pytest.approx(4067 / 116203 * 1e4, abs=0.01)
    assert d["cpp_repeat_rate"] == pytest.approx(135 / 677, abs=1e-4)
    # CLA only 2021-2022: nearest year used and recorded
    assert d["cla_per_10k"] == pytest.approx(859 / 117526 * 1e4, abs=0.01)
    assert "nearest available year to 2017" in p["sources"]["demand.cla_per_10k"]
    w = p["workforce"]
    assert (w["in_post_fte"], w["agency_fte"]) == (208.5, 62.2)
    assert w["case_holding_share"] == pytest.approx(138 / (208.5 + 62.2), abs=1e-4)
    assert p["ofsted"] == {"last_grade": "inadequate", "last_inspection": "2017-01-24"}


def test_shipped_profiles_rebuild_identically(data_dir):
    spec = importlib.util.spec_from_file_location("_build_profiles", ROOT / "scripts" / "build_profiles.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    for slug, built in build.build_all(data_dir).items():
        assert json.loads(build.dumps(built)) == profiles.load(slug), slug


@pytest.mark.parametrize("la, year", [("Birmingham", None), ("Rutland", None),
                                      ("Hammersmith and Fulham", 2019)])
def test_other_councils_are_sane(data_dir, la, year):
    p = profiles.from_panels(la, data_dir / "la_panels", year=year,
                             judgements=data_dir / JUDGEMENTS)
    expected_year = year or 2022
    assert p["as_of"] == f"{expected_year}-03-31"
    _assert_sane(p, la, expected_year, data_dir)


def test_name_match_is_case_insensitive(data_dir):
    p = profiles.from_panels("  worcestershire ", data_dir / "la_panels", year=2018)
    assert p["name"] == "Worcestershire"


def test_unknown_council_lists_close_matches(data_dir):
    with pytest.raises(ValueError, match="Worcestershir.*close matches.*'Worcestershire'"):
        profiles.from_panels("Worcestershir", data_dir / "la_panels")


def test_suppressed_value_falls_back_to_national(data_dir):
    # Rutland's 2022 second-or-subsequent plan count is suppressed ('c')
    p = profiles.from_panels("Rutland", data_dir / "la_panels", year=2022)
    assert p["demand"]["cpp_repeat_rate"] == pytest.approx(14550 / 64390, abs=1e-4)
    assert "national value used" in p["sources"]["demand.cpp_repeat_rate"]
    assert "'c'" in p["sources"]["demand.cpp_repeat_rate"]


def test_without_judgements_uses_modal_grade_labelled(data_dir):
    p = profiles.from_panels("Worcestershire", data_dir / "la_panels", year=2022)
    assert p["ofsted"]["last_grade"] == "good"  # 60 of 150 graded at 31 March 2022
    assert p["sources"]["ofsted.last_grade"].startswith("assumption")
    assert p["ofsted"]["last_inspection"] == "2019-03-31"


def test_as_of_selects_earlier_judgement(data_dir):
    # Before the SIF report (published 24 Jan 2017) the last grade was the 2012 SLAC re-inspection
    p = profiles.from_panels("Worcestershire", data_dir / "la_panels", year=2017,
                             judgements=data_dir / JUDGEMENTS, as_of="2016-12-31")
    assert p["as_of"] == "2016-12-31"
    assert p["ofsted"] == {"last_grade": "requires_improvement", "last_inspection": "2012-04-23"}


def test_ofsted_names_differ_between_publishers(data_dir):
    # DfE "Bristol, City of" is Ofsted's "Bristol"
    p = profiles.from_panels("Bristol, City of", data_dir / "la_panels", year=2022,
                             judgements=data_dir / JUDGEMENTS)
    assert not p["sources"]["ofsted.last_grade"].startswith("assumption")


def test_reference_constants_match_files(data_dir):
    with (data_dir / profiles.PLACEMENT_MIX_FILE).open(newline="") as fh:
        counts: dict[int, dict[str, int]] = {}
        for row in csv.DictReader(fh):
            counts.setdefault(int(row["time_period"]), {})[row["characteristic"]] = int(row["number"])
    assert counts == profiles.NATIONAL_PLACEMENTS
    with (data_dir / profiles.OFSTED_DISTRIBUTION_FILE).open(newline="") as fh:
        dist = {int(r["as_at"][:4]): (int(r["outstanding"]), int(r["good"]),
                                      int(r["requires_improvement"]), int(r["inadequate"]))
                for r in csv.DictReader(fh)}
    assert dist == profiles.OFSTED_NATIONAL_DISTRIBUTION
