#include "admsim/batch.hpp"

#include <algorithm>
#include <cmath>

#include "admsim/engine.hpp"
#include "ensemble/parallel_blocks.hpp"

namespace admsim {

namespace {
std::vector<std::string> model_ids(const Scenario& s) {
  std::vector<std::string> ids;
  for (const auto& m : s.models) ids.push_back(m.id);
  return ids;
}

// Splits "model.name" at the last dot; returns the model index or throws naming the entry.
std::size_t find_model(const Scenario& s, const std::string& name, const std::string& pointer,
                       std::string& rest) {
  const auto dot = name.rfind('.');
  if (dot == std::string::npos) {
    throw ValidationError(pointer, "not of the form <model>.<name>", describe(json(name)),
                          "an engine parameter, or a model id from the scenario and a name after a dot");
  }
  rest = name.substr(dot + 1);
  const std::string id = name.substr(0, dot);
  for (std::size_t m = 0; m < s.models.size(); ++m) {
    if (s.models[m].id == id) return m;
  }
  throw ValidationError(pointer, "model is not in the scenario", describe(json(id)),
                        "one of " + join(model_ids(s)));
}
// "interventions.<i>.<field>" or "rules.<i>.<field>": false for any other name.
bool parse_item_input(const Scenario& s, const std::string& name, const std::string& pointer, BatchInput& in) {
  const bool intervention = name.rfind("interventions.", 0) == 0, rule = name.rfind("rules.", 0) == 0;
  if (!intervention && !rule) return false;
  const std::size_t count = intervention ? s.interventions.size() : s.rules.size();
  const std::vector<std::string> fields = intervention
      ? std::vector<std::string>{"size", "start_month", "duration_months"}
      : std::vector<std::string>{"threshold", "size", "duration_months", "for_months"};
  const std::string list = intervention ? "interventions" : "rules";
  const auto first = name.find('.'), second = name.find('.', first + 1);
  const std::string index = name.substr(first + 1, second == std::string::npos ? std::string::npos : second - first - 1);
  const std::string field = second == std::string::npos ? "" : name.substr(second + 1);
  const bool digits = !index.empty() && index.size() < 6 &&
                      std::all_of(index.begin(), index.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!digits || std::stoul(index) >= count || std::find(fields.begin(), fields.end(), field) == fields.end()) {
    throw ValidationError(pointer, "not a field of the scenario's " + list, describe(json(name)),
                          list + ".<index below " + std::to_string(count) + ">.<" + join(fields) + ">");
  }
  in.kind = intervention ? BatchInput::Kind::intervention : BatchInput::Kind::rule;
  in.item = std::stoul(index);
  in.field = field;
  return true;
}

// Sets an intervention's or rule's field to v, or throws naming the matrix cell.
void set_item_field(Scenario& s, const BatchInput& in, double v, const std::string& pointer) {
  auto check = [&](double lo, double hi) {
    if (v < lo || v > hi) {
      throw ValidationError(pointer, "value out of range for " + in.name, describe(json(v)), range_text(lo, hi));
    }
  };
  auto months = [&](double lo, double hi) {
    check(lo, hi);
    return static_cast<int>(std::lround(v));
  };
  if (in.kind == BatchInput::Kind::intervention) {
    Intervention& iv = s.interventions[in.item];
    const auto& range = kInterventionRanges[static_cast<std::size_t>(iv.kind)];
    const int duration = iv.end_month - iv.start_month;
    if (in.field == "size") {
      check(range[0], range[1]);
      iv.size = v;
    } else if (in.field == "start_month") {
      iv.start_month = months(0, s.months - 1);
      iv.end_month = std::min(s.months, iv.start_month + duration);
    } else {
      iv.end_month = std::min(s.months, iv.start_month + months(1, 600));
    }
    return;
  }
  Rule& r = s.rules[in.item];
  if (in.field == "threshold") {
    check(-1e15, 1e15);
    r.threshold = v;
  } else if (in.field == "size") {
    const auto& range = kInterventionRanges[static_cast<std::size_t>(r.action)];
    check(range[0], range[1]);
    r.size = v;
  } else if (in.field == "duration_months") {
    r.duration_months = months(1, 600);
  } else {
    r.for_months = months(1, 120);
  }
}

}  // namespace

std::vector<BatchInput> parse_batch_inputs(const Scenario& s, const std::vector<std::string>& names) {
  std::vector<BatchInput> inputs;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::string pointer = "/inputs/" + std::to_string(i);
    BatchInput in;
    in.name = names[i];
    in.parameter = find_parameter(names[i]);
    if (!in.parameter && parse_item_input(s, names[i], pointer, in)) {
      inputs.push_back(in);
      continue;
    }
    in.kind = in.parameter ? BatchInput::Kind::parameter : BatchInput::Kind::effect;
    if (!in.parameter) {
      std::string hook;
      in.model = find_model(s, names[i], pointer, hook);
      in.hook = kHookCount;
      for (std::size_t h = 0; h < kHookCount; ++h) {
        if (hook == kHookNames[h]) in.hook = h;
      }
      if (in.hook == kHookCount) {
        std::vector<std::string> hooks(kHookNames.begin(), kHookNames.end());
        throw ValidationError(pointer, "unknown engine parameter or effect hook", describe(json(names[i])),
                              "an engine parameter (parameter_table()) or <model>.<hook> with a hook in " +
                                  join(hooks));
      }
    }
    inputs.push_back(in);
  }
  return inputs;
}

std::vector<BatchOutput> parse_batch_outputs(const Scenario& s, const std::vector<std::string>& names) {
  std::vector<BatchOutput> outputs;
  if (names.empty()) throw ValidationError("/outputs", "no outputs", "[]", "at least one <model>.<outcome>");
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::string pointer = "/outputs/" + std::to_string(i);
    BatchOutput out;
    out.name = names[i];
    std::string outcome;
    out.model = find_model(s, names[i], pointer, outcome);
    if (const auto at = outcome.find('@'); at != std::string::npos) {
      const std::string metric = outcome.substr(0, at), when = outcome.substr(at + 1);
      for (std::size_t k = 0; k < kMetricCount; ++k) {
        if (metric == kMetricNames[k]) out.metric = k;
      }
      if (out.metric == kMetricCount || (when != "end" && when != "mean")) {
        std::vector<std::string> known(kMetricNames.begin(), kMetricNames.end());
        throw ValidationError(pointer, "unknown metric output", describe(json(outcome)),
                              "<metric>@end or <metric>@mean with a metric in " + join(known));
      }
      out.mean_over_months = when == "mean";
      outputs.push_back(out);
      continue;
    }
    out.outcome = kOutcomeCount;
    for (std::size_t o = 0; o < kOutcomeCount; ++o) {
      if (outcome == kOutcomeNames[o]) out.outcome = o;
    }
    if (out.outcome == kOutcomeCount) {
      std::vector<std::string> known(kOutcomeNames.begin(), kOutcomeNames.end());
      throw ValidationError(pointer, "unknown outcome", describe(json(outcome)), "one of " + join(known));
    }
    outputs.push_back(out);
  }
  return outputs;
}

std::vector<double> evaluate_batch(const Scenario& base, const std::vector<BatchInput>& inputs,
                                   const std::vector<BatchOutput>& outputs,
                                   const std::vector<double>& values, std::size_t rows,
                                   const RunOptions& options) {
  const std::size_t d = inputs.size(), k = outputs.size();
  if (values.size() != rows * d) {
    throw ValidationError("/values", "matrix shape does not match the inputs",
                          std::to_string(values.size()) + " values",
                          std::to_string(rows) + " rows x " + std::to_string(d) + " inputs");
  }
  // Each row becomes its own scenario; bad values are reported by row and column.
  std::vector<Scenario> scenarios(rows, base);
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t j = 0; j < d; ++j) {
      const double v = values[r * d + j];
      const std::string pointer = "/values/" + std::to_string(r) + "/" + std::to_string(j);
      const BatchInput& in = inputs[j];
      if (!std::isfinite(v)) throw ValidationError(pointer, "non-finite value for " + in.name, describe(json(v)), "a finite number");
      if (in.kind == BatchInput::Kind::intervention || in.kind == BatchInput::Kind::rule) {
        set_item_field(scenarios[r], in, v, pointer);
      } else if (in.parameter) {
        if (v < in.parameter->min || v > in.parameter->max) {
          throw ValidationError(pointer, "value out of range for " + in.name, describe(json(v)),
                                "a number in [" + std::to_string(in.parameter->min) + ", " +
                                    std::to_string(in.parameter->max) + "]");
        }
        scenarios[r].parameters.*(in.parameter->field) = v;
      } else {
        const HookRange range = hook_range(static_cast<Hook>(in.hook));
        if (v < range.min || v > range.max) {
          throw ValidationError(pointer, "value out of range for " + in.name, describe(json(v)),
                                "a number in [" + std::to_string(range.min) + ", " + std::to_string(range.max) + "]");
        }
        DeliveryModel& m = scenarios[r].models[in.model];
        m.effects[in.hook] = Distribution{DistKind::fixed, v, 0, 0};
        m.has_effect[in.hook] = true;
      }
    }
  }
  // Only the models some output reads are simulated (models do not interact).
  std::vector<std::size_t> needed;
  for (const auto& out : outputs) {
    if (std::find(needed.begin(), needed.end(), out.model) == needed.end()) needed.push_back(out.model);
  }
  std::sort(needed.begin(), needed.end());
  auto slot_of = [&](std::size_t model) {
    return static_cast<std::size_t>(std::find(needed.begin(), needed.end(), model) - needed.begin());
  };
  const std::size_t M = needed.size(), T = static_cast<std::size_t>(base.months);
  const auto R = static_cast<std::size_t>(base.replicates);
  std::vector<double> result(rows * k, 0.0);
  // Blocks of rows holding about 4096 replicate runs; within a block item (row i, model slot,
  // replicate) is (i * M + slot) * R + replicate.
  std::vector<double> outcomes, metric_values;
  detail::for_each_block(rows, detail::units_per_block(4096, M * R), options, [&](std::size_t first, std::size_t last) {
    const std::size_t n = last - first;
    std::vector<Calibration> calibrations(n);
    outcomes.assign(n * M * R * kOutcomeCount, 0.0);
    metric_values.assign(n * M * R * k, std::nan(""));  // per task, for the metric outputs
    detail::parallel_ranges(0, n, 1, [&](std::size_t begin, std::size_t end) {
      for (std::size_t i = begin; i != end; ++i) calibrations[i] = calibrate(scenarios[first + i]);
    });
    // A task is a row's replicate: its models run together, sharing each month's first blocks
    // (simulate_models).
    detail::parallel_ranges(0, n * R, 1, [&](std::size_t begin, std::size_t end) {
      std::vector<double> metrics(M * T * kMetricCount);
      std::vector<ReplicateBuffers> buffers(M);
      for (std::size_t row_rep = begin; row_rep != end; ++row_rep) {
        const std::size_t i = row_rep / R, rep = row_rep % R;
        for (std::size_t slot = 0; slot < M; ++slot) {
          const std::size_t task = (i * M + slot) * R + rep;
          buffers[slot] = {&metrics[slot * T * kMetricCount], &outcomes[task * kOutcomeCount], nullptr, nullptr};
        }
        simulate_models(scenarios[first + i], calibrations[i], needed.data(), M, static_cast<std::int64_t>(rep),
                        buffers.data());
        for (std::size_t slot = 0; slot < M; ++slot) {
          const std::size_t task = (i * M + slot) * R + rep;
          const double* run = &metrics[slot * T * kMetricCount];
          for (std::size_t j = 0; j < k; ++j) {
            const BatchOutput& out = outputs[j];
            if (out.metric == kMetricCount || out.model != needed[slot]) continue;
            double v = run[(T - 1) * kMetricCount + out.metric];
            if (out.mean_over_months) {
              v = 0;
              for (std::size_t t = 0; t < T; ++t) v += run[t * kMetricCount + out.metric] / double(T);
            }
            metric_values[task * k + j] = v;
          }
        }
      }
    });
    // Means in replicate order, NaN (undefined) replicates left out: same answer for any threads.
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = 0; j < k; ++j) {
        double sum = 0;
        std::size_t count = 0;
        for (std::size_t rep = 0; rep < R; ++rep) {
          const std::size_t task = (i * M + slot_of(outputs[j].model)) * R + rep;
          const double v = outputs[j].metric == kMetricCount ? outcomes[task * kOutcomeCount + outputs[j].outcome]
                                                             : metric_values[task * k + j];
          if (!std::isnan(v)) { sum += v; ++count; }
        }
        result[(first + i) * k + j] = count ? sum / double(count) : std::nan("");
      }
    }
  });
  return result;
}

}  // namespace admsim
