// gpsi model: the value types every stage shares (units, indicators, sources, observations).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core.hpp"

namespace gpsi {

//! What a unit is: a sovereign country, a dependent territory, a sub-national unit (e.g. UNODC's
//! GBR_E_W, kept apart from its country), or other (former states, user-assigned codes).
enum class UnitKind { kCountry, kTerritory, kSubUnit, kOther };

std::string_view ToString(UnitKind kind);
std::optional<UnitKind> ParseUnitKind(std::string_view s);

//! A geographic unit; `code` is ISO 3166-1 alpha-3 for countries and territories.
struct Unit {
  std::string code;
  UnitKind kind = UnitKind::kCountry;
  std::string name_en, name_zh, official_name_en;
  std::string iso2, iso3, m49;
  std::string region_code, region_name, subregion_code, subregion_name;
  std::string intermediate_code, intermediate_name;
  std::string parent;  //!< country of a sub-unit
};

//! Source priority tier of the brief: 1 UN agency, 2 government, 3 think tank, 4 big data/other.
enum class Tier : int { kUnAgency = 1, kGovernment = 2, kThinkTank = 3, kOther = 4 };

//! One release (vintage) of a publisher's data set.
struct Source {
  std::string key;        //!< stable id of the data set, e.g. "unodc-homicide-wdi"
  std::string publisher;  //!< who publishes it (and through whom)
  int tier = 4;
  std::string licence, url;
  std::string release;    //!< ISO date (or year) of the publisher's release; orders vintages
  std::string retrieved;  //!< ISO date the bytes were taken
  int preference = 0;     //!< tie-breaker among same tier and release: higher wins
};

//! Indicator metadata; direction +1 when higher is better for security, -1 when worse.
struct Indicator {
  std::string code;
  std::string name_en, name_zh;
  std::string unit_of_measure;
  std::string dimension;
  int direction = 1;
  std::string description;
};

//! One stored value with its provenance (file row and publisher flags).
struct Observation {
  std::string unit;
  int year = 0;
  std::string indicator;
  double value = 0;
  std::int64_t line = 0;
  std::string flags;  //!< publisher flags, comma-separated: modelled, estimate, provisional, projection
};

//! A row that could not be used, kept for review.
struct QuarantineRow {
  std::int64_t line = 0, column = 0;
  std::string raw;
  std::string reason;  //!< short stable reason id, e.g. unknown-unit, non-numeric
  std::string detail;
};

//! A resolved cell of the panel: the winning observation and its source.
struct ResolvedValue {
  std::string unit;
  int year = 0;
  std::string indicator;
  double value = 0;
  std::string source_key, publisher, release;
  int tier = 4;
  std::string file_path, file_sha256;
  std::int64_t line = 0;
  std::string flags;
};

//! A small delimited text table read whole (e.g. COINr's iData/iMeta), with the line of each row.
struct TextTable {
  std::string path;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  //!< each as long as the header
  std::vector<std::int64_t> lines;             //!< 1-based source line of each row
  //! Index of a header column, or -1.
  int Column(std::string_view name) const;
};

//! A recorded `gpsi build`: what went in (method and data hashes) and what came out.
struct RunRecord {
  std::string id;  //!< first 16 hex digits of sha256(method hash, data hash, engine version)
  std::string method_id, method_hash, data_hash, engine_version;
  std::string created;  //!< ISO 8601 UTC time of the run
  std::string out_dir;
  std::string scores_sha256;
};

//! Formats a double as the shortest text that reads back to the same value.
std::string FormatNumber(double v);
//! A number as every table gpsi writes (output files, CSV downloads): FormatNumber, empty when
//! missing (NaN), so a reader gets the double exactly.
std::string CsvNumber(double v);
//! One CSV field (RFC 4180): quoted, quotes doubled, when the text holds a comma, quote or line break.
std::string CsvField(std::string_view s);

}  // namespace gpsi
