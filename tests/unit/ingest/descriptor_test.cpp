// Unit tests of source descriptors: ParseDescriptor, LoadDescriptorDir, MatchDescriptor.
// Every TOML text is built from a list of lines so that line numbers can be read off the test;
// columns are counted by hand.
#include <gtest/gtest.h>
#include <re2/re2.h>

#include <filesystem>
#include <initializer_list>
#include <map>
#include <regex>
#include <set>
#include <string>

#include "detail/reference_files.hpp"
#include "ingest.hpp"
#include "test_util.hpp"

namespace gpsi {
namespace {

namespace fs = std::filesystem;
using test::TempDir;
using test::WriteFile;

//! Joins lines with '\n'; line i of the result (1-based) is element i-1.
std::string Lines(std::initializer_list<const char*> lines) {
  std::string out;
  for (const char* l : lines) out += std::string(l) + "\n";
  return out;
}

const char* kPath = "descriptors/test.toml";

//! Parses `text`, expects a kBadDescriptor error and returns it.
Error ParseError(const std::string& text) {
  auto r = ParseDescriptor(text, kPath);
  EXPECT_FALSE(r.ok()) << "descriptor was accepted";
  if (r.ok()) return Error{};
  EXPECT_EQ(r.error().code, Errc::kBadDescriptor) << r.error().Format();
  EXPECT_EQ(r.error().file, kPath);
  return r.error();
}

// A descriptor using every section and key; line numbers are referred to below.
std::string FullDescriptor() {
  return Lines({
      "# full descriptor",                                     // 1
      "[source]",                                              // 2
      "key = \"who-road\"",                                    // 3
      "publisher = \"World Health Organization\"",             // 4
      "tier = 1",                                              // 5
      "licence = \"CC BY-NC-SA 3.0 IGO\"",                     // 6
      "url = \"https://www.who.int/data/gho\"",                // 7
      "release = \"2024-05-01\"",                              // 8
      "retrieved = \"2025-01-10\"",                            // 9
      "preference = 2",                                        // 10
      "",                                                      // 11
      "[match]",                                               // 12
      "files = [\"road_*.csv\", \"rtd.csv\"]",                 // 13
      "folder = \"road_traffic_*\"",                           // 14
      "",                                                      // 15
      "[table]",                                               // 16
      "layout = \"long\"",                                     // 17
      "delimiter = \";\"",                                     // 18
      "skip_lines = 2",                                        // 19
      "missing = [\"\", \"NA\", \"x\"]",                       // 20
      "value = \"Value\"",                                     // 21
      "filter = { Sex = \"Both sexes\" }",                     // 22
      "indicator_prefix = \"who_\"",                           // 23
      "order = 5",                                             // 24
      "",                                                      // 25
      "[unit]",                                                // 26
      "column = \"Code\"",                                     // 27
      "by = \"iso3\"",                                         // 28
      "name_column = \"Country\"",                             // 29
      "aggregate_when = { Type = [\"REGION\", \"GLOBAL\"] }",  // 30
      "",                                                      // 31
      "[year]",                                                // 32
      "column = \"Year\"",                                     // 33
      "min = 2000",                                            // 34
      "max = 2030",                                            // 35
      "",                                                      // 36
      "[[indicator]]",                                         // 37
      "code = \"road_deaths\"",                                // 38
      "name_en = \"Road traffic deaths\"",                     // 39
      "name_zh = \"道路交通死亡率\"",                          // 40
      "unit_of_measure = \"per 100 000 population\"",          // 41
      "dimension = \"road\"",                                  // 42
      "direction = -1",                                        // 43
      "description = \"Estimated road traffic deaths\"",       // 44
      "column = \"Rate\"",                                     // 45
      "when = { Indicator = \"RTD\" }",                        // 46
      "flags = \"modelled\"",                                  // 47
      "flag_column = \"Flag\"",                                // 48
      "flag_map = { e = \"estimate\", p = \"provisional\" }",  // 49
      "non_negative = true",                                   // 50
      "scale = 1000.0",                                        // 51
      "",                                                      // 52
      "[[indicator]]",                                         // 53
      "code = \"road_injuries\"",                              // 54
      "",                                                      // 55
      "[[group]]",                                             // 56
      "name = \"income\"",                                     // 57
      "column = \"Income\"",                                   // 58
  });
}

TEST(ParseDescriptor, FullDescriptor) {
  auto r = ParseDescriptor(FullDescriptor(), "descriptors/who_road.toml");
  ASSERT_TRUE(r.ok()) << r.error().Format();
  const Descriptor& d = *r;
  EXPECT_EQ(d.path, "descriptors/who_road.toml");
  EXPECT_EQ(d.name, "who_road");
  EXPECT_EQ(d.source.key, "who-road");
  EXPECT_EQ(d.source.publisher, "World Health Organization");
  EXPECT_EQ(d.source.tier, 1);
  EXPECT_EQ(d.source.licence, "CC BY-NC-SA 3.0 IGO");
  EXPECT_EQ(d.source.url, "https://www.who.int/data/gho");
  EXPECT_EQ(d.source.release, "2024-05-01");
  EXPECT_EQ(d.source.retrieved, "2025-01-10");
  EXPECT_EQ(d.source.preference, 2);
  EXPECT_EQ(d.match_files, (std::vector<std::string>{"road_*.csv", "rtd.csv"}));
  EXPECT_EQ(d.match_folder, "road_traffic_*");
  EXPECT_TRUE(d.ingest);
  EXPECT_EQ(d.layout, "long");
  EXPECT_EQ(d.delimiter, ';');
  EXPECT_EQ(d.skip_lines, 2);
  EXPECT_EQ(d.missing, (std::vector<std::string>{"", "NA", "x"}));
  EXPECT_EQ(d.value_column, "Value");
  ASSERT_EQ(d.filter.size(), 1u);
  EXPECT_EQ(d.filter[0].first, "Sex");
  EXPECT_EQ(d.filter[0].second, (std::vector<std::string>{"Both sexes"}));
  EXPECT_EQ(d.indicator_prefix, "who_");
  EXPECT_EQ(d.order, 5);
  EXPECT_EQ(d.unit_column, "Code");
  EXPECT_EQ(d.unit_by, "iso3");
  EXPECT_EQ(d.unit_name_column, "Country");
  ASSERT_EQ(d.aggregate_when.size(), 1u);
  EXPECT_EQ(d.aggregate_when[0].first, "Type");
  EXPECT_EQ(d.aggregate_when[0].second, (std::vector<std::string>{"REGION", "GLOBAL"}));
  EXPECT_EQ(d.year_column, "Year");
  EXPECT_EQ(d.year_min, 2000);
  EXPECT_EQ(d.year_max, 2030);
  ASSERT_EQ(d.indicators.size(), 2u);
  const IndicatorMap& m = d.indicators[0];
  EXPECT_EQ(m.meta.code, "road_deaths");
  EXPECT_EQ(m.meta.name_en, "Road traffic deaths");
  EXPECT_EQ(m.meta.name_zh, "道路交通死亡率");
  EXPECT_EQ(m.meta.unit_of_measure, "per 100 000 population");
  EXPECT_EQ(m.meta.dimension, "road");
  EXPECT_EQ(m.meta.direction, -1);
  EXPECT_EQ(m.meta.description, "Estimated road traffic deaths");
  EXPECT_EQ(m.column, "Rate");
  ASSERT_EQ(m.when.size(), 1u);
  EXPECT_EQ(m.when[0].first, "Indicator");
  EXPECT_EQ(m.when[0].second, (std::vector<std::string>{"RTD"}));
  EXPECT_EQ(m.flags, "modelled");
  EXPECT_EQ(m.flag_column, "Flag");
  EXPECT_EQ(m.flag_map, (std::map<std::string, std::string>{{"e", "estimate"}, {"p", "provisional"}}));
  EXPECT_TRUE(m.non_negative);
  EXPECT_DOUBLE_EQ(m.scale, 1000.0);
  // Defaults of the second, minimal indicator.
  EXPECT_EQ(d.indicators[1].meta.code, "road_injuries");
  EXPECT_EQ(d.indicators[1].meta.direction, 1);
  EXPECT_DOUBLE_EQ(d.indicators[1].scale, 1.0);
  EXPECT_TRUE(d.indicators[1].non_negative);
  ASSERT_EQ(d.groups.size(), 1u);
  EXPECT_EQ(d.groups[0].grouping, "income");
  EXPECT_EQ(d.groups[0].column, "Income");
}

std::string Minimal(const std::string& extra_table = "") {
  return Lines({
             "[source]",             // 1
             "key = \"k\"",          // 2
             "publisher = \"P\"",    // 3
             "tier = 2",             // 4
             "release = \"2024\"",   // 5
             "[match]",              // 6
             "files = [\"*.csv\"]",  // 7
             "[unit]",               // 8
             "column = \"iso3\"",    // 9
             "[year]",               // 10
             "column = \"year\"",    // 11
             "[[indicator]]",        // 12
             "code = \"x\"",         // 13
             "column = \"value\"",   // 14
         }) +
         extra_table;
}

TEST(ParseDescriptor, MinimalGetsDefaults) {
  auto r = ParseDescriptor(Minimal(), kPath);
  ASSERT_TRUE(r.ok()) << r.error().Format();
  EXPECT_EQ(r->layout, "long");
  EXPECT_EQ(r->delimiter, ',');
  EXPECT_EQ(r->skip_lines, 0);
  EXPECT_EQ(r->unit_by, "iso3");
  EXPECT_EQ(r->order, 10);
  EXPECT_EQ(r->source.tier, 2);
  EXPECT_EQ(r->source.preference, 0);
  EXPECT_TRUE(r->match_folder.empty());
  // ".." is how UN tables write "no data".
  EXPECT_NE(std::find(r->missing.begin(), r->missing.end(), ".."), r->missing.end());
}

TEST(ParseDescriptor, TabDelimiterSpellings) {
  for (const char* spelling : {"\"\\t\"", "\"tab\"", "\"\\\\t\""}) {
    std::string text = Minimal() + "[table]\ndelimiter = " + spelling + "\n";
    auto r = ParseDescriptor(text, kPath);
    ASSERT_TRUE(r.ok()) << spelling << ": " << r.error().Format();
    EXPECT_EQ(r->delimiter, '\t') << spelling;
  }
}

TEST(ParseDescriptor, TomlSyntaxErrorAtStartOfLine) {
  Error e = ParseError(Lines({
      "[source]",           // 1
      "key = \"k\"",        // 2
      "publisher = \"P\"",  // 3
      "@tier = 1",          // 4: '@' cannot start a key
  }));
  EXPECT_EQ(e.line, 4);
  EXPECT_EQ(e.column, 1);
  EXPECT_FALSE(e.message.empty());
}

TEST(ParseDescriptor, TomlSyntaxErrorAfterValue) {
  Error e = ParseError(Lines({
      "[match]",                       // 1
      "files = [\"a.csv\"] trailing",  // 2: junk after the value, 't' at column 19
  }));
  EXPECT_EQ(e.line, 2);
  EXPECT_EQ(e.column, 19);
}

TEST(ParseDescriptor, TomlDuplicateKey) {
  Error e = ParseError(Lines({
      "[match]",              // 1
      "files = [\"a.csv\"]",  // 2
      "files = [\"b.csv\"]",  // 3
  }));
  EXPECT_EQ(e.line, 3);
}

TEST(ParseDescriptor, UnknownSection) {
  Error e = ParseError(Minimal(Lines({
      "[sorce]",      // 15
      "key = \"k\"",  // 16
  })));
  EXPECT_EQ(e.line, 15);
  EXPECT_EQ(e.column, 1);
  EXPECT_NE(e.message.find("sorce"), std::string::npos) << e.message;
}

TEST(ParseDescriptor, UnknownKeyMisspelt) {
  Error e = ParseError(Lines({
      "[source]",             // 1
      "key = \"k\"",          // 2
      "publsher = \"WHO\"",   // 3: misspelt publisher
      "publisher = \"WHO\"",  // 4
      "tier = 1",             // 5
      "release = \"2024\"",   // 6
      "[match]",              // 7
      "files = [\"*.csv\"]",  // 8
  }));
  EXPECT_NE(e.message.find("publsher"), std::string::npos) << e.message;
  EXPECT_EQ(e.line, 3);
  EXPECT_EQ(e.column, 1);  // the misspelt key, not its value
}

TEST(ParseDescriptor, UnknownKeyInIndicator) {
  Error e = ParseError(Minimal(Lines({
      "drection = -1",  // 15, inside the [[indicator]] table opened on line 12
  })));
  EXPECT_NE(e.message.find("drection"), std::string::npos) << e.message;
  EXPECT_EQ(e.line, 15);
}

TEST(ParseDescriptor, WrongType) {
  Error e = ParseError(Lines({
      "[source]",             // 1
      "key = \"k\"",          // 2
      "publisher = \"P\"",    // 3
      "tier = \"one\"",       // 4: value at column 8
      "release = \"2024\"",   // 5
      "[match]",              // 6
      "files = [\"*.csv\"]",  // 7
  }));
  EXPECT_NE(e.message.find("tier"), std::string::npos) << e.message;
  EXPECT_EQ(e.line, 4);
  EXPECT_EQ(e.column, 8);
}

TEST(ParseDescriptor, WrongTypeInList) {
  Error e = ParseError(Lines({
      "[match]",                 // 1
      "files = [\"a.csv\", 3]",  // 2: the 3 is at column 19
  }));
  EXPECT_NE(e.message.find("files"), std::string::npos) << e.message;
  EXPECT_EQ(e.line, 2);
  EXPECT_EQ(e.column, 19);
}

TEST(ParseDescriptor, TierOutOfRange) {
  Error e = ParseError(Lines({
      "[source]",             // 1
      "key = \"k\"",          // 2
      "publisher = \"P\"",    // 3
      "release = \"2024\"",   // 4
      "tier = 5",             // 5: value at column 8
      "[match]",              // 6
      "files = [\"*.csv\"]",  // 7
  }));
  EXPECT_NE(e.message.find("tier"), std::string::npos) << e.message;
  EXPECT_EQ(e.line, 5);
  EXPECT_EQ(e.column, 8);
}

TEST(ParseDescriptor, TierZeroRejected) {
  std::string text = Minimal();
  text.replace(text.find("tier = 2"), 8, "tier = 0");
  Error e = ParseError(text);
  EXPECT_NE(e.message.find("tier"), std::string::npos) << e.message;
}

TEST(ParseDescriptor, BadLayout) {
  Error e = ParseError(Minimal(Lines({
      "[table]",             // 15
      "layout = \"longg\"",  // 16: value at column 10
  })));
  EXPECT_NE(e.message.find("longg"), std::string::npos) << e.message;
  EXPECT_EQ(e.line, 16);
  EXPECT_EQ(e.column, 10);
}

TEST(ParseDescriptor, OtherRangeErrorsPointAtTheirValue) {
  struct Case {
    std::string table, key, line_text;
    int column;
  };
  // Each appended as lines 15-16 after Minimal(); the value starts at the given column.
  for (const Case& c : std::vector<Case>{{"[table]", "delimiter", "delimiter = \";;\"", 13},
                                         {"[table]", "skip_lines", "skip_lines = -1", 14},
                                         {"[table]", "encoding", "encoding = \"klingon-8\"", 12},
                                         {"[table]", "thousands", "thousands = \".\"", 13},
                                         {"[table]", "thousands", "thousands = \", \"", 13},
                                         {"[unit]", "by", "by = \"iso4\"", 6}}) {
    SCOPED_TRACE(c.key);
    std::string text = Minimal();
    if (c.table == "[unit]") {
      text.replace(text.find("[unit]\n"), 7, "");
      text.replace(text.find("column = \"iso3\"\n"), 16, "");
      text += Lines({"[unit]", "column = \"iso3\""});  // lines 13-14
    } else {
      text += Lines({c.table.c_str()});  // line 15
    }
    text += c.line_text + "\n";  // line 15 or 16
    Error e = ParseError(text);
    EXPECT_NE(e.message.find(c.key), std::string::npos) << e.message;
    EXPECT_EQ(e.line, c.table == "[unit]" ? 15 : 16);
    EXPECT_EQ(e.column, c.column);
  }
}

TEST(ParseDescriptor, ValueMapAndPattern) {
  auto ok = ParseDescriptor(Minimal(Lines({
                                "value_map = { Yes = 1, No = 0, \"Partially funded\" = 0.5 }",  // 15
                                "value_pattern = '^<=? *([0-9.]+) g/dl$'",                      // 16
                            })),
                            kPath);
  ASSERT_TRUE(ok.ok()) << ok.error().Format();
  const IndicatorMap& m = ok->indicators.at(0);
  EXPECT_EQ(m.value_map.at("Yes"), 1);
  EXPECT_EQ(m.value_map.at("Partially funded"), 0.5);
  ASSERT_NE(m.value_regex, nullptr);
  EXPECT_TRUE(RE2::FullMatch("<= 0.05 g/dl", *m.value_regex));

  Error e = ParseError(Minimal("value_map = { Yes = \"1\" }\n"));  // line 15: the value at column 21
  EXPECT_NE(e.message.find("value_map.Yes"), std::string::npos) << e.message;
  EXPECT_EQ(e.line, 15);
  EXPECT_EQ(e.column, 21);
  e = ParseError(Minimal("value_pattern = '([0-9'\n"));  // an unclosed bracket
  EXPECT_NE(e.message.find("value_pattern"), std::string::npos) << e.message;
  EXPECT_EQ(e.line, 15);
  EXPECT_EQ(e.column, 17);
  e = ParseError(Minimal("value_pattern = '[0-9]+'\n"));  // no group to take the number from
  EXPECT_NE(e.message.find("needs a group"), std::string::npos) << e.message;
}

TEST(ParseDescriptor, DirectionMustBePlusOrMinusOne) {
  Error e = ParseError(Minimal("direction = 0\n"));  // line 15, in the [[indicator]] table
  EXPECT_NE(e.message.find("direction"), std::string::npos) << e.message;
  EXPECT_EQ(e.line, 15);
  EXPECT_EQ(e.column, 13);
}

TEST(ParseDescriptor, MissingMatch) {
  Error e = ParseError(Lines({
      "[source]",
      "key = \"k\"",
      "publisher = \"P\"",
      "tier = 1",
      "release = \"2024\"",
  }));
  EXPECT_NE(e.message.find("match"), std::string::npos) << e.message;
  EXPECT_LE(e.line, 1);  // a missing section has no line of its own
}

TEST(ParseDescriptor, MatchWithoutFiles) {
  Error e = ParseError(Lines({
      "[match]",         // 1
      "folder = \"x\"",  // 2
  }));
  EXPECT_NE(e.message.find("files"), std::string::npos) << e.message;
}

TEST(ParseDescriptor, MissingSource) {
  Error e = ParseError(Lines({
      "[match]",
      "files = [\"*.csv\"]",
      "[unit]",
      "column = \"iso3\"",
      "[year]",
      "column = \"year\"",
      "[[indicator]]",
      "code = \"x\"",
  }));
  EXPECT_NE(e.message.find("source"), std::string::npos) << e.message;
  EXPECT_LE(e.line, 1);
}

TEST(ParseDescriptor, MissingRequiredSourceKeys) {
  Error e = ParseError(Lines({
      "[source]",             // 1
      "key = \"k\"",          // 2
      "tier = 1",             // 3
      "[match]",              // 4
      "files = [\"*.csv\"]",  // 5
  }));
  EXPECT_NE(e.message.find("publisher"), std::string::npos) << e.message;
}

TEST(ParseDescriptor, NeedsIndicatorsUnitAndYear) {
  std::string no_indicator = Minimal();
  no_indicator.erase(no_indicator.find("[[indicator]]"));
  EXPECT_NE(ParseError(no_indicator).message.find("indicator"), std::string::npos);
  std::string no_unit = Minimal();
  no_unit.replace(no_unit.find("[unit]\ncolumn = \"iso3\"\n"), 23, "");
  EXPECT_NE(ParseError(no_unit).message.find("unit"), std::string::npos);
  std::string no_year = Minimal();
  no_year.replace(no_year.find("[year]\ncolumn = \"year\"\n"), 23, "");
  EXPECT_NE(ParseError(no_year).message.find("year"), std::string::npos);
}

TEST(ParseDescriptor, FixedYearReplacesYearColumn) {
  std::string text = Minimal();
  text.replace(text.find("column = \"year\""), 15, "value = 2021");
  auto r = ParseDescriptor(text, kPath);
  ASSERT_TRUE(r.ok()) << r.error().Format();
  EXPECT_EQ(r->fixed_year, 2021);
  EXPECT_TRUE(r->year_column.empty());
}

TEST(ParseDescriptor, GhoLayoutDefaults) {
  auto r = ParseDescriptor(Lines({
                               "[source]",
                               "key = \"who-gho-rtd\"",
                               "publisher = \"WHO\"",
                               "tier = 1",
                               "release = \"2024-05-01\"",
                               "[match]",
                               "files = [\"RS_198*.csv\"]",
                               "[table]",
                               "layout = \"gho\"",
                               "[[indicator]]",
                               "code = \"road_deaths_rate\"",
                               "when = { IndicatorCode = \"RS_198\", Dim1 = [\"SEX_BTSX\", \"BTSX\"] }",
                           }),
                           kPath);
  ASSERT_TRUE(r.ok()) << r.error().Format();
  EXPECT_EQ(r->layout, "gho");
  EXPECT_EQ(r->unit_column, "SpatialDim");
  EXPECT_EQ(r->year_column, "TimeDim");
  EXPECT_EQ(r->value_column, "NumericValue");
  ASSERT_FALSE(r->aggregate_when.empty());
  EXPECT_EQ(r->aggregate_when[0].first, "SpatialDimType");
  const auto& types = r->aggregate_when[0].second;
  EXPECT_NE(std::find(types.begin(), types.end(), "REGION"), types.end());
  ASSERT_EQ(r->indicators.size(), 1u);
  ASSERT_EQ(r->indicators[0].when.size(), 2u);
  std::set<std::string> when_cols{r->indicators[0].when[0].first, r->indicators[0].when[1].first};
  EXPECT_EQ(when_cols, (std::set<std::string>{"IndicatorCode", "Dim1"}));
}

TEST(ParseDescriptor, GhoLayoutKeepsExplicitColumns) {
  auto r = ParseDescriptor(Lines({
                               "[source]",
                               "key = \"k\"",
                               "publisher = \"WHO\"",
                               "tier = 1",
                               "release = \"2024\"",
                               "[match]",
                               "files = [\"*.csv\"]",
                               "[table]",
                               "layout = \"gho\"",
                               "value = \"Value\"",
                               "[unit]",
                               "column = \"COUNTRY\"",
                               "[year]",
                               "column = \"YEAR\"",
                               "[[indicator]]",
                               "code = \"x\"",
                           }),
                           kPath);
  ASSERT_TRUE(r.ok()) << r.error().Format();
  EXPECT_EQ(r->unit_column, "COUNTRY");
  EXPECT_EQ(r->year_column, "YEAR");
  EXPECT_EQ(r->value_column, "Value");
}

TEST(ParseDescriptor, OwidLayoutReadsNames) {
  auto r = ParseDescriptor(Lines({
                               "[source]",
                               "key = \"owid-gtd\"",
                               "publisher = \"START via OWID\"",
                               "tier = 3",
                               "release = \"2024\"",
                               "[match]",
                               "files = [\"*.csv\"]",
                               "[table]",
                               "layout = \"owid\"",
                               "[[indicator]]",
                               "code = \"terror_deaths\"",
                               "column = \"Terrorism deaths\"",
                           }),
                           kPath);
  ASSERT_TRUE(r.ok()) << r.error().Format();
  EXPECT_EQ(r->unit_column, "Entity");
  EXPECT_EQ(r->year_column, "Year");
  EXPECT_EQ(r->unit_by, "name");
}

TEST(ParseDescriptor, SkipEntryNeedsNothingElse) {
  auto r = ParseDescriptor(Lines({
                               "[match]",
                               "files = [\"*.xlsx\", \"*.pdf\"]",
                               "folder = \"terrorism_gti_iep\"",
                               "ingest = false",
                               "reason = \"the CSV beside it carries the same data\"",
                           }),
                           kPath);
  ASSERT_TRUE(r.ok()) << r.error().Format();
  EXPECT_FALSE(r->ingest);
  EXPECT_EQ(r->skip_reason, "the CSV beside it carries the same data");
  EXPECT_EQ(r->match_files, (std::vector<std::string>{"*.xlsx", "*.pdf"}));
  EXPECT_EQ(r->match_folder, "terrorism_gti_iep");
}

TEST(ParseDescriptor, SkipEntryStillRejectsUnknownMatchKeys) {
  Error e = ParseError(Lines({
      "[match]",               // 1
      "files = [\"*.xlsx\"]",  // 2
      "ingest = false",        // 3
      "reson = \"typo\"",      // 4
  }));
  EXPECT_NE(e.message.find("reson"), std::string::npos) << e.message;
  EXPECT_EQ(e.line, 4);
}

TEST(ParseDescriptor, ReferenceLayoutNeedsNoSource) {
  auto r = ParseDescriptor(Lines({
                               "[match]",
                               "files = [\"UNSD_m49.csv\"]",
                               "[table]",
                               "layout = \"reference-m49\"",
                               "delimiter = \";\"",
                           }),
                           kPath);
  ASSERT_TRUE(r.ok()) << r.error().Format();
  EXPECT_EQ(r->layout, "reference-m49");
  EXPECT_EQ(r->order, 0);  // reference data is ingested before the data that needs it
}

TEST(LoadDescriptor, MissingFileIsIoError) {
  TempDir dir;
  auto r = LoadDescriptor(dir / "absent.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kIo);
}

TEST(LoadDescriptorDir, LoadsSortedAndReportsTheBadFile) {
  TempDir dir;
  WriteFile(dir / "b.toml", Minimal());
  WriteFile(dir / "a.toml", Lines({"[match]", "files = [\"*.pdf\"]", "ingest = false"}));
  WriteFile(dir / "notes.txt", "not a descriptor");
  auto r = LoadDescriptorDir(dir.path().string());
  ASSERT_TRUE(r.ok()) << r.error().Format();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].name, "a");
  EXPECT_EQ((*r)[1].name, "b");

  WriteFile(dir / "c.toml", "[match]\nfiles = [\"x\"]\nbogus = 1\n");
  auto bad = LoadDescriptorDir(dir.path().string());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, Errc::kBadDescriptor);
  EXPECT_EQ(bad.error().file, dir / "c.toml");
  EXPECT_EQ(bad.error().line, 3);
}

TEST(LoadDescriptorDir, MissingFolderIsAnError) {
  TempDir dir;
  auto r = LoadDescriptorDir(dir / "nope");
  EXPECT_FALSE(r.ok());
}

// The descriptors shipped in data/descriptors must all load.
TEST(LoadDescriptorDir, ShippedDescriptorsLoad) {
  fs::path dir = fs::path(GPSI_TESTS_DIR) / ".." / "data" / "descriptors";
  std::size_t tomls = 0;
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(dir, ec)) {
    if (e.is_regular_file() && e.path().extension() == ".toml") ++tomls;
  }
  ASSERT_GT(tomls, 0u) << "no *.toml in " << dir;
  auto r = LoadDescriptorDir(dir.string());
  ASSERT_TRUE(r.ok()) << r.error().Format();
  EXPECT_EQ(r->size(), tomls);
  std::set<std::string> names;
  for (const Descriptor& d : *r) {
    SCOPED_TRACE(d.path);
    EXPECT_TRUE(names.insert(d.name).second) << "duplicate descriptor name " << d.name;
    EXPECT_FALSE(d.match_files.empty());
    if (!d.ingest) {
      EXPECT_FALSE(d.skip_reason.empty()) << "a skip entry should say why";
      continue;
    }
    EXPECT_FALSE(d.source.key.empty());
    if (detail::IsReferenceLayout(d.layout)) continue;  // reference tables carry no tiered source
    // Releases order vintages by text comparison, so they must be ISO dates (or years).
    EXPECT_TRUE(std::regex_match(d.source.release, std::regex(R"(\d{4}(-\d{2}(-\d{2})?)?)")))
        << "release '" << d.source.release << "' is not YYYY, YYYY-MM or YYYY-MM-DD";
    EXPECT_GE(d.source.tier, 1);
    EXPECT_LE(d.source.tier, 4);
    for (const IndicatorMap& m : d.indicators) EXPECT_FALSE(m.meta.code.empty());
  }
}

// An indicator stored from several files (two releases, a file and its API fetch) gets the same
// metadata from each: the last file ingested would otherwise flip its direction or dimension.
TEST(LoadDescriptorDir, ShippedDescriptorsAgreeOnEachIndicator) {
  fs::path dir = fs::path(GPSI_TESTS_DIR) / ".." / "data" / "descriptors";
  auto r = LoadDescriptorDir(dir.string());
  ASSERT_TRUE(r.ok()) << r.error().Format();
  std::map<std::string, std::pair<const Descriptor*, const Indicator*>> first;
  for (const Descriptor& d : *r) {
    for (const IndicatorMap& m : d.indicators) {
      auto [it, fresh] = first.emplace(d.indicator_prefix + m.meta.code, std::make_pair(&d, &m.meta));
      if (fresh) continue;
      const Indicator& a = *it->second.second;
      SCOPED_TRACE(m.meta.code + ": " + it->second.first->path + " and " + d.path);
      EXPECT_EQ(a.direction, m.meta.direction);
      EXPECT_EQ(a.dimension, m.meta.dimension);
      EXPECT_EQ(a.unit_of_measure, m.meta.unit_of_measure);
    }
  }
}

// Every file of the shared data folder is claimed by a shipped descriptor, to ingest or to skip
// with a reason, so that `gpsi ingest` of the folder lists no file as unexplained.
TEST(LoadDescriptorDir, ShippedDescriptorsCoverTheSharedData) {
  fs::path dir = fs::path(GPSI_TESTS_DIR) / ".." / "data" / "descriptors";
  auto r = LoadDescriptorDir(dir.string());
  ASSERT_TRUE(r.ok()) << r.error().Format();
  ASSERT_FALSE(r->empty()) << "no shipped descriptors in " << dir;
  std::size_t files = 0;
  for (const auto& e : fs::recursive_directory_iterator(GPSI_TEST_DATA)) {
    if (!e.is_regular_file() || e.path().filename().string()[0] == '.') continue;
    ++files;
    EXPECT_NE(MatchDescriptor(*r, e.path().string()), nullptr) << e.path() << " is matched by no descriptor";
  }
  EXPECT_GT(files, 0u);
}

// ---------------------------------------------------------------------------------------------
// MatchDescriptor

Descriptor Match(std::string name, std::vector<std::string> files, std::string folder = "") {
  Descriptor d;
  d.name = std::move(name);
  d.match_files = std::move(files);
  d.match_folder = std::move(folder);
  return d;
}

TEST(MatchDescriptor, ByFileGlob) {
  std::vector<Descriptor> ds{Match("gho", {"RS_*.csv", "rtd.json"}), Match("wdi", {"API_VC.IHR*.csv"})};
  const Descriptor* d = MatchDescriptor(ds, "/data/x/RS_198.csv");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->name, "gho");
  d = MatchDescriptor(ds, "/data/x/rtd.json");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->name, "gho");
  d = MatchDescriptor(ds, "API_VC.IHR.PSRC.P5_DS2_en_csv_v2.csv");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->name, "wdi");
  EXPECT_EQ(MatchDescriptor(ds, "/data/x/README.md"), nullptr);
  EXPECT_EQ(MatchDescriptor(ds, "/data/RS_198.csv/other.txt"), nullptr);  // the folder name is not the file name
}

TEST(MatchDescriptor, ByFolderGlob) {
  std::vector<Descriptor> ds{Match("who", {"*.csv"}, "road_traffic_*"), Match("owid", {"*.csv"}, "terrorism_*")};
  const Descriptor* d = MatchDescriptor(ds, "/work/shared/data/road_traffic_who_gho/data.csv");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->name, "who");
  d = MatchDescriptor(ds, "/work/shared/data/terrorism_gtd_owid/data.csv");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->name, "owid");
  // Only the direct parent folder counts.
  EXPECT_EQ(MatchDescriptor(ds, "/work/road_traffic_x/sub/data.csv"), nullptr);
  EXPECT_EQ(MatchDescriptor(ds, "/work/shared/data/homicide_unodc_wdi/data.csv"), nullptr);
  EXPECT_EQ(MatchDescriptor(ds, "data.csv"), nullptr);  // no folder at all
}

TEST(MatchDescriptor, FirstMatchWins) {
  std::vector<Descriptor> ds{Match("specific", {"*.csv"}, "asem"), Match("generic", {"*.csv"})};
  const Descriptor* d = MatchDescriptor(ds, "/d/asem/iData.csv");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->name, "specific");
  d = MatchDescriptor(ds, "/d/other/iData.csv");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->name, "generic");
}

TEST(MatchDescriptor, GlobIsCaseSensitiveAndWhole) {
  std::vector<Descriptor> ds{Match("a", {"data_*.csv"})};
  EXPECT_EQ(MatchDescriptor(ds, "/d/DATA_1.csv"), nullptr);
  EXPECT_EQ(MatchDescriptor(ds, "/d/data_1.csv.bak"), nullptr);
  EXPECT_NE(MatchDescriptor(ds, "/d/data_.csv"), nullptr);
}

TEST(Sdmx, StructureReferencesAreAgencyIdVersion) {
  EXPECT_EQ(SdmxArtefactId("GPSCF:CRIME(1.0)"), "CRIME");
  EXPECT_EQ(SdmxArtefactId("ESTAT:NA_MAIN(1.6.0)"), "NA_MAIN");
  EXPECT_EQ(SdmxArtefactId("SDMX.IMF:DF-1@X(2.0+)"), "DF-1@X");
  for (const char* bad : {"CRIME", "GPSCF:CRIME", ":CRIME(1.0)", "GPSCF:(1.0)", "GPSCF:CRIME()", "GPSCF:CRIME(1.0",
                          "GPSCF:CR IME(1.0)", "GPSCF(1.0):CRIME", ""}) {
    EXPECT_FALSE(SdmxArtefactId(bad)) << bad;
  }
  EXPECT_TRUE(IsSdmxStructureHeader("STRUCTURE"));
  EXPECT_TRUE(IsSdmxStructureHeader("STRUCTURE[;]"));
  EXPECT_FALSE(IsSdmxStructureHeader("STRUCTURE[;;]"));
  EXPECT_FALSE(IsSdmxStructureHeader("DATAFLOW"));  // SDMX-CSV 1.0
}

TEST(Sdmx, FilesThatDescribeThemselves) {
  test::TempDir dir;
  auto write = [&](const std::string& name, const std::string& text) {
    test::WriteFile(dir / name, text);
    return SelfDescribing(dir / name);
  };
  auto d = write("a.csv", "\xEF\xBB\xBFSTRUCTURE;STRUCTURE_ID;REF_AREA\r\n");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->layout, "sdmx-csv");
  EXPECT_EQ(d->delimiter, ';');
  EXPECT_EQ(d->source.tier, 4) << "unattributed, like canonical";
  d = write("b.csv", "STRUCTURE[|]\tSTRUCTURE_ID\n");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->delimiter, '\t');
  EXPECT_EQ(write("c.csv", "unit,year,indicator,value,flags\n")->layout, "canonical");
  EXPECT_FALSE(write("d.csv", "STRUCTURES,STRUCTURE_ID\n"));
  EXPECT_FALSE(write("e.csv", "DATAFLOW,REF_AREA\n"));
  EXPECT_FALSE(write("f.csv", "unit,year,indicator\n"));
  EXPECT_FALSE(SelfDescribing(dir / "missing.csv"));
}

}  // namespace
}  // namespace gpsi
