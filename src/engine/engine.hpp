// gpsi engine: the façade every front end (CLI, HTTP server, tests) calls. Each operation is
// one function over a config struct.
#pragma once

#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "core.hpp"
#include "ingest.hpp"
#include "model.hpp"
#include "store.hpp"

namespace gpsi::engine {

//! Where gpsi's own shipped data lives (descriptors, reference lists): $GPSI_HOME/data, else the
//! source tree's data/.
std::string ProjectDataDir();
//! The shared data folder: $GPSI_DATA, else ../shared/data beside the source tree, else "".
std::string SharedDataDir();

//! Opens the store; a new (empty) store is initialised first, an older one must be migrated with
//! `gpsi init`, a newer one is refused.
Result<std::unique_ptr<Store>> Open(const std::string& db_path);

struct InitConfig {
  std::string db_path;
  std::string reference_dir;  //!< data folder with reference_*; empty = SharedDataDir()
};
//! Creates or migrates the store and loads the country reference.
Result<ReferenceReport> Init(const InitConfig& cfg);

struct IngestConfig {
  std::string db_path;
  std::vector<std::string> paths;
  std::string descriptor;      //!< force this descriptor for every file
  std::string descriptor_dir;  //!< empty = ProjectDataDir()/descriptors
  bool strict = false;
};
//! Ingests files and folders (walked recursively; each file matched to a descriptor).
Result<std::vector<FileReport>> Ingest(const IngestConfig& cfg);

struct ExportConfig {
  std::string db_path;
  std::vector<std::string> indicators;
  int year_from = 0, year_to = 9999;
  bool all_sources = false;
};
//! CSV `unit,year,indicator,value,source,tier`: resolved values, or every observation.
Status Export(const ExportConfig& cfg, std::ostream& out);

//! The resolved series of one unit with provenance.
Result<std::vector<ResolvedValue>> Show(const std::string& db_path, const std::string& unit,
                                        const std::vector<std::string>& indicators);

struct Disagreement {
  ResolvedValue chosen, other;
  double relative = 0;  //!< |other − chosen| / |chosen|
};
struct ResolveConfig {
  std::string db_path;
  double threshold = 0.10;
};
//! Cells where another source differs from the resolved value by more than the threshold.
Result<std::vector<Disagreement>> Disagreements(const ResolveConfig& cfg);
//! Writes disagreements as CSV.
void WriteDisagreements(const std::vector<Disagreement>& rows, std::ostream& out);

}  // namespace gpsi::engine
