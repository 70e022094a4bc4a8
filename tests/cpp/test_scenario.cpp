// Bad input gets a clear error naming the JSON pointer, the value and what is allowed.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "support.hpp"

using admsim::json;
using admsim::ValidationError;
using namespace admsim::test;

namespace {
// Parses spec and returns the error's pointer (fails the test if no error).
std::string error_pointer(const json& spec, std::string* message = nullptr) {
  try {
    admsim::parse_scenario(spec, catalogue());
  } catch (const ValidationError& e) {
    if (message) *message = e.what();
    return e.pointer();
  }
  FAIL("expected a ValidationError");
  return "";
}
}  // namespace

TEST_CASE("a valid scenario parses and resolves catalogue ids") {
  const auto s = admsim::parse_scenario(small_spec(), catalogue());
  REQUIRE(s.models.size() == 3);
  CHECK(s.models[1].id == "latc");
  CHECK(s.months == 24);
  CHECK(s.replicates == 4);
}

TEST_CASE("missing field names its pointer") {
  json spec = small_spec();
  spec["profile"]["demand"].erase("cla_per_10k");
  std::string msg;
  CHECK(error_pointer(spec, &msg) == "/profile/demand/cla_per_10k");
  CHECK_THAT(msg, Catch::Contains("missing required field"));
}

TEST_CASE("wrong type names the field and what is allowed") {
  json spec = small_spec();
  spec["years"] = "ten";
  std::string msg;
  CHECK(error_pointer(spec, &msg) == "/years");
  CHECK_THAT(msg, Catch::Contains("\"ten\""));
  CHECK_THAT(msg, Catch::Contains("an integer in [1, 50]"));
}

TEST_CASE("probability above 1") {
  json spec = small_spec();
  spec["profile"]["demand"]["rereferral_rate"] = 1.5;
  std::string msg;
  CHECK(error_pointer(spec, &msg) == "/profile/demand/rereferral_rate");
  CHECK_THAT(msg, Catch::Contains("1.5"));
}

TEST_CASE("negative population") {
  json spec = small_spec();
  spec["profile"]["population"]["children_0_17"] = -100;
  CHECK(error_pointer(spec) == "/profile/population/children_0_17");
}

TEST_CASE("unknown model id lists the known ids") {
  json spec = small_spec();
  spec["models"][2] = "trust_me";
  std::string msg;
  CHECK(error_pointer(spec, &msg) == "/models/2");
  CHECK_THAT(msg, Catch::Contains("unknown delivery model id"));
  CHECK_THAT(msg, Catch::Contains("in_house"));
}

TEST_CASE("unknown intervention") {
  json spec = small_spec();
  spec["interventions"] = json::array({{{"type", "magic_wand"}, {"start_month", 0}, {"size", 1}}});
  std::string msg;
  CHECK(error_pointer(spec, &msg) == "/interventions/0/type");
  CHECK_THAT(msg, Catch::Contains("recruitment_campaign"));
}

TEST_CASE("horizon 0 and replicates 0") {
  json spec = small_spec();
  spec["years"] = 0;
  CHECK(error_pointer(spec) == "/years");
  spec = small_spec();
  spec["replicates"] = 0;
  CHECK(error_pointer(spec) == "/replicates");
}

TEST_CASE("malformed JSON is a ValidationError, not a crash") {
  try {
    admsim::parse_json_text("{\"years\": 10,");
    FAIL("expected an error");
  } catch (const ValidationError& e) {
    CHECK(e.pointer().empty());
    CHECK_THAT(std::string(e.what()), Catch::Contains("malformed JSON"));
  }
}

TEST_CASE("non-finite numbers") {
  json spec = small_spec();
  spec["profile"]["workforce"]["caseload"] = std::numeric_limits<double>::quiet_NaN();
  std::string msg;
  CHECK(error_pointer(spec, &msg) == "/profile/workforce/caseload");
  CHECK_THAT(msg, Catch::Contains("non-finite"));
  spec = small_spec();
  spec["profile"]["finance"]["budget_per_year"] = std::numeric_limits<double>::infinity();
  CHECK(error_pointer(spec) == "/profile/finance/budget_per_year");
}

TEST_CASE("effects of a model override are validated with their pointer") {
  json spec = small_spec();
  spec["models"][1] = {{"id", "latc"}, {"effects", {{"turnover", {{"dist", "uniform"}, {"low", -1}, {"high", 1}}}}}};
  CHECK(error_pointer(spec) == "/models/1/effects/turnover/low");
  // A normal (or lognormal) effect is allowed only if even its most extreme draw stays in range.
  spec["models"][1] = {{"id", "latc"}, {"effects", {{"turnover", {{"dist", "normal"}, {"mean", 1}, {"sd", 0.5}}}}}};
  CHECK(error_pointer(spec) == "/models/1/effects/turnover/sd");
  spec["models"][1] = {{"id", "latc"}, {"effects", {{"placement_cost", {{"dist", "fixed"}, {"value", 1e308}}}}}};
  CHECK(error_pointer(spec) == "/models/1/effects/placement_cost/value");
  spec["models"][1] = {{"id", "latc"}, {"effects", {{"setup_cost", {{"dist", "lognormal"}, {"median", 3e6}, {"sigma", 1e8}}}}}};
  CHECK(error_pointer(spec) == "/models/1/effects/setup_cost/sigma");
  spec["models"][1] = {{"id", "latc"}, {"effects", {{"improvement", {{"dist", "uniform"}, {"low", -1e308}, {"high", 1e308}}}}}};
  CHECK(error_pointer(spec) == "/models/1/effects/improvement/low");
  spec["models"][1] = {{"id", "latc"}, {"effects", {{"turnover", {{"dist", "normal"}, {"mean", 1}, {"sd", 0.1}}}}}};
  CHECK_NOTHROW(admsim::parse_scenario(spec, catalogue()));
  spec["models"][1] = {{"id", "latc"}, {"effects", {{"moral", {{"dist", "fixed"}, {"value", 1}}}}}};
  CHECK(error_pointer(spec) == "/models/1/effects/moral");
}

TEST_CASE("unknown fields and parameters are caught, not ignored") {
  json spec = small_spec();
  spec["replicate"] = 5;
  CHECK(error_pointer(spec) == "/replicate");
  spec = small_spec();
  spec["parameters"] = {{"quality_reversion", 0.3}};
  CHECK(error_pointer(spec) == "/parameters/quality_reversion");
  spec["parameters"] = {{"discount_rate", 2.0}};
  CHECK(error_pointer(spec) == "/parameters/discount_rate");
}

TEST_CASE("typos inside the profile and the models are caught at every level") {
  json spec = small_spec();
  spec["profile"]["population"]["growth_per_yr"] = 0.01;
  CHECK(error_pointer(spec) == "/profile/population/growth_per_yr");
  spec = small_spec();
  spec["profile"]["placements"]["mix"]["fostr"] = 0.0;
  CHECK(error_pointer(spec) == "/profile/placements/mix/fostr");
  spec = small_spec();
  spec["models"][1] = {{"id", "latc"}, {"efects", json::object()}};
  CHECK(error_pointer(spec) == "/models/1/efects");
  spec = small_spec();
  spec["models"][1] = {{"id", "latc"}, {"attributes", {{"vat_recovrable", "no"}}}};
  CHECK(error_pointer(spec) == "/models/1/attributes/vat_recovrable");
}

TEST_CASE("placement shares must sum to 1 and stocks must be consistent") {
  json spec = small_spec();
  spec["profile"]["placements"]["mix"]["adoption"] = 0.5;
  CHECK(error_pointer(spec) == "/profile/placements/mix");
  spec = small_spec();
  spec["profile"]["demand"]["cin_per_10k"] = 100;
  CHECK(error_pointer(spec) == "/profile/demand/cin_per_10k");
}

TEST_CASE("bad dates and grades") {
  json spec = small_spec();
  spec["profile"]["ofsted"]["last_inspection"] = "17/06/2019";
  CHECK(error_pointer(spec) == "/profile/ofsted/last_inspection");
  spec = small_spec();
  spec["profile"]["ofsted"]["last_grade"] = "excellent";
  CHECK(error_pointer(spec) == "/profile/ofsted/last_grade");
}

TEST_CASE("calibration errors are reported against the profile") {
  json spec = small_spec();
  spec["profile"]["demand"]["cla_starts_per_10k"] = 900;  // more entries than any stock allows
  spec["profile"]["demand"]["referrals_per_10k"] = 9000;
  try {
    const auto s = admsim::parse_scenario(spec, catalogue());
    admsim::calibrate(s);
    FAIL("expected an error");
  } catch (const ValidationError& e) {
    CHECK(e.pointer().rfind("/profile/demand/", 0) == 0);
  }
}

TEST_CASE("care stocks and entries must both be zero or both positive") {
  // A fuzz finding: no children in care but entries had left the entry mix all zero, which sent
  // every entrant to one arbitrary cell.
  for (const auto& [field, other] : {std::pair{"cla_per_10k", "cla_starts_per_10k"}, std::pair{"cla_starts_per_10k", "cla_per_10k"}}) {
    json spec = small_spec();
    spec["profile"]["demand"][field] = 0;
    INFO(field << " = 0");
    try {
      admsim::calibrate(admsim::parse_scenario(spec, catalogue()));
      FAIL("expected an error");
    } catch (const ValidationError& e) {
      CHECK(e.pointer() == std::string("/profile/demand/") + field);
      CHECK(std::string(e.what()).find(other) != std::string::npos);
    }
  }
}

TEST_CASE("hostile documents are refused with a ValidationError, never a crash") {
  auto parse_error = [](const std::string& text) -> std::string {
    try {
      admsim::parse_json_text(text);
    } catch (const ValidationError& e) {
      return e.what();
    }
    return "";
  };
  // Nested 10^5 deep: refused after an iterative depth check, before anything recurses.
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  CHECK(parse_error(deep).find("nested too deeply") != std::string::npos);
  CHECK(parse_error(std::string(64, '[') + std::string(64, ']')).empty());
  // A number no double holds.
  CHECK(parse_error("{\"years\": 1e999}").find("unreadable JSON") != std::string::npos);
  // Invalid UTF-8, and an excerpt that would cut a character: the message stays valid UTF-8.
  const std::string bad = "{\"profile\": \"\xff\xfe\"}";
  CHECK_FALSE(parse_error(bad).empty());
  CHECK(admsim::valid_utf8(parse_error(bad)) == parse_error(bad));  // nlohmann quotes the bad bytes
  CHECK(admsim::valid_utf8("ok \xc3\xa9 \xff \xed\xa0\x80") == "ok \xc3\xa9 ? ???");
  const std::string long_text = "[\"" + std::string(57, 'a') + "\xc3\xa9\xc3\xa9\"";  // cut at byte 60
  const std::string message = parse_error(long_text);
  CHECK(message.find("\xc3\"") == std::string::npos);
  // describe() never throws on invalid UTF-8 in a value.
  CHECK_NOTHROW(admsim::describe(json(std::string("\xff abc"))));
}

TEST_CASE("explicit nulls, impossible dates and bad thread counts are named") {
  json spec = small_spec();
  spec["seed"] = nullptr;
  CHECK(error_pointer(spec) == "/seed");
  spec = small_spec();
  spec["profile"]["as_of"] = "2022-02-31";
  CHECK(error_pointer(spec) == "/profile/as_of");
  spec["profile"]["as_of"] = "2024-02-29";  // a leap day is a date
  CHECK_NOTHROW(admsim::parse_scenario(spec, catalogue()));
  admsim::RunOptions options;
  for (int bad : {-1, admsim::kMaxThreads + 1, 1 << 28}) {
    options.threads = bad;
    CHECK_THROWS_AS(admsim::arena_threads(options), ValidationError);
  }
  options.threads = 0;
  CHECK_NOTHROW(admsim::arena_threads(options));
}
