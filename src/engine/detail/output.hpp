// Writing output files: whole, through a temporary beside the target, renamed into place; and
// whole folders of them (ReplaceFolder).
#pragma once

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <string_view>

#include "compute.hpp"
#include "core.hpp"
#include "model.hpp"

namespace gpsi::engine::detail {

//! Writes `text` to `path` so that a reader never sees half a file (write beside, then rename).
inline Status WriteFile(const std::filesystem::path& path, const std::string& text) {
  // Written beside and renamed into place, so a reader never sees half a file.
  std::filesystem::path tmp = path;
  tmp += ".part";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) return Error{Errc::kWrite, "cannot write file", tmp.string()};
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return Error{Errc::kWrite, fmt::format("cannot write file: {}", ec.message()), path.string()};
  return Ok();
}

//! Writes a folder of outputs all at once: `write` fills a staging folder beside `dir` (same
//! filesystem), which then takes `dir`'s place in one rename, so a killed or failed command leaves
//! the old outputs or the new ones, never a mix (output.cpp). Files of `dir` that `write` does not
//! make are kept. Staging folders of commands that were killed are removed first. Where `dir` is a
//! mount point (no folder beside it is on its filesystem) the files are written into it one by one.
Status ReplaceFolder(const std::filesystem::path& dir,
                     const std::function<Status(const std::filesystem::path& staging)>& write);

}  // namespace gpsi::engine::detail
