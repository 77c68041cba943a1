// The bad-input corpus, tests/bad_input/<case>/ (format in tests/bad_input/README.md): each case
// is one `gpsi ingest` of one input into a store that already holds a known-good file, checked
// against the case's expect.toml: exit code, the exact stderr line, and either an unchanged store
// (rejected input) or the quarantine rows and accepted count of the new file.
#include <sqlite3.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <sys/stat.h>

#include <gtest/gtest.h>
#include <toml++/toml.h>

#include "test_util.hpp"

namespace gpsi::test {
namespace {

namespace fs = std::filesystem;

const fs::path kCases = fs::path(GPSI_TESTS_DIR) / "bad_input";

// The file every case's store holds before the case runs.
constexpr const char* kGood =
    "unit,year,indicator,value\n"
    "FRA,2020,test.good,1.5\n"
    "DEU,2020,test.good,2\n"
    "JPN,2021,test.good,3\n";

std::vector<std::string> CaseNames() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(kCases, ec)) {
    if (e.is_directory() && fs::exists(e.path() / "expect.toml")) names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// input_bytes: a TOML literal string whose \xHH, \n, \r, \t and \\ escapes the runner decodes, so a
// case can hold bytes that are not valid UTF-8 text (Latin-1, NUL, a truncated sequence).
std::string Decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out += s[i];
      continue;
    }
    char n = s[++i];
    if (n == 'x' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else if (n == 'n') {
      out += '\n';
    } else if (n == 'r') {
      out += '\r';
    } else if (n == 't') {
      out += '\t';
    } else {
      out += n;
    }
  }
  return out;
}

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size()))
    s.replace(p, from.size(), to);
  return s;
}

// A read-only connection for assertions.
class Db {
 public:
  explicit Db(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << "cannot open " << path;
    }
  }
  ~Db() { sqlite3_close_v2(db_); }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  //! Rows of `sql` as text, with ?1 bound to `arg` when given.
  std::vector<std::vector<std::string>> Query(const std::string& sql, std::optional<std::int64_t> arg = {}) {
    std::vector<std::vector<std::string>> rows;
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_);
      return rows;
    }
    if (arg) sqlite3_bind_int64(st, 1, *arg);
    while (sqlite3_step(st) == SQLITE_ROW) {
      auto& row = rows.emplace_back();
      for (int i = 0; i < sqlite3_column_count(st); ++i) {
        const unsigned char* t = sqlite3_column_text(st, i);
        row.emplace_back(t ? reinterpret_cast<const char*>(t) : "");
      }
    }
    sqlite3_finalize(st);
    return rows;
  }
  std::int64_t Int(const std::string& sql, std::optional<std::int64_t> arg = {}) {
    auto rows = Query(sql, arg);
    return rows.empty() || rows[0].empty() ? -1 : std::stoll(rows[0][0]);
  }

 private:
  sqlite3* db_ = nullptr;
};

// What "the store is unchanged" compares: row counts of every table and the full export.
struct Snapshot {
  std::map<std::string, std::int64_t> counts;
  std::string export_csv;
  bool operator==(const Snapshot&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Snapshot& s) {
  for (const auto& [t, n] : s.counts) os << t << "=" << n << " ";
  return os << "\n" << s.export_csv;
}

Snapshot Snap(const std::string& work) {
  Snapshot s;
  {
    Db db(work + "/store.db");
    for (const char* t :
         {"units", "unit_names", "unit_groups", "sources", "files", "indicators", "observations", "quarantine"}) {
      s.counts[t] = db.Int(std::string("SELECT count(*) FROM ") + t);
    }
  }
  RunResult r = Gpsi("--db store.db export --all-sources", work);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  s.export_csv = r.out;
  return s;
}

// Temporary raw copies left in the blob folder by a rejected ingest.
std::vector<std::string> TempBlobs(const std::string& work) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(work + "/store.db.blobs", ec)) {
    if (e.path().filename().string().rfind(".tmp", 0) == 0) out.push_back(e.path().string());
  }
  return out;
}

// A GPSI_HOME whose data/reference is the project's plus `extra_units` rows (for the ambiguous case).
std::string MakeHome(const std::string& work, const toml::array& extra_units) {
  fs::path ref = fs::path(work) / "home" / "data" / "reference";
  fs::create_directories(ref);
  for (const auto& e : fs::directory_iterator(fs::path(GPSI_TESTS_DIR) / ".." / "data" / "reference")) {
    fs::copy_file(e.path(), ref / e.path().filename());
  }
  std::string units = ReadFile((ref / "extra_units.csv").string());
  if (!units.empty() && units.back() != '\n') units += '\n';
  for (const auto& row : extra_units) units += row.value_or(std::string()) + "\n";
  WriteFile((ref / "extra_units.csv").string(), units);
  return (fs::path(work) / "home").string();
}

const std::set<std::string> kKeys{"description", "args",    "input",      "input_kind",   "input_bytes",
                                  "extra_units", "exit",    "stderr",     "stderr_regex", "store_unchanged",
                                  "accepted",    "skipped", "quarantine", "repeat"};

class BadInput : public ::testing::TestWithParam<std::string> {};

TEST_P(BadInput, Case) {
  const fs::path dir = kCases / GetParam();
  toml::table expect;
  try {
    expect = toml::parse_file((dir / "expect.toml").string());
  } catch (const toml::parse_error& e) {
    FAIL() << dir << "/expect.toml: " << e.what();
  }
  for (const auto& [k, v] : expect) ASSERT_TRUE(kKeys.count(std::string(k.str()))) << "unknown key " << k.str();
  auto exit_code = expect["exit"].value<std::int64_t>();
  ASSERT_TRUE(exit_code) << "expect.toml needs exit";

  TempDir tmp;
  const std::string work = tmp.path().string();
  fs::create_directories(tmp.path() / "no-descriptors");  // no descriptor matches: only the canonical layout

  // The store: optionally a tweaked reference, then one known-good file so that it is not empty.
  if (const toml::array* extra = expect["extra_units"].as_array()) {
    ::setenv("GPSI_HOME", MakeHome(work, *extra).c_str(), 1);
    RunResult init = Gpsi("--db store.db init", work);
    ::unsetenv("GPSI_HOME");
    ASSERT_EQ(init.exit_code, 0) << init.err;
  }
  WriteFile(tmp / "good.csv", kGood);
  RunResult good = Gpsi("--db store.db ingest --descriptors no-descriptors good.csv", work);
  ASSERT_EQ(good.exit_code, 0) << good.err;
  const Snapshot before = Snap(work);
  ASSERT_EQ(before.counts.at("observations"), 3);
  ASSERT_EQ(before.counts.at("files"), 1);

  // The input: its bytes go to input.csv; `input` is the path given to gpsi.
  const std::string input = expect["input"].value_or(std::string("input.csv"));
  const std::string kind = expect["input_kind"].value_or(std::string("file"));
  std::optional<std::string> bytes;
  if (auto b = expect["input_bytes"].value<std::string>()) {
    bytes = Decode(*b);
  } else if (fs::exists(dir / "input.csv")) {
    bytes = ReadFile((dir / "input.csv").string());
  }
  if (kind == "file") {
    ASSERT_TRUE(bytes) << "no input.csv or input_bytes";
    WriteFile(tmp / input, *bytes);
  } else {
    ASSERT_TRUE(kind == "missing" || kind == "directory" || kind == "fifo") << "input_kind: " << kind;
    if (bytes) WriteFile(tmp / "input.csv", *bytes);
    if (kind == "directory") fs::create_directories(tmp.path() / input);
    if (kind == "fifo") {
      ASSERT_EQ(::mkfifo((tmp.path() / input).c_str(), 0600), 0);
    }
  }
  const bool has_descriptor = fs::exists(dir / "descriptor.toml");
  if (has_descriptor) fs::copy_file(dir / "descriptor.toml", tmp.path() / "descriptor.toml");
  std::string args = std::string("--db store.db ingest ") +
                     (has_descriptor ? "--descriptor descriptor.toml" : "--descriptors no-descriptors");
  if (const toml::array* extra = expect["args"].as_array()) {
    for (const auto& a : *extra) args += " " + Quote(a.value_or(std::string()));
  }
  args += " " + Quote(input);

  const RunResult r = Gpsi(args, work);
  SCOPED_TRACE("gpsi " + args + "\nstdout:\n" + r.out + "stderr:\n" + r.err);
  EXPECT_EQ(r.exit_code, *exit_code);
  auto subst = [&](const std::string& s) {
    return Replace(Replace(s, "{input}", input), "{descriptor}", "descriptor.toml");
  };
  if (auto line = expect["stderr"].value<std::string>()) {
    EXPECT_EQ(r.err, line->empty() ? std::string() : subst(*line) + "\n");
  } else if (auto re = expect["stderr_regex"].value<std::string>()) {
    EXPECT_TRUE(std::regex_match(r.err, std::regex(subst(*re) + "\n"))) << "stderr does not match " << *re;
  } else {
    ADD_FAILURE() << "expect.toml needs stderr or stderr_regex";
  }

  const Snapshot after = Snap(work);
  if (expect["store_unchanged"].value_or(*exit_code != 0)) {
    EXPECT_EQ(after, before) << "the store changed";
    EXPECT_EQ(TempBlobs(work), std::vector<std::string>{}) << "temporary raw copies left behind";
    return;
  }

  // Row-level case: one new file with exactly the expected quarantine rows and accepted count.
  ASSERT_EQ(after.counts.at("files"), before.counts.at("files") + 1);
  Db db(work + "/store.db");
  const std::int64_t file = db.Int("SELECT max(id) FROM files");
  std::vector<std::tuple<std::int64_t, std::int64_t, std::string>> got, want;
  for (const auto& row :
       db.Query("SELECT line, \"column\", reason FROM quarantine WHERE file = ?1 ORDER BY id", file)) {
    got.emplace_back(std::stoll(row[0]), std::stoll(row[1]), row[2]);
  }
  if (const toml::array* q = expect["quarantine"].as_array()) {
    for (const auto& e : *q) {
      const toml::table& t = *e.as_table();
      want.emplace_back(t["line"].value_or(std::int64_t{0}), t["column"].value_or(std::int64_t{0}),
                        t["reason"].value_or(std::string()));
    }
  }
  EXPECT_EQ(got, want) << "quarantine rows (line, column, reason)";
  EXPECT_EQ(db.Int("SELECT count(*) FROM quarantine WHERE file <> ?1", file), before.counts.at("quarantine"));
  if (auto accepted = expect["accepted"].value<std::int64_t>()) {
    EXPECT_EQ(db.Int("SELECT count(*) FROM observations WHERE file = ?1", file), *accepted);
    EXPECT_EQ(db.Int("SELECT rows_accepted FROM files WHERE id = ?1", file), *accepted);
  }
  if (auto skipped = expect["skipped"].value<std::int64_t>()) {
    EXPECT_EQ(db.Int("SELECT rows_skipped FROM files WHERE id = ?1", file), *skipped);
  }
  EXPECT_EQ(db.Int("SELECT count(*) FROM observations WHERE file <> ?1", file), before.counts.at("observations"));

  if (expect["repeat"].value_or(false)) {
    // The same bytes again: a no-op.
    RunResult again = Gpsi(args, work);
    EXPECT_EQ(again.exit_code, 0) << again.err;
    EXPECT_EQ(again.err, "");
    EXPECT_EQ(Snap(work), after) << "re-ingesting the same file changed the store";
  }
}

INSTANTIATE_TEST_SUITE_P(Corpus, BadInput, ::testing::ValuesIn(CaseNames()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

TEST(BadInputCorpus, HasCases) {
  EXPECT_GE(CaseNames().size(), 24u);
}

}  // namespace
}  // namespace gpsi::test
