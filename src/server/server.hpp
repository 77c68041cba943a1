// gpsi server: the HTTP API (docs/api.md). Transport only: every answer comes from an engine
// build held in memory or from engine queries over the store. The transport is Boost.Beast on
// Asio (event-driven; docs/deployment.md says why).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core.hpp"
#include "engine.hpp"

namespace gpsi::server {

struct ServeConfig {
  std::string db_path;             //!< the store (units, runs)
  std::string bind = "127.0.0.1";  //!< address to listen on
  int port = 0;                    //!< 0 = any free port
  //! Threads that run the endpoints (what-if, /runs, an answer's first rendering). The network is
  //! served apart, by an event loop on every core, so connections never wait for these.
  int threads = 8;
  std::string web_dir;  //!< static files served at / (the dashboard); empty = none
  //! Open connections at most, in total (also bounded by the open-file limit) and from one client
  //! address; a connection over either limit is answered 503 `busy` and closed.
  int max_connections = 10000;
  int max_client_connections = 256;
  std::string access_log = "text";  //!< text (one line per request), json (one object per line) or off
  double request_timeout = 10;      //!< seconds from a request's first byte to its last (headers and body)
  double idle_timeout = 5;          //!< seconds a keep-alive connection may wait for its next request
  //! Session cookies are Secure and named __Host-gpsi_session: set it when the dashboard is served
  //! over HTTPS (by the TLS proxy in front of gpsi), so that a browser never sends them in clear.
  bool secure_cookies = false;
  //! Login attempts one client address may make per minute (POST /api/v1/session); more are 429.
  int login_attempts = 10;
};

//! An HTTP server over one build and what engine::Publish gathered with it (docs/api.md).
class Server {
 public:
  //! Takes what to serve: the build, the store's units and sources, provenance and intervals.
  Server(ServeConfig cfg, engine::Published published);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  //! Binds the listening socket; returns the bound port (the chosen one when cfg.port is 0).
  Result<int> Bind();
  //! Serves until Stop(); returns when the listener has closed.
  void Listen();
  //! Asks Listen() to return; thread-safe, and effective even before Listen() has started.
  void Stop();
  //! The API's routes, "GET /api/v1/units/{}" ({} a path segment): what the OpenAPI document must list.
  static std::vector<std::string> Routes();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gpsi::server
