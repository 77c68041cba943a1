// The HTTP API of docs/api.md on cpp-httplib: routing, parameter validation, JSON/CSV encoding and
// the access log. Answers come from the build held in memory and from engine queries.
#include "server.hpp"

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <map>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace gpsi::server {
namespace {

using Json = nlohmann::ordered_json;

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

//! One CSV field, quoted (RFC 4180) when it holds a comma, quote or line break.
std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

//! Shortest round-trip text of v, as scores.csv writes it; empty for a missing value.
std::string Num(double v) {
  return compute::IsNa(v) ? std::string() : FormatNumber(v);
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
  return true;
}

}  // namespace

struct Server::Impl {
  ServeConfig cfg;
  engine::BuildResult build;
  std::map<std::string, Unit> units;  // by code
  std::vector<std::string> scored;    // units of the build, sorted
  std::set<int> years;
  httplib::Server svr;
  std::atomic<bool> stop_requested{false};
  std::atomic<bool> done{false};

  void Health(httplib::Response& res) const {
    Json j{{"status", "ok"}, {"engine", std::string(Version())}, {"run", build.run_id}};
    res.set_content(j.dump() + "\n", "application/json");
  }

  void Units(const httplib::Request& req, httplib::Response& res) const {
    if (!CheckParams(req, res, {"format"})) return;
    auto csv = WantCsv(req, res);
    if (!csv) return;
    std::string text = "code,name_en,name_zh,iso3,region_code,region\n";
    Json rows = Json::array();
    for (const auto& code : scored) {
      auto it = units.find(code);
      Unit u = it != units.end() ? it->second : Unit{};
      if (it == units.end()) u.code = code;
      if (u.name_en.empty()) {
        // A unit the store does not describe still carries the build's name.
        auto r = std::find(build.row_unit.begin(), build.row_unit.end(), code) - build.row_unit.begin();
        u.name_en = build.row_name[static_cast<std::size_t>(r)];
      }
      text += fmt::format("{},{},{},{},{},{}\n", CsvField(u.code), CsvField(u.name_en), CsvField(u.name_zh),
                          CsvField(u.iso3), CsvField(u.region_code), CsvField(u.region_name));
      rows.push_back({{"code", u.code},
                      {"name_en", u.name_en},
                      {"name_zh", u.name_zh},
                      {"iso3", u.iso3},
                      {"region_code", u.region_code},
                      {"region", u.region_name}});
    }
    if (*csv) return res.set_content(text, "text/csv; charset=utf-8");
    res.set_content(Json{{"units", rows}}.dump() + "\n", "application/json");
  }

  void Scores(const httplib::Request& req, httplib::Response& res) const {
    if (!CheckParams(req, res, {"year", "code", "region", "format"})) return;
    auto csv = WantCsv(req, res);
    if (!csv) return;
    int year = years.empty() ? 0 : *years.rbegin();
    if (req.has_param("year")) {
      std::string s = req.get_param_value("year");
      int y = 0;
      auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), y);
      if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) {
        return SendError(res, Errc::kUsage, fmt::format("year must be an integer, not '{}'", s));
      }
      if (years.count(y) == 0) {
        return SendError(res, Errc::kUsage, fmt::format("the build has no year {}", y));
      }
      year = y;
    }
    const auto& nodes = build.method.nodes;
    std::size_t node = nodes.size() - 1;  // the index is the last node
    if (req.has_param("code")) {
      std::string c = req.get_param_value("code");
      auto it = std::find_if(nodes.begin(), nodes.end(), [&](const method::Node& n) { return n.code == c; });
      if (it == nodes.end()) {
        return SendError(res, Errc::kUsage, fmt::format("'{}' is not a node of method {}", c, build.method.id));
      }
      node = static_cast<std::size_t>(it - nodes.begin());
    }
    std::string region;
    if (req.has_param("region")) {
      region = req.get_param_value("region");
      bool known = std::any_of(units.begin(), units.end(), [&](const auto& kv) {
        return !region.empty() && (kv.second.region_name == region || kv.second.region_code == region);
      });
      if (!known) return SendError(res, Errc::kUsage, fmt::format("'{}' is not a known M49 region", region));
    }
    const std::size_t nn = nodes.size();
    const std::string& code = nodes[node].code;
    std::string text = "year,unit,code,level,value,rank,flags\n";
    Json rows = Json::array();
    for (std::size_t r = 0; r < build.row_unit.size(); ++r) {
      if (build.row_year[r] != year) continue;
      if (!region.empty()) {
        auto it = units.find(build.row_unit[r]);
        if (it == units.end() || (it->second.region_name != region && it->second.region_code != region)) continue;
      }
      double v = build.scores(r, node);
      int rank = build.ranks[node][r];
      const std::string& flags = build.flags[r * nn + node];
      std::string y = build.has_years ? std::to_string(year) : std::string();
      text += fmt::format("{},{},{},{},{},{},{}\n", y, build.row_unit[r], code, nodes[node].level, Num(v),
                          rank > 0 ? std::to_string(rank) : std::string(), flags);
      rows.push_back({{"year", build.has_years ? Json(year) : Json(nullptr)},
                      {"unit", build.row_unit[r]},
                      {"code", code},
                      {"level", nodes[node].level},
                      {"value", compute::IsNa(v) ? Json(nullptr) : Json(v)},
                      {"rank", rank > 0 ? Json(rank) : Json(nullptr)},
                      {"flags", flags}});
    }
    if (*csv) return res.set_content(text, "text/csv; charset=utf-8");
    Json j{{"run", build.run_id}, {"year", year}, {"code", code}, {"rows", rows}};
    if (!region.empty()) j["region"] = region;
    res.set_content(j.dump() + "\n", "application/json");
  }

  void Runs(const httplib::Request& req, httplib::Response& res) const {
    if (!CheckParams(req, res, {"format"})) return;
    auto csv = WantCsv(req, res);
    if (!csv) return;
    auto runs = engine::Runs(cfg.db_path);
    if (!runs) return SendError(res, runs.error().code, runs.error().message);
    std::string text;
    Json rows = Json::array();
    for (const auto& f : engine::RunFields(RunRecord{})) text += (text.empty() ? "" : ",") + f.first;
    text += '\n';
    for (const auto& r : *runs) {
      Json row = Json::object();
      std::string line;
      for (auto& [k, v] : engine::RunFields(r)) {
        line += (line.empty() ? "" : ",") + CsvField(v);
        row[k] = v;
      }
      text += line + '\n';
      rows.push_back(std::move(row));
    }
    if (*csv) return res.set_content(text, "text/csv; charset=utf-8");
    res.set_content(Json{{"runs", rows}}.dump() + "\n", "application/json");
  }

  void Routes() {
    using Req = const httplib::Request&;
    using Res = httplib::Response&;
    svr.Get("/api/v1/health", [this](Req, Res res) { Health(res); });
    svr.Get("/api/v1/units", [this](Req req, Res res) { Units(req, res); });
    svr.Get("/api/v1/scores", [this](Req req, Res res) { Scores(req, res); });
    svr.Get("/api/v1/runs", [this](Req req, Res res) { Runs(req, res); });
    // Other verbs: 405 on a known path, 404 elsewhere (the error handler).
    auto other = [](Req req, Res res) {
      static const std::set<std::string> kPaths{"/api/v1/health", "/api/v1/units", "/api/v1/scores", "/api/v1/runs"};
      if (kPaths.count(req.path) == 0) return SendError(res, Errc::kNotFound, "no such endpoint: " + req.path);
      res.set_header("Allow", "GET, HEAD");
      SendError(res, Errc::kMethodNotAllowed, req.method + " is not allowed on " + req.path);
    };
    svr.Post(".*", other);
    svr.Put(".*", other);
    svr.Patch(".*", other);
    svr.Delete(".*", other);
    svr.Options(".*", other);
    svr.set_error_handler(httplib::Server::HandlerWithResponse([](Req req, Res res) {
      if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
      if (res.status == 404) {
        SendError(res, Errc::kNotFound, "no such endpoint: " + req.path);
      } else {
        SendError(res, res.status, res.status >= 500 ? "internal" : "usage", fmt::format("HTTP status {}", res.status));
      }
      return httplib::Server::HandlerResponse::Handled;
    }));
    svr.set_exception_handler([](Req, Res res, const std::exception_ptr& ep) {
      std::string what = "internal error";
      try {
        std::rethrow_exception(ep);
      } catch (const std::exception& e) {
        what = e.what();
      } catch (...) {
      }
      SendError(res, Errc::kInternal, what);
    });
  }
};

namespace {
// Start of the request being served by this worker thread, for the access log.
thread_local std::chrono::steady_clock::time_point t_request_start;
}  // namespace

Server::Server(ServeConfig cfg, engine::BuildResult build, std::vector<Unit> units) : impl_(std::make_unique<Impl>()) {
  impl_->cfg = std::move(cfg);
  impl_->build = std::move(build);
  for (auto& u : units) impl_->units.emplace(u.code, std::move(u));
  const auto& b = impl_->build;
  impl_->scored = b.row_unit;
  std::sort(impl_->scored.begin(), impl_->scored.end());
  impl_->scored.erase(std::unique(impl_->scored.begin(), impl_->scored.end()), impl_->scored.end());
  if (b.has_years) impl_->years.insert(b.row_year.begin(), b.row_year.end());
  int threads = std::max(1, impl_->cfg.threads);
  impl_->svr.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<std::size_t>(threads)); };
  impl_->svr.set_pre_routing_handler([](const httplib::Request&, httplib::Response&) {
    t_request_start = std::chrono::steady_clock::now();
    return httplib::Server::HandlerResponse::Unhandled;
  });
  impl_->svr.set_logger([](const httplib::Request& req, const httplib::Response& res) {
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t_request_start);
    fmt::print(stderr, "{} {} {} {}us\n", req.method, req.path, res.status, us.count());
  });
  impl_->Routes();
}

Server::~Server() = default;

Result<int> Server::Bind() {
  const auto& c = impl_->cfg;
  if (c.port == 0) {
    int port = impl_->svr.bind_to_any_port(c.bind);
    if (port <= 0) return Error{Errc::kIo, fmt::format("cannot listen on {}", c.bind)};
    return port;
  }
  if (!impl_->svr.bind_to_port(c.bind, c.port)) {
    return Error{Errc::kIo, fmt::format("cannot listen on {}:{}", c.bind, c.port)};
  }
  return c.port;
}

void Server::Listen() {
  if (!impl_->stop_requested) impl_->svr.listen_after_bind();
  impl_->done = true;
}

void Server::Stop() {
  impl_->stop_requested = true;
  // httplib's stop() is a no-op until the accept loop runs, so repeat until Listen() returned.
  while (!impl_->done) {
    impl_->svr.stop();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace gpsi::server
