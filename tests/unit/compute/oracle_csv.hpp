// Test helper: reads the COINr oracle CSVs (../shared/oracle/…): comma-separated, strings
// quoted, numbers unquoted, empty cell = NA.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "compute.hpp"
#include "test_util.hpp"

namespace gpsi::compute::test {

struct Csv {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;

  //! Index of a header name, or -1.
  int Col(const std::string& name) const {
    for (std::size_t i = 0; i < header.size(); ++i)
      if (header[i] == name) return static_cast<int>(i);
    return -1;
  }
  //! A cell as a number (NaN when empty).
  static double Num(const std::string& s) { return s.empty() ? kNa : std::strtod(s.c_str(), nullptr); }
};

inline std::vector<std::string> SplitCsvLine(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char ch = line[i];
    if (quoted) {
      if (ch == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cur += '"';
        ++i;
      } else if (ch == '"') {
        quoted = false;
      } else {
        cur += ch;
      }
    } else if (ch == '"') {
      quoted = true;
    } else if (ch == ',') {
      out.push_back(cur);
      cur.clear();
    } else if (ch != '\r') {
      cur += ch;
    }
  }
  out.push_back(cur);
  return out;
}

inline Csv ReadCsv(const std::string& path) {
  Csv csv;
  const std::string text = gpsi::test::ReadFile(path);
  std::size_t pos = 0;
  bool first = true;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.empty()) continue;
    if (first) {
      csv.header = SplitCsvLine(line);
      first = false;
    } else {
      csv.rows.push_back(SplitCsvLine(line));
    }
  }
  return csv;
}

//! Path of a file of the default COINr ASEM oracle.
inline std::string Oracle(const std::string& file) {
  return std::string(GPSI_TEST_DATA) + "/../oracle/coinr-asem-default/" + file;
}

//! A data set (uCode + numeric columns) as a matrix; `codes` gets the column names.
inline Matrix ReadDset(const std::string& file, std::vector<std::string>& codes,
                       std::vector<std::string>* units = nullptr) {
  const Csv csv = ReadCsv(Oracle(file));
  codes.assign(csv.header.begin() + 1, csv.header.end());
  Matrix m(csv.rows.size(), codes.size());
  for (std::size_t r = 0; r < csv.rows.size(); ++r) {
    if (units) units->push_back(csv.rows[r][0]);
    for (std::size_t c = 0; c < codes.size(); ++c) m(r, c) = Csv::Num(csv.rows[r][c + 1]);
  }
  return m;
}

//! |a − b| ≤ tol·max(|a|, |b|), with NaN equal to NaN; absolute below 1e-300 scale.
//! The children (column indices in `col`) of each parent at one level of COINr's lineage table
//! (columns: indicator, then each level's aggregate), in first-seen order.
inline std::map<std::string, std::vector<std::size_t>> LineageChildren(const Csv& lin, std::size_t level,
                                                                       const std::map<std::string, std::size_t>& col) {
  std::map<std::string, std::vector<std::size_t>> children;
  for (const auto& row : lin.rows) {
    auto& ch = children[row[level]];
    const std::size_t child = col.at(row[level - 1]);
    if (std::find(ch.begin(), ch.end(), child) == ch.end()) ch.push_back(child);
  }
  return children;
}

inline ::testing::AssertionResult Near(double a, double b, double tol = 1e-9) {
  if (std::isnan(a) && std::isnan(b)) return ::testing::AssertionSuccess();
  const double scale = std::max(std::fabs(a), std::fabs(b));
  if (std::fabs(a - b) <= tol * scale || a == b) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << a << " vs " << b << " (rel diff " << std::fabs(a - b) / scale << ")";
}

}  // namespace gpsi::compute::test
