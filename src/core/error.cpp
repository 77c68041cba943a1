#include <array>

#include <fmt/format.h>

#include "core.hpp"

namespace gpsi {
namespace {

// The one error-code table (append-only): id, message, exit code, HTTP status.
// Exit codes are the CLI contract of ARCHITECTURE.md: 1 internal, 2 usage, 3 rejected input.
constexpr std::array kTable{
    ErrorInfo{Errc::kOk, "ok", "success", 0, 200},
    ErrorInfo{Errc::kInternal, "internal", "internal error", 1, 500},
    ErrorInfo{Errc::kUsage, "usage", "usage error", 2, 400},
    ErrorInfo{Errc::kIo, "io", "cannot read file", 3, 422},
    ErrorInfo{Errc::kEmptyFile, "empty-file", "file is empty", 3, 422},
    ErrorInfo{Errc::kBinaryFile, "binary-file", "file is binary, not text", 3, 422},
    ErrorInfo{Errc::kNotUtf8, "not-utf8", "file is not valid UTF-8", 3, 422},
    ErrorInfo{Errc::kTruncated, "truncated", "file is truncated", 3, 422},
    ErrorInfo{Errc::kBadHeader, "bad-header", "header lacks required columns", 3, 422},
    ErrorInfo{Errc::kBadDescriptor, "bad-descriptor", "invalid source descriptor", 3, 422},
    ErrorInfo{Errc::kMissingColumn, "missing-column", "descriptor names a missing column", 3, 422},
    ErrorInfo{Errc::kNoDescriptor, "no-descriptor", "no descriptor matches the file", 3, 422},
    ErrorInfo{Errc::kRejectedStrict, "rejected-strict", "rows quarantined under --strict", 3, 422},
    ErrorInfo{Errc::kSchemaNewer, "schema-newer", "store schema is newer than this gpsi", 1, 500},
    ErrorInfo{Errc::kStoreCorrupt, "store", "store error", 1, 500},
    ErrorInfo{Errc::kNotFound, "not-found", "not found", 2, 404},
    ErrorInfo{Errc::kBadReference, "bad-reference", "reference data cannot be loaded", 3, 422},
    ErrorInfo{Errc::kAmbiguousUnit, "ambiguous-unit", "unit name is ambiguous", 3, 422},
    ErrorInfo{Errc::kSchemaOlder, "schema-older", "store schema is older than this gpsi: run gpsi init", 1, 409},
    ErrorInfo{Errc::kRecordTooLong, "record-too-long", "a CSV record is too long", 3, 422},
    ErrorInfo{Errc::kBadMethod, "bad-method", "invalid methodology", 3, 422},
    ErrorInfo{Errc::kUncomputable, "uncomputable", "a result cannot be computed", 3, 422},
    ErrorInfo{Errc::kNetwork, "network", "source endpoint unreachable", 3, 503},
    ErrorInfo{Errc::kBadResponse, "bad-response", "source response is malformed or truncated", 3, 502},
    ErrorInfo{Errc::kMethodNotAllowed, "method-not-allowed", "the endpoint does not take this HTTP method", 2, 405},
    ErrorInfo{Errc::kTooLarge, "too-large", "the request body is too large", 2, 413},
    ErrorInfo{Errc::kTimeout, "timeout", "the request took too long", 1, 503},
    ErrorInfo{Errc::kWrite, "write", "cannot write output", 1, 500},
    ErrorInfo{Errc::kBadRequest, "bad-request", "the request is not well-formed HTTP/1.1", 2, 400},
    ErrorInfo{Errc::kHeaderTooLarge, "header-too-large", "the request head is too large", 2, 431},
    ErrorInfo{Errc::kBusy, "busy", "too many connections", 1, 503},
    ErrorInfo{Errc::kUnauthorized, "unauthorized", "authentication required", 3, 401},
    ErrorInfo{Errc::kForbidden, "forbidden", "not permitted", 3, 403},
    ErrorInfo{Errc::kConflict, "conflict", "the change conflicts with the stored state", 3, 409},
    ErrorInfo{Errc::kAuditBroken, "audit-broken", "the audit log does not verify", 1, 500},
    ErrorInfo{Errc::kRateLimited, "rate-limited", "too many attempts: try again later", 1, 429},
    ErrorInfo{Errc::kBadCampaign, "bad-campaign", "invalid evaluation campaign", 3, 422},
    ErrorInfo{Errc::kBadProject, "bad-project", "invalid project file", 3, 422},
    ErrorInfo{Errc::kNotPublished, "not-published", "not published by this server", 2, 404},
};

}  // namespace

const ErrorInfo& Info(Errc code) {
  for (const auto& row : kTable) {
    if (row.code == code) return row;
  }
  return kTable[1];
}

std::string Error::Format() const {
  std::string where;
  if (!file.empty()) {
    where = file;
    if (line > 0) where += fmt::format(":{}", line);
    if (line > 0 && column > 0) where += fmt::format(":{}", column);
    where += ": ";
  }
  return fmt::format("{}error: {}", where, message.empty() ? Info(code).message : message);
}

std::string_view Version() {
  return GPSI_VERSION;
}

}  // namespace gpsi
