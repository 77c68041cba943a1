// A store holding every data set of ../shared/data, and other slow results many test processes
// read, made once per CTest run and shared by every test process (CTest runs each test in a
// process of its own, so a per-process cache would make them again for every test).
#pragma once

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "test_util.hpp"

namespace gpsi::test {

//! A file's size and modification time, as a cache key: a rebuilt binary has another.
inline std::string FileStamp(const std::filesystem::path& file) {
  return std::to_string(std::filesystem::file_size(file)) + "@" +
         std::to_string(std::filesystem::last_write_time(file).time_since_epoch().count());
}

//! The folder <build>/test-cache/NAME, made by `make` once for every test process that asks for it
//! with the same `key`: the first one makes it under an exclusive lock (flock) while the others
//! wait, and a new key (a rebuilt gpsi) makes it again. The folder is read-only to its users; `use`
//! runs under the lock, so a user that copies it never sees it half-made. Empty if `make` failed.
inline std::string MadeOnce(const std::string& name, const std::string& key,
                            const std::function<bool(const std::filesystem::path&)>& make,
                            const std::function<void(const std::filesystem::path&)>& use = {}) {
  namespace fs = std::filesystem;
  const fs::path root = fs::path(GPSI_BINARY).parent_path() / "test-cache";
  fs::create_directories(root);
  const fs::path dir = root / name;
  const int lock = ::open((root / (name + ".lock")).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock < 0 || ::flock(lock, LOCK_EX) != 0) {
    ADD_FAILURE() << "cannot lock " << root / (name + ".lock");
    if (lock >= 0) ::close(lock);
    return "";
  }
  bool made = fs::exists(dir / "KEY") && ReadFile(dir / "KEY") == key;
  if (!made) {
    fs::remove_all(dir);
    fs::create_directories(dir);
    made = make(dir);
    if (made) WriteFile(dir / "KEY", key);
  }
  if (made && use) use(dir);
  ::flock(lock, LOCK_UN);
  ::close(lock);
  return made ? dir.string() : "";
}

//! The newest modification time and the number of the files under `dir`.
inline std::string TreeStamp(const std::filesystem::path& dir) {
  std::filesystem::file_time_type newest{};
  std::size_t files = 0;
  for (const auto& f : std::filesystem::recursive_directory_iterator(dir)) {
    newest = std::max(newest, f.last_write_time());
    ++files;
  }
  return std::to_string(files) + "@" + std::to_string(newest.time_since_epoch().count());
}

//! The key of results made by gpsi from the shared data: the binary, the descriptors and methods it
//! reads from the source tree, and the data folder. CTest also clears the cache before each run
//! (tests/CMakeLists.txt, fixture test-cache), so the key guards runs of a test binary by hand.
inline std::string GpsiKey() {
  const std::filesystem::path source = std::filesystem::path(GPSI_TESTS_DIR) / "..";
  return FileStamp(GPSI_BINARY) + " " + TreeStamp(source / "data") + " " + TreeStamp(source / "methods") + " " +
         GPSI_TEST_DATA;
}

//! Path of this process's copy of the shared store (init with the country reference, then ingest
//! of the whole shared data folder, made once per gpsi binary by MadeOnce); each process has its
//! own copy because some tests write to it. Empty, with a test failure recorded, if that fails.
inline const std::string& SharedStore() {
  static std::unique_ptr<TempDir> dir;
  static std::string db;
  if (dir) return db;
  dir = std::make_unique<TempDir>();
  const auto make = [](const std::filesystem::path& at) {
    const std::string path = (at / "s.db").string();
    RunResult i = Gpsi("--db " + Quote(path) + " init --reference " + Quote(GPSI_TEST_DATA));
    RunResult g = i.exit_code == 0 ? Gpsi("-q --db " + Quote(path) + " ingest " + Quote(GPSI_TEST_DATA)) : i;
    if (g.exit_code != 0) ADD_FAILURE() << "cannot make the shared store: " << g.err;
    return g.exit_code == 0;
  };
  const auto copy = [](const std::filesystem::path& at) {
    for (const auto& part : std::filesystem::directory_iterator(at)) {
      if (part.path().filename() == "KEY") continue;
      std::filesystem::copy(part, dir->path() / part.path().filename(), std::filesystem::copy_options::recursive);
    }
  };
  if (!MadeOnce("shared-store", GpsiKey(), make, copy).empty()) db = *dir / "s.db";
  return db;
}

}  // namespace gpsi::test
