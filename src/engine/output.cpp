// ReplaceFolder (detail/output.hpp): a folder of outputs replaced in one rename.
#include <fmt/format.h>
#include <signal.h>
#include <stdio.h>  // renameat2, RENAME_EXCHANGE (glibc ≥ 2.28)
#include <sys/stat.h>
#include <unistd.h>

#include <fcntl.h>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>

#include "detail/output.hpp"

namespace gpsi::engine::detail {
namespace {

namespace fs = std::filesystem;

//! `.<name>.staging-<pid>` beside the folder: hidden, and named by the process that writes it.
fs::path StagingOf(const fs::path& dir, pid_t pid) {
  return dir.parent_path() / fmt::format(".{}.staging-{}", dir.filename().string(), pid);
}

//! Removes the staging folders beside `dir` whose process is gone (a command killed midway).
void RemoveStaleStaging(const fs::path& dir) {
  const std::string prefix = fmt::format(".{}.staging-", dir.filename().string());
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir.parent_path().empty() ? "." : dir.parent_path(), ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    const long pid = std::strtol(name.c_str() + prefix.size(), nullptr, 10);
    if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) == -1 && errno == ESRCH) fs::remove_all(e.path(), ec);
  }
}

//! Hard links (same filesystem: no copy) of the entries of `from` that `to` does not have, so that
//! files the command does not write survive the swap.
Status KeepOthers(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(from, ec)) {
    const fs::path target = to / e.path().filename();
    if (fs::exists(target)) continue;
    fs::copy(e.path(), target, fs::copy_options::recursive | fs::copy_options::create_hard_links, ec);
    if (ec) return Error{Errc::kWrite, fmt::format("cannot keep {}: {}", e.path().string(), ec.message())};
  }
  if (ec) return Error{Errc::kWrite, fmt::format("cannot read the output folder: {}", ec.message()), from.string()};
  return Ok();
}

//! Puts `staging` in the place of `dir`: one atomic exchange where the filesystem supports it
//! (renameat2), else two renames; `staging` then holds the old outputs.
Status Swap(const fs::path& staging, const fs::path& dir) {
  if (::renameat2(AT_FDCWD, staging.c_str(), AT_FDCWD, dir.c_str(), RENAME_EXCHANGE) == 0) return Ok();
  if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP) {
    return Error{Errc::kWrite, fmt::format("cannot replace the output folder: {}", std::strerror(errno)), dir.string()};
  }
  // No exchange on this filesystem: a moment without `dir`, but never a mix of old and new.
  const fs::path old = staging.string() + ".old";
  std::error_code ec;
  fs::rename(dir, old, ec);
  if (!ec) fs::rename(staging, dir, ec);
  if (!ec) fs::rename(old, staging, ec);
  if (ec) return Error{Errc::kWrite, fmt::format("cannot replace the output folder: {}", ec.message()), dir.string()};
  return Ok();
}

//! The filesystem a path is on (st_dev), or nullopt when it cannot be read.
std::optional<dev_t> DeviceOf(const fs::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return std::nullopt;
  return st.st_dev;
}

}  // namespace

Status ReplaceFolder(const fs::path& dir, const std::function<Status(const fs::path&)>& write) {
  const fs::path target = fs::absolute(dir).lexically_normal();
  const fs::path clean = target.has_filename() ? target : target.parent_path();
  std::error_code ec;
  fs::create_directories(clean.parent_path(), ec);
  if (ec) return Error{Errc::kWrite, fmt::format("cannot create the output folder: {}", ec.message()), dir.string()};
  if (fs::exists(clean, ec) && !fs::is_directory(clean, ec)) {
    return Error{Errc::kUsage, "the output must be a folder, not a file", dir.string()};
  }
  // --out a mount point (its parent on another filesystem): no folder beside it can take its
  // place, so the files are replaced one by one, each whole (WriteFile), as before.
  if (fs::exists(clean, ec) && DeviceOf(clean) != DeviceOf(clean.parent_path())) return write(clean);
  RemoveStaleStaging(clean);
  const fs::path staging = StagingOf(clean, ::getpid());
  fs::remove_all(staging, ec);
  fs::create_directories(staging, ec);
  if (ec) return Error{Errc::kWrite, fmt::format("cannot create the output folder: {}", ec.message()), dir.string()};
  const auto fail = [&](Error e) {
    fs::remove_all(staging, ec);
    return e;
  };
  if (auto st = write(staging); !st) return fail(st.error());
  if (!fs::exists(clean)) {
    fs::rename(staging, clean, ec);
    if (ec)
      return fail(Error{Errc::kWrite, fmt::format("cannot write the output folder: {}", ec.message()), dir.string()});
    return Ok();
  }
  if (auto st = KeepOthers(clean, staging); !st) return fail(st.error());
  if (auto st = Swap(staging, clean); !st) return fail(st.error());
  fs::remove_all(staging, ec);  // the old outputs
  return Ok();
}

}  // namespace gpsi::engine::detail
