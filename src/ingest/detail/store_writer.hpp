// The store writes of one ingest, done on a second thread, in order.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "store.hpp"

namespace gpsi::detail {

//! Runs the store writes of an ingest's row loop on a second thread while the calling thread
//! parses and maps the next rows. SQLite's B-tree inserts are three quarters of an ingest's CPU
//! time (bench/RESULTS.md), so overlapping them with parsing is what two cores can gain; SQLite
//! itself has no parallel insert into one table. Writes keep the order in which they were added
//! (quarantine ids follow the file). An observation whose key is already stored is settled here:
//! the same value is counted as a duplicate, another value is quarantined as a conflict.
class StoreWriter {
 public:
  //! Tallies of what the writer settled, merged into the file report at the end.
  struct Tally {
    std::int64_t accepted = 0, duplicates = 0, conflicts = 0;
  };

  //! `threaded` false runs every write at once on the calling thread (small files, tests).
  StoreWriter(Store& store, std::int64_t file_id, bool threaded);
  //! Stops the thread; writes not yet done are dropped (the caller's transaction rolls back).
  ~StoreWriter();
  StoreWriter(const StoreWriter&) = delete;
  StoreWriter& operator=(const StoreWriter&) = delete;

  //! Starts a record: its raw text is copied once, when a write first needs it.
  void BeginRecord(std::string_view raw) {
    raw_ = raw;
    raw_copied_ = false;
  }
  //! Inserts `o` (from the current record; `column` locates its value for a conflict).
  void Observation(const gpsi::Observation& o, std::int64_t source_id, std::int64_t line, std::int64_t column);
  //! Quarantines the current record at (`line`, `column`).
  void Quarantine(std::int64_t line, std::int64_t column, std::string_view reason, std::string detail);
  //! Any other write (units, groups, indicators), run in order with the rest.
  void Call(std::function<void(Store&)> fn);
  //! Waits for every write; rethrows the writer's failure; returns its tallies.
  Tally Finish();

 private:
  struct Op {
    enum class Kind : std::uint8_t { kObservation, kQuarantine, kCall } kind = Kind::kObservation;
    gpsi::Observation obs;
    std::int64_t source_id = 0, line = 0, column = 0;
    std::size_t raw_off = 0, raw_len = 0;
    std::string reason, detail;
    std::function<void(Store&)> fn;
  };
  struct Batch {
    std::vector<Op> ops;
    std::size_t size = 0;
    std::string raw;  // raw text of the batch's records, referenced by offset
  };

  Op& Next(Op::Kind kind);
  void Raw(Op& op);
  void Hand();         // gives the filled batch to the thread (or runs it)
  void Run(Batch& b);  // does a batch's writes
  void Loop();         // the thread
  void RethrowIfFailed();

  Store& store_;
  std::int64_t file_id_;
  bool threaded_;
  Batch batches_[2];
  int filling_ = 0;  // index of the batch being filled
  std::string_view raw_;
  bool raw_copied_ = false;
  std::size_t raw_off_ = 0, raw_len_ = 0;
  Tally tally_;
  QuarantineRow q_;  // reused

  std::mutex mu_;
  std::condition_variable cv_;
  bool pending_ = false;  // a batch waits for (or is in) the thread
  bool stop_ = false;
  std::exception_ptr failure_;
  std::thread thread_;
};

}  // namespace gpsi::detail
