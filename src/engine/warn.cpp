// gpsi warn: the method's [[warn]] rules on the latest data (stored series with their provenance,
// and the forecast's P(deterioration)), and their track record against the index's falls (the
// monthly anomaly rules: against known surges, such as bench/gen_surges.py injects).
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include "detail/built.hpp"
#include "detail/deterioration.hpp"
#include "detail/guard.hpp"
#include "detail/output.hpp"
#include "engine.hpp"
#include "forecast.hpp"

namespace gpsi::engine {
namespace {

namespace fs = std::filesystem;
using compute::IsNa;

//! One unit's series of a stored code, point by point (years, or months of years), with the
//! record each point was read from.
struct UnitSeries {
  std::vector<double> y;
  std::vector<const ResolvedValue*> record;
};

//! A stored code's series for every country: annual (`monthly` false: point t is year first + t)
//! or monthly (codes <code>_mMM: point t is month t of the years from `first`).
struct Stored {
  int first = 0;
  bool monthly = false;
  std::vector<ResolvedValue> records;
  std::map<std::string, UnitSeries> units;
  std::size_t points = 0;
  std::string Period(std::size_t t) const {
    const int year = first + static_cast<int>(monthly ? t / 12 : t);
    return monthly ? fmt::format("{}-{:02}", year, t % 12 + 1) : std::to_string(year);
  }
};

Stored ReadStored(Store& store, const std::vector<std::string>& countries, const std::string& code, bool monthly) {
  Stored s;
  s.monthly = monthly;
  CellFilter f;
  f.units = countries;
  if (monthly) {
    for (int mo = 1; mo <= 12; ++mo) f.indicators.push_back(fmt::format("{}_m{:02}", code, mo));
  } else {
    f.indicators = {code};
  }
  store.Resolved(f, [&](const ResolvedValue& r) { s.records.push_back(r); });
  if (s.records.empty()) return s;
  int last = s.records.front().year;
  s.first = last;
  for (const auto& r : s.records) s.first = std::min(s.first, r.year), last = std::max(last, r.year);
  s.points = static_cast<std::size_t>(last - s.first + 1) * (monthly ? 12 : 1);
  for (const auto& r : s.records) {
    auto& u = s.units[r.unit];
    u.y.resize(s.points, kNa), u.record.resize(s.points, nullptr);
    std::size_t t = static_cast<std::size_t>(r.year - s.first);
    if (monthly) t = t * 12 + static_cast<std::size_t>(std::stoi(r.indicator.substr(r.indicator.size() - 2)) - 1);
    u.y[t] = r.value, u.record[t] = &r;
  }
  return s;
}

forecast::Finding Apply(const method::WarnRule& w, const std::vector<double>& y, std::size_t t) {
  const auto window = static_cast<std::size_t>(w.window);
  if (w.rule == "threshold") return forecast::Threshold(y, t, window, w.min);
  if (w.rule == "surge") return forecast::Surge(y, t, window, w.factor, w.min);
  return forecast::Anomaly(y, t, window, w.z, w.min);
}

//! A number for a sentence: four significant digits.
std::string Short(double v) {
  return fmt::format("{:.4g}", v);
}

std::string Message(const method::WarnRule& w, const forecast::Finding& f, const std::string& period) {
  if (w.rule == "threshold") {
    return fmt::format("{} {} in {}: the highest in {} {} (before: at most {})", w.reads, Short(f.value), period,
                       w.window, w.window == 1 ? "year" : "years", Short(f.baseline));
  }
  if (w.rule == "surge" && f.baseline == 0) {  // no ratio to a zero mean: the value came from nothing
    return fmt::format("{} {} in {}: none in the {} years before", w.reads, Short(f.value), period, w.window);
  }
  if (w.rule == "surge") {
    return fmt::format("{} {} in {}: {:.1f} times the mean of the {} years before ({})", w.reads, Short(f.value),
                       period, f.score, w.window, Short(f.baseline));
  }
  return fmt::format("{} {} in {}: z = {:.1f} against the {} months before (mean {})", w.reads, Short(f.value), period,
                     f.score, w.window, Short(f.baseline));
}

//! The warnings of a series rule at each unit's latest point (the code's latest period).
void SeriesWarnings(const method::WarnRule& w, const Stored& s, std::vector<Warning>& out) {
  if (s.points == 0) return;
  const std::size_t t = s.points - 1;
  for (const auto& [unit, series] : s.units) {
    const forecast::Finding f = Apply(w, series.y, t);
    if (!f.fires) continue;
    const ResolvedValue& r = *series.record[t];
    out.push_back(Warning{unit, w.id, w.rule, w.severity, r.indicator, s.Period(t), f.value, f.baseline, f.score,
                          r.source_key + "@" + r.release, r.file_sha256, r.line, Message(w, f, s.Period(t))});
  }
}

ForecastConfig ForecastOf(const WarnConfig& cfg) {
  ForecastConfig fc;
  fc.build = cfg.build, fc.draws = cfg.draws, fc.seed = cfg.seed, fc.threads = cfg.threads;
  return fc;
}

std::vector<std::string> Countries(Store& store) {
  std::vector<std::string> out;
  for (const auto& u : store.Units()) {
    if (u.kind == UnitKind::kCountry) out.push_back(u.code);
  }
  return out;
}

Status ForecastWarnings(const WarnConfig& cfg, const method::Method& m, std::vector<Warning>& out) {
  const auto rule = std::find_if(m.warn.begin(), m.warn.end(), [](const auto& w) { return w.rule == "forecast"; });
  if (rule == m.warn.end()) return Ok();
  const int latest[] = {0};
  auto risks = detail::DeteriorationRisks(ForecastOf(cfg), latest);
  if (!risks) return risks.error();
  for (const auto& w : m.warn) {
    if (w.rule != "forecast") continue;
    for (const auto& r : risks->front()) {
      if (IsNa(r.p) || r.p < w.p) continue;
      out.push_back(Warning{r.unit, w.id, w.rule, w.severity, m.nodes[static_cast<std::size_t>(m.Top())].code,
                            std::to_string(r.origin + 1), r.p, r.last_score, kNa, "forecast:" + m.forecast.model, "", 0,
                            fmt::format("P(the index falls by {} points or more in {}) = {:.2f}, from {:.1f}",
                                        FormatNumber(m.forecast.deterioration), r.origin + 1, r.p, r.last_score)});
    }
  }
  return Ok();
}

int SeverityRank(const std::string& s) {
  return static_cast<int>(std::find(kWarnSeverities.begin(), kWarnSeverities.end(), s) - kWarnSeverities.begin());
}

Result<WarnSummary> LatestWarnings(const WarnConfig& cfg, const method::Method& m, Store& store) {
  const auto countries = Countries(store);
  WarnSummary sum;
  for (const auto& w : m.warn) {
    if (w.rule == "forecast") continue;
    const Stored s = ReadStored(store, countries, w.reads, w.rule == "anomaly");
    SeriesWarnings(w, s, sum.warnings);
  }
  if (auto st = ForecastWarnings(cfg, m, sum.warnings); !st) return st.error();
  std::stable_sort(sum.warnings.begin(), sum.warnings.end(), [](const Warning& a, const Warning& b) {
    return std::pair(SeverityRank(a.severity), a.unit) < std::pair(SeverityRank(b.severity), b.unit);
  });
  if (cfg.out_dir.empty()) return sum;
  const fs::path file = fs::path(cfg.out_dir) / "warnings.csv";
  if (auto st = detail::WriteFile(file, WarningsCsv(sum.warnings)); !st) return st.error();
  sum.files.push_back(file.string());
  return sum;
}

// ---- the track record ---------------------------------------------------------------------------

//! A unit-year's index score and which indicators it is made of.
struct Scored {
  double score = kNa;
  std::string made_of;  //!< per indicator column: '1' with a score, '0' without
};
using IndexByYear = std::map<std::pair<std::string, int>, Scored>;

//! The index of the method over its history, for the realised falls.
Result<IndexByYear> IndexHistory(const WarnConfig& cfg, const method::Method& m) {
  BuildConfig bc = cfg.build;
  bc.out_dir.clear();
  bc.sets.push_back(fmt::format("pipeline.years={}:{}", cfg.first_origin - 10, m.pipeline.year_to));
  auto b = detail::BuildIndex(bc);
  if (!b) return b.error();
  IndexByYear out;
  const auto top = static_cast<std::size_t>(b->method.Top());
  for (std::size_t r = 0; r < b->row_unit.size(); ++r) {
    Scored s{b->scores(r, top), {}};
    for (std::size_t j = 0; j < b->normalised.cols(); ++j) s.made_of += IsNa(b->scores(r, j)) ? '0' : '1';
    out[{b->row_unit[r], b->row_year[r]}] = std::move(s);
  }
  return out;
}

//! Whether the index of `unit` deteriorated by forecast.deterioration or more from `year` to the
//! year after (`worse`: the method's [forecast]); nullopt when
//! either score is missing or the two are made of different indicators (a series first published
//! in between moves the index without any change on the ground).
std::optional<bool> Fell(const IndexByYear& index, const std::string& unit, int year, const method::Forecast& worse) {
  const auto a = index.find({unit, year}), b = index.find({unit, year + 1});
  if (a == index.end() || b == index.end() || IsNa(a->second.score) || IsNa(b->second.score)) return std::nullopt;
  if (a->second.made_of != b->second.made_of) return std::nullopt;
  return worse.Deteriorated(a->second.score, b->second.score);
}

//! The cells a rule is scored on: warned (the rule fired) and happened (the event came).
struct Cells {
  std::vector<char> warned, happened;
  void Add(bool w, bool h) { warned.push_back(w ? 1 : 0), happened.push_back(h ? 1 : 0); }
};

RuleSkill SkillOf(const method::WarnRule& w, const Cells& c) {
  const forecast::Skill s = forecast::ScoreWarnings(c.warned, c.happened);
  return RuleSkill{w.id, w.rule, c.warned.size(), s.warnings, s.events, s.hits, s.precision, s.recall};
}

//! The forecast rule at each origin, with draws made there, against the index falling after it.
Status ForecastCells(const WarnConfig& cfg, const method::WarnRule& w, const IndexByYear& index,
                     const method::Forecast& worse, Cells& c) {
  std::vector<int> origins;
  for (int y = cfg.first_origin; y <= cfg.last_origin; ++y) origins.push_back(y);
  auto risks = detail::DeteriorationRisks(ForecastOf(cfg), origins);
  if (!risks) return risks.error();
  for (const auto& at : *risks) {
    for (const auto& r : at) {
      const auto fell = Fell(index, r.unit, r.origin, worse);
      if (fell && !IsNa(r.p)) c.Add(r.p >= w.p, *fell);
    }
  }
  return Ok();
}

//! An annual rule at each origin, on the stored series as of that year, against the index falling
//! the year after.
void AnnualCells(const WarnConfig& cfg, const method::WarnRule& w, const Stored& s, const IndexByYear& index,
                 const method::Forecast& worse, Cells& c) {
  for (const auto& [unit, series] : s.units) {
    for (int y = std::max(cfg.first_origin, s.first); y <= cfg.last_origin; ++y) {
      const auto fell = Fell(index, unit, y, worse);
      const auto t = static_cast<std::size_t>(y - s.first);
      if (fell && t < s.points) c.Add(Apply(w, series.y, t).fires, *fell);
    }
  }
}

//! Months of each unit with a known surge (year · 12 + month − 1): the anomaly rules' truth.
using Surges = std::set<std::pair<std::string, int>>;

//! "YYYY-MM" as year · 12 + month − 1.
std::optional<int> MonthIndex(const std::string& period) {
  if (period.size() != 7 || period[4] != '-') return std::nullopt;
  for (std::size_t i : {0, 1, 2, 3, 5, 6}) {
    if (period[i] < '0' || period[i] > '9') return std::nullopt;
  }
  const int month = std::stoi(period.substr(5));
  if (month < 1 || month > 12) return std::nullopt;
  return std::stoi(period.substr(0, 4)) * 12 + month - 1;
}

//! The known surges of `path` (columns unit and period; others are ignored); a unit that is not one
//! of `countries` or a period that is not a month is an error at its row.
Result<Surges> ReadSurges(const std::string& path, const std::vector<std::string>& countries) {
  auto t = ReadTextTable(path);
  if (!t) return t.error();
  const int u = t->Column("unit"), p = t->Column("period");
  if (u < 0 || p < 0) return Error{Errc::kBadHeader, "the surges file needs the columns unit and period", path, 1, 1};
  const std::set<std::string> known(countries.begin(), countries.end());
  Surges out;
  for (std::size_t r = 0; r < t->rows.size(); ++r) {
    const std::string& unit = t->rows[r][static_cast<std::size_t>(u)];
    const std::string& period = t->rows[r][static_cast<std::size_t>(p)];
    if (!known.count(unit)) {
      return Error{Errc::kBadReference,
                   fmt::format("unit \"{}\" is not a country code of the store (ISO3, as gpsi events stores)", unit),
                   path, t->lines[r], u + 1};
    }
    const auto month = MonthIndex(period);
    if (!month) {
      return Error{Errc::kBadReference, fmt::format("period \"{}\" is not a month YYYY-MM", period), path, t->lines[r],
                   p + 1};
    }
    out.emplace(unit, *month);
  }
  return out;
}

//! An anomaly rule at each month of the origins' years that has a value and `window` months of
//! the stored series before it, against the known surges.
void MonthlyCells(const WarnConfig& cfg, const method::WarnRule& w, const Stored& s, const Surges& truth, Cells& c) {
  for (const auto& [unit, series] : s.units) {
    for (auto t = static_cast<std::size_t>(w.window); t < s.points; ++t) {
      const int year = s.first + static_cast<int>(t / 12);
      if (year < cfg.first_origin || year > cfg.last_origin || IsNa(series.y[t])) continue;
      c.Add(Apply(w, series.y, t).fires, truth.count({unit, s.first * 12 + static_cast<int>(t)}) > 0);
    }
  }
}

std::string SkillCsv(const std::vector<RuleSkill>& skill) {
  CsvWriter csv;
  csv.Header({"id", "rule", "cells", "warnings", "events", "hits", "precision", "recall"});
  for (const auto& k : skill) {
    csv.Add(TableCell::Ref(k.id), TableCell::Ref(k.rule), TableCell::Int(static_cast<long long>(k.cells)),
            TableCell::Int(static_cast<long long>(k.warnings)), TableCell::Int(static_cast<long long>(k.events)),
            TableCell::Int(static_cast<long long>(k.hits)), TableCell::Real(k.precision), TableCell::Real(k.recall));
  }
  return csv.text();
}

//! The track record of every rule that can be scored; the index is built only for the annual and
//! forecast rules, and an anomaly rule needs `truth`.
Result<WarnSummary> Backtest(const WarnConfig& cfg, const method::Method& m, Store& store,
                             const std::optional<Surges>& truth) {
  IndexByYear index;
  if (std::any_of(m.warn.begin(), m.warn.end(), [](const auto& w) { return w.rule != "anomaly"; })) {
    auto built = IndexHistory(cfg, m);
    if (!built) return built.error();
    index = std::move(*built);
  }
  const auto countries = Countries(store);
  const method::Forecast& worse = m.forecast;
  WarnSummary sum;
  for (const auto& w : m.warn) {
    Cells c;
    if (w.rule == "anomaly" && !truth) {
      // The shared GDELT sample is 15 minutes of news: no monthly history (docs/forecasting.md).
      sum.unscored.push_back(fmt::format("{} ({}): no known surges to score it against (--surges FILE)", w.id, w.rule));
      continue;
    }
    if (w.rule == "anomaly") {
      MonthlyCells(cfg, w, ReadStored(store, countries, w.reads, true), *truth, c);
    } else if (w.rule == "forecast") {
      if (auto st = ForecastCells(cfg, w, index, worse, c); !st) return st.error();
    } else {
      AnnualCells(cfg, w, ReadStored(store, countries, w.reads, false), index, worse, c);
    }
    sum.skill.push_back(SkillOf(w, c));
  }
  const fs::path file = fs::path(cfg.out_dir) / "warn_skill.csv";
  if (auto st = detail::WriteFile(file, SkillCsv(sum.skill)); !st) return st.error();
  sum.files.push_back(file.string());
  return sum;
}

//! The usage errors of a configuration, before anything is read or written.
Status CheckOptions(const WarnConfig& cfg, const method::Method& m) {
  if (m.warn.empty()) return Error{Errc::kUsage, "the method has no [[warn]] rules"};
  if (cfg.backtest && cfg.first_origin > cfg.last_origin) {
    return Error{Errc::kUsage, "--origins must be A:B with A ≤ B"};
  }
  if (cfg.backtest && cfg.out_dir.empty()) return Error{Errc::kUsage, "a backtest needs --out DIR for warn_skill.csv"};
  if (cfg.surges.empty()) return Ok();
  if (!cfg.backtest) return Error{Errc::kUsage, "--surges is the truth of a backtest: add --backtest"};
  if (std::none_of(m.warn.begin(), m.warn.end(), [](const auto& w) { return w.rule == "anomaly"; })) {
    return Error{Errc::kUsage, "--surges scores anomaly rules: the method has none"};
  }
  return Ok();
}

}  // namespace

std::string WarningsCsv(const std::vector<Warning>& ws) {
  CsvWriter csv;
  csv.Header({"unit", "id", "rule", "severity", "code", "period", "value", "baseline", "score", "source", "file_sha256",
              "line", "message"});
  for (const auto& w : ws) {
    csv.Add(TableCell::Ref(w.unit), TableCell::Ref(w.id), TableCell::Ref(w.rule), TableCell::Ref(w.severity),
            TableCell::Ref(w.code), TableCell::Ref(w.period), TableCell::Real(w.value), TableCell::Real(w.baseline),
            TableCell::Real(w.score), TableCell::Ref(w.source), TableCell::Ref(w.file_sha256),
            TableCell::Positive(w.line), TableCell::Ref(w.message));
  }
  return csv.text();
}

Result<WarnSummary> Warn(const WarnConfig& cfg) {
  return detail::Guarded([&]() -> Result<WarnSummary> {
    auto m = method::LoadMethod(cfg.build.method_path, cfg.build.sets);
    if (!m) return m.error();
    if (auto st = CheckOptions(cfg, *m); !st) return st.error();
    auto store = OpenExisting(cfg.build.db_path);
    if (!store) return store.error();
    std::optional<Surges> truth;  // read before anything is written: a bad file leaves no output
    if (!cfg.surges.empty()) {
      auto read = ReadSurges(cfg.surges, Countries(**store));
      if (!read) return read.error();
      truth = std::move(*read);
    }
    if (!cfg.out_dir.empty()) {
      std::error_code ec;
      fs::create_directories(cfg.out_dir, ec);
      if (ec) return Error{Errc::kWrite, fmt::format("cannot create the output folder: {}", ec.message()), cfg.out_dir};
    }
    auto sum = cfg.backtest ? Backtest(cfg, *m, **store, truth) : LatestWarnings(cfg, *m, **store);
    if (!sum) return sum.error();
    for (const auto& w : m->warn) {
      sum->rules.push_back(WarnRuleInfo{w.id, w.rule, w.reads, w.severity, w.window, w.factor, w.z, w.min, w.p});
    }
    return sum;
  });
}

}  // namespace gpsi::engine
