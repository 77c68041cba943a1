// Fuzz target: the streaming CSV reader (gpsi::detail::CsvReader) over arbitrary bytes, read with
// ',' and with ';' as delimiter. Besides crashes and sanitizer reports it checks the record
// invariants the ingest relies on; the only exception allowed is Failure(kTruncated).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "detail/csv_reader.hpp"

namespace {

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "csv_reader invariant violated: %s\n", what);
    std::abort();
  }
}

void ReadAll(const std::uint8_t* data, std::size_t size, char delimiter) {
  std::vector<char> bytes(data, data + size);  // fmemopen wants a mutable buffer
  std::FILE* f = size > 0 ? fmemopen(bytes.data(), size, "rb") : std::fopen("/dev/null", "rb");
  Check(f != nullptr, "cannot open the input stream");
  gpsi::detail::CsvReader reader(f, delimiter, "fuzz.csv");
  gpsi::detail::CsvRecord rec;
  std::int64_t last_line = 0;
  std::size_t raw_total = 0;
  try {
    while (reader.Next(rec)) {
      Check(!rec.fields.empty(), "a record has at least one field");
      Check(rec.columns.size() == rec.fields.size() && rec.lines.size() == rec.fields.size(),
            "one column and one line per field");
      Check(rec.line > last_line, "records start on increasing lines");
      last_line = rec.line;
      for (std::size_t i = 0; i < rec.fields.size(); ++i) {
        Check(rec.columns[i] >= 1, "columns are 1-based");
        Check(rec.lines[i] >= (i == 0 ? rec.line : rec.lines[i - 1]), "field lines do not go back");
      }
      Check(reader.line() >= rec.lines.back(), "the reader is past the record");
      raw_total += rec.raw.size();
      Check(raw_total <= size, "raw records are no longer than the input");
      // Without quotes a record is exactly its fields joined by the delimiter.
      if (rec.raw.find('"') == std::string_view::npos) {
        std::string joined;
        for (std::size_t i = 0; i < rec.fields.size(); ++i) {
          if (i) joined += delimiter;
          joined += rec.fields[i];
        }
        Check(joined == rec.raw, "unquoted record = fields joined by the delimiter");
      }
    }
  } catch (const gpsi::Failure& f) {
    Check(f.error().code == gpsi::Errc::kTruncated, "only a truncated quoted field may throw");
    Check(f.error().line >= 1 && f.error().column >= 1, "the truncation has a location");
  }
  std::fclose(f);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ReadAll(data, size, ',');
  ReadAll(data, size, ';');
  return 0;
}
