#include "admsim/risks.hpp"

#include <string>

namespace admsim {

namespace {
template <typename Enum, std::size_t N>
Enum parse_name(const JsonReader& node, const std::array<const char*, N>& names) {
  const std::string v = node.one_of(std::vector<std::string>(names.begin(), names.end()));
  std::size_t i = 0;
  while (names[i] != v) ++i;
  return static_cast<Enum>(i);
}

// FNV-1a of the id, so each risk's random numbers depend on nothing but its id.
std::uint32_t key_of(const std::string& id) {
  std::uint32_t h = 2166136261u;
  for (unsigned char c : id) h = (h ^ c) * 16777619u;
  return h & 0x7fffffffu;
}

// The largest size each effect may take (per unit of impact scale).
double max_size(RiskEffect e) {
  switch (e) {
    case RiskEffect::recruitment_squeeze: return 1.0;
    case RiskEffect::cost_overrun: return 1.0;
    case RiskEffect::go_live_delay: return 60.0;
    default: return 10.0;
  }
}
}  // namespace

std::vector<Risk> parse_risks(const JsonReader& list) {
  list.expect_array(0, 1000);
  std::vector<Risk> out;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const JsonReader item = list.at(i);
    item.expect_only({"id", "category", "risk", "consequence", "mitigation", "likelihood", "impact",
                      "applies_to", "window", "window_months", "effect", "passage", "rationale"});
    Risk r;
    r.id = item.at("id").string();
    if (r.id.empty()) item.at("id").fail("empty risk id", "a non-empty string");
    for (const Risk& other : out) {
      if (other.id == r.id) item.at("id").fail("risk listed twice", "distinct ids");
    }
    r.likelihood = item.at("likelihood").one_of({"H", "M", "L"})[0];
    r.impact = item.at("impact").one_of({"H", "M", "L"})[0];
    r.applies = parse_name<RiskApplies>(item.at("applies_to"), kRiskAppliesNames);
    r.window = parse_name<RiskWindow>(item.at("window"), kRiskWindowNames);
    if (r.window == RiskWindow::period) {
      const JsonReader w = item.at("window_months");
      w.expect_array();
      if (w.size() != 2) w.fail("not a [first, last) pair of months", "[first, last) with 0 <= first < last <= 600");
      r.window_start = static_cast<int>(w.at(0).integer(0, 599));
      r.window_end = static_cast<int>(w.at(1).integer(r.window_start + 1, 600));
    } else if (auto w = item.find("window_months")) {
      w->fail("window_months only goes with window \"period\"", "no window_months");
    }
    const JsonReader e = item.at("effect");
    e.expect_only({"type", "size", "months"});
    r.effect = parse_name<RiskEffect>(e.at("type"), kRiskEffectNames);
    r.size = e.at("size").number(0.0, max_size(r.effect));
    r.months = static_cast<int>(e.integer_or("months", 1, 1, 120));
    for (const char* text : {"category", "risk", "consequence", "mitigation", "passage", "rationale"}) {
      if (auto t = item.find(text)) t->string();
    }
    r.stream_key = key_of(r.id);
    out.push_back(r);
  }
  return out;
}

}  // namespace admsim
