#include "detail/store_writer.hpp"

#include <fmt/format.h>

namespace gpsi::detail {
namespace {
// Writes per hand-over: large enough that the two threads rarely wait on each other, small
// enough that the batches' memory stays a few MB whatever the file size.
constexpr std::size_t kBatchOps = 8192;
}  // namespace

StoreWriter::StoreWriter(Store& store, std::int64_t file_id, bool threaded)
    : store_(store), file_id_(file_id), threaded_(threaded) {
  if (threaded_) thread_ = std::thread([this] { Loop(); });
}

StoreWriter::~StoreWriter() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

StoreWriter::Op& StoreWriter::Next(Op::Kind kind) {
  Batch& b = batches_[filling_];
  if (b.size == kBatchOps) {
    Hand();
    return Next(kind);
  }
  if (b.size == b.ops.size()) b.ops.emplace_back();
  Op& op = b.ops[b.size++];  // reused: assigning keeps the strings' buffers
  op.kind = kind;
  return op;
}

void StoreWriter::Raw(Op& op) {
  if (!raw_copied_) {
    std::string& arena = batches_[filling_].raw;
    raw_off_ = arena.size(), raw_len_ = raw_.size();
    arena.append(raw_);
    raw_copied_ = true;
  }
  op.raw_off = raw_off_, op.raw_len = raw_len_;
}

void StoreWriter::Observation(const gpsi::Observation& o, std::int64_t source_id, std::int64_t line,
                              std::int64_t column) {
  Op& op = Next(Op::Kind::kObservation);
  op.obs.unit = o.unit, op.obs.indicator = o.indicator, op.obs.flags = o.flags;
  op.obs.year = o.year, op.obs.value = o.value, op.obs.line = o.line;
  op.source_id = source_id, op.line = line, op.column = column;
  Raw(op);
}

void StoreWriter::Quarantine(std::int64_t line, std::int64_t column, std::string_view reason, std::string detail) {
  Op& op = Next(Op::Kind::kQuarantine);
  op.line = line, op.column = column;
  op.reason = reason;
  op.detail = std::move(detail);
  Raw(op);
}

void StoreWriter::Call(std::function<void(Store&)> fn) {
  Op& op = Next(Op::Kind::kCall);
  op.fn = std::move(fn);
}

void StoreWriter::Hand() {
  Batch& b = batches_[filling_];
  if (!threaded_) {
    Run(b);
  } else {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !pending_ || failure_; });
    if (failure_) std::rethrow_exception(failure_);
    pending_ = true;
    filling_ ^= 1;
    lock.unlock();
    cv_.notify_all();
  }
  Batch& next = batches_[filling_];
  next.size = 0;
  next.raw.clear();
  raw_copied_ = false;  // the current record's text goes into the new batch when needed again
}

void StoreWriter::Run(Batch& b) {
  for (std::size_t i = 0; i < b.size; ++i) {
    Op& op = b.ops[i];
    switch (op.kind) {
      case Op::Kind::kObservation: {
        std::int64_t first = 0;
        switch (store_.InsertObservation(op.obs, op.source_id, file_id_, &first)) {
          case InsertOutcome::kInserted: ++tally_.accepted; break;
          case InsertOutcome::kDuplicateSame: ++tally_.duplicates; break;
          case InsertOutcome::kDuplicateConflict:
            q_.line = op.line, q_.column = op.column;
            q_.raw.assign(b.raw, op.raw_off, op.raw_len);
            q_.reason = "duplicate-conflict";
            q_.detail = fmt::format("{} {} {} already has a different value at line {}", op.obs.unit, op.obs.year,
                                    op.obs.indicator, first);
            store_.InsertQuarantine(file_id_, q_);
            ++tally_.conflicts;
            break;
        }
        break;
      }
      case Op::Kind::kQuarantine:
        q_.line = op.line, q_.column = op.column;
        q_.raw.assign(b.raw, op.raw_off, op.raw_len);
        q_.reason = op.reason;
        q_.detail = op.detail;
        store_.InsertQuarantine(file_id_, q_);
        break;
      case Op::Kind::kCall:
        op.fn(store_);
        op.fn = nullptr;
        break;
    }
  }
}

void StoreWriter::Loop() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return pending_ || stop_; });
    if (stop_) return;
    Batch& b = batches_[filling_ ^ 1];
    lock.unlock();
    std::exception_ptr failure;
    try {
      Run(b);
    } catch (...) {
      failure = std::current_exception();
    }
    lock.lock();
    pending_ = false;
    failure_ = failure;
    cv_.notify_all();
    if (failure_) return;
  }
}

StoreWriter::Tally StoreWriter::Finish() {
  if (batches_[filling_].size > 0) Hand();
  if (threaded_) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !pending_ || failure_; });
    if (failure_) std::rethrow_exception(failure_);
  }
  return tally_;
}

}  // namespace gpsi::detail
