// Fuzz target: the methodology-file parser (gpsi::method::ParseMethod, TOML) over arbitrary text,
// and the validation-plan parser (ParseValidationPlan) over the same text.
// Lines starting with "#set " (TOML comments) are also given as `--set` overrides, so the corpus
// reaches the override paths. A method is accepted or rejected with kBadMethod (kUsage for a bad
// override) and a location in the file; nothing may throw. An accepted method must be a well-formed
// tree and its canonical text must parse back to the same method and hash.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "method.hpp"

namespace {

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "method invariant violated: %s\n", what);
    std::abort();
  }
}

std::vector<std::string> Sets(const std::string& text) {
  std::vector<std::string> sets;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (text.compare(start, 5, "#set ") == 0) sets.push_back(text.substr(start + 5, end - start - 5));
    start = end + 1;
  }
  return sets;
}

void CheckTree(const gpsi::method::Method& m) {
  Check(!m.id.empty(), "an accepted method has an id");
  Check(!m.nodes.empty() && m.nodes.front().indicator, "indicators come first");
  int tops = 0;
  bool seen_aggregate = false;
  int last_level = 1;
  for (std::size_t i = 0; i < m.nodes.size(); ++i) {
    const auto& n = m.nodes[i];
    Check(m.Find(n.code) == static_cast<int>(i), "codes are unique");
    auto kids = m.Children(static_cast<int>(i));
    if (n.indicator) {
      Check(!seen_aggregate, "no indicator after an aggregate");
      Check(n.level == 1 && kids.empty(), "indicators are level 1 leaves");
      Check(n.direction == 1 || n.direction == -1, "direction ±1");
      Check(!n.reads.empty() || !n.sum.empty() || n.gti, "an indicator reads something");
      Check(n.reads.empty() || n.sum.empty(), "reads or sum, not both");
      for (const auto& f : n.fallback) {
        Check(f.reads.empty() != f.sum.empty(), "a fallback reads or sums");
        Check(f.adjust > 0 && f.scale > 0, "a fallback's factors are positive");
      }
      Check(n.lag_weights.empty() || n.lag_weights.size() <= 50, "lag window bounded");
      if (n.goal_lo || n.goal_hi) Check(n.goal_lo && n.goal_hi && *n.goal_lo < *n.goal_hi, "goalposts low < high");
    } else {
      seen_aggregate = true;
      Check(n.level >= last_level, "aggregates ordered by level");
      last_level = n.level;
      int highest = 0;
      for (int k : kids) highest = std::max(highest, m.nodes[static_cast<std::size_t>(k)].level);
      Check(!kids.empty() && n.level == highest + 1, "an aggregate is one above its highest child");
    }
    if (n.parent.empty()) {
      ++tops;
      Check(n.level == m.TopLevel(), "the top node has the top level");
    } else {
      int p = m.Find(n.parent);
      Check(p >= 0 && !m.nodes[static_cast<std::size_t>(p)].indicator, "parents are aggregates");
    }
    Check(n.weight >= 0, "weights ≥ 0");
  }
  Check(tops == 1, "one top node");
  Check(m.hash == gpsi::Sha256Hex(m.canonical), "hash of the canonical text");
}

}  // namespace

//! A plan is accepted or refused with kBadMethod naming the plan; an accepted one has ids and sources.
void CheckPlan(const std::string& text) {
  auto p = gpsi::method::ParseValidationPlan(text, "plan.toml");
  if (!p) {
    Check(p.error().code == gpsi::Errc::kBadMethod && p.error().file == "plan.toml", "a bad plan is kBadMethod");
    Check(p.error().line >= 0 && !p.error().Format().empty(), "plan errors format");
    return;
  }
  for (const auto& x : p->externals) {
    Check(!x.id.empty() && (!x.source.store.empty() || !x.source.file.empty()), "an external has an id and a series");
    Check(x.direction == 1 || x.direction == -1, "external direction ±1");
  }
  for (const auto& g : p->groups) Check(!g.id.empty(), "a known group has an id");
  for (const auto& e : p->explanations)
    Check(!e.text_en.empty() && !e.text_zh.empty(), "explanations in both languages");
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  CheckPlan(text);
  auto m = gpsi::method::ParseMethod(text, "fuzz.toml", Sets(text));
  if (!m) {
    const gpsi::Error& e = m.error();
    Check(e.code == gpsi::Errc::kBadMethod || e.code == gpsi::Errc::kUsage, "a bad method is kBadMethod or kUsage");
    Check(e.code == gpsi::Errc::kUsage || e.file == "fuzz.toml", "errors name the method file");
    Check(e.line >= 0 && e.column >= 0, "locations are not negative");
    Check(!e.message.empty() && !e.Format().empty(), "errors format");
    return 0;
  }
  CheckTree(*m);
  auto again = gpsi::method::ParseMethod(m->canonical, "canonical.toml", {});
  Check(again.ok(), "the canonical text parses");
  Check(again->canonical == m->canonical && again->hash == m->hash, "the canonical text is a fixed point");
  Check(again->nodes.size() == m->nodes.size(), "the canonical text keeps every node");
  return 0;
}
