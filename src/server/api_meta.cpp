// GET /api/v1/meta (docs/api.md): the index, its method (tree, weights, pipeline), years,
// coverage, sources and regions, rendered once at startup.
#include <set>

#include "detail/impl.hpp"

namespace gpsi::server {

using detail::CheckParams;
using detail::Json;
using detail::NumOrNull;
using detail::RankOrNull;
using detail::SendError;

namespace {

//! An indicator's fallback series as /api/v1/meta lists them.
Json FallbackJson(const engine::FrameworkNode& n) {
  Json out = Json::array();
  for (const auto& f : n.fallback) {
    out.push_back(
        {{"reads", f.reads}, {"sum", f.sum}, {"denominator", f.denominator}, {"adjust", f.adjust}, {"note", f.note}});
  }
  return out;
}

}  // namespace

std::string Server::Impl::MetaBody(const detail::Lookups& look) const {
  const auto& b = build;
  const auto& m = b.method;
  const std::size_t nn = m.nodes.size();
  Json j;
  j["index"] = {{"id", m.id},
                {"name_en", m.name_en},
                {"name_zh", m.name_zh},
                {"version", m.version},
                {"coverage_rule", m.coverage_rule},
                {"run", b.run_id},
                {"data_hash", b.data_hash},
                {"method_hash", m.hash}};
  Json pipe = Json::object();
  for (const auto& [k, v] : m.pipeline) pipe[k] = v;
  j["pipeline"] = pipe;
  j["years"] = Json(std::vector<int>(years.begin(), years.end()));
  j["latest_year"] = years.empty() ? Json(nullptr) : Json(*years.rbegin());
  Json nodes = Json::array();
  for (std::size_t i = 0; i < nn; ++i) {
    const auto& n = m.nodes[i];
    std::vector<std::string> kids;
    for (const auto& c : m.nodes) {
      if (c.parent == n.code) kids.push_back(c.code);
    }
    nodes.push_back({{"code", n.code},
                     {"name_en", n.name_en},
                     {"name_zh", n.name_zh},
                     {"parent", n.parent},
                     {"level", n.level},
                     {"weight", n.weight},
                     {"indicator", n.indicator},
                     {"monitor", n.monitor},
                     {"direction", n.indicator ? Json(n.direction) : Json(nullptr)},
                     {"reads", n.reads},
                     {"sum", n.sum},
                     {"fallback", FallbackJson(n)},
                     {"denominator", n.denominator},
                     {"source_note", n.source_note},
                     {"children", kids}});
  }
  j["nodes"] = nodes;
  Json dims = Json::array();
  for (auto c : m.nodes[m.top()].children) dims.push_back(m.nodes[c].code);
  j["dimensions"] = dims;
  const auto& el = m.eligibility;
  j["eligibility"] = el.active ? Json{{"population", el.population},
                                      {"min_population", el.min_population},
                                      {"max_missing_dimensions", el.max_missing_dimensions}}
                               : Json(nullptr);
  j["validation"] = !pub.validation_json.empty();
  // Per year, how many units are ranked and why the others are not (the build's coverage.csv).
  Json cov = Json::array();
  for (const auto& c : engine::Coverage(b)) {
    cov.push_back(
        {{"year", c.year},
         {"units", c.units},
         {"scored", c.scored},
         {"ranked", c.ranked},
         {"not_ranked_population", c.below_population},
         {"not_ranked_dimensions", c.missing_dimensions},
         {"population_share", c.population_all > 0 ? Json(c.population_ranked / c.population_all) : Json(nullptr)},
         {"mean_imputed_share", c.mean_imputed_share}});
  }
  j["coverage"] = cov;
  // The source releases the index reads (a release with no value read is not listed).
  std::set<std::pair<std::string, std::string>> used;
  for (const auto& v : pub.values) used.emplace(v.value.source_key, v.value.release);
  Json sources = Json::array();
  for (const auto& s : pub.sources) {
    const Source& x = s.source;
    if (used.count({x.key, x.release}) == 0) continue;
    sources.push_back({{"key", x.key},
                       {"publisher", x.publisher},
                       {"tier", x.tier},
                       {"licence", x.licence},
                       {"url", x.url},
                       {"release", x.release},
                       {"retrieved", x.retrieved}});
  }
  j["sources"] = sources;
  std::map<std::string, std::string> regions;
  for (const auto& [code, u] : look.described) {
    if (!u.region_code.empty()) regions.emplace(u.region_code, u.region_name);
  }
  Json reg = Json::array();
  for (const auto& [code, name] : regions) reg.push_back({{"code", code}, {"name", name}});
  j["regions"] = reg;
  j["intervals"] =
      pub.interval_samples == 0
          ? Json(nullptr)
          : Json{{"samples", pub.interval_samples}, {"seed", pub.interval_seed}, {"level", pub.interval_level}};
  return j.dump() + "\n";
}

void Server::Impl::Meta(const Request& req, Response& res) const {
  if (!CheckParams(req, res, {})) return;
  res.SetContent(meta_body, "application/json");
}

}  // namespace gpsi::server
