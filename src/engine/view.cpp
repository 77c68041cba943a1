// The front ends' view of a build (engine::BuildResult: MethodInfo, Panel, ScoreTable) and the
// tables written from it, the same bytes for the CLI's files, the API and Python.
#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "detail/built.hpp"
#include "engine.hpp"

namespace gpsi::engine {
namespace {

//! The [pipeline] table of the canonical method text as (key, value) strings: the values as the
//! method file spells them (`locf:4`, `goalposts:100`), numbers in their shortest form.
std::vector<std::pair<std::string, std::string>> PipelineStrings(const method::Method& m) {
  std::vector<std::pair<std::string, std::string>> out;
  toml::table root;
  try {
    root = toml::parse(m.canonical);
  } catch (const toml::parse_error&) {
    return out;  // a canonical text always parses; nothing to publish if it did not
  }
  const toml::table* pipe = root["pipeline"].as_table();
  if (!pipe) return out;
  for (const auto& [k, v] : *pipe) {
    std::string text;
    if (auto s = v.value<std::string>()) {
      text = *s;
    } else if (v.is_integer()) {
      text = std::to_string(*v.value<std::int64_t>());
    } else if (auto d = v.value<double>()) {
      text = FormatNumber(*d);
    } else if (auto b = v.value<bool>()) {
      text = *b ? "true" : "false";
    } else {
      continue;  // the canonical [pipeline] holds only strings, numbers and booleans
    }
    out.emplace_back(std::string(k.str()), text);
  }
  std::sort(out.begin(), out.end());
  return out;
}

FrameworkNode NodeInfo(const method::Method& m, std::size_t i, double weight) {
  const method::Node& n = m.nodes[i];
  FrameworkNode f;
  f.code = n.code, f.name_en = n.name_en, f.name_zh = n.name_zh, f.parent = n.parent;
  f.level = n.level, f.indicator = n.indicator, f.monitor = n.monitor, f.direction = n.direction;
  f.weight = weight;
  if (n.indicator) {
    f.reads = n.gti ? n.gti->reads : n.sum.empty() ? n.reads : n.sum;
    f.codes = n.Codes();
  }
  f.sum = !n.sum.empty();
  for (const auto& s : n.fallback) {
    f.fallback.push_back({s.sum.empty() ? s.reads : s.sum, !s.sum.empty(), s.denominator, s.adjust, s.note});
  }
  f.denominator = n.denominator, f.source_note = n.source_note;
  for (int c : m.Children(static_cast<int>(i))) f.children.push_back(static_cast<std::size_t>(c));
  return f;
}

MethodInfo InfoOf(const method::Method& m, const std::vector<double>& weights) {
  MethodInfo info;
  info.id = m.id, info.version = m.version, info.hash = m.hash;
  info.name_en = m.name_en, info.name_zh = m.name_zh, info.coverage_rule = m.coverage_rule;
  for (std::size_t i = 0; i < m.nodes.size(); ++i) {
    info.nodes.push_back(NodeInfo(m, i, weights[i]));
    if (m.nodes[i].indicator) info.indicators.push_back(i);
  }
  info.pipeline = PipelineStrings(m);
  const auto& e = m.eligibility;
  info.eligibility = {e.active(), e.population, e.min_population, e.max_missing_dimensions};
  return info;
}

Panel PanelOf(detail::Built& b, const MethodInfo& info) {
  std::vector<UnitYear> rows;
  for (std::size_t r = 0; r < b.row_unit.size(); ++r) rows.push_back({b.row_unit[r], b.row_name[r], b.row_year[r]});
  std::vector<std::string> codes;
  for (auto i : info.indicators) codes.push_back(info.nodes[i].code);
  Panel p(std::move(rows), std::move(codes), b.has_years);
  const std::pair<Stage, const compute::Matrix*> stages[] = {{Stage::kRaw, &b.raw},
                                                             {Stage::kDenominated, &b.denominated},
                                                             {Stage::kImputed, &b.imputed},
                                                             {Stage::kTreated, &b.treated},
                                                             {Stage::kNormalised, &b.normalised}};
  for (std::size_t r = 0; r < p.rows(); ++r) {
    for (std::size_t c = 0; c < p.cols(); ++c) {
      for (const auto& [stage, x] : stages) p.value(stage, r, c) = (*x)(r, c);
      p.origin(r, c) = std::move(b.origin[r * p.cols() + c]);
    }
  }
  return p;
}

ScoreTable ScoresOf(const detail::Built& b, const MethodInfo& info) {
  std::vector<std::string> codes;
  for (const auto& n : info.nodes) codes.push_back(n.code);
  ScoreTable t(b.row_unit.size(), std::move(codes));
  for (std::size_t r = 0; r < t.rows(); ++r) {
    for (std::size_t c = 0; c < t.cols(); ++c)
      t.at(r, c) = Score{b.scores(r, c), b.ranks[c][r], b.flags[r * t.cols() + c]};
  }
  return t;
}

using Cell = TableCell;

//! A row's year as the tables write it: empty for single-period data.
Cell YearCell(const Panel& p, int year) {
  return p.has_years() ? Cell::Int(year) : Cell{};
}

//! A count (a population) in full digits where it is whole, else as a real number.
Cell Count(double v) {
  if (!IsNa(v) && v == std::floor(v) && std::fabs(v) < 1e15) return Cell::Int(static_cast<long long>(v));
  return Cell::Real(v);
}

std::string EligibilityValue(const MethodInfo::Eligibility& e, const std::string& key) {
  if (!e.active) return "";
  if (key == "population") return e.population;
  if (key == "min_population") {  // in full (1000000), as a method file would write it
    const double v = e.min_population;
    return v == std::floor(v) && std::fabs(v) < 1e15 ? fmt::format("{:.0f}", v) : FormatNumber(v);
  }
  return e.max_missing_dimensions < 0 ? "" : std::to_string(e.max_missing_dimensions);
}

//! The changes of one node kept in both versions.
void NodeChanges(const FrameworkNode& a, const FrameworkNode& b, std::vector<MethodChange>& out) {
  const auto weight = [](const FrameworkNode& n) { return n.monitor ? "monitor" : fmt::format("{:.3f}", n.weight); };
  const std::pair<const char*, std::pair<std::string, std::string>> fields[] = {
      {"weight", {weight(a), weight(b)}},
      {"parent", {a.parent, b.parent}},
      {"direction", {a.indicator ? std::to_string(a.direction) : "", b.indicator ? std::to_string(b.direction) : ""}},
      {"reads", {ReadsText(a), ReadsText(b)}}};
  for (const auto& [what, values] : fields) {
    if (values.first != values.second) out.push_back({what, b.code, values.first, values.second});
  }
}

}  // namespace

std::string ReadsText(const FrameworkNode& n) {
  std::string out;
  for (const auto& r : n.reads) out += (out.empty() ? "" : n.sum ? " + " : ", ") + r;
  if (!n.denominator.empty()) out += " / " + n.denominator;
  return out;
}

std::vector<MethodChange> MethodChanges(const MethodInfo& before, const MethodInfo& after) {
  std::vector<MethodChange> out;
  std::map<std::string, std::string> a(before.pipeline.begin(), before.pipeline.end()),
      b(after.pipeline.begin(), after.pipeline.end());
  std::set<std::string> keys;
  for (const auto& [k, v] : a) keys.insert(k);
  for (const auto& [k, v] : b) keys.insert(k);
  for (const auto& k : keys) {
    if (a[k] != b[k]) out.push_back({"pipeline", k, a[k], b[k]});
  }
  for (const char* k : {"population", "min_population", "max_missing_dimensions"}) {
    const std::string x = EligibilityValue(before.eligibility, k), y = EligibilityValue(after.eligibility, k);
    if (x != y) out.push_back({"eligibility", k, x, y});
  }
  const auto find = [](const MethodInfo& m, const std::string& code) -> const FrameworkNode* {
    for (const auto& n : m.nodes) {
      if (n.code == code) return &n;
    }
    return nullptr;
  };
  for (const auto& n : after.nodes) {
    if (!find(before, n.code)) out.push_back({"node-added", n.code, "", n.parent});
  }
  for (const auto& n : before.nodes) {
    if (!find(after, n.code)) out.push_back({"node-removed", n.code, n.parent, ""});
  }
  for (const auto& n : after.nodes) {
    if (const auto* old = find(before, n.code)) NodeChanges(*old, n, out);
  }
  return out;
}

namespace detail {

BuildResult View(Built b) {
  BuildResult v;
  v.method = InfoOf(b.method, b.weights);
  v.panel = PanelOf(b, v.method);
  b.origin.clear();  // moved into the panel
  v.scores = ScoresOf(b, v.method);
  v.status = b.status;
  v.log = b.log;
  v.data_hash = b.data_hash, v.run_id = b.run_id;
  v.imputed_cells = b.imputed_cells, v.treated_points = b.treated_points;
  v.compute_seconds = b.compute_seconds;
  v.built = std::make_shared<const Built>(std::move(b));
  return v;
}

}  // namespace detail

void ScoresTable(const BuildResult& b, TableSink& t) {
  t.Header({"year", "unit", "code", "level", "value", "rank", "flags"});
  const Panel& p = b.panel;
  const ScoreTable& sc = b.scores;
  for (std::size_t r = 0; r < sc.rows(); ++r) {
    for (std::size_t i = 0; i < sc.cols(); ++i) {
      const Score& s = sc.at(r, i);
      t.Add(YearCell(p, p.row(r).year), Cell::Ref(p.row(r).unit), Cell::Ref(b.method.nodes[i].code),
            Cell::Int(b.method.nodes[i].level), Cell::Real(s.value), Cell::Positive(s.rank), Cell::Ref(s.flags));
    }
  }
}

void StagesTable(const BuildResult& b, TableSink& t) {
  t.Header({"year", "unit", "code", "stage", "value"});
  const Panel& p = b.panel;
  // stages.csv leaves out the denominated stage (as COINr's data sets do).
  const Stage stages[] = {Stage::kRaw, Stage::kImputed, Stage::kTreated, Stage::kNormalised};
  for (std::size_t r = 0; r < p.rows(); ++r) {
    for (std::size_t j = 0; j < p.cols(); ++j) {
      for (Stage stage : stages) {
        const double v = p.value(stage, r, j);
        if (IsNa(v)) continue;
        t.Add(YearCell(p, p.row(r).year), Cell::Ref(p.row(r).unit), Cell::Ref(p.indicator(j)),
              Cell::Ref(ToString(stage)), Cell::Real(v));
      }
    }
  }
}

void ProvenanceTable(const BuildResult& b, TableSink& t) {
  t.Header(
      {"year", "unit", "code", "series", "read", "source", "how", "data_year", "file_sha256", "line", "imputed_by"});
  const Panel& p = b.panel;
  for (std::size_t r = 0; r < p.rows(); ++r) {
    for (std::size_t j = 0; j < p.cols(); ++j) {
      const CellOrigin& o = p.origin(r, j);
      if (o.how.empty()) continue;
      const bool read = o.series >= 0;  // an imputed value was read from no series
      t.Add(YearCell(p, p.row(r).year), Cell::Ref(p.row(r).unit), Cell::Ref(p.indicator(j)),
            read ? Cell::Int(o.series) : Cell{}, Cell::Ref(o.code), Cell::Ref(o.source), Cell::Ref(o.how),
            read ? YearCell(p, o.year) : Cell{}, Cell::Ref(o.file_sha256), Cell::Positive(o.line),
            Cell::Ref(o.imputed_by));
    }
  }
}

void RecordsTable(const BuildResult& b, TableSink& t) {
  t.Header({"year", "unit", "code", "read", "data_year", "source", "file_sha256", "line"});
  const Panel& p = b.panel;
  for (std::size_t r = 0; r < p.rows(); ++r) {
    for (std::size_t j = 0; j < p.cols(); ++j) {
      for (const CellRecord& rec : p.origin(r, j).records) {
        t.Add(YearCell(p, p.row(r).year), Cell::Ref(p.row(r).unit), Cell::Ref(p.indicator(j)), Cell::Ref(rec.code),
              Cell::Int(rec.year), Cell::Ref(rec.source), Cell::Ref(rec.file_sha256), Cell::Positive(rec.line));
      }
    }
  }
}

void EligibilityTable(const BuildResult& b, TableSink& t) {
  t.Header({"year", "unit", "population", "dimensions_missing", "data_share", "imputed_share", "fallback_cells",
            "ranked", "reason"});
  const Panel& p = b.panel;
  for (std::size_t r = 0; r < p.rows(); ++r) {
    const RowStatus& st = b.status[r];
    t.Add(YearCell(p, p.row(r).year), Cell::Ref(p.row(r).unit), Count(st.population), Cell::Int(st.dimensions_missing),
          Cell::Real(st.data_share), Cell::Real(st.imputed_share), Cell::Int(static_cast<long long>(st.fallback_cells)),
          Cell::Int(st.ranked ? 1 : 0), Cell::Ref(st.reason));
  }
}

void CoverageTable(const BuildResult& b, TableSink& t) {
  t.Header({"year", "units", "scored", "ranked", "not_ranked_population", "not_ranked_dimensions", "population_ranked",
            "population_all", "population_share", "mean_imputed_share"});
  auto count = [](std::size_t n) { return Cell::Int(static_cast<long long>(n)); };
  for (const auto& c : Coverage(b)) {
    t.Add(c.year == 0 ? Cell{} : Cell::Int(c.year), count(c.units), count(c.scored), count(c.ranked),
          count(c.below_population), count(c.missing_dimensions), Cell::Real(c.population_ranked),
          Cell::Real(c.population_all),
          c.population_all > 0 ? Cell::Real(c.population_ranked / c.population_all) : Cell{},
          Cell::Real(c.mean_imputed_share));
  }
}

double DisplayValue(const BuildResult& b, std::size_t row, std::size_t col) {
  const method::Node& n = b.built->method.nodes[b.method.indicators[col]];
  const bool imputed = b.scores.flags(row, b.method.indicators[col]).find('i') != std::string::npos;
  if (!imputed && n.denominator.empty()) return b.panel.value(Stage::kRaw, row, col);
  const double v = b.panel.value(Stage::kImputed, row, col);
  return n.log && !IsNa(v) ? std::expm1(v) : v;
}

std::vector<YearCoverage> Coverage(const BuildResult& b) {
  std::map<int, YearCoverage> by_year;
  for (std::size_t r = 0; r < b.panel.rows(); ++r) {
    const int year = b.panel.row(r).year;
    YearCoverage& c = by_year[year];
    c.year = year;
    const RowStatus& st = b.status[r];
    ++c.units;
    const double pop = IsNa(st.population) ? 0.0 : st.population;
    c.population_all += pop;
    if (st.excluded) continue;
    ++c.scored;
    if (st.ranked) {
      ++c.ranked;
      c.population_ranked += pop;
      c.mean_imputed_share += st.imputed_share;
    } else if (st.why == RowStatus::Reason::kPopulation) {
      ++c.below_population;
    } else if (st.why == RowStatus::Reason::kDimensions) {
      ++c.missing_dimensions;
    }
  }
  std::vector<YearCoverage> out;
  for (auto& [y, c] : by_year) {
    if (c.ranked > 0) c.mean_imputed_share /= static_cast<double>(c.ranked);
    out.push_back(c);
  }
  return out;
}

std::string CsvOf(void (*table)(const BuildResult&, TableSink&), const BuildResult& b) {
  CsvWriter w;
  table(b, w);
  return w.text();
}

}  // namespace gpsi::engine
