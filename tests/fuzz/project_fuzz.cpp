// Fuzz target: the project file's parser (gpsi::risk::ParseProject, TOML or JSON) over arbitrary
// text. A file is accepted or refused with kBadProject in its origin; nothing may throw. An accepted
// project must hold what the format promises, and its canonical JSON must read back to it and be
// stable.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>

#include "risk.hpp"

namespace {

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "project invariant violated: %s\n", what);
    std::abort();
  }
}

bool IdLike(const std::string& s) {
  if (s.empty() || s.size() > 64 || s[0] == '-') return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

bool DateLike(const std::string& s) {
  return s.size() == 10 && s[4] == '-' && s[7] == '-';
}

bool Same(double a, double b) {
  return (std::isnan(a) && std::isnan(b)) || a == b;
}

bool SamePoint(const gpsi::risk::Point& a, const gpsi::risk::Point& b) {
  return Same(a.lat, b.lat) && Same(a.lon, b.lon);
}

bool Equal(const gpsi::risk::Project& a, const gpsi::risk::Project& b) {
  if (a.route.size() != b.route.size()) return false;
  for (std::size_t i = 0; i < a.route.size(); ++i) {
    if (!SamePoint(a.route[i], b.route[i])) return false;
  }
  return a.id == b.id && a.enterprise == b.enterprise && a.name == b.name && a.name_zh == b.name_zh &&
         a.type == b.type && a.country == b.country && a.site.has_value() == b.site.has_value() &&
         (!a.site || SamePoint(*a.site, *b.site)) && a.admin_area == b.admin_area && Same(a.radius_km, b.radius_km) &&
         a.staff_national == b.staff_national && a.staff_expatriate == b.staff_expatriate && a.start == b.start &&
         a.end == b.end && a.assessed == b.assessed && a.controls == b.controls;
}

void CheckProject(const gpsi::risk::Project& p) {
  Check(IdLike(p.id) && IdLike(p.enterprise), "ids of [a-z0-9-]");
  Check(p.country.size() == 3 && std::isupper(static_cast<unsigned char>(p.country[0])) &&
            std::isupper(static_cast<unsigned char>(p.country[1])) &&
            std::isupper(static_cast<unsigned char>(p.country[2])),
        "a 3-letter country");
  Check(!p.name.empty(), "a name");
  Check(p.site.has_value() || p.admin_area.size() == 4, "a site or an admin area");
  if (p.site) Check(std::abs(p.site->lat) <= 90 && std::abs(p.site->lon) <= 180, "the site on the earth");
  Check(p.route.empty() || p.route.size() >= 2, "a route of 2 points or none");
  for (const auto& at : p.route) Check(std::abs(at.lat) <= 90 && std::abs(at.lon) <= 180, "the route on the earth");
  Check(std::isnan(p.radius_km) || (p.radius_km > 0 && p.radius_km <= 500), "a radius in (0, 500]");
  Check(DateLike(p.start) && DateLike(p.end) && p.start <= p.end, "dates in order");
  Check(p.assessed.empty() || DateLike(p.assessed), "an assessment date");
  Check(p.staff_national >= 0 && p.staff_expatriate >= 0, "staff counts");
  Check(std::set<std::string>(p.controls.begin(), p.controls.end()).size() == p.controls.size(), "distinct controls");
  const auto& types = gpsi::risk::ProjectTypes();
  Check(std::find(types.begin(), types.end(), p.type) != types.end(), "a known type");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto r = gpsi::risk::ParseProject(text, "fuzz.project");
  if (!r) {
    const gpsi::Error& e = r.error();
    Check(e.code == gpsi::Errc::kBadProject && e.file == "fuzz.project", "a bad project is kBadProject in its file");
    Check(e.line >= 0 && e.column >= 0 && !e.message.empty() && !e.Format().empty(), "errors format");
    return 0;
  }
  CheckProject(*r);
  const std::string json = gpsi::risk::ProjectJson(*r);
  auto again = gpsi::risk::ParseProject(json, "fuzz.json");
  Check(again.ok(), "the canonical JSON parses");
  Check(Equal(*r, *again), "the canonical JSON reads back to the project");
  Check(gpsi::risk::ProjectJson(*again) == json, "the canonical JSON is stable");
  return 0;
}
