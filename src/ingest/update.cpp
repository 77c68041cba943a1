// gpsi update: the official endpoints, fetched (or read from a local folder), validated whole and
// ingested through the ordinary provenance path, one transaction per source.
//
// Endpoints, as checked against public documentation and client code (details in docs/update.md):
//  - WHO GHO OData (https://ghoapi.azureedge.net/api/<IndicatorCode>): one JSON page with every
//    row ({"@odata.context", "value": [...]}); should the server page it, each page's
//    "@odata.nextLink" (an absolute URL on the same host) is followed.
//  - World Bank API v2 (https://api.worldbank.org/v2/country/all/indicator/<code>?format=json&
//    per_page=20000&page=<n>): [metadata {page, pages, per_page, total, lastupdated}, rows];
//    every page up to `pages` is fetched and the rows must add up to `total`.
//  - UN SDG API v1 (https://unstats.un.org/SDGAPI/v1/sdg/Series/Data?seriesCode=<code>&page=<n>&
//    pageSize=<k>): {totalElements, totalPages, pageNumber, size, data: [...]}, likewise.
//  - OWID grapher (https://ourworldindata.org/grapher/<slug>.csv): CSV Entity,Code,Year,<value>.
//  - UNSD M49: the overview page (https://unstats.un.org/unsd/methodology/m49/overview/) makes its
//    CSV in the browser, so the regions come from the UN SDG API's GeoArea tree
//    (…/SDGAPI/v1/sdg/GeoArea/Tree, one response, json_table.cpp); `--from` also takes UNSD_m49.csv.
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>

#include <fmt/format.h>

#include "detail/fetch.hpp"
#include "ingest.hpp"

namespace gpsi {
namespace {

namespace fs = std::filesystem;

// World Bank pages: the API accepts up to 32,500 rows a page; 20,000 keeps a page near 8 MB.
constexpr const char* kWbPath = "/v2/country/all/indicator/{code}?format=json&per_page=20000&page={page}";
// The Worldwide Governance Indicators are the World Bank's source 3 (ids GOV_WGI_<dimension>.EST
// since the 2024 update; the bare PV.EST of older clients answers "indicator not found").
constexpr const char* kWgiPath = "/v2/country/all/indicator/{code}?source=3&format=json&per_page=20000&page={page}";
constexpr const char* kSdgPath = "/SDGAPI/v1/sdg/Series/Data?seriesCode={code}&page={page}&pageSize=10000";
constexpr int kMaxPages = 1000;

UpdateAdapter Make(const std::string& group, const std::string& code, const std::string& layout,
                   const std::string& path_pattern, const std::string& ext, std::vector<std::string> local) {
  UpdateAdapter a;
  a.name = group + ":" + code;
  a.group = group;
  a.layout = layout;
  a.path = path_pattern;
  if (auto p = a.path.find("{code}"); p != std::string::npos) a.path.replace(p, 6, code);
  a.file_name = group + "_" + code + ext;
  a.local_files = std::move(local);
  return a;
}

std::string Today() {
  return NowUtc().substr(0, 10);
}

std::string FileDate(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return Today();
  std::tm tm{};
  gmtime_r(&st.st_mtime, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

std::string PageUrl(const std::string& base, const std::string& path, int page) {
  std::string p = path;
  if (auto at = p.find("{page}"); at != std::string::npos) p.replace(at, 6, std::to_string(page));
  std::string b = base;
  while (!b.empty() && b.back() == '/') b.pop_back();
  return b + p;
}

// "scheme://host[:port]" of an absolute URL (lower-cased); empty for anything else.
std::string Origin(std::string_view url) {
  auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return {};
  auto end = url.find_first_of("/?#", scheme + 3);
  std::string o(url.substr(0, end));
  for (char& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return o;
}

std::string Bundle(const std::vector<std::string>& pages, const std::string& url) {
  if (pages.size() == 1) return pages.front();
  // Each page's bytes as received, inside one JSON document (json_table.cpp reads it).
  std::string out = fmt::format("{{\"gpsi_bundle\": \"pages\", \"url\": \"{}\", \"pages\": [\n", url);
  for (std::size_t i = 0; i < pages.size(); ++i) out += (i ? ",\n" : "") + pages[i];
  return out + "\n]}\n";
}

// A grapher CSV must start with its header; anything else (an HTML error page, nothing) is not one.
Status CheckGrapherCsv(std::string_view body) {
  if (body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);
  if (body.substr(0, 17) != "Entity,Code,Year,") {
    return Error{Errc::kBadResponse, "not an OWID grapher CSV (no Entity,Code,Year header)"};
  }
  if (body.find('\n') == std::string_view::npos) return Error{Errc::kBadResponse, "CSV has a header but no rows"};
  return Ok();
}

class TempFolder {
 public:
  TempFolder() {
    std::random_device rd;
    path_ = fs::temp_directory_path() / fmt::format("gpsi-update-{}-{:x}", ::getpid(), rd());
    fs::create_directories(path_);
  }
  ~TempFolder() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

class Updater {
 public:
  Updater(Store& store, const UpdateOptions& o, const std::vector<Descriptor>& descriptors)
      : store_(store), o_(o), descriptors_(descriptors), today_(o.today.empty() ? Today() : o.today) {}

  UpdateReport Run(const UpdateAdapter& a) {
    UpdateReport r;
    r.adapter = a.name;
    try {
      if (!o_.from_dir.empty()) {
        FromDir(a, r);
      } else if (a.path.empty()) {
        r.status = UpdateReport::Status::kNoEndpoint;
        r.note = "no downloadable file; use --from";
      } else {
        FromNetwork(a, r);
      }
    } catch (const Failure& f) {
      Fail(r, f.error());
    }
    return r;
  }

 private:
  void Fail(UpdateReport& r, Error e) {
    r.status = UpdateReport::Status::kFailed;
    e.message = r.adapter + ": " + e.message;
    r.error = std::move(e);
  }

  std::string Base(const UpdateAdapter& a) const {
    if (auto it = o_.base_urls.find(a.group); it != o_.base_urls.end()) return it->second;
    if (auto it = o_.base_urls.find("*"); it != o_.base_urls.end()) return it->second;
    return DefaultBaseUrl(a.group);
  }

  Result<detail::FetchResponse> Get(const std::string& url, const std::optional<FetchState>& state, UpdateReport& r) {
    detail::FetchRequest req{url, state ? state->etag : "", state ? state->last_modified : ""};
    auto resp = detail::Fetch(req, o_.fetch);
    if (resp) r.attempts += resp->attempts;
    return resp;
  }

  void FromNetwork(const UpdateAdapter& a, UpdateReport& r) {
    const std::string first = PageUrl(Base(a), a.path, 1);
    r.url = first;
    auto state = store_.FindFetchState(first);
    auto resp = Get(first, state, r);
    if (!resp) return Fail(r, resp.error());
    if (resp->not_modified) {
      r.status = UpdateReport::Status::kUnchanged;
      r.note = fmt::format("not modified since {} (HTTP 304)", state ? state->fetched_at : "the last fetch");
      return;
    }
    std::vector<std::string> pages{std::move(resp->body)};
    const std::string etag = resp->etag, last_modified = resp->last_modified;
    std::string release;
    if (a.layout == "owid-grapher") {
      if (Status s = CheckGrapherCsv(pages.front()); !s) return Fail(r, s.error());
    } else {
      auto p1 = ParseApiResponse(pages.front(), a.layout, false);
      if (!p1) return Fail(r, p1.error());
      int declared = std::min(p1->pages_declared, kMaxPages + 1);
      if (declared > kMaxPages) return Fail(r, Error{Errc::kBadResponse, "more than 1000 pages announced"});
      // OData pages: each names the next by URL, on the publisher's host.
      for (std::string next = p1->next_link; !next.empty();) {
        if (static_cast<int>(pages.size()) >= kMaxPages)
          return Fail(r, Error{Errc::kBadResponse, "more than 1000 pages"});
        if (Origin(next) != Origin(first)) {
          return Fail(r, Error{Errc::kBadResponse,
                               fmt::format("page {} links to {}, off the publisher's host", pages.size(), next)});
        }
        auto more = Get(next, std::nullopt, r);
        if (!more) return Fail(r, more.error());
        auto pn = ParseApiResponse(more->body, a.layout, false);
        if (!pn) {
          Error e = pn.error();
          e.message = fmt::format("page {} ({}): {}", pages.size() + 1, next, e.message);
          return Fail(r, e);
        }
        next = pn->next_link;
        pages.push_back(std::move(more->body));
      }
      for (int page = 2; page <= declared && a.path.find("{page}") != std::string::npos; ++page) {
        std::string url = PageUrl(Base(a), a.path, page);
        auto next = Get(url, std::nullopt, r);
        if (!next) return Fail(r, next.error());
        auto pn = ParseApiResponse(next->body, a.layout, false);
        if (!pn) {
          Error e = pn.error();
          e.message = fmt::format("page {} of {}: {}", page, declared, e.message);
          return Fail(r, e);
        }
        pages.push_back(std::move(next->body));
      }
    }
    std::string bundle = Bundle(pages, first);
    r.pages = static_cast<int>(pages.size());
    r.bytes = static_cast<std::int64_t>(bundle.size());
    r.sha256 = Sha256Hex(bundle);
    if (a.layout != "owid-grapher") {
      auto all = ParseApiResponse(bundle, a.layout, true);  // every page there, rows add up
      if (!all) return Fail(r, all.error());
      r.records = all->records;
      release = all->last_updated;
    } else {
      r.records = static_cast<std::int64_t>(std::count(bundle.begin(), bundle.end(), '\n')) - 1;
    }
    r.release = release.empty() ? today_ : release;
    if (o_.dry_run) {
      r.status = UpdateReport::Status::kDryRun;
      r.note = fmt::format("would ingest {} page(s), {} records, {} bytes, release {}", r.pages, r.records, r.bytes,
                           r.release);
      return;
    }
    TempFolder tmp;
    std::string file = tmp / a.file_name;
    {
      std::ofstream out(file, std::ios::binary);
      out.write(bundle.data(), static_cast<std::streamsize>(bundle.size()));
      if (!out) return Fail(r, Error{Errc::kWrite, "cannot write the response to a temporary file"});
    }
    Ingest(a, file, r.release, today_, first, r);
    if (r.status == UpdateReport::Status::kIngested || r.status == UpdateReport::Status::kUnchanged) {
      store_.PutFetchState(FetchState{first, etag, last_modified, r.sha256, NowUtc()});
    }
  }

  // Ingests one file; the descriptor is the one its name matches (api_*.toml for bundles).
  void Ingest(const UpdateAdapter& a, const std::string& file, const std::string& release, const std::string& retrieved,
              const std::string& recorded, UpdateReport& r) {
    const Descriptor* found = MatchDescriptor(descriptors_, file);
    if (!found) {
      return Fail(r, Error{Errc::kBadDescriptor, fmt::format("no descriptor in data/descriptors matches {}",
                                                             fs::path(file).filename().string())});
    }
    Descriptor d = *found;
    bool api = fs::path(file).filename() == a.file_name;
    if (api) {
      d.source.release = release;
      d.source.retrieved = retrieved;
      if (!recorded.empty()) d.source.url = recorded;
    }
    IngestOptions io;
    io.recorded_path = recorded;
    FileReport f = IngestFile(store_, file, d, io);
    r.files.push_back(f);
    if (r.release.empty()) r.release = d.source.release;
    switch (f.status) {
      case FileReport::Status::kIngested: r.status = UpdateReport::Status::kIngested; break;
      case FileReport::Status::kUnchanged:
      case FileReport::Status::kSkipped:
        if (r.status != UpdateReport::Status::kIngested) r.status = UpdateReport::Status::kUnchanged;
        r.note = f.note;
        break;
      case FileReport::Status::kRejected: {
        Error e = f.error;
        return Fail(r, e);
      }
    }
  }

  void FromDir(const UpdateAdapter& a, UpdateReport& r) {
    std::vector<std::string> found;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(o_.from_dir, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      if (!it->is_regular_file()) continue;
      std::string name = it->path().filename().string();
      bool match = name == a.file_name;
      for (const auto& g : a.local_files) match = match || fnmatch(g.c_str(), name.c_str(), 0) == 0;
      if (match) found.push_back(it->path().string());
    }
    if (ec) return Fail(r, Error{Errc::kIo, fmt::format("cannot read {}: {}", o_.from_dir, ec.message())});
    std::sort(found.begin(), found.end());
    if (found.empty()) {
      r.status = UpdateReport::Status::kNoLocalCopy;
      r.note = fmt::format("no local copy in {} (looked for {}{}{})", o_.from_dir, a.file_name,
                           a.local_files.empty() ? "" : ", ", fmt::join(a.local_files, ", "));
      return;
    }
    r.url = found.front();
    for (const auto& file : found) {
      std::string release;
      if (fs::path(file).filename() == a.file_name && a.layout != "owid-grapher") {
        std::ifstream in(file, std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        auto api = ParseApiResponse(bytes, a.layout, true);
        if (!api) {
          Error e = api.error();
          e.file = file;
          return Fail(r, e);
        }
        r.pages += api->pages, r.records += api->records;
        release = api->last_updated;
      }
      if (release.empty()) release = FileDate(file);
      if (o_.dry_run) {
        if (Status s = CheckTextFile(file); !s) return Fail(r, s.error());
        r.status = UpdateReport::Status::kDryRun;
        r.note += fmt::format("{}would ingest {}", r.note.empty() ? "" : "; ", file);
        continue;
      }
      Ingest(a, file, release, FileDate(file), "", r);
      if (r.status == UpdateReport::Status::kFailed) return;
    }
  }

  Store& store_;
  const UpdateOptions& o_;
  const std::vector<Descriptor>& descriptors_;
  std::string today_;
};

}  // namespace

const std::vector<UpdateAdapter>& UpdateAdapters() {
  static const std::vector<UpdateAdapter> kAdapters = [] {
    std::vector<UpdateAdapter> v;
    const std::string who = "/api/{code}";
    v.push_back(Make("who-gho", "RS_198", "who-odata", who, ".json", {"RS_198.csv"}));
    v.push_back(Make("who-gho", "RS_196", "who-odata", who, ".json", {"RS_196.csv"}));
    v.push_back(Make("who-gho", "VIOLENCE_HOMICIDERATE", "who-odata", who, ".json", {}));
    v.push_back(Make("who-gho", "VIOLENCE_HOMICIDENUM", "who-odata", who, ".json", {"gho_VIOLENCE_HOMICIDENUM.csv"}));
    v.push_back(Make("world-bank", "VC.IHR.PSRC.P5", "wb-api", kWbPath, ".json", {"homicide_unodc_who.csv"}));
    v.push_back(Make("world-bank", "SP.POP.TOTL", "wb-api", kWbPath, ".json", {"wb_population_total.csv"}));
    v.push_back(Make("world-bank", "IT.NET.SECR.P6", "wb-api", kWbPath, ".json", {}));
    // Context series of WDI that the snapshot holds only through Our World in Data's copies.
    for (const char* code : {"IT.NET.USER.ZS", "NY.GDP.PCAP.PP.KD", "SP.URB.TOTL.IN.ZS", "SL.UEM.TOTL.ZS"}) {
      v.push_back(Make("world-bank", code, "wb-api", kWbPath, ".json", {}));
    }
    for (const char* d : {"PV", "RL", "GE", "RQ", "VA", "CC"}) {
      v.push_back(Make("world-bank", fmt::format("GOV_WGI_{}.EST", d), "wb-api", kWgiPath, ".json", {"WGIData.csv"}));
    }
    // WHO's road-safety laws and vehicle standards (GSRRS), the inputs of GPSI's road_laws and
    // vehicle_standards; --from reads the who.int export of each.
    for (const auto& [code, file] : std::vector<std::pair<const char*, const char*>>{
             {"RS_214", "existence_of_national_speed_limits.csv"},
             {"RS_204", "existence_of_national_drink_driving_law.csv"},
             {"RS_209", "existence_of_national_seat_belt_law.csv"},
             {"RS_213", "existence_of_a_national_child_restraint_law.csv"},
             {"RS_219", "applicability_of_national_motorcycle_helmet_law_to_all_occupants.csv"},
             {"RS_242", "vehile_standards.csv"}}) {
      v.push_back(Make("who-gho", code, "who-odata", who, ".json", {file}));
    }
    v.push_back(Make("un-sdg", "VC_IHR_PSRC", "sdg-api", kSdgPath, ".json", {}));
    const std::string owid = "/grapher/{code}.csv";
    const std::vector<std::string> gtd{"Global Terrorism Database.csv"};
    v.push_back(Make("owid", "terrorist-attacks", "owid-grapher", owid, ".csv", gtd));
    v.push_back(Make("owid", "terrorism-deaths", "owid-grapher", owid, ".csv", gtd));
    v.push_back(Make("owid", "injuries-from-terrorism", "owid-grapher", owid, ".csv", gtd));
    UpdateAdapter m49 =
        Make("unsd-m49", "GeoArea_Tree", "sdg-geoarea-tree", "/SDGAPI/v1/sdg/GeoArea/Tree", ".json", {"UNSD_m49.csv"});
    m49.name = "unsd-m49";
    v.push_back(m49);
    return v;
  }();
  return kAdapters;
}

std::string DefaultBaseUrl(const std::string& group) {
  if (group == "who-gho") return "https://ghoapi.azureedge.net";
  if (group == "world-bank") return "https://api.worldbank.org";
  if (group == "un-sdg" || group == "unsd-m49") return "https://unstats.un.org";
  if (group == "owid") return "https://ourworldindata.org";
  return "";
}

std::vector<UpdateReport> RunUpdate(Store& store, const UpdateOptions& options) {
  std::vector<UpdateReport> out;
  std::vector<Descriptor> descriptors;
  auto ds = LoadDescriptorDir(options.descriptor_dir);
  if (!ds) {
    UpdateReport r;
    r.adapter = "descriptors";
    r.error = ds.error();
    out.push_back(r);
    return out;
  }
  descriptors = std::move(*ds);
  if (!options.dry_run) RemoveStaleRawCopies(store);
  Updater u(store, options, descriptors);
  for (const auto& a : UpdateAdapters()) {
    bool selected = options.only.empty();
    for (const auto& s : options.only) selected = selected || s == a.name || s == a.group;
    if (selected) out.push_back(u.Run(a));
  }
  return out;
}

}  // namespace gpsi
