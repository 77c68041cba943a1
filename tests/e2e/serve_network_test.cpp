// gpsi serve's transport over raw sockets (issue 16): pipelining, the whole-request deadline, slow
// and idle clients that cannot starve others, connection limits per client address, strict framing
// on a live connection, Expect: 100-continue, large static files streamed, the JSON access log.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "serve_process.hpp"
#include "shared_store.hpp"
#include "test_util.hpp"

namespace gpsi::test {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

//! A raw client connection from a chosen loopback address (127.0.0.0/8: the server tells clients
//! apart by address, as it would on the internet).
class Conn {
 public:
  Conn(int port, const char* from = "127.0.0.1") : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in local{};
    local.sin_family = AF_INET;
    inet_pton(AF_INET, from, &local.sin_addr);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ok_ = bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) == 0 &&
          connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  }
  ~Conn() { close(fd_); }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  bool ok() const { return ok_; }
  bool Send(const std::string& bytes) {
    return send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
  }
  //! What arrives within `wait` (returns early when the server closes); `closed` tells whether it did.
  std::string Read(std::chrono::milliseconds wait) {
    std::string out;
    auto until = Clock::now() + wait;
    while (Clock::now() < until) {
      pollfd p{fd_, POLLIN, 0};
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
      if (poll(&p, 1, static_cast<int>(std::max<long long>(left, 0))) <= 0) break;
      char buf[65536];
      ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        closed_ = true;
        break;
      }
      out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
  }
  //! Reads until `count` answers' heads have arrived (or `wait` passes).
  std::string ReadAnswers(int count, std::chrono::milliseconds wait) {
    std::string out;
    auto until = Clock::now() + wait;
    while (Clock::now() < until && Answers(out) < count && !closed_) {
      out += Read(std::chrono::milliseconds(100));
    }
    return out;
  }
  bool closed() const { return closed_; }
  //! The answers in `s`, by their heads' Date field (a body may quote "HTTP/1.1").
  static int Answers(const std::string& s) { return Count(s, "\r\nDate: ") + Count(s, "HTTP/1.1 100 Continue"); }

  static int Count(const std::string& s, const std::string& what) {
    int n = 0;
    for (auto p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
    return n;
  }

 private:
  int fd_;
  bool ok_ = false;
  bool closed_ = false;
};

const std::string kHealth = "GET /api/v1/health HTTP/1.1\r\nHost: t\r\n\r\n";

class ServeNetworkTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string& db = SharedStore();
    if (db.empty()) return;
    dir_ = std::make_unique<TempDir>();
    web_ = (*dir_) / "web";
    fs::create_directories(web_);
    WriteFile(web_ + "/index.html", "<!doctype html><title>GPSI</title>\n");
    // Over the streaming threshold (8 MiB): served from disk, not held in memory.
    std::ofstream big(web_ + "/big.bin", std::ios::binary);
    for (int i = 0; i < 9 * 1024; ++i) big << std::string(1024, static_cast<char>('a' + i % 26));
    big.close();
    server_ = std::make_unique<ServeProcess>(
        db,
        std::vector<std::string>{"--web", web_, "--intervals", "0", "--forecast-draws", "0", "--request-timeout", "1",
                                 "--idle-timeout", "1", "--max-client-connections", "400", "--access-log", "json"});
  }
  static void TearDownTestSuite() {
    server_.reset();
    dir_.reset();
  }
  void SetUp() override { ASSERT_TRUE(server_ && server_->port() > 0) << "gpsi serve did not start"; }
  static int port() { return server_->port(); }

  //! A fresh request's answer time from `from`, or −1 when there is none within 5 s.
  static double HealthMs(const char* from = "127.0.0.1") {
    auto t0 = Clock::now();
    Conn c(port(), from);
    if (!c.ok() || !c.Send("GET /api/v1/health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")) return -1;
    std::string a = c.Read(std::chrono::seconds(5));
    if (RawStatus(a) != 200) return -1;
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  }

  static std::unique_ptr<TempDir> dir_;
  static std::string web_;
  static std::unique_ptr<ServeProcess> server_;
};
std::unique_ptr<TempDir> ServeNetworkTest::dir_;
std::string ServeNetworkTest::web_;
std::unique_ptr<ServeProcess> ServeNetworkTest::server_;

TEST_F(ServeNetworkTest, PipelinedRequestsGetEveryAnswerInOrder) {
  Conn c(port());
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c.Send(kHealth + "GET /api/v1/units/CHN HTTP/1.1\r\nHost: t\r\n\r\n" +
                     "GET /api/v1/nothing HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"));
  std::string all = c.Read(std::chrono::seconds(5));
  EXPECT_TRUE(c.closed()) << "the third request asked to close";
  ASSERT_EQ(Conn::Answers(all), 3) << all.substr(0, 300);
  auto first = all.find("HTTP/1.1 200"), second = all.find("HTTP/1.1 200", first + 1), third = all.find("HTTP/1.1 404");
  EXPECT_LT(first, second);
  EXPECT_LT(second, third);
  EXPECT_NE(all.find("\"status\":\"ok\""), std::string::npos);
  EXPECT_NE(all.find("\"iso3\":\"CHN\""), std::string::npos);
}

TEST_F(ServeNetworkTest, ARequestTrickledPastTheDeadlineIsCut) {
  // One header line every 300 ms: each read is quick, the whole request is not (deadline 1 s).
  Conn c(port());
  ASSERT_TRUE(c.ok());
  auto t0 = Clock::now();
  c.Send("GET /api/v1/health HTTP/1.1\r\n");
  for (int i = 0; i < 10 && !c.closed(); ++i) {
    c.Send("X-Slow: " + std::to_string(i) + "\r\n");
    c.Read(std::chrono::milliseconds(300));
  }
  EXPECT_TRUE(c.closed()) << "the connection outlived its request deadline";
  EXPECT_LT(std::chrono::duration<double>(Clock::now() - t0).count(), 2.5);
}

TEST_F(ServeNetworkTest, AnIdleKeepAliveConnectionIsClosed) {
  Conn c(port());
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c.Send(kHealth));
  EXPECT_EQ(RawStatus(c.ReadAnswers(1, std::chrono::seconds(5))), 200);
  c.Read(std::chrono::seconds(3));
  EXPECT_TRUE(c.closed()) << "idle for 3 s with --idle-timeout 1";
}

TEST_F(ServeNetworkTest, SlowClientsDoNotDelayOthers) {
  // More slow connections than the old server had threads (128): each holds a socket, not a thread.
  std::vector<std::unique_ptr<Conn>> slow;
  for (int i = 0; i < 300; ++i) {
    slow.push_back(std::make_unique<Conn>(port(), "127.0.0.2"));
    ASSERT_TRUE(slow.back()->ok());
    slow.back()->Send("GET /api/v1/health HTTP/1.1\r\nHost: t\r\n");
  }
  std::vector<double> ms;
  for (int i = 0; i < 20; ++i) ms.push_back(HealthMs());
  for (double m : ms) {
    EXPECT_GE(m, 0) << "a normal request went unanswered";
    EXPECT_LT(m, 500) << "a normal request waited behind slow clients";
  }
}

TEST_F(ServeNetworkTest, ConnectionsOverTheClientLimitAreBusyOthersAreServed) {
  // --max-client-connections 400: the 401st from one address is answered 503, another address is not.
  std::vector<std::unique_ptr<Conn>> held;
  for (int i = 0; i < 400; ++i) {
    held.push_back(std::make_unique<Conn>(port(), "127.0.0.4"));
    ASSERT_TRUE(held.back()->ok());
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // all accepted
  Conn extra(port(), "127.0.0.4");
  ASSERT_TRUE(extra.ok());
  extra.Send(kHealth);
  std::string a = extra.Read(std::chrono::seconds(5));
  EXPECT_EQ(RawStatus(a), 503) << a.substr(0, 200);
  EXPECT_NE(a.find("\"busy\""), std::string::npos);
  EXPECT_NE(a.find("Retry-After"), std::string::npos);
  EXPECT_GE(HealthMs("127.0.0.5"), 0) << "another client was refused too";
  held.clear();  // closing them frees the address's share
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_GE(HealthMs("127.0.0.4"), 0);
}

TEST_F(ServeNetworkTest, BadFramingIsRefusedAtOnceAndTheConnectionClosed) {
  struct Case {
    const char* name;
    std::string bytes;
    int status;
  };
  const Case cases[] = {
      {"duplicate Content-Length",
       "POST /api/v1/whatif HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}", 400},
      {"Content-Length with chunked",
       "POST /api/v1/whatif HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
       400},
      {"obs-fold", "GET /api/v1/health HTTP/1.1\r\nHost: t\r\nX-A: b\r\n c\r\n\r\n", 400},
      {"no Host", "GET /api/v1/health HTTP/1.1\r\n\r\n", 400},
      {"Content-Length -1", "POST /api/v1/whatif HTTP/1.1\r\nHost: t\r\nContent-Length: -1\r\n\r\n", 400},
      {"Content-Length 1e20",
       "POST /api/v1/whatif HTTP/1.1\r\nHost: t\r\nContent-Length: 100000000000000000000\r\n\r\n", 400},
      {"Content-Length over 64 KiB", "POST /api/v1/whatif HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\n\r\n", 413},
      {"bare LF", "GET /api/v1/health HTTP/1.1\nHost: t\n\n", 400},
      {"1000 header fields",
       [] {
         std::string s = "GET /api/v1/health HTTP/1.1\r\nHost: t\r\n";
         for (int i = 0; i < 1000; ++i) s += "X: y\r\n";
         return s + "\r\n";
       }(),
       431},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Conn conn(port());
    ASSERT_TRUE(conn.ok());
    auto t0 = Clock::now();
    conn.Send(c.bytes + kHealth);  // a request after the bad one must not be read as one
    std::string a = conn.Read(std::chrono::seconds(3));
    EXPECT_EQ(RawStatus(a), c.status) << a.substr(0, 300);
    EXPECT_EQ(Conn::Answers(a), 1) << "bytes after a framing error were served";
    EXPECT_TRUE(conn.closed());
    EXPECT_LT(std::chrono::duration<double>(Clock::now() - t0).count(), 0.9) << "answered only at a timeout";
    EXPECT_NE(a.find("Content-Security-Policy"), std::string::npos);
  }
  EXPECT_GE(HealthMs(), 0);
}

TEST_F(ServeNetworkTest, ExpectContinueGetsA100ThenTheAnswer) {
  Conn c(port());
  ASSERT_TRUE(c.ok());
  const std::string body = R"({"weights":{}})";
  c.Send(
      "POST /api/v1/whatif HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n"
      "Content-Length: " +
      std::to_string(body.size()) + "\r\n\r\n");
  std::string first = c.ReadAnswers(1, std::chrono::milliseconds(800));  // within the 1 s request deadline
  EXPECT_EQ(first.rfind("HTTP/1.1 100 Continue\r\n\r\n", 0), 0U) << first;
  c.Send(body);
  std::string answer = c.ReadAnswers(1, std::chrono::seconds(5));
  EXPECT_EQ(RawStatus(answer), 200) << answer.substr(0, 300);
}

TEST_F(ServeNetworkTest, ALargeStaticFileIsStreamedWhole) {
  Conn c(port());
  ASSERT_TRUE(c.ok());
  c.Send("GET /big.bin HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  std::string a = c.Read(std::chrono::seconds(20));
  ASSERT_EQ(RawStatus(a), 200);
  auto head_end = a.find("\r\n\r\n");
  ASSERT_NE(head_end, std::string::npos);
  std::string head = a.substr(0, head_end), body = a.substr(head_end + 4);
  EXPECT_EQ(body, ReadFile(web_ + "/big.bin"));
  auto etag_at = head.find("ETag: W/\"");
  ASSERT_NE(etag_at, std::string::npos) << head;
  std::string etag = head.substr(etag_at + 6, head.find("\r\n", etag_at) - etag_at - 6);
  Conn again(port());
  again.Send("GET /big.bin HTTP/1.1\r\nHost: t\r\nIf-None-Match: " + etag + "\r\nConnection: close\r\n\r\n");
  std::string b = again.Read(std::chrono::seconds(5));
  EXPECT_EQ(RawStatus(b), 304) << b.substr(0, 300);
  EXPECT_EQ(b.substr(b.find("\r\n\r\n") + 4), "");
  Conn head_only(port());
  head_only.Send("HEAD /big.bin HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  std::string h = head_only.Read(std::chrono::seconds(5));
  EXPECT_NE(h.find("Content-Length: " + std::to_string(9 * 1024 * 1024)), std::string::npos) << h;
  EXPECT_EQ(h.substr(h.find("\r\n\r\n") + 4), "");
}

TEST_F(ServeNetworkTest, TheJsonAccessLogHasOneObjectPerRequest) {
  Conn c(port(), "127.0.0.6");
  c.Send("GET /api/v1/units/%0aforged HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  c.Read(std::chrono::seconds(5));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  std::stringstream log(server_->err());
  std::string line;
  bool found = false;
  while (std::getline(log, line)) {
    if (line.empty() || line[0] != '{') continue;
    auto j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << line;
    if (j.value("client", "") != "127.0.0.6") continue;
    found = true;
    EXPECT_EQ(j["method"], "GET");
    EXPECT_EQ(j["path"], "/api/v1/units/\nforged");  // escaped by JSON: one line still
    EXPECT_EQ(j["status"], 404);
    EXPECT_TRUE(j["us"].is_number());
    EXPECT_TRUE(j["time"].is_string());
  }
  EXPECT_TRUE(found) << server_->err().substr(0, 500);
}

}  // namespace
}  // namespace gpsi::test
