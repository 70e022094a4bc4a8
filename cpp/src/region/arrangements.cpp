#include "region/arrangements.hpp"

#include <algorithm>

#include "admsim/random.hpp"

namespace admsim::detail {

std::vector<double> split_shares(const std::string& rule, const std::vector<Scenario>& councils) {
  std::vector<double> weight;
  for (const auto& s : councils) {
    const double children = s.profile.children;
    weight.push_back(rule == "equal" ? 1.0 : rule == "population" ? children : s.profile.cla_per_10k * children / 1e4);
  }
  double total = 0;
  for (double w : weight) total += w;
  for (double& w : weight) w /= total;
  return weight;
}

namespace {
// "options": option indices or the first council's model ids; every option when absent.
std::vector<bool> parse_options(const JsonReader& node, const std::vector<Scenario>& councils) {
  const auto& models = councils.front().models;
  std::vector<bool> on(models.size(), true);
  auto list = node.find("options");
  if (!list) return on;
  list->expect_array(1, models.size());
  std::fill(on.begin(), on.end(), false);
  std::vector<std::string> ids;
  for (const auto& m : models) ids.push_back(m.id);
  for (std::size_t i = 0; i < list->size(); ++i) {
    const JsonReader item = list->at(i);
    if (item.node().is_number_integer()) {
      on[static_cast<std::size_t>(item.integer(0, static_cast<std::int64_t>(models.size()) - 1))] = true;
      continue;
    }
    const std::string id = item.one_of(ids);
    for (std::size_t k = 0; k < ids.size(); ++k) on[k] = on[k] || ids[k] == id;
  }
  return on;
}
}  // namespace

CommissioningHub parse_hub(const JsonReader& node, const std::vector<Scenario>& councils,
                           const std::string& vehicle_split) {
  node.expect_object();
  node.expect_only({"setup_cost", "setup_months", "running_cost_per_year", "start_month", "share", "ramp_months",
                    "discount", "external_share", "cost_split", "options", "note"});
  CommissioningHub hub;
  const int months = councils.front().months;
  // Defaults: assumptions with their ranges in docs/model.md ("A regional commissioning hub").
  hub.setup_cost = node.number_or("setup_cost", 250e3, 0.0, 1e8);
  hub.running_cost = node.number_or("running_cost_per_year", 800e3, 0.0, 1e8);
  hub.start_month = static_cast<int>(node.integer_or("start_month", 0, 0, months - 1));
  hub.setup_months = static_cast<int>(node.integer_or("setup_months", 6, 0, 60));
  hub.ramp_months = static_cast<int>(node.integer_or("ramp_months", 24, 0, 120));
  if (auto share = node.find("share")) {
    hub.share = parse_uncertain(*share, 0.0, 1.0);
  } else {
    hub.share = {DistKind::triangular, 0.1, 0.25, 0.5};
  }
  if (auto discount = node.find("discount")) {
    hub.discount = parse_uncertain(*discount, 0.0, 0.5);
  } else {
    hub.discount = {DistKind::triangular, 0.0, 0.02, 0.05};
  }
  // Bought on the market: agency (IFA) foster care and most children's home places.
  hub.external[static_cast<std::size_t>(Placement::foster_agency)] = 1.0;
  hub.external[static_cast<std::size_t>(Placement::residential)] = 0.8;
  if (auto external = node.find("external_share")) {
    // A type given overrides its default; the others keep theirs. Only the placements councils
    // buy on a market can go through a hub.
    external->expect_object();
    const std::vector<std::string> market = {"foster_agency", "residential", "supported"};
    const std::vector<std::string> names(kPlacementNames.begin(), kPlacementNames.end());
    for (const auto& key : external->keys()) {
      const JsonReader value = external->at(key);
      if (std::find(market.begin(), market.end(), key) == market.end()) {
        throw ValidationError(value.pointer(), "not a placement type bought on the market", describe(json(key)),
                              "one of " + join(market));
      }
      const auto it = std::find(names.begin(), names.end(), key);
      hub.external[static_cast<std::size_t>(it - names.begin())] = value.number(0.0, 1.0);
    }
  }
  if (node.has("cost_split")) {
    hub.cost_split = node.at("cost_split").one_of({"equal", "population", "use"});
  } else {
    hub.cost_split = vehicle_split.empty() ? "use" : vehicle_split;
  }
  hub.cost_shares = split_shares(hub.cost_split, councils);
  hub.options = parse_options(node, councils);
  return hub;
}

ImprovementAlliance parse_alliance(const JsonReader& node, const std::vector<Scenario>& councils) {
  node.expect_object();
  node.expect_only({"effect", "cost_per_year", "options", "note"});
  ImprovementAlliance alliance;
  if (auto effect = node.find("effect")) {
    alliance.effect = parse_uncertain(*effect, -1.0, 1.0);  // the improvement hook's units (SD)
  } else {
    alliance.effect = {DistKind::triangular, 0.0, 0.1, 0.25};
  }
  alliance.cost_per_year = node.number_or("cost_per_year", 50e3, 0.0, 1e8);
  alliance.options = parse_options(node, councils);
  return alliance;
}

HubDraw draw_hub(const CommissioningHub& hub, std::uint64_t seed, std::uint64_t replicate) {
  rng::Stream u(seed, replicate, kStreamRegionHub, 0);
  HubDraw d;
  d.share = hub.share.quantile(u.uniform());
  d.discount = hub.discount.quantile(u.uniform());
  return d;
}

double draw_alliance(const ImprovementAlliance& alliance, std::uint64_t seed, std::uint64_t replicate) {
  rng::Stream u(seed, replicate, kStreamRegionAlliance, 0);
  return alliance.effect.quantile(u.uniform());
}

double hub_cost(const CommissioningHub& hub, int t) {
  if (t < hub.start_month) return 0.0;
  const int since = t - hub.start_month;
  double setup = 0;
  if (hub.setup_months <= 0) setup = since == 0 ? hub.setup_cost : 0.0;
  else if (since < hub.setup_months) setup = hub.setup_cost / hub.setup_months;
  return setup + hub.running_cost / 12.0;
}

double hub_take_up(const CommissioningHub& hub, const HubDraw& draw, int t) {
  if (t < hub.start_month) return 0.0;
  if (hub.ramp_months <= 0) return draw.share;
  return draw.share * std::min(1.0, double(t - hub.start_month + 1) / hub.ramp_months);
}

void add_hub_terms(const CommissioningHub& hub, const HubDraw& draw, std::size_t c, int t, RegionalTerms& terms) {
  terms.active = true;
  const double bought = hub_take_up(hub, draw, t) * draw.discount;
  for (std::size_t k = 0; k < kPlacementCount; ++k) terms.placement_saving[k] = hub.external[k] * bought;
  terms.hub_cost = hub.cost_shares[c] * hub_cost(hub, t);
}

void add_alliance_terms(const ImprovementAlliance& alliance, double effect, const std::vector<int>& grades,
                        std::vector<RegionalTerms>& terms) {
  const std::size_t C = grades.size();
  std::size_t strong = 0, weak = 0;
  for (int g : grades) {
    strong += g == kOutstanding || g == kGood;
    weak += g == kRequiresImprovement || g == kInadequate;
  }
  for (std::size_t c = 0; c < C; ++c) {
    terms[c].active = true;
    const int g = grades[c];
    if ((g == kRequiresImprovement || g == kInadequate) && C > 1) {
      terms[c].quality_support = effect * double(strong) / double(C - 1);
    } else if ((g == kOutstanding || g == kGood) && weak > 0) {
      terms[c].support_cost = alliance.cost_per_year / 12.0 * double(weak) / double(strong);
    }
  }
}

}  // namespace admsim::detail
