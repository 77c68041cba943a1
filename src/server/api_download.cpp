// GET /api/v1/download/{table} (docs/api.md): the published tables as CSV or XLSX, rendered
// once at startup.
#include <fmt/format.h>

#include "detail/impl.hpp"
#include "report.hpp"

namespace gpsi::server {

using detail::CheckParams;
using detail::Json;
using detail::NumOrNull;
using detail::RankOrNull;
using detail::SendError;

namespace {

using Cell = TableCell;

const char* kXlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

}  // namespace

const ResolvedValue* Server::Impl::RecordOf(const detail::Lookups& look, std::size_t row, std::size_t col) const {
  const CellOrigin& o = build.panel.origin(row, col);
  if (!o.stored) return nullptr;  // made by the build (window, GTI score, fill): no one record
  auto it = look.values_at.find({build.panel.row(row).unit, o.code, o.year});
  return it == look.values_at.end() ? nullptr : &pub.values[it->second.first].value;
}

void Server::Impl::PublishDownloads(const detail::Lookups& look) {
  const auto& b = build;
  const auto& m = b.method;
  const Panel& p = b.panel;
  const ScoreTable& sc = b.scores;
  const std::size_t nn = m.nodes.size(), nr = p.rows();
  auto year_of = [&](std::size_t r) { return p.has_years() ? Cell::Int(p.row(r).year) : Cell{}; };
  std::map<std::string, Table> tables;
  engine::ScoresTable(b, tables["scores"]);  // = scores.csv of gpsi build
  {
    Table& t = tables["indicators"];
    t.Header({"year", "unit", "code", "raw", "imputed", "score", "source", "release", "tier", "licence"});
    for (std::size_t r = 0; r < nr; ++r) {
      for (std::size_t col = 0; col < look.ind_nodes.size(); ++col) {
        const auto& n = m.nodes[look.ind_nodes[col]];
        const ResolvedValue* v = RecordOf(look, r, col);
        const Score& s = sc.at(r, look.ind_nodes[col]);
        const bool imputed = s.flags.find('i') != std::string::npos;
        t.Add(year_of(r), Cell::Text(p.row(r).unit), Cell::Text(n.code), Cell::Real(engine::DisplayValue(b, r, col)),
              Cell::Int(imputed ? 1 : 0), Cell::Real(s.value), v ? Cell::Text(v->source_key) : Cell{},
              v ? Cell::Text(v->release) : Cell{}, v ? Cell::Int(v->tier) : Cell{},
              v ? Cell::Text(Licence(look, *v)) : Cell{});
      }
    }
  }
  {
    Table& t = tables["intervals"];  // = rank_stats.csv of gpsi uncertainty, without the mean
    t.Header({"year", "unit", "code", "nominal", "median", "p05", "p95"});
    for (const auto& s : pub.intervals) {
      t.Add(p.has_years() ? Cell::Int(s.year) : Cell{}, Cell::Text(s.unit), Cell::Text(s.code),
            Cell::Positive(s.nominal), Cell::Real(s.median), Cell::Real(s.p05), Cell::Real(s.p95));
    }
  }
  {
    Table& t = tables["units"];
    t.Header({"code", "name_en", "name_zh", "iso3", "m49", "region_code", "region", "subregion_code", "subregion"});
    for (const auto& [code, u] : look.described) {
      t.Add(Cell::Text(u.code), Cell::Text(u.name_en), Cell::Text(u.name_zh), Cell::Text(u.iso3), Cell::Text(u.m49),
            Cell::Text(u.region_code), Cell::Text(u.region_name), Cell::Text(u.subregion_code),
            Cell::Text(u.subregion_name));
    }
  }
  {
    Table& t = tables["sources"];
    t.Header({"key", "publisher", "tier", "licence", "url", "release", "retrieved"});
    for (const auto& s : pub.sources) {
      const Source& x = s.source;
      t.Add(Cell::Text(x.key), Cell::Text(x.publisher), Cell::Int(x.tier), Cell::Text(x.licence), Cell::Text(x.url),
            Cell::Text(x.release), Cell::Text(x.retrieved));
    }
  }
  {
    Table& t = tables["weights"];
    t.Header({"node", "parent", "level", "weight"});
    for (std::size_t i = 0; i < nn; ++i) {
      t.Add(Cell::Text(m.nodes[i].code), Cell::Text(m.nodes[i].parent), Cell::Int(m.nodes[i].level),
            Cell::Real(m.nodes[i].weight));
    }
  }
  for (const auto& [name, t] : tables) {
    Rendered& d = downloads[name];
    d.csv = Csv(t);
    auto x = report::Xlsx(t, name);
    if (!x) throw Failure(x.error());
    d.xlsx = std::move(*x);
  }
}

void Server::Impl::Download(const Request& req, Response& res) const {
  if (!CheckParams(req, res, {"format"})) return;
  const std::string& table = req.match;
  std::string format = req.HasParam("format") ? req.Param("format") : "csv";
  if (format != "csv" && format != "xlsx") {
    return SendError(res, Errc::kUsage, fmt::format("format must be csv or xlsx, not '{}'", format));
  }
  auto it = downloads.find(table);
  if (it == downloads.end()) {
    std::string names;
    for (const auto& [name, t] : downloads) names += (names.empty() ? "" : ", ") + name;
    return SendError(res, Errc::kNotFound, fmt::format("no table '{}' (tables: {})", table, names));
  }
  res.SetHeader("Content-Disposition", fmt::format("attachment; filename=\"gpsi-{}.{}\"", table, format));
  if (format == "csv") return res.SetContent(it->second.csv, "text/csv; charset=utf-8");
  res.SetContent(it->second.xlsx, kXlsxType);
}

}  // namespace gpsi::server
