// Reference tables that the ingest of a data folder may meet (reference_* folders).
#pragma once

#include <string>

#include "store.hpp"

namespace gpsi::detail {

//! Loads one reference file (layout reference-m49 or reference-country-codes) into the units
//! table, inside the caller's transaction; returns the number of rows read.
Result<std::int64_t> LoadReferenceFile(Store& store, const std::string& layout, const std::string& path);

}  // namespace gpsi::detail
