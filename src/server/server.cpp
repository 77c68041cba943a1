// The HTTP API of docs/api.md on cpp-httplib, transport side: routing, the error handlers, the
// thread pool and the access log. The endpoints are in api_*.cpp.
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

#include "detail/impl.hpp"

namespace gpsi::server {

using detail::SendError;

void Server::Impl::Routes() {
  using Req = const httplib::Request&;
  using Res = httplib::Response&;
  svr.Get("/api/v1/health", [this](Req, Res res) { Health(res); });
  svr.Get("/api/v1/units", [this](Req req, Res res) { Units(req, res); });
  svr.Get("/api/v1/scores", [this](Req req, Res res) { Scores(req, res); });
  svr.Get("/api/v1/runs", [this](Req req, Res res) { Runs(req, res); });
  svr.Get("/api/v1/meta", [this](Req req, Res res) { Meta(req, res); });
  svr.Get(R"(/api/v1/units/([^/]+))", [this](Req req, Res res) { Profile(req, res); });
  svr.Get("/api/v1/compare", [this](Req req, Res res) { Compare(req, res); });
  svr.Get(R"(/api/v1/download/([^/]+))", [this](Req req, Res res) { Download(req, res); });
  svr.Get("/api/v1/openapi.json", [this](Req req, Res res) { OpenApi(req, res); });
  svr.Post("/api/v1/whatif", [this](Req req, Res res) { WhatIf(req, res); });
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
