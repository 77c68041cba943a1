// Ingest of one file: pre-scan (hash, text checks, raw copy), then one transaction that maps
// every record through the descriptor into observations or quarantine.
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <utility>

#include <fmt/format.h>
#include <re2/re2.h>

#include "detail/json_table.hpp"
#include "detail/reference_files.hpp"
#include "detail/store_writer.hpp"
#include "detail/table.hpp"
#include "detail/unit_resolver.hpp"
#include "ingest.hpp"

namespace gpsi {
namespace {

namespace fs = std::filesystem;
using detail::Table;
using detail::UnitMatch;

//! The descriptor of a raw copy under its temporary name, flock-ed from its making until it is
//! renamed into place or removed: RemoveStaleRawCopies keeps a locked copy, and the kernel drops
//! the lock when the writer dies, however it dies (a pid alone can be reused, or be another
//! container's).
class CopyLock {
 public:
  CopyLock() = default;
  explicit CopyLock(int fd) : fd_(fd) {}
  CopyLock(CopyLock&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  CopyLock& operator=(CopyLock&& o) noexcept {
    std::swap(fd_, o.fd_);
    return *this;
  }
  CopyLock(const CopyLock&) = delete;
  CopyLock& operator=(const CopyLock&) = delete;
  ~CopyLock() {
    if (fd_ >= 0) ::close(fd_);
  }

 private:
  int fd_ = -1;
};

struct Prescan {
  std::string sha256, tmp_blob;
  std::int64_t bytes = 0;
  CopyLock lock;  //!< held while tmp_blob is there
};

//! A new file at `path`, already locked when its name appears: made unnamed (O_TMPFILE), locked,
//! then linked to its name, so that a scan of the blob folder never finds it unlocked and a
//! process killed before the link leaves nothing. Where the filesystem has no O_TMPFILE, made by
//! name and locked at once. The descriptor, or -1.
int NewLockedFile(const std::string& path) {
  const std::string dir = fs::path(path).parent_path().string();
  int fd = ::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
  if (fd >= 0) {
    ::flock(fd, LOCK_EX);  // a new file: nobody else holds it, so this does not wait
    const std::string self = fmt::format("/proc/self/fd/{}", fd);
    if (::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, path.c_str(), AT_SYMLINK_FOLLOW) == 0) return fd;
    ::close(fd);
  }
  fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd >= 0) ::flock(fd, LOCK_EX);
  return fd;
}

//! Makes the raw copy `tmp` (a new file), locked before it can be seen: a stream to write it, or
//! null.
std::FILE* MakeRawCopy(const std::string& tmp, CopyLock* lock) {
  const int fd = NewLockedFile(tmp);
  if (fd < 0) return nullptr;
  *lock = CopyLock(fd);
  // A second descriptor of the same open file: closing the stream keeps the lock, held by `lock`.
  const int dup = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  std::FILE* out = dup >= 0 ? ::fdopen(dup, "wb") : nullptr;
  if (!out && dup >= 0) ::close(dup);
  return out;
}

// 1-based line and character column of the character at byte `offset` in `path` (error path
// only). Bytes outside a well-formed sequence count one column each. With `sequence_start`, a
// multi-byte sequence left unfinished at `offset` is the place to point at: the validator fails on
// the byte after a Latin-1 "ô" (or at the end of the file), but the bad character is the "ô".
std::pair<std::int64_t, std::int64_t> LocateOffset(const std::string& path, std::uint64_t offset,
                                                   bool sequence_start = false) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return {0, 0};
  std::int64_t line = 1, col = 1, lead_line = 1, lead_col = 1;
  int pending = 0;  // continuation bytes the last lead byte still expects
  for (std::uint64_t i = 0; i < offset; ++i) {
    int c = std::fgetc(f);
    if (c == EOF) break;
    if (pending > 0 && (c & 0xC0) == 0x80) {
      --pending;
      continue;
    }
    pending = 0;
    lead_line = line, lead_col = col;
    if (c == '\n') {
      ++line, col = 1;
      continue;
    }
    ++col;
    if (c >= 0xC2 && c <= 0xF4) pending = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : 1;
  }
  std::fclose(f);
  if (sequence_start && pending > 0) return {lead_line, lead_col};
  return {line, col};
}

// Feeds `chunk` (at byte `chunk_offset` of the file) to `utf8`, passing over runs of ASCII while
// no multi-byte sequence is open (ASCII is valid there; data files are mostly ASCII and the
// byte-wise validator would dominate the scan). `fed` counts the bytes given to the validator,
// whose error_offset() counts only those. False on an invalid byte, at absolute `*error_at`.
bool FeedUtf8(Utf8Validator& utf8, std::uint64_t& fed, std::string_view chunk, std::uint64_t chunk_offset,
              std::uint64_t* error_at) {
  const char* p = chunk.data();
  const char* const end = p + chunk.size();
  while (p != end) {
    if (!utf8.Incomplete()) {
      for (std::uint64_t w; end - p >= 8; p += 8) {
        std::memcpy(&w, p, 8);
        if (w & 0x8080808080808080ULL) break;
      }
      while (p != end && static_cast<unsigned char>(*p) < 0x80) ++p;
      if (p == end) break;
    }
    const char* run = p;  // non-ASCII bytes, or the byte after an open sequence
    do {
      ++p;
    } while (p != end && static_cast<unsigned char>(*p) >= 0x80);
    std::string_view seg(run, static_cast<std::size_t>(p - run));
    if (!utf8.Feed(seg)) {
      *error_at = chunk_offset + static_cast<std::uint64_t>(run - chunk.data()) + (utf8.error_offset() - fed);
      return false;
    }
    fed += seg.size();
  }
  return true;
}

// Reads the file once: SHA-256, NUL bytes (binary), UTF-8 validity, and a copy of the raw bytes
// into the store's blob folder under a temporary name.
// With an empty `blob_dir` the file is only checked, not copied. A file in another character set
// (`utf8` false) is checked for UTF-8 by its conversion, when it is read.
Result<Prescan> ScanFile(const std::string& path, const std::string& blob_dir, bool utf8_check = true) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return Error{Errc::kIo, "is a directory", path};
  if (!fs::exists(path, ec)) return Error{Errc::kIo, "no such file", path};
  // A FIFO or device would block or never end: only regular files are data files.
  if (!fs::is_regular_file(path, ec)) return Error{Errc::kIo, "not a regular file", path};
  std::FILE* in = std::fopen(path.c_str(), "rb");
  if (!in) return Error{Errc::kIo, fmt::format("cannot read file: {}", std::strerror(errno)), path};
  Prescan out;
  std::FILE* blob = nullptr;
  if (!blob_dir.empty()) {
    fs::create_directories(blob_dir, ec);
    std::random_device rd;
    out.tmp_blob = fmt::format("{}/.tmp-{}-{:x}", blob_dir, ::getpid(), rd());
    blob = MakeRawCopy(out.tmp_blob, &out.lock);
    if (!blob) {
      fs::remove(out.tmp_blob, ec);
      std::fclose(in);
      return Error{Errc::kWrite, fmt::format("cannot write raw copy in {}", blob_dir), path};
    }
  }
  Sha256 sha;
  Utf8Validator utf8;
  std::uint64_t utf8_fed = 0, utf8_error = 0;
  std::vector<char> buf(1 << 20);
  std::optional<Error> error;
  std::uint64_t offset = 0;
  for (;;) {
    std::size_t n = std::fread(buf.data(), 1, buf.size(), in);
    if (n == 0) break;
    std::string_view chunk(buf.data(), n);
    if (const void* nul = std::memchr(buf.data(), 0, n)) {
      auto [line, col] =
          LocateOffset(path, offset + static_cast<std::uint64_t>(static_cast<const char*>(nul) - buf.data()));
      error = Error{Errc::kBinaryFile, "file is binary (NUL byte), not text", path, line, col};
      break;
    }
    if (utf8_check && !FeedUtf8(utf8, utf8_fed, chunk, offset, &utf8_error)) {
      auto [line, col] = LocateOffset(path, utf8_error, true);
      error = Error{Errc::kNotUtf8, "file is not valid UTF-8 (re-encode it as UTF-8)", path, line, col};
      break;
    }
    sha.Update(chunk);
    if (blob && std::fwrite(buf.data(), 1, n, blob) != n) {
      error = Error{Errc::kWrite, "cannot write raw copy (disk full?)", path};
      break;
    }
    offset += n;
  }
  bool read_error = std::ferror(in) != 0;
  std::fclose(in);
  if (blob && std::fclose(blob) != 0 && !error) error = Error{Errc::kWrite, "cannot write raw copy", path};
  if (!error && read_error) error = Error{Errc::kIo, "read error", path};
  if (!error && utf8.Incomplete()) {
    auto [line, col] = LocateOffset(path, offset, true);
    error = Error{Errc::kNotUtf8, "file ends inside a UTF-8 sequence (truncated or not UTF-8)", path, line, col};
  }
  if (!error && offset == 0) error = Error{Errc::kEmptyFile, "file is empty", path};
  if (error) {
    if (blob) fs::remove(out.tmp_blob, ec);
    return *error;
  }
  out.sha256 = sha.HexDigest();
  out.bytes = static_cast<std::int64_t>(offset);
  return out;
}

bool IsUtf8(std::string_view encoding) {
  return encoding == "utf-8" || encoding == "UTF-8" || encoding == "utf8";
}

// The table of a file in another character set: read whole (publisher files in legacy code pages
// are small) and converted to UTF-8, so fields, quarantined text and names are UTF-8 as usual.
Result<std::unique_ptr<Table>> OpenConverted(const std::string& path, const Descriptor& d) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{Errc::kIo, "cannot open file", path};
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text;
  if (!ToUtf8(ss.str(), d.encoding, text)) {
    return Error{Errc::kNotUtf8, fmt::format("file has bytes that are not {} (table.encoding)", d.encoding), path};
  }
  return Table::OpenText(std::move(text), path, d.delimiter, d.skip_lines);
}

// A selector bound to column indexes of the header.
struct BoundSelector {
  std::vector<std::pair<std::size_t, const std::vector<std::string>*>> terms;
  bool Matches(const Table& t) const {
    for (const auto& [idx, values] : terms) {
      std::string_view v = Trim(t.Field(idx));
      bool any = false;
      for (const auto& want : *values) any = any || v == want;
      if (!any) return false;
    }
    return true;
  }
};

struct BoundIndicator {
  const IndicatorMap* map = nullptr;
  std::string code;
  std::int64_t source_id = 0;
  std::optional<std::size_t> value, flag;
  BoundSelector when;
};

// A character of an indicator code: letter, digit, '_', '.' or '-' (a test per byte, where
// find_first_not_of would scan the whole set for each one).
bool IsCodeChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

std::optional<int> ParseYear(std::string_view s) {
  s = Trim(s);
  int y = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), y);
  if (ec == std::errc() && p == s.data() + s.size()) return y;
  // "2019.0" is a year; the range test comes first as casting an out-of-range double is UB ("1e10").
  if (auto d = ParseNumber(s); d && *d > -1e9 && *d < 1e9 && *d == static_cast<int>(*d)) return static_cast<int>(*d);
  return std::nullopt;
}

// How a unit column is read, for messages.
std::string_view ByWhat(std::string_view by) {
  if (by == "name") return "unit name";
  if (by == "auto") return "unit code or name";
  if (by == "code") return "unit code";
  if (by == "m49") return "M49 code";
  return by == "iso2" ? "ISO alpha-2 code" : "ISO alpha-3 code";
}

class FileIngest {
 public:
  FileIngest(Store& store, const Descriptor& d, FileReport& rep, std::int64_t source_id, std::int64_t file_id)
      : store_(store), d_(d), rep_(rep), source_id_(source_id), file_id_(file_id), units_(store) {}

  // Runs the whole file; file-level problems end it with a Failure.
  void Run(const std::string& path) {
    if (detail::IsReferenceLayout(d_.layout)) {
      auto n = detail::LoadReferenceFile(store_, d_.layout, path);
      if (!n) throw Failure(n.error());
      rep_.rows = rep_.accepted = *n;
      return;
    }
    auto t = detail::IsApiLayout(d_.layout) ? detail::OpenApiTable(path, d_.layout)
             : IsUtf8(d_.encoding)          ? Table::Open(path, d_.delimiter, d_.skip_lines)
                                            : OpenConverted(path, d_);
    if (!t) throw Failure(t.error());
    table_ = std::move(*t);
    Bind();
    writer_.emplace(store_, file_id_, /*threaded=*/true);
    // A created sub-unit is written in order with the rows that use it.
    units_.OnCreate([this](const Unit& u) { writer_->Call([u](Store& s) { s.UpsertUnit(u); }); });
    while (table_->Next()) {
      ++rep_.rows;
      const auto& rec = table_->record();
      writer_->BeginRecord(rec.raw);
      if (rec.fields.size() != table_->header().size()) {
        if (!rec.terminated && rec.fields.size() < table_->header().size()) {
          throw Failure(Error{Errc::kTruncated,
                              fmt::format("file is truncated: last record has {} of {} fields", rec.fields.size(),
                                          table_->header().size()),
                              path, rec.lines.back(), rec.columns.back()});
        }
        Quarantine(rec.fields.size() > table_->header().size() ? table_->header().size() : kRecord, "field-count",
                   fmt::format("{} fields, header has {}", rec.fields.size(), table_->header().size()));
        continue;
      }
      Row();
    }
    if (rep_.rows == 0) {
      throw Failure(Error{Errc::kEmptyFile, "file has a header but no data rows", path, table_->header_line(), 1});
    }
    detail::StoreWriter::Tally tally = writer_->Finish();
    rep_.accepted += tally.accepted;
    if (tally.duplicates > 0) rep_.skipped["duplicate"] += tally.duplicates;
    if (tally.conflicts > 0) {
      rep_.quarantined += tally.conflicts;
      rep_.reasons["duplicate-conflict"] += tally.conflicts;
    }
  }

 private:
  std::size_t Need(const std::string& column, const char* role) {
    auto idx = table_->Column(column);
    if (!idx) {
      throw Failure(Error{Errc::kMissingColumn,
                          fmt::format("header lacks column '{}' ({} in descriptor {})", column, role, d_.path),
                          table_->path(), table_->header_line(), 1});
    }
    return *idx;
  }

  //! SDMX-CSV 2.0 (docs/descriptors.md, "sdmx-csv"): STRUCTURE (or STRUCTURE[x]) and
  //! STRUCTURE_ID lead the header and ACTION may follow; the dimensions REF_AREA (the unit_column),
  //! TIME_PERIOD (the year_column) and INDICATOR and the measure OBS_VALUE are read, the attribute
  //! OBS_STATUS as the value's flags. Other components and custom columns are not read.
  void BindSdmx() {
    const auto& header = table_->header();
    if (header.size() < 2 || !IsSdmxStructureHeader(header[0]) || header[1] != "STRUCTURE_ID") {
      throw Failure(Error{Errc::kBadHeader, "SDMX-CSV: the header must begin with STRUCTURE, STRUCTURE_ID",
                          table_->path(), table_->header_line(), 1});
    }
    action_ = table_->Column("ACTION");
    canonical_indicator_ = Need("INDICATOR", "SDMX-CSV dimension");
    value_ = Need("OBS_VALUE", "SDMX-CSV measure");
    flags_col_ = table_->Column("OBS_STATUS");
  }

  //! The checks of an SDMX-CSV row before its values: a structure type, an artefact named
  //! AGENCY:ID(VERSION) (the descriptor's sdmx_artefact when it names one), and an action that
  //! adds values. A delete is refused: a correction is a new release, never an erasure.
  bool SdmxRow() {
    const std::string_view type = Trim(table_->Field(0));
    if (type != "dataflow" && type != "datastructure" && type != "dataprovision") {
      Quarantine(0, "bad-structure", fmt::format("'{}' is not dataflow, datastructure or dataprovision", type));
      return false;
    }
    const std::string_view id = Trim(table_->Field(1));
    const auto artefact = SdmxArtefactId(id);
    if (!artefact) {
      Quarantine(1, "bad-structure-id", fmt::format("'{}' is not AGENCY:ID(VERSION)", id));
      return false;
    }
    if (!d_.sdmx_artefact.empty() && *artefact != d_.sdmx_artefact) {
      Quarantine(1, "other-structure", fmt::format("{} is not data set {}", id, d_.sdmx_artefact));
      return false;
    }
    const std::string_view action = action_ ? Trim(table_->Field(*action_)) : "I";
    if (action == "D") {
      Quarantine(*action_, "delete-action", "D (delete) is not accepted: a correction is a new release");
      return false;
    }
    if (!action.empty() && action != "I" && action != "A" && action != "R") {
      Quarantine(*action_, "bad-action", fmt::format("'{}' is not an SDMX action (I, A, R or D)", action));
      return false;
    }
    return true;
  }

  BoundSelector BindSel(const Selector& sel, const char* role) {
    BoundSelector b;
    for (const auto& [col, values] : sel) b.terms.emplace_back(Need(col, role), &values);
    return b;
  }

  void Bind() {
    const auto& header = table_->header();
    filter_ = BindSel(d_.filter, "table.filter");
    aggregate_ = BindSel(d_.aggregate_when, "unit.aggregate_when");
    if (!d_.unit_column.empty()) unit_ = Need(d_.unit_column, "unit.column");
    if (!d_.unit_name_column.empty()) unit_name_ = Need(d_.unit_name_column, "unit.name_column");
    if (!d_.check_column.empty()) check_ = Need(d_.check_column, "unit.check_column");
    if (!d_.year_column.empty()) year_ = Need(d_.year_column, "year.column");
    if (d_.layout == "wide") {
      for (std::size_t i = 0; i < header.size(); ++i) {
        auto y = ParseYear(header[i]);
        if (y && header[i].size() == 4) wide_years_.emplace_back(i, *y);
      }
      if (wide_years_.empty()) {
        throw Failure(Error{Errc::kBadHeader, "wide layout: no year columns (like 1990, 1991, …) in the header",
                            table_->path(), table_->header_line(), 1});
      }
    }
    if (d_.layout == "canonical") {
      canonical_indicator_ = Need("indicator", "canonical layout");
      value_ = Need("value", "canonical layout");
      flags_col_ = table_->Column("flags");
    }
    if (d_.layout == "sdmx-csv") BindSdmx();
    if (d_.layout == "coinr-meta") {
      for (const char* c : {"iCode", "iName", "Direction", "Type"}) meta_cols_[c] = Need(c, "COINr iMeta");
      for (const char* c : {"Unit", "Parent"}) {
        if (auto i = table_->Column(c)) meta_cols_[c] = *i;
      }
    }
    if (d_.layout == "coinr-data") {
      // Every column but the unit's name and code, the time and the *_group columns is an indicator.
      for (std::size_t i = 0; i < header.size(); ++i) {
        const std::string& h = header[i];
        if (i == unit_ || (year_ && i == *year_) || h == "uName" || h == "Time") continue;
        if (h.size() > 6 && h.substr(h.size() - 6) == "_group") {
          coinr_groups_.emplace_back(i, "coinr:" + h);
          continue;
        }
        IndicatorMap& m = coinr_maps_.emplace_back();  // a deque: the address stays valid
        m.meta.code = d_.indicator_prefix + h;
        m.non_negative = false;  // COINr data may hold any real value
        BoundIndicator b;
        b.map = &m;
        b.code = m.meta.code;
        b.source_id = source_id_;
        b.value = i;
        indicators_.push_back(b);
        store_.EnsureIndicator(b.code);  // keeps names and direction from an ingested iMeta
      }
    }
    if (d_.layout == "groups") {
      for (const auto& g : d_.groups) group_cols_.emplace_back(Need(g.column, "group.column"), g.grouping);
    }
    for (const auto& m : d_.indicators) {
      BoundIndicator b;
      b.map = &m;
      b.code = d_.indicator_prefix + m.meta.code;
      std::string vcol = !m.column.empty() ? m.column : d_.value_column;
      if (d_.layout != "wide") {
        if (vcol.empty()) {
          throw Failure(Error{
              Errc::kBadDescriptor,
              fmt::format("indicator {}: no value column (indicator.column or table.value)", m.meta.code), d_.path});
        }
        b.value = Need(vcol, "indicator.column");
      }
      if (!m.flag_column.empty()) b.flag = Need(m.flag_column, "indicator.flag_column");
      b.when = BindSel(m.when, "indicator.when");
      b.source_id = m.source.empty() ? source_id_ : store_.UpsertSource(d_.sources.at(m.source));
      Indicator meta = m.meta;
      meta.code = b.code;
      store_.UpsertIndicator(meta);
      indicators_.push_back(std::move(b));
    }
    IndexSelectors();
  }

  // When every indicator's `when` tests one and the same column (a World Bank bulk file selects
  // on "Indicator Code"), indexes the indicators by the values they accept, so a row costs one
  // lookup instead of one test per indicator.
  void IndexSelectors() {
    if (indicators_.empty()) return;
    for (const auto& b : indicators_) {
      if (b.when.terms.size() != 1 || b.when.terms[0].first != indicators_[0].when.terms[0].first) return;
    }
    when_column_ = indicators_[0].when.terms[0].first;
    for (const auto& b : indicators_) {
      for (const auto& value : *b.when.terms[0].second) {
        auto& list = when_index_[value];
        if (list.empty() || list.back() != &b) list.push_back(&b);  // descriptor order, each once
      }
    }
  }

  // The indicators whose `when` selects the current row, in descriptor order.
  const std::vector<const BoundIndicator*>& Selected() {
    selected_.clear();
    if (when_column_) {
      auto it = when_index_.find(Trim(table_->Field(*when_column_)));
      return it != when_index_.end() ? it->second : selected_;
    }
    for (const auto& b : indicators_) {
      if (b.when.Matches(*table_)) selected_.push_back(&b);
    }
    return selected_;
  }

  static constexpr std::size_t kRecord = static_cast<std::size_t>(-1);

  // Quarantines the current record, located at field `field` (its own line: a quoted field before
  // it may span lines), or at the record's start for kRecord.
  void Quarantine(std::size_t field, std::string reason, std::string detail) {
    const auto& rec = table_->record();
    bool at_field = field < rec.columns.size();
    writer_->Quarantine(at_field ? rec.lines[field] : rec.line, at_field ? rec.columns[field] : 1, reason,
                        std::move(detail));
    ++rep_.quarantined;
    ++rep_.reasons[reason];
  }

  bool IsMissing(std::string_view v, const IndicatorMap* map) const {
    v = Trim(v);
    for (const auto& m : map && map->missing ? *map->missing : d_.missing) {
      if (v == m) return true;
    }
    return false;
  }

  // Resolves the row's unit; false when the row is done (skipped or quarantined).
  bool RowUnit(std::string& code) {
    std::string_view text = Trim(table_->Field(unit_));
    UnitMatch m;
    if (!text.empty() && text == last_unit_text_) {
      m.kind = UnitMatch::Kind::kUnit;
      m.code = last_unit_code_;
    } else if (!text.empty()) {
      m = units_.Resolve(text, d_.unit_by);
      if (m.kind == UnitMatch::Kind::kUnit) last_unit_text_.assign(text), last_unit_code_ = m.code;
    }
    if (m.kind == UnitMatch::Kind::kUnknown && unit_name_) {
      std::string_view name = Trim(table_->Field(*unit_name_));
      if (!name.empty()) m = units_.Resolve(name, "name");
    }
    switch (m.kind) {
      case UnitMatch::Kind::kUnit:
        code = m.code;
        if (check_) {
          // A second unit column that disagrees is a publisher defect worth counting (GTI 2023's
          // shuffled iso3c codes for 2020); the descriptor says which column is authoritative.
          UnitMatch c = units_.Resolve(Trim(table_->Field(*check_)), d_.check_by);
          if (c.kind == UnitMatch::Kind::kUnit && c.code != code) ++rep_.warnings["unit-check-mismatch"];
        }
        return true;
      case UnitMatch::Kind::kAggregate: ++rep_.skipped["aggregate"]; return false;
      case UnitMatch::Kind::kAmbiguous: {
        std::string list;
        for (const auto& c : m.candidates) list += (list.empty() ? "" : ", ") + c;
        Quarantine(unit_, "ambiguous-unit", fmt::format("'{}' could be {}", text, list));
        return false;
      }
      case UnitMatch::Kind::kUnknown:
        Quarantine(unit_, text.empty() ? "missing-unit" : "unknown-unit",
                   text.empty() ? "no unit given" : fmt::format("'{}' is not a known {}", text, ByWhat(d_.unit_by)));
        return false;
    }
    return false;
  }

  bool RowYear(int& year) {
    if (!year_) {
      year = d_.fixed_year;
      return true;
    }
    auto y = ParseYear(table_->Field(*year_));
    if (!y) {
      Quarantine(*year_, "bad-year", fmt::format("'{}' is not a year", Trim(table_->Field(*year_))));
      return false;
    }
    // The plausible range first: a year outside it is a defect of the row (quarantined, so
    // --strict rejects the file), whatever series the keep_from/keep_to filter selects.
    if (*y < d_.year_min || *y > d_.year_max) {
      Quarantine(*year_, "year-out-of-range", fmt::format("{} is outside {}–{}", *y, d_.year_min, d_.year_max));
      return false;
    }
    if (*y < d_.keep_from || *y > d_.keep_to) {
      ++rep_.skipped["filtered"];
      return false;
    }
    year = *y;
    return true;
  }

  void Value(const std::string& unit, int year, const std::string& indicator, const IndicatorMap* map,
             std::int64_t source_id, std::size_t col, std::string flags) {
    std::string_view text = table_->Field(col);
    if (IsMissing(text, map)) {
      ++rep_.skipped["missing"];
      return;
    }
    auto v = Number(text, map);
    if (!v) {
      Quarantine(col, "non-numeric",
                 fmt::format("'{}' is not a number{}", Trim(text),
                             map && !map->value_pattern.empty() ? " in the form of indicator.value_pattern" : ""));
      return;
    }
    double value = *v * (map ? map->scale : 1.0);
    if ((map == nullptr || map->non_negative) && value < 0) {
      Quarantine(col, "negative-value", fmt::format("{} is negative for a count, rate or score", Trim(text)));
      return;
    }
    Observation& o = obs_;  // reused: assigning keeps the strings' buffers
    o.unit = unit, o.year = year, o.indicator = indicator, o.value = value, o.line = table_->record().line;
    o.flags = std::move(flags);
    // Counted (or quarantined as a conflicting duplicate) by the writer, which sees the store.
    const auto& rec = table_->record();
    writer_->Observation(o, source_id, col < rec.lines.size() ? rec.lines[col] : rec.line,
                         col < rec.columns.size() ? rec.columns[col] : 1);
  }

  // The number a field holds: a value_map answer, the value_pattern's group, or the text itself,
  // without the descriptor's thousands separator.
  std::optional<double> Number(std::string_view text, const IndicatorMap* map) {
    text = Trim(text);
    if (map && !map->value_map.empty()) {
      auto it = map->value_map.find(std::string(text));
      if (it != map->value_map.end()) return it->second;
    }
    if (map && map->value_regex) {
      re2::StringPiece number;
      if (!RE2::FullMatch(re2::StringPiece(text.data(), text.size()), *map->value_regex, &number) || number.empty()) {
        return std::nullopt;
      }
      text = std::string_view(number.data(), number.size());
    }
    if (d_.thousands == 0 || text.find(d_.thousands) == std::string_view::npos) return ParseNumber(text);
    number_buf_.clear();
    for (char c : text) {
      if (c != d_.thousands) number_buf_ += c;
    }
    return ParseNumber(number_buf_);
  }

  std::string Flags(const BoundIndicator& b) const {
    std::string flags = b.map ? b.map->flags : "";
    if (b.flag) {
      std::string raw(Trim(table_->Field(*b.flag)));
      auto it = b.map->flag_map.find(raw);
      std::string f = it != b.map->flag_map.end() ? it->second : raw;
      if (!f.empty()) flags += (flags.empty() ? "" : ",") + f;
    }
    return flags;
  }

  void Row() {
    if (!filter_.Matches(*table_)) {
      ++rep_.skipped["filtered"];
      return;
    }
    if (!aggregate_.terms.empty() && aggregate_.Matches(*table_)) {
      ++rep_.skipped["aggregate"];
      return;
    }
    if (d_.layout == "coinr-meta") return MetaRow();
    if (d_.layout == "sdmx-csv" && !SdmxRow()) return;
    std::string unit;
    if (!RowUnit(unit)) return;
    if (d_.layout == "groups") {
      for (const auto& [col, name] : group_cols_) {
        std::string value(Trim(table_->Field(col)));
        if (!value.empty()) {
          writer_->Call(
              [unit, group = name, value, id = file_id_](Store& s) { s.SetUnitGroup(unit, group, value, id); });
        }
      }
      ++rep_.accepted;
      return;
    }
    if (d_.layout == "wide") {
      bool any = false;
      for (const BoundIndicator* pb : Selected()) {
        const BoundIndicator& b = *pb;
        any = true;
        for (const auto& [col, year] : wide_years_) {
          if (year < d_.year_min || year > d_.year_max || year < d_.keep_from || year > d_.keep_to) continue;
          Value(unit, year, b.code, b.map, b.source_id, col, Flags(b));
        }
      }
      if (!any) ++rep_.skipped["filtered"];
      return;
    }
    int year = 0;
    if (!RowYear(year)) return;
    for (const auto& [col, name] : coinr_groups_) {
      std::string value(Trim(table_->Field(col)));
      if (!value.empty()) {
        writer_->Call([unit, group = name, value, id = file_id_](Store& s) { s.SetUnitGroup(unit, group, value, id); });
      }
    }
    if (d_.layout == "canonical" || d_.layout == "sdmx-csv") {
      std::string code(Trim(table_->Field(canonical_indicator_)));
      bool valid = !code.empty() && code.size() <= 64 && std::all_of(code.begin(), code.end(), IsCodeChar);
      if (!valid) {
        Quarantine(canonical_indicator_, "bad-indicator", fmt::format("'{}' is not an indicator code", code));
        return;
      }
      if (code != last_indicator_ && seen_indicators_.insert(code).second) {
        writer_->Call([code](Store& s) { s.EnsureIndicator(code); });
      }
      last_indicator_ = code;
      std::string flags = flags_col_ ? std::string(Trim(table_->Field(*flags_col_))) : "";
      Value(unit, year, code, nullptr, source_id_, value_, flags);
      return;
    }
    bool any = false;
    for (const BoundIndicator* pb : Selected()) {
      const BoundIndicator& b = *pb;
      any = true;
      Value(unit, b.map && b.map->year ? b.map->year : year, b.code, b.map, b.source_id, *b.value, Flags(b));
    }
    if (!any) ++rep_.skipped["filtered"];
  }

  void MetaRow() {
    auto f = [&](const char* c) {
      auto it = meta_cols_.find(c);
      return it == meta_cols_.end() ? std::string() : std::string(Trim(table_->Field(it->second)));
    };
    std::string type = f("Type");
    if (type != "Indicator" && type != "Denominator") {
      ++rep_.skipped["filtered"];
      return;
    }
    Indicator ind;
    ind.code = d_.indicator_prefix + f("iCode");
    ind.name_en = f("iName");
    ind.unit_of_measure = f("Unit");
    ind.dimension = f("Parent");
    auto dir = ParseNumber(f("Direction"));
    ind.direction = dir && *dir < 0 ? -1 : 1;
    writer_->Call([ind](Store& s) { s.UpsertIndicator(ind); });
    ++rep_.accepted;
  }

  Store& store_;
  const Descriptor& d_;
  FileReport& rep_;
  std::int64_t source_id_, file_id_;
  detail::UnitResolver units_;
  std::unique_ptr<Table> table_;
  std::optional<detail::StoreWriter> writer_;  // after table_: stopped before the table goes
  BoundSelector filter_, aggregate_;
  std::size_t unit_ = 0;
  std::optional<std::size_t> unit_name_, check_, year_, flags_col_, action_;
  std::size_t canonical_indicator_ = 0, value_ = 0;
  std::vector<std::pair<std::size_t, int>> wide_years_;
  std::vector<BoundIndicator> indicators_;
  std::deque<IndicatorMap> coinr_maps_;
  std::vector<std::pair<std::size_t, std::string>> coinr_groups_, group_cols_;
  std::map<std::string, std::size_t> meta_cols_;
  std::set<std::string> seen_indicators_;
  // Per-row caches (rows come grouped by unit and indicator): the last unit text resolved to a
  // unit, with its code (a resolved unit stays resolved, so the answer cannot change), the last
  // canonical indicator code (already in seen_indicators_), and the observation passed to the store.
  std::string last_unit_text_, last_unit_code_, last_indicator_;
  Observation obs_;
  std::string number_buf_;
  std::optional<std::size_t> when_column_;  // see IndexSelectors()
  std::map<std::string, std::vector<const BoundIndicator*>, std::less<>> when_index_;
  std::vector<const BoundIndicator*> selected_;
};

//! Whether a process holds the raw copy `path` locked (MakeRawCopy): its writer is alive.
bool CopyLocked(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  // Shared: it conflicts with the writer's exclusive lock, and needs only read access (NFS).
  const bool locked = ::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  ::close(fd);
  return locked;
}

//! Whether the raw copy `path` (`.tmp-<pid>-<hex>`) is stale: unlocked, and its process gone, or an
//! hour old (the caller holds the store's write lock: no writer is inside a transaction).
bool StaleCopy(const fs::path& path) {
  if (CopyLocked(path)) return false;
  const long pid = std::strtol(path.filename().c_str() + 5, nullptr, 10);
  if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) == -1 && errno == ESRCH) return true;
  // A live process of that number: the copy's writer (between making and locking it, or an older
  // gpsi that does not lock), or another process that was given a dead writer's pid. An hour
  // tells them apart: a live writer's copy is out of a transaction only while it is written.
  std::error_code ec;
  const auto written = fs::last_write_time(path, ec);
  return !ec && fs::file_time_type::clock::now() - written > std::chrono::hours(1);
}

//! Removes the stale raw copies in `blob_dir` (StaleCopy); returns how many.
int RemoveCopies(const std::string& blob_dir) {
  std::error_code ec;
  int removed = 0;
  for (auto it = fs::directory_iterator(blob_dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    if (it->path().filename().string().rfind(".tmp-", 0) != 0) continue;
    std::error_code rm;
    if (StaleCopy(it->path()) && fs::remove(it->path(), rm)) ++removed;
  }
  return removed;
}

}  // namespace

Status CheckTextFile(const std::string& path) {
  auto scan = ScanFile(path, "");
  if (!scan) return scan.error();
  return Ok();
}

int RemoveStaleRawCopies(Store& store) {
  if (!store.TryBegin()) return 0;
  const int removed = RemoveCopies(store.BlobDir());
  store.Rollback();  // the transaction only held the lock: nothing was written
  return removed;
}

FileReport IngestFile(Store& store, const std::string& path, const Descriptor& d, const IngestOptions& options) {
  FileReport rep;
  rep.path = path;
  rep.descriptor = d.name;
  rep.source_key = d.source.key;
  rep.tier = d.source.tier;
  if (!d.ingest) {
    rep.status = FileReport::Status::kSkipped;
    rep.note = d.skip_reason.empty() ? "descriptor says not to ingest" : d.skip_reason;
    return rep;
  }
  auto scan = ScanFile(path, store.BlobDir(), IsUtf8(d.encoding));
  if (!scan) {
    rep.status = FileReport::Status::kRejected;
    rep.error = scan.error();
    return rep;
  }
  rep.sha256 = scan->sha256;
  std::error_code ec;
  if (auto existing = store.FindFileBySha(scan->sha256)) {
    fs::remove(scan->tmp_blob, ec);
    rep.status = FileReport::Status::kUnchanged;
    rep.note = fmt::format("already stored as {} (sha256 {})", existing->path, scan->sha256.substr(0, 12));
    rep.rows = existing->rows_read, rep.accepted = existing->rows_accepted,
    rep.quarantined = existing->rows_quarantined;
    return rep;
  }
  // Every parent row an ingest refers to is one the ingest itself resolved or wrote in the same
  // transaction (units from the resolver or created as sub-units, indicators bound from the
  // descriptor, the source and file rows just inserted), so SQLite's per-row foreign-key lookups
  // can only pass, and they cost a quarter of the ingest time (bench/RESULTS.md). They are off for
  // the ingest transaction only; the e2e tests run PRAGMA foreign_key_check on what it wrote.
  struct ForeignKeysOff {
    Store& store;
    explicit ForeignKeysOff(Store& s) : store(s) { store.SetForeignKeys(false); }
    ~ForeignKeysOff() { store.SetForeignKeys(true); }
  } fk_off(store);
  try {
    Transaction tx(store);
    // Looked up again under the write lock: another gpsi may have stored the same bytes between
    // the lookup above and this transaction (two ingests of one folder at once).
    if (auto existing = store.FindFileBySha(scan->sha256)) {
      fs::remove(scan->tmp_blob, ec);
      rep.status = FileReport::Status::kUnchanged;
      rep.note =
          fmt::format("stored meanwhile by another gpsi as {} (sha256 {})", existing->path, scan->sha256.substr(0, 12));
      rep.rows = existing->rows_read, rep.accepted = existing->rows_accepted,
      rep.quarantined = existing->rows_quarantined;
      return rep;
    }
    std::int64_t source_id = detail::IsReferenceLayout(d.layout) ? 0 : store.UpsertSource(d.source);
    FileRecord file;
    file.path = options.recorded_path.empty() ? fs::absolute(path).lexically_normal().string() : options.recorded_path;
    file.sha256 = scan->sha256;
    file.bytes = scan->bytes;
    file.source_id = source_id;
    file.descriptor = d.path;
    file.ingested_at = NowUtc();
    file.id = store.InsertFile(file);
    FileIngest(store, d, rep, source_id, file.id).Run(path);
    if (options.strict && rep.quarantined > 0) {
      auto rows = store.Quarantine(file.id);
      const QuarantineRow& q = rows.front();
      throw Failure(Error{Errc::kRejectedStrict,
                          fmt::format("--strict: {} row(s) quarantined, file rejected; first: {} ({})", rep.quarantined,
                                      q.reason, q.detail),
                          path, q.line, q.column});
    }
    file.rows_read = rep.rows, file.rows_accepted = rep.accepted, file.rows_quarantined = rep.quarantined;
    std::int64_t skipped = 0;
    for (const auto& [k, n] : rep.skipped) skipped += n;
    file.rows_skipped = skipped;
    store.UpdateFileCounts(file);
    if (options.before_commit) options.before_commit(store, file, rep);
    // The raw bytes are put in place before the commit: a crash in between leaves an unreferenced
    // blob (harmless, content-addressed), never a stored file without its bytes.
    fs::path final_blob = fs::path(store.BlobDir()) / scan->sha256.substr(0, 2) / scan->sha256;
    fs::create_directories(final_blob.parent_path(), ec);
    fs::rename(scan->tmp_blob, final_blob, ec);
    if (ec) throw Failure(Error{Errc::kIo, fmt::format("cannot keep raw copy: {}", ec.message()), path});
    tx.Commit();
    rep.status = FileReport::Status::kIngested;
  } catch (const Failure& f) {
    fs::remove(scan->tmp_blob, ec);
    rep.status = FileReport::Status::kRejected;
    rep.error = f.error();
    if (rep.error.file.empty()) rep.error.file = path;
    rep.accepted = 0;
  }
  return rep;
}

}  // namespace gpsi
