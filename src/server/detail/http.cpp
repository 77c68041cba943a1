// Small HTTP helpers shared by the endpoint files (detail/http.hpp).
#include <algorithm>
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

//! ASCII case-insensitive equality (header names).
bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

//! The first value of `key` in `pairs` (names compared by `eq`), or nullptr.
template <typename Eq>
const std::string* Find(const std::vector<std::pair<std::string, std::string>>& pairs, std::string_view key, Eq eq) {
  for (const auto& [k, v] : pairs) {
    if (eq(k, key)) return &v;
  }
  return nullptr;
}

bool Same(std::string_view a, std::string_view b) {
  return a == b;
}

}  // namespace

bool Request::HasParam(std::string_view key) const {
  return Find(params, key, Same) != nullptr;
}

std::string Request::Param(std::string_view key) const {
  const std::string* v = Find(params, key, Same);
  return v ? *v : std::string();
}

std::size_t Request::ParamCount(std::string_view key) const {
  return static_cast<std::size_t>(
      std::count_if(params.begin(), params.end(), [&](const auto& kv) { return kv.first == key; }));
}

std::string Request::Header(std::string_view name) const {
  const std::string* v = Find(headers, name, IEquals);
  return v ? *v : std::string();
}

void Response::SetHeader(std::string_view name, std::string value) {
  headers.erase(std::remove_if(headers.begin(), headers.end(), [&](const auto& h) { return IEquals(h.first, name); }),
                headers.end());
  headers.emplace_back(std::string(name), std::move(value));
}

std::string Response::Header(std::string_view name) const {
  const std::string* v = Find(headers, name, IEquals);
  return v ? *v : std::string();
}

bool Response::HasHeader(std::string_view name) const {
  return Find(headers, name, IEquals) != nullptr;
}

void Response::SetContent(std::string content, std::string content_type) {
  body = std::move(content);
  hold.reset();
  view = {};
  SetHeader("Content-Type", std::move(content_type));
}

void SetSecurityHeaders(Response& res) {
  res.SetHeader("X-Content-Type-Options", "nosniff");
  res.SetHeader("X-Frame-Options", "DENY");
  res.SetHeader("Referrer-Policy", "no-referrer");
  // The dashboard loads only its own files; ECharts' SVG sets inline styles, the favicon and PNG
  // export use data: and blob: images.
  res.SetHeader("Content-Security-Policy",
                "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
                "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
}

void SendError(Response& res, int status, std::string_view id, const std::string& message) {
  res.status = status;
  Json j{{"error", {{"code", id}, {"message", Clip(message, kMessageMax)}}}};
  // Replace rather than throw on bytes that are not UTF-8 (the edge refuses them; this is the
  // last guard, so that an error can always be sent).
  res.SetContent(j.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n", "application/json");
  SetSecurityHeaders(res);
}

//! Sends an error whose HTTP status and id come from the error table of src/core.
void SendError(Response& res, Errc code, const std::string& message) {
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

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

//! The `format` parameter: json (default) or csv; nullopt (with the error sent) otherwise.
std::optional<bool> WantCsv(const Request& req, Response& res) {
  if (!req.HasParam("format")) return false;
  std::string f = req.Param("format");
  if (f == "csv") return true;
  if (f == "json") return false;
  SendError(res, Errc::kUsage, fmt::format("format must be json or csv, not '{}'", f));
  return std::nullopt;
}

//! Refuses parameters the endpoint does not know and repeated parameters.
std::optional<std::int64_t> PositiveId(const std::string& s) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v <= 0) return std::nullopt;
  return v;
}

std::optional<std::vector<std::string>> PathSegments(const std::string& path, std::string_view base) {
  if (path.compare(0, base.size(), base) != 0) return std::nullopt;
  std::string_view rest = std::string_view(path).substr(base.size());
  std::vector<std::string> out;
  while (!rest.empty()) {
    if (rest.front() != '/') return std::nullopt;
    rest.remove_prefix(1);
    const auto end = std::min(rest.find('/'), rest.size());
    if (end == 0) return std::nullopt;
    out.emplace_back(rest.substr(0, end));
    rest.remove_prefix(end);
  }
  return out;
}

bool CheckParams(const Request& req, Response& res, const std::set<std::string>& known) {
  for (const auto& p : req.params) {
    if (known.count(p.first) == 0) {
      SendError(res, Errc::kUsage, fmt::format("unknown parameter '{}'", p.first));
      return false;
    }
    if (req.ParamCount(p.first) > 1) {
      SendError(res, Errc::kUsage, fmt::format("parameter '{}' is given more than once", p.first));
      return false;
    }
  }
  return true;
}

std::optional<int> YearParam(const Request& req, Response& res, const std::set<int>& years, std::string_view of) {
  int year = years.empty() ? 0 : *years.rbegin();
  if (!req.HasParam("year")) return year;
  std::string s = req.Param("year");
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
