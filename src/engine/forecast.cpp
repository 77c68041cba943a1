// gpsi forecast: the method's indicators as annual series per country (read by a build of the
// method over a longer history), forecast past the last year by forecast::Fit, or backtested at
// rolling origins with every model scored on the same cells.
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <numeric>
#include <optional>
#include <set>
#include <thread>
#include <tuple>

#include "detail/built.hpp"
#include "detail/deterioration.hpp"
#include "detail/forecast_tail.hpp"
#include "detail/guard.hpp"
#include "detail/limits.hpp"
#include "detail/output.hpp"
#include "detail/parallel.hpp"
#include "engine.hpp"
#include "forecast.hpp"

namespace gpsi::engine {
namespace {

namespace fs = std::filesystem;
using compute::IsNa;
using compute::kNa;
using forecast::Model;

//! The context series the pooled model learns from (ARCHITECTURE's context data), read from the
//! store as resolved, with the transform that makes each roughly linear in its effect.
struct ContextSeries {
  const char* code;
  bool log;
};
constexpr ContextSeries kContext[] = {
    {"wgi_rl_est", false},
    {"wgi_pv_est", false},
    {"gdp_per_capita_ppp", true},
    {"urban_population_pct", false},
    {"unemployment_modelled_pct", false},
    {"ucdp_total_deaths", true},
};

//! One indicator of the method as a forecast series.
struct Series {
  std::string code;
  forecast::SeriesPanel panel;
  int carry = 0;       //!< the years the method carries a value forward (locf)
  bool count = false;  //!< the count an indicator divides by its denominator (code "<indicator>.count")
};

struct Panels {
  detail::Built built;  //!< the method's build over the whole history
  std::vector<std::string> units;
  std::vector<Series> series;
  std::vector<std::size_t> series_of_col;  //!< per indicator column: its series, npos for a monitor
  std::vector<std::size_t> counts;         //!< the count series (not part of the index's draws)
  //! Per series: the Rng stream its draws share with the other indicators of its dimension (its
  //! parent node), so that one draw's indicators of one dimension err together.
  std::vector<std::uint64_t> group_of_series;
  std::vector<std::size_t> unit_of_row;                       //!< per build row: its unit in `units`
  std::map<std::pair<std::size_t, int>, std::size_t> row_at;  //!< (unit, year) → build row
  forecast::Context context;
  int last_year = 0;
};

//! What an indicator's values allow: a fixed scale when it is read untransformed with goalposts
//! that hold every value; ≥ 0 when no value is negative.
forecast::Scale ScaleOf(const method::Node& n, const forecast::SeriesPanel& p) {
  double lo = INFINITY, hi = -INFINITY;
  for (double v : p.y) {
    if (!forecast::IsNa(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  }
  if (!n.log && n.denominator.empty() && n.goal_lo && n.goal_hi && lo >= *n.goal_lo && hi <= *n.goal_hi) {
    return {forecast::Support::kBounded, *n.goal_lo, *n.goal_hi};
  }
  return {lo >= 0 ? forecast::Support::kNonNegative : forecast::Support::kReal, 0, 0};
}

//! The count a per-capita indicator divides (its raw value: deaths, not deaths per 100,000; for a
//! lag-weighted indicator each year's own count, not the window's mean), as a series with count
//! distributions, when every value read is a whole number ≥ 0.
std::optional<Series> CountSeries(const detail::Built& b, std::size_t j, const method::Node& n, const Panels& out,
                                  const std::map<std::string, std::size_t>& unit_index, int first, int carry) {
  if (n.denominator.empty()) return std::nullopt;
  const bool windowed = !n.lag_weights.empty();
  if (windowed && b.annual.cols() == 0) return std::nullopt;
  const compute::Matrix& counts = windowed ? b.annual : b.raw;
  Series s{n.code + ".count",
           forecast::SeriesPanel(out.units.size(), first, static_cast<std::size_t>(out.last_year - first + 1),
                                 {forecast::Support::kCount, 0, 0}),
           carry, true};
  for (std::size_t r = 0; r < b.row_unit.size(); ++r) {
    const double v = counts(r, j);
    // Only where the rate is read too: the count is the rate's numerator, not a series of its own.
    if (IsNa(v) || IsNa(b.denominated(r, j))) continue;
    if (v < 0 || v != std::floor(v)) return std::nullopt;
    s.panel.at_mut(unit_index.at(b.row_unit[r]), b.row_year[r]) = v;
  }
  return s;
}

//! The method's scored indicators per unit and year of the build, on their display scale (a
//! rate, not its logarithm), as read before imputation: carried values are not data to learn from.
void ReadSeries(Panels& out, const std::map<std::string, std::size_t>& unit_index, int first) {
  const detail::Built& b = out.built;
  const auto& pl = b.method.pipeline;
  // The matrices' columns are the indicator nodes in node order.
  std::vector<const method::Node*> inds;
  for (const auto& n : b.method.nodes) {
    if (n.indicator) inds.push_back(&n);
  }
  out.series_of_col.assign(inds.size(), SIZE_MAX);
  for (std::size_t j = 0; j < inds.size(); ++j) {
    const method::Node& n = *inds[j];
    if (n.monitor) continue;
    out.series_of_col[j] = out.series.size();
    out.group_of_series.push_back(static_cast<std::uint64_t>(b.method.Find(n.parent)));
    const int carry = pl.impute != method::Impute::kLocf ? 0 : n.carry >= 0 ? n.carry : pl.locf_years;
    Series s{n.code,
             forecast::SeriesPanel(out.units.size(), first, static_cast<std::size_t>(out.last_year - first + 1)),
             carry};
    for (std::size_t r = 0; r < b.row_unit.size(); ++r) {
      const double v = b.denominated(r, j);
      if (!IsNa(v)) s.panel.at_mut(unit_index.at(b.row_unit[r]), b.row_year[r]) = n.log ? std::expm1(v) : v;
    }
    s.panel.scale = ScaleOf(n, s.panel);
    out.series.push_back(std::move(s));
    if (auto c = CountSeries(b, j, n, out, unit_index, first, carry)) {
      out.counts.push_back(out.series.size());
      out.group_of_series.push_back(out.group_of_series.back());
      out.series.push_back(std::move(*c));
    }
  }
}

//! The context covariates (kContext), straight from the store, beside the series.
Status ReadContext(const std::string& db_path, Panels& out, const std::map<std::string, std::size_t>& unit_index,
                   int first) {
  auto store = OpenExisting(db_path);
  if (!store) return store.error();
  forecast::Context& ctx = out.context;
  const auto years = static_cast<std::size_t>(out.last_year - first + 1);
  ctx.k = std::size(kContext);
  ctx.x.assign(out.units.size() * years * ctx.k, kNa);
  std::map<std::string, std::size_t> code_index;
  for (std::size_t k = 0; k < ctx.k; ++k) code_index[kContext[k].code] = k, ctx.names.emplace_back(kContext[k].code);
  CellFilter filter{out.units, ctx.names, first, out.last_year};
  (*store)->ResolvedValues(filter, [&](const CellValue& c) {
    const auto u = unit_index.find(std::string(c.unit));
    const auto k = code_index.find(std::string(c.indicator));
    if (u == unit_index.end() || k == code_index.end()) return;
    const double v = kContext[k->second].log ? std::log1p(std::max(c.value, 0.0)) : c.value;
    ctx.x[(u->second * years + static_cast<std::size_t>(c.year - first)) * ctx.k + k->second] = v;
  });
  return Ok();
}

//! Builds the method over `history_from` to its last year and reads its series and the context.
Result<Panels> ReadPanels(const ForecastConfig& cfg) {
  auto m = method::LoadMethod(cfg.build.method_path, cfg.build.sets);
  if (!m) return m.error();
  if (m->pipeline.year_to == 9999) return Error{Errc::kUsage, "forecast needs a method with pipeline.years"};
  BuildConfig bc = cfg.build;
  bc.out_dir.clear();
  bc.sets.push_back(fmt::format("pipeline.years={}:{}", cfg.history_from, m->pipeline.year_to));
  auto built = detail::BuildIndex(bc);
  if (!built) return built.error();
  Panels out;
  out.built = std::move(*built);
  const detail::Built& b = out.built;
  out.units = b.row_unit;
  std::sort(out.units.begin(), out.units.end());
  out.units.erase(std::unique(out.units.begin(), out.units.end()), out.units.end());
  const int first = *std::min_element(b.row_year.begin(), b.row_year.end());
  out.last_year = *std::max_element(b.row_year.begin(), b.row_year.end());
  std::map<std::string, std::size_t> unit_index;
  for (std::size_t u = 0; u < out.units.size(); ++u) unit_index[out.units[u]] = u;
  for (std::size_t r = 0; r < b.row_unit.size(); ++r) {
    out.unit_of_row.push_back(unit_index[b.row_unit[r]]);
    out.row_at[{out.unit_of_row.back(), b.row_year[r]}] = r;
  }
  ReadSeries(out, unit_index, first);
  if (auto st = ReadContext(cfg.build.db_path, out, unit_index, first); !st) return st.error();
  return out;
}

//! Runs task(i) for i in [0, n) on `threads` threads.
template <class F>
void ForEachTask(std::size_t n, int threads, F&& task) {
  std::atomic<std::size_t> next{0};
  const unsigned t = threads > 0 ? static_cast<unsigned>(threads) : std::max(1u, std::thread::hardware_concurrency());
  detail::ForEachThread(t, [&](unsigned) {
    for (std::size_t i = next++; i < n; i = next++) task(i);
  });
}

//! The models' settings for a series: a country is forecast where its latest value is at most 5
//! years old, or as old as the method carries it (a law observed once stays in force).
forecast::ModelSettings Settings(const ForecastConfig& cfg, const Series& series) {
  forecast::ModelSettings s;
  s.max_horizon = cfg.horizon;
  s.max_age = std::max(s.max_age, series.carry);
  s.window = std::max(s.window, s.max_age + 1);
  return s;
}

//! One forecast row of a node (an indicator on its display scale, or an aggregate's score) over
//! the draws that have a value; none when no draw has (a country screened out in every draw).
std::optional<ForecastRow> Row(std::string_view unit, std::string_view code, int year, std::span<const double> draws) {
  std::vector<double> have;
  for (double v : draws) {
    if (!IsNa(v)) have.push_back(v);
  }
  if (have.empty()) return std::nullopt;
  const forecast::Summary q = forecast::Summarise(have);
  return ForecastRow{std::string(unit), std::string(code), year, q.mean, q.median, q.p05, q.p25, q.p75, q.p95};
}

//! Models that apply to every series the index is made of (negbin needs counts).
std::vector<Model> IndexModels(const Panels& p) {
  std::vector<Model> out;
  for (Model m : forecast::kModels) {
    bool all = true;
    for (const Series& s : p.series) all = all && (s.count || forecast::Applies(m, s.panel.scale.support));
    if (all) out.push_back(m);
  }
  return out;
}

constexpr std::size_t kChunk = 256;  //!< draws per Rng stream block: any block can be drawn again alone

//! Draws [first, first + out.size()) of one series (first a multiple of kChunk), block by block.
void DrawBlocks(const forecast::Fit& fit, Model m, std::size_t u, int origin, int h, std::uint64_t seed,
                std::uint64_t group, std::size_t first, std::span<double> out) {
  for (std::size_t k = 0; k < out.size(); k += kChunk) {
    Rng rng(seed, forecast::Stream(u, origin, h, m, group, (first + k) / kChunk));
    fit.Draw(m, u, h, rng, out.subspan(k, std::min(kChunk, out.size() - k)));
  }
}

//! Every indicator column's draws [first, first + n) of unit u; empty where it is not forecast.
void DrawUnit(const Panels& p, const std::vector<forecast::Fit>& fits, Model m, std::size_t u, int origin, int h,
              std::uint64_t seed, std::size_t first, std::size_t n, std::vector<std::vector<double>>& display) {
  display.resize(p.series_of_col.size());
  for (std::size_t j = 0; j < display.size(); ++j) {
    const std::size_t s = p.series_of_col[j];
    display[j].clear();
    if (s == SIZE_MAX || !fits[s].Forecastable(u)) continue;
    display[j].resize(n);
    DrawBlocks(fits[s], m, u, origin, h, seed, p.group_of_series[s], first, display[j]);
  }
}

//! Each unit's index rank over the draws as a histogram, with how often it was in the bottom
//! group: memory flat in the number of draws.
class RankCounts {
 public:
  explicit RankCounts(std::size_t units) : units_(units), hist_(units * (units + 1), 0), bottom_(units, 0) {}

  //! One draw: each unit's index score, NaN where not ranked in the draw.
  void Add(std::span<const double> index, const method::Forecast& f) {
    std::vector<std::size_t> all(units_);
    std::iota(all.begin(), all.end(), std::size_t{0});
    std::vector<int> rank(units_);
    compute::RankRows(index, all, rank);
    const auto n = static_cast<int>(std::count_if(rank.begin(), rank.end(), [](int r) { return r > 0; }));
    for (std::size_t q = 0; q < units_; ++q) {
      if (rank[q] == 0) continue;
      ++hist_[q * (units_ + 1) + static_cast<std::size_t>(rank[q])];
      // The worst group: the last `bottom` ranks of a security index, the first of a risk index.
      const bool worst = f.higher_worse ? rank[q] <= f.bottom : rank[q] > n - f.bottom;
      bottom_[q] += worst ? 1 : 0;
    }
  }
  std::size_t Ranked(std::size_t q) const {
    return std::accumulate(hist_.begin() + static_cast<std::ptrdiff_t>(q * (units_ + 1)),
                           hist_.begin() + static_cast<std::ptrdiff_t>((q + 1) * (units_ + 1)), std::size_t{0});
  }
  std::size_t Bottom(std::size_t q) const { return bottom_[q]; }
  //! R's type-7 quantile of unit q's ranks; NaN if never ranked.
  double Quantile(std::size_t q, double prob) const {
    const std::size_t n = Ranked(q);
    if (n == 0) return kNa;
    const double h = (static_cast<double>(n) - 1) * prob;
    const auto lo = static_cast<std::size_t>(std::floor(h));
    const double a = Order(q, lo), b = Order(q, std::min(lo + 1, n - 1));
    return a + (h - static_cast<double>(lo)) * (b - a);
  }

 private:
  //! The k-th smallest rank of unit q (0-based).
  double Order(std::size_t q, std::size_t k) const {
    std::size_t seen = 0;
    for (std::size_t r = 1; r <= units_; ++r) {
      seen += hist_[q * (units_ + 1) + r];
      if (seen > k) return static_cast<double>(r);
    }
    return static_cast<double>(units_);
  }
  std::size_t units_;
  std::vector<std::uint32_t> hist_;
  std::vector<std::size_t> bottom_;
};

//! The second pass over the draws: block by block, every unit's index score in each draw (drawn
//! again from the same streams), ranked per draw into RankCounts.
RankCounts RankDraws(const ForecastConfig& cfg, const Panels& p, const detail::ForecastTail& tail,
                     const std::vector<forecast::Fit>& fits, const std::vector<std::size_t>& rows, Model model,
                     int origin, int h, std::uint64_t seed) {
  const auto& m = p.built.method;
  const auto top = static_cast<std::size_t>(m.Top());
  RankCounts counts(rows.size());
  for (std::size_t first = 0; first < cfg.draws; first += kChunk) {
    const std::size_t n = std::min(kChunk, cfg.draws - first);
    compute::Matrix index(rows.size(), n);
    ForEachTask(rows.size(), cfg.threads, [&](std::size_t q) {
      const std::size_t r = rows[q];
      std::vector<std::vector<double>> display;
      compute::Matrix scores(n, m.nodes.size());
      std::vector<char> ranked(n);
      DrawUnit(p, fits, model, p.unit_of_row[r], origin, h, seed, first, n, display);
      tail.Score(r, origin + h, display, scores, ranked);
      for (std::size_t d = 0; d < n; ++d) index(q, d) = ranked[d] ? scores(d, top) : kNa;
    });
    for (std::size_t d = 0; d < n; ++d) counts.Add(index.Col(d), m.forecast);
  }
  return counts;
}

//! What a forecast works on: the method's tail, each series' fit at the origin, the build's rows
//! of the origin year (the units forecast).
struct Prepared {
  detail::ForecastTail tail;
  std::vector<forecast::Fit> fits;
  std::vector<std::size_t> rows;
  int origin = 0;
};

Result<Prepared> Prepare(const ForecastConfig& cfg, const Panels& p, int origin) {
  auto tail = detail::ForecastTail::Of(p.built);
  if (!tail) return tail.error();
  Prepared out{std::move(*tail), {}, {}, origin};
  for (const Series& s : p.series) out.fits.push_back(forecast::Fit::At(s.panel, p.context, origin, Settings(cfg, s)));
  for (std::size_t r = 0; r < p.built.row_year.size(); ++r) {
    if (p.built.row_year[r] == origin) out.rows.push_back(r);
  }
  return out;
}

//! The first pass of a forecast, unit by unit (one unit's draws in memory per thread): the rows of
//! forecasts.csv (appended to `out`), and per unit and horizon in how many draws it is ranked (`second`) with its
//! index score down by forecast.deterioration or more (`first`).
std::vector<std::pair<std::size_t, std::size_t>> ForecastUnits(const ForecastConfig& cfg, const Panels& p,
                                                               const Prepared& prep, Model model,
                                                               std::vector<ForecastRow>& out) {
  const detail::Built& b = p.built;
  const auto& m = b.method;
  const std::size_t top = static_cast<std::size_t>(m.Top()), nn = m.nodes.size(),
                    H = static_cast<std::size_t>(cfg.horizon);
  std::vector<std::vector<ForecastRow>> lines(prep.rows.size());
  std::vector<std::pair<std::size_t, std::size_t>> worse(prep.rows.size() * H);
  ForEachTask(prep.rows.size(), cfg.threads, [&](std::size_t q) {
    const std::size_t r = prep.rows[q], u = p.unit_of_row[r];
    std::vector<std::vector<double>> display;
    compute::Matrix scores(cfg.draws, nn);
    std::vector<char> ranked(cfg.draws);
    for (int h = 1; h <= cfg.horizon; ++h) {
      DrawUnit(p, prep.fits, model, u, prep.origin, h, cfg.seed, 0, cfg.draws, display);
      for (std::size_t j = 0; j < display.size(); ++j) {
        if (display[j].empty()) continue;
        const std::string& code = p.series[p.series_of_col[j]].code;
        if (auto row = Row(p.units[u], code, prep.origin + h, display[j])) lines[q].push_back(*row);
      }
      for (const std::size_t c : p.counts) {
        if (!prep.fits[c].Forecastable(u)) continue;
        std::vector<double> draws(cfg.draws);
        DrawBlocks(prep.fits[c], model, u, prep.origin, h, cfg.seed, p.group_of_series[c], 0, draws);
        if (auto row = Row(p.units[u], p.series[c].code, prep.origin + h, draws)) lines[q].push_back(*row);
      }
      prep.tail.Score(r, prep.origin + h, display, scores, ranked);
      for (std::size_t node = p.series_of_col.size(); node < nn; ++node) {
        if (auto row = Row(p.units[u], m.nodes[node].code, prep.origin + h, scores.Col(node))) lines[q].push_back(*row);
      }
      auto& [down, of] = worse[q * H + static_cast<std::size_t>(h - 1)];
      for (std::size_t d = 0; d < cfg.draws; ++d) {
        if (!ranked[d]) continue;
        ++of;
        down += m.forecast.Deteriorated(b.scores(r, top), scores(d, top)) ? 1 : 0;
      }
    }
  });
  for (auto& unit : lines) std::move(unit.begin(), unit.end(), std::back_inserter(out));
  return worse;
}

//! outlook.csv, per forecast year and unit, over the draws in which the unit is ranked:
//! P(score ≤ last score − deterioration), P(rank in the bottom group), the rank's quantiles.
std::vector<OutlookRow> Outlook(const ForecastConfig& cfg, const Panels& p, const Prepared& prep, Model model,
                                const std::vector<std::pair<std::size_t, std::size_t>>& worse) {
  const detail::Built& b = p.built;
  const auto top = static_cast<std::size_t>(b.method.Top());
  std::vector<OutlookRow> out;
  for (int h = 1; h <= cfg.horizon; ++h) {
    const RankCounts ranks = RankDraws(cfg, p, prep.tail, prep.fits, prep.rows, model, p.last_year, h, cfg.seed);
    for (std::size_t q = 0; q < prep.rows.size(); ++q) {
      const std::size_t r = prep.rows[q];
      const auto [down, of] = worse[q * static_cast<std::size_t>(cfg.horizon) + static_cast<std::size_t>(h - 1)];
      const double n = static_cast<double>(of);
      const double last = b.scores(r, top);
      out.push_back(OutlookRow{b.row_unit[r], p.last_year + h, last, b.ranks[top][r],
                               of == 0 || IsNa(last) ? kNa : static_cast<double>(down) / n,
                               of == 0 ? kNa : static_cast<double>(ranks.Bottom(q)) / n, ranks.Quantile(q, 0.5),
                               ranks.Quantile(q, 0.05), ranks.Quantile(q, 0.95)});
    }
  }
  return out;
}

std::string OutlookCsv(const std::vector<OutlookRow>& rows) {
  CsvWriter csv;
  csv.Header({"unit", "year", "last_score", "last_rank", "p_deterioration", "p_bottom", "rank_median", "rank_p05",
              "rank_p95"});
  for (const auto& o : rows) {
    csv.Add(TableCell::Ref(o.unit), TableCell::Int(o.year), TableCell::Real(o.last_score),
            TableCell::Positive(o.last_rank), TableCell::Real(o.p_deterioration), TableCell::Real(o.p_bottom),
            TableCell::Real(o.rank_median), TableCell::Real(o.rank_p05), TableCell::Real(o.rank_p95));
  }
  return csv.text();
}

//! The forecasts of every unit of the last data year with `model`; forecasts.csv and outlook.csv
//! in cfg.out_dir unless it is empty.
Result<ForecastSummary> MakeForecasts(const ForecastConfig& cfg, const Panels& p, Model model) {
  const auto usable = IndexModels(p);
  if (std::find(usable.begin(), usable.end(), model) == usable.end()) {
    return Error{Errc::kUsage, fmt::format("the {} model does not apply to every indicator of the method (negbin "
                                           "needs counts)",
                                           forecast::ToString(model))};
  }
  auto prep = Prepare(cfg, p, p.last_year);
  if (!prep) return prep.error();
  ForecastSummary sum;
  sum.origin = p.last_year, sum.series = p.series.size() - p.counts.size();
  const auto worse = ForecastUnits(cfg, p, *prep, model, sum.rows);
  sum.outlook = Outlook(cfg, p, *prep, model, worse);
  if (cfg.out_dir.empty()) return sum;
  const fs::path dir(cfg.out_dir);
  for (const auto& [name, text] : {std::pair<std::string, std::string>{"forecasts.csv", ForecastsCsv(sum.rows)},
                                   {"outlook.csv", OutlookCsv(sum.outlook)}}) {
    if (auto st = detail::WriteFile(dir / name, text); !st) return st.error();
    sum.files.push_back((dir / name).string());
  }
  return sum;
}

//! Ignorance bins of a series: its deciles over the years before the first origin (fixed for
//! every origin, so no origin's bins see its future).
std::vector<double> Bins(const forecast::SeriesPanel& p, int before) {
  std::vector<double> v;
  for (std::size_t u = 0; u < p.units; ++u) {
    for (int y = p.first_year; y <= before; ++y) {
      if (!forecast::IsNa(p.at(u, y))) v.push_back(p.at(u, y));
    }
  }
  std::sort(v.begin(), v.end());
  std::vector<double> edges;
  for (int d = 1; d <= 9 && !v.empty(); ++d) {
    const double e = compute::QuantileType7(v, d / 10.0);
    if (edges.empty() || e > edges.back()) edges.push_back(e);
  }
  return edges;
}

//! The index-level backtest of one origin: every model's draws of every series carried through
//! the method (ForecastTail) to each aggregate's score, scored against the score the build gave
//! the outcome year (one Scoreboard per aggregate, in node order); and the mean absolute error of
//! the median predicted index rank, per model and horizon.
struct IndexBacktest {
  std::vector<forecast::Scoreboard> boards;
  std::vector<double> rank_error;   //!< [model · H + h − 1]: Σ |median rank − rank|
  std::vector<std::size_t> ranked;  //!< the same: how many
};

//! The indicator columns below aggregate node k.
std::vector<std::size_t> Leaves(const method::Method& m, std::size_t k) {
  std::vector<std::size_t> out;
  for (int c : m.Children(static_cast<int>(k))) {
    const auto child = static_cast<std::size_t>(c);
    if (m.nodes[child].indicator) {
      out.push_back(child);
    } else {
      auto below = Leaves(m, child);
      out.insert(out.end(), below.begin(), below.end());
    }
  }
  return out;
}

//! Which indicators a cell's draws have a score for (those of its first draw not screened out).
std::vector<char> Composition(const compute::Matrix& scores, std::size_t ni) {
  std::vector<char> has(ni, 0);
  for (std::size_t d = 0; d < scores.rows(); ++d) {
    bool any = false;
    for (std::size_t j = 0; j < ni; ++j) has[j] = !IsNa(scores(d, j)), any = any || has[j];
    if (any) break;
  }
  return has;
}

//! Whether the outcome row's score of an aggregate is made of the same indicators as the forecast's:
//! an indicator first published after the origin (the cyber indices from 2020) changes what the
//! aggregate measures, which no forecast made at the origin can know; such cells are not scored.
bool SameIndicators(const detail::Built& b, const std::vector<std::size_t>& leaves, const std::vector<char>& has,
                    std::size_t outcome_row) {
  return std::all_of(leaves.begin(), leaves.end(),
                     [&](std::size_t j) { return (has[j] != 0) == !IsNa(b.scores(outcome_row, j)); });
}

//! One cell of the index-level backtest (unit of build row r, outcome row `later`, h years after
//! `origin`): every model's draws carried to every aggregate, each aggregate scored where the
//! outcome has a score made of the same indicators.
void ScoreCell(const ForecastConfig& cfg, const Panels& p, const Prepared& prep, const std::vector<Model>& models,
               std::size_t r, std::size_t later, int origin, int h, std::uint64_t seed, IndexBacktest& out) {
  const detail::Built& b = p.built;
  const std::size_t ni = p.series_of_col.size(), nn = b.method.nodes.size();
  std::vector<std::vector<double>> display;
  compute::Matrix scores(cfg.draws, nn);
  std::vector<char> ranked(cfg.draws), forecast_has;
  // draws[k][model]: aggregate k's draws (those with a score) from each model.
  std::vector<std::vector<std::vector<double>>> draws(nn - ni, std::vector<std::vector<double>>(models.size()));
  for (std::size_t mi = 0; mi < models.size(); ++mi) {
    DrawUnit(p, prep.fits, models[mi], p.unit_of_row[r], origin, h, seed, 0, cfg.draws, display);
    prep.tail.Score(r, origin + h, display, scores, ranked);
    if (mi == 0) forecast_has = Composition(scores, ni);
    for (std::size_t k = ni; k < nn; ++k) {
      for (double v : scores.Col(k)) {
        if (!IsNa(v)) draws[k - ni][mi].push_back(v);
      }
    }
  }
  for (std::size_t k = ni; k < nn; ++k) {
    const double y = b.scores(later, k);
    const auto& d = draws[k - ni];
    if (IsNa(y) || std::any_of(d.begin(), d.end(), [](const auto& v) { return v.empty(); })) continue;
    if (!SameIndicators(b, Leaves(b.method, k), forecast_has, later)) continue;
    // The index's event: its score worse by forecast.deterioration or more than the origin's.
    std::optional<forecast::Scoreboard::Event> event;
    const double base = b.scores(r, k);
    if (k == static_cast<std::size_t>(b.method.Top()) && !IsNa(base)) {
      const auto& f = b.method.forecast;
      event = forecast::Scoreboard::Event{f.DeterioratedAt(base), f.higher_worse};
    }
    out.boards[k - ni].Add(origin, h, draws[k - ni], y, event);
  }
}

IndexBacktest BacktestOrigin(const ForecastConfig& cfg, const Panels& p, int origin, std::uint64_t seed) {
  const detail::Built& b = p.built;
  const std::size_t ni = p.series_of_col.size(), nn = b.method.nodes.size();
  const auto top = static_cast<std::size_t>(b.method.Top());
  const std::vector<Model> models = IndexModels(p);
  const std::size_t nm = models.size(), H = static_cast<std::size_t>(cfg.horizon);
  IndexBacktest out;
  for (std::size_t k = ni; k < nn; ++k) out.boards.emplace_back(models, cfg.horizon, std::vector<double>{});
  out.rank_error.assign(nm * H, 0), out.ranked.assign(nm * H, 0);
  auto prep = Prepare(cfg, p, origin);
  if (!prep) return out;  // WriteBacktest checked the method before
  for (const std::size_t r : prep->rows) {
    for (int h = 1; h <= cfg.horizon; ++h) {
      const auto later = p.row_at.find({p.unit_of_row[r], origin + h});
      if (later != p.row_at.end()) ScoreCell(cfg, p, *prep, models, r, later->second, origin, h, seed, out);
    }
  }
  // Ranks: per draw among the countries ranked in it (a second pass over the draws, on this
  // origin's thread); the median against the outcome's rank.
  ForecastConfig one = cfg;
  one.threads = 1;
  for (std::size_t mi = 0; mi < nm; ++mi) {
    for (int h = 1; h <= cfg.horizon; ++h) {
      const auto c = mi * H + static_cast<std::size_t>(h - 1);
      const RankCounts ranks = RankDraws(one, p, prep->tail, prep->fits, prep->rows, models[mi], origin, h, seed);
      for (std::size_t q = 0; q < prep->rows.size(); ++q) {
        const auto later = p.row_at.find({p.unit_of_row[prep->rows[q]], origin + h});
        if (later == p.row_at.end() || b.ranks[top][later->second] <= 0 || ranks.Ranked(q) == 0) continue;
        out.rank_error[c] += std::fabs(ranks.Quantile(q, 0.5) - b.ranks[top][later->second]);
        ++out.ranked[c];
      }
    }
  }
  return out;
}

//! One seed's index-level backtest over every origin (by_origin is origin-major, seed-minor).
IndexBacktest MergeOrigins(std::vector<IndexBacktest>& by_origin, std::size_t origins, std::size_t seeds,
                           std::size_t seed) {
  IndexBacktest all = std::move(by_origin[seed]);
  for (std::size_t o = 1; o < origins; ++o) {
    const IndexBacktest& next = by_origin[o * seeds + seed];
    for (std::size_t k = 0; k < all.boards.size(); ++k) all.boards[k].Merge(next.boards[k]);
    for (std::size_t c = 0; c < all.rank_error.size(); ++c) {
      all.rank_error[c] += next.rank_error[c], all.ranked[c] += next.ranked[c];
    }
  }
  return all;
}

//! scoreboard.csv's columns: the scores, then the CRPS difference from each model and its p-value.
std::vector<std::string> ScoreboardHeader() {
  std::vector<std::string> header{"code",  "seed",    "model",   "horizon",  "n",      "crps",  "ignorance",
                                  "mis90", "cover50", "cover90", "rank_mae", "events", "brier", "aupr"};
  for (Model b : forecast::kModels) {
    header.push_back(fmt::format("crps_minus_{}", forecast::ToString(b)));
    header.push_back(fmt::format("p_{}", forecast::ToString(b)));
  }
  return header;
}

//! scoreboard.csv's row of one ScoreLine.
std::vector<TableCell> BoardRow(std::string_view code, std::uint64_t seed, const forecast::ScoreLine& l,
                                double rank_mae) {
  std::vector<TableCell> row{TableCell::Ref(code),
                             TableCell::Int(static_cast<long long>(seed)),
                             TableCell::Text(std::string(forecast::ToString(l.model))),
                             TableCell::Int(l.horizon),
                             TableCell::Int(static_cast<long long>(l.n)),
                             TableCell::Real(l.crps),
                             TableCell::Real(l.ignorance),
                             TableCell::Real(l.mis90),
                             TableCell::Real(l.cover50),
                             TableCell::Real(l.cover90),
                             TableCell::Real(rank_mae),
                             l.brier == l.brier ? TableCell::Int(static_cast<long long>(l.events)) : TableCell{},
                             TableCell::Real(l.brier),
                             TableCell::Real(l.aupr)};
  for (std::size_t b = 0; b < l.diff.size(); ++b) {
    row.push_back(TableCell::Real(l.diff[b])), row.push_back(TableCell::Real(l.p_value[b]));
  }
  return row;
}

//! The headline of the chosen model against no-change and the own-history bootstrap: one line per
//! aggregate and horizon, and one per horizon summing up the indicators.
//! `order` places the line: the index first, then the dimensions, then the indicators.
void Headline(std::map<std::tuple<std::size_t, std::string, int>, ForecastHeadline>& head, std::size_t order,
              const std::string& code, const forecast::ScoreLine& l, Model chosen) {
  if (l.model != chosen || l.n == 0) return;
  for (Model base : {Model::kNoChange, Model::kOwnBootstrap}) {
    const auto b = static_cast<std::size_t>(base);
    auto& h = head[{order, std::string(forecast::ToString(base)), l.horizon}];
    h.code = code, h.model = forecast::ToString(chosen), h.baseline = forecast::ToString(base), h.horizon = l.horizon;
    ++h.series;
    h.better += l.diff[b] < 0 ? 1 : 0;
    h.significant += l.diff[b] < 0 && l.p_value[b] < 0.05 ? 1 : 0;
    h.cover90 += l.cover90;
  }
}

Result<ForecastSummary> WriteBacktest(const ForecastConfig& cfg, const Panels& p, Model chosen) {
  // The index needs a method a forecast can carry draws through: refused here, before any work.
  if (auto tail = detail::ForecastTail::Of(p.built); !tail) return tail.error();
  const auto& m = p.built.method;
  const std::size_t ni = p.series_of_col.size(), nn = m.nodes.size(), H = static_cast<std::size_t>(cfg.horizon);
  ForecastSummary sum;
  sum.origin = cfg.last_origin, sum.series = p.series.size() - p.counts.size();
  // Tasks: each series and seed (indicators), then each origin and seed (the index).
  const std::size_t series_tasks = p.series.size() * cfg.seeds;
  const auto origins = static_cast<std::size_t>(cfg.last_origin - cfg.first_origin + 1);
  std::vector<std::vector<forecast::ScoreLine>> lines(series_tasks);
  std::vector<IndexBacktest> by_origin(origins * cfg.seeds);
  ForEachTask(series_tasks + by_origin.size(), cfg.threads, [&](std::size_t t) {
    if (t < series_tasks) {
      const Series& s = p.series[t / cfg.seeds];
      forecast::BacktestConfig bc;
      bc.first_origin = cfg.first_origin, bc.last_origin = cfg.last_origin;
      bc.draws = cfg.draws, bc.seed = cfg.seed + t % cfg.seeds, bc.settings = Settings(cfg, s);
      bc.bins = Bins(s.panel, cfg.first_origin);
      if (s.count) bc.event_at = p.built.method.forecast.count_event;
      lines[t] = forecast::Backtest(s.panel, p.context, bc);
      return;
    }
    const std::size_t i = t - series_tasks;
    by_origin[i] = BacktestOrigin(cfg, p, cfg.first_origin + static_cast<int>(i / cfg.seeds), cfg.seed + i % cfg.seeds);
  });
  CsvWriter csv;
  csv.Header(ScoreboardHeader());
  std::map<std::tuple<std::size_t, std::string, int>, ForecastHeadline> head;
  const std::vector<Model> index_models = IndexModels(p);
  for (std::size_t seed = 0; seed < cfg.seeds; ++seed) {
    // The aggregates first (index at the top of the file), from every origin's scoreboard merged.
    const IndexBacktest all = MergeOrigins(by_origin, origins, cfg.seeds, seed);
    for (std::size_t k = nn; k-- > ni;) {
      for (const auto& l : all.boards[k - ni].Lines(2000, cfg.seed + seed)) {
        double mae = kNa;
        if (k == static_cast<std::size_t>(m.Top())) {
          const auto mi = static_cast<std::size_t>(std::find(index_models.begin(), index_models.end(), l.model) -
                                                   index_models.begin());
          const std::size_t c = mi * H + static_cast<std::size_t>(l.horizon - 1);
          if (all.ranked[c] > 0) mae = all.rank_error[c] / static_cast<double>(all.ranked[c]);
        }
        csv.Row(BoardRow(m.nodes[k].code, cfg.seed + seed, l, mae));
        if (seed == 0) Headline(head, k == static_cast<std::size_t>(m.Top()) ? 0 : k, m.nodes[k].code, l, chosen);
      }
    }
    for (std::size_t s = 0; s < p.series.size(); ++s) {
      for (const auto& l : lines[s * cfg.seeds + seed]) {
        csv.Row(BoardRow(p.series[s].code, cfg.seed + seed, l, kNa));
        if (seed == 0) Headline(head, nn, "indicators", l, chosen);
      }
    }
  }
  for (auto& [k, h] : head) {
    h.cover90 /= static_cast<double>(std::max<std::size_t>(h.series, 1));
    sum.headline.push_back(h);
  }
  const fs::path file = fs::path(cfg.out_dir) / "scoreboard.csv";
  if (auto st = detail::WriteFile(file, csv.text()); !st) return st.error();
  sum.files.push_back(file.string());
  return sum;
}

Result<Model> ModelOf(const std::string& name, std::string_view where) {
  if (auto m = forecast::ParseModel(name)) return *m;
  std::string known;
  for (Model m : forecast::kModels) known += (known.empty() ? "" : ", ") + std::string(forecast::ToString(m));
  return Error{Errc::kUsage, fmt::format("{}: unknown forecast model '{}' (known: {})", where, name, known)};
}

Status Check(const ForecastConfig& cfg) {
  if (cfg.horizon < 1 || cfg.horizon > 10) return Error{Errc::kUsage, "--horizon must be 1 to 10 years"};
  if (cfg.draws < 10 || cfg.draws > 100'000) {
    return Error{Errc::kUsage, "--draws must be 10 to 100,000 (10,000 take about 6 s)"};
  }
  if (auto st = detail::CheckThreads(cfg.threads); !st) return st.error();
  if (cfg.backtest && (cfg.first_origin > cfg.last_origin || cfg.first_origin < cfg.history_from + 5)) {
    return Error{Errc::kUsage, fmt::format("--origins must be A:B with A ≤ B and A ≥ {}", cfg.history_from + 5)};
  }
  if (cfg.seeds < 1) return Error{Errc::kUsage, "--seeds must be at least 1"};
  if (cfg.backtest && cfg.out_dir.empty()) return Error{Errc::kUsage, "a backtest needs --out DIR for scoreboard.csv"};
  return Ok();
}

}  // namespace

std::string ForecastsCsv(const std::vector<ForecastRow>& rows) {
  CsvWriter csv;
  csv.Header({"unit", "code", "year", "mean", "median", "p05", "p25", "p75", "p95"});
  for (const auto& f : rows) {
    csv.Add(TableCell::Ref(f.unit), TableCell::Ref(f.code), TableCell::Int(f.year), TableCell::Real(f.mean),
            TableCell::Real(f.median), TableCell::Real(f.p05), TableCell::Real(f.p25), TableCell::Real(f.p75),
            TableCell::Real(f.p95));
  }
  return csv.text();
}

namespace detail {

Result<std::vector<std::vector<Risk>>> DeteriorationRisks(const ForecastConfig& cfg, std::span<const int> origins) {
  return Guarded([&]() -> Result<std::vector<std::vector<Risk>>> {
    auto panels = ReadPanels(cfg);
    if (!panels) return panels.error();
    const Panels& p = *panels;
    auto model = ModelOf(p.built.method.forecast.model, "the method's forecast.model");
    if (!model) return model.error();
    ForecastConfig one = cfg;
    one.horizon = 1;
    const auto top = static_cast<std::size_t>(p.built.method.Top());
    std::vector<std::vector<Risk>> out;
    for (int origin : origins) {
      auto prep = Prepare(one, p, origin == 0 ? p.last_year : origin);
      if (!prep) return prep.error();
      std::vector<ForecastRow> ignored;
      const auto worse = ForecastUnits(one, p, *prep, *model, ignored);
      std::vector<Risk> risks;
      for (std::size_t q = 0; q < prep->rows.size(); ++q) {
        const std::size_t r = prep->rows[q];
        const auto [down, of] = worse[q];
        risks.push_back(Risk{p.built.row_unit[r], prep->origin, p.built.scores(r, top),
                             of == 0 ? kNa : static_cast<double>(down) / static_cast<double>(of)});
      }
      out.push_back(std::move(risks));
    }
    return out;
  });
}

}  // namespace detail

Result<ForecastSummary> Forecast(const ForecastConfig& cfg) {
  return detail::Guarded([&]() -> Result<ForecastSummary> {
    auto model = ModelOf(cfg.model, "--model");
    if (!cfg.model.empty() && !model) return model.error();
    if (auto st = Check(cfg); !st) return st.error();
    const auto t0 = std::chrono::steady_clock::now();
    auto panels = ReadPanels(cfg);
    if (!panels) return panels.error();
    if (cfg.model.empty()) model = ModelOf(panels->built.method.forecast.model, "the method's forecast.model");
    if (!model) return model.error();
    if (!cfg.out_dir.empty()) {
      std::error_code ec;
      fs::create_directories(cfg.out_dir, ec);
      if (ec) return Error{Errc::kWrite, fmt::format("cannot create the output folder: {}", ec.message()), cfg.out_dir};
    }
    auto sum = cfg.backtest ? WriteBacktest(cfg, *panels, *model) : MakeForecasts(cfg, *panels, *model);
    if (!sum) return sum.error();
    sum->model = forecast::ToString(*model);
    sum->deterioration = panels->built.method.forecast.deterioration;
    sum->bottom = panels->built.method.forecast.bottom;
    sum->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return sum;
  });
}

}  // namespace gpsi::engine
