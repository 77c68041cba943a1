// gpsi report (docs/report.md): the annual report's numbers are the build's. Over the store of all
// shared data, the top and bottom 10 and the full ranking of the report, in English and Chinese,
// give the ranks and scores of `gpsi build`'s scores.csv and the intervals of `gpsi uncertainty`'s
// rank_stats.csv with the same runs and seed.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <regex>
#include <string>

#include <fmt/format.h>

#include "shared_store.hpp"
#include "test_util.hpp"

namespace gpsi::test {
namespace {

const std::string kMethod = std::string(GPSI_TESTS_DIR) + "/../methods/gpsi.toml";

//! A table of the report, by data-table id: each row's unit and its cells by data-col.
using Rows = std::vector<std::pair<std::string, std::map<std::string, std::string>>>;
Rows TableRows(const std::string& html, const std::string& id) {
  Rows out;
  const auto start = html.find("<table data-table=\"" + id + "\">");
  if (start == std::string::npos) return out;
  const std::string table = html.substr(start, html.find("</table>", start) - start);
  static const std::regex kRow(R"re(<tr data-unit="([^"]*)">(.*?)</tr>)re");
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

class ReportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string& db = SharedStore();
    ASSERT_FALSE(db.empty());
    dir_ = std::make_unique<TempDir>();
    const std::string base = "--db " + Quote(db) + " ";
    ASSERT_EQ(Gpsi(base + "build --method " + Quote(kMethod) + " --out " + Quote(*dir_ / "build")).exit_code, 0);
    ASSERT_EQ(
        Gpsi(base + "uncertainty --method " + Quote(kMethod) + " --samples 40 --seed 7 --out " + Quote(*dir_ / "unc"))
            .exit_code,
        0);
    for (const char* lang : {"en", "zh"}) {
      RunResult r = Gpsi(base + "report --method " + Quote(kMethod) + " --intervals 40 --seed 7 --lang " + lang +
                         " --out " + Quote(*dir_ / lang));
      ASSERT_EQ(r.exit_code, 0) << r.err;
      EXPECT_EQ(r.out, (*dir_ / lang) + "/index.html\n");
      html_[lang] = ReadFile(r.out.substr(0, r.out.size() - 1));
    }
  }
  static void TearDownTestSuite() { dir_.reset(); }

  static inline std::unique_ptr<TempDir> dir_;
  static inline std::map<std::string, std::string> html_;
};

TEST_F(ReportTest, ItsRanksScoresAndIntervalsAreTheBuildsInBothLanguages) {
  // scores.csv: year,unit,code,level,value,rank,flags; the index is the highest level.
  auto scores = Csv(ReadFile(*dir_ / "build/scores.csv"));
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
  for (const auto& r : Csv(ReadFile(*dir_ / "unc/rank_stats.csv"))) {
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
  // The run and data hash of the title page are the build's.
  EXPECT_NE(html.find("data-field=\"data-hash\"><code>"), std::string::npos);
}

TEST_F(ReportTest, AYearTheBuildLacksOrAnUnknownLanguageIsAUsageError) {
  const std::string base = "--db " + Quote(SharedStore()) + " report --method " + Quote(kMethod) + " --intervals 0 ";
  RunResult y = Gpsi(base + "--year 1900 --out " + Quote(*dir_ / "none"));
  EXPECT_EQ(y.exit_code, 2);
  EXPECT_NE(y.err.find("no year 1900"), std::string::npos) << y.err;
  EXPECT_EQ(Gpsi(base + "--lang fr --out " + Quote(*dir_ / "none")).exit_code, 2);
  EXPECT_FALSE(std::filesystem::exists(*dir_ / "none/index.html"));
}

}  // namespace
}  // namespace gpsi::test
