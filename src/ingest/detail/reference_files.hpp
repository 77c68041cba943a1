// Reference tables that the ingest of a data folder may meet (reference_* folders).
#pragma once

#include <string>
#include <string_view>

#include "store.hpp"

namespace gpsi::detail {

//! Layouts loaded into the units table, not into observations: reference-m49,
//! reference-country-codes and sdg-geoarea-tree (M49 from the UN SDG API).
inline bool IsReferenceLayout(std::string_view layout) {
  return layout.rfind("reference-", 0) == 0 || layout == "sdg-geoarea-tree";
}

//! Loads one reference file (a reference layout) into the units table, inside the caller's
//! transaction; returns the number of rows read.
Result<std::int64_t> LoadReferenceFile(Store& store, const std::string& layout, const std::string& path);

}  // namespace gpsi::detail
