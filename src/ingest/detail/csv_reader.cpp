#include "csv_reader.hpp"

#include <cstring>

#include <fmt/format.h>

namespace gpsi::detail {

CsvReader::CsvReader(std::FILE* file, char delimiter, std::string path)
    : file_(file), delim_(delimiter), path_(std::move(path)), buf_(1 << 20) {}

void CsvReader::Refill() {
  if (pos_ > 0) {
    std::memmove(buf_.data(), buf_.data() + pos_, len_ - pos_);
    len_ -= pos_;
    pos_ = 0;
  }
  if (len_ == buf_.size()) buf_.resize(buf_.size() * 2);  // one record fills the buffer
  std::size_t n = std::fread(buf_.data() + len_, 1, buf_.size() - len_, file_);
  if (n == 0) eof_ = true;
  len_ += n;
}

bool CsvReader::Next(CsvRecord& rec) {
  if (first_) {
    first_ = false;
    while (len_ < 3 && !eof_) Refill();
    if (len_ >= 3 && std::memcmp(buf_.data(), "\xEF\xBB\xBF", 3) == 0) pos_ = 3;
  }
  for (;;) {
    switch (TryRecord(rec)) {
      case Parse::kRecord: return true;
      case Parse::kEnd: return false;
      case Parse::kMore: Refill(); break;
    }
  }
}

// One pass over the record's bytes with the state in locals; nothing is committed (pos_, line_)
// until the record is complete, so a record cut by the buffer end is parsed again after Refill().
// Positions: `col` is the character column of the next byte (UTF-8 continuation bytes do not
// count); a line break inside quotes starts a new line at column 1.
CsvReader::Parse CsvReader::TryRecord(CsvRecord& rec) {
  const char* const begin = buf_.data() + pos_;
  const char* const end = buf_.data() + len_;
  const char* p = begin;
  const char delim = delim_;
  if (p == end) return eof_ ? Parse::kEnd : Parse::kMore;
  std::int64_t line = line_, col = 1;
  unescaped_.clear();
  spans_.clear();
  rec.columns.clear();
  rec.lines.clear();
  rec.columns.push_back(1);
  rec.lines.push_back(line);
  bool terminated = true;
  const char* raw_end = nullptr;
  for (;;) {  // one field per turn
    // The field's text is [piece, p) while it is one contiguous piece; `copied` once it is not.
    const char* piece = p;
    bool copied = false;
    std::size_t copy_from = 0;
    auto to_copy = [&](const char* piece_end) {
      if (!copied) {
        copied = true;
        copy_from = unescaped_.size();
      }
      unescaped_.append(piece, static_cast<std::size_t>(piece_end - piece));
    };
    if (p != end && *p == '"' && delim != '"') {
      const std::int64_t quote_line = line, quote_col = col;
      ++p, ++col;
      piece = p;
      for (;;) {
        if (p == end) {
          if (!eof_) return Parse::kMore;
          throw Failure(Error{Errc::kTruncated, "file is truncated: quoted field opened here is never closed", path_,
                              quote_line, quote_col});
        }
        char c = *p;
        if (c == '"') {
          if (p + 1 == end && !eof_) return Parse::kMore;  // a doubled quote may continue in the next read
          if (p + 1 != end && p[1] == '"') {
            to_copy(p + 1);  // keeps one quote
            p += 2, col += 2;
            piece = p;
            continue;
          }
          break;
        }
        if (c == '\n') {
          ++line, col = 1;
        } else if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
          ++col;
        }
        ++p;
      }
      if (copied) to_copy(p);
      const char* text_end = p;
      ++p, ++col;  // the closing quote
      // Text after the closing quote belongs to the field, quotes included.
      const char* rest = p;
      while (p != end && *p != '\n' && *p != '\r' && *p != delim) {
        if ((static_cast<unsigned char>(*p) & 0xC0) != 0x80) ++col;
        ++p;
      }
      if (p != rest) {
        if (!copied) to_copy(text_end);
        piece = rest;
        to_copy(p);
      }
      if (copied) {
        spans_.push_back({copy_from, unescaped_.size() - copy_from, true});
      } else {
        spans_.push_back(
            {static_cast<std::size_t>(piece - buf_.data()), static_cast<std::size_t>(text_end - piece), false});
      }
    } else {
      while (p != end && *p != '\n' && *p != '\r' && *p != delim) {
        if ((static_cast<unsigned char>(*p) & 0xC0) != 0x80) ++col;
        ++p;
      }
      spans_.push_back({static_cast<std::size_t>(piece - buf_.data()), static_cast<std::size_t>(p - piece), false});
    }
    if (p == end) {
      if (!eof_) return Parse::kMore;
      terminated = false;  // the file ends without a line end
      raw_end = p;
      break;
    }
    if (*p == '\n') {
      raw_end = p++;
      ++line;
      break;
    }
    if (*p == '\r') {
      if (p + 1 == end && !eof_) return Parse::kMore;  // CR LF may be split by the buffer end
      raw_end = p;
      p += (p + 1 != end && p[1] == '\n') ? 2 : 1;
      ++line;
      break;
    }
    ++p, ++col;  // the delimiter
    rec.columns.push_back(col);
    rec.lines.push_back(line);
  }
  rec.raw = std::string_view(begin, static_cast<std::size_t>(raw_end - begin));
  rec.line = line_;
  rec.terminated = terminated;
  rec.fields.clear();
  for (const Span& s : spans_) {
    rec.fields.emplace_back((s.copied ? unescaped_.data() : buf_.data()) + s.offset, s.size);
  }
  line_ = line;
  pos_ = static_cast<std::size_t>(p - buf_.data());
  return Parse::kRecord;
}

}  // namespace gpsi::detail
