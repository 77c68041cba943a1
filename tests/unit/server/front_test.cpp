// The request front (src/server/detail/front.hpp) over raw bytes: what RFC 9112 says to refuse is
// refused with the right status, and what it allows is decoded as the endpoints expect.
#include <gtest/gtest.h>

#include <string>
#include <variant>

#include "detail/front.hpp"

namespace gpsi::server::detail {
namespace {

struct Case {
  const char* name;
  std::string bytes;
  int status;  // 0: a request; −1: incomplete (more bytes needed)
  bool close = true;
};

int StatusOf(const Refusal& r) {
  return Info(r.code).http_status;
}

const std::string kGet = "GET /api/v1/health HTTP/1.1\r\nHost: a\r\n";

TEST(Front, RefusesWhatRfc9112Refuses) {
  const Case cases[] = {
      {"plain GET", kGet + "\r\n", 0},
      {"HTTP/1.0 without Host", "GET / HTTP/1.0\r\n\r\n", 0},
      {"absolute-form target", "GET http://x/api/v1/health?year=1 HTTP/1.1\r\nHost: x\r\n\r\n", 0},
      {"chunked body", "POST /w HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", 0},
      {"head not finished", kGet, -1},
      {"body not all here", "POST /w HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n{}", -1},
      {"no Host in HTTP/1.1", "GET / HTTP/1.1\r\n\r\n", 400},
      {"two Hosts", kGet + "Host: b\r\n\r\n", 400},
      {"duplicate Content-Length", "POST /w HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}",
       400},
      {"Content-Length list", "POST /w HTTP/1.1\r\nHost: a\r\nContent-Length: 2, 2\r\n\r\n{}", 400},
      {"Content-Length and chunked",
       "POST /w HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400},
      {"chunked then Content-Length",
       "POST /w HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n0\r\n\r\n", 400},
      {"Transfer-Encoding not chunked", "POST /w HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 400},
      {"chunked not last", "POST /w HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400},
      {"negative Content-Length", "POST /w HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400},
      {"Content-Length 1e20", "POST /w HTTP/1.1\r\nHost: a\r\nContent-Length: 100000000000000000000\r\n\r\n", 400},
      {"body over 64 KiB", "POST /w HTTP/1.1\r\nHost: a\r\nContent-Length: 65537\r\n\r\n", 413},
      {"upload without credentials over 64 KiB",
       "POST /api/v1/submissions?dataset=D HTTP/1.1\r\nHost: a\r\nContent-Length: 65537\r\n\r\n", 413},
      {"upload with credentials over 64 KiB",
       "POST /api/v1/submissions?dataset=D HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer t\r\nContent-Length: "
       "65537\r\n\r\n",
       -1, false},
      {"upload with credentials over 32 MiB",
       "POST /api/v1/submissions HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer t\r\nContent-Length: 33554433\r\n\r\n",
       413},
      {"credentials on another path over 64 KiB",
       "POST /api/v1/whatif HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer t\r\nContent-Length: 65537\r\n\r\n", 413},
      {"obs-fold", kGet + "X-A: b\r\n c\r\n\r\n", 400},
      {"bare LF", "GET / HTTP/1.1\nHost: a\n\n", 400},
      {"101 header fields",
       kGet +
           [] {
             std::string s;
             for (int i = 0; i < 100; ++i) s += "X-" + std::to_string(i) + ": y\r\n";
             return s;
           }() +
           "\r\n",
       431},
      {"head over 16 KiB", kGet + "X: " + std::string(17000, 'y') + "\r\n\r\n", 431},
      {"head over 16 KiB, unfinished", kGet + "X: " + std::string(17000, 'y'), 431},
      {"HTTP/2.0 request line", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 400},
      {"not HTTP", "HELLO\r\n\r\n", 400},
      {"space in the target", "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", 400},
      {"asterisk target", "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", 400},
      {"path not UTF-8", "GET /api/v1/units/%FF HTTP/1.1\r\nHost: a\r\n\r\n", 400, false},
      {"overlong UTF-8 in a parameter", "GET /x?year=%c0%ae HTTP/1.1\r\nHost: a\r\n\r\n", 400, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto got = ParseOne(c.bytes);
    if (c.status == -1) {
      EXPECT_FALSE(got.has_value());
      continue;
    }
    ASSERT_TRUE(got.has_value());
    if (c.status == 0) {
      EXPECT_TRUE(std::holds_alternative<Request>(*got)) << std::get<Refusal>(*got).message;
      continue;
    }
    ASSERT_TRUE(std::holds_alternative<Refusal>(*got));
    const auto& r = std::get<Refusal>(*got);
    EXPECT_EQ(StatusOf(r), c.status) << r.message;
    EXPECT_EQ(r.close, c.close);
    EXPECT_LE(r.message.size(), 200U);
  }
}

TEST(Front, DecodesThePathAndEveryQueryPair) {
  auto got = ParseOne("GET /api/v1/units/%43HN?a=1&b=x+y%26z&a=2&&flag HTTP/1.1\r\nHost: h\r\nX-Case: V\r\n\r\n");
  ASSERT_TRUE(got && std::holds_alternative<Request>(*got));
  const auto& req = std::get<Request>(*got);
  EXPECT_EQ(req.method, "GET");
  EXPECT_EQ(req.path, "/api/v1/units/CHN");
  EXPECT_EQ(req.target, "/api/v1/units/%43HN?a=1&b=x+y%26z&a=2&&flag");
  ASSERT_EQ(req.params.size(), 4U);  // a repeated parameter is kept twice, for CheckParams to refuse
  EXPECT_EQ(req.ParamCount("a"), 2U);
  EXPECT_EQ(req.Param("b"), "x y&z");
  EXPECT_TRUE(req.HasParam("flag"));
  EXPECT_EQ(req.Param("flag"), "");
  EXPECT_EQ(req.Header("x-case"), "V");
  EXPECT_EQ(req.Header("X-CASE"), "V");
}

TEST(Front, AbsoluteFormLosesSchemeAndAuthority) {
  auto got = ParseOne("GET HTTP://example.org/api/v1/scores?year=2020 HTTP/1.1\r\nHost: example.org\r\n\r\n");
  ASSERT_TRUE(got && std::holds_alternative<Request>(*got));
  EXPECT_EQ(std::get<Request>(*got).path, "/api/v1/scores");
  EXPECT_EQ(std::get<Request>(*got).Param("year"), "2020");
}

TEST(Front, ABodyIsReadWhole) {
  auto got = ParseOne("POST /api/v1/whatif HTTP/1.1\r\nHost: a\r\nContent-Length: 7\r\n\r\n{\"a\":1}");
  ASSERT_TRUE(got && std::holds_alternative<Request>(*got));
  EXPECT_EQ(std::get<Request>(*got).body, "{\"a\":1}");
}

TEST(Front, AMalformedPercentIsKeptAsItIs) {
  auto got = ParseOne("GET /a%zz%4?q=%%41 HTTP/1.1\r\nHost: a\r\n\r\n");
  ASSERT_TRUE(got && std::holds_alternative<Request>(*got));
  EXPECT_EQ(std::get<Request>(*got).path, "/a%zz%4");
  EXPECT_EQ(std::get<Request>(*got).Param("q"), "%A");
}

}  // namespace
}  // namespace gpsi::server::detail
