// Whole small tables (COINr's iData/iMeta) read with the streaming CSV reader.
#include <fmt/format.h>

#include "detail/table.hpp"
#include "ingest.hpp"

namespace gpsi {

Result<TextTable> ReadTextTable(const std::string& path, char delimiter) {
  if (auto st = CheckTextFile(path); !st) return st.error();
  try {
    auto opened = detail::Table::Open(path, delimiter);
    if (!opened) return opened.error();
    detail::Table& t = **opened;
    TextTable out;
    out.path = path;
    out.header = t.header();
    for (std::size_t i = 0; i < out.header.size(); ++i) {
      if (out.header[i].empty()) {
        return Error{Errc::kBadHeader, fmt::format("header column {} has no name", i + 1), path, t.header_line(),
                     t.header_columns()[i]};
      }
      for (std::size_t j = 0; j < i; ++j) {
        if (out.header[j] == out.header[i]) {
          return Error{Errc::kBadHeader, fmt::format("column \"{}\" appears twice in the header", out.header[i]), path,
                       t.header_line(), t.header_columns()[i]};
        }
      }
    }
    while (t.Next()) {
      const auto& rec = t.record();
      if (rec.fields.size() > out.header.size()) {
        return Error{Errc::kBadHeader,
                     fmt::format("row has {} fields but the header has {}", rec.fields.size(), out.header.size()), path,
                     rec.line, rec.columns[out.header.size()]};
      }
      std::vector<std::string> row(out.header.size());
      for (std::size_t i = 0; i < rec.fields.size(); ++i) row[i] = std::string(Trim(rec.fields[i]));
      out.rows.push_back(std::move(row));
      out.lines.push_back(rec.line);
    }
    return out;
  } catch (const Failure& f) {
    return f.error();
  }
}

}  // namespace gpsi
