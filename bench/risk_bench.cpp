// The project overlay's event index (risk::EventIndex) on synthetic events, one thread:
// - Build: packing the R-tree over 1,000,000 events (the vector's copy not timed).
// - Site / Route: one query at 50 km, cycling through 10,000 different projects' sites or routes.
// - Projects: 10,000 projects (70 % sites, 30 % routes of 3 points) at 50 km, one batch.
// The events cluster around 200 random city centres (normal offsets of 5–60 km, so some cities are
// dense and some sparse) over 3 years; the projects sit near the same cities (offsets of 100 km),
// as projects sit where people and events are. The window is the whole 3 years, the worst case.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>
#include <vector>

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

BENCHMARK(BM_Build)->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK(BM_Site)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Route)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Projects)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
