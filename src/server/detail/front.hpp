// The request front: what the transport checks and decodes before any endpoint runs. Pure
// functions over bytes and Beast's parsed header, so that the tests and the fuzz target drive
// them without sockets (tests/fuzz/http_fuzz.cpp).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <boost/beast/http.hpp>

#include "core.hpp"
#include "detail/http.hpp"

namespace gpsi::server::detail {

namespace http = boost::beast::http;

constexpr std::size_t kHeadMax = 16 * 1024;  //!< bytes of a request line and header fields together
constexpr std::size_t kFieldsMax = 100;      //!< header fields of one request
constexpr std::size_t kBodyMax = 64 * 1024;  //!< a request body (POST /api/v1/whatif)
//! A member's upload (POST /api/v1/submissions with credentials): a 100,000-row file is about 4 MB.
constexpr std::size_t kUploadMax = 32u << 20;

//! Why a request is refused before it reaches an endpoint; `close` when the connection's framing can
//! no longer be trusted (the rest of its bytes are not read as further requests).
struct Refusal {
  Errc code = Errc::kBadRequest;
  std::string message;
  bool close = true;
};

using Parser = http::request_parser<http::string_body>;

//! The length of the request head at the start of `bytes` (through the blank line that ends it), or
//! nullopt while it is not all there.
std::optional<std::size_t> HeadLength(std::string_view bytes);

//! Checks on the raw head that Beast's parser does not make: obs-fold is refused (RFC 9112 5.2 allows
//! this instead of unfolding, and a proxy in front might unfold differently), and more than kFieldsMax
//! fields is 431.
std::optional<Refusal> ScreenHead(std::string_view head);

//! A parser for one request with gpsi's limits: head kHeadMax; body kUploadMax until LimitBody.
void ArmParser(Parser& p);

//! The body limit of a request, from its head: kUploadMax for an upload that carries credentials
//! (POST /api/v1/submissions with Authorization or a Cookie), kBodyMax for every other. The credentials are
//! checked later, by the endpoint; the request deadline bounds how long a large body may take.
std::uint64_t BodyLimit(const http::request_header<>& h);

//! Once the head is parsed: a 413 when its Content-Length is over BodyLimit, else that limit set
//! on the parser for the body still to come.
std::optional<Refusal> LimitBody(Parser& p);

//! The refusal for an error of Beast's parser: 413 for a body over its limit, 431 for a head over it,
//! 400 for the rest.
Refusal ParseRefusal(const boost::system::error_code& ec);

//! Framing checks of RFC 9112 on a parsed head: HTTP/1.0 or 1.1; Host exactly once in HTTP/1.1
//! (3.2); at most one Content-Length, a single number (6.3: Beast also refuses it with chunked);
//! Transfer-Encoding only `chunked` (a request whose final coding is not chunked is 400, 6.3).
std::optional<Refusal> CheckFraming(const http::request_header<>& h);

//! The request the endpoints see: the target's path percent-decoded, its query split into decoded
//! pairs (`+` is a space), header names in lower case; refused when the target is not origin-form or
//! absolute-form, or when the path or a parameter is not UTF-8 (answers quote them in JSON).
std::variant<Request, Refusal> MakeRequest(http::request<http::string_body>&& r);

//! The whole front over one buffer, as the server runs it on a connection: head screening, parsing,
//! framing, body and decoding. For the fuzz target and the tests; nullopt when `bytes` hold no whole
//! request yet.
std::optional<std::variant<Request, Refusal>> ParseOne(std::string_view bytes);

}  // namespace gpsi::server::detail
