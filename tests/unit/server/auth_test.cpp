// The member endpoints' credentials (src/server/detail/auth.hpp): the session cookie's attributes
// and parsing, the CSRF rule on unsafe requests, and the login throttle's sliding window.
#include <gtest/gtest.h>

#include <string>

#include "detail/auth.hpp"
#include "engine.hpp"

namespace gpsi::server::detail {
namespace {

Request WithHeaders(std::string method, std::vector<std::pair<std::string, std::string>> headers) {
  Request r;
  r.method = std::move(method);
  r.headers = std::move(headers);
  return r;
}

TEST(SessionCookie, IsHttpOnlyStrictAndSecureWhenAsked) {
  EXPECT_EQ(SessionCookie("gpsis_abc", false), "gpsi_session=gpsis_abc; Path=/; HttpOnly; SameSite=Strict");
  EXPECT_EQ(SessionCookie("gpsis_abc", true),
            "__Host-gpsi_session=gpsis_abc; Path=/; HttpOnly; SameSite=Strict; Secure");
  EXPECT_EQ(EndedSessionCookie(false), "gpsi_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
}

TEST(SessionCookie, IsFoundAmongOthersByItsExactName) {
  auto r = WithHeaders("GET", {{"cookie", "theme=dark; xgpsi_session=no;  gpsi_session=gpsis_yes; b=c"}});
  EXPECT_EQ(CookieValue(r, "gpsi_session"), "gpsis_yes");
  EXPECT_EQ(CookieValue(r, "theme"), "dark");
  EXPECT_EQ(CookieValue(r, "__Host-gpsi_session"), "");
  EXPECT_EQ(CookieValue(WithHeaders("GET", {{"cookie", "gpsi_session"}}), "gpsi_session"), "");
  EXPECT_EQ(CookieValue(WithHeaders("GET", {{"cookie", ";;=;"}}), "gpsi_session"), "");
  EXPECT_EQ(CookieValue(WithHeaders("GET", {}), "gpsi_session"), "");
}

TEST(Credential, ABearerTokenWinsAndNeedsNoCsrf) {
  Response res;
  auto r = WithHeaders("POST", {{"authorization", "Bearer gpsi_tok"}, {"cookie", "gpsi_session=gpsis_s"}});
  EXPECT_EQ(Credential(r, res, false), "gpsi_tok");
  EXPECT_EQ(res.status, 0);
}

TEST(Credential, ASessionsUnsafeRequestsMustEchoItsCsrfToken) {
  const std::string secret = "gpsis_0123456789";
  const std::string csrf = engine::CsrfToken(secret);
  Response get_res;
  EXPECT_EQ(Credential(WithHeaders("GET", {{"cookie", "gpsi_session=" + secret}}), get_res, false), secret);

  Response missing, wrong, right;
  EXPECT_FALSE(Credential(WithHeaders("POST", {{"cookie", "gpsi_session=" + secret}}), missing, false));
  EXPECT_EQ(missing.status, 403);
  EXPECT_FALSE(Credential(
      WithHeaders("POST", {{"cookie", "gpsi_session=" + secret}, {"x-csrf-token", engine::CsrfToken("gpsis_x")}}),
      wrong, false));
  EXPECT_EQ(wrong.status, 403);
  EXPECT_EQ(
      Credential(WithHeaders("POST", {{"cookie", "gpsi_session=" + secret}, {"x-csrf-token", csrf}}), right, false),
      secret);
  EXPECT_EQ(right.status, 0);
}

TEST(Credential, NoneIs401AndTheSecureNameIsTheOnlyOneReadWhenSecure) {
  Response none, plain;
  EXPECT_FALSE(Credential(WithHeaders("GET", {}), none, false));
  EXPECT_EQ(none.status, 401);
  EXPECT_NE(none.Header("WWW-Authenticate").find("Bearer"), std::string::npos);
  // Over HTTPS a cookie without the __Host- prefix could have been set by another host: ignored.
  EXPECT_FALSE(Credential(WithHeaders("GET", {{"cookie", "gpsi_session=gpsis_s"}}), plain, true));
  EXPECT_EQ(plain.status, 401);
}

TEST(LoginThrottle, AllowsSoManyPerWindowThenSaysHowLongToWait) {
  using namespace std::chrono_literals;
  LoginThrottle t(3, 60s);
  const auto t0 = LoginThrottle::Clock::time_point{} + 1000s;
  EXPECT_EQ(t.Take("a", t0), 0);
  EXPECT_EQ(t.Take("a", t0 + 10s), 0);
  EXPECT_EQ(t.Take("a", t0 + 20s), 0);
  EXPECT_EQ(t.Take("a", t0 + 30s), 30) << "the first attempt leaves the window at t0 + 60 s";
  EXPECT_EQ(t.Take("b", t0 + 30s), 0) << "each client has its own window";
  EXPECT_EQ(t.Take("a", t0 + 59s), 1);
  EXPECT_EQ(t.Take("a", t0 + 60s), 0) << "refused attempts were not counted";
  EXPECT_EQ(t.Take("a", t0 + 61s), 9);
}

TEST(LoginThrottle, ForgetsClientsWhoseWindowHasPassed) {
  using namespace std::chrono_literals;
  LoginThrottle t(1, 60s);
  const auto t0 = LoginThrottle::Clock::time_point{} + 1000s;
  for (int i = 0; i < 5000; ++i) EXPECT_EQ(t.Take("c" + std::to_string(i), t0), 0);
  // Long after, every client may try again, the map swept on the way.
  for (int i = 0; i < 5000; ++i) EXPECT_EQ(t.Take("c" + std::to_string(i), t0 + 61s), 0);
  EXPECT_GT(t.Take("c0", t0 + 62s), 0);
}

}  // namespace
}  // namespace gpsi::server::detail
