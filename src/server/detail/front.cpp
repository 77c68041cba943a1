// The request front (detail/front.hpp).
#include "detail/front.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace gpsi::server::detail {

namespace {

Refusal Bad(std::string message) {
  return Refusal{Errc::kBadRequest, std::move(message), true};
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

//! Percent-decoding (RFC 3986 2.1); `plus` also turns `+` into a space (form-encoded queries). A `%`
//! not followed by two hex digits is kept as it is, as browsers and cpp-httplib do.
std::string Decode(std::string_view s, bool plus) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int hi = HexDigit(s[i + 1]), lo = HexDigit(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plus && s[i] == '+' ? ' ' : s[i]);
  }
  return out;
}

//! Beast 1.74's string_view is Boost's.
std::string_view Std(boost::beast::string_view s) {
  return {s.data(), s.size()};
}

//! The origin-form part of a request target: absolute-form (`http://host/p?q`, which RFC 9112 3.2.2
//! says a server must accept) loses its scheme and authority; nullopt for anything else (`*`, authority-form).
std::optional<std::string_view> OriginForm(std::string_view target) {
  if (!target.empty() && target[0] == '/') return target;
  for (std::string_view scheme : {"http://", "https://"}) {
    if (target.size() > scheme.size() && Lower(target.substr(0, scheme.size())) == scheme) {
      std::string_view rest = target.substr(scheme.size());
      auto slash = rest.find_first_of("/?");
      if (slash == std::string_view::npos) return std::string_view("/");
      if (rest[slash] == '?') return std::nullopt;
      return rest.substr(slash);
    }
  }
  return std::nullopt;
}

void SplitQuery(std::string_view query, Request& req) {
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    std::string key = Decode(pair.substr(0, eq), true);
    std::string value = eq == std::string_view::npos ? std::string() : Decode(pair.substr(eq + 1), true);
    req.params.emplace_back(std::move(key), std::move(value));
  }
}

}  // namespace

std::optional<std::size_t> HeadLength(std::string_view bytes) {
  // Leading empty lines before a request line are ignored (RFC 9112 2.2).
  std::size_t start = 0;
  while (start + 1 < bytes.size() && bytes[start] == '\r' && bytes[start + 1] == '\n') start += 2;
  // A head ended by bare LFs is found too, to be refused at once (ScreenHead) rather than waited on.
  auto crlf = bytes.find("\r\n\r\n", start);
  auto lf = bytes.find("\n\n", start);
  if (crlf == std::string_view::npos && lf == std::string_view::npos) return std::nullopt;
  return std::min(crlf == std::string_view::npos ? crlf : crlf + 4, lf == std::string_view::npos ? lf : lf + 2);
}

std::optional<Refusal> ScreenHead(std::string_view head) {
  for (std::size_t i = head.find('\n'); i != std::string_view::npos; i = head.find('\n', i + 1)) {
    if (i == 0 || head[i - 1] != '\r') return Bad("header lines must end in CRLF");
  }
  std::size_t fields = 0;
  for (std::size_t i = head.find("\r\n"); i != std::string_view::npos && i + 2 < head.size();
       i = head.find("\r\n", i + 2)) {
    char next = head[i + 2];
    if (next == ' ' || next == '\t')
      return Bad("obsolete line folding (a header line starting with a space) is refused");
    if (next != '\r') ++fields;
  }
  if (fields > kFieldsMax) {
    return Refusal{Errc::kHeaderTooLarge, fmt::format("more than {} header fields", kFieldsMax), true};
  }
  return std::nullopt;
}

void ArmParser(Parser& p) {
  p.header_limit(static_cast<std::uint32_t>(kHeadMax));
  p.body_limit(kUploadMax);  // the largest any request may have: LimitBody sets this one's
}

std::uint64_t BodyLimit(const http::request_header<>& h) {
  const auto target = h.target();
  const bool upload = h.method() == http::verb::post && target.substr(0, target.find('?')) == "/api/v1/submissions";
  return upload && (h.count(http::field::authorization) || h.count(http::field::cookie)) ? kUploadMax : kBodyMax;
}

std::optional<Refusal> LimitBody(Parser& p) {
  const std::uint64_t limit = BodyLimit(p.get());
  // Beast checks a Content-Length against its limit when the head ends, before this one was known.
  if (auto length = p.content_length(); length && *length > limit) return ParseRefusal(http::error::body_limit);
  p.body_limit(limit);  // a chunked body is checked as its chunks arrive
  return std::nullopt;
}

Refusal ParseRefusal(const boost::system::error_code& ec) {
  if (ec == http::error::body_limit) {
    return Refusal{Errc::kTooLarge,
                   fmt::format("the request body is larger than {} bytes ({} for an upload)", kBodyMax, kUploadMax),
                   true};
  }
  if (ec == http::error::header_limit) {
    return Refusal{Errc::kHeaderTooLarge, fmt::format("the request head is larger than {} bytes", kHeadMax), true};
  }
  return Bad("the request is not well-formed HTTP/1.1: " + ec.message());
}

std::optional<Refusal> CheckFraming(const http::request_header<>& h) {
  if (h.version() != 11 && h.version() != 10) return Bad("only HTTP/1.0 and HTTP/1.1 are served");
  const auto hosts = h.count(http::field::host);
  if (h.version() == 11 && hosts != 1) {
    return Bad(hosts == 0 ? "an HTTP/1.1 request needs a Host header" : "Host is given more than once");
  }
  if (h.count(http::field::content_length) > 1) return Bad("Content-Length is given more than once");
  if (auto cl = h.find(http::field::content_length); cl != h.end()) {
    auto v = cl->value();
    if (v.empty() || !std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return Bad("Content-Length must be one decimal number");
    }
  }
  if (h.count(http::field::transfer_encoding) > 1) return Bad("Transfer-Encoding is given more than once");
  if (auto te = h.find(http::field::transfer_encoding); te != h.end()) {
    if (Lower(Std(te->value())) != "chunked") return Bad("the only Transfer-Encoding taken is chunked");
  }
  return std::nullopt;
}

std::variant<Request, Refusal> MakeRequest(http::request<http::string_body>&& r) {
  Request req;
  req.method = std::string(r.method_string());
  req.target = std::string(r.target());
  auto origin = OriginForm(req.target);
  if (!origin) return Bad("the request target must be a path (origin-form) or an absolute URL");
  auto q = origin->find('?');
  req.path = Decode(origin->substr(0, q), false);
  if (q != std::string_view::npos) SplitQuery(origin->substr(q + 1), req);
  const bool utf8 = ValidUtf8(req.path) && std::all_of(req.params.begin(), req.params.end(), [](const auto& kv) {
                      return ValidUtf8(kv.first) && ValidUtf8(kv.second);
                    });
  if (!utf8) return Refusal{Errc::kUsage, "the path or a query parameter is not valid UTF-8", false};
  for (const auto& f : r) req.headers.emplace_back(Lower(Std(f.name_string())), std::string(Std(f.value())));
  req.body = std::move(r.body());
  return req;
}

std::optional<std::variant<Request, Refusal>> ParseOne(std::string_view bytes) {
  auto head = HeadLength(bytes);
  if (!head) {
    if (bytes.size() > kHeadMax) return ParseRefusal(http::error::header_limit);
    return std::nullopt;
  }
  if (auto r = ScreenHead(bytes.substr(0, *head))) return *r;
  // The head first, as the server reads it: its body limit depends on what the head says.
  Parser p;
  ArmParser(p);
  boost::system::error_code ec;
  std::size_t used = p.put(boost::asio::buffer(bytes.data(), *head), ec);
  if (ec || !p.is_header_done()) return ParseRefusal(ec ? ec : http::error::partial_message);
  if (auto r = CheckFraming(p.get())) return *r;
  if (auto r = LimitBody(p)) return *r;
  p.eager(true);
  // The rest of the body, if any, as further reads on a connection would bring it.
  while (!p.is_done() && used < bytes.size() && !ec) {
    std::size_t n = p.put(boost::asio::buffer(bytes.data() + used, bytes.size() - used), ec);
    if (n == 0) break;
    used += n;
  }
  if (ec && ec != http::error::need_more) return ParseRefusal(ec);
  if (!p.is_done()) return std::nullopt;
  return MakeRequest(p.release());
}

}  // namespace gpsi::server::detail
