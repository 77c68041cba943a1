// `gpsi serve` as a child process for the API tests (serve_*_test.cpp).
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "test_util.hpp"

namespace gpsi::test {

inline const std::string kMethod = std::string(GPSI_TESTS_DIR) + "/../methods/gpsi.toml";

//! `gpsi serve --port 0` as a child process; killed (SIGKILL) when the object goes, whatever the
//! path out of the test.
class ServeProcess {
 public:
  //! Starts `gpsi --db DB serve --port 0 --threads 4 --method METHOD EXTRA…` (METHOD: gpsi.toml).
  explicit ServeProcess(const std::string& db, const std::vector<std::string>& extra = {},
                        const std::string& method = kMethod) {
    std::string out = dir_ / "out", err = dir_ / "err";
    pid_ = fork();
    if (pid_ == 0) {
      int o = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      int e = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(o, 1);
      dup2(e, 2);
      std::vector<std::string> args{GPSI_BINARY, "--db",      db,  "serve",    "--port",
                                    "0",         "--threads", "4", "--method", method};
      args.insert(args.end(), extra.begin(), extra.end());
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(GPSI_BINARY, argv.data());
      _exit(127);
    }
    // The server builds the index first: wait for its `serving http://HOST:PORT` line.
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(300);
    while (std::chrono::steady_clock::now() < until && port_ == 0) {
      std::string text = ReadFile(out);
      auto p = text.find("serving http://127.0.0.1:");
      if (p != std::string::npos && text.find('\n', p) != std::string::npos) {
        port_ = std::stoi(text.substr(p + 25));
      } else if (waitpid(pid_, &status_, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
  }
  ~ServeProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status_, 0);
    }
  }
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  int port() const { return port_; }
  std::string err() const { return ReadFile(dir_ / "err"); }
  //! A client of this server, patient enough for a loaded test machine (60 s read timeout).
  httplib::Client Client() const {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(60, 0);
    return c;
  }
  //! GET of `path` through a fresh Client.
  httplib::Result Get(const std::string& path) const { return Client().Get(path.c_str()); }

  //! Sends SIGTERM; the exit status if the process ended within `limit`, else -1.
  int Terminate(std::chrono::milliseconds limit) {
    if (pid_ <= 0) return -1;
    kill(pid_, SIGTERM);
    auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      if (waitpid(pid_, &status_, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status_) ? WEXITSTATUS(status_) : 128 + WTERMSIG(status_);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
  }

 private:
  TempDir dir_;
  pid_t pid_ = -1;
  int port_ = 0;
  int status_ = 0;
};

//! Sends `request` as it is to 127.0.0.1:`port` and reads until the server closes the connection.
inline std::string RawRequest(int port, const std::string& request) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string out;
  if (connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      write(s, request.data(), request.size()) == static_cast<ssize_t>(request.size())) {
    char buf[4096];
    for (ssize_t n; (n = read(s, buf, sizeof buf)) > 0;) out.append(buf, static_cast<std::size_t>(n));
  }
  close(s);
  return out;
}

//! The status code of a raw HTTP/1.1 answer, −1 when there is none.
inline int RawStatus(const std::string& raw) {
  return raw.size() > 12 && raw.rfind("HTTP/1.1 ", 0) == 0 ? std::stoi(raw.substr(9, 3)) : -1;
}

//! Expects a JSON error answer `{"error":{"code","message"}}` with this status and code.
inline void ExpectError(const httplib::Result& r, int status, const std::string& code, const std::string& what) {
  ASSERT_TRUE(r) << what;
  EXPECT_EQ(r->status, status) << what << ": " << r->body;
  auto j = nlohmann::json::parse(r->body, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << what << ": " << r->body;
  EXPECT_EQ(j["error"]["code"], code) << what;
  EXPECT_FALSE(j["error"]["message"].get<std::string>().empty()) << what;
}

}  // namespace gpsi::test
