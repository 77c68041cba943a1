// Publisher API responses (JSON pages, OWID grapher CSV) opened as a Table, so the ingest maps
// their records through a descriptor like any CSV file.
#pragma once

#include <memory>
#include <string>

#include "table.hpp"

namespace gpsi::detail {

//! True for the layouts read by OpenApiTable.
bool IsApiLayout(std::string_view layout);

//! Opens `path` of an API layout: who-odata, wb-api, sdg-api (flattened JSON) or owid-grapher
//! (a grapher CSV whose fourth column, named after the chart, becomes `value`).
Result<std::unique_ptr<Table>> OpenApiTable(const std::string& path, std::string_view layout);

}  // namespace gpsi::detail
