// The GDELT 2.0 event-line scanner behind `gpsi events`: splits the tab-separated lines of an
// export, validates the columns it uses and sums events by (FIPS country, year, month).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace gpsi::detail {

//! Fields per line and 0-based indexes of the columns used (GDELT Event Codebook V2.0, as listed
//! in ../shared/data/events_gdelt_sample/gdelt_v2_event_columns.csv, which is 1-based).
inline constexpr int kGdeltFields = 61;
inline constexpr int kGdeltSqlDate = 1, kGdeltEventRootCode = 28, kGdeltQuadClass = 29, kGdeltGoldstein = 30,
                     kGdeltActionCountry = 53;
//! The further columns an event's point reads (EventScanner::OnPoint).
inline constexpr int kGdeltEventId = 0, kGdeltNumMentions = 31, kGdeltActionAdm1 = 54, kGdeltActionLat = 56,
                     kGdeltActionLong = 57;
//! Longest GLOBALEVENTID (digits) and ActionGeo_ADM1Code (letters and digits) a point keeps.
inline constexpr std::size_t kMaxEventIdDigits = 20, kMaxAdm1Chars = 32;
//! A longer line is quarantined (line-too-long); it bounds the bytes kept across reads.
inline constexpr std::size_t kMaxEventLine = 1 << 20;
//! Bytes of a quarantined line kept in the quarantine table.
inline constexpr std::size_t kMaxRawBytes = 1000;

//! Sums of one (country, month) cell.
struct EventCell {
  std::int64_t events = 0;   //!< every valid event
  std::int64_t violent = 0;  //!< EventRootCode 18, 19 or 20
  //! Σ −GoldsteinScale over QuadClass 4 events, in millionths: exact for GDELT's one-decimal values.
  std::int64_t conflict_micro = 0;
  double conflict_other = 0;  //!< the same sum for values not written as a plain decimal (e.g. 1e0)
  //! Σ −GoldsteinScale over QuadClass 4 events.
  double Conflict() const { return static_cast<double>(conflict_micro) / 1e6 + conflict_other; }
};

//! Key of a cell: FIPS code index (two characters of [A-Z0-9]) and month since year 0.
inline std::uint32_t EventKey(int fips_index, int year, int month) {
  return static_cast<std::uint32_t>(fips_index) << 16 | static_cast<std::uint32_t>(year * 12 + month - 1);
}
//! The FIPS code of a key ("US").
std::string EventKeyFips(std::uint32_t key);
inline int EventKeyYear(std::uint32_t key) {
  return static_cast<int>(key & 0xFFFF) / 12;
}
inline int EventKeyMonth(std::uint32_t key) {
  return static_cast<int>(key & 0xFFFF) % 12 + 1;
}

//! A quarantined line.
struct EventReject {
  std::int64_t line = 0;    //!< 1-based line of the (decompressed) stream
  std::int64_t column = 0;  //!< 1-based byte column of the bad field
  std::string reason;       //!< field-count, bad-utf8, bad-date, bad-root-code, bad-quad-class,
                            //!< bad-goldstein, bad-country, line-too-long
  std::string detail;
  std::string raw;  //!< the line, cut to kMaxRawBytes, invalid UTF-8 and NUL bytes shown as '?'
};

//! A valid event with a valid ActionGeo place, as the scanner hands it to OnPoint's function. The
//! text views point into the line and are valid only during that call.
struct ScannedPoint {
  std::int64_t line = 0;  //!< 1-based line of the (decompressed) stream
  int day = 0;            //!< SQLDATE as days since 1970-01-01
  double lat = 0, lon = 0, goldstein = 0;
  std::int64_t mentions = 0;
  int root_code = 0, quad_class = 0;
  std::string_view event_id, adm1, country_fips;
};

//! Days since 1970-01-01 of a date of the proleptic Gregorian calendar.
int DaysSinceEpoch(int year, int month, int day);

//! Counts of one stream.
struct EventCounts {
  std::int64_t lines = 0;        //!< physical lines, blank ones included
  std::int64_t blank = 0;        //!< empty lines (skipped)
  std::int64_t events = 0;       //!< valid event lines, with or without a country
  std::int64_t no_country = 0;   //!< valid events with an empty ActionGeo_CountryCode
  std::int64_t quarantined = 0;  //!< lines rejected (see EventReject::reason)
  std::map<std::string, std::int64_t> reasons;
  int max_sqldate = 0;  //!< latest SQLDATE (YYYYMMDD) of a valid event, 0 when none
  // Counted only when the scanner hands out points (OnPoint):
  std::int64_t points = 0;      //!< valid events handed out as points
  std::int64_t bad_points = 0;  //!< valid events with a place given that makes no point (OnPoint)
};

//! Streaming scanner of GDELT 2.0 event lines. Memory is constant: cells (countries × months)
//! and at most one line of kMaxEventLine bytes kept between Feed calls.
//!
//! Hand-written rather than built on a CSV library: the `gpsi events` target is ≥ 1 GB/s on one
//! core, and no Debian CSV parser comes near that (they materialise every field of every line).
//! This one classifies 64 bytes at a time (SSE2 or, where the CPU has it, AVX2 compares to bit
//! masks of tabs, newlines and non-ASCII bytes), records tab positions from the masks, and
//! touches only the five fields it needs. UTF-8 is fully validated only for lines holding a
//! non-ASCII byte (the mask says which), so ASCII lines — nearly all of GDELT — cost nothing
//! extra and every line is still checked.
class EventScanner {
 public:
  using RejectFn = std::function<void(EventReject&&)>;
  using PointFn = std::function<void(const ScannedPoint&)>;
  //! How 64 bytes are classified: with the widest compares the CPU has, or with the SSE2 baseline
  //! every x86-64 has (tests check that both give the same results).
  enum class Simd { kBest, kBaseline };
  explicit EventScanner(RejectFn on_reject, Simd simd = Simd::kBest);

  //! Hands every valid event whose ActionGeo place is valid to `on_point` (call before the first
  //! Feed). A place is valid when ActionGeo_Lat and ActionGeo_Long are both numbers, the latitude in
  //! [−90, 90] and the longitude in [−180, 180], GLOBALEVENTID is 1–20 digits, NumMentions a whole
  //! number ≥ 0 and ActionGeo_ADM1Code empty or up to 32 letters and digits. An event with neither
  //! coordinate has no place; one with a place that is not valid is counted in bad_points. Either
  //! way the event itself is valid and counted as any other.
  void OnPoint(PointFn on_point);
  //! Scans the next bytes of the stream; lines may be split anywhere between calls.
  void Feed(std::string_view bytes);
  //! Ends the stream: a last line without a newline is scanned.
  void Finish();

  const EventCounts& counts() const { return counts_; }
  //! Cells keyed by EventKey.
  std::unordered_map<std::uint32_t, EventCell> cells() const;

 private:
  template <class Classify>
  void ScanWith(const char* p, const char* end);
  void ScanSse2(const char* p, const char* end);
  void ScanAvx2(const char* p, const char* end);
  //! ScanAvx2 where the CPU has AVX2, else ScanSse2 (the baseline x86-64 build runs anywhere).
  static void (EventScanner::*PickScan())(const char*, const char*);
  void CarriedLine();
  void Line(const char* s, const char* e, int ntabs, bool non_ascii);
  void Reject(const char* s, const char* e, std::int64_t column, const char* reason, std::string detail);
  //! The point of the valid event on the line whose field i is `field(i)`, if its place is valid.
  template <class Field>
  void Point(const Field& field, int year, int month, int day, int root_code, int quad_class, double goldstein);
  EventCell& Cell(std::uint32_t key);
  void Grow();

  RejectFn on_reject_;
  PointFn on_point_;
  void (EventScanner::*scan_)(const char*, const char*);
  std::uint64_t needed_tabs_;  // tabs (by index in the line) bounding the fields in use
  EventCounts counts_;
  // Open addressing with linear probing and a multiplicative hash: std::unordered_map's modulo by
  // a prime cost a fifth of the scan when consecutive events fall in different cells.
  struct Slot {
    std::uint32_t key = kEmpty;
    EventCell cell;
  };
  static constexpr std::uint32_t kEmpty = 0xFFFFFFFF;
  std::vector<Slot> slots_ = std::vector<Slot>(1024);
  int shift_ = 64 - 10;  // 64 − log2(slots_.size())
  std::size_t used_ = 0;
  std::uint32_t last_key_ = kEmpty;
  EventCell* last_cell_ = nullptr;
  const char* tabs_[64] = {};
  std::string carry_;        // the start of a line that continues in the next Feed
  bool carrying_ = false;    // a line is open (carry_ may be empty when it began at a chunk end)
  bool carry_long_ = false;  // the open line exceeded kMaxEventLine: its bytes are dropped
  std::int64_t carry_len_ = 0;
};

}  // namespace gpsi::detail
