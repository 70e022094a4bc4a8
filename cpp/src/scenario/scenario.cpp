#include "admsim/scenario.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <map>
#include <sstream>

#include "admsim/samplers.hpp"
#include "scenario/interventions.hpp"

namespace admsim {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();

// Days since 1970-01-01 of an ISO date "YYYY-MM-DD" (civil calendar, Howard Hinnant's algorithm).
long days_from_iso(const JsonReader& node) {
  const std::string text = node.string();
  int y = 0, m = 0, d = 0;
  char tail = 0;
  if (text.size() != 10 || std::sscanf(text.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 ||
      m < 1 || m > 12 || d < 1 || d > 31) {
    node.fail("not an ISO date", "a date as \"YYYY-MM-DD\"");
  }
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  const int month_days[12] = {31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (d > month_days[m - 1]) node.fail("no such day", "a calendar date as \"YYYY-MM-DD\"");
  y -= m <= 2;
  const long era = (y >= 0 ? y : y - 399) / 400;
  const long yoe = y - era * 400;
  const long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

Grade parse_grade(const JsonReader& node) {
  const std::string g =
      node.one_of({"outstanding", "good", "requires_improvement", "inadequate"});
  if (g == "outstanding") return kOutstanding;
  if (g == "good") return kGood;
  if (g == "requires_improvement") return kRequiresImprovement;
  return kInadequate;
}

// Each hook's allowed values: finite, so no effect can make a metric infinite, and wide enough
// for any plausible delivery model (multipliers up to 10, quality shifts up to 5 SD, GBP 1bn).
constexpr std::array<HookRange, kHookCount> kHookRange = {{
    {0, 10},       // turnover (multiplier)
    {0, 10},       // recruitment
    {0, 10},       // agency_use
    {-5, 5},       // improvement (SD of quality)
    {0, 10},       // improvement_pace
    {-5, 5},       // transition_dip (SD)
    {0, 10},       // transition_turnover
    {0, 120},      // transition_months
    {0, 10},       // edge_of_care
    {0, 10},       // placement_cost
    {0, 10},       // overhead_cost
    {0, 10},       // pay
    {0, 1},        // establishment_flex
    {0, 1e9},      // setup_cost (GBP)
    {0, 120},      // setup_months
    {0, 1e9},      // contract_management_cost (GBP a year)
    {0, 1},        // vat_irrecoverable
}};

// The most extreme standard normal quantile the samplers can draw (uniforms lie in
// [2^-53, 1 - 2^-53]): a normal or lognormal effect is allowed when even that stays in range.
double extreme_z() {
  static const double z = -rng::normal_quantile(0x1p-53);
  return z;
}

std::string range_words(HookRange r) {
  std::ostringstream out;
  out << "[" << r.min << ", " << r.max << "]";
  return out.str();
}
}  // namespace

HookRange hook_range(Hook hook) { return kHookRange[static_cast<std::size_t>(hook)]; }

namespace {
Distribution parse_distribution(const JsonReader& node, HookRange support) {
  node.expect_object();
  const std::string kind =
      node.at("dist").one_of({"fixed", "uniform", "triangular", "normal", "lognormal", "bernoulli"});
  Distribution d;
  const double lo = support.min, hi = support.max;
  if (kind == "fixed") {
    node.expect_only({"dist", "value", "rationale"});
    d.kind = DistKind::fixed;
    d.a = node.at("value").number(lo, hi);
  } else if (kind == "uniform") {
    node.expect_only({"dist", "low", "high", "rationale"});
    d.kind = DistKind::uniform;
    d.a = node.at("low").number(lo, hi);
    d.b = node.at("high").number(d.a, hi);
  } else if (kind == "triangular") {
    node.expect_only({"dist", "low", "mode", "high", "rationale"});
    d.kind = DistKind::triangular;
    d.a = node.at("low").number(lo, hi);
    d.b = node.at("mode").number(d.a, hi);
    d.c = node.at("high").number(d.b, hi);
  } else if (kind == "normal") {
    node.expect_only({"dist", "mean", "sd", "rationale"});
    d.kind = DistKind::normal;
    d.a = node.at("mean").number(lo, hi);
    const double room = std::min(d.a - lo, hi - d.a) / extreme_z();
    d.b = node.at("sd").number(0, room);  // every draw, to the most extreme, stays in range
  } else if (kind == "bernoulli") {
    node.expect_only({"dist", "p", "rationale"});
    if (lo > 0 || hi < 1) {
      node.at("dist").fail("a 0-or-1 ruling leaves this hook's allowed range",
                           "fixed, uniform, triangular, normal or lognormal");
    }
    d.kind = DistKind::bernoulli;
    d.a = node.at("p").number(0, 1);
  } else {
    node.expect_only({"dist", "median", "sigma", "rationale"});
    if (lo < 0) {
      node.at("dist").fail("a lognormal distribution does not fit this hook's range " + range_words(support),
                           "fixed, uniform, triangular or normal");
    }
    d.kind = DistKind::lognormal;
    d.a = node.at("median").number(std::numeric_limits<double>::min(), hi);
    d.b = node.at("sigma").number(0, std::log(hi / d.a) / extreme_z());  // the largest draw stays in range
  }
  if (auto r = node.find("rationale")) r->string();
  return d;
}

Level parse_level(const JsonReader& node) {
  const std::string v = node.one_of({"none", "low", "medium", "high"});
  if (v == "low") return Level::low;
  if (v == "medium") return Level::medium;
  if (v == "high") return Level::high;
  return Level::none;
}

void apply_overrides(const JsonReader& node, EngineParameters& params) {
  node.expect_object();
  for (const auto& key : node.keys()) {
    const ParameterInfo* info = find_parameter(key);
    JsonReader value = node.at(key);
    if (!info) {
      std::vector<std::string> names;
      for (const auto& p : parameter_table()) names.emplace_back(p.name);
      throw ValidationError(value.pointer(), "unknown engine parameter", describe(json(key)),
                            "one of " + join(names));
    }
    params.*(info->field) = value.number(info->min, info->max);
  }
}

// RFC 7396 merge patch, so a user can override one effect of a catalogue model.
json merge_patch(json target, const json& patch) {
  if (!patch.is_object()) return patch;
  if (!target.is_object()) target = json::object();
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    if (it->is_null()) target.erase(it.key());
    else target[it.key()] = merge_patch(target.contains(it.key()) ? target[it.key()] : json(), *it);
  }
  return target;
}

void check_cross_fields(const Scenario& s, const JsonReader& spec) {
  const Profile& p = s.profile;
  const JsonReader demand = spec.at("profile").at("demand");
  if (p.cpp_per_10k + p.cla_per_10k >= p.cin_per_10k) {
    demand.at("cin_per_10k").fail(
        "children in need must exceed those on plans plus those in care (DfE counts CPP and CLA "
        "inside CIN)", "a number > cpp_per_10k + cla_per_10k = " +
                           std::to_string(p.cpp_per_10k + p.cla_per_10k));
  }
  if (p.cla_from_cpp_check > 1.0) {
    demand.at("cpp_starts_per_10k").fail(
        "too few plan starts for the share of care entries that come from plans",
        "cpp_starts_per_10k > cla_from_cpp_share * cla_starts_per_10k");
  }
  const EngineParameters& e = s.parameters;
  const JsonReader params = spec.find("parameters") ? *spec.find("parameters") : spec;
  if (e.national_share_outstanding + e.national_share_good + e.national_share_requires_improvement >= 1.0) {
    params.fail("national grade shares must leave room for Inadequate",
                "national_share_outstanding + _good + _requires_improvement < 1");
  }
  if (e.initial_newly_qualified_share + e.initial_senior_share > 1.0) {
    params.fail("initial staff shares exceed 1", "initial_newly_qualified_share + initial_senior_share <= 1");
  }
}
}  // namespace

Distribution parse_effect(const JsonReader& node, Hook hook) {
  return parse_distribution(node, hook_range(hook));
}

Distribution parse_uncertain(const JsonReader& node, double min, double max) {
  if (node.node().is_number()) {
    Distribution d;
    d.a = node.number(min, max);
    return d;
  }
  return parse_distribution(node, {min, max});
}

double Distribution::quantile(double u) const {
  switch (kind) {
    case DistKind::fixed: return a;
    case DistKind::uniform: return a + (b - a) * u;
    case DistKind::triangular: {
      if (c <= a) return a;
      const double f = (b - a) / (c - a);
      return u < f ? a + std::sqrt(u * (c - a) * (b - a))
                   : c - std::sqrt((1 - u) * (c - a) * (c - b));
    }
    case DistKind::normal: return a + b * rng::normal_quantile(u);
    case DistKind::lognormal: return a * std::exp(b * rng::normal_quantile(u));
    case DistKind::bernoulli: return u < 1.0 - a ? 0.0 : 1.0;  // a quantile: non-decreasing in u
  }
  return a;
}

double Distribution::mean() const {
  switch (kind) {
    case DistKind::fixed: return a;
    case DistKind::uniform: return 0.5 * (a + b);
    case DistKind::triangular: return (a + b + c) / 3.0;
    case DistKind::normal: return a;
    case DistKind::lognormal: return a * std::exp(0.5 * b * b);
    case DistKind::bernoulli: return a;
  }
  return a;
}

Profile parse_profile(const JsonReader& node) {
  node.expect_only({"name", "slug", "description", "as_of", "population", "demand", "placements",
                    "workforce", "finance", "ofsted", "sources"});
  Profile p;
  p.name = node.at("name").string();
  const JsonReader pop = node.at("population");
  pop.expect_only({"children_0_17", "growth_per_year"});
  p.children = pop.at("children_0_17").number(1, 1e8);
  p.growth_per_year = pop.number_or("growth_per_year", 0.0, -0.2, 0.2);

  const JsonReader d = node.at("demand");
  d.expect_only({"referrals_per_10k", "rereferral_rate", "no_further_action_rate", "cin_per_10k",
                 "cpp_per_10k", "cpp_starts_per_10k", "cpp_repeat_rate", "cla_per_10k",
                 "cla_starts_per_10k", "cla_ceased_per_10k", "referrals_per_10k_long_run"});
  p.referrals_per_10k = d.at("referrals_per_10k").number(0, 1e4);
  // Without a long-run rate, the profile's own: no reversion (a steady state).
  p.referrals_long_run = d.number_or("referrals_per_10k_long_run", p.referrals_per_10k, 1e-6, 1e4);
  p.rereferral_rate = d.at("rereferral_rate").number(0, 0.95);
  p.no_further_action_rate = d.at("no_further_action_rate").number(0, 1);
  p.cin_per_10k = d.at("cin_per_10k").number(0, 1e4);
  p.cpp_per_10k = d.at("cpp_per_10k").number(0, 1e4);
  p.cpp_starts_per_10k = d.at("cpp_starts_per_10k").number(0, 1e4);
  p.cpp_repeat_rate = d.at("cpp_repeat_rate").number(0, 1);
  p.cla_per_10k = d.at("cla_per_10k").number(0, 1e4);
  p.cla_starts_per_10k = d.at("cla_starts_per_10k").number(0, 1e4);
  p.cla_ceased_per_10k = d.at("cla_ceased_per_10k").number(0, 1e4);

  const JsonReader pl = node.at("placements");
  pl.expect_only({"mix", "weekly_cost"});
  const JsonReader mix = pl.at("mix");
  const JsonReader cost = pl.at("weekly_cost");
  for (const JsonReader* by_type : {&mix, &cost}) {
    for (const auto& key : by_type->keys()) {
      if (std::find(kPlacementNames.begin(), kPlacementNames.end(), key) == kPlacementNames.end()) {
        std::vector<std::string> names(kPlacementNames.begin(), kPlacementNames.end());
        by_type->at(key).fail("unknown placement type", "one of " + join(names));
      }
    }
  }
  double total = 0;
  for (std::size_t i = 0; i < kPlacementCount; ++i) {
    p.placement_mix[i] = mix.at(kPlacementNames[i]).number(0, 1);
    p.placement_weekly_cost[i] = cost.at(kPlacementNames[i]).number(0, 1e5);
    total += p.placement_mix[i];
  }
  if (std::abs(total - 1.0) > 1e-6) mix.fail("placement shares do not sum to 1", "shares summing to 1");

  const JsonReader w = node.at("workforce");
  w.expect_only({"in_post_fte", "agency_fte", "vacancy_rate", "turnover_rate", "caseload",
                 "case_holding_share", "weekly_cost_employed", "weekly_cost_agency"});
  p.in_post_fte = w.at("in_post_fte").number(1, 1e6);
  p.agency_fte = w.at("agency_fte").number(0, 1e6);
  p.vacancy_rate = w.at("vacancy_rate").number(0, 0.9);
  p.turnover_rate = w.at("turnover_rate").number(0, 2);
  p.caseload = w.at("caseload").number(1, 200);
  p.case_holding_share = w.at("case_holding_share").number(0.05, 1);
  p.weekly_cost_employed = w.at("weekly_cost_employed").number(0, 1e5);
  p.weekly_cost_agency = w.at("weekly_cost_agency").number(0, 1e5);

  const JsonReader f = node.at("finance");
  f.expect_only({"budget_per_year", "overheads_share", "budget_path"});
  p.budget_per_year = f.at("budget_per_year").number(0, 1e11);
  p.overheads_share = f.at("overheads_share").number(0, 5);
  if (auto path = f.find("budget_path")) {
    if (path->node().is_array()) {
      p.budget_path = Profile::BudgetPath::given;
      if (path->size() == 0) path->fail("no budgets", "one budget (GBP) a year of the horizon");
      for (std::size_t y = 0; y < path->size(); ++y) p.budget_given.push_back(path->at(y).number(0, 1e11));
    } else {
      p.budget_path = path->one_of({"flat_real", "demand_led"}) == "flat_real" ? Profile::BudgetPath::flat_real
                                                                            : Profile::BudgetPath::demand_led;
    }
  }

  const JsonReader o = node.at("ofsted");
  o.expect_only({"last_grade", "last_inspection"});
  p.last_grade = parse_grade(o.at("last_grade"));
  const long inspected = days_from_iso(o.at("last_inspection"));
  const JsonReader as_of = node.at("as_of");
  const long now = days_from_iso(as_of);
  if (inspected > now) o.at("last_inspection").fail("inspection after the profile's as_of date",
                                                    "a date on or before " + as_of.string());
  p.months_since_inspection = static_cast<double>(now - inspected) / 30.4375;
  p.cla_from_cpp_check = 0;  // filled in by parse_scenario once parameters are known
  return p;
}

DeliveryModel parse_delivery_model(const JsonReader& node) {
  // Descriptive fields are the catalogue's; the engine reads id, group, attributes and effects.
  node.expect_only({"id", "name", "group", "birmingham_number", "description", "examples",
                    "considerations", "seed_refs", "aliases", "gateway_notes", "attribute_notes",
                    "attributes", "effects"});
  DeliveryModel m;
  m.id = node.at("id").string();
  // Ids name columns, files and rows of CSVs: letters, digits and _ . - only (no formula can
  // start one), starting with a letter, at most 64 characters.
  const bool good_id = !m.id.empty() && m.id.size() <= 64 && std::isalpha(static_cast<unsigned char>(m.id[0])) &&
                       std::all_of(m.id.begin(), m.id.end(), [](char c) {
                         return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
                       });
  if (!good_id) {
    node.at("id").fail("not a usable model id",
                       "1-64 letters, digits, '_', '.' or '-', starting with a letter (snake_case)");
  }
  m.name = node.at("name").string();
  m.group = node.at("group").one_of({"in_house", "partnership", "new_vehicle", "commissioning"});
  const JsonReader attrs = node.at("attributes");
  attrs.expect_only({"council_ownership", "tupe", "pay_flexibility", "operational_independence",
                     "vat_recoverable", "corporation_tax", "partner_expertise", "setup_cost_gbp",
                     "setup_months", "contract_management", "risk_holder",
                     "single_focus_on_children", "can_take_wider_services",
                     "complies_with_direction", "dfe_setup_grant_gbp", "trading_income_gbp_per_year"});
  m.setup_grant = attrs.number_or("dfe_setup_grant_gbp", 0.0, 0.0, 1e9);
  m.trading_income = attrs.number_or("trading_income_gbp_per_year", 0.0, 0.0, 1e9);
  m.tupe = attrs.at("tupe").one_of({"no", "may", "yes"}) != "no";
  m.corporation_tax = attrs.at("corporation_tax").boolean();
  m.operational_independence = attrs.at("operational_independence").boolean();
  m.contract_management = parse_level(attrs.at("contract_management"));
  const std::string vat = attrs.at("vat_recoverable").one_of({"yes", "uncertain", "no"});
  m.vat_irrecoverable_default = vat == "yes" ? 0.0 : 1.0;
  if (auto effects = node.find("effects")) {
    effects->expect_object();
    for (const auto& key : effects->keys()) {
      std::size_t hook = kHookCount;
      for (std::size_t h = 0; h < kHookCount; ++h) {
        if (key == kHookNames[h]) hook = h;
      }
      const JsonReader value = effects->at(key);
      if (hook == kHookCount) {
        std::vector<std::string> names(kHookNames.begin(), kHookNames.end());
        throw ValidationError(value.pointer(), "unknown effect hook", describe(json(key)),
                              "one of " + join(names));
      }
      m.effects[hook] = parse_distribution(value, kHookRange[hook]);
      m.has_effect[hook] = true;
    }
  }
  // An uncertain VAT position with no effect given is a ruling at even odds, drawn per replicate.
  const auto vat_hook = static_cast<std::size_t>(Hook::vat_irrecoverable);
  if (vat == "uncertain" && !m.has_effect[vat_hook]) {
    m.effects[vat_hook] = Distribution{DistKind::bernoulli, 0.5, 0, 0};
    m.has_effect[vat_hook] = true;
  }
  return m;
}

std::vector<std::string> catalogue_ids(const json& catalogue) {
  std::vector<std::string> ids;
  if (catalogue.is_object() && catalogue.contains("models") && catalogue["models"].is_array()) {
    for (const auto& m : catalogue["models"]) {
      if (m.is_object() && m.contains("id") && m["id"].is_string()) ids.push_back(m["id"]);
    }
  }
  return ids;
}

std::vector<json> resolve_model_entries(const JsonReader& models, const json& catalogue) {
  // Models: an id from the catalogue, an object {"id": known id, ...overrides}, or a full new model.
  models.expect_array(1, 200);
  std::map<std::string, const json*> known;
  if (catalogue.is_object() && catalogue.contains("models") && catalogue["models"].is_array()) {
    for (const auto& m : catalogue["models"]) {
      if (m.is_object() && m.contains("id") && m["id"].is_string()) known[m["id"]] = &m;
    }
  }
  const std::vector<std::string> ids = catalogue_ids(catalogue);
  std::vector<json> entries;
  for (std::size_t i = 0; i < models.size(); ++i) {
    const JsonReader entry = models.at(i);
    json resolved;
    if (entry.node().is_string()) {
      auto it = known.find(entry.string());
      if (it == known.end()) entry.fail("unknown delivery model id", "one of " + join(ids));
      resolved = *it->second;
    } else if (entry.node().is_object()) {
      const std::string id = entry.at("id").string();
      auto it = known.find(id);
      resolved = it == known.end() ? entry.node() : merge_patch(*it->second, entry.node());
      // An effect given in an override replaces the catalogue's distribution whole.
      if (it != known.end() && entry.has("effects") && entry.node()["effects"].is_object()) {
        for (const auto& [hook, dist] : entry.node()["effects"].items()) {
          if (!dist.is_null()) resolved["effects"][hook] = dist;
        }
      }
      if (it == known.end() && !entry.has("attributes")) {
        entry.at("id").fail("unknown delivery model id (a new model needs name, group and attributes)",
                            "one of " + join(ids) + ", or a full model definition");
      }
    } else {
      entry.fail("wrong type", "a catalogue id (string) or a delivery model object");
    }
    entries.push_back(std::move(resolved));
  }
  return entries;
}

Scenario parse_scenario(const json& spec_json, const json& catalogue) {
  const JsonReader spec(spec_json, "");
  spec.expect_object();
  spec.expect_only({"profile", "models", "years", "replicates", "seed", "decision_month",
                    "interventions", "rules", "risks", "parameters", "output", "baseline",
                    "common_random_numbers", "name", "description"});
  Scenario s;
  s.profile = parse_profile(spec.at("profile"));
  s.months = static_cast<int>(spec.at("years").integer(1, 50)) * 12;
  s.replicates = spec.at("replicates").integer(1, 100000000);
  s.seed = static_cast<std::uint64_t>(spec.integer_or("seed", 1, 0, 9007199254740991LL));
  s.decision_month = static_cast<int>(spec.integer_or("decision_month", 0, 0, s.months - 1));
  if (auto crn = spec.find("common_random_numbers")) s.common_random_numbers = crn->boolean();
  if (auto out = spec.find("output")) {
    s.output = out->one_of({"full", "summary"}) == "summary" ? OutputMode::summary : OutputMode::full;
  }
  if (auto params = spec.find("parameters")) apply_overrides(*params, s.parameters);

  const JsonReader models = spec.at("models");
  const std::vector<json> entries = resolve_model_entries(models, catalogue);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const JsonReader entry = models.at(i);
    s.models.push_back(parse_delivery_model(JsonReader(entries[i], entry.pointer())));
    for (std::size_t j = 0; j + 1 < s.models.size(); ++j) {
      if (s.models[j].id == s.models.back().id) entry.fail("delivery model listed twice", "distinct ids");
    }
  }
  if (auto base = spec.find("baseline")) {
    const std::string id = base->string();
    s.baseline = -1;
    std::vector<std::string> chosen;
    for (std::size_t i = 0; i < s.models.size(); ++i) {
      chosen.push_back(s.models[i].id);
      if (s.models[i].id == id) s.baseline = static_cast<int>(i);
    }
    if (s.baseline < 0) base->fail("baseline is not among the models", "one of " + join(chosen));
  }

  if (auto list = spec.find("risks")) s.risks = parse_risks(*list);

  if (auto list = spec.find("interventions")) detail::parse_interventions(*list, s);
  if (auto list = spec.find("rules")) detail::parse_rules(*list, s);

  s.profile.cla_from_cpp_check = s.parameters.cla_from_cpp_share * s.profile.cla_starts_per_10k /
                                 std::max(s.profile.cpp_starts_per_10k, 1e-12);
  check_cross_fields(s, spec);
  return s;
}

}  // namespace admsim
