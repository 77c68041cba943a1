// gpsi risk: country risk sheets from the risk method's build, with trend, reliability, outlook and
// the GPSI baseline, and the validation of the classes against what happened the year after
// (docs/risk.md). The rules themselves (classes, trend, reliability) live in src/risk/.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "analysis.hpp"
#include "detail/built.hpp"
#include "detail/guard.hpp"
#include "detail/json.hpp"
#include "detail/montecarlo.hpp"
#include "detail/output.hpp"
#include "engine.hpp"
#include "method.hpp"
#include "risk.hpp"

namespace gpsi::engine {
namespace {

namespace fs = std::filesystem;
using detail::JNum;
using detail::Json;

RiskClass ClassOf(double score, const method::RiskSpec& spec) {
  RiskClass c;
  c.level = risk::Classify(score, spec);
  if (c.level < 0) return c;
  const auto k = static_cast<std::size_t>(c.level);
  c.en = spec.class_en[k], c.zh = spec.class_zh[k];
  return c;
}

//! The risk build with what every sheet reads from it.
struct RiskBuild {
  BuildResult b;
  const method::Method* m = nullptr;
  std::size_t top = 0;
};

Result<RiskBuild> BuildRisk(const BuildConfig& cfg) {
  BuildConfig quiet = cfg;
  quiet.out_dir.clear();
  auto b = Build(quiet);
  if (!b) return b.error();
  RiskBuild rb{std::move(*b)};
  rb.m = &rb.b.built->method;
  if (!rb.m->risk.active()) {
    return Error{Errc::kBadMethod, fmt::format("method {} has no [risk] table: a risk sheet needs its classes "
                                               "(docs/risk.md)",
                                               rb.m->id)};
  }
  rb.top = rb.b.method.top();
  return rb;
}

//! The last year with a scored country.
int LatestScoredYear(const RiskBuild& rb) {
  int year = 0;
  for (std::size_t r = 0; r < rb.b.panel.rows(); ++r) {
    if (!IsNa(rb.b.scores.value(r, rb.top))) year = std::max(year, rb.b.panel.row(r).year);
  }
  return year;
}

RiskScore ScoreAt(const RiskBuild& rb, std::size_t r, std::size_t node) {
  const FrameworkNode& n = rb.b.method.nodes[node];
  const Score& s = rb.b.scores.at(r, node);
  return RiskScore{n.code, n.name_en, n.name_zh, s.value, s.rank, ClassOf(s.value, rb.m->risk), s.flags};
}

//! The scored indicators of a row (monitors left out), each with what the reliability index reads.
void Indicators(const RiskBuild& rb, std::size_t r, CountryRisk& c) {
  std::vector<risk::Cell> cells;
  for (std::size_t col = 0; col < rb.b.panel.cols(); ++col) {
    const std::size_t node = rb.b.method.indicators[col];
    const FrameworkNode& n = rb.b.method.nodes[node];
    if (n.monitor) continue;
    const CellOrigin& o = rb.b.panel.origin(r, col);
    const double score = rb.b.scores.value(r, node);
    const bool present = !IsNa(rb.b.panel.value(Stage::kImputed, r, col));
    RiskIndicator ind{n.code,
                      n.name_en,
                      n.name_zh,
                      n.parent,
                      score,
                      present ? DisplayValue(rb.b, r, col) : kNa,
                      present ? o.year : 0,
                      present ? o.how : "",
                      o.source};
    cells.push_back(risk::Cell{present, o.how == "carried" || o.how == "imputed", c.year - o.year});
    c.indicators.push_back(std::move(ind));
  }
  const risk::Reliability rel = risk::AssessReliability(cells, rb.m->risk);
  c.reliability = RiskReliability{rel.index,
                                  rel.missing,
                                  rel.imputed,
                                  rel.age,
                                  rel.mean_age_years,
                                  cells.size(),
                                  static_cast<std::size_t>(std::count_if(
                                      cells.begin(), cells.end(), [](const risk::Cell& x) { return x.present; }))};
}

void History(const RiskBuild& rb, const std::string& unit, CountryRisk& c) {
  std::vector<int> years;
  std::vector<double> scores;
  for (std::size_t r : rb.b.panel.RowsOf(unit)) {
    const double v = rb.b.scores.value(r, rb.top);
    if (IsNa(v)) continue;
    c.history.emplace_back(rb.b.panel.row(r).year, v);
    years.push_back(rb.b.panel.row(r).year);
    scores.push_back(v);
  }
  const risk::Trend t = risk::TrendOf(years, scores, c.year, rb.m->risk);
  c.trend = RiskTrend{t.from, t.to, t.points, t.slope, t.change, t.known() ? risk::DirectionName(t.direction) : ""};
}

CountryRisk Sheet(const RiskBuild& rb, std::size_t r, int ranked) {
  CountryRisk c;
  c.unit = rb.b.panel.row(r).unit;
  c.name = rb.b.panel.row(r).name;
  c.year = rb.b.panel.row(r).year;
  c.ranked = ranked;
  c.risk = ScoreAt(rb, r, rb.top);
  for (std::size_t d : rb.b.method.nodes[rb.top].children) c.dimensions.push_back(ScoreAt(rb, r, d));
  Indicators(rb, r, c);
  History(rb, c.unit, c);
  return c;
}

//! The outlook of every sheet from the forecast of the risk method, one year past its last year;
//! only when the sheets are of that last year (a forecast from another origin is not this one).
Status AddOutlook(const RiskConfig& cfg, const RiskBuild& rb, RiskSheets& out) {
  ForecastConfig f;
  f.build = cfg.build;
  f.build.out_dir.clear();
  f.horizon = 1;
  f.draws = cfg.draws;
  f.seed = cfg.seed;
  f.threads = cfg.threads;
  auto sum = Forecast(f);
  if (!sum) return sum.error();
  if (sum->origin != out.year) return Ok();
  const std::string& top = rb.b.method.nodes[rb.top].code;
  std::map<std::string, RiskOutlook> by_unit;
  for (const ForecastRow& row : sum->rows) {
    if (row.code != top || row.year != out.year + 1) continue;
    by_unit[row.unit] = RiskOutlook{
        row.year, row.median, row.p05, row.p95, kNa, rb.m->forecast.deterioration, ClassOf(row.median, rb.m->risk)};
  }
  for (const OutlookRow& o : sum->outlook) {
    if (auto it = by_unit.find(o.unit); it != by_unit.end() && o.year == out.year + 1) {
      it->second.p_rise = o.p_deterioration;
    }
  }
  for (CountryRisk& c : out.countries) {
    if (auto it = by_unit.find(c.unit); it != by_unit.end()) c.outlook = it->second;
  }
  return Ok();
}

//! The index's Monte Carlo rank intervals (as gpsi serve's, in memory) of the build `b` of `ic`.
Result<std::vector<RankStat>> RankIntervals(const RiskConfig& cfg, const BuildConfig& ic, const BuildResult& b) {
  std::vector<RankStat> table;
  if (cfg.rank_runs == 0) return table;
  UncertaintyConfig u;
  u.build = ic;
  u.samples = cfg.rank_runs;
  u.seed = cfg.seed;
  u.threads = cfg.threads;
  auto s = detail::RunUncertainty(u, b.built.get(), &table);
  if (!s) return s.error();
  return table;
}

//! The index method's build, rank intervals and warnings, attached to the sheets.
Status AddIndex(const RiskConfig& cfg, RiskSheets& out) {
  const BuildConfig ic{cfg.build.db_path, cfg.index_method};
  auto b = Build(ic);
  if (!b) return b.error();
  auto intervals = RankIntervals(cfg, ic, *b);
  if (!intervals) return intervals.error();
  WarnConfig w;
  w.build = ic;
  w.draws = cfg.draws;
  w.seed = cfg.seed;
  w.threads = cfg.threads;
  auto warned = Warn(w);
  if (!warned) return warned.error();
  AttachIndex(out, *b, *intervals, warned->warnings);
  return Ok();
}

Json ScoreJson(const RiskScore& s) {
  return Json{{"code", s.code},
              {"name_en", s.name_en},
              {"name_zh", s.name_zh},
              {"score", JNum(s.value)},
              {"rank", s.rank > 0 ? Json(s.rank) : Json(nullptr)},
              {"class", s.cls.level >= 0 ? Json(s.cls.level) : Json(nullptr)},
              {"class_en", s.cls.en},
              {"class_zh", s.cls.zh},
              {"flags", s.flags}};
}

Json WarningJson(const Warning& w) {
  return Json{{"id", w.id},          {"rule", w.rule},         {"severity", w.severity},       {"code", w.code},
              {"period", w.period},  {"value", JNum(w.value)}, {"baseline", JNum(w.baseline)}, {"source", w.source},
              {"message", w.message}};
}

Json OutlookJson(const RiskOutlook& o) {
  return Json{{"year", o.year},
              {"median", JNum(o.median)},
              {"p05", JNum(o.p05)},
              {"p95", JNum(o.p95)},
              {"class", o.cls.level >= 0 ? Json(o.cls.level) : Json(nullptr)},
              {"class_en", o.cls.en},
              {"class_zh", o.cls.zh},
              {"p_rise", JNum(o.p_rise)},
              {"rise_by", JNum(o.rise_by)}};
}

Json BaselineJson(const IndexBaseline& b) {
  return Json{{"method", b.method},
              {"version", b.version},
              {"year", b.year},
              {"score", JNum(b.score)},
              {"rank", b.rank > 0 ? Json(b.rank) : Json(nullptr)},
              {"ranked", b.ranked},
              {"rank_p05", JNum(b.rank_p05)},
              {"rank_p95", JNum(b.rank_p95)}};
}

//! The method's classes with their lower bounds (the first has none).
Json ClassesJson(const RiskSheets& s) {
  Json classes = Json::array();
  for (std::size_t k = 0; k < s.classes.size(); ++k) {
    classes.push_back(Json{{"class", s.classes[k].level},
                           {"en", s.classes[k].en},
                           {"zh", s.classes[k].zh},
                           {"from", k == 0 ? Json(nullptr) : Json(s.class_lower[k - 1])}});
  }
  return classes;
}

Json MethodJson(const RiskSheets& s) {
  return Json{{"id", s.method_id}, {"version", s.method_version}, {"hash", s.method_hash}};
}

//! One outcome's observations: per ranked country-year t, its score, class and whether the
//! outcome happened in t + 1.
struct Outcome {
  std::string id, description;
  std::vector<double> score, cls, persistence;
  std::vector<char> event;
  void Add(double s, int k, double deaths, bool e) {
    score.push_back(s), cls.push_back(k), persistence.push_back(deaths), event.push_back(e ? 1 : 0);
  }
};

//! The stored count of `code` per (unit, year).
using Counts = std::map<std::pair<std::string, int>, double>;

Result<Counts> StoredCounts(const std::string& db_path, const std::string& code) {
  Counts out;
  auto store = OpenExisting(db_path);
  if (!store) return store.error();
  CellFilter f;
  f.indicators = {code};
  (*store)->Resolved(f, [&](const ResolvedValue& v) { out[{v.unit, v.year}] = v.value; });
  return out;
}

//! The index method's score per (unit, year), and its [forecast] (what a deterioration is).
struct IndexScores {
  std::map<std::pair<std::string, int>, double> score;
  method::Forecast forecast;
};

Result<IndexScores> ReadIndexScores(const RiskConfig& cfg) {
  auto b = Build(BuildConfig{cfg.build.db_path, cfg.index_method});
  if (!b) return b.error();
  IndexScores out{{}, b->built->method.forecast};
  const std::size_t top = b->method.top();
  for (std::size_t r = 0; r < b->panel.rows(); ++r) {
    if (IsNa(b->scores.value(r, top))) continue;
    out.score[{b->panel.row(r).unit, b->panel.row(r).year}] = b->scores.value(r, top);
  }
  return out;
}

RiskOutcomeCheck Check(const Outcome& o, const RiskBuild& rb, std::size_t bootstrap, std::uint64_t seed) {
  RiskOutcomeCheck c{o.id, o.description};
  std::vector<double> low_s, high_s, low_k, high_k, low_p, high_p;
  std::vector<int> cls;
  for (std::size_t i = 0; i < o.score.size(); ++i) {
    (o.event[i] ? high_s : low_s).push_back(o.score[i]);
    (o.event[i] ? high_k : low_k).push_back(o.cls[i]);
    (o.event[i] ? high_p : low_p).push_back(o.persistence[i]);
    cls.push_back(static_cast<int>(o.cls[i]));
  }
  c.cases = o.score.size(), c.events = high_s.size();
  c.auc_score = analysis::AucInterval(low_s, high_s, bootstrap, seed);
  c.auc_class = analysis::AucInterval(low_k, high_k, bootstrap, seed);
  c.auc_persistence = analysis::AucInterval(low_p, high_p, bootstrap, seed);
  const auto& spec = rb.m->risk;
  for (const risk::ClassOutcome& k : risk::ConfusionByClass(cls, o.event, static_cast<int>(spec.classes()))) {
    const auto at = static_cast<std::size_t>(k.cls);
    c.by_class.push_back(RiskOutcomeCheck::ByClass{RiskClass{k.cls, spec.class_en[at], spec.class_zh[at]}, k.units,
                                                   k.events, k.rate, k.sensitivity, k.specificity});
  }
  return c;
}

std::string Num(double v, int digits) {
  return IsNa(v) ? std::string() : fmt::format("{:.{}f}", v, digits);
}

Status WriteValidation(const RiskValidationConfig& cfg, RiskValidation& v) {
  std::error_code ec;
  fs::create_directories(cfg.out_dir, ec);
  if (ec) return Error{Errc::kWrite, fmt::format("cannot create the output folder: {}", ec.message()), cfg.out_dir};
  std::string checks =
      "outcome,cases,events,auc_score,auc_score_lo,auc_score_hi,auc_class,auc_class_lo,auc_class_hi,"
      "auc_persistence,auc_persistence_lo,auc_persistence_hi\n";
  std::string confusion = "outcome,class,class_en,country_years,events,rate,sensitivity,specificity\n";
  for (const RiskOutcomeCheck& c : v.checks) {
    checks += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{}\n", c.outcome, c.cases, c.events,
                          Num(c.auc_score.value, 4), Num(c.auc_score.lo, 4), Num(c.auc_score.hi, 4),
                          Num(c.auc_class.value, 4), Num(c.auc_class.lo, 4), Num(c.auc_class.hi, 4),
                          Num(c.auc_persistence.value, 4), Num(c.auc_persistence.lo, 4), Num(c.auc_persistence.hi, 4));
    for (const auto& k : c.by_class) {
      confusion += fmt::format("{},{},{},{},{},{},{},{}\n", c.outcome, k.cls.level, k.cls.en, k.units, k.events,
                               Num(k.rate, 4), Num(k.sensitivity, 4), Num(k.specificity, 4));
    }
  }
  for (const auto& [name, text] : {std::pair{"risk_validation.csv", checks}, {"risk_confusion.csv", confusion}}) {
    const fs::path file = fs::path(cfg.out_dir) / name;
    if (auto st = detail::WriteFile(file, text); !st) return st;
    v.files.push_back(file.string());
  }
  return Ok();
}

//! The store's Chinese names of the sheets' countries (the build carries the English ones only).
Status AddNamesZh(const std::string& db_path, RiskSheets& out) {
  auto units = Units(db_path);
  if (!units) return units.error();
  std::map<std::string, std::string> zh;
  for (const Unit& u : *units) zh[u.code] = u.name_zh;
  for (CountryRisk& c : out.countries) c.name_zh = zh[c.unit];
  return Ok();
}

}  // namespace

Result<RiskSheets> CountryRisks(const RiskConfig& cfg) {
  return detail::Guarded([&]() -> Result<RiskSheets> {
    const auto start = std::chrono::steady_clock::now();
    auto rb = BuildRisk(cfg.build);
    if (!rb) return rb.error();
    RiskSheets out;
    out.method_id = rb->m->id, out.method_version = rb->m->version, out.method_hash = rb->m->hash;
    out.data_hash = rb->b.data_hash, out.run_id = rb->b.run_id;
    out.year = cfg.year ? cfg.year : LatestScoredYear(*rb);
    out.class_lower = rb->m->risk.class_lower;
    out.spec = std::make_shared<const method::RiskSpec>(rb->m->risk);
    for (std::size_t k = 0; k < rb->m->risk.classes(); ++k) {
      out.classes.push_back(RiskClass{static_cast<int>(k), rb->m->risk.class_en[k], rb->m->risk.class_zh[k]});
    }
    int ranked = 0;
    std::vector<std::size_t> rows;
    for (std::size_t r = 0; r < rb->b.panel.rows(); ++r) {
      if (rb->b.panel.row(r).year != out.year || IsNa(rb->b.scores.value(r, rb->top))) continue;
      rows.push_back(r);
      ranked += rb->b.scores.rank(r, rb->top) > 0 ? 1 : 0;
    }
    if (rows.empty()) return Error{Errc::kNotFound, fmt::format("no country has a risk score in {}", out.year)};
    for (std::size_t r : rows) out.countries.push_back(Sheet(*rb, r, ranked));
    if (auto st = AddNamesZh(cfg.build.db_path, out); !st) return st.error();
    std::sort(out.countries.begin(), out.countries.end(),
              [](const CountryRisk& a, const CountryRisk& b) { return a.unit < b.unit; });
    if (cfg.draws > 0) {
      if (auto st = AddOutlook(cfg, *rb, out); !st) return st.error();
    }
    if (!cfg.index_method.empty()) {
      if (auto st = AddIndex(cfg, out); !st) return st.error();
    }
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return out;
  });
}

void AttachIndex(RiskSheets& sheets, const BuildResult& index, std::span<const RankStat> intervals,
                 std::span<const Warning> warnings) {
  const std::size_t top = index.method.top();
  std::map<std::pair<std::string, int>, const RankStat*> interval;
  for (const RankStat& st : intervals) {
    if (st.code == index.method.nodes[top].code) interval[{st.unit, st.year}] = &st;
  }
  std::map<int, int> ranked;
  for (std::size_t r = 0; r < index.panel.rows(); ++r) {
    ranked[index.panel.row(r).year] += index.scores.rank(r, top) > 0 ? 1 : 0;
  }
  std::map<std::string, std::vector<Warning>> by_unit;
  for (const Warning& x : warnings) by_unit[x.unit].push_back(x);
  for (CountryRisk& c : sheets.countries) {
    IndexBaseline base{index.method.id, index.method.version};
    for (std::size_t r : index.panel.RowsOf(c.unit)) {
      const int y = index.panel.row(r).year;
      if (y > c.year || IsNa(index.scores.value(r, top))) continue;
      base.year = y, base.score = index.scores.value(r, top), base.rank = index.scores.rank(r, top);
      base.ranked = ranked[y];
    }
    if (auto it = interval.find({c.unit, base.year}); it != interval.end()) {
      base.rank_p05 = it->second->p05, base.rank_p95 = it->second->p95;
    }
    if (base.year != 0) c.baseline = base;
    if (auto it = by_unit.find(c.unit); it != by_unit.end()) c.warnings = it->second;
  }
}

std::string CountryRiskJson(const RiskSheets& s, const CountryRisk& c) {
  Json j{{"unit", c.unit}, {"name", c.name},     {"name_zh", c.name_zh},
         {"year", c.year}, {"ranked", c.ranked}, {"risk", ScoreJson(c.risk)}};
  j["dimensions"] = Json::array();
  for (const RiskScore& d : c.dimensions) j["dimensions"].push_back(ScoreJson(d));
  j["indicators"] = Json::array();
  for (const RiskIndicator& i : c.indicators) {
    j["indicators"].push_back(Json{{"code", i.code},
                                   {"name_en", i.name_en},
                                   {"name_zh", i.name_zh},
                                   {"dimension", i.dimension},
                                   {"score", JNum(i.score)},
                                   {"value", JNum(i.value)},
                                   {"data_year", i.data_year ? Json(i.data_year) : Json(nullptr)},
                                   {"how", i.how},
                                   {"source", i.source}});
  }
  j["history"] = Json::array();
  for (const auto& [year, v] : c.history) j["history"].push_back(Json{{"year", year}, {"score", JNum(v)}});
  j["trend"] = Json{{"from", c.trend.from},
                    {"to", c.trend.to},
                    {"points", c.trend.points},
                    {"slope", JNum(c.trend.slope)},
                    {"change", JNum(c.trend.change)},
                    {"direction", c.trend.direction.empty() ? Json(nullptr) : Json(c.trend.direction)}};
  const RiskReliability& r = c.reliability;
  j["reliability"] = Json{{"index", JNum(r.index)},
                          {"missing", JNum(r.missing)},
                          {"imputed", JNum(r.imputed)},
                          {"age", JNum(r.age)},
                          {"mean_age_years", JNum(r.mean_age_years)},
                          {"indicators", r.indicators},
                          {"present", r.present}};
  j["outlook"] = c.outlook ? OutlookJson(*c.outlook) : Json(nullptr);
  j["baseline"] = c.baseline ? BaselineJson(*c.baseline) : Json(nullptr);
  j["warnings"] = Json::array();
  for (const Warning& w : c.warnings) j["warnings"].push_back(WarningJson(w));
  j["classes"] = ClassesJson(s);
  j["method"] = MethodJson(s);
  j["data_hash"] = s.data_hash;
  j["run_id"] = s.run_id;
  return j.dump(2) + "\n";
}

std::string RiskListJson(const RiskSheets& s) {
  Json countries = Json::array();
  for (const CountryRisk& c : s.countries) {
    countries.push_back(Json{{"unit", c.unit},
                             {"name", c.name},
                             {"name_zh", c.name_zh},
                             {"score", JNum(c.risk.value)},
                             {"rank", c.risk.rank > 0 ? Json(c.risk.rank) : Json(nullptr)},
                             {"class", c.risk.cls.level >= 0 ? Json(c.risk.cls.level) : Json(nullptr)},
                             {"trend", c.trend.direction.empty() ? Json(nullptr) : Json(c.trend.direction)},
                             {"reliability", JNum(c.reliability.index)},
                             {"warnings", c.warnings.size()}});
  }
  return Json{{"year", s.year}, {"method", MethodJson(s)}, {"classes", ClassesJson(s)}, {"countries", countries}}
             .dump() +
         "\n";
}

}  // namespace gpsi::engine

namespace gpsi::engine {

Result<RiskValidation> ValidateRisk(const RiskValidationConfig& cfg) {
  return detail::Guarded([&]() -> Result<RiskValidation> {
    auto rb = BuildRisk(cfg.risk.build);
    if (!rb) return rb.error();
    auto read = StoredCounts(cfg.risk.build.db_path, cfg.conflict_code);
    if (!read) return read.error();
    const Counts& deaths = *read;
    IndexScores gpsi;
    if (!cfg.risk.index_method.empty()) {
      auto g = ReadIndexScores(cfg.risk);
      if (!g) return g.error();
      gpsi = std::move(*g);
    }
    RiskValidation v;
    v.first_year = cfg.first_year ? cfg.first_year : rb->m->pipeline.year_from;
    v.last_year = cfg.last_year ? cfg.last_year : LatestScoredYear(*rb) - 1;
    Outcome conflict{"conflict", fmt::format("{} ≥ {} in t + 1", cfg.conflict_code, FormatNumber(cfg.conflict_deaths))};
    Outcome onset{"conflict-onset",
                  fmt::format("{} ≥ {} in t + 1, below it in t", cfg.conflict_code, FormatNumber(cfg.conflict_deaths))};
    Outcome drop{"gpsi-drop", "the GPSI worse by its forecast.deterioration from t to t + 1"};
    for (std::size_t r = 0; r < rb->b.panel.rows(); ++r) {
      const auto& key = rb->b.panel.row(r);
      const int rank = rb->b.scores.rank(r, rb->top);
      if (key.year < v.first_year || key.year > v.last_year || rank == 0) continue;
      const double s = rb->b.scores.value(r, rb->top);
      const int k = risk::Classify(s, rb->m->risk);
      const auto now = deaths.find({key.unit, key.year}), next = deaths.find({key.unit, key.year + 1});
      const double before = now != deaths.end() ? now->second : kNa;
      if (next != deaths.end()) {
        const bool event = next->second >= cfg.conflict_deaths;
        conflict.Add(s, k, before, event);
        if (before < cfg.conflict_deaths) onset.Add(s, k, before, event);
      }
      const auto g0 = gpsi.score.find({key.unit, key.year}), g1 = gpsi.score.find({key.unit, key.year + 1});
      if (g0 != gpsi.score.end() && g1 != gpsi.score.end()) {
        drop.Add(s, k, before, gpsi.forecast.Deteriorated(g0->second, g1->second));
      }
    }
    for (const Outcome* o : {&conflict, &onset, &drop}) {
      if (!o->score.empty()) v.checks.push_back(Check(*o, *rb, cfg.bootstrap, cfg.risk.seed));
    }
    if (!cfg.out_dir.empty()) {
      if (auto st = WriteValidation(cfg, v); !st) return st.error();
    }
    return v;
  });
}

}  // namespace gpsi::engine
