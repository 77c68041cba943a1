#include "table.hpp"

namespace gpsi::detail {

Result<std::unique_ptr<Table>> Table::Open(const std::string& path, char delimiter, int skip_lines) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return Error{Errc::kIo, "cannot open file", path};
  std::unique_ptr<Table> t(new Table(f, delimiter, path));
  for (int i = 0; i < skip_lines; ++i) {
    if (!t->reader_.Next(t->rec_))
      return Error{Errc::kBadHeader, "file ends before its header", path, t->reader_.line(), 1};
  }
  if (!t->Next()) return Error{Errc::kEmptyFile, "file has no header", path, t->reader_.line(), 1};
  t->TakeHeader();
  return t;
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
