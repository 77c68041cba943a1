#include "csv_reader.hpp"

#include <cstring>

#include <fmt/format.h>

namespace gpsi::detail {

namespace {
constexpr std::size_t kBuffer = 1 << 20;

bool Continuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}
}  // namespace

CsvReader::CsvReader(std::FILE* file, char delimiter, std::string path)
    : file_(file), delim_(delimiter), path_(std::move(path)), buf_(kBuffer + 1, '\n') {
  for (int c = 0x80; c < 0x100; ++c) stop_plain_[c] = stop_quoted_[c] = true;
  stop_plain_['\n'] = stop_plain_['\r'] = true;
  // Bytes are compared as unsigned values with the delimiter as an int: a negative char never matches.
  if (delimiter >= 0) stop_plain_[static_cast<unsigned char>(delimiter)] = true;
  stop_quoted_['"'] = stop_quoted_['\n'] = true;
}

void CsvReader::Refill() {
  if (pos_ > 0) {
    std::memmove(buf_.data(), buf_.data() + pos_, len_ - pos_);
    len_ -= pos_;
    pos_ = 0;
  }
  if (len_ + 1 == buf_.size()) {  // one record fills the buffer
    // Memory may grow with a record, never with the file: a record this long is an unclosed
    // quote or not a table at all.
    if (buf_.size() > kMaxRecordBytes) {
      throw Failure(Error{Errc::kRecordTooLong,
                          fmt::format("record longer than {} MiB (a quote never closed?)", kMaxRecordBytes >> 20),
                          path_, line_, 1});
    }
    buf_.resize(2 * buf_.size() - 1);
  }
  std::size_t n = std::fread(buf_.data() + len_, 1, buf_.size() - 1 - len_, file_);
  if (n == 0) eof_ = true;
  len_ += n;
  buf_[len_] = '\n';  // sentinel: every scan stops at the end of the input read so far
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
// Fields are views into buf_, or into unescaped_ (reserved once per record to the record's
// possible size, so it never moves while views into it are taken).
// Positions: `col` is the character column of the next byte (UTF-8 continuation bytes do not
// count); a line break inside quotes starts a new line at column 1.
CsvReader::Parse CsvReader::TryRecord(CsvRecord& rec) {
  const char* const begin = buf_.data() + pos_;
  const char* const end = buf_.data() + len_;  // *end is the sentinel '\n'
  if (begin == end) return eof_ ? Parse::kEnd : Parse::kMore;
  const int delim = delim_;  // see the constructor
  const char* p = begin;
  std::int64_t line = line_, col = 1;
  // Advances over unquoted field text up to the delimiter or line end (the sentinel ends it too).
  auto ScanPlain = [&](const char*& q, std::int64_t& c) {
    for (;;) {
      const char* run = q;
      while (!stop_plain_[static_cast<unsigned char>(*q)]) ++q;
      c += q - run;
      if (*q == '\n' || *q == '\r' || static_cast<unsigned char>(*q) == delim) break;
      c += Continuation(*q) ? 0 : 1;
      ++q;
    }
  };
  bool reserved = false;
  unescaped_.clear();
  rec.fields.clear();
  rec.columns.clear();
  rec.lines.clear();
  rec.columns.push_back(1);
  rec.lines.push_back(line);
  bool terminated = true;
  const char* raw_end = nullptr;
  for (;;) {  // one field per turn
    if (*p == '"' && delim != '"') {
      // The text is [piece, p) while it is one slice of buf_; once it is not, it is copied.
      const std::int64_t quote_line = line, quote_col = col;
      ++p, ++col;
      const char* piece = p;
      bool copied = false;
      std::size_t copy_from = 0;
      auto copy = [&](const char* piece_end) {
        if (!reserved) {
          unescaped_.reserve(static_cast<std::size_t>(end - begin));
          reserved = true;
        }
        if (!copied) {
          copied = true;
          copy_from = unescaped_.size();
        }
        unescaped_.append(piece, static_cast<std::size_t>(piece_end - piece));
      };
      for (;;) {
        const char* run = p;
        while (!stop_quoted_[static_cast<unsigned char>(*p)]) ++p;
        col += p - run;
        if (*p == '"') {
          if (p + 1 == end && !eof_) return Parse::kMore;  // a doubled quote may continue in the next read
          if (p[1] == '"') {                               // (the sentinel is never '"')
            copy(p + 1);                                   // keeps one quote
            p += 2, col += 2;
            piece = p;
            continue;
          }
          break;
        }
        if (*p == '\n') {
          if (p == end) {
            if (!eof_) return Parse::kMore;
            throw Failure(Error{Errc::kTruncated, "file is truncated: quoted field opened here is never closed", path_,
                                quote_line, quote_col});
          }
          ++line, col = 1;
        } else if (!Continuation(*p)) {
          ++col;
        }
        ++p;
      }
      const char* text_end = p;
      ++p, ++col;  // the closing quote
      // Text after the closing quote belongs to the field, quotes included.
      const char* rest = p;
      ScanPlain(p, col);
      if (p != rest || copied) {
        copy(text_end);
        piece = rest;
        copy(p);
        rec.fields.emplace_back(unescaped_.data() + copy_from, unescaped_.size() - copy_from);
      } else {
        rec.fields.emplace_back(piece, static_cast<std::size_t>(text_end - piece));
      }
    } else {
      const char* piece = p;
      ScanPlain(p, col);
      rec.fields.emplace_back(piece, static_cast<std::size_t>(p - piece));
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
  line_ = line;
  pos_ = static_cast<std::size_t>(p - buf_.data());
  return Parse::kRecord;
}

}  // namespace gpsi::detail
