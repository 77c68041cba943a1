// `gpsi validate`: the index against measures it does not read (docs/validation.md): rank
// agreement with external indices, known-group checks, the coherence of each dimension, rank
// shifts from the previous method version, coverage, and how each fallback series agrees with
// the series it stands in for. Writes CSV tables, summary.md and validation.json.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include "detail/built.hpp"
#include "detail/guard.hpp"
#include "detail/json.hpp"
#include "detail/output.hpp"
#include "engine.hpp"

namespace gpsi::engine {
namespace {

namespace fs = std::filesystem;
using compute::IsNa;
using compute::kNa;
using detail::JNum;
using detail::Json;

using UnitYear = std::pair<std::string, int>;

std::string Num(double v, int digits = 3) {
  return IsNa(v) ? std::string() : fmt::format("{:.{}f}", v, digits);
}

double Median(std::vector<double> v) {
  std::erase_if(v, [](double x) { return IsNa(x); });
  std::sort(v.begin(), v.end());
  return analysis::QuantileType7(v, 0.5);
}

// ---- the inputs: the build, the plan's values ---------------------------------------------------

//! The rows of one year that are ranked (the population the published ranking speaks for).
std::vector<std::size_t> RankedRows(const detail::Built& b, int year) {
  std::vector<std::size_t> rows;
  for (std::size_t r = 0; r < b.row_unit.size(); ++r) {
    if (b.row_year[r] == year && b.status[r].ranked) rows.push_back(r);
  }
  return rows;
}

std::set<int> Years(const detail::Built& b) {
  return {b.row_year.begin(), b.row_year.end()};
}

//! Values of a plan source by (unit, year): a stored series or a column of a validators file.
class Values {
 public:
  static Result<Values> Read(const method::ValueSource& s, Store& store, const std::string& dir) {
    Values v;
    if (!s.store.empty()) {
      CellFilter f;
      f.indicators = {s.store};
      store.ResolvedValues(f, [&](const CellValue& c) { v.at_[{std::string(c.unit), c.year}] = c.value; });
      if (v.at_.empty()) return Error{Errc::kNotFound, fmt::format("the store has no values of {}", s.store)};
      return v;
    }
    std::string path = (fs::path(dir) / s.file).string();
    auto t = ReadTextTable(path);
    if (!t) return t.error();
    int u = t->Column(s.unit), y = t->Column(s.year), x = t->Column(s.value);
    for (auto [col, name] : {std::pair{u, &s.unit}, {y, &s.year}, {x, &s.value}}) {
      if (col < 0) return Error{Errc::kMissingColumn, fmt::format("no column \"{}\"", *name), path, 1, 1};
    }
    for (std::size_t r = 0; r < t->rows.size(); ++r) {
      const auto& row = t->rows[r];
      auto year = ParseNumber(row[static_cast<std::size_t>(y)]);
      auto value = ParseNumber(row[static_cast<std::size_t>(x)]);
      if (!year || !value) continue;  // a measure not assessed that year
      v.at_[{row[static_cast<std::size_t>(u)], static_cast<int>(*year)}] = *value;
    }
    return v;
  }
  double Get(const std::string& unit, int year) const {
    auto it = at_.find({unit, year});
    return it == at_.end() ? kNa : it->second;
  }

 private:
  std::map<UnitYear, double> at_;
};

//! Whether (unit, year) belongs to a known group's side.
class Membership {
 public:
  static Result<Membership> Read(const method::ValueSource& s, Store& store, const std::string& dir) {
    Membership m;
    m.source_ = s;
    if (!s.group.empty()) {
      for (auto& [unit, grouping, value] : store.UnitGroups()) {
        if (grouping == s.group && std::find(s.values.begin(), s.values.end(), value) != s.values.end()) {
          m.units_.insert(unit);
        }
      }
      if (m.units_.empty()) return Error{Errc::kNotFound, fmt::format("no unit is in group {}", s.group)};
      return m;
    }
    auto v = Values::Read(s, store, dir);
    if (!v) return v.error();
    m.values_ = std::move(*v);
    return m;
  }
  bool Contains(const std::string& unit, int year) const {
    if (!source_.group.empty()) return units_.count(unit) > 0;
    double x = values_.Get(unit, year);
    return !IsNa(x) && (!source_.min || x >= *source_.min) && (!source_.max || x <= *source_.max);
  }

 private:
  method::ValueSource source_;
  std::set<std::string> units_;
  Values values_;
};

//! A plan series that the method reads would validate the index against itself.
Status RefuseInputs(const method::ValidationPlan& plan, const method::Method& m) {
  std::set<std::string> read;
  for (const auto& n : m.nodes) {
    if (!n.indicator || n.monitor) continue;
    for (const auto& c : n.Codes()) read.insert(c);
  }
  read.erase(m.eligibility.population);
  read.erase("population");  // a denominator, not a measured outcome
  for (const auto& x : plan.externals) {
    if (read.count(x.source.store)) {
      return Error{Errc::kBadMethod,
                   fmt::format("external {}: {} is an input of the method; an index is never validated against its "
                               "own inputs",
                               x.id, x.source.store),
                   plan.path};
    }
  }
  return Ok();
}

// ---- the checks ---------------------------------------------------------------------------------

std::vector<ExternalCheck> CheckExternals(const detail::Built& b, const method::ValidationPlan& plan, Store& store,
                                          const std::string& dir, const ValidateConfig& cfg, Status& st) {
  std::vector<ExternalCheck> out;
  const auto& m = b.method;
  for (const auto& x : plan.externals) {
    auto values = Values::Read(x.source, store, dir);
    if (!values) {
      st = values.error();
      return out;
    }
    std::vector<std::string> nodes = x.nodes.empty() ? std::vector<std::string>{m.nodes[m.Top()].code} : x.nodes;
    for (const auto& code : nodes) {
      int node = m.Find(code);
      if (node < 0) {
        st = Error{Errc::kBadMethod, fmt::format("external {}: {} is not a node of the method", x.id, code), plan.path};
        return out;
      }
      for (int y : Years(b)) {
        std::vector<double> score, ext;
        for (auto r : RankedRows(b, y)) {
          score.push_back(b.scores(r, static_cast<std::size_t>(node)));
          double e = values->Get(b.row_unit[r], y + x.year_lag);
          ext.push_back(IsNa(e) ? kNa : e * x.direction);
        }
        ExternalCheck c{x.id, x.name_en, x.name_zh, code, y, y + x.year_lag, {}};
        c.rho = analysis::SpearmanInterval(score, ext, cfg.bootstrap, cfg.seed);
        if (c.rho.n >= 10) out.push_back(std::move(c));
      }
    }
  }
  return out;
}

//! Index scores by row: the build's, or re-aggregated without some indicators (their weights 0).
Result<std::vector<double>> IndexScores(const BuildResult& b, const std::vector<std::string>& without) {
  const std::size_t top = b.method.top();
  std::vector<double> out(b.panel.rows());
  if (without.empty()) {
    for (std::size_t r = 0; r < out.size(); ++r) out[r] = b.scores.value(r, top);
    return out;
  }
  std::map<std::string, double> zero;
  for (const auto& c : without) zero[c] = 0;
  auto w = WhatIf(b, zero);
  if (!w) return w.error();
  for (std::size_t q = 0; q < w->rows.size(); ++q) out[w->rows[q]] = w->scores.value(q, top);
  return out;
}

std::vector<GroupCheck> CheckGroups(const BuildResult& view, const method::ValidationPlan& plan, Store& store,
                                    const std::string& dir, const ValidateConfig& cfg, Status& st) {
  const detail::Built& b = *view.built;
  std::vector<GroupCheck> out;
  for (const auto& g : plan.groups) {
    auto low = Membership::Read(g.low, store, dir);
    auto high = Membership::Read(g.high, store, dir);
    if (!low || !high) {
      st = low ? high.error() : low.error();
      return out;
    }
    // The index without the group's own inputs, those of them that this method has (a plan serves
    // the method versions it compares).
    std::vector<std::string> without;
    for (const auto& c : g.without) {
      if (b.method.Find(c) >= 0) without.push_back(c);
    }
    std::vector<std::vector<std::string>> variants{{}};
    if (!without.empty()) variants.push_back(without);
    for (const auto& without : variants) {
      auto scores = IndexScores(view, without);
      if (!scores) {
        st = scores.error();
        return out;
      }
      std::string variant = "index";
      for (const auto& c : without) variant += (variant == "index" ? " without " : ", ") + c;
      for (int y : Years(b)) {
        std::vector<double> lo, hi;
        for (auto r : RankedRows(b, y)) {
          if (low->Contains(b.row_unit[r], y)) lo.push_back((*scores)[r]);
          if (high->Contains(b.row_unit[r], y)) hi.push_back((*scores)[r]);
        }
        if (lo.size() < 3 || hi.size() < 3) continue;
        GroupCheck c{g.id, g.name_en, g.name_zh, variant, y, lo.size(), hi.size(), Median(lo), Median(hi), {}, false};
        c.auc = analysis::AucInterval(lo, hi, cfg.bootstrap, cfg.seed);
        c.holds = c.auc.lo > 0.5;
        out.push_back(std::move(c));
      }
    }
  }
  return out;
}

//! The scores of `cols` over `rows` as a matrix (rows × cols).
compute::Matrix Columns(const detail::Built& b, const std::vector<std::size_t>& rows,
                        const std::vector<std::size_t>& cols) {
  compute::Matrix x(rows.size(), cols.size());
  for (std::size_t c = 0; c < cols.size(); ++c) {
    for (std::size_t i = 0; i < rows.size(); ++i) x(i, c) = b.scores(rows[i], cols[c]);
  }
  return x;
}

DimensionCheck Coherence(const detail::Built& b, int node, const std::vector<std::size_t>& rows, int year) {
  const auto& m = b.method;
  // Children without any value in the year (a source that has not reached it yet) are left out.
  std::vector<std::size_t> cols;
  for (int k : m.Children(node)) {
    for (auto r : rows) {
      if (!IsNa(b.scores(r, static_cast<std::size_t>(k)))) {
        cols.push_back(static_cast<std::size_t>(k));
        break;
      }
    }
  }
  DimensionCheck d;
  d.code = m.nodes[static_cast<std::size_t>(node)].code;
  d.year = year;
  d.units = rows.size();
  for (auto c : cols) d.children.push_back(m.nodes[c].code);
  compute::Matrix x = Columns(b, rows, cols);
  std::vector<std::size_t> all(cols.size());
  for (std::size_t c = 0; c < all.size(); ++c) all[c] = c;
  d.alpha = analysis::CronbachAlpha(x, all);
  if (cols.size() >= 2) {
    if (auto pca = compute::PrincipalComponents(x, all)) {
      d.pc1_share = pca->variance_share.front();
      d.loadings = pca->loadings.front();
    }
  }
  std::vector<double> own, top;
  for (auto r : rows) {
    own.push_back(b.scores(r, static_cast<std::size_t>(node)));
    top.push_back(b.scores(r, static_cast<std::size_t>(m.Top())));
  }
  double r = analysis::Correlate(own, top, analysis::CorrMethod::kPearson).r;
  d.r2_index = IsNa(r) ? kNa : r * r;
  return d;
}

void CheckCoherence(const detail::Built& b, const method::ValidationPlan& plan, int year, ValidationResult& res) {
  const auto& m = b.method;
  const auto rows = RankedRows(b, year);
  for (std::size_t i = 0; i < m.nodes.size(); ++i) {
    if (m.nodes[i].indicator) continue;
    const int node = static_cast<int>(i);
    res.coherence.push_back(Coherence(b, node, rows, year));
    const auto kids = m.Children(node);
    for (std::size_t p = 0; p < kids.size(); ++p) {
      for (std::size_t q = p + 1; q < kids.size(); ++q) {
        std::vector<double> x, y;
        for (auto r : rows) {
          x.push_back(b.scores(r, static_cast<std::size_t>(kids[p])));
          y.push_back(b.scores(r, static_cast<std::size_t>(kids[q])));
        }
        auto c = analysis::Correlate(x, y, analysis::CorrMethod::kPearson);
        PairCorrelation pc{m.nodes[i].code, m.nodes[kids[p]].code, m.nodes[kids[q]].code, year, c.r, c.n, {}, {}};
        if (!IsNa(c.r) && c.r < 0) {
          if (const auto* e = plan.Explain(pc.a, pc.b)) {
            pc.explanation_en = e->text_en, pc.explanation_zh = e->text_zh;
          } else {
            ++res.unexplained;
          }
        }
        res.correlations.push_back(std::move(pc));
      }
    }
  }
}

//! Why a unit's rank moved: a change of eligibility, else the two dimensions whose weighted score
//! changed most.
std::string ShiftReason(const RankShift& s, const detail::Built& b, std::size_t row, const detail::Built& prev,
                        std::size_t prev_row, const std::vector<int>& dims) {
  if (s.rank == 0) return "not ranked: " + b.status[row].reason;
  if (s.rank_previous == 0) {
    return prev.excluded[prev_row] ? "newly ranked (screened out before)" : "newly ranked";
  }
  double total = 0;
  for (int d : dims) total += b.weights[static_cast<std::size_t>(d)];
  std::string gained, lost;  // dimensions scored in one version only
  std::vector<std::pair<double, std::size_t>> moves;
  for (std::size_t k = 0; k < dims.size(); ++k) {
    const std::size_t d = static_cast<std::size_t>(dims[k]);
    const int pd = prev.method.Find(b.method.nodes[d].code);
    const bool now = !IsNa(b.scores(row, d)),
               before = pd >= 0 && !IsNa(prev.scores(prev_row, static_cast<std::size_t>(pd)));
    if (now != before)
      (now ? gained : lost) += (now ? gained : lost).empty() ? b.method.nodes[d].code : ", " + b.method.nodes[d].code;
    double delta = s.dimension_change[k];
    if (IsNa(delta)) continue;
    moves.emplace_back(delta * b.weights[d] / total, k);
  }
  std::sort(moves.begin(), moves.end(), [](auto& a, auto& c) { return std::fabs(a.first) > std::fabs(c.first); });
  std::string out;
  for (std::size_t k = 0; k < std::min<std::size_t>(2, moves.size()); ++k) {
    const auto& code = b.method.nodes[static_cast<std::size_t>(dims[moves[k].second])].code;
    out += fmt::format("{}{} {:+.1f}", out.empty() ? "" : ", ", code, s.dimension_change[moves[k].second]);
  }
  if (!out.empty()) out = "dimension scores changed: " + out;
  if (!gained.empty()) out = "now scored: " + gained + (out.empty() ? "" : "; " + out);
  if (!lost.empty()) out = "no longer scored: " + lost + (out.empty() ? "" : "; " + out);
  return out;
}

std::vector<RankShift> RankShifts(const detail::Built& b, const detail::Built& prev) {
  const auto& m = b.method;
  const std::size_t top = static_cast<std::size_t>(m.Top()), ptop = static_cast<std::size_t>(prev.method.Top());
  const auto dims = m.Children(m.Top());
  std::map<UnitYear, std::size_t> prev_row;
  for (std::size_t r = 0; r < prev.row_unit.size(); ++r) prev_row[{prev.row_unit[r], prev.row_year[r]}] = r;
  std::vector<RankShift> out;
  for (std::size_t r = 0; r < b.row_unit.size(); ++r) {
    auto it = prev_row.find({b.row_unit[r], b.row_year[r]});
    if (it == prev_row.end()) continue;
    const std::size_t q = it->second;
    RankShift s;
    s.year = b.row_year[r], s.unit = b.row_unit[r], s.name = b.row_name[r];
    s.rank = b.ranks[top][r], s.rank_previous = prev.ranks[ptop][q];
    if (s.rank == 0 && s.rank_previous == 0) continue;
    s.score = b.scores(r, top), s.score_previous = prev.scores(q, ptop);
    for (int d : dims) {
      int pd = prev.method.Find(m.nodes[static_cast<std::size_t>(d)].code);
      s.dimension_change.push_back(
          pd < 0 ? kNa : b.scores(r, static_cast<std::size_t>(d)) - prev.scores(q, static_cast<std::size_t>(pd)));
    }
    s.reason = ShiftReason(s, b, r, prev, q, dims);
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<FallbackAgreement> Agreement(const detail::Built& b) {
  std::vector<FallbackAgreement> out;
  for (const auto& o : b.fallback_overlap) {
    FallbackAgreement a;
    a.indicator = o.indicator, a.note = o.note, a.series = o.series, a.adjust = o.adjust;
    a.cells = o.primary.size();
    a.units = std::set<std::string>(o.unit.begin(), o.unit.end()).size();
    std::vector<double> ratio, lp, lf;
    for (std::size_t i = 0; i < o.primary.size(); ++i) {
      if (o.primary[i] > 0 && o.fallback[i] > 0) {
        ratio.push_back(o.fallback[i] / o.primary[i]);
        lp.push_back(std::log(o.primary[i]));
        lf.push_back(std::log(o.fallback[i]));
      }
    }
    std::sort(ratio.begin(), ratio.end());
    a.median_ratio = analysis::QuantileType7(ratio, 0.5);
    a.q1 = analysis::QuantileType7(ratio, 0.25);
    a.q3 = analysis::QuantileType7(ratio, 0.75);
    a.spearman = analysis::Correlate(o.primary, o.fallback, analysis::CorrMethod::kSpearman).r;
    a.pearson_log = analysis::Correlate(lp, lf, analysis::CorrMethod::kPearson).r;
    out.push_back(std::move(a));
  }
  return out;
}

// ---- the outputs --------------------------------------------------------------------------------

std::string ExternalCsv(const ValidationResult& v) {
  std::string out = "validator,node,year,external_year,n,spearman,lo95,hi95\n";
  for (const auto& c : v.externals) {
    out += fmt::format("{},{},{},{},{},{},{},{}\n", c.id, c.node, c.year, c.external_year, c.rho.n, Num(c.rho.value, 4),
                       Num(c.rho.lo, 4), Num(c.rho.hi, 4));
  }
  return out;
}

std::string GroupsCsv(const ValidationResult& v) {
  std::string out = "check,variant,year,n_low,n_high,median_low,median_high,auc,lo95,hi95,holds\n";
  for (const auto& c : v.groups) {
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{}\n", c.id, CsvField(c.variant), c.year, c.n_low, c.n_high,
                       Num(c.median_low, 2), Num(c.median_high, 2), Num(c.auc.value, 4), Num(c.auc.lo, 4),
                       Num(c.auc.hi, 4), c.holds ? 1 : 0);
  }
  return out;
}

std::string CoherenceCsv(const ValidationResult& v) {
  std::string out = "year,node,units,children,alpha,pc1_share,r2_with_index,pc1_loadings\n";
  for (const auto& d : v.coherence) {
    std::string kids, load;
    for (std::size_t i = 0; i < d.children.size(); ++i) {
      kids += (i ? " " : "") + d.children[i];
      if (i < d.loadings.size()) load += fmt::format("{}{}={:.3f}", i ? " " : "", d.children[i], d.loadings[i]);
    }
    out += fmt::format("{},{},{},{},{},{},{},{}\n", d.year, d.code, d.units, kids, Num(d.alpha, 4), Num(d.pc1_share, 4),
                       Num(d.r2_index, 4), load);
  }
  return out;
}

std::string CorrelationsCsv(const ValidationResult& v) {
  std::string out = "year,parent,a,b,n,pearson,explanation\n";
  for (const auto& c : v.correlations) {
    out +=
        fmt::format("{},{},{},{},{},{},{}\n", c.year, c.parent, c.a, c.b, c.n, Num(c.r, 4), CsvField(c.explanation_en));
  }
  return out;
}

std::string ShiftsCsv(const ValidationResult& v) {
  std::string out = "year,unit,rank_previous,rank,shift,score_previous,score";
  for (const auto& d : v.dimensions) out += "," + d + "_change";
  out += ",reason\n";
  for (const auto& s : v.shifts) {
    std::string shift = s.rank && s.rank_previous ? std::to_string(s.rank_previous - s.rank) : std::string();
    out += fmt::format("{},{},{},{},{},{},{}", s.year, s.unit, s.rank_previous ? std::to_string(s.rank_previous) : "",
                       s.rank ? std::to_string(s.rank) : "", shift, Num(s.score_previous, 2), Num(s.score, 2));
    for (double d : s.dimension_change) out += "," + Num(d, 2);
    out += "," + CsvField(s.reason) + "\n";
  }
  return out;
}

std::string FallbacksCsv(const ValidationResult& v) {
  std::string out = "indicator,series,note,cells,units,median_ratio,q1,q3,spearman,pearson_log,adjust\n";
  for (const auto& a : v.fallbacks) {
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{}\n", a.indicator, a.series, CsvField(a.note), a.cells, a.units,
                       Num(a.median_ratio, 4), Num(a.q1, 4), Num(a.q3, 4), Num(a.spearman, 4), Num(a.pearson_log, 4),
                       FormatNumber(a.adjust));
  }
  return out;
}

//! The ten largest rank shifts of the latest year between two ranked positions, or to/from unranked.
std::vector<const RankShift*> LargestShifts(const ValidationResult& v, std::size_t n) {
  std::vector<const RankShift*> out;
  for (const auto& s : v.shifts) {
    if (s.year == v.latest_year && s.rank && s.rank_previous) out.push_back(&s);
  }
  std::stable_sort(out.begin(), out.end(), [](const RankShift* a, const RankShift* b) {
    return std::abs(a->rank_previous - a->rank) > std::abs(b->rank_previous - b->rank);
  });
  if (out.size() > n) out.resize(n);
  return out;
}

std::string Summary(const ValidationResult& v) {
  std::string s =
      fmt::format("# Validation of GPSI {} · 全球公共安全指数 {} 验证\n\n", v.method_version, v.method_version);
  s += fmt::format("Plan · 验证方案: `{}`. Latest year · 最新年份: {}.\n\n", v.plan, v.latest_year);
  s += "## Coverage · 覆盖范围\n\n| year 年份 | scored 有得分 | ranked 排名 | population share 人口占比 | mean imputed "
       "share 平均插补比例 |\n|---|---|---|---|---|\n";
  for (const auto& c : v.coverage) {
    s += fmt::format("| {} | {} | {} | {:.1f} % | {:.1f} % |\n", c.year, c.scored, c.ranked,
                     c.population_all > 0 ? 100 * c.population_ranked / c.population_all : 0.0,
                     100 * c.mean_imputed_share);
  }
  s += "\n## External measures · 外部指标 (Spearman ρ, 95 % bootstrap interval · 自助法95%区间)\n\n"
       "| measure 指标 | node 节点 | year 年份 | n | ρ | interval 区间 |\n|---|---|---|---|---|---|\n";
  for (const auto& c : v.externals) {
    if (c.year != v.latest_year && c.year != v.latest_year - 1) continue;
    s += fmt::format("| {} · {} | {} | {} | {} | {:.3f} | [{:.3f}, {:.3f}] |\n", c.name_en, c.name_zh, c.node, c.year,
                     c.rho.n, c.rho.value, c.rho.lo, c.rho.hi);
  }
  s += "\n(Every year in external.csv · 各年结果见 external.csv.)\n\n## Known groups · 已知群组检验 (AUC = P(low < "
       "high))\n\n"
       "| check 检验 | variant 版本 | year 年份 | n low/high | AUC | interval 区间 | holds 成立 "
       "|\n|---|---|---|---|---|---|---|\n";
  for (const auto& c : v.groups) {
    if (c.year != v.latest_year) continue;
    s +=
        fmt::format("| {} · {} | {} | {} | {}/{} | {:.3f} | [{:.3f}, {:.3f}] | {} |\n", c.name_en, c.name_zh, c.variant,
                    c.year, c.n_low, c.n_high, c.auc.value, c.auc.lo, c.auc.hi, c.holds ? "yes 是" : "no 否");
  }
  s += "\n## Dimensions · 维度 (ranked units · 排名国家)\n\n"
       "| node 节点 | children 下级 | α | PC1 share 第一主成分占比 | R² with index 与指数的R² "
       "|\n|---|---|---|---|---|\n";
  for (const auto& d : v.coherence) {
    if (d.year != v.latest_year) continue;
    std::string kids;
    for (const auto& k : d.children) kids += (kids.empty() ? "" : ", ") + k;
    s += fmt::format("| {} | {} | {} | {} | {} |\n", d.code, kids, Num(d.alpha), Num(d.pc1_share), Num(d.r2_index));
  }
  std::size_t negative = 0;
  for (const auto& c : v.correlations) negative += !IsNa(c.r) && c.r < 0 ? 1 : 0;
  s += fmt::format(
      "\n### Negative correlations within a group · 组内负相关\n\n{} pairs in {}–{}, {} without an explanation in the "
      "plan · {}–{}年共{}对，{}对未在方案中解释.\n\n",
      negative, v.years.front(), v.latest_year, v.unexplained, v.years.front(), v.latest_year, negative, v.unexplained);
  for (const auto& c : v.correlations) {
    if (IsNa(c.r) || c.r >= 0 || (c.year != v.latest_year && !c.explanation_en.empty())) continue;
    s += fmt::format("- {}: {} × {} ({}): r = {:.3f}. {}{}\n", c.year, c.a, c.b, c.parent, c.r,
                     c.explanation_en.empty() ? "UNEXPLAINED · 未解释" : c.explanation_en,
                     c.explanation_zh.empty() ? "" : " " + c.explanation_zh);
  }
  if (!v.previous_version.empty()) {
    s += fmt::format("\n## Largest rank shifts from {} · 相对 {} 的最大排名变化 ({})\n\n", v.previous_version,
                     v.previous_version, v.latest_year);
    s += "| unit 国家 | rank before 原排名 | rank 排名 | reason 原因 |\n|---|---|---|---|\n";
    for (const auto* r : LargestShifts(v, 10)) {
      s += fmt::format("| {} {} | {} | {} | {} |\n", r->unit, r->name, r->rank_previous, r->rank, r->reason);
    }
    s += fmt::format("\n## Method changes from {} · 方法变更 ({} settings and nodes)\n\n", v.previous_version,
                     v.method_changes.size());
    s += "| what 类别 | item 项目 | before 原值 | after 现值 |\n|---|---|---|---|\n";
    for (const auto& c : v.method_changes)
      s += fmt::format("| {} | {} | {} | {} |\n", c.what, c.item, c.before, c.after);
  }
  if (!v.fallbacks.empty()) {
    s += "\n## Fallback series · 替代数据序列\n\n| indicator 指标 | series 序列 | cells 重叠 | median ratio 中位比 | "
         "IQR | Spearman | adjust 调整 |\n|---|---|---|---|---|---|---|\n";
    for (const auto& a : v.fallbacks) {
      s += fmt::format("| {} | {} | {} | {} | {}–{} | {} | {} |\n", a.indicator, a.note, a.cells, Num(a.median_ratio),
                       Num(a.q1), Num(a.q3), Num(a.spearman), FormatNumber(a.adjust));
    }
  }
  return s;
}

Json ToJson(const ValidationResult& v) {
  Json j;
  j["method_version"] = v.method_version;
  j["previous_version"] = v.previous_version;
  j["latest_year"] = v.latest_year;
  j["dimensions"] = v.dimensions;
  Json cov = Json::array();
  for (const auto& c : v.coverage) {
    cov.push_back(
        {{"year", c.year},
         {"scored", c.scored},
         {"ranked", c.ranked},
         {"population_share", c.population_all > 0 ? Json(c.population_ranked / c.population_all) : Json(nullptr)},
         {"mean_imputed_share", c.mean_imputed_share}});
  }
  j["coverage"] = cov;
  Json ext = Json::array();
  for (const auto& c : v.externals) {
    ext.push_back({{"id", c.id},
                   {"name_en", c.name_en},
                   {"name_zh", c.name_zh},
                   {"node", c.node},
                   {"year", c.year},
                   {"external_year", c.external_year},
                   {"n", c.rho.n},
                   {"rho", JNum(c.rho.value)},
                   {"lo", JNum(c.rho.lo)},
                   {"hi", JNum(c.rho.hi)}});
  }
  j["externals"] = ext;
  Json gr = Json::array();
  for (const auto& c : v.groups) {
    gr.push_back({{"id", c.id},
                  {"name_en", c.name_en},
                  {"name_zh", c.name_zh},
                  {"variant", c.variant},
                  {"year", c.year},
                  {"n_low", c.n_low},
                  {"n_high", c.n_high},
                  {"auc", JNum(c.auc.value)},
                  {"lo", JNum(c.auc.lo)},
                  {"hi", JNum(c.auc.hi)},
                  {"holds", c.holds}});
  }
  j["known_groups"] = gr;
  Json co = Json::array();
  for (const auto& d : v.coherence) {
    if (d.year != v.latest_year) continue;
    co.push_back({{"node", d.code},
                  {"year", d.year},
                  {"units", d.units},
                  {"children", d.children},
                  {"alpha", JNum(d.alpha)},
                  {"pc1_share", JNum(d.pc1_share)},
                  {"r2_with_index", JNum(d.r2_index)}});
  }
  j["coherence"] = co;
  Json neg = Json::array();
  for (const auto& c : v.correlations) {
    if (IsNa(c.r) || c.r >= 0) continue;
    neg.push_back({{"year", c.year},
                   {"parent", c.parent},
                   {"a", c.a},
                   {"b", c.b},
                   {"r", c.r},
                   {"explanation_en", c.explanation_en},
                   {"explanation_zh", c.explanation_zh}});
  }
  j["negative_correlations"] = neg;
  Json sh = Json::array();
  for (const auto* r : LargestShifts(v, 10)) {
    sh.push_back({{"unit", r->unit},
                  {"name", r->name},
                  {"year", r->year},
                  {"rank_previous", r->rank_previous},
                  {"rank", r->rank},
                  {"reason", r->reason}});
  }
  j["largest_shifts"] = sh;
  Json changes = Json::array();
  for (const auto& c : v.method_changes) {
    changes.push_back({{"what", c.what}, {"item", c.item}, {"before", c.before}, {"after", c.after}});
  }
  j["method_changes"] = changes;
  return j;
}

Status WriteAll(const ValidateConfig& cfg, ValidationResult& v) {
  std::error_code ec;
  fs::create_directories(cfg.out_dir, ec);
  if (ec) return Error{Errc::kWrite, fmt::format("cannot create the output folder: {}", ec.message()), cfg.out_dir};
  const std::pair<const char*, std::string> files[] = {
      {"external.csv", ExternalCsv(v)},   {"known_groups.csv", GroupsCsv(v)},
      {"coherence.csv", CoherenceCsv(v)}, {"correlations.csv", CorrelationsCsv(v)},
      {"rank_shifts.csv", ShiftsCsv(v)},  {"fallbacks.csv", FallbacksCsv(v)},
      {"summary.md", v.summary},          {"validation.json", ToJson(v).dump(2) + "\n"}};
  for (const auto& [name, text] : files) {
    if (name == std::string("rank_shifts.csv") && v.previous_version.empty()) continue;
    if (auto st = detail::WriteFile(fs::path(cfg.out_dir) / name, text); !st) return st;
    v.files.push_back(name);
  }
  return Ok();
}

std::string PlanPath(const ValidateConfig& cfg) {
  if (!cfg.plan.empty()) return cfg.plan;
  return (fs::path(cfg.build.method_path).parent_path() / "validation.toml").string();
}

}  // namespace

Result<ValidationResult> Validate(const ValidateConfig& cfg) {
  return detail::Guarded([&]() -> Result<ValidationResult> {
    if (cfg.build.method_path.empty()) return Error{Errc::kUsage, "gpsi validate needs --method (a store build)"};
    auto plan = method::LoadValidationPlan(PlanPath(cfg));
    if (!plan) return plan.error();
    BuildConfig bc = cfg.build;
    bc.out_dir.clear();
    auto built = detail::BuildIndex(bc);
    if (!built) return built.error();
    const BuildResult view = detail::View(std::move(*built));
    const detail::Built& b = *view.built;
    if (auto st = RefuseInputs(*plan, b.method); !st) return st.error();
    const std::string dir = cfg.validators.empty() ? ValidationDataDir() : cfg.validators;
    auto store = OpenExisting(bc.db_path);
    if (!store) return store.error();

    ValidationResult v;
    v.method_version = b.method.version;
    v.plan = plan->path;
    for (int y : Years(b)) v.years.push_back(y);
    v.latest_year = v.years.back();
    for (int d : b.method.Children(b.method.Top()))
      v.dimensions.push_back(b.method.nodes[static_cast<std::size_t>(d)].code);
    v.coverage = Coverage(view);
    Status st = Ok();
    v.externals = CheckExternals(b, *plan, **store, dir, cfg, st);
    if (!st) return st.error();
    v.groups = CheckGroups(view, *plan, **store, dir, cfg, st);
    if (!st) return st.error();
    for (int y : Years(b)) CheckCoherence(b, *plan, y, v);
    v.fallbacks = Agreement(b);
    if (!cfg.previous.empty()) {
      BuildConfig pc = bc;
      pc.method_path = cfg.previous;
      pc.sets.clear();
      auto prev = detail::BuildIndex(pc);
      if (!prev) return prev.error();
      const BuildResult prev_view = detail::View(std::move(*prev));
      v.previous_version = prev_view.method.version;
      v.shifts = RankShifts(b, *prev_view.built);
      v.method_changes = MethodChanges(prev_view.method, view.method);
    }
    v.summary = Summary(v);
    if (!cfg.out_dir.empty()) {
      if (auto w = WriteAll(cfg, v); !w) return w.error();
    }
    return v;
  });
}

}  // namespace gpsi::engine
