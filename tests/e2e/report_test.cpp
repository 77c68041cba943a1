// gpsi report (docs/report.md): the annual report's and the profiles' numbers are the build's. Over
// the store of all shared data, the top and bottom 10 and the full ranking of the report, and 40
// country profiles (the top and bottom 10 and 20 drawn at random), in English and Chinese, as HTML
// and as PDF text (pdftotext), give the ranks and scores of `gpsi build`'s scores.csv and the
// intervals of `gpsi uncertainty`'s rank_stats.csv with the same runs and seed. The PDFs embed
// their fonts, keep a profile to a page, resolve every internal link, and come out byte for byte
// the same twice; a PNG of each kind of page is kept in build/test-artefacts/report.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "shared_store.hpp"
#include "test_util.hpp"

namespace gpsi::test {
namespace {

const std::string kMethod = std::string(GPSI_TESTS_DIR) + "/../methods/gpsi.toml";

//! A table of the report, by data-table id: each row's key (data-unit, or data-<key>) and its cells by data-col.
using Rows = std::vector<std::pair<std::string, std::map<std::string, std::string>>>;
Rows TableRows(const std::string& html, const std::string& id, const std::string& key = "unit") {
  Rows out;
  const auto start = html.find("<table data-table=\"" + id + "\">");
  if (start == std::string::npos) return out;
  const std::string table = html.substr(start, html.find("</table>", start) - start);
  const std::regex kRow("<tr data-" + key + R"re(="([^"]*)">(.*?)</tr>)re");
  static const std::regex kCell(R"re(<td data-col="([^"]*)"[^>]*>([^<]*)</td>)re");
  for (auto r = std::sregex_iterator(table.begin(), table.end(), kRow); r != std::sregex_iterator(); ++r) {
    const std::string cells = (*r)[2];
    auto& row = out.emplace_back((*r)[1], std::map<std::string, std::string>{});
    for (auto c = std::sregex_iterator(cells.begin(), cells.end(), kCell); c != std::sregex_iterator(); ++c) {
      row.second[(*c)[1]] = (*c)[2];
    }
  }
  return out;
}

//! The build's scores of one year: unit → code → (value, rank), and the index's code.
struct Scores {
  int year = 0;
  std::string index;
  std::map<std::string, std::map<std::string, std::pair<double, std::string>>> at;
  std::vector<std::string> ranked;  //!< on the index, by rank
};

Scores ReadScores(const std::string& path) {
  // scores.csv: year,unit,code,level,value,rank,flags; the index is the highest level.
  const auto rows = Csv(ReadFile(path));
  Scores s;
  int top_level = 0;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    top_level = std::max(top_level, std::stoi(rows[i][3]));
    s.year = std::max(s.year, std::stoi(rows[i][0]));
  }
  std::vector<std::pair<int, std::string>> ranks;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto& r = rows[i];
    if (std::stoi(r[0]) != s.year) continue;
    s.at[r[1]][r[2]] = {r[4].empty() ? NAN : std::stod(r[4]), r[5]};
    if (std::stoi(r[3]) == top_level) s.index = r[2];
    if (std::stoi(r[3]) == top_level && !r[5].empty() && r[5] != "0") ranks.emplace_back(std::stoi(r[5]), r[1]);
  }
  std::sort(ranks.begin(), ranks.end());
  for (const auto& [rank, unit] : ranks) s.ranked.push_back(unit);
  return s;
}

//! The profiles the tests read: the top and bottom 10 and 20 more drawn with a fixed seed.
std::vector<std::string> Sample(const std::vector<std::string>& ranked) {
  std::vector<std::string> out(ranked.begin(), ranked.begin() + 10);
  out.insert(out.end(), ranked.end() - 10, ranked.end());
  std::vector<std::string> middle(ranked.begin() + 10, ranked.end() - 10);
  std::mt19937 rng(2026);
  std::shuffle(middle.begin(), middle.end(), rng);
  out.insert(out.end(), middle.begin(), middle.begin() + 20);
  return out;
}

//! Where the tests keep what a person should look at: build/test-artefacts/report.
std::string Artefacts() {
  const auto dir = std::filesystem::path(GPSI_BINARY).parent_path() / "test-artefacts/report";
  std::filesystem::create_directories(dir);
  return dir.string();
}

class ReportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string& db = SharedStore();
    ASSERT_FALSE(db.empty());
    dir_ = std::make_unique<TempDir>();
    // The report is the slow part (about a minute); it is made once for every process of this
    // gpsi and this test binary and read by all (MadeOnce).
    made_ = MadeOnce("report", GpsiKey() + " " + FileStamp("/proc/self/exe"),
                     [&db](const std::filesystem::path& at) { return MakeReport(db, at); });
    ASSERT_FALSE(made_.empty());
    scores_ = ReadScores(made_ + "/build/scores.csv");
    for (const char* lang : {"en", "zh"}) html_[lang] = ReadFile(At(lang, "index.html"));
  }
  static void TearDownTestSuite() { dir_.reset(); }

  //! The build, the intervals and both editions of the report, in `at`; false with a test failure
  //! recorded if a step fails.
  static bool MakeReport(const std::string& db, const std::filesystem::path& at) {
    const std::string base = "--db " + Quote(db) + " ";
    const std::string out = at.string();
    RunResult b = Gpsi(base + "build --method " + Quote(kMethod) + " --out " + Quote(out + "/build"));
    RunResult u =
        Gpsi(base + "uncertainty --method " + Quote(kMethod) + " --samples 40 --seed 7 --out " + Quote(out + "/unc"));
    if (b.exit_code != 0 || u.exit_code != 0) {
      ADD_FAILURE() << "gpsi build or uncertainty failed: " << b.err << u.err;
      return false;
    }
    const Scores scores = ReadScores(out + "/build/scores.csv");
    if (scores.ranked.size() <= 100U) {
      ADD_FAILURE() << "the build ranks " << scores.ranked.size() << " countries";
      return false;
    }
    std::string profiles;
    for (const auto& unit : Sample(scores.ranked)) profiles += (profiles.empty() ? "" : ",") + unit;
    // Both editions in one run (each in DIR/<lang>), printed by one pool of workers; the
    // same-bytes test prints the Chinese edition alone and compares.
    RunResult r = Gpsi(base + "report --method " + Quote(kMethod) + " --intervals 40 --seed 7 --lang en,zh" +
                       " --profiles " + profiles + " --pdf --date 2026-01-15 --out " + Quote(out));
    std::string expected;
    for (const char* lang : {"en", "zh"}) {
      expected +=
          out + "/" + lang + "/index.html\n" + out + "/" + lang + "/report.pdf\n" + out + "/" + lang + "/profiles\n";
    }
    EXPECT_EQ(r.out, expected);
    if (r.exit_code != 0) ADD_FAILURE() << r.err;
    return r.exit_code == 0 && r.out == expected;
  }

  //! A file of the `lang` edition's folder.
  static std::string At(const std::string& lang, const std::string& file) { return made_ + "/" + lang + "/" + file; }

  //! The text of a PDF as pdftotext gives it (-layout keeps a table row on one line).
  static std::string PdfText(const std::string& pdf, bool layout = false) {
    const RunResult r = Sh("pdftotext " + std::string(layout ? "-layout " : "") + Quote(pdf) + " -");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }

  static inline std::string made_;              //!< the build, intervals and report (MadeOnce), read only
  static inline std::unique_ptr<TempDir> dir_;  //!< this process's own output
  static inline std::map<std::string, std::string> html_;
  static inline Scores scores_;
};

TEST_F(ReportTest, ItsRanksScoresAndIntervalsAreTheBuildsInBothLanguages) {
  // scores.csv: year,unit,code,level,value,rank,flags; the index is the highest level.
  auto scores = Csv(ReadFile(made_ + "/build/scores.csv"));
  int top_level = 0, year = 0;
  for (std::size_t i = 1; i < scores.size(); ++i) {
    top_level = std::max(top_level, std::stoi(scores[i][3]));
    year = std::max(year, std::stoi(scores[i][0]));
  }
  std::map<std::string, std::pair<std::string, std::string>> index;  // unit → rank, score (1 decimal)
  std::string code;
  for (std::size_t i = 1; i < scores.size(); ++i) {
    const auto& r = scores[i];
    if (std::stoi(r[3]) != top_level || std::stoi(r[0]) != year || r[5].empty() || r[5] == "0") continue;
    code = r[2];
    index[r[1]] = {r[5], fmt::format("{:.1f}", std::stod(r[4]))};
  }
  ASSERT_GT(index.size(), 100U);
  std::map<std::string, std::string> intervals;  // unit → "p05–p95" to the nearest rank
  for (const auto& r : Csv(ReadFile(made_ + "/unc/rank_stats.csv"))) {
    if (r.size() == 8 && r[0] == std::to_string(year) && r[2] == code) {
      intervals[r[1]] = fmt::format("{:.0f}–{:.0f}", std::stod(r[6]), std::stod(r[7]));
    }
  }
  for (const auto& [lang, html] : html_) {
    for (const char* table : {"top10", "bottom10", "ranking"}) {
      const Rows rows = TableRows(html, table);
      ASSERT_EQ(rows.size(), std::string(table) == "ranking" ? index.size() : 10U) << lang << " " << table;
      for (const auto& [unit, cells] : rows) {
        ASSERT_TRUE(index.contains(unit)) << lang << " " << table << " " << unit;
        EXPECT_EQ(cells.at("rank"), index[unit].first) << lang << " " << unit;
        EXPECT_EQ(cells.at("score"), index[unit].second) << lang << " " << unit;
        EXPECT_EQ(cells.at("interval"), intervals[unit]) << lang << " " << unit;
      }
    }
    EXPECT_EQ(TableRows(html, "top10").front().second.at("rank"), "1");
    EXPECT_EQ(TableRows(html, "bottom10").back().second.at("rank"), std::to_string(index.size()))
        << "no ties at the bottom of this build";
    EXPECT_NE(html.find((lang == "en" ? "Annual report " : "年度报告 ") + std::to_string(year)), std::string::npos);
  }
  // The Chinese edition names countries as ISO does in Chinese, in the same order.
  const Rows en = TableRows(html_["en"], "top10"), zh = TableRows(html_["zh"], "top10");
  for (std::size_t i = 0; i < en.size(); ++i) {
    EXPECT_EQ(en[i].first, zh[i].first);
    EXPECT_NE(en[i].second.at("country"), zh[i].second.at("country"));
    EXPECT_TRUE(std::regex_search(zh[i].second.at("country"), std::regex("[\\xE4-\\xE9]")))
        << zh[i].second.at("country");
  }
}

TEST_F(ReportTest, ItsSummaryAndAnnexesComeFromTheBuild) {
  const std::string& html = html_["en"];
  const Rows ranking = TableRows(html, "ranking");
  ASSERT_FALSE(ranking.empty());
  const std::string first = ranking.front().second.at("country"), last = ranking.back().second.at("country");
  EXPECT_NE(html.find(fmt::format("{} countries and territories are ranked on the index", ranking.size())),
            std::string::npos);
  EXPECT_NE(html.find(first + " ranks first with a score of " + ranking.front().second.at("score")), std::string::npos);
  EXPECT_NE(html.find(last + " ranks last with " + ranking.back().second.at("score")), std::string::npos);
  // Risers went up and fallers down, by the ranks they show; each region's countries add up.
  for (const auto& [unit, cells] : TableRows(html, "risers"))
    EXPECT_LT(std::stoi(cells.at("to")), std::stoi(cells.at("from")));
  for (const auto& [unit, cells] : TableRows(html, "fallers"))
    EXPECT_GT(std::stoi(cells.at("to")), std::stoi(cells.at("from")));
  EXPECT_EQ(TableRows(html, "risers").size(), 10U);
  std::size_t in_regions = 0;
  for (const auto& [region, cells] : TableRows(html, "regions")) in_regions += std::stoul(cells.at("countries"));
  EXPECT_LE(in_regions, ranking.size());
  EXPECT_GT(in_regions, ranking.size() * 9 / 10);
  // Every source annexed is a release of the store, UNODC's among them at tier 1.
  bool unodc = false;
  for (const auto& [key, cells] : TableRows(html, "sources"))
    unodc |= key.rfind("unodc", 0) == 0 && cells.at("tier") == "1";
  EXPECT_TRUE(unodc);
  // The world maps: one per node, each country drawn in the shade of its score in the ranking.
  std::map<std::string, std::string> score;
  for (const auto& [unit, cells] : ranking) score[unit] = cells.at("score");
  const auto index_map = html.find("<figure class=\"map\" data-node=\"" + scores_.index + "\">");
  ASSERT_NE(index_map, std::string::npos);
  const std::string svg = html.substr(index_map, html.find("</figure>", index_map) - index_map);
  const std::regex shaded(R"re(data-unit="([^"]+)" data-value="([^"]+)")re");
  std::size_t drawn = 0;
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), shaded); it != std::sregex_iterator(); ++it, ++drawn) {
    EXPECT_EQ((*it)[2].str(), score[(*it)[1].str()]) << (*it)[1];
  }
  EXPECT_GT(drawn, ranking.size() * 8 / 10) << "most ranked countries are on the 1:110m map";
  std::size_t maps = 0;
  for (auto at = html.find("<figure class=\"map\""); at != std::string::npos;
       at = html.find("<figure class=\"map\"", at + 1))
    ++maps;
  EXPECT_EQ(maps, 5U) << "the index and each dimension";
  // The methodology annex lists every node the build scored once, the index first, and the
  // pipeline's settings.
  const Rows framework = TableRows(html, "framework", "node");
  std::set<std::string> nodes;
  for (const auto& [code, cells] : framework) EXPECT_TRUE(nodes.insert(code).second) << code << " twice";
  ASSERT_FALSE(framework.empty());
  EXPECT_EQ(framework.front().first, scores_.index);
  for (const auto& [code, value] : scores_.at.at(scores_.ranked.front())) EXPECT_TRUE(nodes.contains(code)) << code;
  const Rows pipeline = TableRows(html, "pipeline", "setting");
  EXPECT_TRUE(std::any_of(pipeline.begin(), pipeline.end(), [](const auto& r) { return r.first == "normalise"; }));
  // The run and data hash of the title page are the build's.
  EXPECT_NE(html.find("data-field=\"data-hash\"><code>"), std::string::npos);
}

//! The index's 90 % rank intervals of the report's year to the nearest rank, by unit (rank_stats.csv).
std::map<std::string, std::string> IndexIntervals(const std::string& path, const Scores& s) {
  std::map<std::string, std::string> out;
  for (const auto& r : Csv(ReadFile(path))) {
    if (r.size() == 8 && r[0] == std::to_string(s.year) && r[2] == s.index) {
      out[r[1]] = fmt::format("{:.0f}–{:.0f}", std::stod(r[6]), std::stod(r[7]));
    }
  }
  return out;
}

std::string OneDecimal(double v) {
  return std::isnan(v) ? "—" : fmt::format("{:.1f}", v);
}

//! `text` with every run of white space made one space, or taken out (`keep` false: Chinese,
//! whose lines break without a space).
std::string Squeeze(const std::string& text, bool keep = true) {
  std::string out;
  for (char c : text) {
    const bool space = std::isspace(static_cast<unsigned char>(c));
    if (!space)
      out += c;
    else if (keep && !out.empty() && out.back() != ' ')
      out += ' ';
  }
  return out;
}

TEST_F(ReportTest, EachProfileGivesTheBuildsScoresRanksAndIntervals) {
  const auto intervals = IndexIntervals(made_ + "/unc/rank_stats.csv", scores_);
  for (const char* lang : {"en", "zh"}) {
    for (const auto& unit : Sample(scores_.ranked)) {
      const std::string html = ReadFile(At(lang, "profiles/" + unit + ".html"));
      ASSERT_FALSE(html.empty()) << lang << " " << unit;
      const auto& at = scores_.at.at(unit);
      const Rows nodes = TableRows(html, "dimensions", "node");
      ASSERT_EQ(nodes.size(), 5U) << "the index and its four dimensions";
      EXPECT_EQ(nodes.front().first, scores_.index);
      for (const auto& [code, cells] : nodes) {
        EXPECT_EQ(cells.at("score"), OneDecimal(at.at(code).first)) << lang << " " << unit << " " << code;
        EXPECT_EQ(cells.at("rank"), at.at(code).second.empty() || at.at(code).second == "0" ? "—" : at.at(code).second)
            << lang << " " << unit << " " << code;
      }
      EXPECT_EQ(nodes.front().second.at("interval"), intervals.at(unit)) << lang << " " << unit;
      const Rows indicators = TableRows(html, "indicators", "indicator");
      EXPECT_GE(indicators.size(), 15U);
      for (const auto& [code, cells] : indicators) {
        ASSERT_TRUE(at.contains(code)) << code;
        EXPECT_EQ(cells.at("score"), OneDecimal(at.at(code).first)) << lang << " " << unit << " " << code;
      }
    }
  }
}

TEST_F(ReportTest, ThePdfsTextGivesTheSameNumbers) {
  const auto intervals = IndexIntervals(made_ + "/unc/rank_stats.csv", scores_);
  const std::string year = std::to_string(scores_.year), n = std::to_string(scores_.ranked.size());
  for (const char* lang : {"en", "zh"}) {
    // The report: a line of the top and bottom 10 tables per country, with its rank, score and interval.
    const std::string text = PdfText(At(lang, "report.pdf"), true);
    std::vector<std::string> lines;
    for (std::stringstream in(text); std::getline(in, lines.emplace_back());) {
    }
    for (const char* table : {"top10", "bottom10"}) {
      for (const auto& [unit, cells] : TableRows(html_[lang], table)) {
        const auto& [value, rank] = scores_.at.at(unit).at(scores_.index);
        const std::regex row("^\\s*" + rank + "\\s+" + cells.at("country") + "\\s+" + OneDecimal(value) + "\\s+" +
                             intervals.at(unit) + "\\s*$");
        EXPECT_TRUE(std::any_of(lines.begin(), lines.end(), [&](const auto& l) { return std::regex_match(l, row); }))
            << lang << " " << table << " " << unit << ": no line '" << rank << " " << cells.at("country") << " "
            << OneDecimal(value) << " " << intervals.at(unit) << "'";
      }
    }
    // Each profile: the sentence of its standing.
    for (const auto& unit : Sample(scores_.ranked)) {
      const auto& [value, rank] = scores_.at.at(unit).at(scores_.index);
      const std::string profile = PdfText(At(lang, "profiles/" + unit + ".pdf"));
      const std::string expect =
          std::string(lang) == "en"
              ? fmt::format("Rank {} of {} on the index in {}, with a score of {} and a 90 % rank interval of {}.",
                            rank, n, year, OneDecimal(value), intervals.at(unit))
              : fmt::format("{}年在{}个国家和地区中总指数排名第{}位，得分{}，90%排名区间为{}。", year, n, rank,
                            OneDecimal(value), intervals.at(unit));
      const bool en = std::string(lang) == "en";
      EXPECT_NE(Squeeze(profile, en).find(Squeeze(expect, en)), std::string::npos) << lang << " " << unit << "\n"
                                                                                   << profile;
    }
  }
}

TEST_F(ReportTest, ThePdfsEmbedTheirFontsKeepAProfileToAPageAndResolveEveryLink) {
  for (const char* lang : {"en", "zh"}) {
    const std::string report = At(lang, "report.pdf");
    const auto pages = [](const std::string& pdf) {
      const RunResult r = Sh("pdfinfo " + Quote(pdf));
      std::smatch m;
      return std::regex_search(r.out, m, std::regex("Pages:\\s+(\\d+)")) ? std::stoi(m[1]) : 0;
    };
    EXPECT_GE(pages(report), 8) << lang;
    for (const auto& unit : Sample(scores_.ranked)) {
      EXPECT_EQ(pages(At(lang, "profiles/" + unit + ".pdf")), 1) << lang << " " << unit;
    }
    // pdffonts: a row per font, its `emb` column yes; the Chinese edition's text in a CJK font.
    const RunResult fonts = Sh("pdffonts " + Quote(report) + " | tail -n +3");
    ASSERT_EQ(fonts.exit_code, 0);
    std::stringstream rows(fonts.out);
    int listed = 0;
    for (std::string row; std::getline(rows, row); ++listed) {
      EXPECT_NE(row.find(" yes yes yes "), std::string::npos) << lang << ": not embedded, subset and mapped: " << row;
    }
    EXPECT_GE(listed, 1);
    if (std::string(lang) == "zh") {
      EXPECT_NE(fonts.out.find("gpsi-cjk"), std::string::npos) << fonts.out;
      const std::string first = TableRows(html_["zh"], "top10").front().second.at("country");
      EXPECT_NE(PdfText(report).find(first), std::string::npos) << "Chinese text extractable: " << first;
    }
    // Every link of the page (#id) is a destination of the PDF.
    const std::string dests = Sh("pdfinfo -dests " + Quote(report)).out;
    const std::string& html = html_[lang];
    const std::regex href(R"re(href="#([^"]+)")re");
    int links = 0;
    for (auto it = std::sregex_iterator(html.begin(), html.end(), href); it != std::sregex_iterator(); ++it, ++links) {
      EXPECT_NE(dests.find("\"" + (*it)[1].str() + "\""), std::string::npos) << lang << " #" << (*it)[1] << "\n"
                                                                             << dests;
    }
    EXPECT_GE(links, 4);
  }
}

TEST_F(ReportTest, TheSameBuildPrintsTheSameBytesAndEachKindOfPageIsKeptAsAPicture) {
  const std::string again = *dir_ / "again";
  std::string profiles;
  for (const auto& unit : Sample(scores_.ranked)) profiles += (profiles.empty() ? "" : ",") + unit;
  RunResult r = Gpsi("--db " + Quote(SharedStore()) + " report --method " + Quote(kMethod) +
                     " --intervals 40 --seed 7 --lang zh --profiles " + profiles +
                     " --pdf --workers 1 --date 2026-01-15 --out " + Quote(again));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string unit = scores_.ranked.front();
  for (const std::string& file : {std::string("index.html"), std::string("report.pdf"), "profiles/" + unit + ".pdf"}) {
    const std::string a = ReadFile(At("zh", file)), b = ReadFile(again + "/" + file);
    EXPECT_FALSE(a.empty()) << file;
    EXPECT_TRUE(a == b) << file << " differs between a run of both editions and one of Chinese alone";
  }
  EXPECT_TRUE(std::filesystem::directory_iterator(again + "/profiles") != std::filesystem::directory_iterator());
  for (const auto& f : std::filesystem::recursive_directory_iterator(again)) {
    EXPECT_NE(f.path().extension(), ".claim") << "the workers' claims are removed: " << f.path();
  }
  EXPECT_NE(Sh("pdfinfo " + Quote(again + "/report.pdf")).out.find("CreationDate:    Thu Jan 15 00:00:00 2026"),
            std::string::npos);
  // A PNG of the title page, the ranking's first page and a profile, per language.
  const std::string keep = Artefacts();
  for (const char* lang : {"en", "zh"}) {
    const std::string report = At(lang, "report.pdf");
    std::smatch m;
    const std::string dests = Sh("pdfinfo -dests " + Quote(report)).out;
    ASSERT_TRUE(std::regex_search(dests, m, std::regex(R"re(\n\s*(\d+) \[[^\n]*"ranking")re"))) << dests;
    const std::vector<std::pair<std::string, std::string>> shots{
        {Quote(report) + " -f 1 -l 1", "title"},
        {Quote(report) + " -f " + m[1].str() + " -l " + m[1].str(), "ranking"},
        {Quote(At(lang, "profiles/" + unit + ".pdf")), "profile"}};
    for (const auto& [pdf, kind] : shots) {
      const std::string png = keep + "/" + lang + "-" + kind;
      ASSERT_EQ(Sh("pdftoppm -r 60 -png -singlefile " + pdf + " " + Quote(png)).exit_code, 0) << kind;
      EXPECT_GT(std::filesystem::file_size(png + ".png"), 10000U) << png;
    }
  }
}

// The pages are HTML as the WHATWG standard parses it (html5lib's strict parser, Debian's, stops at
// the first parse error), and every table is accessible: a caption, and a scope on every header.
TEST_F(ReportTest, ThePagesParseAsHtmlWithoutAnErrorAndTheirTablesAreAccessible) {
  std::vector<std::string> pages;
  for (const char* lang : {"en", "zh"}) {
    pages.push_back(At(lang, "index.html"));
    for (const auto& unit : Sample(scores_.ranked)) pages.push_back(At(lang, "profiles/" + unit + ".html"));
  }
  std::string list;
  for (const auto& p : pages) list += " " + Quote(p);
  const RunResult parsed =
      Sh("/usr/bin/python3 -c 'import html5lib, sys\n"
         "for page in sys.argv[1:]:\n"
         "    try:\n"
         "        html5lib.HTMLParser(strict=True).parse(open(page, \"rb\").read())\n"
         "    except Exception as e:\n"
         "        print(page, e)' " +
         list);
  EXPECT_EQ(parsed.exit_code, 0) << parsed.err;
  EXPECT_EQ(parsed.out, "") << "parse errors";
  for (const auto& page : pages) {
    const std::string html = ReadFile(page);
    std::size_t tables = 0, captions = 0, headers = 0, scoped = 0;
    for (auto at = html.find("<table"); at != std::string::npos; at = html.find("<table", at + 1)) ++tables;
    for (auto at = html.find("<caption>"); at != std::string::npos; at = html.find("<caption>", at + 1)) ++captions;
    for (auto at = html.find("<th"); at != std::string::npos; at = html.find("<th", at + 1)) {
      if (html.compare(at, 4, "<th ") == 0 || html.compare(at, 4, "<th>") == 0) ++headers;
    }
    for (auto at = html.find("<th scope=\"col\""); at != std::string::npos;
         at = html.find("<th scope=\"col\"", at + 1)) {
      ++scoped;
    }
    EXPECT_GE(tables, 2U) << page;
    EXPECT_EQ(captions, tables) << page;
    EXPECT_EQ(scoped, headers) << page;
  }
}

//! A probability as the report prints it: a whole percentage ("12 %"; Chinese "12%").
std::string Percent(const std::string& p, const std::string& lang) {
  return fmt::format("{:.0f}{}%", 100 * std::stod(p), lang == "zh" ? "" : " ");
}

// Each profile's outlook is `gpsi forecast`'s with the same draws and seed (the index's median and
// 90 % interval, outlook.csv's probabilities and rank interval), and its warnings `gpsi warn`'s.
TEST_F(ReportTest, EachProfilesOutlookIsGpsiForecastsAndItsWarningsGpsiWarns) {
  const std::string base = "--db " + Quote(SharedStore()) + " ";
  ASSERT_EQ(Gpsi(base + "forecast --method " + Quote(kMethod) + " --seed 7 --out " + Quote(*dir_ / "fc")).exit_code, 0);
  ASSERT_EQ(Gpsi(base + "warn --method " + Quote(kMethod) + " --seed 7 --out " + Quote(*dir_ / "warn")).exit_code, 0);
  std::map<std::string, std::map<std::string, std::vector<std::string>>> index, outlook;  // unit → year → row
  for (const auto& r : Csv(ReadFile(*dir_ / "fc/forecasts.csv"))) {
    if (r.size() == 9 && r[1] == scores_.index) index[r[0]][r[2]] = r;
  }
  for (const auto& r : Csv(ReadFile(*dir_ / "fc/outlook.csv"))) {
    if (r.size() == 9 && r[0] != "unit") outlook[r[0]][r[1]] = r;
  }
  std::map<std::string, std::vector<std::vector<std::string>>> warned;
  for (const auto& r : Csv(ReadFile(*dir_ / "warn/warnings.csv"))) {
    if (r.size() == 13 && r[0] != "unit") warned[r[0]].push_back(r);
  }
  std::size_t with_warnings = 0;
  for (const char* lang : {"en", "zh"}) {
    for (const auto& unit : Sample(scores_.ranked)) {
      const std::string html = ReadFile(At(lang, "profiles/" + unit + ".html"));
      const Rows years = TableRows(html, "outlook", "year");
      ASSERT_EQ(years.size(), index[unit].size()) << lang << " " << unit;
      EXPECT_EQ(years.size(), 3U) << "three years ahead";
      for (const auto& [year, cells] : years) {
        const auto& f = index[unit].at(year);
        const auto& o = outlook[unit].at(year);
        EXPECT_EQ(cells.at("median"), OneDecimal(std::stod(f[4]))) << unit << " " << year;
        EXPECT_EQ(cells.at("interval"), OneDecimal(std::stod(f[5])) + "–" + OneDecimal(std::stod(f[8]))) << unit;
        EXPECT_EQ(cells.at("p_deterioration"), Percent(o[4], lang)) << unit << " " << year;
        EXPECT_EQ(cells.at("p_bottom"), Percent(o[5], lang)) << unit << " " << year;
        EXPECT_EQ(cells.at("rank_interval"), fmt::format("{:.0f}–{:.0f}", std::stod(o[7]), std::stod(o[8])))
            << unit << " " << year;
      }
      const Rows warnings = TableRows(html, "warnings", "rule");
      ASSERT_EQ(warnings.size(), warned[unit].size()) << lang << " " << unit;
      for (std::size_t k = 0; k < warnings.size(); ++k) {
        EXPECT_EQ(warnings[k].first, warned[unit][k][1]) << unit;
        EXPECT_EQ(warnings[k].second.at("code"), warned[unit][k][4]) << unit;
        EXPECT_EQ(warnings[k].second.at("period"), warned[unit][k][5]) << unit;
      }
      if (warnings.empty()) EXPECT_NE(html.find("data-field=\"no-warnings\""), std::string::npos) << unit;
      with_warnings += !warnings.empty();
    }
  }
  EXPECT_GT(with_warnings, 0U) << "some sampled country has a warning";
}

// With gpsi validate's folder (--validation), the report's annexes print its figures: the external
// measures, the known groups, the coherence of the dimensions, and, since the method version
// changed, what changed and the largest rank shifts. Without it, the annex says there is none.
TEST_F(ReportTest, TheValidationAndWhatChangedAnnexesAreGpsiValidates) {
  const std::string base = "--db " + Quote(SharedStore()) + " ";
  const std::string previous = std::string(GPSI_TESTS_DIR) + "/../methods/gpsi-2026.1.toml";
  ASSERT_EQ(Gpsi(base + "validate --method " + Quote(kMethod) + " --previous " + Quote(previous) +
                 " --bootstrap 50 --out " + Quote(*dir_ / "val"))
                .exit_code,
            0);
  const auto v = nlohmann::json::parse(ReadFile(*dir_ / "val/validation.json"));
  for (const char* lang : {"en", "zh"}) {
    const std::string out = *dir_ / ("val-" + std::string(lang));
    RunResult r = Gpsi(base + "report --method " + Quote(kMethod) + " --intervals 0 --forecast-draws 0 --lang " + lang +
                       " --profiles " + scores_.ranked.front() + " --validation " + Quote(*dir_ / "val") + " --out " +
                       Quote(out));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string html = ReadFile(out + "/index.html");
    // Coherence: the latest year's α, PC1 share and r² of each node, to 2 decimals.
    const Rows coherence = TableRows(html, "coherence", "node");
    ASSERT_EQ(coherence.size(), v["coherence"].size());
    for (std::size_t k = 0; k < coherence.size(); ++k) {
      const auto& c = v["coherence"][k];
      EXPECT_EQ(coherence[k].first, c["node"].get<std::string>());
      EXPECT_EQ(coherence[k].second.at("alpha"), fmt::format("{:.2f}", c["alpha"].get<double>()));
      EXPECT_EQ(coherence[k].second.at("r2"), fmt::format("{:.2f}", c["r2_with_index"].get<double>()));
    }
    // External measures: each measure and node once, at its latest year, with its ρ.
    std::map<std::string, std::pair<int, double>> latest;
    for (const auto& e : v["externals"]) {
      auto& slot = latest[e["id"].get<std::string>() + "/" + e["node"].get<std::string>()];
      if (e["year"].get<int>() >= slot.first) slot = {e["year"].get<int>(), e["rho"].get<double>()};
    }
    const Rows externals = TableRows(html, "externals", "measure");
    EXPECT_EQ(externals.size(), latest.size());
    std::size_t matched = 0;
    for (const auto& [id, cells] : externals) {
      for (const auto& [key, value] : latest) {
        matched += key.rfind(id + "/", 0) == 0 && cells.at("year") == std::to_string(value.first) &&
                   cells.at("rho") == fmt::format("{:.2f}", value.second);
      }
    }
    EXPECT_EQ(matched, externals.size());
    EXPECT_EQ(TableRows(html, "known-groups", "group").size() > 0, !v["known_groups"].empty());
    // What changed: every method change, the screen's threshold among them, and the shifts' ranks.
    EXPECT_NE(html.find("<a href=\"#changes\">"), std::string::npos);
    const Rows changes = TableRows(html, "method-changes", "item");
    ASSERT_EQ(changes.size(), v["method_changes"].size());
    EXPECT_TRUE(std::any_of(changes.begin(), changes.end(), [](const auto& c) {
      return c.first == "screen" && c.second.at("before") == "na:0.6" && c.second.at("after") == "na:0.3";
    }));
    const Rows shifts = TableRows(html, "rank-shifts");
    ASSERT_EQ(shifts.size(), v["largest_shifts"].size());
    for (std::size_t k = 0; k < shifts.size(); ++k) {
      EXPECT_EQ(shifts[k].first, v["largest_shifts"][k]["unit"].get<std::string>());
      EXPECT_EQ(shifts[k].second.at("rank"), std::to_string(v["largest_shifts"][k]["rank"].get<int>()));
    }
    // No forecasts asked for: the profile has no outlook.
    EXPECT_EQ(ReadFile(out + "/profiles/" + scores_.ranked.front() + ".html").find("data-table=\"outlook\""),
              std::string::npos);
  }
  // The suite's editions were made without a validation: the annex says so, and nothing changed.
  EXPECT_NE(html_["en"].find("This edition was made without a validation"), std::string::npos);
  EXPECT_EQ(html_["en"].find("id=\"changes\""), std::string::npos);
  // A validation of another method version is refused, and nothing is written.
  RunResult other =
      Gpsi(base + "report --method " + Quote(previous) + " --intervals 0 --forecast-draws 0 --validation " +
           Quote(*dir_ / "val") + " --out " + Quote(*dir_ / "val-other"));
  EXPECT_NE(other.exit_code, 0);
  EXPECT_NE(other.err.find("rerun gpsi validate"), std::string::npos) << other.err;
  EXPECT_FALSE(std::filesystem::exists(*dir_ / "val-other"));
  // A validation.json of the right version that lacks a figure is an error, not an empty annex.
  const std::string broken = *dir_ / "val-broken";
  std::filesystem::create_directories(broken);
  std::ofstream(broken + "/validation.json") << R"({"method_version": ")" << v["method_version"].get<std::string>()
                                             << R"(", "latest_year": 2023, "coherence": [{"node": "GPSI"}]})";
  RunResult bad = Gpsi(base + "report --method " + Quote(kMethod) + " --intervals 0 --forecast-draws 0 --validation " +
                       Quote(broken) + " --out " + Quote(*dir_ / "val-broken-out"));
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("not a validation.json of gpsi validate"), std::string::npos) << bad.err;
  EXPECT_FALSE(std::filesystem::exists(*dir_ / "val-broken-out"));
}

TEST_F(ReportTest, AYearTheBuildLacksOrAnUnknownLanguageIsAUsageError) {
  const std::string base = "--db " + Quote(SharedStore()) + " report --method " + Quote(kMethod) + " --intervals 0 ";
  RunResult y = Gpsi(base + "--year 1900 --out " + Quote(*dir_ / "none"));
  EXPECT_EQ(y.exit_code, 2);
  EXPECT_NE(y.err.find("no year 1900"), std::string::npos) << y.err;
  EXPECT_EQ(Gpsi(base + "--lang fr --out " + Quote(*dir_ / "none")).exit_code, 2);
  EXPECT_EQ(Gpsi(base + "--lang en,fr --out " + Quote(*dir_ / "none")).exit_code, 2);
  EXPECT_FALSE(std::filesystem::exists(*dir_ / "none/index.html"));
  RunResult p = Gpsi(base + "--profiles " + scores_.ranked.front() + ",ATA --out " + Quote(*dir_ / "none"));
  EXPECT_EQ(p.exit_code, 2);
  EXPECT_NE(p.err.find("ATA is not ranked"), std::string::npos) << p.err;
  EXPECT_FALSE(std::filesystem::exists(*dir_ / "none")) << "a bad --profiles writes nothing";
}

}  // namespace
}  // namespace gpsi::test
