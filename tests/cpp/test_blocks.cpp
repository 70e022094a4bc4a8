// The block runner (cpp/src/ensemble/parallel_blocks.hpp) as the ensemble and the batch call use
// it: replicates do not depend on the block size, progress comes between blocks with
// (done, total), and a false answer stops the run.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include "admsim/batch.hpp"
#include "support.hpp"

using admsim::json;
using namespace admsim::test;

namespace {
using Calls = std::vector<std::pair<std::int64_t, std::int64_t>>;

admsim::RunOptions recording(Calls& calls, int threads, std::int64_t block = 64) {
  admsim::RunOptions options;
  options.threads = threads;
  options.block_replicates = block;
  options.progress = [&calls](std::int64_t done, std::int64_t total) {
    calls.emplace_back(done, total);
    return true;
  };
  return options;
}

admsim::RunOptions stopping(int& calls) {
  admsim::RunOptions options;
  options.progress = [&calls](std::int64_t, std::int64_t) {
    ++calls;
    return false;
  };
  return options;
}

// Equal element by element, NaN equal to NaN (undefined outcomes).
bool same(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(a[i]) ? !std::isnan(b[i]) : a[i] != b[i]) return false;
  }
  return true;
}

std::vector<std::int64_t> flat(const std::vector<admsim::InspectionEvent>& events) {
  std::vector<std::int64_t> out;
  for (const auto& e : events) out.insert(out.end(), {e.model, e.replicate, e.month, e.kind, e.grade});
  return out;
}
}  // namespace

TEST_CASE("ensemble replicates and means do not depend on the block size or thread count") {
  const admsim::Scenario s = admsim::parse_scenario(small_spec(2, 7), catalogue());
  Calls calls;
  const auto one = admsim::run_ensemble(s, recording(calls, 1, 1));
  CHECK(calls == Calls{{1, 7}, {2, 7}, {3, 7}, {4, 7}, {5, 7}, {6, 7}, {7, 7}});
  for (std::int64_t block : {3, 64}) {
    for (int threads : {1, 4}) {
      INFO("block " << block << ", threads " << threads);
      calls.clear();
      const auto other = admsim::run_ensemble(s, recording(calls, threads, block));
      CHECK(calls == (block == 3 ? Calls{{3, 7}, {6, 7}, {7, 7}} : Calls{{7, 7}}));
      CHECK(other.metrics == one.metrics);
      CHECK(same(other.outcomes, one.outcomes));
      CHECK(flat(other.events) == flat(one.events));
      // Sums are taken in replicate order whatever the blocks (quantiles' histogram ranges come
      // from the first block, so those may differ with the block size).
      CHECK(other.metric_mean == one.metric_mean);
      CHECK(same(other.outcome_mean, one.outcome_mean));
      CHECK(other.grade_share == one.grade_share);
      CHECK(other.risk_outcome_sum == one.risk_outcome_sum);
      CHECK(other.replicate_months == one.replicate_months);
    }
  }
}

TEST_CASE("summary quantiles do not depend on blocks of at least 64 replicates") {
  json spec = small_spec(1, 150);
  spec["output"] = "summary";
  const admsim::Scenario s = admsim::parse_scenario(spec, catalogue());
  Calls calls;
  const auto base = admsim::run_ensemble(s, recording(calls, 2, 64));
  for (std::int64_t block : {100, 150}) {
    INFO("block " << block);
    const auto other = admsim::run_ensemble(s, recording(calls, 2, block));
    CHECK(other.metric_quantiles == base.metric_quantiles);  // ranges from the first 64 replicates
    CHECK(same(other.outcome_quantiles, base.outcome_quantiles));
    CHECK(same(other.diff_quantiles, base.diff_quantiles));
  }
}

TEST_CASE("a progress callback that returns false stops the ensemble and the batch call after one block") {
  json spec = small_spec(1, 5);
  const admsim::Scenario s = admsim::parse_scenario(spec, catalogue());
  int calls = 0;
  admsim::RunOptions stop = stopping(calls);
  stop.block_replicates = 2;
  CHECK_THROWS_AS(admsim::run_ensemble(s, stop), admsim::Cancelled);
  CHECK(calls == 1);

  calls = 0;
  const auto inputs = admsim::parse_batch_inputs(s, {"discount_rate"});
  const auto outputs = admsim::parse_batch_outputs(s, {"latc.npv_cost"});
  CHECK_THROWS_AS(admsim::evaluate_batch(s, inputs, outputs, {0.03, 0.035}, 2, stopping(calls)), admsim::Cancelled);
  CHECK(calls == 1);
}

TEST_CASE("batch progress comes between blocks of rows and its rows do not depend on the blocks") {
  // One model read, 400 replicates: blocks of 4096 / 400 = 10 rows.
  json spec = small_spec(1, 400);
  spec["models"] = json::array({"in_house"});
  const admsim::Scenario s = admsim::parse_scenario(spec, catalogue());
  const auto inputs = admsim::parse_batch_inputs(s, {"discount_rate"});
  const auto outputs = admsim::parse_batch_outputs(s, {"in_house.npv_cost", "in_house.mean_caseload"});
  std::vector<double> values;
  for (int i = 0; i < 25; ++i) values.push_back(0.02 + 0.001 * i);
  Calls calls;
  const auto all = admsim::evaluate_batch(s, inputs, outputs, values, 25, recording(calls, 3));
  CHECK(calls == Calls{{10, 25}, {20, 25}, {25, 25}});
  // The last row alone (one block) gives the same numbers as in a block of its own among others.
  const auto last = admsim::evaluate_batch(s, inputs, outputs, {values.back()}, 1);
  CHECK(same(last, {all.end() - 2, all.end()}));
  // No rows: no blocks and no progress, but the thread count is still checked.
  calls.clear();
  CHECK(admsim::evaluate_batch(s, inputs, outputs, {}, 0, recording(calls, 2)).empty());
  CHECK(calls.empty());
  admsim::RunOptions bad;
  bad.threads = -1;
  CHECK_THROWS_AS(admsim::evaluate_batch(s, inputs, outputs, {}, 0, bad), admsim::ValidationError);
}
