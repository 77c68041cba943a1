// Streaming CSV (RFC 4180) reader that keeps the line and column of every field.
// Hand-written because the error contract needs file:line:column for each field and
// libcsv/rapidcsv report no source positions (rapidcsv also loads the whole file).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "core.hpp"

namespace gpsi::detail {

//! One CSV record: fields (unquoted, unescaped), 1-based start line, and the 1-based
//! column (in characters) where each field starts.
struct CsvRecord {
  std::int64_t line = 0;
  std::vector<std::string_view> fields;
  std::vector<std::int64_t> columns;
  std::string_view raw;    //!< the record's bytes as read, without the line end
  bool terminated = true;  //!< false when the file ended without a line end after it
};

//! Reads records one at a time from a stdio stream with a fixed-size buffer, so memory does not
//! grow with file size. A UTF-8 BOM at the start is skipped.
class CsvReader {
 public:
  CsvReader(std::FILE* file, char delimiter, std::string path);
  //! Next record; false at the end. Throws Failure(kTruncated) on a quoted field left open at EOF.
  bool Next(CsvRecord& record);
  //! Lines consumed so far.
  std::int64_t line() const { return line_; }

 private:
  int Get();
  std::FILE* file_;
  char delim_;
  std::string path_;
  std::vector<char> buf_;
  std::size_t pos_ = 0, len_ = 0;
  bool eof_ = false, first_ = true;
  std::int64_t line_ = 1;
  std::string fields_, raw_;
  std::vector<std::size_t> bounds_;
};

}  // namespace gpsi::detail
