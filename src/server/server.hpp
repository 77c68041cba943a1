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
  //! Worker threads (bounded pool). httplib gives each keep-alive connection one worker for its
  //! life, so this is also the number of clients served at once; more wait for a free worker.
  int threads = 128;
  std::string web_dir;  //!< static files served at / (the dashboard); empty = none
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

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gpsi::server
