// The project overlay's event index (risk::EventIndex) on synthetic events, one thread:
// - Build: packing the R-tree over 1,000,000 events (the vector's copy not timed).
// - Site / Route: one query at 50 km, cycling through 10,000 different projects' sites or routes.
// - Projects: 10,000 projects (70 % sites, 30 % routes of 3 points) at 50 km, one batch.
// Whole project sheets (engine::AssessProject and its JSON) on the same events and projects, with
// the country sheets of methods/risk.toml built once from the store GPSI_BENCH_DB (such as
// out/demo.db after `make demo`; the sheet benchmarks are skipped without it):
// - Sheet: one sheet per iteration, cycling through the projects.
// - Sheets/threads:N: the 10,000 sheets in one batch on N threads.
// The events cluster around 200 random city centres (normal offsets of 5–60 km, so some cities are
// dense and some sparse) over 3 years; the projects sit near the same cities (offsets of 100 km),
// as projects sit where people and events are. The window is the whole 3 years, the worst case.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <numbers>
#include <random>
#include <thread>
#include <vector>

#include "engine.hpp"
#include "risk.hpp"

namespace {

using gpsi::risk::Event;
using gpsi::risk::EventIndex;
using gpsi::risk::Point;

constexpr std::size_t kEvents = 1'000'000, kCities = 200, kProjects = 10'000;
constexpr double kRadiusKm = 50;
constexpr std::int32_t kFirstDay = 19'000, kLastDay = kFirstDay + 3 * 365 - 1;  // 2022-01-08 on
constexpr double kKmPerDeg = gpsi::risk::kEarthRadiusKm * std::numbers::pi / 180;

struct City {
  Point at;
  double spread_km;
};

// A point `east_km` and `north_km` from p, on the local flat approximation (fine at these scales).
Point Offset(Point p, double east_km, double north_km) {
  const double lat = std::clamp(p.lat + north_km / kKmPerDeg, -89.9, 89.9);
  return {lat, p.lon + east_km / (kKmPerDeg * std::cos(lat * std::numbers::pi / 180))};
}

const std::vector<City>& Cities() {
  static const std::vector<City> cities = [] {
    std::mt19937_64 rng(11);
    std::uniform_real_distribution<double> u(-1, 1), spread(5, 60);
    std::vector<City> c(kCities);
    // Latitudes between 60 S and 70 N, uniform on the sphere's area.
    const double lo = std::sin(-60 * std::numbers::pi / 180), hi = std::sin(70 * std::numbers::pi / 180);
    for (City& city : c)
      city = {{std::asin(lo + (hi - lo) * (u(rng) + 1) / 2) * 180 / std::numbers::pi, 180 * u(rng)}, spread(rng)};
    return c;
  }();
  return cities;
}

const std::vector<Event>& Events() {
  static const std::vector<Event> events = [] {
    std::mt19937_64 rng(12);
    std::uniform_int_distribution<std::size_t> city(0, kCities - 1);
    std::uniform_int_distribution<std::int32_t> day(kFirstDay, kLastDay);
    std::normal_distribution<double> z;
    std::vector<Event> e(kEvents);
    for (Event& ev : e) {
      const City& c = Cities()[city(rng)];
      ev = {Offset(c.at, c.spread_km * z(rng), c.spread_km * z(rng)), day(rng), 1};
    }
    return e;
  }();
  return events;
}

const EventIndex& Index() {
  static const EventIndex index(Events());
  return index;
}

//! 10,000 projects: a site near a city, 30 % of them extended to a route of 3 points by two steps
//! of 20–100 km in random directions.
const std::vector<std::vector<Point>>& Projects() {
  static const std::vector<std::vector<Point>> projects = [] {
    std::mt19937_64 rng(13);
    std::uniform_int_distribution<std::size_t> city(0, kCities - 1);
    std::uniform_real_distribution<double> unit(0, 1);
    std::normal_distribution<double> z;
    std::vector<std::vector<Point>> p(kProjects);
    for (std::vector<Point>& path : p) {
      path.push_back(Offset(Cities()[city(rng)].at, 100 * z(rng), 100 * z(rng)));
      if (unit(rng) >= 0.3) continue;
      for (int step = 0; step < 2; ++step) {
        const double km = 20 + 80 * unit(rng), angle = 2 * std::numbers::pi * unit(rng);
        path.push_back(Offset(path.back(), km * std::cos(angle), km * std::sin(angle)));
      }
    }
    return p;
  }();
  return projects;
}

void BM_Build(benchmark::State& state) {
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<Event> events = Events();
    state.ResumeTiming();
    EventIndex index(std::move(events));
    benchmark::DoNotOptimize(index);
  }
  state.counters["events"] = static_cast<double>(kEvents);
}

// One query per iteration, over the projects of `points` vertices (1: sites, 3: routes) in turn.
void Query(benchmark::State& state, std::size_t points) {
  std::vector<const std::vector<Point>*> paths;
  for (const auto& p : Projects())
    if (p.size() == points) paths.push_back(&p);
  const EventIndex& index = Index();
  std::size_t i = 0, found = 0;
  for (auto _ : state) {
    const auto near = index.Within(*paths[i++ % paths.size()], kRadiusKm, kFirstDay, kLastDay);
    found += near.size();
    benchmark::DoNotOptimize(near.data());
  }
  state.counters["found/query"] = static_cast<double>(found) / static_cast<double>(state.iterations());
}
void BM_Site(benchmark::State& state) {
  Query(state, 1);
}
void BM_Route(benchmark::State& state) {
  Query(state, 3);
}

void BM_Projects(benchmark::State& state) {
  const EventIndex& index = Index();
  const auto& projects = Projects();
  std::size_t found = 0;
  for (auto _ : state) {
    found = 0;
    for (const auto& path : projects) found += index.Within(path, kRadiusKm, kFirstDay, kLastDay).size();
    benchmark::DoNotOptimize(found);
  }
  state.counters["projects/s"] = benchmark::Counter(
      static_cast<double>(kProjects) * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["found/project"] = static_cast<double>(found) / kProjects;
}

// ---- whole sheets ----------------------------------------------------------------------------

//! The country sheets of methods/risk.toml from GPSI_BENCH_DB (made once), or nullptr.
const gpsi::engine::RiskSheets* CountrySheets() {
  static const std::unique_ptr<gpsi::engine::RiskSheets> sheets = []() -> std::unique_ptr<gpsi::engine::RiskSheets> {
    const char* db = std::getenv("GPSI_BENCH_DB");
    if (!db) return nullptr;
    gpsi::engine::RiskConfig cfg;
    cfg.build.db_path = db;
    cfg.build.method_path = std::string(GPSI_SOURCE_DIR) + "/methods/risk.toml";
    cfg.draws = 0;
    auto s = gpsi::engine::CountryRisks(cfg);
    if (!s) return nullptr;
    return std::make_unique<gpsi::engine::RiskSheets>(std::move(*s));
  }();
  return sheets.get();
}

//! The synthetic events as stored points: ids, CAMEO root codes 1–20 at random, a file and line.
const gpsi::engine::ProjectEvents& SheetEvents() {
  static const gpsi::engine::ProjectEvents events = [] {
    std::mt19937_64 rng(14);
    std::uniform_int_distribution<int> root(1, 20);
    std::vector<gpsi::EventPoint> points;
    points.reserve(kEvents);
    for (std::size_t i = 0; i < kEvents; ++i) {
      const Event& e = Events()[i];
      gpsi::EventPoint p;
      p.source = "gdelt", p.event_id = std::to_string(i + 1), p.day = e.day, p.lat = e.at.lat;
      p.lon = std::remainder(e.at.lon, 360.0), p.root_code = root(rng), p.quad_class = 4;
      p.file_sha256 = std::string(64, 'a'), p.line = static_cast<std::int64_t>(i + 1);
      points.push_back(std::move(p));
    }
    return gpsi::engine::ProjectEvents::Of(std::move(points));
  }();
  return events;
}

//! The projects as project files would give them: a country with a sheet (in turn), the site and
//! route above, staff, two controls in place, assessed on the events' last day.
const std::vector<gpsi::Project>& SheetProjects(const gpsi::engine::RiskSheets& sheets) {
  static const std::vector<gpsi::Project> projects = [&] {
    std::vector<gpsi::Project> out;
    for (std::size_t i = 0; i < kProjects; ++i) {
      gpsi::Project p;
      p.id = "p" + std::to_string(i), p.enterprise = "bench", p.name = p.id, p.type = "construction";
      p.country = sheets.countries[i % sheets.countries.size()].unit;
      const auto& path = Projects()[i];
      p.site = gpsi::GeoPoint{path[0].lat, std::remainder(path[0].lon, 360.0)};
      if (path.size() > 1) {
        for (const Point& q : path) p.route.push_back({q.lat, std::remainder(q.lon, 360.0)});
      }
      p.staff_national = 100, p.staff_expatriate = static_cast<int>(i % 3) * 5;
      p.start = "2024-01-01", p.end = "2026-12-31", p.assessed = "2024-12-31";
      p.controls = {"crime.guarded-compound", "road.journey-management"};
      out.push_back(std::move(p));
    }
    return out;
  }();
  return projects;
}

void BM_Sheet(benchmark::State& state) {
  const gpsi::engine::RiskSheets* sheets = CountrySheets();
  if (!sheets) return state.SkipWithError("set GPSI_BENCH_DB to a store with the shared data (out/demo.db)");
  const auto& events = SheetEvents();
  const auto& projects = SheetProjects(*sheets);
  std::size_t i = 0, bytes = 0;
  for (auto _ : state) {
    auto s = gpsi::engine::AssessProject(*sheets, events, projects[i++ % projects.size()], "2024-12-31");
    if (!s) return state.SkipWithError(s.error().message.c_str());
    bytes += gpsi::engine::ProjectSheetJson(*s).size();
  }
  state.counters["json_bytes"] = static_cast<double>(bytes) / static_cast<double>(state.iterations());
}

//! The 10,000 sheets on `threads` threads, each its share of the projects in turn.
void BM_Sheets(benchmark::State& state) {
  const gpsi::engine::RiskSheets* sheets = CountrySheets();
  if (!sheets) return state.SkipWithError("set GPSI_BENCH_DB to a store with the shared data (out/demo.db)");
  const auto& events = SheetEvents();
  const auto& projects = SheetProjects(*sheets);
  const auto threads = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) {
    std::vector<std::size_t> bytes(threads, 0);
    std::vector<std::thread> pool;
    for (std::size_t t = 0; t < threads; ++t) {
      pool.emplace_back([&, t] {
        for (std::size_t i = t; i < projects.size(); i += threads) {
          auto s = gpsi::engine::AssessProject(*sheets, events, projects[i], "2024-12-31");
          if (s) bytes[t] += gpsi::engine::ProjectSheetJson(*s).size();
        }
      });
    }
    for (auto& th : pool) th.join();
    benchmark::DoNotOptimize(bytes.data());
  }
  state.counters["sheets/s"] = benchmark::Counter(
      static_cast<double>(kProjects) * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

BENCHMARK(BM_Build)->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK(BM_Site)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Route)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Projects)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Sheet)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Sheets)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
