// PDFs of the report's pages: WeasyPrint in worker processes (report.hpp WritePdfs). WeasyPrint,
// not headless Chromium: it embeds fonts as subset CID fonts (Chromium's print writes Type 3),
// writes bookmarks from the headings and page numbers into the table of contents
// (target-counter), and writes no creation date but the one the page states, so the bytes are
// reproducible; Chromium stamps the time of printing. docs/report.md has the measurements.
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "page.hpp"
#include "report.hpp"

extern char** environ;

namespace gpsi::report {
namespace {

//! Starts the driver for one worker's share; its pid, or −1 with errno set.
pid_t StartWorker(const std::vector<PdfJob>& jobs, const std::string& date, int worker, int workers) {
  std::vector<std::string> args{
      "/usr/bin/python3",     "-c", std::string(detail::kTemplates.at("pdf.py")), date, std::to_string(worker),
      std::to_string(workers)};
  for (const auto& j : jobs) args.push_back(j.html), args.push_back(j.pdf);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  // Debian's python3 by its path: it is the one with Debian's weasyprint, whatever python3 comes first.
  const int rc = posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ);
  if (rc != 0) errno = rc;
  return rc == 0 ? pid : -1;
}

}  // namespace

Status WritePdfs(const std::vector<PdfJob>& jobs, const std::string& date, int workers) {
  if (jobs.empty()) return Ok();
  workers = std::max(1, std::min<int>(workers, static_cast<int>(jobs.size())));
  std::vector<pid_t> started;
  std::string failure;
  for (int k = 0; k < workers; ++k) {
    const pid_t pid = StartWorker(jobs, date, k, workers);
    if (pid < 0) {
      failure = fmt::format("cannot run /usr/bin/python3 for WeasyPrint: {}", std::strerror(errno));
      break;
    }
    started.push_back(pid);
  }
  for (pid_t pid : started) {
    int status = 0;
    if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      if (failure.empty()) failure = "WeasyPrint failed to print the report (its message is above)";
    }
  }
  if (!failure.empty()) return Error{Errc::kIo, failure};
  return Ok();
}

}  // namespace gpsi::report
