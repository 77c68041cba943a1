// The report's string table (src/report/templates/strings.toml): both languages say the same
// things, with the same named numbers, so that an edition cannot lose a figure the other shows.
#include <gtest/gtest.h>
#include <toml++/toml.h>

#include <map>
#include <regex>
#include <set>
#include <string>
#include <string_view>

namespace gpsi::report::detail {
extern const std::map<std::string_view, std::string_view> kTemplates;
}  // namespace gpsi::report::detail

namespace gpsi::report {
namespace {

//! Each key's placeholders ({n}, {year}…).
std::map<std::string, std::set<std::string>> Keys(const toml::table& t) {
  static const std::regex kPlaceholder(R"(\{([a-z_]+)\})");
  std::map<std::string, std::set<std::string>> out;
  for (const auto& [k, v] : t) {
    const std::string text = v.value_or(std::string());
    auto& names = out[std::string(k.str())];
    for (auto m = std::sregex_iterator(text.begin(), text.end(), kPlaceholder); m != std::sregex_iterator(); ++m) {
      names.insert((*m)[1]);
    }
    EXPECT_FALSE(text.empty()) << k.str();
  }
  return out;
}

TEST(ReportStrings, BothLanguagesHaveTheSameKeysAndPlaceholders) {
  const auto root = toml::parse(detail::kTemplates.at("strings.toml"), std::string_view("strings.toml"));
  ASSERT_TRUE(root["en"].is_table());
  ASSERT_TRUE(root["zh"].is_table());
  const auto en = Keys(*root["en"].as_table()), zh = Keys(*root["zh"].as_table());
  EXPECT_GT(en.size(), 30U);
  EXPECT_EQ(en, zh);
  for (const auto& code : {"002", "009", "019", "142", "150"}) {
    EXPECT_TRUE(root["region_zh"][code].is_string()) << "M49 region " << code;
  }
}

TEST(ReportStrings, TheTemplatesAreCompiledIn) {
  for (const char* name : {"report.html", "table.html", "strings.toml"}) {
    ASSERT_TRUE(detail::kTemplates.contains(name)) << name;
    EXPECT_GT(detail::kTemplates.at(name).size(), 100U) << name;
  }
}

}  // namespace
}  // namespace gpsi::report
