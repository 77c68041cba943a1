// multipart/form-data (src/server/detail/form_data.hpp): the bodies browsers and curl send, and
// every malformed one refused with the defect it has.
#include <gtest/gtest.h>

#include <string>

#include "detail/form_data.hpp"

namespace gpsi::server::detail {
namespace {

constexpr std::string_view kType = "multipart/form-data; boundary=----WebKitFormBoundaryx7Q";

//! A body as Chromium's FormData writes it: each field a part, CRLF line ends, the closing delimiter.
std::string Body(const std::vector<std::pair<std::string, std::string>>& parts) {
  std::string out;
  for (const auto& [disposition, content] : parts) {
    out += "------WebKitFormBoundaryx7Q\r\nContent-Disposition: form-data; " + disposition + "\r\n";
    if (disposition.find("filename") != std::string::npos) out += "Content-Type: text/csv\r\n";
    out += "\r\n" + content + "\r\n";
  }
  return out + "------WebKitFormBoundaryx7Q--\r\n";
}

TEST(FormData, ReadsEachFieldWithItsFileNameAndExactBytes) {
  // The content keeps its own CRLFs, a lone "--", and a boundary without the CRLF before it.
  const std::string csv = "unit,year,indicator,value\r\nFRA,2020,x,1\r\n--\r\n----WebKitFormBoundaryx7Q";
  const std::string body =
      Body({{"name=\"file\"; filename=\"crime 2024.csv\"", csv}, {"name=\"descriptor\"; filename=\"d.toml\"", ""}});
  auto parts = ParseFormData(kType, body);
  ASSERT_TRUE(parts) << parts.error().message;
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].name, "file");
  EXPECT_EQ((*parts)[0].filename, "crime 2024.csv");
  EXPECT_EQ((*parts)[0].content, csv);
  EXPECT_EQ((*parts)[1].name, "descriptor");
  EXPECT_EQ((*parts)[1].content, "");
}

TEST(FormData, TakesQuotedBoundariesEscapesPreambleAndPaddingAsRfc2046Allows) {
  const std::string body =
      "a preamble\r\n--b:1 'x'  \r\ncontent-disposition: FORM-DATA; NAME = \"a\\\"b\" ; filename=plain.csv\r\n\r\n"
      "v\r\n--b:1 'x'--epilogue";
  auto parts = ParseFormData("Multipart/Form-Data; charset=utf-8; boundary=\"b:1 'x'\"", body);
  ASSERT_TRUE(parts) << parts.error().message;
  ASSERT_EQ(parts->size(), 1u);
  EXPECT_EQ((*parts)[0].name, "a\"b");
  EXPECT_EQ((*parts)[0].filename, "plain.csv");
  EXPECT_EQ((*parts)[0].content, "v");
  auto none = ParseFormData(kType, "------WebKitFormBoundaryx7Q--\r\n");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST(FormData, RecognisesItsMediaTypeOnly) {
  EXPECT_TRUE(IsFormData(kType));
  EXPECT_TRUE(IsFormData(" MULTIPART/form-data ;boundary=x"));
  EXPECT_FALSE(IsFormData("text/csv"));
  EXPECT_FALSE(IsFormData("multipart/mixed; boundary=x"));
  EXPECT_FALSE(IsFormData(""));
}

struct Malformed {
  const char* what;
  std::string content_type, body, says;
};

TEST(FormData, RefusesEachMalformedBodyWithItsDefect) {
  const std::string ok = Body({{"name=\"file\"", "x"}});
  const std::vector<Malformed> cases{
      {"not a form", "text/csv", ok, "not multipart/form-data"},
      {"no boundary", "multipart/form-data", ok, "needs a boundary"},
      {"boundary too long", "multipart/form-data; boundary=" + std::string(71, 'b'), ok, "needs a boundary"},
      {"boundary with a bad character", "multipart/form-data; boundary=a\"b", ok, "needs a boundary"},
      {"unterminated quote", "multipart/form-data; boundary=\"abc", ok, "not multipart/form-data"},
      {"no delimiter", std::string(kType), "unit,year\r\n", "no delimiter line"},
      {"truncated", std::string(kType), ok.substr(0, ok.size() - 30), "truncated"},
      {"no closing delimiter", std::string(kType), ok.substr(0, ok.size() - 4), "must end in CRLF"},
      {"junk after a delimiter", std::string(kType), "------WebKitFormBoundaryx7Qjunk\r\n", "must end in CRLF"},
      {"no headers end", std::string(kType),
       "------WebKitFormBoundaryx7Q\r\nContent-Disposition: form-data; name=a\r\n------WebKitFormBoundaryx7Q--",
       "must end in an empty line"},
      {"no header at all", std::string(kType), "------WebKitFormBoundaryx7Q\r\n\r\nx\r\n------WebKitFormBoundaryx7Q--",
       "Content-Disposition"},
      {"header line without colon", std::string(kType), Body({{"name=a\r\nnonsense", "x"}}), "header line"},
      {"no name", std::string(kType), Body({{"filename=\"a.csv\"", "x"}}), "Content-Disposition"},
      {"empty name", std::string(kType), Body({{"name=\"\"", "x"}}), "Content-Disposition"},
      {"not form-data", std::string(kType),
       "------WebKitFormBoundaryx7Q\r\nContent-Disposition: attachment; "
       "name=a\r\n\r\nx\r\n------WebKitFormBoundaryx7Q--",
       "Content-Disposition"},
      {"two dispositions", std::string(kType), Body({{"name=a\r\nContent-Disposition: form-data; name=b", "x"}}),
       "Content-Disposition"},
      {"a parameter twice", std::string(kType), Body({{"name=a; name=b", "x"}}), "Content-Disposition"},
      {"a field twice", std::string(kType), Body({{"name=\"file\"", "x"}, {"name=\"file\"", "y"}}), "given twice"},
  };
  for (const auto& c : cases) {
    auto parts = ParseFormData(c.content_type, c.body);
    ASSERT_FALSE(parts) << c.what;
    EXPECT_EQ(parts.error().code, Errc::kUsage) << c.what;
    EXPECT_NE(parts.error().message.find(c.says), std::string::npos) << c.what << ": " << parts.error().message;
  }
}

}  // namespace
}  // namespace gpsi::server::detail
