// Which backend a store location names, and how a location is shown to people.
#include <regex>

#include <fmt/format.h>

#include "store.hpp"

namespace gpsi {

bool IsPostgresUri(std::string_view location) {
  return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

Error StoredAlreadyError(std::string_view sha256) {
  return Error{Errc::kConflict, fmt::format("these bytes are stored already (sha256 {}): a file is stored once; "
                                            "change it to send it again",
                                            sha256.substr(0, 12))};
}

Result<std::unique_ptr<Store>> OpenStore(const std::string& location, StoreAccess access) {
  return IsPostgresUri(location) ? OpenPostgresStore(location, access) : OpenSqliteStore(location, access);
}

std::string ShownLocation(const std::string& location) {
  if (!IsPostgresUri(location)) return location;
  // postgresql://user:secret@host/db and …?password=secret (libpq's two places for a password).
  static const std::regex kUserInfo(R"(^(postgres(?:ql)?://[^:/@?]*):[^@/?]*@)");
  static const std::regex kParam(R"(([?&]password=)[^&]*)");
  std::string shown = std::regex_replace(location, kUserInfo, "$1:***@");
  return std::regex_replace(shown, kParam, "$1***");
}

}  // namespace gpsi
