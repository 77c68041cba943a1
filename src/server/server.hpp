// gpsi server: the HTTP API (docs/api.md). Transport only: every answer comes from an engine
// build held in memory or from engine queries over the store.
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
  int threads = 4;                 //!< worker threads (bounded pool)
};

//! An HTTP server over one build: /api/v1/health, /units, /scores, /runs.
class Server {
 public:
  //! Takes the build to serve and the store's units (for names, ISO3 and regions).
  Server(ServeConfig cfg, engine::BuildResult build, std::vector<Unit> units);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  //! Binds the listening socket; returns the bound port (the chosen one when cfg.port is 0).
  Result<int> Bind();
  //! Serves until Stop(); returns when the listener has closed.
  void Listen();
  //! Asks Listen() to return; thread-safe, and effective even before Listen() has started.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gpsi::server
