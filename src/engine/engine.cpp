#include "engine.hpp"
#include "detail/built.hpp"
#include "detail/guard.hpp"
#include "detail/output.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <ostream>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace gpsi::engine {
namespace {

namespace fs = std::filesystem;

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

//! A store of this gpsi's schema, for writing: a newer one is refused (Migrate says so, writing
//! nothing), an older one must be migrated with `gpsi init` first.
Status CheckSchema(Store& store, const std::string& location) {
  const std::string db_path = ShownLocation(location);
  const int version = store.SchemaVersion();
  if (version > kSchemaVersion) return store.Migrate();
  if (version < kSchemaVersion) {
    return Error{Errc::kSchemaOlder,
                 fmt::format("store {} has schema version {}; run `gpsi --db {} init` to migrate it to {}", db_path,
                             version, db_path, kSchemaVersion)};
  }
  return Ok();
}

//! A store a read command can read as it is. Read commands never write a store, so an
//! uninitialised or older one is an input error (exit 3) that names the write command to run.
Status CheckReadable(Store& store, const std::string& location) {
  const std::string db_path = ShownLocation(location);
  const int version = store.SchemaVersion();
  if (version == 0) {
    return Error{Errc::kIo, fmt::format("not an initialised gpsi store: make one with gpsi --db {} init", db_path),
                 db_path};
  }
  if (version < kSchemaVersion) {
    return Error{Errc::kIo,
                 fmt::format("the store has schema version {}, older than this gpsi's {}; commands that read it "
                             "do not change it: migrate it first with gpsi --db {} init (which writes it)",
                             version, kSchemaVersion, db_path),
                 db_path};
  }
  return CheckSchema(store, location);
}

}  // namespace

std::string ProjectDataDir() {
  std::string home = Env("GPSI_HOME");
  return (home.empty() ? std::string(GPSI_SOURCE_DIR) : home) + "/data";
}

std::string ShippedMethodsDir() {
  std::string home = Env("GPSI_HOME");
  return (home.empty() ? std::string(GPSI_SOURCE_DIR) : home) + "/methods";
}

//! $<variable>, else ../shared/<folder> beside the source tree when it exists, else "".
std::string SharedFolder(const char* variable, const char* folder) {
  std::string d = Env(variable);
  if (!d.empty()) return d;
  fs::path guess = fs::path(GPSI_SOURCE_DIR) / ".." / "shared" / folder;
  std::error_code ec;
  return fs::is_directory(guess, ec) ? fs::weakly_canonical(guess).string() : std::string();
}

std::string SharedDataDir() {
  return SharedFolder("GPSI_DATA", "data");
}

std::string ValidationDataDir() {
  return SharedFolder("GPSI_VALIDATION", "validation");
}

Result<std::unique_ptr<Store>> OpenExisting(const std::string& db_path, StoreAccess access) {
  std::error_code ec;
  if (!IsPostgresUri(db_path) && !std::filesystem::exists(db_path, ec)) {
    return Error{Errc::kIo, fmt::format("no store here: check --db, or make one with gpsi --db {} init", db_path),
                 db_path};
  }
  return detail::Guarded([&]() -> Result<std::unique_ptr<Store>> {
    auto store = OpenStore(db_path, access);
    if (!store) return store.error();
    if (access == StoreAccess::kRead) {
      if (Status s = CheckReadable(**store, db_path); !s) return s.error();
    } else {
      if (Status s = CheckSchema(**store, db_path); !s) return s.error();
      RemoveStaleRawCopies(**store);
    }
    return store;
  });
}

Result<std::unique_ptr<Store>> Open(const std::string& db_path) {
  return detail::Guarded([&]() -> Result<std::unique_ptr<Store>> {
    auto store = OpenStore(db_path);
    if (!store) return store.error();
    if ((*store)->SchemaVersion() == 0) {
      auto r = Init(InitConfig{db_path, ""});
      if (!r) return r.error();
      store = OpenStore(db_path);
      if (!store) return store.error();
    }
    if (Status s = CheckSchema(**store, db_path); !s) return s.error();
    RemoveStaleRawCopies(**store);
    return store;
  });
}

Result<InitReport> Init(const InitConfig& cfg) {
  return detail::Guarded([&]() -> Result<InitReport> {
    auto store = OpenStore(cfg.db_path);
    if (!store) return store.error();
    if (Status s = (*store)->Migrate(); !s) return s.error();
    RemoveStaleRawCopies(**store);
    ReferenceConfig ref;
    ref.data_dir = cfg.reference_dir.empty() ? SharedDataDir() : cfg.reference_dir;
    ref.project_data = ProjectDataDir();
    InitReport out;
    auto loaded = LoadReference(**store, ref);
    if (!loaded) return loaded.error();
    out.reference = *loaded;
    if (out.reference.m49_loaded || !cfg.fetch_regions) return out;
    UpdateOptions o = cfg.regions;
    o.only = {"unsd-m49"};
    o.from_dir.clear();
    if (o.descriptor_dir.empty()) o.descriptor_dir = ProjectDataDir() + "/descriptors";
    auto reports = RunUpdate(**store, o);
    if (!reports.empty()) out.regions = reports.front();
    using S = UpdateReport::Status;
    if (out.regions && (out.regions->status == S::kIngested || out.regions->status == S::kUnchanged)) {
      out.reference.m49_loaded = true;
      out.reference.with_region = 0;
      for (const Unit& u : (*store)->Units()) out.reference.with_region += u.region_code.empty() ? 0 : 1;
    }
    return out;
  });
}

Result<std::vector<FileReport>> Ingest(const IngestConfig& cfg) {
  return detail::Guarded([&]() -> Result<std::vector<FileReport>> {
    auto store = Open(cfg.db_path);
    if (!store) return store.error();
    std::string descriptor_dir = cfg.descriptor_dir.empty() ? ProjectDataDir() + "/descriptors" : cfg.descriptor_dir;
    std::vector<Descriptor> descriptors;
    if (!cfg.descriptor.empty()) {
      auto d = LoadDescriptor(cfg.descriptor);
      if (!d) return d.error();
      descriptors.push_back(std::move(*d));
    } else {
      auto ds = LoadDescriptorDir(descriptor_dir);
      if (!ds) return ds.error();
      descriptors = std::move(*ds);
    }
    struct Job {
      std::string path;
      const Descriptor* descriptor;
      bool walked;
    };
    std::vector<Job> jobs;
    std::vector<FileReport> reports;
    std::vector<Descriptor> canonical;
    canonical.reserve(cfg.paths.size());
    for (const auto& p : cfg.paths) {
      std::error_code ec;
      if (fs::is_directory(p, ec)) {
        std::vector<std::string> files;
        for (auto it = fs::recursive_directory_iterator(p, ec); !ec && it != fs::recursive_directory_iterator();
             it.increment(ec)) {
          if (it->is_regular_file() && it->path().filename().string()[0] != '.') files.push_back(it->path().string());
        }
        std::sort(files.begin(), files.end());
        if (files.empty()) LogWarn(fmt::format("{}: no files to ingest in this folder", p));
        for (const auto& f : files) {
          const Descriptor* d = cfg.descriptor.empty() ? MatchDescriptor(descriptors, f) : &descriptors.front();
          jobs.push_back({f, d, true});
        }
        continue;
      }
      const Descriptor* d = cfg.descriptor.empty() ? MatchDescriptor(descriptors, p) : &descriptors.front();
      if (!d && fs::is_regular_file(p, ec)) {
        if (auto self = SelfDescribing(p)) {
          canonical.push_back(std::move(*self));
          d = &canonical.back();
        }
      }
      jobs.push_back({p, d, false});
    }
    std::stable_sort(jobs.begin(), jobs.end(), [](const Job& a, const Job& b) {
      int oa = a.descriptor ? a.descriptor->order : 1000, ob = b.descriptor ? b.descriptor->order : 1000;
      return oa < ob;
    });
    for (const auto& job : jobs) {
      if (!job.descriptor) {
        FileReport r;
        r.path = job.path;
        std::error_code ec;
        if (job.walked) {
          r.status = FileReport::Status::kSkipped;
          r.note = "no descriptor matches";
        } else if (!fs::exists(job.path, ec)) {
          r.status = FileReport::Status::kRejected;
          r.error = Error{Errc::kIo, "no such file or folder", job.path};
        } else if (Status text = CheckTextFile(job.path); !text) {
          r.status = FileReport::Status::kRejected;  // the file's own defect says more than "no descriptor"
          r.error = text.error();
        } else {
          r.status = FileReport::Status::kRejected;
          r.error = Error{Errc::kNoDescriptor,
                          fmt::format("no descriptor in {} matches this file and its header is neither the canonical "
                                      "unit,year,indicator,value nor SDMX-CSV's STRUCTURE,STRUCTURE_ID; pass "
                                      "--descriptor FILE",
                                      descriptor_dir),
                          job.path, 1, 1};  // at the header line, which matched neither
        }
        reports.push_back(std::move(r));
        continue;
      }
      reports.push_back(IngestFile(**store, job.path, *job.descriptor, IngestOptions{cfg.strict}));
    }
    return reports;
  });
}

Status Export(const ExportConfig& cfg, std::ostream& out) {
  return detail::Guarded([&]() -> Status {
    auto store = OpenExisting(cfg.db_path);
    if (!store) return store.error();
    CellFilter f;
    f.indicators = cfg.indicators;
    f.year_from = cfg.year_from, f.year_to = cfg.year_to;
    const bool sdmx = cfg.format == ExportFormat::kSdmxCsv;
    // SDMX-CSV 2.0: the dataflow, action I(nformation), the three dimensions, the measure, the
    // OBS_STATUS attribute (the source's flags), then two custom columns for provenance.
    out << (sdmx ? "STRUCTURE,STRUCTURE_ID,ACTION,REF_AREA,INDICATOR,TIME_PERIOD,OBS_VALUE,OBS_STATUS,SOURCE,TIER\n"
                 : "unit,year,indicator,value,source,tier\n");
    const std::string prefix = fmt::format("dataflow,{},I,", kSdmxDataflow);
    auto row = [&](const ResolvedValue& r) {
      const std::string provenance = CsvField(r.source_key + "@" + r.release);
      if (sdmx) {
        out << prefix << CsvField(r.unit) << ',' << CsvField(r.indicator) << ',' << r.year << ','
            << FormatNumber(r.value) << ',' << CsvField(r.flags) << ',' << provenance << ',' << r.tier << '\n';
      } else {
        out << CsvField(r.unit) << ',' << r.year << ',' << CsvField(r.indicator) << ',' << FormatNumber(r.value) << ','
            << provenance << ',' << r.tier << '\n';
      }
    };
    if (cfg.all_sources) {
      (*store)->Observations(f, row);
    } else {
      (*store)->Resolved(f, row);
    }
    return Ok();
  });
}

Result<std::vector<Unit>> Units(const std::string& db_path) {
  return detail::Guarded([&]() -> Result<std::vector<Unit>> {
    auto store = OpenExisting(db_path);
    if (!store) return store.error();
    return (*store)->Units();
  });
}

Result<std::vector<Indicator>> Indicators(const std::string& db_path) {
  return detail::Guarded([&]() -> Result<std::vector<Indicator>> {
    auto store = OpenExisting(db_path);
    if (!store) return store.error();
    return (*store)->Indicators();
  });
}

Result<std::vector<SourceRecord>> Sources(const std::string& db_path) {
  return detail::Guarded([&]() -> Result<std::vector<SourceRecord>> {
    auto store = OpenExisting(db_path);
    if (!store) return store.error();
    return (*store)->Sources();
  });
}

Result<std::vector<CatalogueEntry>> Catalogue(const std::string& db_path) {
  return detail::Guarded([&]() -> Result<std::vector<CatalogueEntry>> {
    auto store = OpenExisting(db_path);
    if (!store) return store.error();
    std::vector<CatalogueEntry> out;
    std::map<std::int64_t, std::size_t> at;  // source id → entry
    for (auto& s : (*store)->Sources()) {
      at.emplace(s.id, out.size());
      out.push_back({std::move(s), {}});
    }
    for (auto& f : (*store)->Files()) {
      if (auto it = at.find(f.source_id); it != at.end()) {
        out[it->second].files.push_back(
            {fs::path(f.path).filename().string(), std::move(f.sha256), std::move(f.ingested_at), f.bytes});
      }
    }
    return out;
  });
}

Result<std::vector<ResolvedValue>> Show(const std::string& db_path, const std::string& unit_text,
                                        const std::vector<std::string>& indicators, bool all_sources) {
  return detail::Guarded([&]() -> Result<std::vector<ResolvedValue>> {
    auto store = OpenExisting(db_path);
    if (!store) return store.error();
    std::string code = unit_text;
    for (char& c : code) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (!(*store)->FindUnit(code)) {
      // Accept a name as well as a code, through the same names the ingest uses.
      std::string key = NameKey(unit_text);
      std::vector<std::string> hits;
      for (const auto& [k, u] : (*store)->UnitNames()) {
        if (k == key) hits.push_back(u);
      }
      if (hits.empty()) return Error{Errc::kNotFound, fmt::format("unknown unit '{}'", unit_text)};
      if (hits.size() > 1) {
        return Error{Errc::kAmbiguousUnit, fmt::format("'{}' is ambiguous: {}", unit_text, fmt::join(hits, ", "))};
      }
      code = hits.front();
    }
    CellFilter f;
    f.units = {code};
    f.indicators = indicators;
    std::vector<ResolvedValue> out;
    auto keep = [&](const ResolvedValue& r) { out.push_back(r); };
    all_sources ? (*store)->Observations(f, keep) : (*store)->Resolved(f, keep);
    return out;
  });
}

Result<std::vector<Disagreement>> Disagreements(const ResolveConfig& cfg) {
  return detail::Guarded([&]() -> Result<std::vector<Disagreement>> {
    auto store = OpenExisting(cfg.db_path);
    if (!store) return store.error();
    std::vector<Disagreement> out;
    // Observations arrive grouped by cell with the winner first (the resolution order).
    ResolvedValue chosen;
    bool have = false;
    (*store)->Observations(CellFilter{}, [&](const ResolvedValue& r) {
      if (!have || r.unit != chosen.unit || r.indicator != chosen.indicator || r.year != chosen.year) {
        chosen = r;
        have = true;
        return;
      }
      double denom = std::fabs(chosen.value);
      double rel = denom > 0 ? std::fabs(r.value - chosen.value) / denom : (r.value == 0 ? 0.0 : INFINITY);
      if (rel > cfg.threshold) out.push_back(Disagreement{chosen, r, rel});
    });
    return out;
  });
}

void WriteDisagreements(const std::vector<Disagreement>& rows, std::ostream& out) {
  out << "unit,year,indicator,value,source,tier,other_value,other_source,other_tier,relative_difference\n";
  for (const auto& d : rows) {
    out << d.chosen.unit << ',' << d.chosen.year << ',' << CsvField(d.chosen.indicator) << ','
        << FormatNumber(d.chosen.value) << ',' << CsvField(d.chosen.source_key + "@" + d.chosen.release) << ','
        << d.chosen.tier << ',' << FormatNumber(d.other.value) << ','
        << CsvField(d.other.source_key + "@" + d.other.release) << ',' << d.other.tier << ','
        << fmt::format("{:.4f}", d.relative) << '\n';
  }
}

}  // namespace gpsi::engine
