// gpsi ingest: source descriptors, the country reference, and streaming ingestion of data
// files into the store with provenance and quarantine.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core.hpp"

namespace re2 {
class RE2;
}
#include "model.hpp"
#include "store.hpp"

namespace gpsi {

//! A row selector: keep a row when the named column holds one of the values.
using Selector = std::vector<std::pair<std::string, std::vector<std::string>>>;

//! How one indicator is read from a file (see docs/descriptors.md).
struct IndicatorMap {
  Indicator meta;
  std::string column;       //!< value column (long, owid); defaults to the table's value column
  Selector when;            //!< rows that carry this indicator (gho, wide, long with a code column)
  std::string flags;        //!< publisher flags set on every value, e.g. "modelled"
  std::string flag_column;  //!< column whose text becomes a flag (through flag_map when given)
  std::map<std::string, std::string> flag_map;
  bool non_negative = true;                         //!< a negative value is quarantined (counts, rates, scores)
  double scale = 1.0;                               //!< multiplies every value (e.g. 1000 for "thousands")
  std::string source;                               //!< name of a [sources.NAME] table when not the file's [source]
  std::optional<std::vector<std::string>> missing;  //!< overrides table.missing (e.g. NCSI's 0 = not assessed)
  //! Text answers read as numbers ("Yes" = 1, "Fully funded" = 2); other text is parsed as a number.
  std::map<std::string, double> value_map;
  //! A regular expression (RE2 syntax) whose first group is the number, for numbers written
  //! inside text ("<= 0.05 g/dl"); a value it does not match is quarantined as non-numeric.
  std::string value_pattern;
  std::shared_ptr<const re2::RE2> value_regex;  //!< value_pattern compiled
  //! The data year of this indicator's values when it is not the file's (a table of one year
  //! holding several publishers' editions, e.g. GI-TOC 2023 beside Numbeo 2024); 0 = the row's year.
  int year = 0;
};

//! A unit grouping read from a reference table, e.g. World Bank income group.
struct GroupMap {
  std::string grouping, column;
};

//! A source descriptor: which files it matches, the source they come from, and how their
//! columns map to unit, year, indicators and values. TOML; documented in docs/descriptors.md.
struct Descriptor {
  std::string path, name;
  Source source;
  std::map<std::string, Source> sources;  //!< further publishers in one file, by name ([sources.NAME])
  std::vector<std::string> match_files;   //!< file-name globs
  std::string match_folder;               //!< parent-folder glob, optional
  bool ingest = true;                     //!< false: matched but deliberately skipped
  std::string skip_reason;
  std::string layout = "long";  //!< long | wide | gho | owid | canonical | sdmx-csv | coinr-data |
                                //!< coinr-meta | groups | reference-m49 | reference-country-codes
  char delimiter = ',';
  int skip_lines = 0;
  std::string encoding = "utf-8";  //!< table.encoding: the file's character set (ICU name), read as UTF-8
  char thousands = 0;              //!< table.thousands: a thousands separator removed from numbers (0 = none)
  std::vector<std::string> missing{"", "..", "...", "NA", "N/A", "n/a", "NaN", "-"};
  std::string unit_column, unit_by = "iso3", unit_name_column;
  std::string check_column, check_by = "iso3";  //!< a second unit column that should agree (warned when not)
  Selector aggregate_when;                      //!< rows that are aggregates (e.g. GHO SpatialDimType REGION)
  std::string year_column;
  int fixed_year = 0;
  int year_min = 1900, year_max = 2100;  //!< outside: quarantined (year-out-of-range)
  int keep_from = 0, keep_to = 9999;     //!< outside: filtered (rows of another series)
  std::string value_column;
  Selector filter;  //!< rows to keep (others are counted as filtered)
  std::vector<IndicatorMap> indicators;
  std::vector<GroupMap> groups;
  std::string indicator_prefix;
  int order = 10;  //!< files are ingested by ascending order (reference and metadata first)
  //! sdmx-csv: the artefact id every row's STRUCTURE_ID must name (a member's data set; empty: any).
  std::string sdmx_artefact;
};

//! Parses a descriptor file; errors carry file:line:column.
Result<Descriptor> LoadDescriptor(const std::string& path);
//! Parses a descriptor from text (for tests and the fuzz target).
Result<Descriptor> ParseDescriptor(std::string_view text, const std::string& path);
//! Loads every *.toml under `dir`, sorted by name.
Result<std::vector<Descriptor>> LoadDescriptorDir(const std::string& dir);
//! The first descriptor matching `file` by name and folder, or nullptr.
const Descriptor* MatchDescriptor(const std::vector<Descriptor>& descriptors, const std::string& file);
//! The descriptor used for a canonical long CSV (`unit,year,indicator,value`) that no descriptor
//! matches: tier 4, publisher "unattributed", keyed by file name.
Descriptor CanonicalDescriptor(const std::string& file);
//! The built-in descriptor of a file that says what it holds by its header: canonical CSV
//! (`unit,year,indicator,value…`) or SDMX-CSV 2.0 (first field STRUCTURE or STRUCTURE[x], the
//! message's separator the character after it); nullopt for any other file.
std::optional<Descriptor> SelfDescribing(const std::string& file);
//! Whether `field` is SDMX-CSV 2.0's first header field: STRUCTURE, or STRUCTURE[x] naming the
//! sub-field separator x.
bool IsSdmxStructureHeader(std::string_view field);
//! The artefact id of an SDMX structure reference AGENCY:ID(VERSION) ("GPSCF:CRIME(1.0)" → "CRIME"),
//! or nullopt when `ref` is not one.
std::optional<std::string> SdmxArtefactId(std::string_view ref);

//! Where `gpsi init` finds reference data.
struct ReferenceConfig {
  std::string iso_json = "/usr/share/iso-codes/json";
  std::string iso_locale = "/usr/share/locale";
  std::string data_dir;      //!< folder holding reference_unsd_m49/ and reference_country_codes/ (optional)
  std::string project_data;  //!< gpsi's own data/ (aliases.csv, aggregates.csv, extra_units.csv)
};

//! Loads ISO 3166-1/-3 units with English and Chinese names from Debian's iso-codes, UN M49
//! regions from the data folder, and gpsi's alias and aggregate lists. Idempotent.
Result<ReferenceReport> LoadReference(Store& store, const ReferenceConfig& config);

//! Options of one ingest run.
struct IngestOptions {
  bool strict = false;
  std::string recorded_path;  //!< path stored in `files` (default: the file's absolute path; update: the URL)
  //! Runs inside the ingest's transaction once the rows are stored, before the commit (a member's
  //! submission is recorded with its rows this way); a Failure it throws rejects the file, and
  //! nothing is stored.
  std::function<void(Store&, const FileRecord&, const FileReport&)> before_commit;
};

//! Checks that `path` is a readable, non-empty, UTF-8 text file (the pre-scan of IngestFile).
Status CheckTextFile(const std::string& path);

//! Reads a small delimited file whole (header + rows, fields trimmed, short rows padded); a row
//! longer than the header, an unnamed or repeated header column is an error at its location.
Result<TextTable> ReadTextTable(const std::string& path, char delimiter = ',');

//! Removes the raw copies that killed writers left in the store's blob folder, holding the store's
//! write lock, so that no writer is inside a transaction (where events keeps its copies, unlocked,
//! until its commit): as above, and also copies an hour old whose number names a live process (a
//! reused pid, or one of another container). Returns how many; when another writer holds the lock
//! nothing is removed, for a later write to do.
int RemoveStaleRawCopies(Store& store);

//! Ingests one file with the given descriptor in one transaction: either every accepted row and
//! quarantined row is stored with the file, or (error, or --strict with quarantined rows) nothing.
FileReport IngestFile(Store& store, const std::string& path, const Descriptor& descriptor,
                      const IngestOptions& options);

// ---- event data (gpsi events): GDELT 2.0 exports into country-period counts -------------------

//! Options of one `gpsi events` run.
struct EventsOptions {
  std::vector<std::string> paths;  //!< GDELT 2.0 event exports, plain or gzip (by magic bytes)
  bool monthly = false;            //!< store codes suffixed _m01…_m12 instead of yearly values
};

//! Aggregates GDELT 2.0 event exports by action country (FIPS 10-4 → unit through the "#FIPS:"
//! names `gpsi init` loads) and period into gdelt_events_total, gdelt_violent_events (root codes
//! 18–20) and gdelt_goldstein_conflict (Σ −GoldsteinScale, QuadClass 4); tier 4. Keeps each valid
//! event with a valid ActionGeo place as an EventPoint (table event_points; the first line stored
//! for an event id wins). One transaction: input files, their quarantined lines, the points, a
//! manifest file and the values — or, on any file-level error, nothing. A run found unchanged
//! commits only the points of its files that the store lacked (those of runs before schema 10).
//! See docs/events.md.
Result<EventsReport> IngestEvents(Store& store, const EventsOptions& options);

//! CSV text `unit,period,indicator,value` of the values (period 2019, or 2019-10 in monthly mode).
std::string EventsCsv(const EventsReport& report);

// ---- official endpoints (gpsi update): fetch, archive and ingest publishers' releases -----------

//! One official endpoint: a publisher's series and how to fetch and read it.
struct UpdateAdapter {
  std::string name;       //!< e.g. "who-gho:RS_198"
  std::string group;      //!< who-gho | world-bank | un-sdg | owid | unsd-m49 (one base URL each)
  std::string layout;     //!< who-odata | wb-api | sdg-api | owid-grapher | reference-m49
  std::string path;       //!< URL path after the base, with {page} for paginated APIs; empty = no endpoint
  std::string file_name;  //!< name of the response bundle (also what `--from` looks for)
  std::vector<std::string> local_files;  //!< publisher exports `--from` also accepts (file-name globs)
};

//! The adapters `gpsi update` knows, in run order.
const std::vector<UpdateAdapter>& UpdateAdapters();
//! Default base URL of an adapter group ("https://ghoapi.azureedge.net" for who-gho).
std::string DefaultBaseUrl(const std::string& group);

//! Fetches (or with from_dir reads) every selected adapter's release, validates all of it, and
//! ingests each source as one file in one transaction; a failed source stores nothing.
std::vector<UpdateReport> RunUpdate(Store& store, const UpdateOptions& options);

//! A publisher API response (one page or a gpsi page bundle) flattened to CSV text.
struct ApiTable {
  std::string csv;           //!< header + one record per data row; nested keys joined with '.'
  int pages = 0;             //!< pages present
  int pages_declared = 0;    //!< pages the publisher says exist (`pages`, `totalPages`; 1 for OData)
  std::int64_t records = 0;  //!< data rows
  std::string last_updated;  //!< publisher's release date when the response states it (YYYY-MM-DD)
  std::string next_link;     //!< who-odata: the last page's "@odata.nextLink" (empty: no further page)
};

//! Parses a response of layout who-odata, wb-api or sdg-api; a bundle must hold pages 1…N of N.
//! Malformed or incomplete input is kBadResponse with the place it failed.
Result<ApiTable> ParseApiResponse(std::string_view bytes, std::string_view layout, bool require_complete = true);

}  // namespace gpsi
