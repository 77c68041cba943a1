// PDFs of the report's pages: WeasyPrint in worker processes (report.hpp WritePdfs). WeasyPrint,
// not headless Chromium: it embeds fonts as subset CID fonts (Chromium's print writes Type 3),
// writes bookmarks from the headings and page numbers into the table of contents
// (target-counter), and writes no creation date but the one the page states, so the bytes are
// reproducible; Chromium stamps the time of printing. docs/report.md has the measurements.
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include <fmt/format.h>

#include "page.hpp"
#include "report.hpp"

extern char** environ;

namespace gpsi::report {
namespace {

//! The driver's command line: Debian's python3 by its path (the one with Debian's weasyprint,
//! whatever python3 comes first on PATH), the compiled-in driver, then `extra`.
std::vector<std::string> DriverArgs(std::vector<std::string> extra) {
  std::vector<std::string> args{"/usr/bin/python3", "-c", std::string(detail::kTemplates.at("pdf.py"))};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

//! posix_spawn of `args` with `actions`; the pid, or −1 with errno set.
pid_t Spawn(std::vector<std::string> args, const posix_spawn_file_actions_t* actions) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], actions, nullptr, argv.data(), environ);
  if (rc != 0) errno = rc;
  return rc == 0 ? pid : -1;
}

//! Starts a worker on the jobs (each takes the next page no other has claimed); its pid, or −1
//! with errno set.
pid_t StartWorker(const std::vector<PdfJob>& jobs, const std::string& date) {
  std::vector<std::string> extra{date};
  for (const auto& j : jobs) extra.insert(extra.end(), {j.edition, j.html, j.pdf});
  return Spawn(DriverArgs(std::move(extra)), nullptr);
}

//! Removes the workers' claim files (PDF.claim): before a run, any a failed run left; after, theirs.
void RemoveClaims(const std::vector<PdfJob>& jobs) {
  for (const auto& j : jobs) std::remove((j.pdf + ".claim").c_str());
}

}  // namespace

Status WritePdfs(const std::vector<PdfJob>& jobs, const std::string& date, int workers) {
  if (jobs.empty()) return Ok();
  workers = std::max(1, std::min<int>(workers, static_cast<int>(jobs.size())));
  RemoveClaims(jobs);
  std::vector<pid_t> started;
  std::string failure;
  for (int k = 0; k < workers; ++k) {
    const pid_t pid = StartWorker(jobs, date);
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
  RemoveClaims(jobs);
  if (!failure.empty()) return Error{Errc::kIo, failure};
  return Ok();
}

// ---- PdfPrinter: one driver in serve mode, spoken to over a socket pair (its stdin and stdout) ----

struct PdfPrinter::Process {
  std::mutex mu;
  pid_t pid = -1;
  int fd = -1;         // our end of the socket pair
  std::string unread;  // what the driver wrote past the last answer read

  bool Running() const { return pid > 0; }

  Status Start() {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
      return Error{Errc::kIo, fmt::format("cannot talk to WeasyPrint: {}", std::strerror(errno))};
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, sv[1], STDIN_FILENO);  // dup2 clears close-on-exec
    posix_spawn_file_actions_adddup2(&actions, sv[1], STDOUT_FILENO);
    // Nothing else of the server's (its listening socket, clients' connections) stays open in the
    // driver: a connection must close when the server closes it, not when the driver ends.
    posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1);
    pid = Spawn(DriverArgs({"--serve"}), &actions);
    const int spawn_errno = errno;
    posix_spawn_file_actions_destroy(&actions);
    close(sv[1]);
    if (pid < 0) {
      close(sv[0]);
      return Error{Errc::kIo,
                   fmt::format("cannot run /usr/bin/python3 for WeasyPrint: {}", std::strerror(spawn_errno))};
    }
    fd = sv[0];
    unread.clear();
    return Ok();
  }

  //! Ends the driver between jobs: it holds nothing to finish (no page in print, no files).
  void Stop() {
    if (!Running()) return;
    kill(pid, SIGKILL);
    close(fd);
    waitpid(pid, nullptr, 0);
    pid = -1, fd = -1;
  }

  //! Sends one job line and reads its answer line; kIo when the driver is gone or silent.
  Result<std::string> Exchange(const std::string& job) {
    for (std::size_t sent = 0; sent < job.size();) {
      const ssize_t n = send(fd, job.data() + sent, job.size() - sent, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return Error{Errc::kIo, "WeasyPrint stopped"};
      sent += static_cast<std::size_t>(n);
    }
    for (std::size_t eol; (eol = unread.find('\n')) == std::string::npos;) {
      pollfd p{fd, POLLIN, 0};
      // A page prints in about a second; two minutes means the driver hangs.
      const int ready = poll(&p, 1, 120000);
      if (ready < 0 && errno == EINTR) continue;
      if (ready <= 0) return Error{Errc::kIo, "WeasyPrint does not answer"};
      char buf[512];
      const ssize_t n = recv(fd, buf, sizeof buf, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return Error{Errc::kIo, "WeasyPrint stopped (its message is above)"};
      unread.append(buf, static_cast<std::size_t>(n));
    }
    const std::size_t eol = unread.find('\n');
    std::string answer = unread.substr(0, eol);
    unread.erase(0, eol + 1);
    return answer;
  }

  //! Has the driver print `page` to `pdf`: its answer, or kIo when it is gone (it is then stopped).
  Result<std::string> Job(const std::filesystem::path& page, const std::filesystem::path& pdf,
                          const std::string& date) {
    if (!Running()) {
      if (auto st = Start(); !st) return st.error();
    }
    auto answer = Exchange(fmt::format("{}\t{}\t{}\n", date, page.string(), pdf.string()));
    if (!answer) Stop();
    return answer;
  }
};

PdfPrinter::PdfPrinter() : process_(std::make_unique<Process>()) {}

PdfPrinter::~PdfPrinter() {
  const std::lock_guard lock(process_->mu);
  process_->Stop();
}

Status PdfPrinter::Start() {
  const std::lock_guard lock(process_->mu);
  return process_->Running() ? Ok() : process_->Start();
}

Result<std::string> PdfPrinter::Print(const std::string& html, const std::string& date) {
  namespace fs = std::filesystem;
  std::string folder = (fs::temp_directory_path() / "gpsi-report-XXXXXX").string();
  if (!mkdtemp(folder.data())) return Error{Errc::kIo, "cannot make a folder to print the report in"};
  const fs::path page = fs::path(folder) / "page.html", pdf = fs::path(folder) / "page.pdf";
  Result<std::string> out = Error{Errc::kIo, "cannot write the page to print: " + page.string()};
  if (std::ofstream(page, std::ios::binary) << html) {
    const std::lock_guard lock(process_->mu);
    const bool was_running = process_->Running();
    auto answer = process_->Job(page, pdf, date);
    if (!answer && was_running) answer = process_->Job(page, pdf, date);  // it may have died since: once more
    if (!answer) {
      out = answer.error();
    } else if (*answer != "ok") {
      out = Error{Errc::kIo, "WeasyPrint cannot print the page: " + answer->substr(answer->find(' ') + 1)};
    } else {
      std::stringstream bytes;
      bytes << std::ifstream(pdf, std::ios::binary).rdbuf();
      out = bytes.str();
    }
  }
  std::error_code ec;
  fs::remove_all(folder, ec);
  return out;
}

}  // namespace gpsi::report
