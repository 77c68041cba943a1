// A CSV file read as a header plus records, with columns looked up by name.
#pragma once

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "csv_reader.hpp"

namespace gpsi::detail {

//! Opens `path`, skips `skip_lines` records, reads the header (first non-empty record).
class Table {
 public:
  static Result<std::unique_ptr<Table>> Open(const std::string& path, char delimiter, int skip_lines = 0);
  //! Reads `text` (kept by the table) as if it were the file `path` (json_table.cpp).
  static Result<std::unique_ptr<Table>> OpenText(std::string text, const std::string& path, char delimiter,
                                                 int skip_lines = 0);
  //! Gives header column `i` another name (json_table.cpp: OWID's chart-named value column).
  void RenameColumn(std::size_t i, const std::string& name);
  ~Table();
  //! Index of a header column, if present (exact match after trimming).
  std::optional<std::size_t> Column(std::string_view name) const;
  //! Next data record (blank records are passed over).
  bool Next() {
    while (reader_.Next(rec_)) {
      if (rec_.fields.size() == 1 && Trim(rec_.fields[0]).empty()) continue;
      return true;
    }
    return false;
  }
  const CsvRecord& record() const { return rec_; }
  //! Field `i` of the current record, or empty when the record is short.
  std::string_view Field(std::size_t i) const { return i < rec_.fields.size() ? rec_.fields[i] : std::string_view(); }
  //! Trimmed text of the named column in the current record; empty when the column is absent.
  std::string Get(std::string_view column) const {
    auto c = Column(column);
    return c ? std::string(Trim(Field(*c))) : std::string();
  }
  const std::vector<std::string>& header() const { return header_; }
  std::int64_t header_line() const { return header_line_; }
  const std::vector<std::int64_t>& header_columns() const { return header_columns_; }
  const std::string& path() const { return path_; }

 private:
  Table(std::FILE* f, char delim, std::string path) : file_(f), reader_(f, delim, path), path_(std::move(path)) {}
  void TakeHeader();  // the current record becomes the header
  //! Skips `skip_lines` records and takes the header; `what` names the input in errors.
  Status Start(int skip_lines, const char* what);
  std::FILE* file_;
  CsvReader reader_;
  CsvRecord rec_;
  std::string path_;
  std::vector<std::string> header_;
  std::vector<std::int64_t> header_columns_;
  std::int64_t header_line_ = 0;
  std::unordered_map<std::string, std::size_t> index_;
  std::unique_ptr<std::string> buffer_;  //!< the text behind an OpenText table
};

}  // namespace gpsi::detail
