// /api/v1/meta, /units/{ISO3}, /compare and /download/{table} (docs/api.md), and the published
// data they answer from. Everything a request could ask of the whole data set (meta, profiles,
// downloads) is rendered once at construction; handlers only look answers up, so they are cheap,
// const and safe to run concurrently.
#include <unistd.h>
#include <xlsxwriter.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <tuple>

#include <fmt/format.h>

#include "detail/impl.hpp"

namespace gpsi::server {

using compute::IsNa;
using detail::CheckParams;
using detail::CsvField;
using detail::Json;
using detail::Num;
using detail::SendError;
using detail::WantCsv;

namespace {

Json NumOrNull(double v) {
  return IsNa(v) ? Json(nullptr) : Json(v);
}

Json RankOrNull(int rank) {
  return rank > 0 ? Json(rank) : Json(nullptr);
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

//! One cell of a download table: empty, text, an integer or a real number (numbers stay numbers
//! in XLSX).
struct Cell {
  enum class Kind { kEmpty, kText, kInt, kReal } kind = Kind::kEmpty;
  std::string text;
  double number = 0;
  static Cell Text(std::string s) { return Cell{Kind::kText, std::move(s), 0}; }
  static Cell Int(long long v) { return Cell{Kind::kInt, {}, static_cast<double>(v)}; }
  //! A rank or count where 0 means none.
  static Cell Positive(int v) { return v > 0 ? Int(v) : Cell{}; }
  static Cell Real(double v) { return IsNa(v) ? Cell{} : Cell{Kind::kReal, {}, v}; }
};

struct TableData {
  std::vector<std::string> header;
  std::vector<std::vector<Cell>> rows;
};

//! An indicator's fallback series as /api/v1/meta lists them.
Json FallbackJson(const method::Node& n) {
  Json out = Json::array();
  for (const auto& f : n.fallback) {
    out.push_back({{"reads", f.sum.empty() ? f.reads : f.sum},
                   {"sum", !f.sum.empty()},
                   {"denominator", f.denominator},
                   {"adjust", f.adjust},
                   {"note", f.note}});
  }
  return out;
}

std::string ToCsv(const TableData& t) {
  fmt::memory_buffer out;
  for (std::size_t c = 0; c < t.header.size(); ++c) {
    fmt::format_to(std::back_inserter(out), "{}{}", c ? "," : "", CsvField(t.header[c]));
  }
  out.push_back('\n');
  for (const auto& row : t.rows) {
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (c) out.push_back(',');
      const Cell& x = row[c];
      switch (x.kind) {
        case Cell::Kind::kEmpty: break;
        case Cell::Kind::kText: fmt::format_to(std::back_inserter(out), "{}", CsvField(x.text)); break;
        case Cell::Kind::kInt: fmt::format_to(std::back_inserter(out), "{}", static_cast<long long>(x.number)); break;
        case Cell::Kind::kReal: fmt::format_to(std::back_inserter(out), "{}", Num(x.number)); break;
      }
    }
    out.push_back('\n');
  }
  return fmt::to_string(out);
}

//! The table as an XLSX workbook of one sheet (libxlsxwriter), header row bold. libxlsxwriter
//! 1.1 writes only to a file, so the workbook goes through a private temporary file.
Result<std::string> ToXlsx(const TableData& t, const std::string& sheet) {
  namespace fs = std::filesystem;
  std::string path = (fs::temp_directory_path() / "gpsi-xlsx-XXXXXX").string();
  int fd = mkstemp(path.data());
  if (fd < 0) return Error{Errc::kIo, "cannot make a temporary file for XLSX", path};
  close(fd);
  lxw_workbook_options options{};
  options.constant_memory = LXW_TRUE;  // rows are written in order: keep memory flat
  lxw_workbook* wb = workbook_new_opt(path.c_str(), &options);
  if (!wb) {
    fs::remove(path);
    return Error{Errc::kIo, "cannot start an XLSX workbook", path};
  }
  // A fixed creation time: the same data gives the same bytes (answers are cached by URL and ETag).
  lxw_doc_properties props{};
  props.title = const_cast<char*>("Global Public Security Index");
  props.created = 1767225600;  // 2026-01-01T00:00:00Z
  workbook_set_properties(wb, &props);
  lxw_worksheet* ws = workbook_add_worksheet(wb, sheet.c_str());
  lxw_format* bold = workbook_add_format(wb);
  format_set_bold(bold);
  for (std::size_t c = 0; c < t.header.size(); ++c) {
    worksheet_write_string(ws, 0, static_cast<lxw_col_t>(c), t.header[c].c_str(), bold);
  }
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    auto row = static_cast<lxw_row_t>(r + 1);
    for (std::size_t c = 0; c < t.rows[r].size(); ++c) {
      const Cell& x = t.rows[r][c];
      auto col = static_cast<lxw_col_t>(c);
      if (x.kind == Cell::Kind::kText && !x.text.empty()) {
        worksheet_write_string(ws, row, col, x.text.c_str(), nullptr);
      } else if (x.kind == Cell::Kind::kInt || x.kind == Cell::Kind::kReal) {
        worksheet_write_number(ws, row, col, x.number, nullptr);
      }
    }
  }
  lxw_error err = workbook_close(wb);
  std::string bytes;
  if (err == LXW_NO_ERROR) {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::error_code ec;
  fs::remove(path, ec);
  if (err != LXW_NO_ERROR || bytes.empty()) {
    return Error{Errc::kInternal, fmt::format("cannot write XLSX: {}", lxw_strerror(err)), path};
  }
  return bytes;
}

//! The `year` parameter: an integer year of the build, default the latest; nullopt (with the
//! error sent) otherwise.
std::optional<int> YearParam(const httplib::Request& req, httplib::Response& res, const std::set<int>& years) {
  int year = years.empty() ? 0 : *years.rbegin();
  if (!req.has_param("year")) return year;
  std::string s = req.get_param_value("year");
  int y = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), y);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) {
    SendError(res, Errc::kUsage, fmt::format("year must be an integer, not '{}'", s));
    return std::nullopt;
  }
  if (years.count(y) == 0) {
    SendError(res, Errc::kUsage, fmt::format("the build has no year {}", y));
    return std::nullopt;
  }
  return y;
}

const char* kXlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

}  // namespace

// ---- the published data -------------------------------------------------------------------------

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
  int k = interval_of.empty() ? -1 : interval_of[row * build.method.nodes.size() + node];
  const engine::RankStat* s = k < 0 ? nullptr : &pub.intervals[static_cast<std::size_t>(k)];
  j["p05"] = s ? NumOrNull(s->p05) : Json(nullptr);
  j["median"] = s ? NumOrNull(s->median) : Json(nullptr);
  j["p95"] = s ? NumOrNull(s->p95) : Json(nullptr);
}

void Server::Impl::Publish(engine::Published published) {
  build = std::move(published.build);
  pub = std::move(published);
  for (const auto& u : pub.units) units.emplace(u.code, u);
  const auto& b = build;
  const auto& m = b.method;
  const std::size_t nn = m.nodes.size(), nr = b.row_unit.size();
  scored = b.row_unit;
  std::sort(scored.begin(), scored.end());
  scored.erase(std::unique(scored.begin(), scored.end()), scored.end());
  if (b.has_years) years.insert(b.row_year.begin(), b.row_year.end());

  // A unit the store does not describe still carries the build's name.
  std::map<std::string, Unit> described;
  for (std::size_t r = 0; r < nr; ++r) {
    auto& u = described[b.row_unit[r]];
    if (!u.code.empty()) continue;
    auto it = units.find(b.row_unit[r]);
    if (it != units.end()) u = it->second;
    u.code = b.row_unit[r];
    if (u.name_en.empty()) u.name_en = b.row_name[r];
  }
  for (const auto& [code, u] : described) {
    unit_key.emplace(Upper(code), code);
    if (!u.iso3.empty()) unit_key.emplace(Upper(u.iso3), code);
  }

  // Rows by (unit, year); intervals by row × node.
  std::map<std::pair<std::string, int>, std::size_t> row_of;
  for (std::size_t r = 0; r < nr; ++r) row_of[{b.row_unit[r], b.row_year[r]}] = r;
  if (!pub.intervals.empty()) {
    interval_of.assign(nr * nn, -1);
    for (std::size_t k = 0; k < pub.intervals.size(); ++k) {
      const auto& s = pub.intervals[k];
      auto it = row_of.find({s.unit, s.year});
      int node = m.Find(s.code);
      if (it != row_of.end() && node >= 0)
        interval_of[it->second * nn + static_cast<std::size_t>(node)] = static_cast<int>(k);
    }
  }

  // Stored values by (unit, code, year); sources by (key, release).
  std::map<std::tuple<std::string, std::string, int>, std::pair<std::size_t, std::size_t>> values_at;
  for (std::size_t i = 0; i < pub.values.size(); ++i) {
    const auto& v = pub.values[i].value;
    auto [it, fresh] = values_at.try_emplace({v.unit, v.indicator, v.year}, i, i + 1);
    if (!fresh) it->second.second = i + 1;
  }
  std::map<std::pair<std::string, std::string>, const Source*> source_of;
  for (const auto& s : pub.sources) source_of[{s.source.key, s.source.release}] = &s.source;
  auto licence = [&](const ResolvedValue& v) {
    auto it = source_of.find({v.source_key, v.release});
    return it == source_of.end() ? std::string() : it->second->licence;
  };

  // Indicator columns of the build and the stored codes each reads (numerator codes, then the denominator).
  std::vector<std::size_t> ind_nodes;
  for (std::size_t i = 0; i < nn; ++i) {
    if (m.nodes[i].indicator) ind_nodes.push_back(i);
  }
  auto codes_read = [&](const method::Node& n) { return n.Codes(); };
  const std::size_t ni = ind_nodes.size();
  // The stored value an indicator's cell was read from, as the build recorded it (the series, code
  // and data year that won; a carried value's original cell); none for a value the build made
  // (a window, a GTI-style score, a fill).
  auto chosen_of = [&](std::size_t row, std::size_t col) -> const ResolvedValue* {
    const engine::CellOrigin& o = b.origin[row * ni + col];
    if (!o.stored) return nullptr;  // made by the build (window, GTI score, fill): no one record
    auto it = values_at.find({b.row_unit[row], o.code, o.year});
    return it == values_at.end() ? nullptr : &pub.values[it->second.first].value;
  };
  auto origin_json = [&](std::size_t row, std::size_t col) -> Json {
    const engine::CellOrigin& o = b.origin[row * ni + col];
    if (o.series < 0) return Json(nullptr);
    return Json{{"series", o.series}, {"code", o.code},      {"source", o.source},
                {"how", o.how},       {"data_year", o.year}, {"stored", o.stored}};
  };
  const std::size_t top = nn - 1;  // the index is the last node

  // ---- /api/v1/meta ----
  {
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
    for (const auto& [k, v] : pub.pipeline) pipe[k] = v;
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
                       {"weight", b.weights[i]},
                       {"indicator", n.indicator},
                       {"monitor", n.monitor},
                       {"direction", n.indicator ? Json(n.direction) : Json(nullptr)},
                       {"reads", n.indicator ? (n.gti           ? n.gti->reads
                                                : n.sum.empty() ? n.reads
                                                                : n.sum)
                                             : std::vector<std::string>{}},
                       {"sum", !n.sum.empty()},
                       {"fallback", FallbackJson(n)},
                       {"denominator", n.denominator},
                       {"source_note", n.source_note},
                       {"children", kids}});
    }
    j["nodes"] = nodes;
    Json dims = Json::array();
    for (int c : m.Children(static_cast<int>(top))) dims.push_back(m.nodes[static_cast<std::size_t>(c)].code);
    j["dimensions"] = dims;
    const auto& el = m.eligibility;
    j["eligibility"] = el.active() ? Json{{"population", el.population},
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
    for (const auto& [code, u] : described) {
      if (!u.region_code.empty()) regions.emplace(u.region_code, u.region_name);
    }
    Json reg = Json::array();
    for (const auto& [code, name] : regions) reg.push_back({{"code", code}, {"name", name}});
    j["regions"] = reg;
    j["intervals"] =
        pub.interval_samples == 0
            ? Json(nullptr)
            : Json{{"samples", pub.interval_samples}, {"seed", pub.interval_seed}, {"level", pub.interval_level}};
    meta_body = j.dump() + "\n";
  }

  // ---- /api/v1/units/{ISO3} ----
  for (const auto& [code, u] : described) {
    Json j;
    j["run"] = b.run_id;
    j["unit"] = detail::UnitJson(u, true);
    std::vector<std::size_t> rows;  // the unit's rows, by year
    for (std::size_t r = 0; r < nr; ++r) {
      if (b.row_unit[r] == code) rows.push_back(r);
    }
    Json series = Json::array();
    for (auto r : rows) {
      Json scores = Json::object();
      for (std::size_t i = 0; i < nn; ++i) {
        Json s{
            {"value", NumOrNull(b.scores(r, i))}, {"rank", RankOrNull(b.ranks[i][r])}, {"flags", b.flags[r * nn + i]}};
        AddInterval(s, r, i);
        scores[m.nodes[i].code] = std::move(s);
      }
      series.push_back({{"year", b.has_years ? Json(b.row_year[r]) : Json(nullptr)},
                        {"excluded", static_cast<bool>(b.excluded[r])},
                        {"ranked", b.status[r].ranked},
                        {"not_ranked_reason", b.status[r].reason},
                        {"scores", std::move(scores)}});
    }
    j["series"] = std::move(series);
    Json inds = Json::array();
    for (std::size_t col = 0; col < ind_nodes.size(); ++col) {
      std::size_t i = ind_nodes[col];
      const auto& n = m.nodes[i];
      Json vals = Json::array();
      for (auto r : rows) {
        Json sources = Json::array();
        for (const auto& c : codes_read(n)) {
          auto it = values_at.find({code, c, b.row_year[r]});
          if (it == values_at.end()) continue;
          for (std::size_t k = it->second.first; k < it->second.second; ++k) {
            const auto& v = pub.values[k].value;
            sources.push_back({{"indicator", v.indicator},
                               {"value", v.value},
                               {"source", v.source_key},
                               {"publisher", v.publisher},
                               {"release", v.release},
                               {"tier", v.tier},
                               {"licence", licence(v)},
                               {"flags", v.flags},
                               {"file_sha256", v.file_sha256},
                               {"line", v.line},
                               {"chosen", pub.values[k].chosen}});
          }
        }
        vals.push_back({{"year", b.has_years ? Json(b.row_year[r]) : Json(nullptr)},
                        {"raw", NumOrNull(engine::DisplayValue(b, r, col))},
                        {"imputed", b.flags[r * nn + i].find('i') != std::string::npos},
                        {"score", NumOrNull(b.scores(r, i))},
                        {"origin", origin_json(r, col)},
                        {"sources", std::move(sources)}});
      }
      inds.push_back({{"code", n.code},
                      {"name_en", n.name_en},
                      {"name_zh", n.name_zh},
                      {"parent", n.parent},
                      {"direction", n.direction},
                      {"monitor", n.monitor},
                      {"values", std::move(vals)}});
    }
    j["indicators"] = std::move(inds);
    profile_body[code] = j.dump() + "\n";
  }

  // ---- /api/v1/download/{table} ----
  std::map<std::string, TableData> tables;
  {
    TableData& t = tables["scores"];  // = scores.csv of gpsi build
    t.header = {"year", "unit", "code", "level", "value", "rank", "flags"};
    for (std::size_t r = 0; r < nr; ++r) {
      for (std::size_t i = 0; i < nn; ++i) {
        t.rows.push_back({b.has_years ? Cell::Int(b.row_year[r]) : Cell{}, Cell::Text(b.row_unit[r]),
                          Cell::Text(m.nodes[i].code), Cell::Int(m.nodes[i].level), Cell::Real(b.scores(r, i)),
                          Cell::Positive(b.ranks[i][r]), Cell::Text(b.flags[r * nn + i])});
      }
    }
  }
  {
    TableData& t = tables["indicators"];
    t.header = {"year", "unit", "code", "raw", "imputed", "score", "source", "release", "tier", "licence"};
    for (std::size_t r = 0; r < nr; ++r) {
      for (std::size_t col = 0; col < ind_nodes.size(); ++col) {
        const auto& n = m.nodes[ind_nodes[col]];
        const ResolvedValue* v = chosen_of(r, col);
        bool imputed = b.flags[r * nn + ind_nodes[col]].find('i') != std::string::npos;
        t.rows.push_back({b.has_years ? Cell::Int(b.row_year[r]) : Cell{}, Cell::Text(b.row_unit[r]),
                          Cell::Text(n.code), Cell::Real(engine::DisplayValue(b, r, col)), Cell::Int(imputed ? 1 : 0),
                          Cell::Real(b.scores(r, ind_nodes[col])), v ? Cell::Text(v->source_key) : Cell{},
                          v ? Cell::Text(v->release) : Cell{}, v ? Cell::Int(v->tier) : Cell{},
                          v ? Cell::Text(licence(*v)) : Cell{}});
      }
    }
  }
  {
    TableData& t = tables["intervals"];  // = rank_stats.csv of gpsi uncertainty, without the mean
    t.header = {"year", "unit", "code", "nominal", "median", "p05", "p95"};
    for (const auto& s : pub.intervals) {
      t.rows.push_back({b.has_years ? Cell::Int(s.year) : Cell{}, Cell::Text(s.unit), Cell::Text(s.code),
                        Cell::Positive(s.nominal), Cell::Real(s.median), Cell::Real(s.p05), Cell::Real(s.p95)});
    }
  }
  {
    TableData& t = tables["units"];
    t.header = {"code", "name_en", "name_zh", "iso3", "m49", "region_code", "region", "subregion_code", "subregion"};
    for (const auto& [code, u] : described) {
      t.rows.push_back({Cell::Text(u.code), Cell::Text(u.name_en), Cell::Text(u.name_zh), Cell::Text(u.iso3),
                        Cell::Text(u.m49), Cell::Text(u.region_code), Cell::Text(u.region_name),
                        Cell::Text(u.subregion_code), Cell::Text(u.subregion_name)});
    }
  }
  {
    TableData& t = tables["sources"];
    t.header = {"key", "publisher", "tier", "licence", "url", "release", "retrieved"};
    for (const auto& s : pub.sources) {
      const Source& x = s.source;
      t.rows.push_back({Cell::Text(x.key), Cell::Text(x.publisher), Cell::Int(x.tier), Cell::Text(x.licence),
                        Cell::Text(x.url), Cell::Text(x.release), Cell::Text(x.retrieved)});
    }
  }
  {
    TableData& t = tables["weights"];
    t.header = {"node", "parent", "level", "weight"};
    for (std::size_t i = 0; i < nn; ++i) {
      t.rows.push_back({Cell::Text(m.nodes[i].code), Cell::Text(m.nodes[i].parent), Cell::Int(m.nodes[i].level),
                        Cell::Real(b.weights[i])});
    }
  }
  for (const auto& [name, t] : tables) {
    Table& d = downloads[name];
    d.csv = ToCsv(t);
    auto x = ToXlsx(t, name);
    if (!x) throw Failure(x.error());
    d.xlsx = std::move(*x);
  }
}

// ---- endpoints ----------------------------------------------------------------------------------

void Server::Impl::Meta(const httplib::Request& req, httplib::Response& res) const {
  if (!CheckParams(req, res, {})) return;
  res.set_content(meta_body, "application/json");
}

void Server::Impl::Profile(const httplib::Request& req, httplib::Response& res) const {
  if (!CheckParams(req, res, {})) return;
  std::string id = req.matches.size() > 1 ? std::string(req.matches[1]) : std::string();
  auto k = unit_key.find(Upper(id));
  if (k == unit_key.end()) return SendError(res, Errc::kNotFound, fmt::format("no unit '{}' in the build", id));
  res.set_content(profile_body.at(k->second), "application/json");
}

void Server::Impl::Compare(const httplib::Request& req, httplib::Response& res) const {
  if (!CheckParams(req, res, {"units", "year", "format"})) return;
  auto csv = WantCsv(req, res);
  if (!csv) return;
  auto year = YearParam(req, res, years);
  if (!year) return;
  if (!req.has_param("units")) return SendError(res, Errc::kUsage, "give units=ISO3,… (1 to 5 units)");
  std::vector<std::string> codes;
  {
    std::string list = req.get_param_value("units");
    std::stringstream ss(list);
    std::string item;
    while (std::getline(ss, item, ',')) {
      auto k = unit_key.find(Upper(item));
      if (k == unit_key.end()) return SendError(res, Errc::kUsage, fmt::format("no unit '{}' in the build", item));
      if (std::find(codes.begin(), codes.end(), k->second) != codes.end()) {
        return SendError(res, Errc::kUsage, fmt::format("unit '{}' is given more than once", item));
      }
      codes.push_back(k->second);
    }
    if (!list.empty() && list.back() == ',') return SendError(res, Errc::kUsage, "units ends with an empty item");
    if (codes.empty() || codes.size() > 5) {
      return SendError(res, Errc::kUsage, fmt::format("give 1 to 5 units, not {}", codes.size()));
    }
  }
  const auto& b = build;
  const auto& m = b.method;
  const std::size_t top = m.nodes.size() - 1;
  std::vector<std::size_t> nodes{top};
  for (int c : m.Children(static_cast<int>(top))) nodes.push_back(static_cast<std::size_t>(c));
  Json node_codes = Json::array();
  for (auto i : nodes) node_codes.push_back(m.nodes[i].code);
  std::string text = "year,unit,code,value,rank,p05,median,p95\n";
  Json out_units = Json::array();
  for (const auto& code : codes) {
    const Unit* u = nullptr;
    if (auto it = units.find(code); it != units.end()) u = &it->second;
    Json scores = Json::object(), series = Json::array();
    std::string name_en;
    for (std::size_t r = 0; r < b.row_unit.size(); ++r) {
      if (b.row_unit[r] != code) continue;
      name_en = b.row_name[r];
      series.push_back({{"year", b.has_years ? Json(b.row_year[r]) : Json(nullptr)},
                        {"value", NumOrNull(b.scores(r, top))},
                        {"rank", RankOrNull(b.ranks[top][r])}});
      if (b.row_year[r] != *year) continue;
      for (auto i : nodes) {
        Json s{{"value", NumOrNull(b.scores(r, i))}, {"rank", RankOrNull(b.ranks[i][r])}};
        AddInterval(s, r, i);
        auto num = [&](const char* k) { return s[k].is_null() ? std::string() : FormatNumber(s[k].get<double>()); };
        text += fmt::format("{},{},{},{},{},{},{},{}\n", b.has_years ? std::to_string(*year) : std::string(), code,
                            m.nodes[i].code, Num(b.scores(r, i)),
                            b.ranks[i][r] > 0 ? std::to_string(b.ranks[i][r]) : std::string(), num("p05"),
                            num("median"), num("p95"));
        scores[m.nodes[i].code] = std::move(s);
      }
    }
    out_units.push_back({{"code", code},
                         {"name_en", u && !u->name_en.empty() ? u->name_en : name_en},
                         {"name_zh", u ? u->name_zh : std::string()},
                         {"scores", std::move(scores)},
                         {"series", std::move(series)}});
  }
  if (*csv) return res.set_content(text, "text/csv; charset=utf-8");
  Json j{{"run", b.run_id}, {"year", *year}, {"nodes", node_codes}, {"units", out_units}};
  res.set_content(j.dump() + "\n", "application/json");
}

void Server::Impl::Download(const httplib::Request& req, httplib::Response& res) const {
  if (!CheckParams(req, res, {"format"})) return;
  std::string table = req.matches.size() > 1 ? std::string(req.matches[1]) : std::string();
  std::string format = req.has_param("format") ? req.get_param_value("format") : "csv";
  if (format != "csv" && format != "xlsx") {
    return SendError(res, Errc::kUsage, fmt::format("format must be csv or xlsx, not '{}'", format));
  }
  auto it = downloads.find(table);
  if (it == downloads.end()) {
    std::string names;
    for (const auto& [name, t] : downloads) names += (names.empty() ? "" : ", ") + name;
    return SendError(res, Errc::kNotFound, fmt::format("no table '{}' (tables: {})", table, names));
  }
  res.set_header("Content-Disposition", fmt::format("attachment; filename=\"gpsi-{}.{}\"", table, format));
  if (format == "csv") return res.set_content(it->second.csv, "text/csv; charset=utf-8");
  res.set_content(it->second.xlsx, kXlsxType);
}

}  // namespace gpsi::server
