// gpsi risk: country and project risk (docs/risk.md). The country model is an INFORM-style method
// file (methods/risk.toml) that the engine builds like any index; this module holds what a risk
// sheet adds to a build: fixed risk classes, the reliability index, the 3-year trend, and the
// project overlay of nearby events on a spatial index. Pure computation; the engine reads the
// store and writes the sheets.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core.hpp"
#include "method.hpp"
#include "model.hpp"

namespace gpsi::risk {

// ==== country risk ===============================================================================

//! The class of a risk score under the method's [risk] classes: 0 (the lowest) … class_lower.size(),
//! the highest class whose lower bound the score reaches after rounding half away from zero to
//! `decimals` (INFORM classifies the one-decimal score it publishes); −1 for NaN.
int Classify(double score, const method::RiskSpec& spec);

//! One indicator of a country-year as the reliability index sees it.
struct Cell {
  bool present = false;  //!< has a value after imputation
  bool imputed = false;  //!< that value was imputed (carried forward or filled), not read for the year
  int age = 0;           //!< years between the assessed year and the year the value was read for
};

//! The reliability index of a country-year (INFORM's Reliability Index, 0 = most reliable, 10 =
//! least): 10 · mean(missing, imputed, age), where missing is the share of the scored indicators
//! without a value, imputed the share of present values that were imputed, and age the mean
//! min(age, max_age) / max_age over present values.
struct Reliability {
  double missing = kNa, imputed = kNa, age = kNa;  //!< shares in [0, 1]
  double mean_age_years = kNa;                     //!< mean age of the present values, uncapped
  double index = kNa;                              //!< 0–10
};
Reliability AssessReliability(std::span<const Cell> cells, const method::RiskSpec& spec);

//! Which way a score moved over the trend window.
enum class Direction { kFalling, kStable, kRising };
//! "falling", "stable", "rising".
const char* DirectionName(Direction d);

//! The trend of a score over the last spec.trend_years years up to `year` (INFORM's 3-year trend):
//! the least-squares slope per year over the years with a score (at least two, the first and the
//! last of the window among them), change = slope · (trend_years − 1); rising when the slope is at
//! least spec.trend_band a year, falling when at most −trend_band, stable between.
struct Trend {
  int from = 0, to = 0;  //!< the window
  std::size_t points = 0;
  double slope = kNa, change = kNa;
  Direction direction = Direction::kStable;
  bool known() const { return !IsNa(slope); }
};
Trend TrendOf(std::span<const int> years, std::span<const double> scores, int year, const method::RiskSpec& spec);

//! How one risk class did against an outcome the year after: country-years in the class, those
//! with the outcome, and — for the cut "class ≥ this one" — its sensitivity and specificity.
struct ClassOutcome {
  int cls = 0;
  std::size_t units = 0, events = 0;
  double rate = kNa;                            //!< events / units
  double sensitivity = kNa, specificity = kNa;  //!< of predicting the outcome by class ≥ cls
};
//! The confusion by class of `cls` (0 … classes − 1; −1 rows are left out) against `event`.
std::vector<ClassOutcome> ConfusionByClass(std::span<const int> cls, std::span<const char> event, int classes);

// ==== nearby events (project overlay) ============================================================

//! A point on the earth in degrees (gpsi::GeoPoint, WGS 84 latitude and longitude).
using Point = GeoPoint;

//! Mean earth radius in km (IUGG R1), the sphere every distance here is measured on.
inline constexpr double kEarthRadiusKm = 6371.0088;

//! Great-circle distance in km between two points (haversine formula on the kEarthRadiusKm sphere).
double DistanceKm(Point a, Point b);

//! An event at a point: a GDELT event's ActionGeo coordinates, or a UCDP GED event.
struct Event {
  Point at;
  std::int32_t day = 0;  //!< days since 1970-01-01 (the event's date)
  double weight = 1;     //!< the event's own weight (deaths, mentions…): 1 counts it once
};

//! An event found near a site or route: its position in the index's list and its distance in km to
//! the nearest point of the site or route.
struct Near {
  std::size_t event = 0;
  double distance_km = 0;
};

//! A static spatial index over events (a Boost.Geometry R-tree): built once, queried by many
//! projects, safe to query from several threads at once.
class EventIndex {
 public:
  //! Indexes `events`, keeping them in their order; an event whose latitude or longitude is NaN or
  //! infinite, or whose latitude is outside [−90, 90], is kept in events() but never found.
  //! Longitudes may be given in any range (they are taken modulo 360).
  explicit EventIndex(std::vector<Event> events);
  ~EventIndex();
  EventIndex(EventIndex&&) noexcept;
  EventIndex& operator=(EventIndex&&) noexcept;
  EventIndex(const EventIndex&) = delete;
  EventIndex& operator=(const EventIndex&) = delete;

  //! The events as given: Near::event is a position in this list.
  const std::vector<Event>& events() const;
  //! Events within `radius_km` (great-circle, the bound included) of `path`, each once, ordered by
  //! distance then position: a site is one point; a route is a polyline whose every segment (the
  //! shorter great-circle arc between its ends; undefined between antipodal points) counts, not only
  //! its vertices. Events dated outside [from_day, to_day] are left out. Nothing is found for an
  //! empty path, a path with an invalid point (as for events), a radius ≤ 0 or NaN, or from_day >
  //! to_day.
  std::vector<Near> Within(std::span<const Point> path, double radius_km, std::int32_t from_day,
                           std::int32_t to_day) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

//! Recency weight of an event `age_days` old: 0.5^(age_days / half_life_days) (1 today, ½ at one
//! half-life); 0 for a negative age (an event after the assessment date). The limits at the ends:
//! a half-life ≤ 0 gives 1 at age 0 and 0 after, an infinite one 1 at every age ≥ 0; NaN for a
//! NaN half-life.
double RecencyWeight(std::int32_t age_days, double half_life_days);

// ==== project files ==============================================================================

//! A project of an overseas enterprise (gpsi::Project, model.hpp).
using Project = gpsi::Project;

//! The project types a file may name: construction, energy, mining, transport, manufacturing,
//! agriculture, telecom, trade, services, other.
const std::vector<std::string>& ProjectTypes();

//! Reads a project file (at most 1 MiB of UTF-8; a leading byte-order mark is skipped): `text` is
//! JSON when its first character other than white space is '{', else TOML; `origin` names it in
//! errors. kBadProject for anything outside the format — unknown keys, wrong types, values out of
//! range, days not in the calendar — with a message naming the key path, and for TOML the line and
//! column (for JSON syntax errors the byte offset and its line); never throws.
Result<Project> ParseProject(std::string_view text, const std::string& origin);

//! The project as canonical JSON: compact, in the input format's tree, keys sorted, optional members
//! left out when empty or absent (name_zh, assessed, site's lat/lon, admin_area, radius_km when NaN,
//! route, controls; staff always written). ParseProject reads it back to the same project.
std::string ProjectJson(const Project& p);

}  // namespace gpsi::risk
