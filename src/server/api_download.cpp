// GET /api/v1/download/{table} (docs/api.md): the published tables as CSV or XLSX, rendered
// once at startup.
#include <unistd.h>
#include <xlsxwriter.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include <fmt/format.h>

#include "detail/impl.hpp"

namespace gpsi::server {

using compute::IsNa;
using detail::CheckParams;
using detail::Json;
using detail::NumOrNull;
using detail::RankOrNull;
using detail::SendError;

namespace {

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
        case Cell::Kind::kReal: fmt::format_to(std::back_inserter(out), "{}", CsvNumber(x.number)); break;
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

const char* kXlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

}  // namespace

const ResolvedValue* Server::Impl::RecordOf(const detail::Lookups& look, std::size_t row, std::size_t col) const {
  const engine::CellOrigin& o = build.origin[row * look.ind_nodes.size() + col];
  if (!o.stored) return nullptr;  // made by the build (window, GTI score, fill): no one record
  auto it = look.values_at.find({build.row_unit[row], o.code, o.year});
  return it == look.values_at.end() ? nullptr : &pub.values[it->second.first].value;
}

void Server::Impl::PublishDownloads(const detail::Lookups& look) {
  const auto& b = build;
  const auto& m = b.method;
  const std::size_t nn = m.nodes.size(), nr = b.row_unit.size();
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
      for (std::size_t col = 0; col < look.ind_nodes.size(); ++col) {
        const auto& n = m.nodes[look.ind_nodes[col]];
        const ResolvedValue* v = RecordOf(look, r, col);
        bool imputed = b.flags[r * nn + look.ind_nodes[col]].find('i') != std::string::npos;
        t.rows.push_back({b.has_years ? Cell::Int(b.row_year[r]) : Cell{}, Cell::Text(b.row_unit[r]),
                          Cell::Text(n.code), Cell::Real(engine::DisplayValue(b, r, col)), Cell::Int(imputed ? 1 : 0),
                          Cell::Real(b.scores(r, look.ind_nodes[col])), v ? Cell::Text(v->source_key) : Cell{},
                          v ? Cell::Text(v->release) : Cell{}, v ? Cell::Int(v->tier) : Cell{},
                          v ? Cell::Text(Licence(look, *v)) : Cell{}});
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
    for (const auto& [code, u] : look.described) {
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
