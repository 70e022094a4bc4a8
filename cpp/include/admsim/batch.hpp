#pragma once
// Batch evaluation for sensitivity analysis and calibration: an (n x d) matrix of values for named
// uncertain inputs -> an (n x k) matrix of outcome means, each over the scenario's replicates.
// Every row uses the same replicate keys, so rows share random numbers (common random numbers)
// and differences between rows are the inputs' doing.
#include <functional>
#include <string>
#include <vector>

#include "admsim/ensemble.hpp"
#include "admsim/metrics.hpp"
#include "admsim/scenario.hpp"

namespace admsim {

// An input: an engine parameter ("quality_reversion_per_year"), a delivery model's effect
// ("latc.turnover"), a field of one of the scenario's interventions ("interventions.0.size",
// ".start_month", ".duration_months") or rules ("rules.0.threshold", ".size",
// ".duration_months", ".for_months"), which the row's value fixes. Month counts are rounded to
// the nearest whole month (designs are continuous).
struct BatchInput {
  enum class Kind { parameter, effect, intervention, rule } kind = Kind::parameter;
  std::string name;
  const ParameterInfo* parameter = nullptr;
  std::size_t model = 0, hook = 0;
  std::size_t item = 0;  // intervention or rule index
  std::string field;     // its field
};

// An output: the mean over replicates of one model's outcome ("latc.npv_cost"), or of one of its
// monthly metrics in the last month ("latc.caseload@end") or averaged over the months
// ("latc.agency_share@mean").
struct BatchOutput {
  std::string name;
  std::size_t model = 0, outcome = 0;
  std::size_t metric = kMetricCount;  // kMetricCount: an outcome
  bool mean_over_months = false;
};

std::vector<BatchInput> parse_batch_inputs(const Scenario& scenario, const std::vector<std::string>& names);
std::vector<BatchOutput> parse_batch_outputs(const Scenario& scenario, const std::vector<std::string>& names);

// values: n x inputs.size(), row-major. Returns n x outputs.size(), row-major. Rows are processed
// in blocks; options.progress(rows done, n) is called between blocks.
std::vector<double> evaluate_batch(const Scenario& scenario, const std::vector<BatchInput>& inputs,
                                   const std::vector<BatchOutput>& outputs,
                                   const std::vector<double>& values, std::size_t rows,
                                   const RunOptions& options = {});

}  // namespace admsim
