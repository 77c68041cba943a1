// Small HTTP helpers shared by the endpoint files: errors from the one table, CSV fields,
// numbers as scores.csv writes them, and strict parameter checks.
#pragma once

#include <httplib.h>

#include <optional>
#include <set>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core.hpp"

namespace gpsi::server::detail {

using Json = nlohmann::ordered_json;

//! Sets the headers every answer carries: nosniff, no framing, no referrer, a same-origin CSP.
void SetSecurityHeaders(httplib::Response& res);
//! Sends `{"error":{"code":id,"message":message}}` with the given status (the message cut to 300
//! bytes: an error never echoes a long input back).
void SendError(httplib::Response& res, int status, std::string_view id, const std::string& message);
//! Sends an error whose HTTP status and id come from the error table of src/core.
void SendError(httplib::Response& res, Errc code, const std::string& message);
//! A number, or null for a missing value.
Json NumOrNull(double v);
//! A rank, or null for none (0).
inline Json RankOrNull(int rank) {
  return rank > 0 ? Json(rank) : Json(nullptr);
}
//! ASCII upper case (unit codes are matched case-insensitively).
std::string Upper(std::string s);
//! The `format` parameter: json (default) or csv; nullopt (with the error sent) otherwise.
std::optional<bool> WantCsv(const httplib::Request& req, httplib::Response& res);
//! Refuses parameters the endpoint does not know and repeated parameters.
bool CheckParams(const httplib::Request& req, httplib::Response& res, const std::set<std::string>& known);
//! The `year` parameter: an integer of `years` (`of` names them in the error: "the build has no
//! year 1800"), the latest when absent; nullopt (with the error sent) otherwise.
std::optional<int> YearParam(const httplib::Request& req, httplib::Response& res, const std::set<int>& years,
                             std::string_view of = "the build");

}  // namespace gpsi::server::detail
