// The one number formatter and CSV quoter every table of gpsi is written with.
#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <limits>

#include "model.hpp"

namespace gpsi {
namespace {

TEST(ModelText, CsvNumberIsShortestRoundTripAndEmptyWhenMissing) {
  EXPECT_EQ(CsvNumber(0.1), "0.1");
  EXPECT_EQ(CsvNumber(-2.5), "-2.5");
  EXPECT_EQ(CsvNumber(1e21), "1e+21");
  EXPECT_EQ(CsvNumber(std::numeric_limits<double>::quiet_NaN()), "");
  for (double v : {1.0 / 3.0, 61.25, 3.6594991148657954, 5e-324}) {
    const std::string text = CsvNumber(v);
    double back = 0;
    std::from_chars(text.data(), text.data() + text.size(), back);
    EXPECT_EQ(back, v) << text;  // a reader gets the double exactly
  }
}

TEST(ModelText, CsvFieldQuotesOnlyWhatRfc4180Needs) {
  EXPECT_EQ(CsvField("plain"), "plain");
  EXPECT_EQ(CsvField(""), "");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(CsvField("cr\r"), "\"cr\r\"");
}

}  // namespace
}  // namespace gpsi
