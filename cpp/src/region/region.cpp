#include "admsim/region.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "admsim/engine.hpp"
#include "admsim/parameters.hpp"
#include "admsim/samplers.hpp"
#include "ensemble/lockstep.hpp"
#include "ensemble/parallel_blocks.hpp"
#include "ensemble/summariser.hpp"
#include "region/arrangements.hpp"

namespace admsim {

namespace {
// The council's scenario document: the region's fields, then the council's own over them
// (a council may set name, profile, models, parameters, interventions, rules, risks,
// decision_month, baseline).
json council_document(const json& region, const json& council) {
  json doc = region;
  doc.erase("councils");
  doc.erase("labour_market");
  doc.erase("vehicle");
  doc.erase("agency_agreement");
  doc.erase("council_streams");
  doc.erase("commissioning_hub");
  doc.erase("improvement_alliance");
  doc.erase("name");
  doc.erase("description");
  for (const auto& [key, value] : council.items()) {
    if (key == "name" || key == "note") continue;
    if (key == "parameters" && doc.contains("parameters")) {
      for (const auto& [p, v] : value.items()) doc["parameters"][p] = v;
    } else {
      doc[key] = value;
    }
  }
  return doc;
}
// Each council's calibrated fill probability assumes every hire comes from outside. In a region
// some of its steady-state hires L are movers: m = s * (the region's leavers) * its share of the
// region's vacancies V0, so outside hiring from V0 + L - m vacancies must bring L - m, and a
// no-change regional run stays at the councils' observed rates.
void share_hiring_with_movers(double mover_share, std::vector<Calibration>& calibrations) {
  if (mover_share <= 0) return;
  double leavers = 0, vacancies = 0;
  for (const auto& c : calibrations) {
    leavers += c.leavers0;
    vacancies += c.vacancies0;
  }
  for (auto& c : calibrations) {
    const double L = c.leavers0, V0 = c.vacancies0;
    const double m = std::min(L, mover_share * leavers * V0 / vacancies);
    c.fill_prob = (L - m) / (V0 + L - m);
  }
}

}  // namespace

std::uint64_t council_seed(std::uint64_t seed, const std::string& name) {
  std::uint64_t h = 14695981039346656037ull;  // FNV-1a of the name
  for (unsigned char ch : name) h = (h ^ ch) * 1099511628211ull;
  std::uint64_t z = seed ^ h;  // splitmix64's finaliser
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return (z ^ (z >> 31)) >> 11;
}

RegionalScenario parse_regional_scenario(const json& spec, const json& catalogue) {
  const JsonReader root(spec, "");
  root.expect_object();
  const JsonReader list = root.at("councils");
  list.expect_array(1, 200);
  RegionalScenario region;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const JsonReader entry = list.at(i);
    entry.expect_object();
    entry.expect_only({"name", "profile", "models", "parameters", "interventions", "rules", "risks",
                       "decision_month", "baseline", "note"});
    const std::string name = entry.has("name") ? entry.at("name").string() : "council " + std::to_string(i);
    if (std::find(region.names.begin(), region.names.end(), name) != region.names.end()) {
      (entry.has("name") ? entry.at("name") : entry).fail("a second council of the same name", "a name no other council of the region has");
    }
    region.names.push_back(name);
    const json doc = council_document(spec, entry.node());
    try {
      region.councils.push_back(parse_scenario(doc, catalogue));
    } catch (const ValidationError& e) {
      // A field the council set is named under its entry; the region's own fields as they are.
      const std::string& p = e.pointer();
      const std::string key = p.substr(1, p.find('/', 1) == std::string::npos ? std::string::npos : p.find('/', 1) - 1);
      const bool own = entry.has(key) || key.empty();
      throw ValidationError(own ? "/councils/" + std::to_string(i) + p : p,
                            "council " + region.names.back() + ": " + e.problem(), e.value(), e.allowed());
    }
    const Scenario& first = region.councils.front();
    const Scenario& s = region.councils.back();
    if (s.models.size() != first.models.size()) {
      entry.at("models").fail("a different number of options than the region's first council",
                              std::to_string(first.models.size()) + " delivery models, one per option");
    }
  }
  if (auto market = root.find("labour_market")) {
    market->expect_object();
    market->expect_only({"mover_share", "note"});
    // DfE's workforce census does not say where leavers go; see docs/model.md for the range.
    region.mover_share = market->number_or("mover_share", 0.0, 0.0, 1.0);
  }
  if (region.mover_share > 0 && region.councils.size() < 2) {
    root.at("labour_market").at("mover_share").fail("a labour market of one council: its leavers have no other council to move to",
                                                    "0, or two councils or more");
  }
  for (auto& s : region.councils) s.regional_mover_share = region.mover_share;
  region.seed = region.councils.front().seed;  // the region's fields are every council's
  if (auto streams = root.find("council_streams")) region.independent_councils = streams->one_of({"independent", "shared"}) == "independent";
  if (auto deal = root.find("agency_agreement")) {
    deal->expect_object();
    deal->expect_only({"premium_cap", "assignment_months", "note"});
    region.agency_premium_cap = deal->at("premium_cap").number(0.0, 3.0);
    const ParameterInfo* months = find_parameter("agency_assignment_months");
    if (deal->has("assignment_months")) region.agency_assignment_months = deal->at("assignment_months").number(months->min, months->max);
    for (auto& s : region.councils) {
      Profile& p = s.profile;
      p.weekly_cost_agency = std::min(p.weekly_cost_agency, p.weekly_cost_employed * (1.0 + region.agency_premium_cap));
      if (!std::isnan(region.agency_assignment_months)) s.parameters.agency_assignment_months = region.agency_assignment_months;
    }
  }
  if (auto vehicle = root.find("vehicle")) {
    vehicle->expect_object();
    vehicle->expect_only({"cost_split", "note"});
    region.cost_split = vehicle->at("cost_split").one_of({"equal", "population", "use"});
    region.cost_shares = detail::split_shares(region.cost_split, region.councils);
    for (std::size_t c = 0; c < region.councils.size(); ++c) {
      for (auto& m : region.councils[c].models) {
        if (m.group != "in_house") m.cost_share = region.cost_shares[c];
      }
    }
  }
  if (region.independent_councils) {
    // Each council its own random numbers; one shared vehicle's effects and implementation once.
    for (std::size_t c = 0; c < region.councils.size(); ++c) {
      Scenario& s = region.councils[c];
      s.seed = council_seed(region.seed, region.names[c]);
      if (!region.cost_split.empty()) s.vehicle_seed = region.seed;
    }
  }
  if (auto hub = root.find("commissioning_hub")) region.hub = detail::parse_hub(*hub, region.councils, region.cost_split);
  if (auto alliance = root.find("improvement_alliance")) region.alliance = detail::parse_alliance(*alliance, region.councils);
  return region;
}

RegionalResult run_region(const RegionalScenario& region, const RunOptions& options) {
  const std::size_t C = region.councils.size();
  const Scenario& first = region.councils.front();
  const std::size_t M = first.models.size(), T = static_cast<std::size_t>(first.months);
  const auto R = static_cast<std::size_t>(first.replicates);
  const bool full = first.output != OutputMode::summary;
  std::vector<Calibration> calibrations;
  std::vector<detail::EnsembleBlocks> blocks;
  calibrations.reserve(C);
  blocks.reserve(C);
  for (const auto& s : region.councils) {
    calibrations.push_back(calibrate(s));
    blocks.emplace_back(s);
  }
  share_hiring_with_movers(region.mover_share, calibrations);
  RegionalResult result;
  if (full) result.unplaced.assign(M * R * T, 0.0);
  result.net_good.assign(M * R * T, 0.0);
  const auto* hub = region.hub ? &*region.hub : nullptr;
  const auto* alliance = region.alliance ? &*region.alliance : nullptr;
  const std::size_t Y = hub ? static_cast<std::size_t>(hub->years(first.months)) : 0;
  if (hub) result.hub_savings.assign(M * R * Y, 0.0);

  const auto block = static_cast<std::size_t>(std::max<std::int64_t>(1, options.block_replicates));
  detail::for_each_block(R, block, options, [&](std::size_t first_rep, std::size_t last_rep) {
    const std::size_t n = last_rep - first_rep;
    // Items (council c, option m, replicate r) are c * M * n + m * n + r.
    detail::Lockstep lockstep;
    for (std::size_t c = 0; c < C; ++c) {
      blocks[c].begin(n);
      for (std::size_t slot = 0; slot < M * n; ++slot) {
        lockstep.add(region.councils[c], calibrations[c], slot / n, static_cast<std::int64_t>(first_rep + slot % n),
                     blocks[c], slot);
      }
    }
    std::vector<double> weights(C), vacancies(C);
    std::vector<std::uint64_t> offers(C);
    // This block's draws for the hub and the alliance, by replicate (shared by every option).
    std::vector<detail::HubDraw> hub_draw(hub ? n : 0);
    std::vector<double> alliance_effect(alliance ? n : 0);
    for (std::size_t r = 0; r < n; ++r) {
      if (hub) hub_draw[r] = detail::draw_hub(*hub, region.seed, first_rep + r);
      if (alliance) alliance_effect[r] = detail::draw_alliance(*alliance, region.seed, first_rep + r);
    }
    std::vector<detail::RegionalTerms> terms(C);
    std::vector<int> grades(C);
    auto arrangements = [&](int t) {
      for (std::size_t slot = 0; slot < M * n; ++slot) {
        const std::size_t m = slot / n, r = slot % n;
        const bool has_hub = hub && hub->options[m], has_alliance = alliance && alliance->options[m];
        if (!has_hub && !has_alliance) continue;
        std::fill(terms.begin(), terms.end(), detail::RegionalTerms{});
        if (has_alliance) {
          for (std::size_t c = 0; c < C; ++c) grades[c] = lockstep[c * M * n + slot].grade();
          detail::add_alliance_terms(*alliance, alliance_effect[r], grades, terms);
        }
        for (std::size_t c = 0; c < C; ++c) {
          if (has_hub) detail::add_hub_terms(*hub, hub_draw[r], c, t, terms[c]);
          lockstep[c * M * n + slot].set_regional(terms[c]);
        }
      }
    };
    lockstep.run(T, [&](int t) {
      if (hub || alliance) arrangements(t);
      if (t == 0 || region.mover_share <= 0) return;
      for (std::size_t slot = 0; slot < M * n; ++slot) {
        // Last month's movers and vacancies of every council, for this option and replicate.
        std::uint64_t movers = 0;
        for (std::size_t c = 0; c < C; ++c) {
          const double* last = blocks[c].metrics(slot) + static_cast<std::size_t>(t - 1) * kMetricCount;
          movers += static_cast<std::uint64_t>(last[static_cast<std::size_t>(Metric::movers_out)]);
          vacancies[c] = last[static_cast<std::size_t>(Metric::vacancies)];
          weights[c] = vacancies[c] * lockstep[c * M * n + slot].attraction();
        }
        // Shared by every option: the same replicate draws the same shares (common random numbers).
        rng::Stream share(region.seed, first_rep + slot % n, kStreamRegionPool, static_cast<std::uint32_t>(t));
        rng::multinomial(share, movers, weights.data(), C, offers.data());
        std::uint64_t taken = 0;
        for (std::size_t c = 0; c < C; ++c) {
          offers[c] = std::min<std::uint64_t>(offers[c], static_cast<std::uint64_t>(vacancies[c]));
          lockstep[c * M * n + slot].offer_movers(offers[c]);
          taken += offers[c];
        }
        if (full) result.unplaced[(slot / n * R + first_rep + slot % n) * T + static_cast<std::size_t>(t)] = double(movers - taken);
      }
    });
    // The alliance's measure and the hub's savings by year, read from the block's metrics.
    for (std::size_t slot = 0; slot < M * n; ++slot) {
      const std::size_t m = slot / n, rep = first_rep + slot % n;
      for (std::size_t c = 0; c < C; ++c) {
        const double* row = blocks[c].metrics(slot);
        for (std::size_t t = 0; t < T; ++t, row += kMetricCount) {
          const double g = row[static_cast<std::size_t>(Metric::current_grade)];
          result.net_good[(m * R + rep) * T + t] += (g == kOutstanding || g == kGood) ? 1.0 : g == kInadequate ? -1.0 : 0.0;
          const int since = static_cast<int>(t) - (hub ? hub->start_month : 0);
          if (hub && since >= 0 && static_cast<std::size_t>(since / 12) < Y) {
            result.hub_savings[(m * R + rep) * Y + static_cast<std::size_t>(since / 12)] +=
                row[static_cast<std::size_t>(Metric::hub_savings)];
          }
        }
      }
    }
    for (std::size_t c = 0; c < C; ++c) blocks[c].end(first_rep);
  }, [&] {
    for (auto& b : blocks) result.councils.push_back(b.finish());
  });
  return result;
}

}  // namespace admsim
