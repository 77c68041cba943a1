// XLSX export of a table (libxlsxwriter).
#include <unistd.h>
#include <xlsxwriter.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include <fmt/format.h>

#include "report.hpp"

namespace gpsi::report {

// libxlsxwriter 1.1 writes only to a file, so the workbook goes through a private temporary file.
Result<std::string> Xlsx(const Table& t, const std::string& sheet) {
  namespace fs = std::filesystem;
  std::string path = (fs::temp_directory_path() / "gpsi-xlsx-XXXXXX").string();
  int fd = mkstemp(path.data());
  if (fd < 0) return Error{Errc::kIo, "cannot make a temporary file for XLSX", path};
  close(fd);
  lxw_workbook_options options{};
  options.constant_memory = LXW_TRUE;  // rows are written in order: keep memory flat
  lxw_workbook* wb = workbook_new_opt(path.c_str(), &options);
  if (!wb) {
    fs::remove(path);
    return Error{Errc::kIo, "cannot start an XLSX workbook", path};
  }
  // A fixed creation time: the same data gives the same bytes (answers are cached by URL and ETag).
  lxw_doc_properties props{};
  props.title = const_cast<char*>("Global Public Security Index");
  props.created = 1767225600;  // 2026-01-01T00:00:00Z
  workbook_set_properties(wb, &props);
  lxw_worksheet* ws = workbook_add_worksheet(wb, sheet.c_str());
  lxw_format* bold = workbook_add_format(wb);
  format_set_bold(bold);
  for (std::size_t c = 0; c < t.header.size(); ++c) {
    worksheet_write_string(ws, 0, static_cast<lxw_col_t>(c), t.header[c].c_str(), bold);
  }
  for (std::size_t r = 0; r < t.rows(); ++r) {
    auto row = static_cast<lxw_row_t>(r + 1);
    for (std::size_t c = 0; c < t.header.size(); ++c) {
      const TableCell& x = t.row(r)[c];
      auto col = static_cast<lxw_col_t>(c);
      if (x.is_text() && !x.text().empty()) {
        const std::string text(x.text());  // libxlsxwriter takes C strings
        worksheet_write_string(ws, row, col, text.c_str(), nullptr);
      } else if (x.kind == TableCell::Kind::kInt || x.kind == TableCell::Kind::kReal) {
        worksheet_write_number(ws, row, col, x.number, nullptr);
      }
    }
  }
  lxw_error err = workbook_close(wb);
  std::string bytes;
  if (err == LXW_NO_ERROR) {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::error_code ec;
  fs::remove(path, ec);
  if (err != LXW_NO_ERROR || bytes.empty()) {
    return Error{Errc::kInternal, fmt::format("cannot write XLSX: {}", lxw_strerror(err)), path};
  }
  return bytes;
}

}  // namespace gpsi::report
