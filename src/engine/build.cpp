// `gpsi build`: the panel (from the store or COINr's tables) through the compute kernels to
// scores, ranks and the files of ARCHITECTURE.md (scores.csv, stages.csv, run.json, build.log).
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <set>
#include <unordered_map>

#include "detail/built.hpp"
#include "detail/convert.hpp"
#include "detail/guard.hpp"
#include "detail/montecarlo.hpp"
#include "detail/output.hpp"
#include "detail/tail.hpp"
#include "engine.hpp"

namespace gpsi::engine {
namespace {

namespace fs = std::filesystem;
using compute::IsNa;
using compute::kNa;
using compute::Matrix;
using detail::ImputeOf;
using detail::NormOf;
using detail::ReplaceFolder;
using detail::RowName;
using detail::WriteFile;

//! The panel as read, before any method step.
struct Input {
  std::vector<std::string> unit, name;
  std::vector<int> year;
  bool has_years = false;
  Matrix raw;  //!< rows × indicators
  Matrix den;  //!< rows × indicators: the denominator of each indicator's cell (NaN when none)
  //! rows × indicators: a windowed indicator's value of the row's own year, before its window
  //! (NaN elsewhere; empty for COINr data). Forecasts read counts from it (engine/forecast.cpp).
  Matrix annual;
  std::vector<int> group;  //!< per row: id of the unit's group for group imputation, −1 = none
  std::vector<std::string> group_names;
  std::vector<bool> lead_in;       //!< per row: a year before pipeline.years, read only for locf to carry from
  std::vector<double> population;  //!< per row: eligibility.population (NaN when none)
  std::vector<CellOrigin> origin;  //!< rows × indicators (row-major)
  std::vector<FallbackOverlap> overlap;
  std::string data_hash;
  //! Store reads: the text data_hash digests, and where each row's lines start in it, so that a
  //! panel read with a longer lead-in gives the hash of the rows a shorter one keeps (PanelFor).
  std::string hashed;
  std::vector<std::size_t> hashed_from;
  std::vector<std::string> log;
};

Matrix SelectRows(const Matrix& x, const std::vector<std::size_t>& rows) {
  Matrix out(rows.size(), x.cols());
  for (std::size_t c = 0; c < x.cols(); ++c) {
    for (std::size_t k = 0; k < rows.size(); ++k) out(k, c) = x(rows[k], c);
  }
  return out;
}

template <class T>
std::vector<T> SelectRows(const std::vector<T>& v, const std::vector<std::size_t>& rows) {
  std::vector<T> out;
  out.reserve(rows.size());
  for (auto r : rows) out.push_back(v[r]);
  return out;
}

std::vector<int> IndicatorNodes(const method::Method& m) {
  std::vector<int> out;
  for (std::size_t i = 0; i < m.nodes.size(); ++i) {
    if (m.nodes[i].indicator) out.push_back(static_cast<int>(i));
  }
  return out;
}

int GroupId(std::vector<std::string>& names, const std::string& value) {
  if (value.empty()) return -1;
  auto it = std::find(names.begin(), names.end(), value);
  if (it != names.end()) return static_cast<int>(it - names.begin());
  names.push_back(value);
  return static_cast<int>(names.size()) - 1;
}

//! Sorts rows by (year, unit) — COINr orders units by uCode — and permutes every per-row vector.
std::vector<std::size_t> RowOrder(const std::vector<int>& year, const std::vector<std::string>& unit) {
  std::vector<std::size_t> order(unit.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return year[a] != year[b] ? year[a] < year[b] : unit[a] < unit[b];
  });
  return order;
}

// ---- COINr tables -----------------------------------------------------------------------------

//! `label` names the data in each cell's origin (provenance.csv).
Result<Input> ReadCoinr(const TextTable& data, const method::Method& m, const std::string& label) {
  Input in;
  int ucode = data.Column("uCode");
  if (ucode < 0) return Error{Errc::kMissingColumn, "iData has no column \"uCode\"", data.path, 1, 1};
  int uname = data.Column("uName"), time = data.Column("Time");
  in.has_years = time >= 0;
  auto inds = IndicatorNodes(m);
  std::vector<int> vcol, dcol;
  for (int i : inds) {
    const auto& n = m.nodes[static_cast<std::size_t>(i)];
    if (n.gti) {
      return Error{Errc::kBadMethod, fmt::format("indicator {}: a gti score is derived from stored event counts, so it "
                                                 "needs a store build (--method), not COINr tables",
                                                 n.code)};
    }
    if (!n.sum.empty() || !n.fallback.empty()) {
      return Error{Errc::kBadMethod, fmt::format("indicator {}: sum and fallback series read stored codes, so they "
                                                 "need a store build (--method), not COINr tables",
                                                 n.code)};
    }
    int c = data.Column(n.reads.front());
    if (c < 0)
      return Error{Errc::kMissingColumn, fmt::format("iData has no column for indicator \"{}\"", n.code), data.path, 1,
                   1};
    vcol.push_back(c);
    int d = -1;
    if (!n.denominator.empty()) {
      d = data.Column(n.denominator);
      if (d < 0) {
        return Error{Errc::kMissingColumn,
                     fmt::format("iData has no denominator column \"{}\" (named by {})", n.denominator, n.code),
                     data.path, 1, 1};
      }
    }
    dcol.push_back(d);
  }
  int gcol = -1;
  if (m.pipeline.impute == method::Impute::kGroupMean || m.pipeline.impute == method::Impute::kGroupMedian) {
    gcol = data.Column(m.pipeline.impute_group);
    if (gcol < 0) {
      return Error{Errc::kBadMethod,
                   fmt::format("pipeline.impute: iData has no group column \"{}\"", m.pipeline.impute_group), data.path,
                   1, 1};
    }
  }
  std::size_t n = data.rows.size();
  std::vector<std::string> unit(n), name(n), gval(n);
  std::vector<int> year(n, 0);
  std::set<std::pair<int, std::string>> seen;
  for (std::size_t r = 0; r < n; ++r) {
    const auto& row = data.rows[r];
    unit[r] = row[static_cast<std::size_t>(ucode)];
    if (unit[r].empty()) return Error{Errc::kBadHeader, "row has no uCode", data.path, data.lines[r], ucode + 1};
    name[r] = uname >= 0 ? row[static_cast<std::size_t>(uname)] : unit[r];
    if (time >= 0) {
      auto y = ParseNumber(row[static_cast<std::size_t>(time)]);
      if (!y || *y != static_cast<int>(*y)) {
        return Error{Errc::kBadHeader, fmt::format("Time \"{}\" is not a year", row[static_cast<std::size_t>(time)]),
                     data.path, data.lines[r], time + 1};
      }
      year[r] = static_cast<int>(*y);
    }
    if (!seen.emplace(year[r], unit[r]).second) {
      return Error{Errc::kBadHeader, fmt::format("unit {} appears twice for the same time", unit[r]), data.path,
                   data.lines[r], ucode + 1};
    }
    if (gcol >= 0) gval[r] = row[static_cast<std::size_t>(gcol)];
  }
  auto order = RowOrder(year, unit);
  in.raw = Matrix(n, inds.size());
  in.den = Matrix(n, inds.size());
  in.annual = Matrix(n, inds.size());
  in.group.assign(n, -1);
  Sha256 hash;
  auto cell = [&](std::size_t r, int c, double& out) -> Status {
    const std::string& text = data.rows[r][static_cast<std::size_t>(c)];
    if (text.empty() || text == "NA") return Ok();
    auto v = ParseNumber(text);
    if (!v) {
      return Error{Errc::kBadHeader,
                   fmt::format("\"{}\" in column {} is not a number", text, data.header[static_cast<std::size_t>(c)]),
                   data.path, data.lines[r], c + 1};
    }
    out = *v;
    return Ok();
  };
  for (std::size_t k = 0; k < n; ++k) {
    std::size_t r = order[k];
    in.unit.push_back(unit[r]);
    in.name.push_back(name[r]);
    in.year.push_back(year[r]);
    if (gcol >= 0) in.group[k] = GroupId(in.group_names, gval[r]);
    for (std::size_t j = 0; j < inds.size(); ++j) {
      if (auto st = cell(r, vcol[j], in.raw(k, j)); !st) return st.error();
      if (dcol[j] >= 0) {
        if (auto st = cell(r, dcol[j], in.den(k, j)); !st) return st.error();
      }
      hash.Update(fmt::format("{},{},{},{},{}\n", unit[r], year[r], m.nodes[static_cast<std::size_t>(inds[j])].code,
                              CsvNumber(in.raw(k, j)), CsvNumber(in.den(k, j))));
    }
  }
  in.lead_in.assign(n, false);
  in.population.assign(n, kNa);
  in.origin.resize(n * inds.size());
  for (std::size_t k = 0; k < n; ++k) {
    for (std::size_t j = 0; j < inds.size(); ++j) {
      if (IsNa(in.raw(k, j))) continue;
      const auto& node = m.nodes[static_cast<std::size_t>(inds[j])];
      in.origin[k * inds.size() + j] = CellOrigin{0, node.reads.front(), label, "coinr", in.year[k]};
    }
  }
  in.data_hash = hash.HexDigest();
  in.log.push_back(fmt::format("input: COINr tables, {} units × {} indicators", n, inds.size()));
  return in;
}

// ---- the store --------------------------------------------------------------------------------

std::string GroupOf(const Unit& u, const std::string& grouping,
                    const std::map<std::pair<std::string, std::string>, std::string>& groups) {
  if (grouping == "m49_region") return u.region_code;
  if (grouping == "m49_subregion") return u.subregion_code;
  if (grouping == "m49_intermediate") return u.intermediate_code.empty() ? u.subregion_code : u.intermediate_code;
  auto it = groups.find({u.code, grouping});
  return it == groups.end() ? std::string() : it->second;
}

//! The GTI-style score of `node` for every (year, unit) row, years outer (the panel's row order):
//! annual impacts from the component codes, the weighted window, then the logarithmic banding
//! over the rows (one block, or one per year). A unit-year without a record counts 0 when some
//! component's source covers that year (the event sets are censuses: no record, no attack); a year
//! no component covers is unknown, and a window with an unknown year gives no score (the IEP
//! drops incomplete windows). `value(code, unit, year)` is the stored value or NaN.
template <class Value>
std::vector<double> GtiColumn(const method::Node& node, const std::vector<int>& years, const std::vector<Unit>& units,
                              const std::vector<std::set<int>>& years_of,
                              const std::unordered_map<std::string_view, std::uint64_t>& code_index, Value value,
                              std::vector<std::string>& log) {
  const method::Gti& g = *node.gti;
  std::vector<std::uint64_t> codes;
  for (const auto& c : g.reads) codes.push_back(code_index.at(c));
  std::vector<double> s(years.size() * units.size(), kNa);
  std::vector<int> block(s.size(), 0);
  std::vector<double> counts(codes.size()), annual(g.lag_weights.size());
  std::map<std::string, std::set<int>> zero_years;  // component code → covered years it had no record in
  std::size_t r = 0;
  for (int y : years) {
    for (std::size_t u = 0; u < units.size(); ++u, ++r) {
      for (std::size_t k = 0; k < annual.size(); ++k) {
        const int yy = y - static_cast<int>(k);
        bool covered = false;
        for (auto c : codes) covered = covered || years_of[c].count(yy) > 0;
        if (!covered) {
          annual[k] = kNa;
          continue;
        }
        for (std::size_t c = 0; c < codes.size(); ++c) {
          double x = value(g.reads[c], u, yy);
          if (IsNa(x) && !years_of[codes[c]].count(yy)) zero_years[g.reads[c]].insert(yy);
          counts[c] = IsNa(x) ? 0.0 : x;
        }
        annual[k] = compute::TerrorAnnual(counts, g.weights);
      }
      s[r] = compute::TerrorWeighted(annual, g.lag_weights, g.lag_divisor);
      block[r] = g.banding == method::Gti::Banding::kByYear ? y : 0;
    }
  }
  for (const auto& [code, ys] : zero_years) {
    log.push_back(
        fmt::format("gti: {}: {} has no record in {} of the windows' years ({}–{}) while another component "
                    "has: counted as 0 there",
                    node.code, code, ys.size(), *ys.begin(), *ys.rbegin()));
  }
  if (g.banding == method::Gti::Banding::kNone) return s;
  // Name the unit-year that sets each block's maximum, for the build log.
  std::map<int, std::size_t> top_row;
  for (std::size_t q = 0; q < s.size(); ++q) {
    if (IsNa(s[q])) continue;
    auto [it, fresh] = top_row.emplace(block[q], q);
    if (!fresh && s[q] > s[it->second]) it->second = q;
  }
  const double fixed = g.banding == method::Gti::Banding::kFixed ? g.band_max : 0;
  for (const auto& [b, q] : top_row) {
    log.push_back(fmt::format("gti: {}: {}: score {}·ln(1 + s)/ln(1 + max){}, max = {}; highest s = {} ({} {})",
                              node.code, b == 0 ? "all years" : std::to_string(b), FormatNumber(g.top),
                              g.step > 0 ? fmt::format(" in steps of {}", FormatNumber(g.step)) : std::string(),
                              fixed > 0 ? FormatNumber(fixed) + " (fixed)" : FormatNumber(s[q]), FormatNumber(s[q]),
                              units[q % units.size()].code, years[q / units.size()]));
  }
  compute::TerrorBandColumn(s, block, g.top, g.step, fixed);
  return s;
}

//! The panel's reading of the store: resolved cells keyed by (code, unit, year) with the source
//! that won each, and the years in which each code has any record.
class StoreCells {
 public:
  StoreCells(Store& store, const std::vector<std::string>& codes, const std::vector<Unit>& units, int from, int to)
      : codes_(codes) {
    for (std::size_t c = 0; c < codes_.size(); ++c) code_index_.emplace(codes_[c], c);
    for (std::size_t u = 0; u < units.size(); ++u) unit_index_.emplace(units[u].code, u);
    years_of_.resize(codes_.size());
    CellFilter f;
    f.indicators = codes_;
    f.year_from = from;
    f.year_to = to;
    store.ResolvedValues(f, [&](const CellValue& v) {
      auto ci = code_index_.find(v.indicator);
      if (ci == code_index_.end()) return;
      years_of_[ci->second].insert(v.year);
      auto ui = unit_index_.find(v.unit);
      if (ui == unit_index_.end()) return;
      auto si = source_index_.find(v.source);
      if (si == source_index_.end()) {
        sources_.emplace_back(v.source);
        si = source_index_.emplace(sources_.back(), static_cast<std::uint32_t>(sources_.size() - 1)).first;
      }
      auto fi = file_index_.find(v.file);
      if (fi == file_index_.end()) {
        files_.emplace_back(v.file);
        fi = file_index_.emplace(files_.back(), static_cast<std::uint32_t>(files_.size() - 1)).first;
      }
      cells_.emplace(Key(ci->second, ui->second, v.year), Cell{v.value, si->second, fi->second, v.line});
    });
  }
  //! Where a stored value was read: its winning source ("key@release"), file (sha256) and line.
  struct Record {
    std::string_view source, file;
    std::int64_t line = 0;
  };
  //! The stored value, or NaN; `record` (when given) receives where it was read.
  double Get(const std::string& code, std::size_t unit, int year, Record* record = nullptr) const {
    auto it = cells_.find(Key(code_index_.at(code), unit, year));
    if (it == cells_.end()) return kNa;
    if (record) *record = Record{sources_[it->second.source], files_[it->second.file], it->second.line};
    return it->second.value;
  }
  //! Years in which `code` has a record for any unit (the years its sources cover).
  const std::set<int>& YearsOf(const std::string& code) const { return years_of_[code_index_.at(code)]; }
  const std::vector<std::set<int>>& years_of() const { return years_of_; }
  const std::unordered_map<std::string_view, std::uint64_t>& code_index() const { return code_index_; }

 private:
  static std::uint64_t Key(std::uint64_t code, std::uint64_t unit, int year) {
    return (code << 40) | (unit << 16) | static_cast<std::uint64_t>(year + 30000);
  }
  struct Cell {
    double value;
    std::uint32_t source, file;  //!< indices into sources_ and files_
    std::int64_t line;
  };
  std::vector<std::string> codes_;
  std::unordered_map<std::string_view, std::uint64_t> code_index_, unit_index_;
  std::unordered_map<std::uint64_t, Cell> cells_;
  std::deque<std::string> sources_, files_;  // a deque: the indices' string_views stay valid
  std::unordered_map<std::string_view, std::uint32_t> source_index_, file_index_;
  std::vector<std::set<int>> years_of_;
};

//! One series of an indicator as the reader walks its chain: the indicator's own reads (or sum),
//! or one of its fallbacks converted to the indicator's raw scale.
struct SeriesRef {
  const std::vector<std::string>* reads;
  const std::vector<std::string>* sum;
  const std::string* denominator;  // fallbacks only: the indicator's own is applied by the pipeline
  double factor = 1;
};

std::vector<SeriesRef> Chain(const method::Node& n, const method::Pipeline& p) {
  static const std::string kNone;
  std::vector<SeriesRef> out{{&n.reads, &n.sum, &kNone, 1}};
  if (!p.fallback) return out;
  for (const auto& f : n.fallback) {
    out.push_back({&f.reads, &f.sum, &f.denominator, f.scale * (p.level_adjust ? f.adjust : 1.0)});
  }
  return out;
}

//! A stored record as a cell's provenance names it.
CellRecord RecordOf(const std::string& code, int year, const StoreCells::Record& r) {
  return CellRecord{code, year, std::string(r.source), std::string(r.file), r.line};
}

//! The value of one series for (unit, year), or NaN; fills `o` (code, source, how, year, records).
double SeriesValue(const StoreCells& cells, const SeriesRef& s, std::size_t unit, int year, CellOrigin& o) {
  StoreCells::Record rec;
  double v = kNa;
  if (!s.sum->empty()) {
    v = 0;
    for (const auto& c : *s.sum) {
      StoreCells::Record one;
      double x = cells.Get(c, unit, year, &one);
      if (IsNa(x)) return kNa;  // a sum needs every term
      v += x;
      if (rec.source.empty()) rec = one, o.code = c;
      o.records.push_back(RecordOf(c, year, one));
    }
    o.how = "sum";
  } else {
    for (const auto& c : *s.reads) {
      v = cells.Get(c, unit, year, &rec);
      if (!IsNa(v)) {
        o.code = c;
        o.records = {RecordOf(c, year, rec)};
        break;
      }
    }
    o.how = "observed";
  }
  if (IsNa(v)) return kNa;
  if (!s.denominator->empty()) {
    double d = cells.Get(*s.denominator, unit, year);
    if (IsNa(d) || d == 0) return kNa;
    v = v / d;
  }
  o.source = std::string(rec.source);
  o.file_sha256 = std::string(rec.file);
  o.line = rec.line;
  o.year = year;
  o.stored = true;
  return v * s.factor;
}

//! The raw value of a (non-GTI) indicator for one unit-year: the first series of its chain with a
//! value, then `fill` where a code of its own reads covers the year; NaN when none applies.
double ChainValue(const StoreCells& cells, const method::Node& n, const std::vector<SeriesRef>& chain, std::size_t unit,
                  int year, CellOrigin& o) {
  for (std::size_t k = 0; k < chain.size(); ++k) {
    CellOrigin here;
    double v = SeriesValue(cells, chain[k], unit, year, here);
    if (!IsNa(v)) {
      here.series = static_cast<int>(k);
      o = std::move(here);
      return v;
    }
  }
  if (n.fill) {
    for (const auto& c : n.sum.empty() ? n.reads : n.sum) {
      if (cells.YearsOf(c).count(year)) {
        o = CellOrigin{0, c, "fill", "fill", year};
        return *n.fill;
      }
    }
  }
  return kNa;
}

//! For each fallback series of each indicator, the unit-years where the indicator's own series
//! also has a value, both on the indicator's raw scale, the fallback without its level factor.
std::vector<FallbackOverlap> FallbackOverlaps(const StoreCells& cells, const method::Method& m,
                                              const std::vector<int>& inds, const std::vector<Unit>& units,
                                              const std::set<int>& lead_years, const std::set<int>& years) {
  std::vector<FallbackOverlap> out;
  for (int i : inds) {
    const auto& n = m.nodes[static_cast<std::size_t>(i)];
    if (n.gti) continue;
    static const std::string kNone;
    const SeriesRef own{&n.reads, &n.sum, &kNone, 1};
    for (std::size_t k = 0; k < n.fallback.size(); ++k) {
      const auto& f = n.fallback[k];
      const SeriesRef fb{&f.reads, &f.sum, &f.denominator, f.scale};
      FallbackOverlap o{n.code, static_cast<int>(k) + 1, f.note, f.adjust, {}, {}, {}, {}};
      for (const std::set<int>* ys : {&lead_years, &years}) {
        for (int y : *ys) {
          for (std::size_t u = 0; u < units.size(); ++u) {
            CellOrigin ignored;
            const double a = SeriesValue(cells, own, u, y, ignored);
            if (IsNa(a)) continue;
            const double b = SeriesValue(cells, fb, u, y, ignored);
            if (IsNa(b)) continue;
            o.unit.push_back(units[u].code), o.year.push_back(y), o.primary.push_back(a), o.fallback.push_back(b);
          }
        }
      }
      out.push_back(std::move(o));
    }
  }
  return out;
}

//! The provenance of a GTI-style score: every component's record in every year of its window.
CellOrigin GtiOrigin(const StoreCells& cells, const method::Gti& g, std::size_t unit, int year) {
  CellOrigin o{0, g.reads.front(), "gti", "gti", year};
  for (std::size_t k = 0; k < g.lag_weights.size(); ++k) {
    const int y = year - static_cast<int>(k);
    for (const auto& c : g.reads) {
      StoreCells::Record rec;
      if (!IsNa(cells.Get(c, unit, y, &rec))) o.records.push_back(RecordOf(c, y, rec));
    }
  }
  return o;
}

constexpr std::string_view kLeadInLog = "input: lead-in years ";
std::string LeadInLog(int first, int last, int year_from) {
  return fmt::format("{}{}–{} read so that locf may carry their values into {}", kLeadInLog, first, last, year_from);
}

//! Years an imputation may reach back before pipeline.years: the longest carry of locf.
int LeadInYears(const method::Method& m) {
  if (m.pipeline.impute != method::Impute::kLocf) return 0;
  int lead = m.pipeline.locf_years;
  for (const auto& n : m.nodes) lead = std::max(lead, n.carry);
  return lead;
}

Result<Input> ReadStore(Store& store, const method::Method& m) {
  Input in;
  in.has_years = true;
  auto inds = IndicatorNodes(m);
  const auto& p = m.pipeline;
  std::set<std::string> codes, value_codes;  // value_codes: not denominators only
  std::size_t max_lag = 0;
  for (int i : inds) {
    const auto& n = m.nodes[static_cast<std::size_t>(i)];
    for (const auto& c : n.Codes()) codes.insert(c);
    for (const auto& c : n.gti ? n.gti->reads : n.sum.empty() ? n.reads : n.sum) value_codes.insert(c);
    if (p.fallback) {
      for (const auto& f : n.fallback) {
        for (const auto& c : f.sum.empty() ? f.reads : f.sum) value_codes.insert(c);
      }
    }
    max_lag = std::max(max_lag, n.lag_weights.empty() ? 0 : n.lag_weights.size() - 1);
    if (n.gti) max_lag = std::max(max_lag, n.gti->lag_weights.size() - 1);
  }
  if (!m.eligibility.population.empty()) codes.insert(m.eligibility.population);
  std::set<std::string> known;
  for (const auto& ind : store.Indicators()) known.insert(ind.code);
  for (const auto& c : codes) {
    if (!known.count(c)) in.log.push_back(fmt::format("warning: indicator {} has no data in the store", c));
  }
  // Units scored: countries (or countries and territories with units = "all").
  std::vector<Unit> units;
  for (auto& u : store.Units()) {
    if (u.kind == UnitKind::kCountry || (m.unit_kind == "all" && u.kind == UnitKind::kTerritory)) units.push_back(u);
  }
  if (units.empty()) return Error{Errc::kNotFound, "the store has no countries: run gpsi init first"};
  std::map<std::pair<std::string, std::string>, std::string> groups;
  for (auto& [u, g, v] : store.UnitGroups()) groups[{u, g}] = v;

  const int lead = LeadInYears(m);
  const StoreCells cells(store, std::vector<std::string>(codes.begin(), codes.end()), units,
                         p.year_from - static_cast<int>(max_lag) - lead, p.year_to);
  // Years: those in range where any indicator (not a denominator only) has a record; before
  // pipeline.years, up to the longest carry, the lead-in years whose values locf may carry forward.
  std::set<int> years, lead_years;
  for (const auto& c : value_codes) {
    for (int y : cells.YearsOf(c)) {
      if (y >= p.year_from && y <= p.year_to) years.insert(y);
      if (y < p.year_from && y >= p.year_from - lead) lead_years.insert(y);
    }
  }
  if (years.empty()) return Error{Errc::kNotFound, "no data for any indicator of the method in the years asked for"};

  // GTI-style derived indicators, before the rows are written: the banding's maximum is taken
  // over the panel's years (or each year), not per unit, and never over the lead-in years.
  const std::vector<int> year_list(years.begin(), years.end());
  std::map<std::size_t, std::vector<double>> gti_values;  // by indicator position
  for (std::size_t j = 0; j < inds.size(); ++j) {
    const auto& node = m.nodes[static_cast<std::size_t>(inds[j])];
    if (!node.gti) continue;
    gti_values[j] = GtiColumn(
        node, year_list, units, cells.years_of(), cells.code_index(),
        [&](const std::string& c, std::size_t u, int yy) { return cells.Get(c, u, yy); }, in.log);
  }
  std::vector<std::vector<SeriesRef>> chains;
  for (int i : inds) chains.push_back(Chain(m.nodes[static_cast<std::size_t>(i)], p));

  in.overlap = FallbackOverlaps(cells, m, inds, units, lead_years, years);
  std::vector<int> all_years(lead_years.begin(), lead_years.end());
  all_years.insert(all_years.end(), years.begin(), years.end());
  const std::size_t n = all_years.size() * units.size();
  in.raw = Matrix(n, inds.size());
  in.den = Matrix(n, inds.size());
  in.annual = Matrix(n, inds.size());
  in.group.assign(n, -1);
  in.origin.assign(n * inds.size(), CellOrigin{});
  in.population.assign(n, kNa);
  fmt::memory_buffer line;
  std::size_t r = 0;
  for (int y : all_years) {
    const bool lead_row = y < p.year_from;
    const std::size_t main_row = lead_row ? 0 : (r - lead_years.size() * units.size());
    for (std::size_t ui = 0; ui < units.size(); ++ui) {  // Units() is ordered by code
      const Unit& u = units[ui];
      in.hashed_from.push_back(in.hashed.size());
      in.unit.push_back(u.code);
      in.name.push_back(u.name_en);
      in.year.push_back(y);
      in.lead_in.push_back(lead_row);
      if (!p.impute_group.empty()) in.group[r] = GroupId(in.group_names, GroupOf(u, p.impute_group, groups));
      if (!m.eligibility.population.empty()) in.population[r] = cells.Get(m.eligibility.population, ui, y);
      for (std::size_t j = 0; j < inds.size(); ++j) {
        const auto& node = m.nodes[static_cast<std::size_t>(inds[j])];
        CellOrigin& o = in.origin[r * inds.size() + j];
        double v = kNa;
        if (node.gti) {
          if (!lead_row) v = gti_values[j][main_row + ui];
          if (!IsNa(v)) o = GtiOrigin(cells, *node.gti, ui, y);
        } else if (node.lag_weights.empty()) {
          v = ChainValue(cells, node, chains[j], ui, y, o);
        } else {
          // Weighted average over the window; years without a value drop out and the rest rescale.
          // The cell's origin is the window's latest year with a value, series the highest used.
          double sw = 0, s = 0;
          int series = 0;
          for (std::size_t k = 0; k < node.lag_weights.size(); ++k) {
            CellOrigin yo;
            double x = ChainValue(cells, node, chains[j], ui, y - static_cast<int>(k), yo);
            if (IsNa(x)) continue;
            if (k == 0) in.annual(r, j) = x;
            if (sw == 0) o = yo, o.records.clear();
            o.records.insert(o.records.end(), yo.records.begin(), yo.records.end());
            series = std::max(series, yo.series);
            sw += node.lag_weights[k];
            s += node.lag_weights[k] * x;
          }
          if (sw > 0) v = s / sw, o.how = "window", o.series = series, o.stored = false;
        }
        in.raw(r, j) = v;
        StoreCells::Record den;
        if (!node.denominator.empty()) in.den(r, j) = cells.Get(node.denominator, ui, y, &den);
        if (!IsNa(v)) {
          line.clear();
          fmt::format_to(std::back_inserter(line), "{},{},{},{},{},{},{}", u.code, y, node.code, v, o.source,
                         in.den(r, j), den.source);
          // A value from a fallback also records which series gave it (the primary's line is as before).
          if (o.series > 0) fmt::format_to(std::back_inserter(line), ",series {}", o.series);
          line.push_back('\n');
          in.hashed.append(line.data(), line.size());
        }
      }
      ++r;
    }
  }
  in.data_hash = Sha256Hex(in.hashed);
  in.log.push_back(fmt::format("input: store, {} units × {} years ({}–{}) × {} indicators", units.size(), years.size(),
                               *years.begin(), *years.rbegin(), inds.size()));
  if (!lead_years.empty()) in.log.push_back(LeadInLog(*lead_years.begin(), *lead_years.rbegin(), p.year_from));
  return in;
}

//! The panel `wide` (read for a longer lead-in) as a store read for a method whose lead-in is
//! `lead` years before `year_from` would have given it: the earlier lead-in rows, which come first,
//! dropped, with their overlaps, hash lines and log line.
Input PanelFor(const Input& wide, int year_from, int lead) {
  std::size_t first = 0;
  while (first < wide.year.size() && wide.lead_in[first] && wide.year[first] < year_from - lead) ++first;
  if (first == 0) return wide;
  std::vector<std::size_t> keep(wide.year.size() - first);
  std::iota(keep.begin(), keep.end(), first);
  Input in;
  in.unit = SelectRows(wide.unit, keep), in.name = SelectRows(wide.name, keep), in.year = SelectRows(wide.year, keep);
  in.has_years = wide.has_years;
  in.raw = SelectRows(wide.raw, keep), in.den = SelectRows(wide.den, keep), in.annual = SelectRows(wide.annual, keep);
  in.group = SelectRows(wide.group, keep), in.group_names = wide.group_names;
  in.lead_in = SelectRows(wide.lead_in, keep), in.population = SelectRows(wide.population, keep);
  const std::size_t ni = wide.raw.cols();
  in.origin.assign(wide.origin.begin() + static_cast<std::ptrdiff_t>(first * ni), wide.origin.end());
  for (const FallbackOverlap& o : wide.overlap) {
    auto from = std::lower_bound(o.year.begin(), o.year.end(), year_from - lead) - o.year.begin();
    FallbackOverlap kept{o.indicator, o.series, o.note, o.adjust, {}, {}, {}, {}};
    kept.unit.assign(o.unit.begin() + from, o.unit.end()), kept.year.assign(o.year.begin() + from, o.year.end());
    kept.primary.assign(o.primary.begin() + from, o.primary.end());
    kept.fallback.assign(o.fallback.begin() + from, o.fallback.end());
    in.overlap.push_back(std::move(kept));
  }
  in.hashed = wide.hashed.substr(wide.hashed_from[first]);
  for (auto r : keep) in.hashed_from.push_back(wide.hashed_from[r] - wide.hashed_from[first]);
  in.data_hash = Sha256Hex(in.hashed);
  for (const auto& l : wide.log) {
    if (!l.starts_with(kLeadInLog)) in.log.push_back(l);
  }
  const bool any_lead = in.lead_in.front();
  if (any_lead) {
    int last = in.year.front();
    for (std::size_t r = 0; r < in.year.size() && in.lead_in[r]; ++r) last = in.year[r];
    in.log.push_back(LeadInLog(in.year.front(), last, year_from));
  }
  return in;
}

// ---- the pipeline -----------------------------------------------------------------------------

//! Each row's eligibility to be ranked (method [eligibility]): screened-out rows are not; the
//! others must reach the population threshold and have at most max_missing_dimensions children of
//! the index without a score. Also the shares reported in eligibility.csv.
std::vector<RowStatus> RowStatuses(const detail::Built& b, const std::vector<double>& population,
                                   const std::vector<int>& inds) {
  const auto& m = b.method;
  const std::size_t nr = b.row_unit.size(), nn = m.nodes.size(), ni = inds.size();
  const auto dims = m.Children(m.Top());
  std::vector<RowStatus> out(nr);
  for (std::size_t r = 0; r < nr; ++r) {
    RowStatus& st = out[r];
    st.population = population.empty() ? kNa : population[r];
    std::size_t scored = 0, with_value = 0, imputed = 0;
    for (std::size_t j = 0; j < ni; ++j) {
      const std::size_t node = static_cast<std::size_t>(inds[j]);
      if (m.nodes[node].monitor) continue;
      ++scored;
      if (IsNa(b.imputed(r, j))) continue;
      ++with_value;
      if (b.flags[r * nn + node].find('i') != std::string::npos) ++imputed;
      if (b.origin[r * ni + j].series > 0) ++st.fallback_cells;
    }
    st.data_share = scored ? static_cast<double>(with_value) / static_cast<double>(scored) : 0;
    st.imputed_share = with_value ? static_cast<double>(imputed) / static_cast<double>(with_value) : 0;
    for (int d : dims) st.dimensions_missing += IsNa(b.scores(r, static_cast<std::size_t>(d))) ? 1 : 0;
    st.excluded = b.excluded[r];
    detail::Decide(m, st);
  }
  return out;
}

Status RunPipeline(Input in, detail::Built& b) {
  const auto& m = b.method;
  const auto& p = m.pipeline;
  auto inds = IndicatorNodes(m);
  const std::size_t ni = inds.size();
  auto t0 = std::chrono::steady_clock::now();
  auto& log = b.log;
  log.insert(log.end(), in.log.begin(), in.log.end());

  // Denominate (x / denominator · scale), then the log transform.
  Matrix x = in.raw;
  for (std::size_t j = 0; j < ni; ++j) {
    const auto& n = m.nodes[static_cast<std::size_t>(inds[j])];
    if (p.denominate && !n.denominator.empty()) compute::Denominate(x.Col(j), in.den.Col(j), n.scale);
    if (n.log) {
      for (std::size_t r = 0; r < x.rows(); ++r) {
        double& v = x(r, j);
        if (IsNa(v)) continue;
        if (v <= -1) {
          return Error{Errc::kUncomputable, fmt::format("cannot take ln(1 + x) of {} = {} for {} {}", n.code,
                                                        FormatNumber(v), in.unit[r], in.year[r])};
        }
        v = std::log1p(v);
      }
      log.push_back(fmt::format("transform: {} log-transformed, ln(1 + x)", n.code));
    }
  }
  Matrix denominated = x;

  // The data share counts the scored indicators: a monitor (role = "monitor") stays outside the index.
  std::vector<std::size_t> all;
  for (std::size_t j = 0; j < ni; ++j) {
    if (!m.nodes[static_cast<std::size_t>(inds[j])].monitor) all.push_back(j);
  }
  std::vector<double> share_raw;
  if (p.screen_before_impute) share_raw = compute::DataShare(x, all);

  // Impute.
  compute::RowKeys keys;
  std::map<int, int> year_index;
  for (int y : in.year) year_index.emplace(y, 0);
  int k = 0;
  for (auto& [y, idx] : year_index) idx = k++;
  std::map<std::string, int> unit_index;
  for (const auto& u : in.unit) unit_index.emplace(u, static_cast<int>(unit_index.size()));
  for (std::size_t r = 0; r < in.unit.size(); ++r) {
    keys.period.push_back(year_index[in.year[r]]);
    keys.unit.push_back(unit_index[in.unit[r]]);
    keys.year.push_back(in.year[r]);
  }
  keys.group = in.group;
  std::vector<compute::ImputedCell> imputed_cells;
  if (p.impute != method::Impute::kNone) {
    compute::ImputeSpec spec{ImputeOf(p.impute), p.locf_years, {}};
    for (int i : inds) spec.locf_years_by_col.push_back(m.nodes[static_cast<std::size_t>(i)].carry);
    imputed_cells = compute::Impute(x, keys, spec);
    // A carried value keeps the provenance of the cell it was carried from; any other was made
    // by the imputation from other cells.
    const std::string made_by = method::ImputeText(p);
    for (const auto& c : imputed_cells) {
      CellOrigin o;
      if (c.from == compute::ImputedCell::kNoRow) {
        o.how = "imputed", o.imputed_by = made_by;
      } else {
        o = in.origin[c.from * ni + c.col];
        o.how = "carried";
      }
      in.origin[c.row * ni + c.col] = std::move(o);
    }
  }
  Matrix imputed = x;

  // Screen: a unit-year below the data share (or with no data at all) is excluded.
  std::vector<double> share = p.screen_before_impute ? share_raw : compute::DataShare(imputed, all);
  std::vector<bool> excluded(in.unit.size());
  std::map<int, int> kept_per_year;
  for (std::size_t r = 0; r < excluded.size(); ++r) {
    excluded[r] = detail::ScreenedOut(share[r], p);
    if (!excluded[r] && !in.lead_in[r]) ++kept_per_year[in.year[r]];
  }
  // Years with too few scored units are left out of the output altogether, and so are the lead-in
  // years, read only to be carried forward.
  std::vector<std::size_t> keep;
  std::set<int> dropped_years;
  for (std::size_t r = 0; r < excluded.size(); ++r) {
    if (in.lead_in[r]) continue;
    if (kept_per_year[in.year[r]] >= p.min_year_units) {
      keep.push_back(r);
    } else {
      dropped_years.insert(in.year[r]);
    }
  }
  for (int y : dropped_years) {
    log.push_back(fmt::format("screen: year {} skipped: {} units with enough data, fewer than pipeline.min_units = {}",
                              y, kept_per_year[y], p.min_year_units));
  }
  if (keep.empty()) return Error{Errc::kNotFound, "no year has enough units with enough data to be scored"};
  std::vector<std::size_t> new_index(in.unit.size(), SIZE_MAX);
  for (std::size_t q = 0; q < keep.size(); ++q) new_index[keep[q]] = q;
  b.has_years = in.has_years;
  b.row_unit = SelectRows(in.unit, keep);
  b.row_name = SelectRows(in.name, keep);
  b.row_year = SelectRows(in.year, keep);
  b.excluded = SelectRows(excluded, keep);
  b.fallback_overlap = std::move(in.overlap);
  b.raw = SelectRows(in.raw, keep);
  if (in.annual.cols() > 0) b.annual = SelectRows(in.annual, keep);
  b.origin.reserve(keep.size() * ni);
  for (auto r : keep) {
    for (std::size_t j = 0; j < ni; ++j) b.origin.push_back(std::move(in.origin[r * ni + j]));
  }
  std::vector<double> population = SelectRows(in.population, keep);
  b.denominated = SelectRows(denominated, keep);
  b.imputed = SelectRows(imputed, keep);
  const std::size_t nr = keep.size(), nn = m.nodes.size();
  b.flags.assign(nr * nn, std::string());
  auto flag = [&](std::size_t r, std::size_t node, char f) {
    std::string& s = b.flags[r * nn + node];
    if (s.find(f) == std::string::npos) s += f;
  };
  for (const auto& c : imputed_cells) {
    if (new_index[c.row] == SIZE_MAX) continue;
    std::size_t r = new_index[c.row];
    flag(r, static_cast<std::size_t>(inds[c.col]), 'i');
    b.imputed_cells++;
    std::string how = c.how;
    // The kernel knows groups by number; the log names them.
    if (how.rfind("group ", 0) == 0 && !in.group.empty() && in.group[c.row] >= 0) {
      std::size_t end = how.find(' ', 6);
      how = "group " + in.group_names[static_cast<std::size_t>(in.group[c.row])] +
            (end == std::string::npos ? std::string() : how.substr(end));
    }
    log.push_back(fmt::format("impute: {} {} ← {} ({})", RowName(b, r),
                              m.nodes[static_cast<std::size_t>(inds[c.col])].code, FormatNumber(c.value), how));
  }
  for (std::size_t r = 0; r < nr; ++r) {
    for (std::size_t j = 0; j < ni; ++j) {
      if (b.origin[r * ni + j].series > 0) flag(r, static_cast<std::size_t>(inds[j]), 'f');
    }
  }
  for (std::size_t r = 0; r < nr; ++r) {
    if (!b.excluded[r]) continue;
    for (std::size_t node = 0; node < nn; ++node) flag(r, node, 'x');
    log.push_back(
        fmt::format("screen: {} excluded, data share {:.3f} < {}", RowName(b, r), share[keep[r]], p.screen_share));
  }

  // Blocks over which treatment and normalisation are computed: the pooled panel or each year.
  std::vector<std::vector<std::size_t>> blocks;
  {
    std::map<int, std::vector<std::size_t>> by_year;
    std::vector<std::size_t> pooled;
    for (std::size_t r = 0; r < nr; ++r) {
      if (b.excluded[r]) continue;
      by_year[b.row_year[r]].push_back(r);
      pooled.push_back(r);
    }
    if (p.by_year) {
      for (auto& [y, rows] : by_year) blocks.push_back(std::move(rows));
    } else {
      blocks.push_back(std::move(pooled));
    }
  }
  b.treated = Matrix(nr, ni);
  b.normalised = Matrix(nr, ni);
  b.treat.assign(ni, compute::TreatReport{});
  std::vector<double> buf;
  compute::NormSpec norm = NormOf(p);
  for (const auto& rows : blocks) {
    std::string where = p.by_year && b.has_years ? fmt::format(" in {}", b.row_year[rows.front()]) : std::string();
    for (std::size_t j = 0; j < ni; ++j) {
      const auto& n = m.nodes[static_cast<std::size_t>(inds[j])];
      buf.resize(rows.size());
      for (std::size_t q = 0; q < rows.size(); ++q) buf[q] = b.imputed(rows[q], j);
      if (p.treat_winmax >= 0) {
        auto rep = compute::TreatJrc(buf, p.treat_winmax);
        for (auto& pt : rep.points) {
          std::size_t r = pt.row = rows[pt.row];  // block position → row of the build
          flag(r, static_cast<std::size_t>(inds[j]), 't');
          b.treated_points++;
          log.push_back(fmt::format("treat: {} {} winsorised ({}) {} → {}", RowName(b, r), n.code,
                                    pt.high ? "high" : "low", FormatNumber(pt.before), FormatNumber(pt.after)));
        }
        if (rep.log_applied) {
          for (auto r : rows) flag(r, static_cast<std::size_t>(inds[j]), 't');
          log.push_back(
              fmt::format("treat: {}{} still skewed after {} points (skew {:.4g}, kurtosis {:.4g}): "
                          "log-transformed instead, ln(x − min + 0.01·(max − min))",
                          n.code, where, rep.nwin, rep.after.skew, rep.after.kurt));
        }
        if (!p.by_year) b.treat[j] = std::move(rep);
      }
      for (std::size_t q = 0; q < rows.size(); ++q) b.treated(rows[q], j) = buf[q];
      std::optional<compute::Goalposts> gp;
      if (n.goal_lo && n.goal_hi) gp = compute::Goalposts{*n.goal_lo, *n.goal_hi};
      if (auto st = compute::Normalise(buf, n.direction, norm, gp); !st) {
        Error e = st.error();
        e.message = fmt::format("cannot normalise {}{}: {}", n.code, where, e.message);
        return e;
      }
      for (std::size_t q = 0; q < rows.size(); ++q) b.normalised(rows[q], j) = buf[q];
    }
  }

  // Weights and aggregation, level by level (nodes are ordered indicators first, then by level).
  b.scores = Matrix(nr, nn);
  for (std::size_t j = 0; j < ni; ++j) {
    auto src = b.normalised.Col(j);
    std::copy(src.begin(), src.end(), b.scores.Col(static_cast<std::size_t>(inds[j])).begin());
  }
  b.weights.assign(nn, 1.0);
  for (std::size_t i = 0; i < nn; ++i) {
    if (p.weights == method::Weights::kExplicit) b.weights[i] = m.nodes[i].weight;
    if (m.nodes[i].monitor) b.weights[i] = 0;  // reported as such in run.json; never aggregated
  }
  const compute::Tree tree = detail::TreeOf(m);
  for (std::size_t i = tree.indicators; i < nn; ++i) {
    const auto& cols = tree.children[i];
    if (p.weights == method::Weights::kPca) {
      auto w = compute::PcaWeights(b.scores, cols);
      if (!w) {
        Error e = w.error();
        e.message = fmt::format("PCA weights of the children of {}: {}", m.nodes[i].code, e.message);
        return e;
      }
      for (std::size_t q = 0; q < cols.size(); ++q) b.weights[cols[q]] = (*w)[q];
      log.push_back(fmt::format("weights: children of {} weighted by PCA loadings", m.nodes[i].code));
    }
    if (auto bad = compute::AggregateNode(tree, i, b.weights, tree.method[i], b.scores)) {
      return detail::AggregateError(m, *bad, RowName(b, bad->cell.row));
    }
    for (std::size_t r = 0; r < nr; ++r) {
      for (auto c : cols) {
        for (char f : b.flags[r * nn + c]) flag(r, i, f);
      }
    }
  }
  // Eligibility: scored rows that pass [eligibility] are ranked; the others keep their scores.
  b.status = RowStatuses(b, population, inds);
  const std::size_t top = static_cast<std::size_t>(m.Top());
  for (std::size_t r = 0; r < nr; ++r) {
    const RowStatus& st = b.status[r];
    if (st.ranked) {
      if (st.dimensions_missing > 0 && m.eligibility.max_missing_dimensions >= 0) flag(r, top, 'd');
      continue;
    }
    if (b.excluded[r]) continue;
    for (std::size_t node = 0; node < nn; ++node) flag(r, node, 'n');
    log.push_back(fmt::format("eligibility: {} not ranked: {}", RowName(b, r), st.reason));
  }
  // Ranks within each year, among the ranked rows.
  std::vector<std::size_t> every(nr);
  std::iota(every.begin(), every.end(), std::size_t{0});
  const auto rank_blocks = detail::RankBlocks(b, every);
  b.ranks.assign(nn, std::vector<int>(nr, 0));
  for (std::size_t i = 0; i < nn; ++i) compute::RankWithin(b.scores, i, rank_blocks, b.ranks[i]);
  b.compute_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return Ok();
}

std::string RunJson(const detail::Built& b, const std::string& source, const std::string& scores_sha,
                    const std::string& stages_sha) {
  const auto& m = b.method;
  nlohmann::ordered_json j;
  j["run_id"] = b.run_id;
  j["engine"] = {{"name", "gpsi"}, {"version", std::string(Version())}};
  j["method"] = {{"id", m.id},           {"name_en", m.name_en}, {"name_zh", m.name_zh},
                 {"version", m.version}, {"hash", m.hash},       {"text", m.canonical}};
  j["data"] = {{"source", source}, {"hash", b.data_hash}};
  std::set<int> years;
  std::size_t scored = 0;
  for (std::size_t r = 0; r < b.row_unit.size(); ++r) {
    if (b.has_years) years.insert(b.row_year[r]);
    if (!b.excluded[r]) ++scored;
  }
  j["years"] = years;
  std::size_t ranked = 0;
  for (const auto& st : b.status) ranked += st.ranked ? 1 : 0;
  j["rows"] = {{"unit_years", b.row_unit.size()}, {"scored", scored}, {"excluded", b.row_unit.size() - scored}};
  if (m.eligibility.active()) j["rows"]["ranked"] = ranked;
  j["counts"] = {{"indicators", IndicatorNodes(m).size()},
                 {"nodes", m.nodes.size()},
                 {"imputed_cells", b.imputed_cells},
                 {"treated_points", b.treated_points}};
  nlohmann::ordered_json w = nlohmann::ordered_json::object();
  for (std::size_t i = 0; i < m.nodes.size(); ++i) w[m.nodes[i].code] = b.weights[i];
  j["weights"] = w;
  j["outputs"] = {{"scores.csv", scores_sha}, {"stages.csv", stages_sha}};
  return j.dump(2) + "\n";
}

//! Stage 1 of a build: its method, the panel that method reads, and where it came from.
struct Read {
  Input in;
  std::string source;  //!< run.json's data source: store:PATH or coinr:PATH
  std::unique_ptr<Store> store;
};

//! The method of a build, with `extra` `key=value` sets after the config's own.
Result<method::Method> MethodOf(const BuildConfig& cfg, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> sets = cfg.sets;
  sets.insert(sets.end(), extra.begin(), extra.end());
  if (!cfg.coinr_data.empty() || !cfg.coinr_meta.empty()) {
    if (cfg.coinr_data.empty() || cfg.coinr_meta.empty()) {
      return Error{Errc::kUsage, "--coinr-data and --coinr-meta go together"};
    }
    if (!cfg.method_path.empty()) return Error{Errc::kUsage, "give --method or the COINr tables, not both"};
    auto meta = ReadTextTable(cfg.coinr_meta);
    if (!meta) return meta.error();
    return method::MethodFromCoinr(*meta, sets);
  }
  if (cfg.method_path.empty()) return Error{Errc::kUsage, "give --method FILE (or --coinr-data and --coinr-meta)"};
  return method::LoadMethod(cfg.method_path, sets);
}

//! Reads the panel method `m` needs: COINr's iData, or the store, opened read-only unless the
//! build is to record its run there (kWrite: a store it may not write is refused before any work).
Result<Read> ReadPanel(const BuildConfig& cfg, const method::Method& m, StoreAccess access = StoreAccess::kRead) {
  Read out;
  if (!cfg.coinr_data.empty()) {
    auto data = ReadTextTable(cfg.coinr_data);
    if (!data) return data.error();
    out.source = cfg.coinr_label.empty() ? "coinr:" + cfg.coinr_data : cfg.coinr_label;
    auto read = ReadCoinr(*data, m, out.source);
    if (!read) return read.error();
    out.in = std::move(*read);
    return out;
  }
  auto opened = OpenExisting(cfg.db_path, access);
  if (!opened) return opened.error();
  out.store = std::move(*opened);
  auto read = ReadStore(*out.store, m);
  if (!read) return read.error();
  out.in = std::move(*read);
  out.source = "store:" + cfg.db_path;
  return out;
}

//! Stage 2: denominate through rank over the panel; the run id hashes the method and the data.
Result<detail::Built> Compute(method::Method m, Input in) {
  detail::Built b;
  b.method = std::move(m);
  b.data_hash = in.data_hash;
  b.run_id = Sha256Hex(b.method.hash + "\n" + b.data_hash + "\n" + std::string(Version())).substr(0, 16);
  if (auto st = RunPipeline(std::move(in), b); !st) return st.error();
  return b;
}

//! Stage 3: the output files and the run recorded in the store, all or nothing: the files are
//! written to a staging folder, the run is recorded, then the folder takes --out's place
//! (ReplaceFolder), so a kill, a full disk or a store that refuses the run leaves the old outputs.
Status WriteOutputs(const BuildResult& b, const BuildConfig& cfg, const std::string& source, Store* store) {
  std::string scores = CsvOf(ScoresTable, b), stages = CsvOf(StagesTable, b), provenance = CsvOf(ProvenanceTable, b),
              records = CsvOf(RecordsTable, b), eligibility = CsvOf(EligibilityTable, b),
              coverage = CsvOf(CoverageTable, b);
  std::string scores_sha = Sha256Hex(scores), stages_sha = Sha256Hex(stages);
  std::string log;
  for (const auto& line : b.log) log += line + "\n";
  return ReplaceFolder(cfg.out_dir, [&](const fs::path& dir) -> Status {
    for (const auto& [name, text] : {std::pair<const char*, const std::string*>{"scores.csv", &scores},
                                     {"stages.csv", &stages},
                                     {"provenance.csv", &provenance},
                                     {"records.csv", &records},
                                     {"eligibility.csv", &eligibility},
                                     {"coverage.csv", &coverage},
                                     {"build.log", &log}}) {
      if (auto st = WriteFile(dir / name, *text); !st) return st.error();
    }
    if (auto st = WriteFile(dir / "run.json", RunJson(*b.built, source, scores_sha, stages_sha)); !st) {
      return st.error();
    }
    if (!store) return Ok();
    try {
      store->RecordRun(RunRecord{b.run_id, b.method.id, b.method.hash, b.data_hash, std::string(Version()), NowUtc(),
                                 fs::absolute(cfg.out_dir).lexically_normal().string(), scores_sha});
    } catch (const Failure& f) {
      return f.error();
    }
    return Ok();
  });
}

//! Stages 1 and 2: the build, with where its data came from (the store stays open to record the run).
struct Computed {
  detail::Built built;
  std::string source;
  std::unique_ptr<Store> store;
};

Result<Computed> ReadAndCompute(const BuildConfig& cfg, StoreAccess access = StoreAccess::kRead) {
  auto m = MethodOf(cfg);
  if (!m) return m.error();
  auto read = ReadPanel(cfg, *m, access);
  if (!read) return read.error();
  auto b = Compute(std::move(*m), std::move(read->in));
  if (!b) return b.error();
  return Computed{std::move(*b), std::move(read->source), std::move(read->store)};
}

}  // namespace

Result<BuildResult> Build(const BuildConfig& cfg) {
  return detail::Guarded([&]() -> Result<BuildResult> {
    // A build with outputs records its run in the store: it needs to write it.
    auto c = ReadAndCompute(cfg, cfg.out_dir.empty() ? StoreAccess::kRead : StoreAccess::kWrite);
    if (!c) return c.error();
    BuildResult view = detail::View(std::move(c->built));
    if (!cfg.out_dir.empty()) {
      if (auto st = WriteOutputs(view, cfg, c->source, c->store.get()); !st) return st.error();
    }
    return view;
  });
}

namespace detail {

Result<Built> BuildIndex(const BuildConfig& cfg) {
  return detail::Guarded([&]() -> Result<Built> {
    auto c = ReadAndCompute(cfg);
    if (!c) return c.error();
    return std::move(c->built);
  });
}

Result<std::vector<detail::Built>> BuildImputations(const BuildConfig& cfg, bool nominal) {
  return detail::Guarded([&]() -> Result<std::vector<detail::Built>> {
    auto own = MethodOf(cfg);
    if (!own) return own.error();
    std::vector<method::Method> methods;
    if (nominal) methods.push_back(*own);
    for (const auto& imp : own->uncertainty.impute) {
      auto m = MethodOf(cfg, {"pipeline.impute=" + imp});
      if (!m) return m.error();
      methods.push_back(std::move(*m));
    }
    // One read per grouping a group imputation needs (a panel carries one), made for the longest
    // lead-in of the variants that share it; each variant then keeps the rows it would have read.
    auto grouping = [](const method::Method& m) {
      const auto i = m.pipeline.impute;
      return i == method::Impute::kGroupMean || i == method::Impute::kGroupMedian ? m.pipeline.impute_group
                                                                                  : std::string();
    };
    std::map<std::string, const method::Method*> read_with;
    for (const auto& m : methods) {
      auto [it, added] = read_with.try_emplace(grouping(m), &m);
      if (!added && LeadInYears(m) > LeadInYears(*it->second)) it->second = &m;
    }
    std::map<std::string, Input> panels;
    for (const auto& [key, m] : read_with) {
      auto read = ReadPanel(cfg, *m);
      if (!read) return read.error();
      panels.emplace(key, std::move(read->in));
    }
    std::vector<detail::Built> out;
    for (auto& m : methods) {
      const Input& wide = panels.at(grouping(m));
      const int year_from = m.pipeline.year_from, lead = LeadInYears(m);
      auto b = Compute(std::move(m), PanelFor(wide, year_from, lead));
      if (!b) return b.error();
      out.push_back(std::move(*b));
    }
    return out;
  });
}

}  // namespace detail

std::vector<std::pair<std::string, std::string>> RunFields(const RunRecord& r) {
  return {{"run_id", r.id},           {"created", r.created},
          {"method", r.method_id},    {"method_hash", r.method_hash},
          {"data_hash", r.data_hash}, {"engine_version", r.engine_version},
          {"out", r.out_dir},         {"scores_sha256", r.scores_sha256}};
}

Result<std::vector<RunRecord>> Runs(const std::string& db_path) {
  return detail::Guarded([&]() -> Result<std::vector<RunRecord>> {
    auto opened = OpenExisting(db_path);
    if (!opened) return opened.error();
    return (*opened)->Runs();
  });
}

}  // namespace gpsi::engine
