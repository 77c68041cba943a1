// Unit tests of the core module: error table and formatting, SHA-256, UTF-8 validation,
// name keys, number parsing. Expected values come from the standards (FIPS 180-4, Unicode
// 15 §3.9) and from ARCHITECTURE.md's exit-code contract, never from running the code.
#include <gtest/gtest.h>

#include <array>
#include <regex>
#include <set>
#include <string>

#include "core.hpp"

namespace gpsi {
namespace {

// ---------------------------------------------------------------------------------------------
// Error::Format and the error table

TEST(ErrorFormat, FileLineColumn) {
  Error e{Errc::kTruncated, "quoted field never closed", "data/x.csv", 12, 7};
  EXPECT_EQ(e.Format(), "data/x.csv:12:7: error: quoted field never closed");
}

TEST(ErrorFormat, FileAndLineWithoutColumn) {
  Error e{Errc::kBadHeader, "no year column", "data/x.csv", 3, 0};
  EXPECT_EQ(e.Format(), "data/x.csv:3: error: no year column");
}

TEST(ErrorFormat, FileOnly) {
  Error e{Errc::kIo, "cannot read", "missing.csv", 0, 0};
  EXPECT_EQ(e.Format(), "missing.csv: error: cannot read");
}

TEST(ErrorFormat, ColumnWithoutLineIsDropped) {
  // A column means nothing without its line.
  Error e{Errc::kIo, "cannot read", "f.csv", 0, 9};
  EXPECT_EQ(e.Format(), "f.csv: error: cannot read");
}

TEST(ErrorFormat, NoFile) {
  Error e{Errc::kUsage, "unknown option --frob", "", 0, 0};
  EXPECT_EQ(e.Format(), "error: unknown option --frob");
}

TEST(ErrorFormat, EmptyMessageFallsBackToTableMessage) {
  Error e{Errc::kEmptyFile, "", "empty.csv", 1, 1};
  EXPECT_EQ(e.Format(), "empty.csv:1:1: error: " + std::string(Info(Errc::kEmptyFile).message));
  EXPECT_FALSE(Info(Errc::kEmptyFile).message.empty());
}

TEST(ErrorInfo, ExitCodesFollowTheCliContract) {
  // ARCHITECTURE.md: 0 success, 1 internal error, 2 usage error, 3 rejected input.
  EXPECT_EQ(Info(Errc::kOk).exit_code, 0);
  EXPECT_EQ(Info(Errc::kInternal).exit_code, 1);
  EXPECT_EQ(Info(Errc::kUsage).exit_code, 2);
  for (Errc rejected : {Errc::kEmptyFile, Errc::kBinaryFile, Errc::kNotUtf8, Errc::kTruncated, Errc::kBadHeader,
                        Errc::kBadDescriptor, Errc::kMissingColumn, Errc::kNoDescriptor, Errc::kRejectedStrict}) {
    EXPECT_EQ(Info(rejected).exit_code, 3) << Info(rejected).id;
  }
  EXPECT_EQ(Info(Errc::kStoreCorrupt).exit_code, 1);
}

TEST(ErrorInfo, ErrorExitCodeUsesTable) {
  EXPECT_EQ((Error{Errc::kNotUtf8, "x"}).ExitCode(), 3);
  EXPECT_EQ((Error{Errc::kUsage, "x"}).ExitCode(), 2);
  EXPECT_EQ((Error{Errc::kInternal, "x"}).ExitCode(), 1);
}

TEST(ErrorInfo, EveryCodeHasItsOwnRowWithUniqueId) {
  std::set<std::string_view> ids;
  for (int i = 0; i <= static_cast<int>(Errc::kAmbiguousUnit); ++i) {
    Errc code = static_cast<Errc>(i);
    const ErrorInfo& info = Info(code);
    EXPECT_EQ(info.code, code) << "code " << i << " has no row of its own";
    EXPECT_FALSE(info.id.empty());
    EXPECT_FALSE(info.message.empty());
    EXPECT_TRUE(ids.insert(info.id).second) << "duplicate id " << info.id;
    EXPECT_TRUE(info.exit_code >= 0 && info.exit_code <= 3) << info.id;
    EXPECT_TRUE(info.http_status >= 200 && info.http_status < 600) << info.id;
  }
}

TEST(Failure, CarriesTheError) {
  try {
    throw Failure(Error{Errc::kTruncated, "open quote", "f.csv", 4, 2});
  } catch (const Failure& f) {
    EXPECT_EQ(f.error().code, Errc::kTruncated);
    EXPECT_EQ(f.error().line, 4);
    EXPECT_STREQ(f.what(), "open quote");
  }
}

TEST(Result, HoldsValueOrError) {
  Result<int> good = 5;
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 5);
  Result<int> bad = Error{Errc::kNotFound, "nope"};
  ASSERT_FALSE(bad.ok());
  EXPECT_FALSE(static_cast<bool>(bad));
  EXPECT_EQ(bad.error().code, Errc::kNotFound);
  EXPECT_TRUE(Ok().ok());
}

// ---------------------------------------------------------------------------------------------
// SHA-256: FIPS 180-4 / NIST CSRC example vectors

constexpr const char* kShaAbc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr const char* kShaEmpty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr const char* kSha448 = "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
constexpr const char* kMsg448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

TEST(Sha256, FipsVectors) {
  EXPECT_EQ(Sha256Hex("abc"), kShaAbc);
  EXPECT_EQ(Sha256Hex(""), kShaEmpty);
  EXPECT_EQ(Sha256Hex(kMsg448), kSha448);
}

TEST(Sha256, MillionA) {
  // FIPS 180-4 long message: one million repetitions of 'a'.
  EXPECT_EQ(Sha256Hex(std::string(1000000, 'a')), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, ChunkedEqualsOneShot) {
  std::string msg(kMsg448);
  for (std::size_t split = 0; split <= msg.size(); ++split) {
    Sha256 h;
    h.Update(std::string_view(msg).substr(0, split));
    h.Update(std::string_view(msg).substr(split));
    EXPECT_EQ(h.HexDigest(), kSha448) << "split at " << split;
  }
  Sha256 bytes;
  for (char c : msg) bytes.Update(&c, 1);
  EXPECT_EQ(bytes.HexDigest(), kSha448);
}

TEST(Sha256, NoUpdateIsEmptyDigest) {
  Sha256 h;
  EXPECT_EQ(h.HexDigest(), kShaEmpty);
}

// ---------------------------------------------------------------------------------------------
// Utf8Validator

TEST(Utf8Validator, AcceptsMultiByteText) {
  Utf8Validator v;
  // 2-byte é, 3-byte 中文 and ’, 4-byte 😀 (U+1F600), max U+10FFFF, U+D7FF and U+E000 around the surrogates.
  EXPECT_TRUE(v.Feed("Côte d’Ivoire 中文 \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF \xED\x9F\xBF \xEE\x80\x80"));
  EXPECT_FALSE(v.Incomplete());
}

TEST(Utf8Validator, RejectsOverlongTwoByte) {
  Utf8Validator v;
  EXPECT_FALSE(v.Feed(std::string("ab\xC0\x80", 4)));
  EXPECT_EQ(v.error_offset(), 2u);  // C0 can never start a well-formed sequence
}

TEST(Utf8Validator, RejectsC1LeadByte) {
  Utf8Validator v;
  EXPECT_FALSE(v.Feed("\xC1\xBF"));
  EXPECT_EQ(v.error_offset(), 0u);
}

TEST(Utf8Validator, RejectsOverlongThreeAndFourByte) {
  Utf8Validator three;
  EXPECT_FALSE(three.Feed("x\xE0\x80\xAF"));  // overlong '/'
  EXPECT_EQ(three.error_offset(), 2u);        // E0 needs A0..BF next
  Utf8Validator four;
  EXPECT_FALSE(four.Feed("\xF0\x8F\xBF\xBF"));  // overlong U+FFFF
  EXPECT_EQ(four.error_offset(), 1u);
}

TEST(Utf8Validator, RejectsSurrogates) {
  Utf8Validator v;
  EXPECT_FALSE(v.Feed("abc\xED\xA0\x80"));  // U+D800
  EXPECT_EQ(v.error_offset(), 4u);          // ED needs 80..9F next
}

TEST(Utf8Validator, RejectsAboveU10FFFF) {
  Utf8Validator a;
  EXPECT_FALSE(a.Feed("\xF4\x90\x80\x80"));
  EXPECT_EQ(a.error_offset(), 1u);
  Utf8Validator b;
  EXPECT_FALSE(b.Feed("ok\xF5\x80\x80\x80"));
  EXPECT_EQ(b.error_offset(), 2u);
}

TEST(Utf8Validator, RejectsLoneContinuationAndFF) {
  Utf8Validator a;
  EXPECT_FALSE(a.Feed("hello\x80"));
  EXPECT_EQ(a.error_offset(), 5u);
  Utf8Validator b;
  EXPECT_FALSE(b.Feed("\xFF"));
  EXPECT_EQ(b.error_offset(), 0u);
}

TEST(Utf8Validator, SequenceSplitAcrossFeeds) {
  // 中 = E4 B8 AD, 😀 = F0 9F 98 80
  Utf8Validator v;
  EXPECT_TRUE(v.Feed("a\xE4"));
  EXPECT_TRUE(v.Incomplete());
  EXPECT_TRUE(v.Feed("\xB8"));
  EXPECT_TRUE(v.Incomplete());
  EXPECT_TRUE(
      v.Feed("\xAD"
             "b\xF0\x9F"));
  EXPECT_TRUE(v.Incomplete());
  EXPECT_TRUE(v.Feed("\x98\x80"));
  EXPECT_FALSE(v.Incomplete());
}

TEST(Utf8Validator, SplitSurrogateRejectedInSecondChunk) {
  // The ED lead's narrowed range must survive the chunk boundary.
  Utf8Validator v;
  EXPECT_TRUE(v.Feed("12345\xED"));
  EXPECT_FALSE(v.Feed("\xA0\x80"));
  EXPECT_EQ(v.error_offset(), 6u);  // absolute offset, not offset within the chunk
}

TEST(Utf8Validator, TruncatedSequenceInterruptedByAscii) {
  Utf8Validator v;
  EXPECT_TRUE(v.Feed("ab\xE4\xB8"));
  EXPECT_FALSE(v.Feed("c"));
  EXPECT_EQ(v.error_offset(), 4u);
}

TEST(Utf8Validator, TruncatedAtEndIsIncomplete) {
  Utf8Validator v;
  EXPECT_TRUE(v.Feed("text\xF0\x9F\x98"));
  EXPECT_TRUE(v.Incomplete());
}

TEST(Utf8Validator, ErrorOffsetCountsEarlierChunks) {
  Utf8Validator v;
  EXPECT_TRUE(v.Feed(std::string(1000, 'x')));
  EXPECT_TRUE(v.Feed("é"));
  EXPECT_FALSE(v.Feed("ab\xC0"));
  EXPECT_EQ(v.error_offset(), 1000u + 2u + 2u);
}

// ---------------------------------------------------------------------------------------------
// NameKey

TEST(NameKey, CoteDIvoireSpellingsAgree) {
  std::string a = NameKey("Côte d’Ivoire");  // U+2019 apostrophe
  EXPECT_EQ(a, "cote divoire");
  EXPECT_EQ(NameKey("Cote d'Ivoire"), a);
  EXPECT_EQ(NameKey("COTE D'IVOIRE"), a);
  EXPECT_EQ(NameKey("Côte d'Ivoire"), a);
  // Decomposed input (o + U+0302 combining circumflex) gives the same key.
  EXPECT_EQ(NameKey("Co\xCC\x82te d'Ivoire"), a);
}

TEST(NameKey, PunctuationBecomesSingleSpaces) {
  EXPECT_EQ(NameKey("Korea, Rep."), "korea rep");
  EXPECT_EQ(NameKey("  Korea ,  Rep.  "), "korea rep");
  EXPECT_EQ(NameKey("Guinea-Bissau"), "guinea bissau");
  EXPECT_EQ(NameKey("Bosnia and Herzegovina"), "bosnia and herzegovina");
  EXPECT_EQ(NameKey("Hong Kong SAR, China"), "hong kong sar china");
}

TEST(NameKey, DiacriticsRemoved) {
  EXPECT_EQ(NameKey("Türkiye"), "turkiye");
  EXPECT_EQ(NameKey("Turkiye"), "turkiye");
  EXPECT_EQ(NameKey("Curaçao"), "curacao");
  EXPECT_EQ(NameKey("Réunion"), "reunion");
  EXPECT_EQ(NameKey("São Tomé and Príncipe"), "sao tome and principe");
}

TEST(NameKey, ChineseKept) {
  EXPECT_EQ(NameKey("中国"), "中国");
  EXPECT_EQ(NameKey("科特迪瓦"), "科特迪瓦");
  EXPECT_EQ(NameKey("中国 (香港)"), "中国 香港");
}

TEST(NameKey, CompatibilityFormsFolded) {
  EXPECT_EQ(NameKey("ＵＳＡ"), "usa");  // full-width letters
}

TEST(NameKey, EmptyAndPunctuationOnly) {
  EXPECT_EQ(NameKey(""), "");
  EXPECT_EQ(NameKey(" ,. - "), "");
}

// ---------------------------------------------------------------------------------------------
// Trim and ParseNumber

TEST(Trim, SpacesTabsCarriageReturns) {
  EXPECT_EQ(std::string(Trim("  x y \t\r")), "x y");
  EXPECT_EQ(std::string(Trim("")), "");
  EXPECT_EQ(std::string(Trim(" \t ")), "");
}

TEST(Trim, AllAsciiWhiteSpace) {
  // The header promises "ASCII white space": that includes LF, VT and FF.
  EXPECT_EQ(std::string(Trim("\n 12 \n")), "12");
  EXPECT_EQ(std::string(Trim("\f12\v")), "12");
}

TEST(ParseNumber, Integers) {
  EXPECT_EQ(ParseNumber("42"), 42.0);
  EXPECT_EQ(ParseNumber("-17"), -17.0);
  EXPECT_EQ(ParseNumber("0"), 0.0);
  EXPECT_EQ(ParseNumber("007"), 7.0);
}

TEST(ParseNumber, Decimals) {
  EXPECT_EQ(ParseNumber("3.25"), 3.25);
  EXPECT_EQ(ParseNumber("-0.5"), -0.5);
  EXPECT_EQ(ParseNumber("12.0"), 12.0);
}

TEST(ParseNumber, Exponents) {
  EXPECT_EQ(ParseNumber("1e3"), 1000.0);
  EXPECT_EQ(ParseNumber("2.5E-2"), 0.025);
  EXPECT_EQ(ParseNumber("-4e+1"), -40.0);
}

TEST(ParseNumber, LeadingPlusAndSurroundingSpaces) {
  EXPECT_EQ(ParseNumber("+7"), 7.0);
  EXPECT_EQ(ParseNumber("+1.5"), 1.5);
  EXPECT_EQ(ParseNumber("  12.5  "), 12.5);
  EXPECT_EQ(ParseNumber("\t9\r"), 9.0);
}

TEST(ParseNumber, Rejects) {
  for (const char* s :
       {"1,234", "1,5",      "abc",   "",      "   ", "+",    "-",  "nan",   "NaN", "-nan", "inf", "-inf",
        "+inf",  "Infinity", "1e999", "12abc", "1 2", "0x10", "1e", "1.2.3", "..",  "$5",   "5%"}) {
    EXPECT_FALSE(ParseNumber(s).has_value()) << "'" << s << "' parsed as " << ParseNumber(s).value_or(0);
  }
}

TEST(ParseNumber, RejectsDoubledSign) {
  // "+-1" is not a number as anyone writes it; stripping '+' must not let a '-' through.
  EXPECT_FALSE(ParseNumber("+-1").has_value());
  EXPECT_FALSE(ParseNumber("++1").has_value());
  EXPECT_FALSE(ParseNumber("+ 1").has_value());
}

}  // namespace
}  // namespace gpsi

namespace gpsi {
namespace {

TEST(CoreRng, SameSeedAndStreamSameSequenceOthersDiffer) {
  Rng a(42, 7), b(42, 7), c(42, 8), d(43, 7);
  int same_c = 0, same_d = 0;
  for (int i = 0; i < 100; ++i) {
    std::uint64_t x = a.Next();
    EXPECT_EQ(x, b.Next());
    same_c += x == c.Next();
    same_d += x == d.Next();
  }
  EXPECT_EQ(same_c, 0);
  EXPECT_EQ(same_d, 0);
}

TEST(CoreRng, UniformAndBelowAreInRangeAndRoughlyUniform) {
  Rng r(2025);
  double sum = 0;
  std::array<int, 5> bins{};
  const int n = 100000;
  for (int i = 0; i < n; ++i) {
    double u = r.Uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
    auto k = r.Below(5);
    ASSERT_LT(k, 5u);
    ++bins[k];
  }
  EXPECT_NEAR(sum / n, 0.5, 0.01);
  for (int b : bins) EXPECT_NEAR(b, n / 5, n / 50);
}

TEST(CoreTime, UtcTimesShareOneFormAndOrderAsText) {
  const std::string seconds = NowUtc(), micros = NowUtcMicros(), later = UtcInDays(1);
  const std::regex second_form(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)");
  EXPECT_TRUE(std::regex_match(seconds, second_form)) << seconds;
  EXPECT_TRUE(std::regex_match(later, second_form)) << later;
  EXPECT_TRUE(std::regex_match(micros, std::regex(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)"))) << micros;
  EXPECT_LE(seconds.substr(0, 19), micros.substr(0, 19));
  EXPECT_LT(micros, later);
  // Microsecond times taken one after another are distinct and ascend as text.
  std::string last = NowUtcMicros();
  for (int i = 0; i < 1000; ++i) {
    std::string next = NowUtcMicros();
    while (next == last) next = NowUtcMicros();
    ASSERT_LT(last, next);
    last = next;
  }
}

}  // namespace
TEST(CoreTime, ParseUtcReadsBackWhatUtcAtWritesAndNothingElse) {
  for (std::time_t t : {std::time_t{0}, std::time_t{951782400} /* 2000-02-29 */, std::time(nullptr)}) {
    EXPECT_EQ(ParseUtc(UtcAt(t)), t) << UtcAt(t);
  }
  for (const char* bad :
       {"", "2027-02-30T00:00:00Z", "2027-02-28T24:00:00Z", "2027-02-28T00:00:00", "2027-2-28T00:00:00Z",
        "2027-02-28 00:00:00Z", "2027-02-28T00:00:00Zx", "2027-02-28T00:00:60Z", "2027-13-01T00:00:00Z",
        "2027-02-28T00:00:00.5Z", " 2027-02-28T00:00:00Z"}) {
    EXPECT_FALSE(ParseUtc(bad)) << bad;
  }
}

}  // namespace gpsi
