// The project overlay's spatial index: events in a Boost.Geometry R-tree, searched with the
// latitude/longitude boxes that cover a site or route widened by the radius, the candidates then
// kept by their exact great-circle distance (Boost's haversine and cross-track strategies).
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <tuple>
#include <utility>

#include "risk.hpp"

// Boost 1.74's Boost.Math (which Boost.Geometry includes) includes a header Boost itself deprecated
// and says so with a #pragma message in every translation unit: not ours to fix.
#define BOOST_ALLOW_DEPRECATED_HEADERS
#include <boost/geometry/algorithms/distance.hpp>
#include <boost/geometry/algorithms/envelope.hpp>
#include <boost/geometry/geometries/box.hpp>
#include <boost/geometry/geometries/point.hpp>
#include <boost/geometry/geometries/segment.hpp>
#include <boost/geometry/index/rtree.hpp>
#include <boost/geometry/strategies/spherical/distance_cross_track.hpp>
#include <boost/geometry/strategies/spherical/distance_haversine.hpp>
#include <boost/geometry/strategies/spherical/envelope_segment.hpp>
#include <boost/iterator/function_output_iterator.hpp>

namespace gpsi::risk {
namespace {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;

// (lon, lat) in degrees on the sphere: the coordinates of Boost's spherical strategies.
using SpherePoint = bg::model::point<double, 2, bg::cs::spherical_equatorial<bg::degree>>;
using SphereSegment = bg::model::segment<SpherePoint>;
using SphereBox = bg::model::box<SpherePoint>;

// The tree indexes (lon, lat) as plane coordinates: the search boxes are computed on the sphere
// below and split at the antimeridian, so the tree needs none of the spherical box semantics (a
// longitude range that wraps), which would only make every node test dearer.
using PlanePoint = bg::model::point<double, 2, bg::cs::cartesian>;
using PlaneBox = bg::model::box<PlanePoint>;

// One indexed event; its day sits beside the point so that the date filter reads no other memory.
struct Entry {
  PlanePoint at;      // (lon in [-180, 180), lat)
  std::uint32_t pos;  // in the index's events()
  std::int32_t day;
};
struct EntryPoint {
  using result_type = const PlanePoint&;
  result_type operator()(const Entry& e) const { return e.at; }
};
using Tree = bgi::rtree<Entry, bgi::rstar<16>, EntryPoint>;

constexpr double kDegPerRad = 180 / std::numbers::pi;
// Widens every search box (about 1 cm): the boxes only preselect, the exact distance decides, so a
// box edge rounded inwards must never drop an event on the circle.
constexpr double kMarginDeg = 1e-7;

bool Valid(Point p) {
  return std::isfinite(p.lon) && std::isfinite(p.lat) && std::abs(p.lat) <= 90;
}

// A longitude in [-180, 180).
double WrapLon(double lon) {
  return lon - 360 * std::floor((lon + 180) / 360);
}

SpherePoint ToSphere(Point p) {
  return {p.lon, p.lat};
}
SpherePoint ToSphere(const PlanePoint& p) {
  return {bg::get<0>(p), bg::get<1>(p)};
}

// Both on the kEarthRadiusKm sphere; the cross-track strategy measures to an end with the same
// haversine, so a route's vertex is exactly as far as the same point as a site.
const bg::strategy::distance::haversine<double> kHaversine(kEarthRadiusKm);
const bg::strategy::distance::cross_track<> kCrossTrack(kEarthRadiusKm);

double PointKm(const SpherePoint& a, const SpherePoint& b) {
  return bg::distance(a, b, kHaversine);
}

// To the nearest point of the minor arc a–b: the cross-track distance when the foot of the
// perpendicular falls on the arc, else the distance to the nearer end.
double SegmentKm(const SpherePoint& p, const SpherePoint& a, const SpherePoint& b) {
  return bg::distance(p, SphereSegment(a, b), kCrossTrack);
}

// Calls fn(PlaneBox) for the one or two boxes that hold every point within the central angle
// `delta` (radians) of `env`, a spherical box (its max longitude passes 180 when it crosses the
// antimeridian). Latitudes widen by delta; longitudes by asin(sin delta / cos phi), phi the box's
// largest |latitude| (the widest in longitude a circle of that radius about a point of the box
// gets: J. P. Matuschek, "Finding points within a distance of a latitude/longitude using bounding
// coordinates", 2011), or to every longitude when the circle reaches a pole.
template <class Fn>
void ForEachSearchBox(const SphereBox& env, double delta, Fn fn) {
  const double lat_min = bg::get<bg::min_corner, 1>(env), lat_max = bg::get<bg::max_corner, 1>(env);
  const double widen = delta * kDegPerRad + kMarginDeg;
  const double lo_lat = std::max(-90.0, lat_min - widen), hi_lat = std::min(90.0, lat_max + widen);
  double lo = bg::get<bg::min_corner, 0>(env), hi = bg::get<bg::max_corner, 0>(env);
  if (lo_lat > -90 && hi_lat < 90) {  // then delta < pi/2 - phi: the asin's argument is below 1
    const double phi = std::max(std::abs(lat_min), std::abs(lat_max)) / kDegPerRad;
    const double dlon = std::asin(std::sin(delta) / std::cos(phi)) * kDegPerRad + kMarginDeg;
    lo -= dlon;
    hi += dlon;
  } else {
    lo = -180, hi = 180;
  }
  if (hi - lo >= 360) {
    fn(PlaneBox({-180, lo_lat}, {180, hi_lat}));
    return;
  }
  const double from = WrapLon(lo), to = from + (hi - lo);
  fn(PlaneBox({from, lo_lat}, {std::min(to, 180.0), hi_lat}));
  if (to > 180) fn(PlaneBox({-180, lo_lat}, {to - 360, hi_lat}));
}

// Sorts by distance then position, keeping of an event found more than once (near several
// segments of a route) its least distance. A site's boxes are disjoint: it finds each event once.
void SortUnique(std::vector<Near>& found, bool may_repeat) {
  if (may_repeat) {
    std::sort(found.begin(), found.end(), [](const Near& a, const Near& b) {
      return std::tie(a.event, a.distance_km) < std::tie(b.event, b.distance_km);
    });
    found.erase(
        std::unique(found.begin(), found.end(), [](const Near& a, const Near& b) { return a.event == b.event; }),
        found.end());
  }
  std::sort(found.begin(), found.end(), [](const Near& a, const Near& b) {
    return std::tie(a.distance_km, a.event) < std::tie(b.distance_km, b.event);
  });
}

std::vector<Entry> Entries(const std::vector<Event>& events) {
  if (events.size() > std::numeric_limits<std::uint32_t>::max())
    throw std::length_error("EventIndex: more than 2^32 - 1 events");
  std::vector<Entry> entries;
  entries.reserve(events.size());
  for (std::size_t i = 0; i < events.size(); ++i) {
    const Event& e = events[i];
    if (!Valid(e.at)) continue;  // not a place: never near anything
    entries.push_back({PlanePoint(WrapLon(e.at.lon), e.at.lat), static_cast<std::uint32_t>(i), e.day});
  }
  return entries;
}

}  // namespace

struct EventIndex::Impl {
  std::vector<Event> events;
  Tree tree;

  // Appends the events dated in [from, to] in the search boxes of `env` whose `distance` (a
  // function of the event's SpherePoint) is at most radius_km.
  template <class Distance>
  void Collect(const SphereBox& env, double radius_km, std::int32_t from, std::int32_t to, Distance distance,
               std::vector<Near>& out) const {
    auto keep = [&](const Entry& e) {
      if (e.day < from || e.day > to) return;
      const double km = distance(ToSphere(e.at));
      if (km <= radius_km) out.push_back({e.pos, km});
    };
    ForEachSearchBox(env, radius_km / kEarthRadiusKm, [&](const PlaneBox& box) {
      tree.query(bgi::intersects(box), boost::make_function_output_iterator(keep));
    });
  }
};

// The range constructor packs the tree (bulk loading): fuller nodes and a faster build than inserts.
EventIndex::EventIndex(std::vector<Event> events) : impl_(std::make_unique<Impl>()) {
  const std::vector<Entry> entries = Entries(events);
  impl_->tree = Tree(entries.begin(), entries.end());
  impl_->events = std::move(events);
}

EventIndex::~EventIndex() = default;
EventIndex::EventIndex(EventIndex&&) noexcept = default;
EventIndex& EventIndex::operator=(EventIndex&&) noexcept = default;

const std::vector<Event>& EventIndex::events() const {
  return impl_->events;
}

std::vector<Near> EventIndex::Within(std::span<const Point> path, double radius_km, std::int32_t from_day,
                                     std::int32_t to_day) const {
  std::vector<Near> found;
  if (path.empty() || !(radius_km > 0) || from_day > to_day || !std::all_of(path.begin(), path.end(), Valid))
    return found;
  if (path.size() == 1) {
    const SpherePoint site = ToSphere(path[0]);
    impl_->Collect(
        SphereBox(site, site), radius_km, from_day, to_day, [&](const SpherePoint& p) { return PointKm(p, site); },
        found);
  }
  for (std::size_t i = 1; i < path.size(); ++i) {
    const SpherePoint a = ToSphere(path[i - 1]), b = ToSphere(path[i]);
    SphereBox env;
    bg::envelope(SphereSegment(a, b), env);  // with the arc's bulge towards the pole
    impl_->Collect(
        env, radius_km, from_day, to_day, [&](const SpherePoint& p) { return SegmentKm(p, a, b); }, found);
  }
  SortUnique(found, path.size() > 1);
  return found;
}

double DistanceKm(Point a, Point b) {
  return PointKm(ToSphere(a), ToSphere(b));
}

double RecencyWeight(std::int32_t age_days, double half_life_days) {
  if (std::isnan(half_life_days)) return kNa;
  if (age_days < 0) return 0;
  if (half_life_days <= 0) return age_days == 0 ? 1 : 0;  // the limit as the half-life shrinks to 0
  return std::exp2(-age_days / half_life_days);
}

}  // namespace gpsi::risk
