#include "scenario/interventions.hpp"

#include <string>
#include <vector>

#include "admsim/metrics.hpp"

namespace admsim {

bool Rule::holds(const double* row) const {
  const double x = row[metric];
  switch (test) {
    case Test::above: return x > threshold;
    case Test::below: return x < threshold;
    case Test::grade_in: {
      const int g = static_cast<int>(x);
      return g >= kOutstanding && g <= kInadequate && grades[static_cast<std::size_t>(g)];
    }
  }
  return false;
}

namespace detail {
namespace {

InterventionKind parse_kind(const JsonReader& type) {
  const std::vector<std::string> names(kInterventionNames.begin(), kInterventionNames.end());
  const std::string name = type.one_of(names);
  for (std::size_t k = 0; k < names.size(); ++k) {
    if (names[k] == name) return static_cast<InterventionKind>(k);
  }
  return InterventionKind::recruitment_campaign;  // not reached: one_of threw
}

double parse_size(InterventionKind kind, const JsonReader& size) {
  const auto& range = kInterventionRanges[static_cast<std::size_t>(kind)];
  return size.number(range[0], range[1]);
}

// "models": ids of the scenario's delivery models; a mask by model index.
std::vector<bool> parse_models(const std::optional<JsonReader>& list, const Scenario& s) {
  if (!list) return {};
  list->expect_array(1, s.models.size());
  std::vector<std::string> ids;
  for (const auto& m : s.models) ids.push_back(m.id);
  std::vector<bool> mask(s.models.size(), false);
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string id = list->at(i).one_of(ids);
    for (std::size_t k = 0; k < ids.size(); ++k) {
      if (ids[k] == id) {
        if (mask[k]) list->at(i).fail("model listed twice", "distinct model ids");
        mask[k] = true;
      }
    }
  }
  return mask;
}

void parse_condition(const JsonReader& when, Rule& r) {
  if (when.has("latest_grade")) {
    when.expect_only({"latest_grade", "for_months"});
    const JsonReader grades = when.at("latest_grade");
    grades.expect_array(1, 4);
    r.test = Rule::Test::grade_in;
    r.metric = static_cast<std::size_t>(Metric::current_grade);
    for (std::size_t i = 0; i < grades.size(); ++i) {
      const std::string g = grades.at(i).one_of({"outstanding", "good", "requires_improvement", "inadequate"});
      const int grade = g == "outstanding" ? kOutstanding : g == "good" ? kGood
                        : g == "requires_improvement" ? kRequiresImprovement : kInadequate;
      r.grades[static_cast<std::size_t>(grade)] = true;
    }
  } else {
    when.expect_only({"metric", "above", "below", "for_months"});
    const std::vector<std::string> names(kMetricNames.begin(), kMetricNames.end());
    const std::string name = when.at("metric").one_of(names);
    for (std::size_t k = 0; k < names.size(); ++k) {
      if (names[k] == name) r.metric = k;
    }
    const bool above = when.has("above"), below = when.has("below");
    if (above == below) when.fail("needs exactly one of \"above\" and \"below\"", "{\"metric\": ..., \"above\": x} or {..., \"below\": x}");
    r.test = above ? Rule::Test::above : Rule::Test::below;
    r.threshold = when.at(above ? "above" : "below").number(-1e15, 1e15);
  }
  r.for_months = static_cast<int>(when.integer_or("for_months", 1, 1, 120));
}

}  // namespace

void parse_interventions(const JsonReader& list, Scenario& s) {
  list.expect_array(0, 1000);
  for (std::size_t i = 0; i < list.size(); ++i) {
    const JsonReader item = list.at(i);
    item.expect_only({"type", "start_month", "duration_months", "size", "models", "note"});
    Intervention iv;
    iv.kind = parse_kind(item.at("type"));
    iv.start_month = static_cast<int>(item.at("start_month").integer(0, s.months - 1));
    const auto duration = item.integer_or("duration_months", s.months - iv.start_month, 1, 600);
    iv.end_month = static_cast<int>(std::min<std::int64_t>(s.months, iv.start_month + duration));
    iv.size = parse_size(iv.kind, item.at("size"));
    iv.models = parse_models(item.find("models"), s);
    s.interventions.push_back(iv);
  }
}

void parse_rules(const JsonReader& list, Scenario& s) {
  list.expect_array(0, 100);
  for (std::size_t i = 0; i < list.size(); ++i) {
    const JsonReader item = list.at(i);
    item.expect_only({"id", "when", "then", "max_times", "cooldown_months", "from_month", "models", "note"});
    Rule r;
    r.id = item.has("id") ? item.at("id").string() : "rule " + std::to_string(i);
    const JsonReader when = item.at("when");
    when.expect_object();
    parse_condition(when, r);
    const JsonReader then = item.at("then");
    then.expect_object();
    then.expect_only({"type", "size", "duration_months"});
    r.action = parse_kind(then.at("type"));
    r.size = parse_size(r.action, then.at("size"));
    r.duration_months = static_cast<int>(then.at("duration_months").integer(1, 600));
    r.max_times = static_cast<int>(item.integer_or("max_times", 1, 1, 1000));
    r.cooldown_months = static_cast<int>(item.integer_or("cooldown_months", 0, 0, 600));
    // Month 0 has no simulated month before it to read.
    r.from_month = static_cast<int>(item.integer_or("from_month", 1, 1, s.months));
    r.models = parse_models(item.find("models"), s);
    s.rules.push_back(r);
  }
}

}  // namespace detail
}  // namespace admsim
