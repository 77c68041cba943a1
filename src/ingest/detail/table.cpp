#include "table.hpp"

#include <fmt/format.h>

namespace gpsi::detail {

Result<std::unique_ptr<Table>> Table::Open(const std::string& path, char delimiter, int skip_lines) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return Error{Errc::kIo, "cannot open file", path};
  std::unique_ptr<Table> t(new Table(f, delimiter, path));
  if (auto st = t->Start(skip_lines, "file"); !st) return st.error();
  return t;
}

Status Table::Start(int skip_lines, const char* what) {
  for (int i = 0; i < skip_lines; ++i) {
    if (!reader_.Next(rec_)) {
      return Error{Errc::kBadHeader, fmt::format("{} ends before its header", what), path_, reader_.line(), 1};
    }
  }
  if (!Next()) return Error{Errc::kEmptyFile, fmt::format("{} has no header", what), path_, reader_.line(), 1};
  TakeHeader();
  return Ok();
}

void Table::TakeHeader() {
  header_line_ = rec_.line;
  for (std::size_t i = 0; i < rec_.fields.size(); ++i) {
    std::string name(Trim(rec_.fields[i]));
    header_.push_back(name);
    index_.emplace(name, i);
  }
  header_columns_ = rec_.columns;
}

Table::~Table() {
  std::fclose(file_);
}

std::optional<std::size_t> Table::Column(std::string_view name) const {
  auto it = index_.find(std::string(name));
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

}  // namespace gpsi::detail
