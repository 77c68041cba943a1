// Small HTTP helpers shared by the endpoint files (detail/http.hpp).
#include <cctype>
#include <charconv>

#include "detail/http.hpp"

#include <fmt/format.h>

#include "engine.hpp"  // the façade: number formatting and the missing-value test of its result types

namespace gpsi::server::detail {

void SendError(httplib::Response& res, int status, std::string_view id, const std::string& message) {
  res.status = status;
  Json j{{"error", {{"code", id}, {"message", message}}}};
  res.set_content(j.dump() + "\n", "application/json");
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
