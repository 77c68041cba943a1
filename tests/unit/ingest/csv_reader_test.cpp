// Unit tests of detail::CsvReader (RFC 4180 with line and character-column positions).
// Expected positions are counted by hand from the inputs written in each test.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "detail/csv_reader.hpp"
#include "test_util.hpp"

namespace gpsi::detail {
namespace {

using test::TempDir;
using test::WriteFile;

//! A record copied out of the reader (its views die at the next Next()).
struct Rec {
  std::int64_t line = 0;
  std::vector<std::string> fields;
  std::vector<std::int64_t> columns;
  std::string raw;
  bool terminated = true;
};

class CsvReaderTest : public ::testing::Test {
 protected:
  //! Writes `text` to a file and reads every record with `delim`.
  std::vector<Rec> ReadAll(const std::string& text, char delim = ',') {
    std::string path = dir_ / "in.csv";
    WriteFile(path, text);
    std::FILE* f = std::fopen(path.c_str(), "rb");
    EXPECT_NE(f, nullptr);
    std::vector<Rec> out;
    try {
      CsvReader reader(f, delim, path);
      CsvRecord rec;
      while (reader.Next(rec)) {
        Rec r;
        r.line = rec.line;
        for (auto v : rec.fields) r.fields.emplace_back(v);
        r.columns = rec.columns;
        r.raw = std::string(rec.raw);
        r.terminated = rec.terminated;
        EXPECT_EQ(rec.fields.size(), rec.columns.size()) << "one column per field";
        out.push_back(std::move(r));
      }
    } catch (...) {
      std::fclose(f);
      throw;
    }
    std::fclose(f);
    return out;
  }
  TempDir dir_;
};

using Fields = std::vector<std::string>;
using Cols = std::vector<std::int64_t>;

TEST_F(CsvReaderTest, PlainRecords) {
  auto r = ReadAll("unit,year,value\nFRA,2020,1.5\n");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].fields, (Fields{"unit", "year", "value"}));
  EXPECT_EQ(r[0].columns, (Cols{1, 6, 11}));
  EXPECT_EQ(r[0].line, 1);
  EXPECT_EQ(r[1].fields, (Fields{"FRA", "2020", "1.5"}));
  EXPECT_EQ(r[1].columns, (Cols{1, 5, 10}));
  EXPECT_EQ(r[1].line, 2);
  EXPECT_TRUE(r[1].terminated);
  EXPECT_EQ(r[1].raw, "FRA,2020,1.5");
}

TEST_F(CsvReaderTest, QuotedFieldWithComma) {
  auto r = ReadAll("a,\"b,c\",d\n");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].fields, (Fields{"a", "b,c", "d"}));
  // a@1 ,@2 "@3 b@4 ,@5 c@6 "@7 ,@8 d@9: a quoted field starts at its opening quote.
  EXPECT_EQ(r[0].columns, (Cols{1, 3, 9}));
  EXPECT_EQ(r[0].raw, "a,\"b,c\",d");
}

TEST_F(CsvReaderTest, DoubledQuotes) {
  auto r = ReadAll("\"say \"\"hi\"\"\",x\n\"\"\"\",\"\"\n");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].fields, (Fields{"say \"hi\"", "x"}));
  // "say ""hi""" is 12 characters, then ',' at 13, x at 14.
  EXPECT_EQ(r[0].columns, (Cols{1, 14}));
  EXPECT_EQ(r[1].fields, (Fields{"\"", ""}));  // """" is one quote, "" is empty
  EXPECT_EQ(r[1].columns, (Cols{1, 6}));
}

TEST_F(CsvReaderTest, EmbeddedNewlinesAdvanceLineNumbers) {
  auto r = ReadAll("h1,h2\n\"line1\nline2\nline3\",b\nc,d\n\"x\ny\"\ne,f\n");
  ASSERT_EQ(r.size(), 5u);
  EXPECT_EQ(r[0].line, 1);
  EXPECT_EQ(r[1].line, 2);
  EXPECT_EQ(r[1].fields, (Fields{"line1\nline2\nline3", "b"}));
  EXPECT_EQ(r[2].line, 5);  // the quoted field took lines 2-4
  EXPECT_EQ(r[2].fields, (Fields{"c", "d"}));
  EXPECT_EQ(r[3].line, 6);
  EXPECT_EQ(r[3].fields, (Fields{"x\ny"}));
  EXPECT_EQ(r[4].line, 8);
  EXPECT_EQ(r[4].fields, (Fields{"e", "f"}));
}

TEST_F(CsvReaderTest, CrLfLineEnds) {
  auto r = ReadAll("a,b\r\nc,d\r\n\"q\r\nr\",s\r\nt,u\r\n");
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0].fields, (Fields{"a", "b"}));
  EXPECT_EQ(r[0].raw, "a,b");
  EXPECT_EQ(r[1].fields, (Fields{"c", "d"}));
  EXPECT_EQ(r[1].line, 2);
  EXPECT_EQ(r[2].line, 3);
  EXPECT_EQ(r[2].fields, (Fields{"q\r\nr", "s"}));  // a line break inside quotes is data
  EXPECT_EQ(r[3].line, 5);
  EXPECT_EQ(r[3].fields, (Fields{"t", "u"}));
}

TEST_F(CsvReaderTest, Utf8BomSkipped) {
  auto r = ReadAll("\xEF\xBB\xBFunit,year\nFRA,2020\n");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].fields, (Fields{"unit", "year"}));
  EXPECT_EQ(r[0].columns, (Cols{1, 6}));  // the BOM is not a character of the first column
  EXPECT_EQ(r[0].line, 1);
  EXPECT_EQ(r[0].raw, "unit,year");
}

TEST_F(CsvReaderTest, NoBomKeepsFirstBytes) {
  auto r = ReadAll("unit,year\n");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].fields, (Fields{"unit", "year"}));
}

TEST_F(CsvReaderTest, LeadingEfThatIsNotABomIsKept) {
  // U+FF21 FULLWIDTH A is EF BC A1: starts with 0xEF but is not a BOM.
  auto r = ReadAll("\xEF\xBC\xA1x,y\n");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].fields, (Fields{"\xEF\xBC\xA1x", "y"}));
  EXPECT_EQ(r[0].columns, (Cols{1, 4}));
}

TEST_F(CsvReaderTest, ShortFileStartingWithEfIsKept) {
  // Fewer than three bytes starting with 0xEF: the BOM probe must not swallow them.
  auto r = ReadAll("\xEF\xBB");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].fields, (Fields{"\xEF\xBB"}));
  EXPECT_FALSE(r[0].terminated);
}

TEST_F(CsvReaderTest, BomOnlyFileHasNoRecords) {
  EXPECT_TRUE(ReadAll("\xEF\xBB\xBF").empty());
  EXPECT_TRUE(ReadAll("").empty());
}

TEST_F(CsvReaderTest, SemicolonDelimiter) {
  auto r = ReadAll("a;b,c;\"d;e\"\n1;2;3\n", ';');
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].fields, (Fields{"a", "b,c", "d;e"}));
  EXPECT_EQ(r[0].columns, (Cols{1, 3, 7}));
  EXPECT_EQ(r[1].fields, (Fields{"1", "2", "3"}));
}

TEST_F(CsvReaderTest, TabDelimiter) {
  auto r = ReadAll("a\tb,c\n", '\t');
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].fields, (Fields{"a", "b,c"}));
}

TEST_F(CsvReaderTest, ColumnsCountCharactersNotBytes) {
  // 中 and 文 are 3 bytes each, é 2, 😀 4: columns count each as one character.
  auto r = ReadAll("中文,é,x,\xF0\x9F\x98\x80,z\n");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].fields, (Fields{"中文", "é", "x", "\xF0\x9F\x98\x80", "z"}));
  EXPECT_EQ(r[0].columns, (Cols{1, 4, 6, 8, 10}));
}

TEST_F(CsvReaderTest, ColumnsCountCharactersInsideQuotes) {
  auto r = ReadAll("\"Côte d’Ivoire\",CIV\n");
  ASSERT_EQ(r.size(), 1u);
  // "Côte d’Ivoire" = 13 characters + 2 quotes = 15, ',' at 16, CIV at 17.
  EXPECT_EQ(r[0].columns, (Cols{1, 17}));
}

TEST_F(CsvReaderTest, EmptyFields) {
  auto r = ReadAll(",a,,\n");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].fields, (Fields{"", "a", "", ""}));
  EXPECT_EQ(r[0].columns, (Cols{1, 2, 4, 5}));
}

TEST_F(CsvReaderTest, LastRecordWithoutNewline) {
  auto r = ReadAll("a,b\nc,d");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_TRUE(r[0].terminated);
  EXPECT_FALSE(r[1].terminated);
  EXPECT_EQ(r[1].fields, (Fields{"c", "d"}));
  EXPECT_EQ(r[1].line, 2);
}

TEST_F(CsvReaderTest, LastQuotedRecordWithoutNewline) {
  auto r = ReadAll("a,\"b\"");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_FALSE(r[0].terminated);
  EXPECT_EQ(r[0].fields, (Fields{"a", "b"}));
}

TEST_F(CsvReaderTest, UnterminatedQuoteThrowsTruncatedAtTheQuote) {
  std::string path = dir_ / "in.csv";
  try {
    ReadAll("a,b\nc,\"open\nmore,text\n");
    FAIL() << "no Failure thrown";
  } catch (const Failure& f) {
    EXPECT_EQ(f.error().code, Errc::kTruncated);
    EXPECT_EQ(f.error().file, path);
    EXPECT_EQ(f.error().line, 2);
    EXPECT_EQ(f.error().column, 3);
  }
}

TEST_F(CsvReaderTest, RecordLongerThanTheCapIsAnErrorNotUnboundedMemory) {
  // A quote opened on line 2 and never closed, with more text than the cap after it: the reader
  // stops at the cap instead of buffering the whole file.
  std::string text = "a,b\nc,\"";
  text.append(kMaxRecordBytes + (1 << 20), 'x');
  try {
    ReadAll(text);
    FAIL() << "no Failure thrown";
  } catch (const Failure& f) {
    EXPECT_EQ(f.error().code, Errc::kRecordTooLong);
    EXPECT_EQ(f.error().line, 2);
    EXPECT_EQ(Info(f.error().code).exit_code, 3);
  }
}

TEST_F(CsvReaderTest, UnterminatedQuoteAfterMultiByteText) {
  try {
    ReadAll("中文,\"x");
    FAIL() << "no Failure thrown";
  } catch (const Failure& f) {
    EXPECT_EQ(f.error().code, Errc::kTruncated);
    EXPECT_EQ(f.error().line, 1);
    EXPECT_EQ(f.error().column, 4);
  }
}

TEST_F(CsvReaderTest, BlankLinesAreEmptyRecords) {
  auto r = ReadAll("a\n\nb\n\r\nc\n");
  ASSERT_EQ(r.size(), 5u);
  EXPECT_EQ(r[0].fields, (Fields{"a"}));
  EXPECT_EQ(r[1].fields, (Fields{""}));
  EXPECT_EQ(r[1].line, 2);
  EXPECT_EQ(r[2].fields, (Fields{"b"}));
  EXPECT_EQ(r[2].line, 3);
  EXPECT_EQ(r[3].fields, (Fields{""}));
  EXPECT_EQ(r[4].fields, (Fields{"c"}));
  EXPECT_EQ(r[4].line, 5);
}

TEST_F(CsvReaderTest, RecordLongerThanTheBuffer) {
  const std::size_t kBig = (1u << 20) + (1u << 19);  // 1.5 MiB, more than the 1 MiB read buffer
  std::string big(kBig, 'x');
  auto r = ReadAll(big + ",y\n\"" + big + "\",z\nlast\n");
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].fields.size(), 2u);
  EXPECT_EQ(r[0].fields[0], big);
  EXPECT_EQ(r[0].fields[1], "y");
  EXPECT_EQ(r[0].columns, (Cols{1, static_cast<std::int64_t>(kBig) + 2}));
  EXPECT_EQ(r[1].line, 2);
  EXPECT_EQ(r[1].fields[0], big);
  EXPECT_EQ(r[1].fields[1], "z");
  EXPECT_EQ(r[2].fields, (Fields{"last"}));
  EXPECT_EQ(r[2].line, 3);
}

TEST_F(CsvReaderTest, DoubledQuoteSplitAtBufferBoundary) {
  // The first '"' of a doubled quote is the last byte of the first 1 MiB read.
  const std::size_t kBuf = 1u << 20;
  std::string text = "\"" + std::string(kBuf - 2, 'a') + "\"\"b\",c\n";
  ASSERT_EQ(text[kBuf - 1], '"');
  ASSERT_EQ(text[kBuf], '"');
  auto r = ReadAll(text);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].fields[0], std::string(kBuf - 2, 'a') + "\"b");
  EXPECT_EQ(r[0].fields[1], "c");
}

TEST_F(CsvReaderTest, ClosingQuoteAtBufferBoundary) {
  const std::size_t kBuf = 1u << 20;
  std::string text = "\"" + std::string(kBuf - 2, 'a') + "\",c\nd\n";
  ASSERT_EQ(text[kBuf - 1], '"');
  auto r = ReadAll(text);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].fields[0], std::string(kBuf - 2, 'a'));
  EXPECT_EQ(r[0].fields[1], "c");
  EXPECT_EQ(r[1].fields, (Fields{"d"}));
  EXPECT_EQ(r[1].line, 2);
}

TEST_F(CsvReaderTest, CrLfSplitAtBufferBoundary) {
  const std::size_t kBuf = 1u << 20;
  std::string text = std::string(kBuf - 1, 'a') + "\r\nb\r\n";
  ASSERT_EQ(text[kBuf - 1], '\r');
  auto r = ReadAll(text);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].fields[0], std::string(kBuf - 1, 'a'));
  EXPECT_EQ(r[1].fields, (Fields{"b"}));
  EXPECT_EQ(r[1].line, 2);
}

}  // namespace
}  // namespace gpsi::detail
