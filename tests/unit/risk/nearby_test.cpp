// The project overlay's event index: distances against known values and an independent vector
// formula, the edge cases of the search boxes (antimeridian, poles, a route's bulge towards the
// pole, the foot of the perpendicular past a segment's end), and the index against a brute-force
// scan of random events (fixed seed).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <random>
#include <thread>
#include <vector>

#include "risk.hpp"

#define BOOST_ALLOW_DEPRECATED_HEADERS
#include <boost/geometry/algorithms/distance.hpp>
#include <boost/geometry/geometries/point.hpp>
#include <boost/geometry/geometries/segment.hpp>
#include <boost/geometry/strategies/spherical/distance_cross_track.hpp>

namespace gpsi::risk {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kDeg = std::numbers::pi / 180;
//! One degree of a great circle in km.
constexpr double kKmPerDeg = kEarthRadiusKm * kDeg;
constexpr std::int32_t kAllDays[2] = {std::numeric_limits<std::int32_t>::min(),
                                      std::numeric_limits<std::int32_t>::max()};

std::vector<Near> Find(const EventIndex& index, std::vector<Point> path, double radius_km) {
  return index.Within(path, radius_km, kAllDays[0], kAllDays[1]);
}

std::vector<std::size_t> Positions(const std::vector<Near>& found) {
  std::vector<std::size_t> pos;
  for (const Near& n : found) pos.push_back(n.event);
  return pos;
}

EventIndex IndexOf(std::vector<Point> points) {
  std::vector<Event> events;
  for (Point p : points) events.push_back({p, 0, 1});
  return EventIndex(std::move(events));
}

// ---- an independent geometry: unit vectors ---------------------------------------------------

using Vec = std::array<double, 3>;
Vec Unit(Point p) {
  return {std::cos(p.lat * kDeg) * std::cos(p.lon * kDeg), std::cos(p.lat * kDeg) * std::sin(p.lon * kDeg),
          std::sin(p.lat * kDeg)};
}
Vec Cross(const Vec& a, const Vec& b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}
double Dot(const Vec& a, const Vec& b) {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}
double Norm(const Vec& a) {
  return std::sqrt(Dot(a, a));
}
double AngleKm(const Vec& a, const Vec& b) {
  return std::atan2(Norm(Cross(a, b)), Dot(a, b)) * kEarthRadiusKm;
}

//! Km from p to the minor arc a–b: to the arc's great circle when p projects between a and b
//! (a × p and p × b both turn the way a × b does), else to the nearer end.
double ArcKmByVectors(Point p, Point a, Point b) {
  const Vec u = Unit(p), va = Unit(a), vb = Unit(b);
  Vec n = Cross(va, vb);
  const double len = Norm(n);
  if (len > 1e-12) {
    for (double& x : n) x /= len;
    if (Dot(Cross(va, u), n) >= 0 && Dot(Cross(u, vb), n) >= 0) return std::asin(std::abs(Dot(u, n))) * kEarthRadiusKm;
  }
  return std::min(AngleKm(u, va), AngleKm(u, vb));
}

// ---- the brute force the index must agree with -------------------------------------------------

namespace bg = boost::geometry;
using SpherePoint = bg::model::point<double, 2, bg::cs::spherical_equatorial<bg::degree>>;

//! Boost's stock cross-track distance (km) from p to the arc a–b.
double ArcKmByBoost(Point p, Point a, Point b) {
  static const bg::strategy::distance::cross_track<> strategy(kEarthRadiusKm);
  return bg::distance(SpherePoint(p.lon, p.lat), bg::model::segment<SpherePoint>({a.lon, a.lat}, {b.lon, b.lat}),
                      strategy);
}

double PathKm(Point p, const std::vector<Point>& path) {
  if (path.size() == 1) return DistanceKm(p, path[0]);
  double km = kInf;
  for (std::size_t i = 1; i < path.size(); ++i) km = std::min(km, ArcKmByBoost(p, path[i - 1], path[i]));
  return km;
}

std::vector<Near> BruteForce(const std::vector<Event>& events, const std::vector<Point>& path, double radius_km,
                             std::int32_t from, std::int32_t to) {
  std::vector<Near> found;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const Event& e = events[i];
    if (std::isnan(e.at.lat) || std::isnan(e.at.lon) || e.day < from || e.day > to) continue;
    const double km = PathKm(e.at, path);
    if (km <= radius_km) found.push_back({i, km});
  }
  std::sort(found.begin(), found.end(), [](const Near& a, const Near& b) {
    return a.distance_km != b.distance_km ? a.distance_km < b.distance_km : a.event < b.event;
  });
  return found;
}

// ---- distances -------------------------------------------------------------------------------

TEST(NearbyDistance, KnownValues) {
  const Point paris{48.8566, 2.3522}, london{51.5072, -0.1276};
  EXPECT_NEAR(DistanceKm(paris, london), 343.5, 0.05);
  EXPECT_NEAR(DistanceKm(paris, london), AngleKm(Unit(paris), Unit(london)), 1e-9);
  EXPECT_NEAR(DistanceKm({0, 0}, {1, 0}), 111.195, 5e-4);
  EXPECT_NEAR(DistanceKm({0, 0}, {1, 0}), kKmPerDeg, 1e-9);
  EXPECT_NEAR(DistanceKm({45, 10}, {46, 10}), kKmPerDeg, 1e-9);  // along a meridian anywhere
  EXPECT_NEAR(DistanceKm({0, 179.5}, {0, -179.5}), kKmPerDeg, 1e-9);
  EXPECT_EQ(DistanceKm(paris, paris), 0);
  EXPECT_EQ(DistanceKm(paris, london), DistanceKm(london, paris));
}

TEST(NearbyDistance, AntipodesAreHalfTheCircumference) {
  // Not NaN; to 1 m only, as the haversine is ill-conditioned there (asin near 1).
  for (Point p : {Point{0, 0}, Point{10, 0}, Point{-33.3, 71.1}, Point{90, 0}}) {
    const double km = DistanceKm(p, {-p.lat, p.lon + 180});
    EXPECT_NEAR(km, std::numbers::pi * kEarthRadiusKm, 1e-3) << p.lat << " " << p.lon;
  }
}

TEST(NearbyDistance, RouteDistanceMatchesVectorGeometry) {
  // Every event against a two-point route with a radius larger than the earth: Within reports the
  // distance of each to the arc, which the vector formula recomputes independently.
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(-1, 1);
  auto random_point = [&] { return Point{std::asin(u(rng)) / kDeg, 180 * u(rng)}; };
  std::vector<Point> points(2000);
  for (Point& p : points) p = random_point();
  const EventIndex index = IndexOf(points);
  std::size_t outside = 0;
  for (int q = 0; q < 20; ++q) {
    const Point a = random_point();
    const Point b{std::clamp(a.lat + 30 * u(rng), -89.0, 89.0), a.lon + 30 * u(rng)};
    const std::vector<Near> found = Find(index, {a, b}, 30000);
    ASSERT_EQ(found.size(), points.size());
    for (const Near& n : found) {
      const Point p = points[n.event];
      EXPECT_NEAR(n.distance_km, ArcKmByVectors(p, a, b), 1e-6);
      outside += n.distance_km == std::min(DistanceKm(p, a), DistanceKm(p, b));
    }
  }
  EXPECT_GT(outside, 1000u);  // the feet past the ends were exercised
}

// ---- the index: edge cases -------------------------------------------------------------------

TEST(EventIndex, JustInsideAndJustOutsideTheRadius) {
  const EventIndex index = IndexOf({{1, 0}, {0, 2}});
  EXPECT_EQ(Positions(Find(index, {{0, 0}}, kKmPerDeg + 1e-6)), std::vector<std::size_t>{0});
  EXPECT_TRUE(Find(index, {{0, 0}}, kKmPerDeg - 1e-6).empty());
  const std::vector<Near> both = Find(index, {{0, 0}}, 2 * kKmPerDeg + 1e-6);
  ASSERT_EQ(both.size(), 2u);
  EXPECT_NEAR(both[1].distance_km, 2 * kKmPerDeg, 1e-9);
}

TEST(EventIndex, RouteFindsAnEventBesideASegmentFarFromItsEnds) {
  const EventIndex index = IndexOf({{0.1, 0}});
  const std::vector<Point> route{{0, -1}, {0, 1}};
  ASSERT_GT(DistanceKm({0.1, 0}, route[0]), 100);
  ASSERT_GT(DistanceKm({0.1, 0}, route[1]), 100);
  const std::vector<Near> found = Find(index, route, 20);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_NEAR(found[0].distance_km, 0.1 * kKmPerDeg, 1e-6);  // the equator is a great circle
  EXPECT_TRUE(Find(index, {route[0]}, 20).empty());          // the vertices alone miss it
}

TEST(EventIndex, FootOfThePerpendicularPastTheEndCountsTheEnd) {
  // Event 0.1° off the equator's great circle but beyond the segment's end at lon 1: 11 km from the
  // great circle, 56.7 km from the end.
  const EventIndex index = IndexOf({{0.1, 1.5}});
  const std::vector<Point> route{{0, -1}, {0, 1}};
  EXPECT_TRUE(Find(index, route, 20).empty());
  const double to_end = DistanceKm({0.1, 1.5}, {0, 1});
  EXPECT_NEAR(to_end, 56.7, 0.1);
  EXPECT_TRUE(Find(index, route, to_end - 1e-6).empty());
  const std::vector<Near> found = Find(index, route, to_end + 1e-6);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_NEAR(found[0].distance_km, to_end, 1e-9);
}

TEST(EventIndex, RouteArcBulgesTowardsThePole) {
  // The great circle from (60, 0) to (60, 90) peaks at 67.79° N over lon 45: an event there is
  // 860 km north of the box of the two vertices, yet on the route.
  const double peak = std::atan(std::tan(60 * kDeg) / std::cos(45 * kDeg)) / kDeg;
  const EventIndex index = IndexOf({{peak, 45}, {60, 45}});
  const std::vector<Near> found = Find(index, {{60, 0}, {60, 90}}, 5);
  ASSERT_EQ(Positions(found), std::vector<std::size_t>{0});
  EXPECT_NEAR(found[0].distance_km, 0, 1e-6);
}

TEST(EventIndex, AcrossTheAntimeridian) {
  const std::vector<Point> points{{10, -179.9}, {10, 179.65}, {10, 180}, {10.05, -540}, {10, 170}};
  const EventIndex index = IndexOf(points);
  EXPECT_NEAR(DistanceKm({10, 179.9}, {10, -179.9}), 0.2 * kKmPerDeg * std::cos(10 * kDeg), 0.01);
  // Both sides of the line, from a site on either side; 180 and −540 are the meridian of −180.
  EXPECT_EQ(Positions(Find(index, {{10, 179.9}}, 30)), (std::vector<std::size_t>{2, 3, 0, 1}));
  EXPECT_EQ(Positions(Find(index, {{10, -179.9}}, 30)), (std::vector<std::size_t>{0, 2, 3}));
  EXPECT_TRUE(Find(index, {{10, 175}}, 30).empty());
  // A route across the line: its arc bulges 0.17 km north of lat 10 at the line.
  const std::vector<Point> route{{10, 179}, {10, -179}};
  const std::vector<Near> found = Find(index, route, 1);
  ASSERT_EQ(Positions(found), (std::vector<std::size_t>{1, 0, 2}));
  for (const Near& n : found) EXPECT_NEAR(n.distance_km, ArcKmByVectors(points[n.event], route[0], route[1]), 1e-6);
}

TEST(EventIndex, NearThePoles) {
  // Across the north pole the longitudes differ by 180°; at the south pole every longitude is one point.
  const EventIndex index = IndexOf({{89.9, 180}, {89.0, 90}, {-90, 45}, {-89.95, -135}});
  const std::vector<Near> north = Find(index, {{89.9, 0}}, 25);
  ASSERT_EQ(Positions(north), std::vector<std::size_t>{0});
  EXPECT_NEAR(north[0].distance_km, 0.2 * kKmPerDeg, 1e-6);
  EXPECT_EQ(Positions(Find(index, {{90, 0}}, 0.1 * kKmPerDeg + 1e-6)), std::vector<std::size_t>{0});
  EXPECT_EQ(Positions(Find(index, {{90, 0}}, kKmPerDeg + 1e-6)), (std::vector<std::size_t>{0, 1}));
  const std::vector<Near> south = Find(index, {{-90, 0}}, 10);
  EXPECT_EQ(Positions(south), (std::vector<std::size_t>{2, 3}));
  EXPECT_NEAR(south[1].distance_km, 0.05 * kKmPerDeg, 1e-6);
  // A site whose circle just reaches past the pole: 89.5 N at lon 0 finds 89.9 N at lon 180.
  EXPECT_EQ(Positions(Find(index, {{89.5, 0}}, 0.6 * kKmPerDeg + 1e-6)), std::vector<std::size_t>{0});
  // A route over the pole finds the events on the meridians it follows, and only those.
  EXPECT_EQ(Positions(Find(index, {{85, -90}, {85, 90}}, 1)), std::vector<std::size_t>{1});
  EXPECT_EQ(Positions(Find(index, {{85, 0}, {85, 180}}, 12)), std::vector<std::size_t>{0});
}

TEST(EventIndex, RouteFromThePole) {
  // The segment leaves the pole down the meridian of 45° E (the pole's own longitude is moot).
  const EventIndex index = IndexOf({{85, 45}, {85, -135}, {85, 40}});
  const std::vector<Near> found = Find(index, {{90, 0}, {80, 45}}, 1);
  ASSERT_EQ(Positions(found), std::vector<std::size_t>{0});
  EXPECT_NEAR(found[0].distance_km, 0, 1e-6);
  EXPECT_EQ(Positions(Find(index, {{90, 0}, {80, 45}}, 5 * kKmPerDeg * std::sin(5 * kDeg) + 1)),
            (std::vector<std::size_t>{0, 2}));
}

TEST(EventIndex, DaysOutsideTheWindowAreLeftOut) {
  std::vector<Event> events;
  for (std::int32_t day = 0; day < 10; ++day) events.push_back({{0, 0.001 * day}, day, 1});
  const EventIndex index(std::move(events));
  EXPECT_EQ(Positions(index.Within(std::vector<Point>{{0, 0}}, 10, 3, 5)), (std::vector<std::size_t>{3, 4, 5}));
  EXPECT_EQ(Positions(index.Within(std::vector<Point>{{0, 0}}, 10, 9, 9)), std::vector<std::size_t>{9});
  EXPECT_TRUE(index.Within(std::vector<Point>{{0, 0}}, 10, 10, 20).empty());
  EXPECT_TRUE(index.Within(std::vector<Point>{{0, 0}}, 10, 5, 3).empty());
}

TEST(EventIndex, AnEventNearSeveralSegmentsIsFoundOnceAtItsLeastDistance) {
  const EventIndex index = IndexOf({{0.05, 1}, {0.3, 0.5}});
  // Out and back along the equator, then up the meridian at lon 1: event 0 is near all three segments.
  const std::vector<Point> route{{0, 0}, {0, 1}, {0, 0}, {0, 1}, {1, 1}};
  const std::vector<Near> found = Find(index, route, 40);
  ASSERT_EQ(Positions(found), (std::vector<std::size_t>{0, 1}));
  EXPECT_NEAR(found[0].distance_km, 0, 1e-6);  // on the meridian segment, 5.6 km from the equator's
  EXPECT_NEAR(found[1].distance_km, 0.3 * kKmPerDeg, 1e-6);
}

TEST(EventIndex, OrderedByDistanceThenPosition) {
  const EventIndex index = IndexOf({{0, 0.2}, {0.1, 0}, {0, -0.2}, {-0.1, 0}, {0, 0.1}, {0, 0}});
  const std::vector<Near> found = Find(index, {{0, 0}}, 100);
  EXPECT_EQ(Positions(found), (std::vector<std::size_t>{5, 1, 3, 4, 0, 2}));
  for (std::size_t i = 1; i < found.size(); ++i) EXPECT_LE(found[i - 1].distance_km, found[i].distance_km);
}

TEST(EventIndex, InvalidEventsAreKeptButNeverFound) {
  const EventIndex index = IndexOf({{kNaN, 0}, {0, 0.1}, {0, kNaN}, {91, 0}, {0, kInf}, {0, 0.2}});
  EXPECT_EQ(index.events().size(), 6u);
  EXPECT_EQ(Positions(Find(index, {{0, 0}}, 1e6)), (std::vector<std::size_t>{1, 5}));
  EXPECT_EQ(Positions(Find(index, {{0, 0}, {0, 1}}, 1e6)), (std::vector<std::size_t>{1, 5}));
  EXPECT_TRUE(std::isnan(index.events()[0].at.lat));
}

TEST(EventIndex, NothingForAnEmptyPathABadRadiusOrABadPoint) {
  const EventIndex index = IndexOf({{0, 0}});
  EXPECT_TRUE(Find(index, {}, 100).empty());
  EXPECT_TRUE(Find(index, {{0, 0}}, 0).empty());
  EXPECT_TRUE(Find(index, {{0, 0}}, -1).empty());
  EXPECT_TRUE(Find(index, {{0, 0}}, kNaN).empty());
  EXPECT_TRUE(Find(index, {{0, 0}, {kNaN, 0}}, 100).empty());
  EXPECT_TRUE(Find(index, {{95, 0}}, 1e6).empty());
  EXPECT_EQ(Find(index, {{0, 0}}, kInf).size(), 1u);
  EXPECT_TRUE(IndexOf({}).Within(std::vector<Point>{{0, 0}}, 100, 0, 0).empty());
}

TEST(EventIndex, ADegenerateRouteIsASite) {
  const EventIndex index = IndexOf({{0.5, 0.5}, {3, 3}});
  const std::vector<Near> site = Find(index, {{0, 0}}, 100), route = Find(index, {{0, 0}, {0, 0}}, 100);
  ASSERT_EQ(Positions(route), Positions(site));
  EXPECT_NEAR(route[0].distance_km, site[0].distance_km, 1e-9);
}

TEST(EventIndex, MovedIndexKeepsItsEvents) {
  EventIndex a = IndexOf({{0, 0}});
  EventIndex b(std::move(a));
  EXPECT_EQ(Find(b, {{0, 0}}, 1).size(), 1u);
  a = std::move(b);
  EXPECT_EQ(Find(a, {{0, 0}}, 1).size(), 1u);
}

// ---- the index against a brute-force scan ----------------------------------------------------

struct Query {
  std::vector<Point> path;
  double radius_km;
  std::int32_t from, to;
};

class EventIndexRandom : public ::testing::Test {
 protected:
  void SetUp() override {
    std::mt19937_64 rng(20240917);
    std::uniform_real_distribution<double> u(-1, 1);
    std::uniform_int_distribution<std::int32_t> day(0, 999);
    auto uniform = [&] { return Point{std::asin(u(rng)) / kDeg, 180 * u(rng)}; };
    for (int q = 0; q < 50; ++q) {
      Query query{{uniform()}, 100 + 2400 * std::abs(u(rng)), day(rng), 0};
      query.to = query.from + 300 + day(rng);
      if (q % 5 == 1) query.path[0].lat = std::copysign(75 + 15 * std::abs(u(rng)), query.path[0].lat);
      if (q % 5 == 2) query.path[0].lon = std::copysign(175 + 5 * std::abs(u(rng)), query.path[0].lon);
      const std::size_t vertices = q % 2 ? 2 + q % 3 : 1;  // sites, and routes of 2 to 4 points
      // Some routes run east–west at high latitude with a small radius: their arcs bulge towards
      // the pole by more than the radius.
      const bool long_east_west = q % 5 == 3 && vertices > 1;
      if (long_east_west) {
        query.path[0].lat = std::copysign(50 + 25 * std::abs(u(rng)), query.path[0].lat);
        query.radius_km = 30 + 270 * std::abs(u(rng));
      }
      while (query.path.size() < vertices) {
        const Point last = query.path.back();
        query.path.push_back(long_east_west
                                 ? Point{last.lat + 2 * u(rng), last.lon + 40 + 30 * std::abs(u(rng))}
                                 : Point{std::clamp(last.lat + 20 * u(rng), -89.0, 89.0), last.lon + 25 * u(rng)});
      }
      queries_.push_back(std::move(query));
    }
    // Of 2,000 events, 300 lie within about a degree of a route's arcs; of the others a quarter lie
    // near the poles or the antimeridian, where the search boxes are special.
    for (int i = 0; i < 2000; ++i) {
      Point p = uniform();
      if (i % 8 == 1) p.lat = std::copysign(80 + 10 * std::abs(u(rng)), p.lat);
      if (i % 8 == 2) p.lon = std::copysign(170 + 10 * std::abs(u(rng)), p.lon);
      if (i % 8 == 3 || i % 8 == 4) p = NearARoute(rng);
      if (i % 97 == 0) p.lon = kNaN;
      events_.push_back({p, day(rng), 1});
    }
  }

  //! A point of a random route's arc (spherical interpolation), moved by up to a degree.
  Point NearARoute(std::mt19937_64& rng) {
    std::uniform_real_distribution<double> t(0, 1);
    const Query* q = nullptr;
    while (!q || q->path.size() < 2) q = &queries_[rng() % queries_.size()];
    const std::size_t i = 1 + rng() % (q->path.size() - 1);
    const Vec a = Unit(q->path[i - 1]), b = Unit(q->path[i]);
    const double omega = std::atan2(Norm(Cross(a, b)), Dot(a, b)), f = t(rng);
    Vec v;
    for (int k = 0; k < 3; ++k)
      v[k] = (std::sin((1 - f) * omega) * a[k] + std::sin(f * omega) * b[k]) / std::sin(omega);
    return {std::clamp(std::asin(v[2]) / kDeg + 2 * t(rng) - 1, -90.0, 90.0),
            std::atan2(v[1], v[0]) / kDeg + 2 * t(rng) - 1};
  }

  std::vector<Event> events_;
  std::vector<Query> queries_;
};

void ExpectSame(const std::vector<Near>& got, const std::vector<Near>& want) {
  ASSERT_EQ(Positions(got), Positions(want));
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i].distance_km, want[i].distance_km, 1e-9);
}

TEST_F(EventIndexRandom, MatchesABruteForceScan) {
  const EventIndex index(events_);
  std::size_t found = 0, routes = 0;
  for (const Query& q : queries_) {
    SCOPED_TRACE(::testing::Message() << "from " << q.path[0].lat << ", " << q.path[0].lon << " radius " << q.radius_km
                                      << " points " << q.path.size());
    const std::vector<Near> got = index.Within(q.path, q.radius_km, q.from, q.to);
    ExpectSame(got, BruteForce(events_, q.path, q.radius_km, q.from, q.to));
    found += got.size();
    routes += q.path.size() > 1;
  }
  EXPECT_GT(found, 500u);  // not a vacuous agreement
  EXPECT_GE(routes, 20u);
}

TEST_F(EventIndexRandom, SafeToQueryFromSeveralThreads) {
  const EventIndex index(events_);
  std::vector<std::vector<Near>> want;
  for (const Query& q : queries_) want.push_back(index.Within(q.path, q.radius_km, q.from, q.to));
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 20; ++round) {
        for (std::size_t i = 0; i < queries_.size(); ++i) {
          const Query& q = queries_[(i + t * 13) % queries_.size()];
          const std::vector<Near> got = index.Within(q.path, q.radius_km, q.from, q.to);
          const std::vector<Near>& w = want[(i + t * 13) % queries_.size()];
          mismatches[t] += Positions(got) != Positions(w);
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(mismatches, std::vector<int>(4, 0));
}

// ---- recency ---------------------------------------------------------------------------------

TEST(RecencyWeight, HalvesEveryHalfLife) {
  EXPECT_EQ(RecencyWeight(0, 30), 1);
  EXPECT_DOUBLE_EQ(RecencyWeight(30, 30), 0.5);
  EXPECT_DOUBLE_EQ(RecencyWeight(90, 30), 0.125);
  EXPECT_NEAR(RecencyWeight(10, 30), std::pow(0.5, 1.0 / 3), 1e-15);
  EXPECT_EQ(RecencyWeight(-1, 30), 0);
}

TEST(RecencyWeight, LimitsOfTheHalfLife) {
  EXPECT_EQ(RecencyWeight(0, 0), 1);
  EXPECT_EQ(RecencyWeight(1, 0), 0);
  EXPECT_EQ(RecencyWeight(1, -5), 0);
  EXPECT_EQ(RecencyWeight(1000, kInf), 1);
  EXPECT_EQ(RecencyWeight(-1, kInf), 0);
  EXPECT_TRUE(std::isnan(RecencyWeight(5, kNaN)));
}

}  // namespace
}  // namespace gpsi::risk
