#include "csv_reader.hpp"

#include <cstring>

#include <fmt/format.h>

namespace gpsi::detail {

CsvReader::CsvReader(std::FILE* file, char delimiter, std::string path)
    : file_(file), delim_(delimiter), path_(std::move(path)), buf_(1 << 20) {}

int CsvReader::Get() {
  if (pos_ == len_) {
    if (eof_) return EOF;
    len_ = std::fread(buf_.data(), 1, buf_.size(), file_);
    pos_ = 0;
    if (len_ == 0) {
      eof_ = true;
      return EOF;
    }
  }
  return static_cast<unsigned char>(buf_[pos_++]);
}

bool CsvReader::Next(CsvRecord& rec) {
  if (first_) {
    first_ = false;
    // The first read holds the file's first bytes (fread fills the buffer unless the file ends),
    // so the BOM is checked there without consuming anything that is not one.
    if (Get() != EOF) {
      --pos_;
      if (len_ >= 3 && std::memcmp(buf_.data(), "\xEF\xBB\xBF", 3) == 0) pos_ = 3;
    }
  }
  fields_.clear();
  raw_.clear();
  bounds_.clear();
  rec.columns.clear();
  rec.line = line_;
  std::int64_t col = 1;  // character column of the next byte
  bool in_quotes = false, field_start = true, any = false, was_quoted = false;
  std::int64_t quote_line = 0, quote_col = 0;
  rec.columns.push_back(1);
  for (;;) {
    int c = Get();
    if (c == EOF) {
      if (in_quotes) {
        throw Failure(Error{Errc::kTruncated, "file is truncated: quoted field opened here is never closed", path_,
                            quote_line, quote_col});
      }
      if (!any) return false;
      rec.terminated = false;
      break;
    }
    any = true;
    if (in_quotes) {
      if (c == '"') {
        int d = Get();
        if (d == '"') {
          fields_ += '"';
          raw_ += "\"\"";
          col += 2;
          continue;
        }
        in_quotes = false;
        raw_ += '"';
        ++col;
        if (d != EOF) --pos_;
        continue;
      }
      fields_ += static_cast<char>(c);
      raw_ += static_cast<char>(c);
      if (c == '\n') {
        ++line_;
        col = 1;
      } else if ((c & 0xC0) != 0x80) {
        ++col;
      }
      continue;
    }
    if (c == '\n') {
      ++line_;
      rec.terminated = true;
      break;
    }
    if (c == '\r') {
      int d = Get();
      if (d != '\n' && d != EOF) --pos_;
      ++line_;
      rec.terminated = true;
      break;
    }
    raw_ += static_cast<char>(c);
    if (c == delim_) {
      bounds_.push_back(fields_.size());
      ++col;
      rec.columns.push_back(col);
      field_start = true;
      was_quoted = false;
      continue;
    }
    if (c == '"' && field_start && !was_quoted) {
      in_quotes = true;
      was_quoted = true;
      quote_line = line_;
      quote_col = col;
      ++col;
      field_start = false;
      continue;
    }
    field_start = false;
    fields_ += static_cast<char>(c);
    if ((c & 0xC0) != 0x80) ++col;
  }
  bounds_.push_back(fields_.size());
  rec.fields.clear();
  std::size_t start = 0;
  for (std::size_t end : bounds_) {
    rec.fields.emplace_back(fields_.data() + start, end - start);
    start = end;
  }
  rec.raw = raw_;
  return true;
}

}  // namespace gpsi::detail
