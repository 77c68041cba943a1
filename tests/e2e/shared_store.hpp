// A store holding every data set of ../shared/data, made once per test process and shared by the
// suites that build, audit or analyse the default GPSI method.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "test_util.hpp"

namespace gpsi::test {

//! Path of the shared store, made on first use (init with the country reference, then ingest of
//! the whole shared data folder); empty, with a test failure recorded, if that fails.
inline const std::string& SharedStore() {
  static std::unique_ptr<TempDir> dir;
  static std::string db;
  if (!dir) {
    dir = std::make_unique<TempDir>();
    std::string path = (*dir) / "s.db";
    RunResult i = Gpsi("--db " + Quote(path) + " init --reference " + Quote(GPSI_TEST_DATA));
    RunResult g = i.exit_code == 0 ? Gpsi("-q --db " + Quote(path) + " ingest " + Quote(GPSI_TEST_DATA)) : i;
    if (g.exit_code == 0) {
      db = path;
    } else {
      ADD_FAILURE() << "cannot make the shared store: " << g.err;
    }
  }
  return db;
}

}  // namespace gpsi::test
