// Maps publishers' unit codes and names to gpsi unit codes, recognising aggregates.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "store.hpp"

namespace gpsi::detail {

//! Outcome of resolving one unit cell.
struct UnitMatch {
  enum class Kind { kUnit, kAggregate, kUnknown, kAmbiguous } kind = Kind::kUnknown;
  std::string code;                     //!< the unit, when kUnit
  std::vector<std::string> candidates;  //!< when kAmbiguous
  bool created = false;                 //!< a sub-unit first seen now
};

//! In-memory index of the store's units, names and aggregate names, loaded once per ingest run.
class UnitResolver {
 public:
  explicit UnitResolver(Store& store);
  //! Resolves `text` read as `by` (iso3, iso2, m49, name, code, auto). New sub-national codes
  //! such as GBR_E_W whose country is known are added to the store as sub-units.
  UnitMatch Resolve(std::string_view text, std::string_view by);
  //! Sends created sub-units to `fn` instead of writing them to the store (the ingest writes
  //! them in order with its rows, on its writer thread).
  void OnCreate(std::function<void(const Unit&)> fn) { on_create_ = std::move(fn); }

 private:
  UnitMatch ByCode(std::string_view code);
  UnitMatch ByName(std::string_view name);
  Store& store_;
  std::function<void(const Unit&)> on_create_;
  std::unordered_map<std::string, std::string> codes_;
  std::unordered_map<std::string, std::vector<std::string>> names_;
  std::unordered_set<std::string> aggregates_;
};

//! True for a code shaped like a sub-national unit: three capitals, underscore, more (GBR_E_W).
bool IsSubUnitCode(std::string_view code);

}  // namespace gpsi::detail
