// A store initialised as `gpsi init` makes it, through the ingest module alone (these unit tests
// link gpsi_ingest, not the engine).
#pragma once

#include <filesystem>
#include <string>

#include "ingest.hpp"
#include "store.hpp"

namespace gpsi::test {

//! A new store at `path` with the full country reference of the shared data folder.
inline Result<ReferenceReport> InitStore(const std::filesystem::path& path) {
  auto s = OpenSqliteStore(path.string());
  if (!s) return s.error();
  if (auto m = (*s)->Migrate(); !m) return m.error();
  ReferenceConfig c;
  c.data_dir = GPSI_TEST_DATA;
  c.project_data = std::string(GPSI_SOURCE_DIR) + "/data";
  return LoadReference(**s, c);
}

}  // namespace gpsi::test
