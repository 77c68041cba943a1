// Unit tests of two ingest internals: detail::Table (header + records by column name) and
// detail::ReadMoFile (GNU gettext .mo catalogues, built here byte by byte from the format in
// the GNU gettext manual, "The Format of GNU MO Files").
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "detail/mo_file.hpp"
#include "detail/table.hpp"
#include "test_util.hpp"

namespace gpsi::detail {
namespace {

using test::TempDir;
using test::WriteFile;

// ---------------------------------------------------------------------------------------------
// Table

TEST(Table, HeaderColumnsAndRecords) {
  TempDir dir;
  WriteFile(dir / "t.csv", "\xEF\xBB\xBF unit , year,value\nFRA,2020,1.5\n\nDEU,2021\n");
  auto t = Table::Open(dir / "t.csv", ',');
  ASSERT_TRUE(t.ok()) << t.error().Format();
  Table& table = **t;
  EXPECT_EQ(table.header(), (std::vector<std::string>{"unit", "year", "value"}));  // trimmed
  EXPECT_EQ(table.header_line(), 1);
  EXPECT_EQ(table.Column("unit"), 0u);
  EXPECT_EQ(table.Column("value"), 2u);
  EXPECT_FALSE(table.Column("Value").has_value());  // exact match
  EXPECT_FALSE(table.Column("missing").has_value());
  ASSERT_TRUE(table.Next());
  EXPECT_EQ(table.Field(0), "FRA");
  EXPECT_EQ(table.Field(2), "1.5");
  EXPECT_EQ(table.record().line, 2);
  ASSERT_TRUE(table.Next());  // the blank line 3 is passed over
  EXPECT_EQ(table.record().line, 4);
  EXPECT_EQ(table.Field(0), "DEU");
  EXPECT_EQ(table.Field(2), "");  // short record
  EXPECT_EQ(table.Field(99), "");
  EXPECT_FALSE(table.Next());
}

TEST(Table, SkipLinesBeforeHeader) {
  TempDir dir;
  // World Bank CSVs carry four lines of metadata before the header.
  WriteFile(dir / "t.csv", "\"Data Source\",\"WDI\",\n\n\"Last Updated\",\"2024\",\n\nCode;2020\nFRA;1\n");
  auto t = Table::Open(dir / "t.csv", ';', 4);
  ASSERT_TRUE(t.ok()) << t.error().Format();
  EXPECT_EQ((*t)->header(), (std::vector<std::string>{"Code", "2020"}));
  EXPECT_EQ((*t)->header_line(), 5);
  EXPECT_EQ((*t)->header_columns(), (std::vector<std::int64_t>{1, 6}));
  ASSERT_TRUE((*t)->Next());
  EXPECT_EQ((*t)->Field(1), "1");
}

TEST(Table, Errors) {
  TempDir dir;
  auto missing = Table::Open(dir / "absent.csv", ',');
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, Errc::kIo);

  WriteFile(dir / "empty.csv", "\n\n");
  auto empty = Table::Open(dir / "empty.csv", ',');
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, Errc::kEmptyFile);

  WriteFile(dir / "short.csv", "one\n");
  auto short_file = Table::Open(dir / "short.csv", ',', 3);
  ASSERT_FALSE(short_file.ok());
  EXPECT_EQ(short_file.error().code, Errc::kBadHeader);
}

// ---------------------------------------------------------------------------------------------
// ReadMoFile

//! A .mo file with the given pairs (sorted by msgid, as msgfmt writes them), in either byte order.
std::string BuildMo(std::vector<std::pair<std::string, std::string>> pairs, bool big_endian = false) {
  auto u32 = [&](std::uint32_t v) {
    std::string b(4, '\0');
    for (int i = 0; i < 4; ++i) {
      int shift = big_endian ? 8 * (3 - i) : 8 * i;
      b[static_cast<std::size_t>(i)] = static_cast<char>((v >> shift) & 0xFF);
    }
    return b;
  };
  const std::uint32_t n = static_cast<std::uint32_t>(pairs.size());
  const std::uint32_t orig = 28, trans = orig + 8 * n, strings = trans + 8 * n;
  std::string head = u32(0x950412deU) + u32(0) + u32(n) + u32(orig) + u32(trans) + u32(0) + u32(strings);
  std::string otab, ttab, data;
  std::uint32_t off = strings;
  for (const auto& [id, str] : pairs) {
    otab += u32(static_cast<std::uint32_t>(id.size())) + u32(off);
    data += id + '\0';
    off += static_cast<std::uint32_t>(id.size()) + 1;
  }
  for (const auto& [id, str] : pairs) {
    ttab += u32(static_cast<std::uint32_t>(str.size())) + u32(off);
    data += str + '\0';
    off += static_cast<std::uint32_t>(str.size()) + 1;
  }
  return head + otab + ttab + data;
}

TEST(ReadMoFile, LittleAndBigEndian) {
  TempDir dir;
  for (bool big : {false, true}) {
    SCOPED_TRACE(big ? "big-endian" : "little-endian");
    std::string path = dir / (big ? "be.mo" : "le.mo");
    WriteFile(path, BuildMo({{"China", "中国"}, {"France", "法国"}, {"Viet Nam", "越南"}}, big));
    auto mo = ReadMoFile(path);
    ASSERT_TRUE(mo.ok()) << mo.error().Format();
    EXPECT_EQ(mo->size(), 3u);
    EXPECT_EQ(mo->at("China"), "中国");
    EXPECT_EQ(mo->at("France"), "法国");
    EXPECT_EQ(mo->at("Viet Nam"), "越南");
  }
}

TEST(ReadMoFile, MalformedFilesAreErrors) {
  TempDir dir;
  auto absent = ReadMoFile(dir / "absent.mo");
  ASSERT_FALSE(absent.ok());
  EXPECT_EQ(absent.error().code, Errc::kBadReference);

  WriteFile(dir / "short.mo", "abc");
  EXPECT_FALSE(ReadMoFile(dir / "short.mo").ok());

  std::string good = BuildMo({{"China", "中国"}});
  std::string bad_magic = good;
  bad_magic[0] = 'X';
  WriteFile(dir / "magic.mo", bad_magic);
  EXPECT_FALSE(ReadMoFile(dir / "magic.mo").ok());

  // Cut inside the string data: the last string's offset + length runs past the end.
  WriteFile(dir / "cut.mo", good.substr(0, good.size() - 4));
  auto cut = ReadMoFile(dir / "cut.mo");
  ASSERT_FALSE(cut.ok());
  EXPECT_EQ(cut.error().code, Errc::kBadReference);

  // A count so large that the offset tables run past the end.
  std::string huge = good;
  huge[8] = '\xFF', huge[9] = '\xFF', huge[10] = '\xFF', huge[11] = '\x0F';
  WriteFile(dir / "huge.mo", huge);
  EXPECT_FALSE(ReadMoFile(dir / "huge.mo").ok());
}

TEST(ReadMoFile, DebianIsoCodesChinese) {
  const std::string path = "/usr/share/locale/zh_CN/LC_MESSAGES/iso_3166-1.mo";
  auto mo = ReadMoFile(path);
  if (!mo.ok()) GTEST_SKIP() << "iso-codes zh_CN catalogue not installed";
  EXPECT_EQ(mo->at("China"), "中国");
  EXPECT_EQ(mo->at("France"), "法国");
  EXPECT_EQ(mo->at("Türkiye"), "土耳其");
}

}  // namespace
}  // namespace gpsi::detail
