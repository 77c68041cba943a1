// Helpers shared by the tests: temporary folders and running the gpsi binary.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace gpsi::test {

//! A fresh folder under the system temp dir, removed when the object goes.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / ("gpsi-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

//! Output and exit code of one command.
struct RunResult {
  int exit_code = -1;
  std::string out, err;
};

//! A shipped methodology file (methods/<name>) of the source tree.
inline std::string Methods(const std::string& name) {
  return std::string(GPSI_TESTS_DIR) + "/../methods/" + name;
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

//! Runs `command` through the shell (already quoted), capturing stdout and stderr.
inline RunResult Sh(const std::string& command) {
  TempDir tmp;
  std::string out = tmp / "out", err = tmp / "err";
  std::string cmd = "{ " + command + "; } >'" + out + "' 2>'" + err + "'";
  int status = std::system(cmd.c_str());
  RunResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = ReadFile(out);
  r.err = ReadFile(err);
  return r;
}

//! Runs `gpsi ARGS` through the shell (ARGS already quoted), capturing stdout and stderr.
inline RunResult Gpsi(const std::string& args, const std::string& cwd = "") {
  return Sh((cwd.empty() ? "" : "cd '" + cwd + "' && ") + std::string("'") + GPSI_BINARY + "' " + args);
}

//! Runs an R expression with Rscript (the oracle of several unit tests) and returns its standard
//! output; R's messages go to the captured stderr.
inline std::string RunR(const std::string& code) {
  return Sh("Rscript -e '" + code + "'").out;
}

//! Path of a file in the shared data folder.
inline std::string Data(const std::string& rel) {
  return std::string(GPSI_TEST_DATA) + "/" + rel;
}

//! Single-quotes a path or argument for the shell (a quote inside becomes '\'').
inline std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

//! Splits CSV text into rows of fields at every comma: exact for gpsi's own output files, which
//! have no quoted fields.
//! The fields of one CSV line (RFC 4180 within a line: quoted fields with commas and doubled
//! quotes; a carriage return is dropped). No field of the files the tests read spans lines.
inline std::vector<std::string> CsvLine(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        out.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        out.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.emplace_back();
    } else if (c != '\r') {
      out.back() += c;
    }
  }
  return out;
}

inline std::vector<std::vector<std::string>> Csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) rows.push_back(CsvLine(line));
  return rows;
}

//! The keys (data-application) of the rows of the report table `id` (data-table) in an HTML page.
inline std::set<std::string> TableRowKeys(const std::string& html, const std::string& id) {
  const auto start = html.find("<table data-table=\"" + id + "\">");
  if (start == std::string::npos) return {};
  const std::string table = html.substr(start, html.find("</table>", start) - start);
  static const std::regex kRow(R"re(<tr data-application="([^"]+)")re");
  std::set<std::string> out;
  for (auto m = std::sregex_iterator(table.begin(), table.end(), kRow); m != std::sregex_iterator(); ++m) {
    out.insert((*m)[1]);
  }
  return out;
}

}  // namespace gpsi::test
