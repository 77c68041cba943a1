// The server's state and handlers, shared by server.cpp (transport: routing, caching, limits,
// static files) and the endpoint files api_*.cpp.
#pragma once

#include <httplib.h>

#include <atomic>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "detail/http.hpp"
#include "server.hpp"

namespace gpsi::server {

struct Server::Impl {
  ServeConfig cfg;
  // ---- published data (filled at construction, read-only afterwards) ----
  engine::BuildResult build;
  std::map<std::string, Unit> units;  // by code
  std::vector<std::string> scored;    // units of the build, sorted
  std::set<int> years;
  // ---- transport ----
  httplib::Server svr;
  std::atomic<bool> stop_requested{false};
  std::atomic<bool> done{false};

  // api_basic.cpp
  void Health(httplib::Response& res) const;
  void Units(const httplib::Request& req, httplib::Response& res) const;
  void Scores(const httplib::Request& req, httplib::Response& res) const;
  void Runs(const httplib::Request& req, httplib::Response& res) const;
  // api_data.cpp
  void Meta(const httplib::Request& req, httplib::Response& res) const;
  void Profile(const httplib::Request& req, httplib::Response& res) const;
  void Compare(const httplib::Request& req, httplib::Response& res) const;
  void Download(const httplib::Request& req, httplib::Response& res) const;
  // api_whatif.cpp
  void WhatIf(const httplib::Request& req, httplib::Response& res) const;
  // api_openapi.cpp
  void OpenApi(const httplib::Request& req, httplib::Response& res) const;
  // server.cpp
  void Routes();
};

}  // namespace gpsi::server
