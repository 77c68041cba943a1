// Unit tests of the GDELT event scanner (detail::EventScanner) and of IngestEvents over a store
// initialised with the shared reference. Expected values are counted by hand from the lines each
// test writes; FIPS expectations are the FIPS 10-4 standard (AS Australia, AU Austria, …).
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <zlib.h>

#include <csignal>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "detail/events_scan.hpp"
#include "init_store.hpp"
#include "store.hpp"
#include "test_util.hpp"

namespace gpsi {
namespace {

using detail::EventReject;
using detail::EventScanner;
using test::TempDir;
using test::WriteFile;

//! One 61-field GDELT line; fields not given are GDELT-like defaults.
std::string EventLine(std::map<int, std::string> set = {}) {
  std::vector<std::string> f(61);
  f[0] = "881990832", f[1] = "20191024", f[2] = "201910", f[3] = "2019", f[4] = "2019.8055";
  f[26] = "040", f[27] = "040", f[28] = "04", f[29] = "1", f[30] = "1.0", f[53] = "US";
  f[59] = "20191024143000", f[60] = "https://example.org/news";
  for (auto& [i, v] : set) f[static_cast<std::size_t>(i)] = v;
  std::string line;
  for (std::size_t i = 0; i < f.size(); ++i) line += (i ? "\t" : "") + f[i];
  return line;
}

// 0-based columns, from gdelt_v2_event_columns.csv (1-based there).
constexpr int kDate = 1, kRoot = 28, kQuad = 29, kGold = 30, kCountry = 53;
constexpr int kId = 0, kMentions = 31, kAdm1 = 54, kLat = 56, kLong = 57;

//! A GDELT line with an ActionGeo place (Vancouver, as line 1 of the sample).
std::string PlacedLine(std::map<int, std::string> set = {}) {
  std::map<int, std::string> place{{kMentions, "3"}, {kAdm1, "CA02"}, {kLat, "49.25"}, {kLong, "-123.133"}};
  for (auto& [i, v] : set) place[i] = v;
  return EventLine(place);
}

struct Scan {
  detail::EventCounts counts;
  std::map<std::string, detail::EventCell> cells;  // "US 2019-10"
  std::vector<EventReject> rejects;
};

std::string CellName(std::uint32_t key) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s %04d-%02d", detail::EventKeyFips(key).c_str(), detail::EventKeyYear(key),
                detail::EventKeyMonth(key));
  return buf;
}

//! A ScannedPoint with its text copied.
struct PointSeen {
  std::int64_t line = 0;
  int day = 0, root_code = 0, quad_class = 0;
  double lat = 0, lon = 0, goldstein = 0;
  std::int64_t mentions = 0;
  std::string event_id, adm1, country_fips;
  bool operator==(const PointSeen&) const = default;
};

//! Scans `text` fed in pieces of `piece` bytes (0: whole); with `points`, the points too.
Scan ScanText(const std::string& text, std::size_t piece = 0, EventScanner::Simd simd = EventScanner::Simd::kBest,
              std::vector<PointSeen>* points = nullptr) {
  Scan s;
  EventScanner scanner([&s](EventReject&& r) { s.rejects.push_back(std::move(r)); }, simd);
  if (points) {
    scanner.OnPoint([points](const detail::ScannedPoint& p) {
      points->push_back(PointSeen{p.line, p.day, p.root_code, p.quad_class, p.lat, p.lon, p.goldstein, p.mentions,
                                  std::string(p.event_id), std::string(p.adm1), std::string(p.country_fips)});
    });
  }
  if (piece == 0) piece = text.size() + 1;
  for (std::size_t i = 0; i < text.size(); i += piece) scanner.Feed(std::string_view(text).substr(i, piece));
  scanner.Finish();
  s.counts = scanner.counts();
  for (const auto& [k, c] : scanner.cells()) s.cells[CellName(k)] = c;
  return s;
}

//! Expects `got` to equal `want` in every count, cell and quarantined line.
void ExpectSameScan(Scan got, const Scan& want) {
  EXPECT_EQ(got.counts.lines, want.counts.lines);
  EXPECT_EQ(got.counts.blank, want.counts.blank);
  EXPECT_EQ(got.counts.events, want.counts.events);
  EXPECT_EQ(got.counts.no_country, want.counts.no_country);
  EXPECT_EQ(got.counts.quarantined, want.counts.quarantined);
  EXPECT_EQ(got.counts.reasons, want.counts.reasons);
  EXPECT_EQ(got.counts.max_sqldate, want.counts.max_sqldate);
  ASSERT_EQ(got.cells.size(), want.cells.size());
  for (auto& [k, c] : want.cells) {
    EXPECT_EQ(got.cells[k].events, c.events) << k;
    EXPECT_EQ(got.cells[k].violent, c.violent) << k;
    EXPECT_EQ(got.cells[k].conflict_micro, c.conflict_micro) << k;
  }
  ASSERT_EQ(got.rejects.size(), want.rejects.size());
  for (std::size_t i = 0; i < got.rejects.size(); ++i) {
    EXPECT_EQ(got.rejects[i].line, want.rejects[i].line) << i;
    EXPECT_EQ(got.rejects[i].column, want.rejects[i].column) << i;
    EXPECT_EQ(got.rejects[i].reason, want.rejects[i].reason) << i;
    EXPECT_EQ(got.rejects[i].raw, want.rejects[i].raw) << i;
  }
}

TEST(EventScanner, ColumnIndexesMatchTheCodebookList) {
  std::ifstream in(test::Data("events_gdelt_sample/gdelt_v2_event_columns.csv"));
  std::map<std::string, int> pos;
  std::string line;
  while (std::getline(in, line)) {
    auto comma = line.find(',');
    if (comma != std::string::npos && line.substr(0, comma) != "position") {
      pos[line.substr(comma + 1)] = std::stoi(line.substr(0, comma)) - 1;
    }
  }
  EXPECT_EQ(pos.size(), 61u);
  EXPECT_EQ(pos["SQLDATE"], detail::kGdeltSqlDate);
  EXPECT_EQ(pos["EventRootCode"], detail::kGdeltEventRootCode);
  EXPECT_EQ(pos["QuadClass"], detail::kGdeltQuadClass);
  EXPECT_EQ(pos["GoldsteinScale"], detail::kGdeltGoldstein);
  EXPECT_EQ(pos["ActionGeo_CountryCode"], detail::kGdeltActionCountry);
  EXPECT_EQ(pos["GLOBALEVENTID"], detail::kGdeltEventId);
  EXPECT_EQ(pos["NumMentions"], detail::kGdeltNumMentions);
  EXPECT_EQ(pos["ActionGeo_ADM1Code"], detail::kGdeltActionAdm1);
  EXPECT_EQ(pos["ActionGeo_Lat"], detail::kGdeltActionLat);
  EXPECT_EQ(pos["ActionGeo_Long"], detail::kGdeltActionLong);
}

TEST(EventScanner, RootCodes18To20AreViolent) {
  std::string text;
  for (const char* root : {"17", "18", "19", "20", "01"}) text += EventLine({{kRoot, root}}) + "\n";
  Scan s = ScanText(text);
  EXPECT_EQ(s.counts.events, 5);
  ASSERT_EQ(s.cells.count("US 2019-10"), 1u);
  EXPECT_EQ(s.cells["US 2019-10"].events, 5);
  EXPECT_EQ(s.cells["US 2019-10"].violent, 3);
}

TEST(EventScanner, GoldsteinConflictIsMinusSumOverQuadClass4) {
  std::string text = EventLine({{kQuad, "4"}, {kGold, "-7.0"}}) + "\n" + EventLine({{kQuad, "4"}, {kGold, "-2.5"}}) +
                     "\n" + EventLine({{kQuad, "3"}, {kGold, "-5.0"}}) + "\n" +
                     EventLine({{kQuad, "4"}, {kGold, "1"}}) + "\n" + EventLine({{kQuad, "4"}, {kGold, "-1e0"}}) + "\n";
  Scan s = ScanText(text);
  // −(−7.0 − 2.5 + 1 − 1) = 9.5; the QuadClass 3 event does not count.
  EXPECT_DOUBLE_EQ(s.cells["US 2019-10"].Conflict(), 9.5);
  EXPECT_EQ(s.counts.quarantined, 0);
}

TEST(EventScanner, MissingCountryIsCountedNotDropped) {
  Scan s = ScanText(EventLine({{kCountry, ""}}) + "\n" + EventLine() + "\n");
  EXPECT_EQ(s.counts.events, 2);
  EXPECT_EQ(s.counts.no_country, 1);
  EXPECT_EQ(s.cells["US 2019-10"].events, 1);
  EXPECT_EQ(s.cells.size(), 1u);
}

TEST(EventScanner, CorruptLinesAreQuarantinedWithLineNumbersAndTheStreamContinues) {
  std::string short_line = EventLine();
  short_line.erase(short_line.rfind('\t'));                                   // 60 fields
  std::string text = EventLine() + "\n" +                                     // 1 ok
                     short_line + "\n" +                                      // 2 field-count
                     EventLine({{kDate, "20191324"}}) + "\n" +                // 3 bad-date (month 13)
                     EventLine({{6, "Caf\xC3"}, {7, "X"}}) + "\n" +           // 4 bad-utf8 (cut sequence)
                     EventLine({{kGold, "-7.0x"}}) + "\n" +                   // 5 bad-goldstein
                     EventLine({{kQuad, "5"}}) + "\n" +                       // 6 bad-quad-class
                     EventLine({{kRoot, "21"}}) + "\n" +                      // 7 bad-root-code
                     EventLine({{kCountry, "u$"}}) + "\n" +                   // 8 bad-country
                     EventLine({{kDate, "20190229"}}) + "\n" +                // 9 bad-date (2019 not leap)
                     EventLine({{6, "Kraków"}, {kDate, "20200229"}}) + "\n";  // 10 ok: UTF-8, leap day
  Scan s = ScanText(text);
  ASSERT_EQ(s.rejects.size(), 8u);
  std::vector<std::pair<std::int64_t, std::string>> got;
  for (const auto& r : s.rejects) got.emplace_back(r.line, r.reason);
  std::vector<std::pair<std::int64_t, std::string>> want{
      {2, "field-count"},    {3, "bad-date"},      {4, "bad-utf8"},    {5, "bad-goldstein"},
      {6, "bad-quad-class"}, {7, "bad-root-code"}, {8, "bad-country"}, {9, "bad-date"}};
  EXPECT_EQ(got, want);
  EXPECT_EQ(s.counts.lines, 10);
  EXPECT_EQ(s.counts.events, 2);
  EXPECT_EQ(s.counts.quarantined, 8);
  EXPECT_EQ(s.cells["US 2019-10"].events, 1);
  EXPECT_EQ(s.cells["US 2020-02"].events, 1);
  // The column points at the field: SQLDATE starts after "881990832\t" (10 bytes).
  EXPECT_EQ(s.rejects[1].column, 11);
  // The raw text is kept, as valid UTF-8 ('?' for the bad byte).
  EXPECT_NE(s.rejects[2].raw.find("Caf?"), std::string::npos);
}

TEST(EventScanner, ResultsDoNotDependOnHowTheStreamIsSplit) {
  std::string text;
  for (int i = 0; i < 40; ++i) {
    text += EventLine({{kCountry, i % 3 ? "UK" : "GM"},
                       {kRoot, i % 5 ? "18" : "03"},
                       {kQuad, "4"},
                       {kGold, fmt::format("-{}.5", i % 10)},
                       {6, i % 7 ? "" : "Zürich"}}) +
            "\n";
    if (i % 9 == 0) text += "garbage line\n";
  }
  text += EventLine();  // no final newline
  Scan whole = ScanText(text);
  // 40 events, garbage after i = 0, 9, 18, 27, 36, and the last event.
  EXPECT_EQ(whole.counts.lines, 46);
  EXPECT_EQ(whole.counts.events, 41);
  EXPECT_EQ(whole.counts.quarantined, 5);
  for (std::size_t piece : {1, 2, 3, 7, 63, 64, 65, 500, 4096}) {
    SCOPED_TRACE(piece);
    ExpectSameScan(ScanText(text, piece), whole);
  }
}

// The AVX2 classifier (picked on CPUs that have it, as the CI machine's) and the SSE2 baseline
// must agree on everything: counts, cells and each quarantined line.
TEST(EventScanner, BaselineAndBestInstructionSetsAgree) {
  std::string text;
  for (int i = 0; i < 300; ++i) {
    text += EventLine({{kCountry, i % 4 ? (i % 3 ? "UK" : "GM") : ""},
                       {kRoot, i % 5 ? "18" : "03"},
                       {kQuad, i % 2 ? "4" : "1"},
                       {kGold, fmt::format("-{}.25", i % 10)},
                       {kDate, i % 50 == 7 ? "20191399" : fmt::format("2019102{}", i % 8)},
                       {6, i % 7 ? std::string(static_cast<std::size_t>(i % 70), 'a') : "Zürich"},
                       {20, i % 11 ? "" : "bad \xff byte"}}) +
            (i % 13 ? "\n" : "\r\n");
    if (i % 9 == 0) text += "garbage\tline\n\n";
    if (i % 17 == 0) text += EventLine() + "\textra\n";  // 62 fields
  }
  for (std::size_t piece : {0, 7, 64, 65, 4096}) {
    SCOPED_TRACE(piece);
    Scan baseline = ScanText(text, piece, EventScanner::Simd::kBaseline);
    EXPECT_EQ(baseline.counts.reasons.size(), 3u);  // field-count, bad-date, bad-utf8
    ExpectSameScan(ScanText(text, piece, EventScanner::Simd::kBest), baseline);
  }
}

TEST(EventScanner, CrlfLastLineWithoutNewlineAndBlankLines) {
  std::string text = EventLine() + "\r\n" + "\r\n" + EventLine({{kRoot, "19"}}) + "\r\n" + EventLine({{kRoot, "20"}});
  Scan s = ScanText(text);
  EXPECT_EQ(s.counts.lines, 4);
  EXPECT_EQ(s.counts.blank, 1);
  EXPECT_EQ(s.counts.events, 3);
  EXPECT_EQ(s.counts.quarantined, 0);
  EXPECT_EQ(s.cells["US 2019-10"].violent, 2);
}

TEST(EventScanner, OverlongLineIsQuarantined) {
  std::string big = EventLine({{60, std::string(detail::kMaxEventLine, 'x')}});
  for (std::size_t piece : {0, 1 << 16}) {
    Scan s = ScanText(EventLine() + "\n" + big + "\n" + EventLine() + "\n", piece);
    ASSERT_EQ(s.rejects.size(), 1u) << piece;
    EXPECT_EQ(s.rejects[0].reason, "line-too-long");
    EXPECT_EQ(s.rejects[0].line, 2);
    EXPECT_LE(s.rejects[0].raw.size(), detail::kMaxRawBytes);
    EXPECT_EQ(s.counts.events, 2);
  }
}

TEST(EventScanner, DaysSinceEpochIsTheProlepticGregorianCount) {
  EXPECT_EQ(detail::DaysSinceEpoch(1970, 1, 1), 0);
  EXPECT_EQ(detail::DaysSinceEpoch(1969, 12, 31), -1);
  EXPECT_EQ(detail::DaysSinceEpoch(2019, 10, 24), 18193);  // the sample's day (Python's date arithmetic)
  EXPECT_EQ(detail::DaysSinceEpoch(2000, 2, 29), 11016);
  EXPECT_EQ(detail::DaysSinceEpoch(2000, 3, 1), 11017);
  EXPECT_EQ(detail::DaysSinceEpoch(1900, 1, 1), -25567);
  EXPECT_EQ(detail::DaysSinceEpoch(2100, 12, 31), 47846);
}

TEST(EventScanner, APlacedEventIsHandedOutAsAPoint) {
  std::vector<PointSeen> points;
  std::string text =
      EventLine() + "\n" +  // no place: no point, nothing wrong
      PlacedLine(
          {{kId, "881990832"}, {kDate, "20181024"}, {kRoot, "13"}, {kQuad, "3"}, {kGold, "-7.0"}, {kCountry, "CA"}}) +
      "\n" + PlacedLine({{kCountry, ""}, {kAdm1, ""}, {kLat, "-0"}, {kLong, "1e1"}, {kGold, "2.85"}}) + "\n";
  Scan s = ScanText(text, 0, EventScanner::Simd::kBest, &points);
  EXPECT_EQ(s.counts.events, 3);
  EXPECT_EQ(s.counts.points, 2);
  EXPECT_EQ(s.counts.bad_points, 0);
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[0], (PointSeen{2, 17828, 13, 3, 49.25, -123.133, -7.0, 3, "881990832", "CA02", "CA"}));
  // A point without a country is still a point (the aggregates count it as no-country).
  EXPECT_EQ(points[1], (PointSeen{3, 18193, 4, 1, 0, 10, 2.85, 3, "881990832", "", ""}));
  EXPECT_EQ(s.counts.no_country, 1);
}

// A malformed place never stops the event: it is counted as a bad point, and its aggregates are
// those of the same line without a place.
TEST(EventScanner, AMalformedPlaceIsABadPointAndTheEventStillCounts) {
  const std::vector<std::map<int, std::string>> bad{
      {{kLat, "abc"}},   {{kLat, "95"}},      {{kLong, "181"}},     {{kLat, "-90.5"}},  {{kLong, "-180.01"}},
      {{kLat, ""}},      {{kLong, ""}},       {{kLat, "nan"}},      {{kLong, "inf"}},   {{kLat, "1.5x"}},
      {{kLat, " 1"}},    {{kLat, "+1"}},      {{kId, ""}},          {{kId, "12a"}},     {{kId, std::string(21, '9')}},
      {{kMentions, ""}}, {{kMentions, "-1"}}, {{kMentions, "2.5"}}, {{kAdm1, "CA-02"}}, {{kAdm1, std::string(33, 'A')}},
  };
  std::string text, plain;
  for (const auto& b : bad) {
    auto with = b;
    with[kRoot] = "19";
    text += PlacedLine(with) + "\n";
    plain += EventLine({{kRoot, "19"}}) + "\n";
  }
  text +=
      PlacedLine({{kLat, "90"}, {kLong, "-180"}, {kAdm1, std::string(32, 'A')}, {kId, std::string(20, '9')}}) + "\n";
  plain += EventLine() + "\n";
  std::vector<PointSeen> points;
  Scan s = ScanText(text, 0, EventScanner::Simd::kBest, &points);
  EXPECT_EQ(s.counts.quarantined, 0);
  EXPECT_EQ(s.counts.events, static_cast<std::int64_t>(bad.size()) + 1);
  EXPECT_EQ(s.counts.bad_points, static_cast<std::int64_t>(bad.size()));
  EXPECT_EQ(s.counts.points, 1);
  ASSERT_EQ(points.size(), 1u);  // the bounds themselves are in
  EXPECT_EQ(points[0].lat, 90);
  EXPECT_EQ(points[0].lon, -180);
  Scan without = ScanText(plain);
  EXPECT_EQ(s.cells["US 2019-10"].events, without.cells["US 2019-10"].events);
  EXPECT_EQ(s.cells["US 2019-10"].violent, without.cells["US 2019-10"].violent);
  // Without OnPoint nothing of the place is read or counted.
  Scan unasked = ScanText(text);
  EXPECT_EQ(unasked.counts.bad_points, 0);
  EXPECT_EQ(unasked.counts.points, 0);
  EXPECT_EQ(unasked.counts.events, s.counts.events);
}

TEST(EventScanner, PointsDoNotDependOnTheSplitNorTheInstructionSet) {
  std::string text;
  for (int i = 0; i < 200; ++i) {
    text += PlacedLine({{kId, std::to_string(1000 + i)},
                        {kLat, i % 7 ? fmt::format("{}.{}", i % 90, i) : ""},
                        {kLong, i % 7 ? fmt::format("-{}.5", i % 180) : ""},
                        {kCountry, i % 5 ? "UK" : ""},
                        {kAdm1, i % 3 ? "UK01" : ""},
                        {6, i % 11 ? "" : "Zürich"},
                        {kLat + 2, std::string(static_cast<std::size_t>(i % 80), 'f')}}) +
            (i % 13 ? "\n" : "\r\n");
    if (i % 17 == 0) text += "garbage\tline\n";
  }
  std::vector<PointSeen> whole;
  Scan w = ScanText(text, 0, EventScanner::Simd::kBaseline, &whole);
  EXPECT_EQ(w.counts.points, 200 - 29);  // i % 7 == 0: 29 of 200 without a place
  ASSERT_EQ(whole.size(), 171u);
  EXPECT_EQ(w.counts.bad_points, 0);
  for (std::size_t piece : {1, 7, 64, 65, 4096}) {
    SCOPED_TRACE(piece);
    for (auto simd : {EventScanner::Simd::kBaseline, EventScanner::Simd::kBest}) {
      std::vector<PointSeen> got;
      ScanText(text, piece, simd, &got);
      EXPECT_EQ(got, whole);
    }
  }
}

//! One gzip member of `text` (zlib); with `named`, its header carries every optional field gzip
//! defines (extra, file name, comment, header CRC), which the reader must skip.
std::string Gzip(const std::string& text, bool named = false) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  gz_header header{};
  char name[] = "20191024143000.export.CSV", comment[] = "a comment";
  unsigned char extra[] = {'g', 'p', 2, 0, 'o', 'k'};
  if (named) {
    header.name = reinterpret_cast<Bytef*>(name);
    header.comment = reinterpret_cast<Bytef*>(comment);
    header.extra = extra, header.extra_len = sizeof extra;
    header.hcrc = 1, header.os = 3;
    EXPECT_EQ(deflateSetHeader(&z, &header), Z_OK);
  }
  std::string out(deflateBound(&z, text.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

//! A store with the full reference (FIPS codes included), one per test.
class EventsStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_ / "events.db";
    auto r = test::InitStore(db_);
    ASSERT_TRUE(r.ok()) << r.error().Format();
    auto s = OpenSqliteStore(db_);
    ASSERT_TRUE(s.ok());
    store_ = std::move(*s);
  }
  Result<EventsReport> Ingest(const std::vector<std::string>& paths, bool monthly = false) {
    EventsOptions o;
    o.paths = paths;
    o.monthly = monthly;
    return IngestEvents(*store_, o);
  }
  //! Stored value of (unit, year, indicator), or -1.
  double Value(const std::string& unit, int year, const std::string& indicator) {
    double v = -1;
    CellFilter f;
    f.units = {unit}, f.indicators = {indicator}, f.year_from = f.year_to = year;
    store_->Observations(f, [&](const ObservationRow& r) { v = r.value; });
    return v;
  }
  TempDir dir_;
  std::string db_;
  std::unique_ptr<Store> store_;
};

TEST_F(EventsStoreTest, FipsCodesMapThroughTheReferenceNotIso2) {
  std::string text;
  // FIPS 10-4: AS Australia (ISO AS = American Samoa), AU Austria, AQ American Samoa, UK United
  // Kingdom, GM Germany, SZ Switzerland, NL Netherlands (also listed for Bonaire…), RI and KV
  // (Serbia's combined "RIKV" entry), GZ Gaza (Palestine's "GZWE").
  for (const char* c : {"AS", "AU", "AQ", "UK", "GM", "SZ", "NL", "RI", "GZ", "WE", "ZZ", "ZZ"}) {
    text += EventLine({{kCountry, c}}) + "\n";
  }
  WriteFile(dir_ / "a.export.CSV", text);
  auto r = Ingest({dir_ / "a.export.CSV"});
  ASSERT_TRUE(r.ok()) << r.error().Format();
  const std::map<std::string, double> want{{"AUS", 1}, {"AUT", 1}, {"ASM", 1}, {"GBR", 1}, {"DEU", 1},
                                           {"CHE", 1}, {"NLD", 1}, {"SRB", 1}, {"PSE", 2}};
  for (const auto& [unit, n] : want) EXPECT_EQ(Value(unit, 2019, "gdelt_events_total"), n) << unit;
  EXPECT_EQ(Value("BES", 2019, "gdelt_events_total"), -1);
  ASSERT_EQ(r->files.size(), 1u);
  EXPECT_EQ(r->files[0].unknown_fips, 2);
  EXPECT_EQ(r->files[0].unknown_codes.at("ZZ"), 2);
  EXPECT_EQ(r->files[0].accepted, 10);
}

TEST_F(EventsStoreTest, GzipGivesTheSameValuesAsPlainText) {
  std::string text;
  for (int i = 0; i < 300; ++i) {
    text += EventLine({{kCountry, i % 2 ? "UK" : "FR"}, {kRoot, i % 4 ? "14" : "19"}, {kQuad, "4"}, {kGold, "-6.5"}}) +
            "\n";
  }
  WriteFile(dir_ / "plain.CSV", text);
  WriteFile(dir_ / "packed.CSV", Gzip(text));  // same name pattern: the magic bytes decide
  auto plain = Ingest({dir_ / "plain.CSV"});
  ASSERT_TRUE(plain.ok()) << plain.error().Format();
  TempDir other;
  auto r2 = test::InitStore(other / "g.db");
  ASSERT_TRUE(r2.ok());
  auto s2 = OpenSqliteStore(other / "g.db");
  EventsOptions o;
  o.paths = {dir_ / "packed.CSV"};
  auto gz = IngestEvents(**s2, o);
  ASSERT_TRUE(gz.ok()) << gz.error().Format();
  EXPECT_TRUE(gz->files[0].gzip);
  EXPECT_FALSE(plain->files[0].gzip);
  ASSERT_EQ(plain->values.size(), gz->values.size());
  for (std::size_t i = 0; i < plain->values.size(); ++i) {
    EXPECT_EQ(plain->values[i].unit, gz->values[i].unit);
    EXPECT_EQ(plain->values[i].indicator, gz->values[i].indicator);
    EXPECT_EQ(plain->values[i].value, gz->values[i].value);
  }
  EXPECT_EQ(Value("FRA", 2019, "gdelt_violent_events"), 75);  // i even and i % 4 == 0: 0, 4, …, 296
  EXPECT_EQ(Value("GBR", 2019, "gdelt_violent_events"), 0);   // i odd
  EXPECT_DOUBLE_EQ(Value("GBR", 2019, "gdelt_goldstein_conflict"), 150 * 6.5);
}

TEST_F(EventsStoreTest, MonthModeStoresSuffixedCodes) {
  std::string text = EventLine({{kDate, "20191024"}}) + "\n" + EventLine({{kDate, "20190105"}, {kRoot, "18"}}) + "\n" +
                     EventLine({{kDate, "20190131"}}) + "\n";
  WriteFile(dir_ / "m.CSV", text);
  auto r = Ingest({dir_ / "m.CSV"}, true);
  ASSERT_TRUE(r.ok()) << r.error().Format();
  EXPECT_EQ(Value("USA", 2019, "gdelt_events_total_m10"), 1);
  EXPECT_EQ(Value("USA", 2019, "gdelt_events_total_m01"), 2);
  EXPECT_EQ(Value("USA", 2019, "gdelt_violent_events_m01"), 1);
  EXPECT_EQ(Value("USA", 2019, "gdelt_events_total"), -1);
  std::string csv = EventsCsv(*r);
  EXPECT_NE(csv.find("USA,2019-01,gdelt_events_total,2\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("USA,2019-10,gdelt_violent_events,0\n"), std::string::npos) << csv;
}

// Concatenated members (gzip -c a b > c), one with every optional header field and one empty,
// read as one stream: the same values as the plain text.
TEST_F(EventsStoreTest, GzipMembersAndHeaderFieldsAreReadAsOneStream) {
  std::string text;
  for (int i = 0; i < 3000; ++i) text += EventLine({{kCountry, i % 3 ? "UK" : "FR"}, {0, std::to_string(i)}}) + "\n";
  const std::size_t half = text.find('\n', text.size() / 2) + 1;
  WriteFile(dir_ / "members.CSV.gz", Gzip(text.substr(0, half), true) + Gzip("") + Gzip(text.substr(half)));
  auto r = Ingest({dir_ / "members.CSV.gz"});
  ASSERT_TRUE(r.ok()) << r.error().Format();
  EXPECT_TRUE(r->files.at(0).gzip);
  EXPECT_EQ(r->files.at(0).lines, 3000);
  EXPECT_EQ(r->files.at(0).quarantined, 0);
  EXPECT_EQ(Value("GBR", 2019, "gdelt_events_total"), 2000);
  EXPECT_EQ(Value("FRA", 2019, "gdelt_events_total"), 1000);
}

TEST_F(EventsStoreTest, BrokenGzipMidwayLeavesTheStoreUnchanged) {
  std::string text;
  for (int i = 0; i < 2000; ++i) text += EventLine({{0, std::to_string(i)}}) + "\n";
  std::string gz = Gzip(text);
  WriteFile(dir_ / "good.CSV", text);
  WriteFile(dir_ / "cut.CSV.gz", gz.substr(0, gz.size() / 2));
  std::string bad = gz;
  bad[bad.size() / 2] = static_cast<char>(bad[bad.size() / 2] ^ 0x55);
  WriteFile(dir_ / "flipped.CSV.gz", bad);
  std::string crc = gz;  // the trailer: CRC-32, then the length mod 2^32
  crc[crc.size() - 8] = static_cast<char>(crc[crc.size() - 8] ^ 1);
  WriteFile(dir_ / "crc.CSV.gz", crc);
  std::string length = gz;
  length[length.size() - 4] = static_cast<char>(length[length.size() - 4] ^ 1);
  WriteFile(dir_ / "length.CSV.gz", length);
  WriteFile(dir_ / "no-trailer.CSV.gz", gz.substr(0, gz.size() - 8));
  WriteFile(dir_ / "trailing.CSV.gz", gz + "trailing bytes");
  WriteFile(dir_ / "header.CSV.gz", "\x1f\x8b\x09" + gz.substr(3));  // compression method 9
  std::int64_t files = store_->CountRows("files"), obs = store_->CountRows("observations");
  for (const char* name : {"cut.CSV.gz", "flipped.CSV.gz", "crc.CSV.gz", "length.CSV.gz", "no-trailer.CSV.gz",
                           "trailing.CSV.gz", "header.CSV.gz"}) {
    auto r = Ingest({dir_ / "good.CSV", dir_ / name});
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_EQ(r.error().ExitCode(), 3) << name;
    EXPECT_EQ(store_->CountRows("files"), files);
    EXPECT_EQ(store_->CountRows("observations"), obs);
    EXPECT_EQ(store_->CountRows("quarantine"), 0);
  }
  // No raw copy left behind under a temporary name.
  for (const auto& e : std::filesystem::recursive_directory_iterator(store_->BlobDir())) {
    EXPECT_NE(e.path().filename().string().rfind(".tmp-", 0), 0u) << e.path();
  }
}

// A raw copy that cannot be written whole (here it reaches the file-size limit, as it would a full
// disk) ends the run with an I/O error and leaves the store and its blob folder as they were. The
// input goes on for more than the read ring holds (32 MiB) after the failing write, so the run
// must also stop the reader, which then waits for a scan that has stopped.
TEST_F(EventsStoreTest, RawCopyThatCannotBeWrittenLeavesTheStoreUnchanged) {
  const auto limit = std::filesystem::file_size(db_) + (4u << 20);  // the store itself stays below
  std::string text;
  const std::string line = EventLine({{57, std::string(300, 'x')}}) + "\n";
  while (text.size() < limit + (40u << 20)) text += line;
  WriteFile(dir_ / "big.export.CSV", text);
  const std::int64_t files = store_->CountRows("files"), obs = store_->CountRows("observations");
  rlimit old{};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old), 0);
  rlimit lim = old;
  lim.rlim_cur = limit;
  auto previous = std::signal(SIGXFSZ, SIG_IGN);  // a write past the limit then fails with EFBIG
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &lim), 0);
  auto r = Ingest({dir_ / "big.export.CSV"});
  ::setrlimit(RLIMIT_FSIZE, &old);
  std::signal(SIGXFSZ, previous);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kWrite);  // the store's disk, not the input: exit 1, not 3
  EXPECT_EQ(r.error().ExitCode(), 1);
  EXPECT_NE(r.error().Format().find("raw copy"), std::string::npos) << r.error().Format();
  EXPECT_EQ(store_->CountRows("files"), files);
  EXPECT_EQ(store_->CountRows("observations"), obs);
  for (const auto& e : std::filesystem::recursive_directory_iterator(store_->BlobDir())) {
    EXPECT_NE(e.path().filename().string().rfind(".tmp-", 0), 0u) << e.path();
  }
  // With the limit lifted the same file goes in.
  auto again = Ingest({dir_ / "big.export.CSV"});
  ASSERT_TRUE(again.ok()) << again.error().Format();
  EXPECT_EQ(again->files.at(0).events, static_cast<std::int64_t>(text.size() / line.size()));
}

// Inputs of many read blocks (the hash, raw copy and scan run in separate threads over them, the
// plain one more than the ring of 32 MiB holds, and neither a whole number of 4 KiB pages, so the
// raw copy's tail is written without O_DIRECT): the counts, the SHA-256 and the raw copy must be
// those of the whole file, computed here directly.
TEST(EventsLargeInput, ManyBlocksGiveTheWholeFilesCountsHashAndRawCopy) {
  const char* const countries[] = {"UK", "FR", "GM", "", "ZZ"};  // GBR, FRA, DEU, none, unknown
  const std::map<std::string, std::string> unit_of{{"UK", "GBR"}, {"FR", "FRA"}, {"GM", "DEU"}};
  std::map<std::pair<std::string, int>, std::pair<double, double>> want;  // (unit, year) → events, violent
  std::int64_t lines = 0, no_country = 0, unknown = 0;
  std::string text;
  std::uint64_t rng = 12345;
  while (text.size() < (36u << 20)) {
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    const std::string country = countries[rng >> 33 & 3 ? (rng >> 40) % 5 : 0];
    const int year = 2015 + static_cast<int>(rng >> 50 & 3);
    const int root = 1 + static_cast<int>((rng >> 20) % 20);
    char root_text[8];
    std::snprintf(root_text, sizeof root_text, "%02d", root);
    // Incompressible filler of varying length, so that lines (and gzip's output) straddle blocks.
    std::string filler(static_cast<std::size_t>(rng >> 56) * 3, 'x');
    std::uint64_t x = rng;
    for (char& c : filler) {
      x = x * 6364136223846793005ULL + 1;
      c = "0123456789abcdef"[x >> 60];
    }
    text += EventLine({{kDate, std::to_string(year) + "0615"}, {kRoot, root_text}, {kCountry, country}, {57, filler}}) +
            "\n";
    ++lines;
    if (country.empty()) {
      ++no_country;
    } else if (!unit_of.count(country)) {
      ++unknown;
    } else {
      auto& w = want[{unit_of.at(country), year}];
      w.first += 1;
      w.second += root >= 18 ? 1 : 0;
    }
  }
  ASSERT_EQ(want.size(), 12u);  // 3 units × 4 years
  for (bool gzip : {false, true}) {
    SCOPED_TRACE(gzip ? "gzip" : "plain");
    TempDir dir;
    const std::string bytes = gzip ? Gzip(text) : text;
    ASSERT_GT(bytes.size(), 3u << 20);  // several read blocks
    ASSERT_NE(bytes.size() % 4096, 0u);
    WriteFile(dir / "big.export.CSV", bytes);
    ASSERT_TRUE(test::InitStore(dir / "e.db").ok());
    auto store = OpenSqliteStore(dir / "e.db");
    ASSERT_TRUE(store.ok());
    EventsOptions o;
    o.paths = {dir / "big.export.CSV"};
    auto r = IngestEvents(**store, o);
    ASSERT_TRUE(r.ok()) << r.error().Format();
    ASSERT_EQ(r->files.size(), 1u);
    const EventFileReport& f = r->files[0];
    EXPECT_EQ(f.gzip, gzip);
    EXPECT_EQ(f.bytes, static_cast<std::int64_t>(bytes.size()));
    EXPECT_EQ(f.lines, lines);
    EXPECT_EQ(f.events, lines);
    EXPECT_EQ(f.no_country, no_country);
    EXPECT_EQ(f.unknown_fips, unknown);
    EXPECT_EQ(f.quarantined, 0);
    Sha256 sha;
    sha.Update(bytes);
    const std::string digest = sha.HexDigest();
    EXPECT_EQ(f.sha256, digest);
    const std::string blob = (**store).BlobDir() + "/" + digest.substr(0, 2) + "/" + digest;
    EXPECT_TRUE(test::ReadFile(blob) == bytes) << "raw copy differs from the input: " << blob;
    std::map<std::pair<std::string, int>, std::pair<double, double>> got;
    for (const auto& v : r->values) {
      if (v.indicator == "gdelt_events_total") got[{v.unit, v.year}].first = v.value;
      if (v.indicator == "gdelt_violent_events") got[{v.unit, v.year}].second = v.value;
    }
    EXPECT_EQ(got, want);
  }
}

TEST_F(EventsStoreTest, RerunIsUnchangedAndDuplicatesCountOnce) {
  std::string text = EventLine() + "\n" + EventLine({{kRoot, "20"}}) + "\n" + "bad\n";
  WriteFile(dir_ / "a.CSV", text);
  WriteFile(dir_ / "copy-of-a.CSV", text);
  auto r = Ingest({dir_ / "a.CSV", dir_ / "copy-of-a.CSV"});
  ASSERT_TRUE(r.ok()) << r.error().Format();
  EXPECT_TRUE(r->files[1].duplicate);
  EXPECT_EQ(Value("USA", 2019, "gdelt_events_total"), 2);
  EXPECT_EQ(store_->CountRows("quarantine"), 1);
  std::int64_t files = store_->CountRows("files"), obs = store_->CountRows("observations");
  EXPECT_EQ(files, 2);  // the input and the manifest
  auto again = Ingest({dir_ / "copy-of-a.CSV"});
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->unchanged);
  EXPECT_EQ(store_->CountRows("files"), files);
  EXPECT_EQ(store_->CountRows("observations"), obs);
  EXPECT_EQ(store_->CountRows("quarantine"), 1);
}

// A rerun over files stored before makes no raw copy: it passes under a file-size limit below the
// input's size, which any copy would reach. A file rewritten in place at the same size is scanned
// again with a copy, and its new bytes are kept beside the old ones.
TEST_F(EventsStoreTest, RerunMakesNoRawCopyAndAFileChangedAtTheSameSizeIsKeptAgain) {
  const std::string line = EventLine() + "\n";
  std::string text;
  while (text.size() < (3u << 20)) text += line;  // several read blocks
  WriteFile(dir_ / "a.CSV", text);
  auto first = Ingest({dir_ / "a.CSV"});
  ASSERT_TRUE(first.ok()) << first.error().Format();
  const std::int64_t files = store_->CountRows("files");
  {
    rlimit old{};
    ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old), 0);
    rlimit lim = old;
    lim.rlim_cur = 1u << 20;
    auto previous = std::signal(SIGXFSZ, SIG_IGN);
    ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &lim), 0);
    auto again = Ingest({dir_ / "a.CSV"});
    ::setrlimit(RLIMIT_FSIZE, &old);
    std::signal(SIGXFSZ, previous);
    ASSERT_TRUE(again.ok()) << again.error().Format();
    EXPECT_TRUE(again->unchanged);
    EXPECT_EQ(again->files.at(0).sha256, first->files.at(0).sha256);
  }
  EXPECT_EQ(store_->CountRows("files"), files);

  std::string changed = text;
  const std::size_t at = line.size() * 7 + line.find("\tUS\t", 100);  // ActionGeo of the 8th event
  ASSERT_EQ(changed.substr(at, 4), "\tUS\t");
  changed.replace(at, 4, "\tUK\t");
  WriteFile(dir_ / "a.CSV", changed);
  auto third = Ingest({dir_ / "a.CSV"});
  ASSERT_TRUE(third.ok()) << third.error().Format();
  EXPECT_FALSE(third->unchanged);
  const EventFileReport& f = third->files.at(0);
  EXPECT_NE(f.sha256, first->files.at(0).sha256);
  EXPECT_FALSE(f.stored_before);
  EXPECT_TRUE(test::ReadFile(store_->BlobDir() + "/" + f.sha256.substr(0, 2) + "/" + f.sha256) == changed);
  EXPECT_EQ(Value("GBR", 2019, "gdelt_events_total"), 1);
  EXPECT_EQ(store_->CountRows("files"), files + 2);  // the new input and its manifest
}

//! The tab-separated fields of a line (a trailing tab gives a last, empty field).
std::vector<std::string> Fields(const std::string& line) {
  std::vector<std::string> f;
  std::stringstream ss(line);
  std::string field;
  while (std::getline(ss, field, '\t')) f.push_back(field);
  if (!line.empty() && line.back() == '\t') f.emplace_back();
  return f;
}

//! Runs `sql` on the SQLite store at `path` with the SQLite API (no gpsi code), as an older gpsi
//! or a person at the sqlite3 prompt would.
void SqliteExec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);
}

// The real sample: one point per line with both ActionGeo coordinates, counted here by splitting
// the lines (columns 57 and 58 of the codebook's 1-based list), and one event's every field as
// its raw line gives it.
TEST_F(EventsStoreTest, TheSamplesPointsAreItsLinesWithCoordinates) {
  const std::string path = test::Data("events_gdelt_sample/20191024143000.export.CSV");
  std::ifstream in(path);
  std::string line;
  std::int64_t lines = 0, placed = 0;
  std::vector<std::string> line_100;
  while (std::getline(in, line)) {
    ++lines;
    auto f = Fields(line);
    ASSERT_EQ(f.size(), 61u) << lines;
    if (!f[56].empty() && !f[57].empty()) ++placed;
    if (lines == 100) line_100 = f;
  }
  ASSERT_EQ(lines, 2111);
  ASSERT_GT(placed, 2000);
  ASSERT_LT(placed, lines);  // some events have no place
  auto r = Ingest({path});
  ASSERT_TRUE(r.ok()) << r.error().Format();
  ASSERT_EQ(r->files.size(), 1u);
  EXPECT_EQ(r->files[0].points, placed);
  EXPECT_EQ(r->files[0].bad_points, 0);
  EXPECT_EQ(r->points, placed);  // no GLOBALEVENTID twice in the sample
  EXPECT_EQ(store_->CountRows("event_points"), placed);
  const auto points = store_->EventPoints({});
  ASSERT_EQ(static_cast<std::int64_t>(points.size()), placed);

  // Line 100 of the file, field by field.
  ASSERT_EQ(line_100.size(), 61u);
  ASSERT_FALSE(line_100[56].empty());
  const EventPoint* p = nullptr;
  for (const auto& x : points) {
    if (x.event_id == line_100[0]) p = &x;
  }
  ASSERT_NE(p, nullptr) << line_100[0];
  EXPECT_EQ(p->source, "gdelt");
  EXPECT_EQ(p->line, 100);
  EXPECT_EQ(p->file_sha256, Sha256Hex(test::ReadFile(path)));
  EXPECT_EQ(p->file_sha256, r->files[0].sha256);
  const int y = std::stoi(line_100[1].substr(0, 4)), m = std::stoi(line_100[1].substr(4, 2)),
            d = std::stoi(line_100[1].substr(6, 2));
  EXPECT_EQ(p->day, detail::DaysSinceEpoch(y, m, d));
  EXPECT_EQ(p->lat, std::stod(line_100[56]));
  EXPECT_EQ(p->lon, std::stod(line_100[57]));
  EXPECT_EQ(p->adm1, line_100[54]);
  EXPECT_EQ(p->country_fips, line_100[53]);
  EXPECT_EQ(p->root_code, std::stoi(line_100[28]));
  EXPECT_EQ(p->quad_class, std::stoi(line_100[29]));
  EXPECT_EQ(p->goldstein, std::stod(line_100[30]));
  EXPECT_EQ(p->mentions, std::stoll(line_100[31]));
  // The same line written out (GDELT 2.0 codebook; FIPS SF is South Africa, ISO ZAF).
  EXPECT_EQ(*p, (EventPoint{"gdelt", "881990931", 18193, -23.4951, 27.2675, "SF09", "SF", "ZAF", 11, 3, -2.0, 8,
                            r->files[0].sha256, 100}));

  // Units as the aggregates map them: a unit's points are its accepted events with a place.
  std::map<std::string, std::int64_t> by_unit;
  for (const auto& x : points) ++by_unit[x.unit];
  EventPointFilter f;
  f.unit = "ZAF";
  EXPECT_EQ(static_cast<std::int64_t>(store_->EventPoints(f).size()), by_unit["ZAF"]);
  EXPECT_EQ(by_unit.count("SF"), 0u);
  // Ordered by day, then id.
  for (std::size_t i = 1; i < points.size(); ++i) {
    EXPECT_TRUE(std::tie(points[i - 1].day, points[i - 1].event_id) < std::tie(points[i].day, points[i].event_id));
  }
  // The rerun is unchanged and adds nothing.
  auto again = Ingest({path});
  ASSERT_TRUE(again.ok()) << again.error().Format();
  EXPECT_TRUE(again->unchanged);
  EXPECT_EQ(again->points, 0);
  EXPECT_EQ(store_->CountRows("event_points"), placed);
}

TEST_F(EventsStoreTest, AMalformedPlaceKeepsTheAggregateAndStoresNoPoint) {
  std::string text = PlacedLine({{kId, "1"}, {kLat, "abc"}}) + "\n" + PlacedLine({{kId, "2"}, {kLat, "95"}}) + "\n" +
                     PlacedLine({{kId, "3"}, {kLong, ""}}) + "\n" + PlacedLine({{kId, "4"}}) + "\n" +
                     EventLine({{kId, "5"}}) + "\n";
  WriteFile(dir_ / "a.CSV", text);
  auto r = Ingest({dir_ / "a.CSV"});
  ASSERT_TRUE(r.ok()) << r.error().Format();
  EXPECT_EQ(r->files[0].events, 5);
  EXPECT_EQ(r->files[0].quarantined, 0);
  EXPECT_EQ(r->files[0].points, 1);
  EXPECT_EQ(r->files[0].bad_points, 3);
  EXPECT_EQ(Value("USA", 2019, "gdelt_events_total"), 5);
  const auto points = store_->EventPoints({});
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points[0].event_id, "4");
  EXPECT_EQ(points[0].line, 4);
  EXPECT_EQ(points[0].unit, "USA");
}

// One point per event id: the first line stored wins, within a file, across the files of a run
// and across runs. An id's later lines are counted in the files' points but add no row.
TEST_F(EventsStoreTest, AnEventIdStoredTwiceKeepsItsFirstLine) {
  WriteFile(dir_ / "a.CSV", PlacedLine({{kId, "7"}, {kLat, "1"}}) + "\n" + PlacedLine({{kId, "7"}, {kLat, "2"}}) +
                                "\n" + PlacedLine({{kId, "8"}}) + "\n");
  WriteFile(dir_ / "b.CSV", PlacedLine({{kId, "8"}, {kLat, "3"}}) + "\n" + PlacedLine({{kId, "9"}}) + "\n");
  WriteFile(dir_ / "c.CSV", PlacedLine({{kId, "9"}, {kLat, "4"}, {kCountry, "UK"}}) + "\n");
  auto r = Ingest({dir_ / "a.CSV", dir_ / "b.CSV"});
  ASSERT_TRUE(r.ok()) << r.error().Format();
  EXPECT_EQ(r->files[0].points, 3);
  EXPECT_EQ(r->files[1].points, 2);
  EXPECT_EQ(r->points, 3);  // 7, 8, 9
  auto later = Ingest({dir_ / "c.CSV"});
  ASSERT_TRUE(later.ok()) << later.error().Format();
  EXPECT_EQ(later->points, 0);
  const auto points = store_->EventPoints({});
  ASSERT_EQ(points.size(), 3u);
  const std::string a = r->files[0].sha256, b = r->files[1].sha256;
  EXPECT_EQ(std::tie(points[0].event_id, points[0].lat, points[0].file_sha256, points[0].line),
            std::make_tuple(std::string("7"), 1.0, a, std::int64_t{1}));
  EXPECT_EQ(std::tie(points[1].event_id, points[1].file_sha256, points[1].line),
            std::make_tuple(std::string("8"), a, std::int64_t{3}));
  EXPECT_EQ(std::tie(points[2].event_id, points[2].file_sha256, points[2].line, points[2].unit),
            std::make_tuple(std::string("9"), b, std::int64_t{2}, std::string("USA")));
  // The aggregates still count every line.
  EXPECT_EQ(Value("GBR", 2019, "gdelt_events_total"), 1);
}

TEST_F(EventsStoreTest, AFailedRunStoresNoPoint) {
  std::string text;
  for (int i = 0; i < 2000; ++i) text += PlacedLine({{kId, std::to_string(i)}}) + "\n";
  WriteFile(dir_ / "good.CSV", text);
  std::string gz = Gzip(text);
  WriteFile(dir_ / "cut.CSV.gz", gz.substr(0, gz.size() / 2));
  auto r = Ingest({dir_ / "good.CSV", dir_ / "cut.CSV.gz"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().ExitCode(), 3);
  EXPECT_EQ(store_->CountRows("event_points"), 0);
  EXPECT_EQ(store_->CountRows("files"), 0);
  auto ok = Ingest({dir_ / "good.CSV"});
  ASSERT_TRUE(ok.ok()) << ok.error().Format();
  EXPECT_EQ(ok->points, 2000);
  EXPECT_EQ(store_->CountRows("event_points"), 2000);
}

// A store migrated from schema 9 holds no point of its earlier runs: the same run again, otherwise
// unchanged, adds them (and only them).
TEST_F(EventsStoreTest, AnUnchangedRerunAddsThePointsTheStoreLacks) {
  std::string text;
  for (int i = 0; i < 50; ++i) text += PlacedLine({{kId, std::to_string(i)}}) + "\n";
  WriteFile(dir_ / "a.CSV", text);
  auto first = Ingest({dir_ / "a.CSV"});
  ASSERT_TRUE(first.ok()) << first.error().Format();
  ASSERT_EQ(first->points, 50);
  const std::int64_t files = store_->CountRows("files"), obs = store_->CountRows("observations");
  store_.reset();
  SqliteExec(db_, "DELETE FROM event_points WHERE CAST(event_id AS INTEGER) >= 20");  // as if never stored
  store_ = std::move(*OpenSqliteStore(db_));
  ASSERT_EQ(store_->CountRows("event_points"), 20);
  auto again = Ingest({dir_ / "a.CSV"});
  ASSERT_TRUE(again.ok()) << again.error().Format();
  EXPECT_TRUE(again->unchanged);
  EXPECT_EQ(again->points, 30);
  EXPECT_EQ(store_->CountRows("event_points"), 50);
  EXPECT_EQ(store_->CountRows("files"), files);
  EXPECT_EQ(store_->CountRows("observations"), obs);
  for (const auto& p : store_->EventPoints({})) EXPECT_EQ(p.file_sha256, first->files[0].sha256);
}

}  // namespace
}  // namespace gpsi
