// Small HTTP helpers shared by the endpoint files: errors from the one table, CSV fields,
// numbers as scores.csv writes them, and strict parameter checks.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core.hpp"

namespace gpsi::server::detail {

using Json = nlohmann::ordered_json;

//! A request as the endpoints see it, made by the transport (detail/front.hpp) from what it read.
struct Request {
  std::string method;  //!< upper case, as sent: GET, HEAD, POST, …
  std::string target;  //!< as sent: path and query, still encoded
  std::string path;    //!< the target's path, percent-decoded
  std::string match;   //!< the path segment an endpoint takes: {ISO3} of /units/{ISO3}, {table} of /download/{table}
  std::vector<std::pair<std::string, std::string>> params;   //!< the query, decoded, every pair in order
  std::vector<std::pair<std::string, std::string>> headers;  //!< names in lower case, in order
  std::string body;
  std::string client;  //!< the peer's address, as the audit log records where an action came from
  bool HasParam(std::string_view key) const;
  std::string Param(std::string_view key) const;  //!< the first value of `key`, "" when absent
  std::size_t ParamCount(std::string_view key) const;
  std::string Header(std::string_view name) const;  //!< the first value of `name` (any case), "" when absent
};

//! An answer as an endpoint fills it; the transport adds framing, ETag, gzip and sends it.
struct Response {
  int status = 0;  //!< 0: not set by the handler, which means 200
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  //! A body the response does not own (a cached answer's bytes), kept alive by `hold`; used instead of `body`
  //! when `hold` is set.
  std::shared_ptr<const void> hold;
  std::string_view view;
  std::string account;          //!< who a refused member request acted as, for the access log (ASVS 16.3.2)
  std::string file;             //!< a static file to stream from disk instead of a body (large files)
  std::uint64_t file_size = 0;  //!< its size when checked
  void SetHeader(std::string_view name, std::string value);  //!< replaces any header of that name (any case)
  std::string Header(std::string_view name) const;           //!< "" when absent
  bool HasHeader(std::string_view name) const;
  void SetContent(std::string content, std::string content_type);  //!< body and Content-Type
  std::string_view Body() const { return hold ? view : std::string_view(body); }
};

//! Sets the headers every answer carries: nosniff, no framing, no referrer, a same-origin CSP.
void SetSecurityHeaders(Response& res);
//! Sends `{"error":{"code":id,"message":message}}` with the given status (the message cut to 300
//! bytes: an error never echoes a long input back).
void SendError(Response& res, int status, std::string_view id, const std::string& message);
//! Sends an error whose HTTP status and id come from the error table of src/core.
void SendError(Response& res, Errc code, const std::string& message);
//! A number, or null for a missing value.
Json NumOrNull(double v);
//! A rank, or null for none (0).
inline Json RankOrNull(int rank) {
  return rank > 0 ? Json(rank) : Json(nullptr);
}
//! ASCII upper case (unit codes are matched case-insensitively).
std::string Upper(std::string s);
//! ASCII lower case (header names, content codings, file extensions).
std::string Lower(std::string_view s);
//! The `format` parameter: json (default) or csv; nullopt (with the error sent) otherwise.
std::optional<bool> WantCsv(const Request& req, Response& res);
//! The path after `base` as segments ("/7/approve" under base → {"7", "approve"}, `base` itself
//! → {}); nullopt for a path not under `base` or with an empty segment.
std::optional<std::vector<std::string>> PathSegments(const std::string& path, std::string_view base);
//! A path segment as a positive decimal id (a stored row's), or nullopt.
std::optional<std::int64_t> PositiveId(const std::string& s);
//! Refuses parameters the endpoint does not know and repeated parameters.
bool CheckParams(const Request& req, Response& res, const std::set<std::string>& known);
//! The `year` parameter: an integer of `years` (`of` names them in the error: "the build has no
//! year 1800"), the latest when absent; nullopt (with the error sent) otherwise.
std::optional<int> YearParam(const Request& req, Response& res, const std::set<int>& years,
                             std::string_view of = "the build");

}  // namespace gpsi::server::detail
