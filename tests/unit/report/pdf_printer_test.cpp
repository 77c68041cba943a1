// report::PdfPrinter, the server's WeasyPrint process kept running (Debian's weasyprint, as make
// setup installs it): pages printed one after another by one process, the same page and date give
// the same bytes, and a page it cannot print is an error that leaves the printer working.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "report.hpp"

namespace gpsi::report {
namespace {

std::string Page(const std::string& body) {
  return "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>t</title>"
         "<meta name=\"dcterms.created\" content=\"2026-01-15\"></head><body><h1>" +
         body + "</h1></body></html>";
}

TEST(PdfPrinter, PrintsPageAfterPageWithTheSameBytesForTheSamePage) {
  PdfPrinter printer;
  ASSERT_TRUE(printer.Start());
  auto a = printer.Print(Page("Global Public Security Index 全球公共安全指数"), "2026-01-15");
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->rfind("%PDF-", 0), 0U);
  auto other = printer.Print(Page("Another page"), "2026-01-15");
  ASSERT_TRUE(other) << other.error().message;
  auto again = printer.Print(Page("Global Public Security Index 全球公共安全指数"), "2026-01-15");
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(*a == *again) << "the same page and date, the same bytes";
  EXPECT_FALSE(*a == *other);
}

TEST(PdfPrinter, APageItCannotPrintIsAnErrorAndTheNextOnePrints) {
  PdfPrinter printer;
  auto bad = printer.Print(Page("x"), "not-a-date");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::kIo);
  EXPECT_NE(bad.error().message.find("not-a-date"), std::string::npos) << bad.error().message;
  auto good = printer.Print(Page("y"), "2026-01-15");
  EXPECT_TRUE(good) << good.error().message;
}

TEST(PdfPrinter, PagesFromSeveralThreadsAllPrint) {
  PdfPrinter printer;
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);  // not vector<bool>: its elements share bytes across threads
  for (std::size_t k = 0; k < ok.size(); ++k) {
    threads.emplace_back([&, k] {
      auto pdf = printer.Print(Page("page " + std::to_string(k)), "2026-01-15");
      ok[k] = pdf && pdf->rfind("%PDF-", 0) == 0;
    });
  }
  for (auto& t : threads) t.join();
  for (std::size_t k = 0; k < ok.size(); ++k) EXPECT_TRUE(ok[k]) << "page " << k;
}

}  // namespace
}  // namespace gpsi::report
