// report::SelectionReportHtml: the selection report reads every figure from the campaign's results
// (nothing ranked again), names the selected as the model selects them, lists every sheet with its
// hash and the audit trail, escapes what applicants wrote, and refuses a campaign without results.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "report.hpp"
#include "test_util.hpp"

namespace gpsi::report {
namespace {

//! Three applications and two judges; the model's selection differs from the mean's, so that a
//! report reading the wrong method shows it.
engine::CampaignDetail Detail() {
  engine::CampaignDetail d;
  d.campaign.key = "prize";
  d.campaign.state = CampaignState::kPanel;
  d.campaign.rules_sha256 = std::string(64, 'a');
  d.campaign.created = "2026-11-01T08:00:00Z", d.campaign.opened = "2026-11-02T08:00:00Z";
  d.campaign.closed = "2026-11-20T08:00:00Z";
  d.title_en = "Excellent practice", d.title_zh = "优秀实践";
  d.seat = "secretariat";
  d.rules.criteria = {{"sys", "Security system", "安全体系", 2, {}},
                      {"soc", "Social responsibility", "社会责任", 1, {}}};
  d.rules.scale_min = 1, d.rules.scale_max = 5, d.rules.step = 0.5, d.rules.min_total = 4;
  d.rules.select = 1, d.rules.judges_per_application = 2, d.rules.tie_break = {"sys", "soc"};
  engine::EvalResults r;
  r.campaign = "prize", r.rules_sha256 = d.campaign.rules_sha256, r.sheets_sha256 = std::string(64, 'b');
  r.criteria = {"sys", "soc"};
  r.methods = {"mean", "median", "standardised", "model"};
  r.select = 1;
  auto standing = [](double total, int rank, bool selected) {
    return engine::EvalStanding{{total / 2, total / 2}, total, true, rank, selected};
  };
  // By the model A2 ranks first and is selected; by the mean A1 would be.
  r.applications = {{"A2",
                     "org-2",
                     "KEN",
                     "<b>Safe</b> streets",
                     {standing(8, 2, false), standing(8, 2, false), standing(1, 2, false), standing(8.4, 1, true)},
                     0.55,
                     true,
                     2},
                    {"A1",
                     "org-1",
                     "FRA",
                     "Harbour",
                     {standing(9, 1, true), standing(9, 1, true), standing(2, 1, true), standing(8.1, 2, false)},
                     0.45,
                     true,
                     2},
                    {"A3",
                     "org-3",
                     "PER",
                     "Market",
                     {standing(5, 3, false), standing(5, 3, false), standing(0, 3, false), standing(5.2, 3, false)},
                     0.0,
                     false,
                     2}};
  r.judges = {{"judge-01", 0.31, {0.1, -0.1}, 3, 4.2}, {"judge-02", -0.31, {-0.1, 0.1}, 3, 3.6}};
  r.icc = {{"ICC1", 0.61, 4.1, 2, 3, 0.04, 0.12, 0.93}, {"ICC2", 0.64, 4.3, 2, 2, 0.05, 0.15, 0.95}};
  r.alpha = 0.58, r.judges_per_application = 2, r.panel = 0.76, r.judges_for_075 = 1.9, r.judges_for_090 = 5.7;
  r.variances = {{"application", 0.5}, {"judge", 0.1}, {"residual", 0.2}};
  r.replicates = 1000, r.seed = 7, r.borderline_low = 0.1, r.borderline_high = 0.9;
  d.results = r;
  d.sheets = {{1, "A1", "judge-01", 1, {4, 4.5}, "", "", "2026-11-03T08:00:00.000001Z", std::string(64, 'c')},
              {2, "A1", "judge-01", 2, {4, 5}, "", "read again", "2026-11-04T08:00:00.000001Z", std::string(64, 'd')}};
  return d;
}

std::vector<AuditEntry> Trail() {
  AuditEntry e;
  e.seq = 41, e.at = "2026-11-20T08:00:00Z", e.actor = "sam", e.action = "campaign.close";
  e.target = "campaign:prize", e.hash = std::string(64, 'e');
  return {e};
}

TEST(SelectionReport, NamesTheModelsSelectionAndEverySheetAndEntry) {
  auto html = SelectionReportHtml(Detail(), Trail(), Edition{"en", "2026-12-01"});
  ASSERT_TRUE(html) << html.error().message;
  EXPECT_EQ(test::TableRowKeys(*html, "selected"), std::set<std::string>{"A2"})
      << "the model's selection, not the mean's";
  EXPECT_EQ(test::TableRowKeys(*html, "borderline"), (std::set<std::string>{"A1", "A2"}));
  EXPECT_EQ(test::TableRowKeys(*html, "ranking"), (std::set<std::string>{"A1", "A2", "A3"}));
  for (const char c : {'a', 'b', 'c', 'd', 'e'}) EXPECT_NE(html->find(std::string(64, c)), std::string::npos) << c;
  EXPECT_NE(html->find("read again"), std::string::npos);
  EXPECT_NE(html->find("campaign.close"), std::string::npos);
  EXPECT_NE(html->find("Security system"), std::string::npos);
  EXPECT_NE(html->find("0.120–0.930"), std::string::npos) << "an ICC's 95 % interval, as the results give it";
  EXPECT_NE(html->find("NeurIPS 2014"), std::string::npos);
  EXPECT_EQ(html->find("<b>Safe</b>"), std::string::npos) << "an applicant's text is escaped";
  EXPECT_NE(html->find("2026-12-01"), std::string::npos);
}

TEST(SelectionReport, TheChineseEditionSaysItInChinese) {
  auto zh = SelectionReportHtml(Detail(), Trail(), Edition{"zh", "2026-12-01"});
  ASSERT_TRUE(zh) << zh.error().message;
  EXPECT_NE(zh->find("<html lang=\"zh-Hans\">"), std::string::npos);
  EXPECT_NE(zh->find("优秀实践"), std::string::npos) << "the campaign's Chinese title";
  EXPECT_NE(zh->find("安全体系"), std::string::npos) << "the criteria's Chinese names";
  EXPECT_EQ(zh->find("Security system"), std::string::npos);
  EXPECT_EQ(test::TableRowKeys(*zh, "selected"), std::set<std::string>{"A2"});
}

TEST(SelectionReport, RefusesACampaignWithoutResultsAndAnUnknownLanguage) {
  auto d = Detail();
  EXPECT_FALSE(SelectionReportHtml(d, {}, Edition{"fr", ""}));
  d.results.reset();
  auto none = SelectionReportHtml(d, {}, Edition{"en", ""});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, Errc::kUsage);
}

}  // namespace
}  // namespace gpsi::report
