// The network side of the server: Boost.Beast on Asio. One event loop per core accepts and reads
// every connection, so a slow or idle client holds a socket and a small buffer, never a thread; the
// endpoints run on a separate worker pool. Limits: a whole-request deadline, head and body sizes
// (detail/front.hpp), connections in total and per client address, idle keep-alive.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "core.hpp"
#include "detail/http.hpp"

namespace gpsi::server::detail {

//! Limits and threads of the network (ServeConfig gives them).
struct NetworkConfig {
  int io_threads = 1;      //!< event loops (one per core)
  int worker_threads = 8;  //!< threads that run the endpoints
  int max_connections = 10000;
  int max_client_connections = 256;
  std::string access_log = "text";                    //!< text, json or off
  std::chrono::milliseconds request_deadline{10000};  //!< from a request's first byte to its last
  std::chrono::milliseconds idle_timeout{5000};       //!< a keep-alive connection waiting for its next request
  std::chrono::milliseconds write_deadline{10000};    //!< an answer's writing (more for large files, at 64 KiB/s)
};

//! What the network asks of the server for each request.
struct Answerer {
  //! An answer from memory (the response cache), given on the network thread; false when there is none.
  std::function<bool(const Request&, Response&)> quick;
  //! Any answer (routing and endpoints); run on the worker pool. Exceptions become a 500.
  std::function<void(Request&, Response&)> full;
};

//! The listening socket, its connections and the worker pool.
class Network {
 public:
  Network(NetworkConfig cfg, Answerer answerer);
  ~Network();
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  //! Binds and listens (SO_REUSEADDR, not SO_REUSEPORT: a port in use is an error); the bound port.
  Result<int> Bind(const std::string& address, int port);
  //! Serves until Stop(); returns when every connection has closed.
  void Run();
  //! Stops accepting, closes idle connections, lets answers being made finish (at most 3 s more), and
  //! makes Run() return. Thread-safe; before Run() it makes Run() return at once.
  void Stop();

  struct State;  // network.cpp

 private:
  std::unique_ptr<State> state_;
};

}  // namespace gpsi::server::detail
