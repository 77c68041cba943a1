// Streaming CSV (RFC 4180) reader that keeps the line and column of every field.
// Hand-written because the error contract needs file:line:column for each field and
// libcsv/rapidcsv report no source positions (rapidcsv also loads the whole file).
#pragma once

#include <array>
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
  std::vector<std::int64_t> lines;  //!< 1-based line where each field starts (after a quoted line break, > line)
  std::string_view raw;             //!< the record's bytes as read, without the line end
  bool terminated = true;           //!< false when the file ended without a line end after it
};

//! Longest record the reader accepts; a longer one ends the file with Errc::kRecordTooLong.
inline constexpr std::size_t kMaxRecordBytes = std::size_t{64} << 20;

//! Reads records one at a time from a stdio stream with a fixed-size buffer, so memory does not
//! grow with file size. A UTF-8 BOM at the start is skipped.
class CsvReader {
 public:
  CsvReader(std::FILE* file, char delimiter, std::string path);
  //! Next record; false at the end. Throws Failure(kTruncated) on a quoted field left open at EOF.
  bool Next(CsvRecord& record);
  //! Line number of the next record to be read (1-based).
  std::int64_t line() const { return line_; }

 private:
  enum class Parse { kRecord, kEnd, kMore };
  //! Parses one record from buf_[pos_, len_); kMore when the buffer ends first and more input may follow.
  Parse TryRecord(CsvRecord& record);
  //! Moves the unparsed bytes to the front and reads more, growing the buffer when a record fills
  //! it; sets eof_ at the end of input.
  void Refill();
  std::FILE* file_;
  char delim_;
  std::string path_;
  std::vector<char> buf_;  //!< input window [pos_, len_), then a sentinel '\n' at len_
  std::size_t pos_ = 0, len_ = 0;
  bool eof_ = false, first_ = true;
  std::int64_t line_ = 1;
  //! Text of the fields that are not a slice of buf_ (with "" or text after a closing quote).
  std::string unescaped_;
  //! Bytes that end a run of plain ASCII text outside quotes (line ends, the delimiter, non-ASCII)
  //! and inside quotes ('"', '\n', non-ASCII).
  std::array<bool, 256> stop_plain_{}, stop_quoted_{};
};

}  // namespace gpsi::detail
