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
  t->header_line_ = t->rec_.line;
  for (std::size_t i = 0; i < t->rec_.fields.size(); ++i) {
    std::string name(Trim(t->rec_.fields[i]));
    t->header_.push_back(name);
    t->index_.emplace(name, i);
  }
  t->header_columns_ = t->rec_.columns;
  return t;
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
