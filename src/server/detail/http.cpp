// Small HTTP helpers shared by the endpoint files (detail/http.hpp).
#include <cctype>
#include <charconv>

#include "detail/http.hpp"

#include <fmt/format.h>

#include "engine.hpp"  // the façade: number formatting and the missing-value test of its result types

namespace gpsi::server::detail {

namespace {

constexpr std::size_t kMessageMax = 300;  // bytes of an error message: no long echo of the input

//! `s` cut to at most `max` bytes at a character boundary, with "…" when cut.
std::string Clip(std::string_view s, std::size_t max) {
  if (s.size() <= max) return std::string(s);
  std::size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;  // not inside a UTF-8 sequence
  return std::string(s.substr(0, n)) + "…";
}

}  // namespace

void SetSecurityHeaders(httplib::Response& res) {
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("X-Frame-Options", "DENY");
  res.set_header("Referrer-Policy", "no-referrer");
  // The dashboard loads only its own files; ECharts' SVG sets inline styles, the favicon and PNG
  // export use data: and blob: images.
  res.set_header("Content-Security-Policy",
                 "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
                 "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
}

void SendError(httplib::Response& res, int status, std::string_view id, const std::string& message) {
  res.status = status;
  Json j{{"error", {{"code", id}, {"message", Clip(message, kMessageMax)}}}};
  // Replace rather than throw on bytes that are not UTF-8 (the edge refuses them; this is the
  // last guard, so that an error can always be sent).
  res.set_content(j.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n", "application/json");
  SetSecurityHeaders(res);
}

//! Sends an error whose HTTP status and id come from the error table of src/core.
void SendError(httplib::Response& res, Errc code, const std::string& message) {
  const ErrorInfo& info = Info(code);
  SendError(res, info.http_status, info.id, message);
}

Json NumOrNull(double v) {
  return IsNa(v) ? Json(nullptr) : Json(v);
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

//! The `format` parameter: json (default) or csv; nullopt (with the error sent) otherwise.
std::optional<bool> WantCsv(const httplib::Request& req, httplib::Response& res) {
  if (!req.has_param("format")) return false;
  std::string f = req.get_param_value("format");
  if (f == "csv") return true;
  if (f == "json") return false;
  SendError(res, Errc::kUsage, fmt::format("format must be json or csv, not '{}'", f));
  return std::nullopt;
}

//! Refuses parameters the endpoint does not know and repeated parameters.
bool CheckParams(const httplib::Request& req, httplib::Response& res, const std::set<std::string>& known) {
  for (const auto& p : req.params) {
    if (known.count(p.first) == 0) {
      SendError(res, Errc::kUsage, fmt::format("unknown parameter '{}'", p.first));
      return false;
    }
    if (req.get_param_value_count(p.first) > 1) {
      SendError(res, Errc::kUsage, fmt::format("parameter '{}' is given more than once", p.first));
      return false;
    }
  }
  // cpp-httplib keeps one copy of a repeated identical `key=value`, so repeats are counted in the
  // raw query too (keys are compared decoded, as httplib decodes them).
  std::string_view target = req.target;
  auto q = target.find('?');
  if (q == std::string_view::npos) return true;
  std::set<std::string> seen;
  for (std::string_view rest = target.substr(q + 1); !rest.empty();) {
    auto amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    std::string key = httplib::detail::decode_url(std::string(pair.substr(0, pair.find('='))), true);
    if (!seen.insert(key).second) {
      SendError(res, Errc::kUsage, fmt::format("parameter '{}' is given more than once", key));
      return false;
    }
  }
  return true;
}

std::optional<int> YearParam(const httplib::Request& req, httplib::Response& res, const std::set<int>& years,
                             std::string_view of) {
  int year = years.empty() ? 0 : *years.rbegin();
  if (!req.has_param("year")) return year;
  std::string s = req.get_param_value("year");
  int y = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), y);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) {
    SendError(res, Errc::kUsage, fmt::format("year must be an integer, not '{}'", s));
    return std::nullopt;
  }
  if (years.count(y) == 0) {
    SendError(res, Errc::kUsage, fmt::format("{} has no year {}", of, y));
    return std::nullopt;
  }
  return y;
}

}  // namespace gpsi::server::detail
