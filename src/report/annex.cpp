// The report's methodology annex, generated from the method the build ran (engine::MethodInfo):
// its pipeline settings, its framework with the weights as used, and how the rank intervals were
// drawn, so that the annex cannot say other than what was computed.
#include <fmt/format.h>

#include "page.hpp"

namespace gpsi::report::detail {
namespace {

//! The nodes depth first from the index, each node's children (monitors too) in method order.
std::vector<std::size_t> TreeOrder(const engine::MethodInfo& m) {
  std::vector<std::size_t> out, stack{m.top()};
  while (!stack.empty()) {
    const std::size_t k = stack.back();
    stack.pop_back();
    out.push_back(k);
    for (std::size_t c = m.nodes.size(); c-- > 0;) {  // pushed last to first: popped in method order
      if (m.nodes[c].parent == m.nodes[k].code && c != k) stack.push_back(c);
    }
  }
  return out;
}

//! Every node of the framework, the index first: level, parent, weight as used, direction and reads.
Table FrameworkTable(const Names& names) {
  const Words& w = names.words;
  Table t{"framework",
          w["framework_caption"],
          {{w["code"], "code"},
           {w["name"], "name"},
           {w["level"], "level", true},
           {w["parent"], "parent"},
           {w["weight"], "weight", true},
           {w["direction"], "direction"},
           {w["reads"], "reads"}},
          {},
          "node"};
  const auto& nodes = names.method.nodes;
  for (std::size_t k : TreeOrder(names.method)) {
    const auto& n = nodes[k];
    std::string reads = engine::ReadsText(n);
    if (!n.fallback.empty()) reads += " " + w.Say("fallbacks", {{"n", std::to_string(n.fallback.size())}});
    t.rows.push_back({n.code,
                      {n.code, names.NodeName(k), std::to_string(n.level), n.parent,
                       n.monitor ? w["monitor"] : fmt::format("{:.3f}", n.weight),
                       !n.indicator      ? ""
                       : n.direction > 0 ? w["higher_better"]
                                         : w["higher_worse"],
                       reads}});
  }
  return t;
}

Table PipelineTable(const Names& names) {
  const Words& w = names.words;
  Table t{"pipeline", w["pipeline_caption"], {{w["setting"], "setting"}, {w["value"], "value"}}, {}, "setting"};
  for (const auto& [key, value] : names.method.pipeline) t.rows.push_back({key, {key, value}});
  return t;
}

}  // namespace

void MethodAnnex(const engine::Published& pub, const Names& names, Data& d) {
  const Words& w = names.words;
  const auto& m = names.method;
  d.set("method_text", w.Say("method_text", {{"name", w.lang == "zh" && !m.name_zh.empty() ? m.name_zh : m.name_en},
                                             {"id", m.id},
                                             {"version", m.version},
                                             {"hash", m.hash}}));
  d.set("intervals_text", pub.interval_samples == 0
                              ? w["no_intervals"]
                              : w.Say("intervals_text", {{"samples", std::to_string(pub.interval_samples)},
                                                         {"seed", std::to_string(pub.interval_seed)},
                                                         {"level", fmt::format("{:.0f}", pub.interval_level * 100)}}));
  d.set("pipeline", PipelineTable(names).Html());
  d.set("framework", FrameworkTable(names).Html());
}

}  // namespace gpsi::report::detail
