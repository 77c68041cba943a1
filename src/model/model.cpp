#include <charconv>
#include <cmath>

#include "model.hpp"

namespace gpsi {

std::string_view ToString(UnitKind kind) {
  switch (kind) {
    case UnitKind::kCountry: return "country";
    case UnitKind::kTerritory: return "territory";
    case UnitKind::kSubUnit: return "sub-unit";
    case UnitKind::kOther: return "other";
  }
  return "other";
}

std::optional<UnitKind> ParseUnitKind(std::string_view s) {
  if (s == "country") return UnitKind::kCountry;
  if (s == "territory") return UnitKind::kTerritory;
  if (s == "sub-unit") return UnitKind::kSubUnit;
  if (s == "other") return UnitKind::kOther;
  return std::nullopt;
}

int TextTable::Column(std::string_view name) const {
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return static_cast<int>(i);
  }
  return -1;
}

std::string FormatNumber(double v) {
  char buf[64];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, ptr) : std::string("NaN");
}

std::string CsvNumber(double v) {
  return std::isnan(v) ? std::string() : FormatNumber(v);
}

std::string CsvField(std::string_view s) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace gpsi
