// The annual report's summary of a build: rankings with their intervals, movers, regional means
// and the spread of the intervals, so that the report's words and numbers come from one place.
#include <algorithm>
#include <iterator>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "engine.hpp"

namespace gpsi::engine {
namespace {

using IntervalKey = std::tuple<int, std::string, std::string>;  // year, unit, node

std::map<IntervalKey, const RankStat*> IntervalIndex(const Published& pub) {
  std::map<IntervalKey, const RankStat*> out;
  for (const auto& s : pub.intervals) out.emplace(IntervalKey{s.year, s.unit, s.code}, &s);
  return out;
}

//! Every unit ranked on node `node` in `year`, by rank then code.
std::vector<Standing> Ranking(const Published& pub, std::size_t node, int year,
                              const std::map<IntervalKey, const RankStat*>& intervals) {
  const auto& b = pub.build;
  const std::string& code = b.method.nodes[node].code;
  const auto col = b.scores.Column(code);
  std::vector<Standing> out;
  if (!col) return out;
  for (std::size_t r = 0; r < b.panel.rows(); ++r) {
    const auto& row = b.panel.row(r);
    if (row.year != year || b.scores.rank(r, *col) <= 0) continue;
    Standing s{row.unit, b.scores.value(r, *col), b.scores.rank(r, *col), kNa, kNa, b.scores.flags(r, *col)};
    if (auto it = intervals.find({year, row.unit, code}); it != intervals.end()) {
      s.p05 = it->second->p05, s.p95 = it->second->p95;
    }
    out.push_back(std::move(s));
  }
  std::sort(out.begin(), out.end(),
            [](const Standing& a, const Standing& b) { return std::tie(a.rank, a.unit) < std::tie(b.rank, b.unit); });
  return out;
}

//! Risers and fallers on the index between the two years' rankings: 10 each, largest change first.
void Movers(const std::vector<Standing>& before, const std::vector<Standing>& now, ReportSummary& s) {
  std::map<std::string, int> was;
  for (const auto& b : before) was.emplace(b.unit, b.rank);
  std::vector<Mover> all;
  for (const auto& n : now) {
    if (auto it = was.find(n.unit); it != was.end() && it->second != n.rank)
      all.push_back({n.unit, it->second, n.rank});
  }
  const auto gain = [](const Mover& m) { return m.from - m.to; };
  std::sort(all.begin(), all.end(), [&](const Mover& a, const Mover& b) {
    return std::make_tuple(-gain(a), a.unit) < std::make_tuple(-gain(b), b.unit);
  });
  for (const auto& m : all) {
    if (gain(m) > 0 && s.risers.size() < 10) s.risers.push_back(m);
  }
  for (auto it = all.rbegin(); it != all.rend(); ++it) {
    if (gain(*it) < 0 && s.fallers.size() < 10) s.fallers.push_back(*it);
  }
}

std::map<std::string, const Unit*> UnitIndex(const Published& pub) {
  std::map<std::string, const Unit*> units;
  for (const auto& u : pub.units) units.emplace(u.code, &u);
  return units;
}

//! The unit `code` when it has an M49 region, else null (it counts in no regional mean).
const Unit* RegionOf(const std::map<std::string, const Unit*>& units, const std::string& code) {
  const auto it = units.find(code);
  return it == units.end() || it->second->region_code.empty() ? nullptr : it->second;
}

//! A region's mean score over a ranking, and how many units it averages.
struct RegionMean {
  std::string name;
  double mean = 0;
  std::size_t units = 0;
};

//! The unweighted mean score of each region's units in `ranking`, by region code (RegionScore's
//! rule: each country counts once); a unit without a region or a score counts in none.
std::map<std::string, RegionMean> RegionMeans(const std::vector<Standing>& ranking,
                                              const std::map<std::string, const Unit*>& units) {
  std::map<std::string, RegionMean> out;
  for (const auto& st : ranking) {
    const Unit* u = RegionOf(units, st.unit);
    if (!u || IsNa(st.score)) continue;
    auto& r = out[u->region_code];
    r.name = u->region_name, r.mean += st.score;
    ++r.units;
  }
  for (auto& [code, r] : out) r.mean /= static_cast<double>(r.units);
  return out;
}

void Regions(const Published& pub, ReportSummary& s) {
  const auto units = UnitIndex(pub);
  for (std::size_t i = 0; i < s.nodes.size(); ++i) {
    const std::string& node = pub.build.method.nodes[s.nodes[i]].code;
    for (const auto& [code, r] : RegionMeans(s.rankings[i], units)) {
      s.regions.push_back({code, r.name, node, r.mean, r.units});
    }
  }
  std::stable_sort(s.regions.begin(), s.regions.end(),
                   [](const RegionScore& a, const RegionScore& b) { return a.region_code < b.region_code; });
}

//! Each region's mean index score in each trend year: the last 9 of the build's years up to the
//! summary's (the span of the profiles' trends and the report's regional lines).
void Trends(const Published& pub, const std::set<int>& years, const std::map<IntervalKey, const RankStat*>& intervals,
            ReportSummary& s) {
  for (auto it = years.upper_bound(s.year); it != years.begin() && s.trend_years.size() < 9;) {
    s.trend_years.insert(s.trend_years.begin(), *--it);
  }
  const auto units = UnitIndex(pub);
  std::map<std::pair<std::string, int>, RegionYear> by_region;  // by region, then year
  for (int y : s.trend_years) {
    for (const auto& [code, r] : RegionMeans(Ranking(pub, pub.build.method.top(), y, intervals), units)) {
      by_region[{code, y}] = {code, y, r.mean, r.units};
    }
  }
  for (auto& [key, r] : by_region) s.trends.push_back(r);
}

IntervalSpread Spread(const std::vector<Standing>& ranking) {
  IntervalSpread out;
  std::vector<double> widths;
  for (const auto& s : ranking) {
    if (IsNa(s.p05) || IsNa(s.p95)) continue;
    const double w = s.p95 - s.p05;
    widths.push_back(w);
    (w <= 5 ? out.narrow : w <= 20 ? out.wide : out.very_wide)++;
  }
  if (!widths.empty()) {
    std::sort(widths.begin(), widths.end());
    const std::size_t n = widths.size();
    out.median_width = n % 2 ? widths[n / 2] : (widths[n / 2 - 1] + widths[n / 2]) / 2;
  }
  return out;
}

}  // namespace

Result<ReportSummary> Summarise(const Published& pub, int year) {
  const auto& b = pub.build;
  const auto& m = b.method;
  if (m.nodes.empty()) return Error{Errc::kUsage, "the build has no framework to report on"};
  std::set<int> years;
  for (std::size_t r = 0; r < b.panel.rows(); ++r) years.insert(b.panel.row(r).year);
  if (year == 0) year = b.panel.LatestYear();
  if (!years.contains(year)) {
    return Error{Errc::kUsage, years.empty() ? fmt::format("the build has no year {}", year)
                                             : fmt::format("the build has no year {} (it has {}–{})", year,
                                                           *years.begin(), *years.rbegin())};
  }
  ReportSummary s;
  s.year = year;
  s.previous = years.contains(year - 1) ? year - 1 : 0;
  s.nodes.push_back(m.top());
  for (auto c : m.nodes[m.top()].children) s.nodes.push_back(c);
  const auto intervals = IntervalIndex(pub);
  for (auto n : s.nodes) s.rankings.push_back(Ranking(pub, n, year, intervals));
  if (s.previous) Movers(Ranking(pub, m.top(), s.previous, intervals), s.rankings.front(), s);
  Regions(pub, s);
  s.spread = Spread(s.rankings.front());
  Trends(pub, years, intervals, s);
  return s;
}

namespace {

//! Every indicator of build row `r`: value, score, flags and where it was read.
std::vector<ProfileIndicator> Indicators(const Published& pub, std::size_t r) {
  const auto& b = pub.build;
  std::map<std::string, const Source*> sources;
  for (const auto& rec : pub.sources) sources.emplace(rec.source.key + "@" + rec.source.release, &rec.source);
  std::vector<ProfileIndicator> out;
  for (std::size_t col = 0; col < b.method.indicators.size(); ++col) {
    const std::size_t node = b.method.indicators[col];
    const CellOrigin& o = b.panel.origin(r, col);
    ProfileIndicator ind{node,
                         DisplayValue(b, r, col),
                         b.scores.value(r, node),
                         b.scores.flags(r, node),
                         o.how,
                         o.series >= 0 ? o.year : 0,
                         o.source};
    if (const auto it = sources.find(o.source); it != sources.end()) {
      ind.publisher = it->second->publisher, ind.tier = it->second->tier;
    }
    out.push_back(std::move(ind));
  }
  return out;
}

//! The unit's index forecast by year: forecasts.csv's rows of the index with outlook.csv's.
std::vector<ProfileForecast> Forecast(const Published& pub, const std::string& unit) {
  std::vector<ProfileForecast> out;
  if (!pub.forecast) return out;
  const std::string& index = pub.build.method.nodes[pub.build.method.top()].code;
  for (const auto& r : pub.forecast->rows) {
    if (r.unit == unit && r.code == index) out.push_back({r.year, r.median, r.p05, r.p95, {}});
  }
  for (const auto& o : pub.forecast->outlook) {
    for (auto& f : out) {
      if (o.unit == unit && o.year == f.year) f.outlook = o;
    }
  }
  return out;
}

}  // namespace

Result<CountryProfile> Profile(const Published& pub, const ReportSummary& s, const std::string& unit) {
  const auto& b = pub.build;
  const auto& index = s.rankings.front();
  if (std::none_of(index.begin(), index.end(), [&](const Standing& st) { return st.unit == unit; })) {
    return Error{Errc::kUsage, fmt::format("{} is not ranked on the index in {}", unit, s.year)};
  }
  CountryProfile p;
  p.unit = unit;
  if (const Unit* u = RegionOf(UnitIndex(pub), unit)) p.region_code = u->region_code;
  for (std::size_t i = 0; i < s.nodes.size(); ++i) {
    const auto& ranking = s.rankings[i];
    const auto it = std::find_if(ranking.begin(), ranking.end(), [&](const Standing& st) { return st.unit == unit; });
    p.standings.push_back(it == ranking.end() ? Standing{unit} : *it);
    const auto region = std::find_if(s.regions.begin(), s.regions.end(), [&](const RegionScore& r) {
      return r.region_code == p.region_code && r.node == b.method.nodes[s.nodes[i]].code;
    });
    p.region_means.push_back(region == s.regions.end() ? kNa : region->mean);
  }
  const auto rows = b.panel.RowsOf(unit);
  for (int y : s.trend_years) {
    const auto row = std::find_if(rows.begin(), rows.end(), [&](std::size_t r) { return b.panel.row(r).year == y; });
    p.trend.push_back(row == rows.end() ? kNa : b.scores.value(*row, b.method.top()));
    if (row != rows.end() && y == s.year) p.indicators = Indicators(pub, *row);
    const auto region = std::find_if(s.trends.begin(), s.trends.end(), [&](const RegionYear& r) {
      return r.region_code == p.region_code && r.year == y;
    });
    p.region_trend.push_back(region == s.trends.end() ? kNa : region->mean);
  }
  p.forecast = Forecast(pub, unit);
  if (pub.warnings) {
    std::copy_if(pub.warnings->warnings.begin(), pub.warnings->warnings.end(), std::back_inserter(p.warnings),
                 [&](const Warning& w) { return w.unit == unit; });
  }
  return p;
}

}  // namespace gpsi::engine
