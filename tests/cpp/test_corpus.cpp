// Every input that once crashed or misled the engine (tests/data/fuzz_corpus/, kept by
// scripts/fuzz.py) is replayed through the parser and, where it parses, a small run: the only
// allowed failure is a ValidationError. Under `make sanitize` this runs with ASan and UBSan.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "support.hpp"

using admsim::json;
using namespace admsim::test;

TEST_CASE("the fuzz corpus gives clear errors or clean runs, never a crash") {
  const std::filesystem::path dir = std::filesystem::path(ADMSIM_TEST_DATA_DIR) / "fuzz_corpus";
  REQUIRE(std::filesystem::is_directory(dir));
  std::size_t replayed = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    INFO(entry.path().filename().string());
    try {
      json spec = admsim::parse_json_text(text.str());
      if (spec.is_object()) {  // keep any run small
        spec["years"] = 1;
        spec["replicates"] = 2;
      }
      const admsim::Scenario s = admsim::parse_scenario(spec, catalogue());
      admsim::run_ensemble(s, admsim::RunOptions{});
    } catch (const admsim::ValidationError&) {
      // a clear error naming the field: allowed
    }
    ++replayed;
  }
  CHECK(replayed > 0);
}
