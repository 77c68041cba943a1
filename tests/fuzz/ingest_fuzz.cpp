// Fuzz target: a whole-file ingest (gpsi::IngestFile) into a fresh store. The first input byte picks
// one of four fixed descriptors (b % 4: long, canonical, wide with ';', and a Windows-1252 long table
// read through value_map, value_pattern and a thousands separator) and --strict ((b % 8) >= 4, so
// '0'..'7' select readably); the rest is the file. Only gpsi::Failure may escape, and the
// store must match the report: a rejected file leaves nothing, an ingested one exactly its rows.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "engine.hpp"
#include "ingest.hpp"
#include "store.hpp"

namespace {

namespace fs = std::filesystem;

constexpr const char* kLong = R"(
[match]
files = ["*.csv"]
[source]
key = "fuzz.long"
publisher = "fuzz"
tier = 2
release = "2024"
[table]
layout = "long"
[unit]
column = "Country"
by = "auto"
[year]
column = "Year"
min = 1990
max = 2030
[[indicator]]
code = "fuzz.rate"
column = "Value"
[[indicator]]
code = "fuzz.change"
column = "Change"
non_negative = false
scale = 1000.0
)";

constexpr const char* kCanonical = R"(
[match]
files = ["*.csv"]
[source]
key = "fuzz.canonical"
publisher = "fuzz"
tier = 1
release = "2024-01"
[table]
layout = "canonical"
)";

constexpr const char* kWide = R"(
[match]
files = ["*.csv"]
[source]
key = "fuzz.wide"
publisher = "fuzz"
tier = 3
release = "2024-01-31"
[table]
layout = "wide"
delimiter = ";"
[unit]
column = "Country Code"
by = "iso3"
[[indicator]]
code = "fuzz.wide"
when = { "Indicator Code" = ["X.Y", "X.Z"] }
)";

constexpr const char* kLegacy = R"(
[match]
files = ["*.csv"]
[source]
key = "fuzz.legacy"
publisher = "fuzz"
tier = 1
release = "2022-06"
[table]
encoding = "windows-1252"
thousands = " "
missing = ["", "-", "?"]
[unit]
column = "Country"
by = "name"
[year]
column = "Year"
[[indicator]]
code = "fuzz.answer"
column = "Answer"
value_map = { Yes = 1, No = 0, "Partially funded" = 0.5 }
[[indicator]]
code = "fuzz.limit"
column = "Limit"
value_pattern = '^[<= ]*([0-9]*\.?[0-9]+) *(g/dl)?$'
)";

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "ingest invariant violated: %s\n", what);
    std::abort();
  }
}

struct Env {
  std::string dir, template_db, work_db, input;
  std::vector<gpsi::Descriptor> descriptors;
};

// A folder with a store holding only the ISO 3166 reference (no shared data: hermetic and fast),
// copied afresh for every input.
const Env& GetEnv() {
  static const Env env = [] {
    Env e;
    std::string pattern = (fs::temp_directory_path() / "gpsi-fuzz-XXXXXX").string();
    Check(::mkdtemp(pattern.data()) != nullptr, "mkdtemp");
    e.dir = pattern;
    e.template_db = e.dir + "/template.db";
    e.work_db = e.dir + "/work.db";
    e.input = e.dir + "/input.csv";
    auto init = gpsi::engine::Init(gpsi::engine::InitConfig{e.template_db, e.dir + "/no-shared-data"});
    if (!init) std::fprintf(stderr, "%s\n", init.error().Format().c_str());
    Check(init.ok(), "store init");
    for (const char* text : {kLong, kCanonical, kWide, kLegacy}) {
      auto d = gpsi::ParseDescriptor(text, "fuzz.toml");
      if (!d) std::fprintf(stderr, "%s\n", d.error().Format().c_str());
      Check(d.ok(), "fixed descriptor parses");
      e.descriptors.push_back(*d);
    }
    return e;
  }();
  // Registered after `env` is complete, so it runs before env's destructor.
  static const int cleanup = std::atexit([] {
    std::error_code ec;
    fs::remove_all(GetEnv().dir, ec);
  });
  (void)cleanup;
  return env;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const Env& env = GetEnv();
  int pick = data[0] % 8;
  const gpsi::Descriptor& descriptor = env.descriptors[static_cast<std::size_t>(pick % 4)];
  gpsi::IngestOptions options;
  options.strict = pick >= 4;

  std::error_code ec;
  for (const char* suffix : {"-wal", "-shm", "-journal"}) fs::remove(env.work_db + suffix, ec);
  fs::remove_all(env.work_db + ".blobs", ec);
  fs::copy_file(env.template_db, env.work_db, fs::copy_options::overwrite_existing, ec);
  Check(!ec, "copy the template store");
  {
    std::ofstream out(env.input, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data + 1), static_cast<std::streamsize>(size - 1));
  }
  auto store = gpsi::OpenSqliteStore(env.work_db);
  Check(store.ok(), "open the store");
  gpsi::FileReport rep;
  try {
    rep = gpsi::IngestFile(**store, env.input, descriptor, options);
  } catch (const gpsi::Failure&) {
    return 0;
  }
  std::int64_t files = (*store)->CountRows("files"), observations = (*store)->CountRows("observations"),
               quarantine = (*store)->CountRows("quarantine");
  switch (rep.status) {
    case gpsi::FileReport::Status::kIngested:
      Check(files == 1, "an ingested file is stored");
      Check(observations == rep.accepted, "observations = accepted rows");
      Check(quarantine == rep.quarantined, "quarantine rows = quarantined rows");
      Check(!options.strict || quarantine == 0, "--strict stores no quarantined row");
      break;
    case gpsi::FileReport::Status::kRejected:
      Check(files == 0 && observations == 0 && quarantine == 0, "a rejected file leaves nothing");
      Check(rep.error.ExitCode() == 3, "bad input is rejected input (exit 3), not an internal error");
      Check(!rep.error.Format().empty(), "the error formats");
      break;
    default: Check(false, "a new file is ingested or rejected");
  }
  return 0;
}
