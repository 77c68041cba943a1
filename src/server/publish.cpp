// What the server answers from: engine::Publish's result, indexed once at startup, and the
// answers every request could ask of the whole data set (meta, profiles, downloads), rendered
// once by the endpoint files (api_meta.cpp, api_profile.cpp, api_download.cpp). Handlers only
// look answers up, so they are cheap, const and safe to run concurrently.
#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "detail/impl.hpp"

namespace gpsi::server {

using detail::Json;
using detail::NumOrNull;
using detail::Upper;

Json detail::UnitJson(const Unit& u, bool subregion) {
  Json j = {{"code", u.code}, {"name_en", u.name_en},         {"name_zh", u.name_zh},   {"iso3", u.iso3},
            {"m49", u.m49},   {"region_code", u.region_code}, {"region", u.region_name}};
  if (subregion) {
    j["subregion_code"] = u.subregion_code;
    j["subregion"] = u.subregion_name;
  }
  return j;
}

void Server::Impl::AddInterval(Json& j, std::size_t row, std::size_t node) const {
  int k = interval_of.empty() ? -1 : interval_of[row * build.scores.cols() + node];
  const engine::RankStat* s = k < 0 ? nullptr : &pub.intervals[static_cast<std::size_t>(k)];
  j["p05"] = s ? NumOrNull(s->p05) : Json(nullptr);
  j["median"] = s ? NumOrNull(s->median) : Json(nullptr);
  j["p95"] = s ? NumOrNull(s->p95) : Json(nullptr);
}

std::string Server::Impl::Licence(const detail::Lookups& look, const ResolvedValue& v) const {
  auto it = look.source_of.find({v.source_key, v.release});
  return it == look.source_of.end() ? std::string() : it->second->licence;
}

std::optional<std::string> Server::Impl::UnitParam(const Request& req, Response& res) const {
  if (!req.HasParam("unit")) return std::string();
  const std::string asked = req.Param("unit");
  auto k = unit_key.find(Upper(asked));
  if (k == unit_key.end()) {
    detail::SendError(res, Errc::kUsage, fmt::format("no unit '{}' in the build", asked));
    return std::nullopt;
  }
  return k->second;
}

void Server::Impl::Publish(engine::Published published) {
  pub = std::move(published);
  for (const auto& u : pub.units) units.emplace(u.code, u);
  const Panel& p = build.panel;
  for (const auto& row : p.row_keys()) scored.push_back(row.unit);
  std::sort(scored.begin(), scored.end());
  scored.erase(std::unique(scored.begin(), scored.end()), scored.end());
  if (p.has_years()) {
    for (const auto& row : p.row_keys()) years.insert(row.year);
  }
  if (pub.forecast) {
    for (const auto& f : pub.forecast->rows) forecast_codes.insert(f.code), forecast_years.insert(f.year);
  }
  const detail::Lookups look = Index();
  meta_body = MetaBody(look);
  PublishProfiles(look);
  PublishDownloads(look);
  PublishReports();
  PublishRisk();
}

detail::Lookups Server::Impl::Index() {
  const Panel& p = build.panel;
  const ScoreTable& t = build.scores;
  const std::size_t nn = t.cols(), nr = p.rows();
  detail::Lookups look;
  // A unit the store does not describe still carries the build's name.
  for (const UnitYear& row : p.row_keys()) {
    auto& u = look.described[row.unit];
    if (!u.code.empty()) continue;
    auto it = units.find(row.unit);
    if (it != units.end()) u = it->second;
    u.code = row.unit;
    if (u.name_en.empty()) u.name_en = row.name;
  }
  for (const auto& [code, u] : look.described) {
    unit_key.emplace(Upper(code), code);
    if (!u.iso3.empty()) unit_key.emplace(Upper(u.iso3), code);
  }
  // Intervals by row × node.
  std::map<std::pair<std::string, int>, std::size_t> row_of;
  for (std::size_t r = 0; r < nr; ++r) row_of[{p.row(r).unit, p.row(r).year}] = r;
  if (!pub.intervals.empty()) {
    interval_of.assign(nr * nn, -1);
    for (std::size_t k = 0; k < pub.intervals.size(); ++k) {
      const auto& s = pub.intervals[k];
      auto it = row_of.find({s.unit, s.year});
      auto node = t.Column(s.code);
      if (it != row_of.end() && node) interval_of[it->second * nn + *node] = static_cast<int>(k);
    }
  }
  // Stored values by (unit, code, year); sources by (key, release).
  for (std::size_t i = 0; i < pub.values.size(); ++i) {
    const auto& v = pub.values[i].value;
    auto [it, fresh] = look.values_at.try_emplace({v.unit, v.indicator, v.year}, i, i + 1);
    if (!fresh) it->second.second = i + 1;
  }
  for (const auto& s : pub.sources) look.source_of[{s.source.key, s.source.release}] = &s.source;
  look.ind_nodes = build.method.indicators;
  return look;
}

}  // namespace gpsi::server
