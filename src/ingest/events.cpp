// gpsi events: GDELT 2.0 event exports (plain or gzip) streamed into country-period counts with
// provenance — each input a file row with its raw bytes, the values pointing at a manifest file
// that lists the inputs (docs/events.md).
#include <fcntl.h>
#include <isa-l/igzip_lib.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <thread>
#include <tuple>
#include <unordered_map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "detail/events_scan.hpp"
#include "ingest.hpp"

namespace gpsi {
namespace {

namespace fs = std::filesystem;
using detail::EventReject;
using detail::EventScanner;

// Blocks of the input: read once into a ring, then hashed, written to the raw copy and scanned
// from there. 1 MiB is small enough to stay in cache between the hash and the scan; aligned so
// that the raw copy can be written with O_DIRECT; 32 of them so that a slow write does not stall
// the scan.
constexpr std::size_t kReadBlock = 1 << 20;
constexpr std::size_t kRingBlocks = 32;
constexpr std::size_t kDirectAlign = 4096;
// Ring blocks per write of the raw copy (one pwritev): larger writes go faster to the device.
constexpr std::size_t kWriteBatch = 8;
// gzip input: inflated text handed to the scan in a ring of these.
constexpr std::size_t kInflateBlock = 1 << 20;
constexpr std::size_t kTextBlocks = 8;
// Quarantined lines stored per run; more are counted (garbage must not fill memory while its
// rows wait, with the whole scan, for the file rows they belong to).
constexpr std::size_t kMaxStoredRejects = 20000;

constexpr const char* kTotal = "gdelt_events_total";
constexpr const char* kViolent = "gdelt_violent_events";
constexpr const char* kConflict = "gdelt_goldstein_conflict";
// event_points.source of the points of GDELT 2.0 exports.
constexpr const char* kPointSource = "gdelt";

Source GdeltSource() {
  Source s;
  s.key = "gdelt-events-v2";
  s.publisher = "The GDELT Project";
  s.tier = 4;
  s.licence = "GDELT: free and open for unrestricted use and redistribution, with citation of the GDELT Project";
  s.url = "https://www.gdeltproject.org/data.html";
  return s;
}

// The points of one input (EventScanner::OnPoint), kept until its hash, which each point names, is
// known at the end of its scan: about 70 bytes a point, the text of all in one string.
struct PointBuffer {
  struct Row {
    std::int64_t line = 0, mentions = 0;
    double lat = 0, lon = 0, goldstein = 0;
    std::size_t text = 0;  // offset in `text` of the event id, followed by the ADM1 code
    std::int32_t day = 0;
    std::uint8_t id_len = 0, adm1_len = 0, root_code = 0, quad_class = 0;
    char fips[2] = {};  // ActionGeo_CountryCode, or two NULs when empty
  };
  std::vector<Row> rows;
  std::string text;

  void Add(const detail::ScannedPoint& p) {
    Row& r = rows.emplace_back();
    r.line = p.line, r.mentions = p.mentions, r.lat = p.lat, r.lon = p.lon, r.goldstein = p.goldstein;
    r.text = text.size();
    r.day = p.day;
    // The scanner bounds both lengths (kMaxEventIdDigits, kMaxAdm1Chars), the codes 1–20 and 1–4.
    r.id_len = static_cast<std::uint8_t>(p.event_id.size()), r.adm1_len = static_cast<std::uint8_t>(p.adm1.size());
    r.root_code = static_cast<std::uint8_t>(p.root_code), r.quad_class = static_cast<std::uint8_t>(p.quad_class);
    if (p.country_fips.size() == 2) r.fips[0] = p.country_fips[0], r.fips[1] = p.country_fips[1];
    text.append(p.event_id).append(p.adm1);
  }
};

// Raw bytes of one input as read, with the scan of its (decompressed) lines.
struct InputScan {
  std::string path, sha256, tmp_blob;
  std::int64_t bytes = 0;
  bool gzip = false;
  detail::EventCounts counts;
  std::unordered_map<std::uint32_t, detail::EventCell> cells;
  std::vector<EventReject> rejects;
  std::int64_t rejects_dropped = 0;
  PointBuffer points;  // emptied once written
};

std::string TmpBlobName(const std::string& blob_dir) {
  std::random_device rd;
  return fmt::format("{}/.tmp-{}-{:x}", blob_dir, ::getpid(), rd());
}

bool WriteAll(int fd, const char* p, std::size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w, n -= static_cast<std::size_t>(w);
  }
  return true;
}

// Writes the buffers in order at `offset`, going on after short writes. With O_DIRECT, a write
// the file system refuses (EINVAL: an unaligned tail, or no direct I/O there after all) turns
// O_DIRECT off and is written again through the page cache.
bool PwriteAll(int fd, iovec* iov, int count, off_t offset) {
  while (count > 0) {
    ssize_t w = ::pwritev(fd, iov, count, offset);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && errno == EINVAL) {
      int flags = ::fcntl(fd, F_GETFL);
      if (flags >= 0 && (flags & O_DIRECT) != 0 && ::fcntl(fd, F_SETFL, flags & ~O_DIRECT) == 0) continue;
    }
    if (w <= 0) return false;
    offset += w;
    for (; count > 0 && static_cast<std::size_t>(w) >= iov->iov_len; ++iov, --count)
      w -= static_cast<ssize_t>(iov->iov_len);
    if (count > 0) {
      iov->iov_base = static_cast<char*>(iov->iov_base) + w;
      iov->iov_len -= static_cast<std::size_t>(w);
    }
  }
  return true;
}

// Closes a file descriptor on every path out.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// The side threads of one input, around a ring of blocks read once. The reader fills the blocks
// in file order; the hasher (SHA-256, about as slow as the scan: its own thread), the writer (the
// raw copy) and the scan (the caller, through Next) each go through them in order, and a block is
// filled again only when all three have passed it. The reader stops at `size`, the size when the
// file was opened: bytes appended meanwhile are not part of the run, and a file that shrinks is an
// error (read(2), not mmap, so a truncated file is a short read rather than SIGBUS).
//
// The raw copy is written from these blocks, through to the device (the blob is opened O_DIRECT
// where the file system allows it). A copy through the page cache (copy_file_range, as before)
// cost the kernel as much CPU as the whole scan, allocating and filling a page for every 4 KiB, on
// a machine with two cores; written through, the device does the copying, and the bytes are on
// it before the commit that refers to them (fdatasync then has little left to do).
class InputPipeline {
 public:
  InputPipeline(int in_fd, int blob_fd, std::int64_t size) : in_(in_fd), blob_(blob_fd), size_(size) {
    for (auto& block : ring_) {
      block = static_cast<char*>(std::aligned_alloc(kDirectAlign, kReadBlock));
      if (block == nullptr) throw std::bad_alloc();
    }
  }
  InputPipeline(const InputPipeline&) = delete;
  InputPipeline& operator=(const InputPipeline&) = delete;
  ~InputPipeline() {
    Stop();
    for (char* block : ring_) std::free(block);
  }

  void Start() {
    if (blob_ < 0) passed_[kWrite] = kNeverWaited;  // no raw copy: the reader need not wait for one
    reader_ = std::thread([this] { ReadLoop(); });
    hasher_ = std::thread([this] { HashLoop(); });
    if (blob_ >= 0) writer_ = std::thread([this] { WriteLoop(); });
  }

  //! The next block in file order, releasing the previous one; empty at the end of the input, or
  //! when reading or writing failed (read_error() and copied() then say so).
  std::string_view Next() {
    std::unique_lock lock(mu_);
    if (holding_) {
      holding_ = false;
      ++passed_[kScan];
      space_.notify_one();
    }
    read_.wait(lock, [this] { return produced_ > passed_[kScan] || read_done_ || write_failed_ || stop_; });
    if (produced_ == passed_[kScan] || read_error_ || write_failed_ || stop_) return {};
    holding_ = true;
    std::size_t i = passed_[kScan] % kRingBlocks;
    return {ring_[i], lens_[i]};
  }

  //! Waits for the three threads to finish their work; the results below are then final.
  void Join() {
    for (std::thread* t : {&reader_, &hasher_, &writer_}) {
      if (t->joinable()) t->join();
    }
  }
  //! Stops the threads (if running) and waits for them.
  void Stop() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    read_.notify_all();
    space_.notify_all();
    Join();
  }

  const std::optional<Error>& read_error() const { return read_error_; }
  //! Whether writing the raw copy failed (the reader may then wait for a scan that has stopped:
  //! Stop, not Join).
  bool write_failed() {
    std::lock_guard lock(mu_);
    return write_failed_;
  }
  //! Whether the raw copy (if one is made) holds all `size` bytes.
  bool copied() const { return blob_ < 0 || written_ == size_; }
  std::string Digest() { return sha_.HexDigest(); }

 private:
  enum Consumer { kHash, kWrite, kScan, kConsumers };
  // The position of a consumer that has stopped (or never started): far past any block.
  static constexpr std::uint64_t kNeverWaited = std::numeric_limits<std::uint64_t>::max() / 2;

  // Blocks [from, end) ready for a consumer at `from`, at most `max`; empty at the end.
  std::pair<std::uint64_t, std::uint64_t> Ready(std::uint64_t from, std::uint64_t max) {
    std::unique_lock lock(mu_);
    read_.wait(lock, [this, from] { return produced_ > from || read_done_ || stop_; });
    if (stop_) return {from, from};
    return {from, std::min(produced_, from + max)};
  }
  void Pass(Consumer c, std::uint64_t upto) {
    std::lock_guard lock(mu_);
    passed_[c] = upto;
    space_.notify_one();
  }

  void ReadLoop() {
    std::int64_t offset = 0;
    for (std::uint64_t n = 0;; ++n) {
      {
        std::unique_lock lock(mu_);
        space_.wait(lock, [this, n] {
          return n - *std::min_element(std::begin(passed_), std::end(passed_)) < kRingBlocks || stop_;
        });
        if (stop_) return;
      }
      // Block n % kRingBlocks is free: every consumer has passed it, and none is handed it
      // until produced_ moves past it below.
      char* block = ring_[n % kRingBlocks];
      std::size_t len = 0;
      std::optional<Error> error;
      auto want = static_cast<std::size_t>(std::min<std::int64_t>(kReadBlock, size_ - offset));
      while (len < want) {
        ssize_t r = ::read(in_, block + len, want - len);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
          error = Error{Errc::kIo, fmt::format("read error: {}", std::strerror(errno))};
          break;
        }
        if (r == 0) {
          error = Error{Errc::kIo, "the file shrank while being read"};
          break;
        }
        len += static_cast<std::size_t>(r);
      }
      offset += static_cast<std::int64_t>(len);
      std::lock_guard lock(mu_);
      if (error) {
        read_error_ = std::move(error);
        read_done_ = true;
      } else if (len > 0) {
        lens_[n % kRingBlocks] = len;
        produced_ = n + 1;
      }
      if (offset == size_) read_done_ = true;
      read_.notify_all();
      if (read_done_) return;
    }
  }

  void HashLoop() {
    for (std::uint64_t n = 0;;) {
      auto [from, end] = Ready(n, kRingBlocks);
      if (from == end) return;
      // Blocks before produced_ do not change until this thread passes them.
      for (; n < end; ++n) sha_.Update(ring_[n % kRingBlocks], lens_[n % kRingBlocks]);
      Pass(kHash, n);
    }
  }

  void WriteLoop() {
    iovec iov[kWriteBatch];
    for (std::uint64_t n = 0;;) {
      auto [from, end] = Ready(n, kWriteBatch);
      if (from == end) return;
      int count = 0;
      std::int64_t bytes = 0;
      for (; n < end; ++n, ++count) {
        iov[count] = {ring_[n % kRingBlocks], lens_[n % kRingBlocks]};
        bytes += static_cast<std::int64_t>(lens_[n % kRingBlocks]);
      }
      if (!PwriteAll(blob_, iov, count, written_)) {
        std::lock_guard lock(mu_);
        write_failed_ = true;            // copied() says so; the scan stops at its next block
        passed_[kWrite] = kNeverWaited;  // the reader need not wait for it
        read_.notify_all();
        space_.notify_one();
        return;
      }
      written_ += bytes;
      Pass(kWrite, n);
    }
  }

  const int in_, blob_;
  const std::int64_t size_;
  char* ring_[kRingBlocks] = {};
  std::size_t lens_[kRingBlocks] = {};
  Sha256 sha_;                // hasher thread only, until Join
  std::int64_t written_ = 0;  // writer thread only, until Join
  std::mutex mu_;
  std::condition_variable read_;   // a block was read (or reading ended, or writing failed)
  std::condition_variable space_;  // a consumer passed a block
  std::uint64_t produced_ = 0;     // blocks read
  std::uint64_t passed_[kConsumers] = {};
  bool holding_ = false, read_done_ = false, write_failed_ = false, stop_ = false;
  std::optional<Error> read_error_;
  std::thread reader_, hasher_, writer_;
};

// What an igzip error code means, for the message.
const char* IgzipError(int rc) {
  switch (rc) {
    case ISAL_INVALID_BLOCK: return "invalid deflate block";
    case ISAL_INVALID_SYMBOL: return "invalid deflate symbol";
    case ISAL_INVALID_LOOKBACK: return "invalid back-reference distance";
    case ISAL_INVALID_WRAPPER: return "invalid gzip header";
    case ISAL_UNSUPPORTED_METHOD: return "unsupported compression method";
    case ISAL_INCORRECT_CHECKSUM: return "CRC-32 or length does not match the data";
    default: return "inflate failed";
  }
}

// gzip input: the compressed blocks of an InputPipeline inflated on a thread of their own, into a
// ring of text blocks for the scan (inflating is four times as slow as scanning, so the two
// overlap on the two cores). Inflated by ISA-L's igzip (Intel's, in Debian): about four times
// zlib's speed here, and it checks each member's CRC-32 and length as zlib does. Concatenated
// members (gzip -c a b > c) are one stream.
class GzipInflater {
 public:
  //! Starts inflating `first` (the block the format was told by, held from `in`) and then `in`'s
  //! next blocks; `in` must have no other consumer of Next.
  GzipInflater(InputPipeline& in, std::string_view first) : in_(in), first_(first) {
    for (auto& block : ring_) block.resize(kInflateBlock);
    thread_ = std::thread([this] { Run(); });
  }
  GzipInflater(const GzipInflater&) = delete;
  GzipInflater& operator=(const GzipInflater&) = delete;
  ~GzipInflater() { Stop(); }

  //! The next inflated text, releasing the previous; empty at the end of the stream or on an
  //! error (error() then says which, once Join has returned).
  std::string_view Next() {
    std::unique_lock lock(mu_);
    if (holding_) {
      holding_ = false;
      ++consumed_;
      cv_.notify_all();
    }
    cv_.wait(lock, [this] { return produced_ > consumed_ || done_; });
    if (produced_ == consumed_) return {};
    holding_ = true;
    std::size_t i = consumed_ % kTextBlocks;
    return {ring_[i].data(), lens_[i]};
  }
  void Join() {
    if (thread_.joinable()) thread_.join();
  }
  //! Stops the thread, which may wait for room in the ring or (with the pipeline stopped too) for
  //! input, and waits for it.
  void Stop() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    Join();
  }
  const std::optional<Error>& error() const { return error_; }
  //! Compressed bytes taken from the pipeline.
  std::int64_t bytes() const { return bytes_; }

 private:
  void Run() {
    auto z = std::make_unique<inflate_state>();
    isal_inflate_init(z.get());
    z->crc_flag = ISAL_GZIP;
    bool member_ended = false;
    std::int64_t last_member_end = -1;  // input offset after the last whole member
    std::uint64_t n = 0;                // the text block being filled
    std::size_t filled = 0;
    char* out = nullptr;
    auto publish = [&] {
      std::lock_guard lock(mu_);
      lens_[n % kTextBlocks] = filled;
      produced_ = ++n;
      cv_.notify_all();
      out = nullptr;
    };
    auto finish = [&](std::optional<Error> e) {
      if (!e && out != nullptr && filled > 0) publish();
      std::lock_guard lock(mu_);
      error_ = std::move(e);
      done_ = true;
      cv_.notify_all();
    };
    for (std::string_view block = first_; !block.empty(); block = in_.Next()) {
      bytes_ += static_cast<std::int64_t>(block.size());
      // igzip's next_in is not const-qualified, but inflate only reads it.
      z->next_in = reinterpret_cast<std::uint8_t*>(const_cast<char*>(block.data()));
      z->avail_in = static_cast<std::uint32_t>(block.size());
      for (;;) {
        if (member_ended) {
          if (z->avail_in == 0) break;
          std::uint8_t* next_in = z->next_in;
          std::uint32_t avail_in = z->avail_in;
          isal_inflate_reset(z.get());
          z->crc_flag = ISAL_GZIP;
          z->next_in = next_in, z->avail_in = avail_in;
          member_ended = false;
        }
        if (out == nullptr) {
          std::unique_lock lock(mu_);
          cv_.wait(lock, [this, n] { return n - consumed_ < kTextBlocks || stop_; });
          if (stop_) return finish(std::nullopt);
          out = ring_[n % kTextBlocks].data();  // free: the scan has released it
          filled = 0;
        }
        z->next_out = reinterpret_cast<std::uint8_t*>(out + filled);
        z->avail_out = static_cast<std::uint32_t>(kInflateBlock - filled);
        int rc = isal_inflate(z.get());
        filled = kInflateBlock - z->avail_out;
        if (rc != ISAL_DECOMP_OK) {
          return finish(Error{Errc::kTruncated,
                              fmt::format("corrupt gzip stream at byte {}: {}", bytes_ - z->avail_in, IgzipError(rc))});
        }
        bool full = filled == kInflateBlock;
        if (full) publish();
        if (z->block_state == ISAL_BLOCK_FINISH) {
          member_ended = true;  // its CRC-32 and length checked
          last_member_end = bytes_ - z->avail_in;
        } else if (z->avail_in == 0 && !full) {
          break;  // wants the next block
        }
      }
    }
    if (member_ended || in_.read_error() || in_.write_failed()) return finish(std::nullopt);  // those: the caller's
    if (last_member_end < 0) return finish(Error{Errc::kTruncated, "gzip stream ends early (truncated file)"});
    finish(Error{Errc::kTruncated,
                 fmt::format("gzip stream ends early: the {} bytes after byte {} are not a whole gzip member "
                             "(a truncated member, or data after the stream)",
                             bytes_ - last_member_end, last_member_end)});
  }

  InputPipeline& in_;
  const std::string_view first_;
  std::vector<char> ring_[kTextBlocks];
  std::size_t lens_[kTextBlocks] = {};
  std::mutex mu_;
  std::condition_variable cv_;
  std::uint64_t produced_ = 0, consumed_ = 0;
  bool holding_ = false, done_ = false, stop_ = false;
  std::optional<Error> error_;  // thread only, until Join
  std::int64_t bytes_ = 0;      // thread only, until Join
  std::thread thread_;
};

// One pass over the file: SHA-256 and raw copy of the bytes as given (the copy only when
// `keep_copy`), and the lines (inflated when the file starts with the gzip magic bytes) through the
// scanner — the read, the hash and the copy in side threads (InputPipeline), the inflate and the
// scan in this one.
Result<InputScan> ScanInput(const std::string& path, const std::string& blob_dir, std::size_t& reject_budget,
                            bool keep_copy) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return Error{Errc::kIo, "no such file", path};
  if (!fs::is_regular_file(path, ec)) return Error{Errc::kIo, "not a regular file", path};
  Fd in{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (in.fd < 0) return Error{Errc::kIo, fmt::format("cannot read file: {}", std::strerror(errno)), path};
  struct stat st {};
  if (::fstat(in.fd, &st) != 0)
    return Error{Errc::kIo, fmt::format("cannot read file: {}", std::strerror(errno)), path};
  ::posix_fadvise(in.fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  InputScan out;
  out.path = path;
  Fd blob;
  if (keep_copy) {
    fs::create_directories(blob_dir, ec);
    out.tmp_blob = TmpBlobName(blob_dir);
    // Written through where the file system can (not tmpfs on older kernels: EINVAL), else as usual.
    blob.fd = ::open(out.tmp_blob.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_DIRECT, 0644);
    if (blob.fd < 0 && errno == EINVAL) blob.fd = ::open(out.tmp_blob.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (blob.fd < 0) return Error{Errc::kWrite, fmt::format("cannot write raw copy in {}", blob_dir), path};
  }

  EventScanner scanner([&out, &reject_budget](EventReject&& r) {
    if (reject_budget > 0) {
      --reject_budget;
      out.rejects.push_back(std::move(r));
    } else {
      ++out.rejects_dropped;
    }
  });
  scanner.OnPoint([&out](const detail::ScannedPoint& p) { out.points.Add(p); });
  // Declared after everything its threads touch, so that it is destroyed (threads joined) first.
  InputPipeline pipe(in.fd, blob.fd, static_cast<std::int64_t>(st.st_size));
  std::unique_ptr<GzipInflater> gzip;  // reads from `pipe`: destroyed (stopped) before it
  auto fail = [&](Error e) -> Result<InputScan> {
    pipe.Stop();
    if (gzip) gzip->Stop();
    if (e.file.empty()) e.file = path;
    fs::remove(out.tmp_blob, ec);
    return e;
  };
  pipe.Start();
  std::string_view block = pipe.Next();
  // Formats are told by their first bytes, not by the file name.
  if (block.size() >= 2 && static_cast<unsigned char>(block[0]) == 0x1F &&
      static_cast<unsigned char>(block[1]) == 0x8B) {
    out.gzip = true;
    gzip = std::make_unique<GzipInflater>(pipe, block);
    for (std::string_view text; !(text = gzip->Next()).empty();) scanner.Feed(text);
    gzip->Join();
    out.bytes = gzip->bytes();
  } else if (block.size() >= 4 && std::memcmp(block.data(), "PK\x03\x04", 4) == 0) {
    return fail(Error{Errc::kBinaryFile, "a zip archive: unzip it first (gpsi events reads plain or gzip exports)",
                      path, 1, 1});
  } else {
    for (; !block.empty(); block = pipe.Next()) {
      out.bytes += static_cast<std::int64_t>(block.size());
      scanner.Feed(block);
    }
  }
  if (pipe.read_error()) return fail(*pipe.read_error());
  if (pipe.write_failed()) return fail(Error{Errc::kWrite, "cannot write raw copy (disk full?)", path});
  if (gzip && gzip->error()) return fail(*gzip->error());
  pipe.Join();
  if (!pipe.copied()) return fail(Error{Errc::kWrite, "cannot write raw copy (disk full?)", path});
  if (blob.fd >= 0 && (::fdatasync(blob.fd) != 0 || ::close(blob.fd) != 0)) {
    blob.fd = -1;
    return fail(Error{Errc::kWrite, "cannot write raw copy", path});
  }
  blob.fd = -1;
  scanner.Finish();
  out.sha256 = pipe.Digest();
  out.counts = scanner.counts();
  out.cells = scanner.cells();
  return out;
}

// FIPS 10-4 code → unit, from the "#FIPS:" names `gpsi init` takes from reference_country_codes.
// A code naming several units goes to the one sovereign country among them (NL: Netherlands, not
// Bonaire…, both listed as NL); with none or several it stays unmapped rather than guessed.
std::unordered_map<std::string, std::string> FipsMap(Store& store) {
  std::unordered_map<std::string, std::vector<std::string>> names;
  for (auto& [key, unit] : store.UnitNames()) {
    if (key.rfind("#FIPS:", 0) == 0) names[key.substr(6)].push_back(unit);
  }
  std::set<std::string> countries;
  for (const Unit& u : store.Units()) {
    if (u.kind == UnitKind::kCountry) countries.insert(u.code);
  }
  std::unordered_map<std::string, std::string> map;
  for (auto& [code, units] : names) {
    if (units.size() == 1) {
      map[code] = units.front();
      continue;
    }
    std::vector<std::string> sovereign;
    for (const auto& u : units) {
      if (countries.count(u)) sovereign.push_back(u);
    }
    if (sovereign.size() == 1) map[code] = sovereign.front();
  }
  return map;
}

struct Sums {
  std::int64_t events = 0, violent = 0, conflict_micro = 0;
  double conflict_other = 0;
};

// Writes the points of one scanned input (its hash now known) in batches; the unit of each is the
// one its FIPS code maps to, as for the aggregates. Returns how many rows were added.
std::int64_t WritePoints(Store& store, const InputScan& scan,
                         const std::unordered_map<std::string, std::string>& fips) {
  constexpr std::size_t kBatch = 4096;
  std::vector<EventPoint> batch;
  batch.reserve(std::min(kBatch, scan.points.rows.size()));
  std::int64_t added = 0;
  for (const auto& r : scan.points.rows) {
    EventPoint& p = batch.emplace_back();
    p.source = kPointSource;
    p.event_id.assign(scan.points.text, r.text, r.id_len);
    p.day = r.day, p.lat = r.lat, p.lon = r.lon;
    p.adm1.assign(scan.points.text, r.text + r.id_len, r.adm1_len);
    if (r.fips[0] != '\0') p.country_fips.assign(r.fips, 2);
    if (auto it = fips.find(p.country_fips); it != fips.end()) p.unit = it->second;
    p.root_code = r.root_code, p.quad_class = r.quad_class, p.goldstein = r.goldstein, p.mentions = r.mentions;
    p.file_sha256 = scan.sha256, p.line = r.line;
    if (batch.size() == kBatch) {
      added += store.InsertEventPoints(batch);
      batch.clear();
    }
  }
  if (!batch.empty()) added += store.InsertEventPoints(batch);
  return added;
}

std::string IsoDate(int yyyymmdd) {
  if (yyyymmdd == 0) return "";
  return fmt::format("{:04}-{:02}-{:02}", yyyymmdd / 10000, yyyymmdd / 100 % 100, yyyymmdd % 100);
}

Indicator Meta(const std::string& base, int month) {
  Indicator m;
  m.code = base;
  m.unit_of_measure = "events";
  if (base == kTotal) {
    m.name_en = "GDELT events by country of action", m.name_zh = "GDELT 事件总数（按事件发生国）";
    m.description = "Machine-coded news events (GDELT 2.0) located in the country; media volume, a denominator";
  } else if (base == kViolent) {
    m.name_en = "GDELT violent events (CAMEO 18 assault, 19 fight, 20 mass violence)";
    m.name_zh = "GDELT 暴力事件数（CAMEO 18 攻击、19 交战、20 大规模暴力）";
    m.direction = -1;
    m.description = "GDELT 2.0 events with EventRootCode 18, 19 or 20 located in the country";
  } else {
    m.name_en = "GDELT material-conflict intensity (sum of -GoldsteinScale, QuadClass 4)";
    m.name_zh = "GDELT 物质冲突强度（QuadClass 4 事件 −Goldstein 值之和）";
    m.unit_of_measure = "Goldstein points";
    m.direction = -1;
    m.description = "Sum of -GoldsteinScale over GDELT 2.0 material-conflict events (QuadClass 4) in the country";
  }
  if (month > 0) {
    m.code = fmt::format("{}_m{:02}", base, month);
    m.name_en += fmt::format(", month {:02}", month);
    m.name_zh += fmt::format("，{}月", month);
  }
  return m;
}

std::string BlobPath(const std::string& blob_dir, const std::string& sha) {
  return (fs::path(blob_dir) / sha.substr(0, 2) / sha).string();
}

// Whether the store holds a file row and raw copy with these bytes.
bool BlobStored(Store& store, const std::string& blob_dir, const std::string& sha) {
  std::error_code ec;
  return store.FindFileBySha(sha).has_value() && fs::is_regular_file(BlobPath(blob_dir, sha), ec);
}

// Whether `path` was an input of an earlier run with its present size, its raw copy still there.
bool StoredBefore(const std::string& path, const std::map<std::string, FileRecord>& stored,
                  const std::string& blob_dir) {
  auto it = stored.find(fs::absolute(path).lexically_normal().string());
  if (it == stored.end()) return false;
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (ec || static_cast<std::int64_t>(size) != it->second.bytes) return false;
  auto kept = fs::file_size(BlobPath(blob_dir, it->second.sha256), ec);
  return !ec && kept == size;
}

void RemoveTmp(const std::vector<InputScan>& scans) {
  std::error_code ec;
  for (const auto& s : scans) {
    if (!s.tmp_blob.empty()) fs::remove(s.tmp_blob, ec);
  }
}

// Files named on the command line; a folder stands for its files (sorted, dot files left out).
Result<std::vector<std::string>> ExpandPaths(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  for (const auto& p : paths) {
    std::error_code ec;
    if (!fs::is_directory(p, ec)) {
      out.push_back(p);
      continue;
    }
    std::vector<std::string> files;
    for (auto it = fs::recursive_directory_iterator(p, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      if (it->is_regular_file() && it->path().filename().string()[0] != '.') files.push_back(it->path().string());
    }
    if (ec) return Error{Errc::kIo, fmt::format("cannot list folder: {}", ec.message()), p};
    std::sort(files.begin(), files.end());
    out.insert(out.end(), files.begin(), files.end());
  }
  if (out.empty()) return Error{Errc::kUsage, "no event files given"};
  return out;
}

}  // namespace

std::string EventsCsv(const EventsReport& report) {
  std::string out = "unit,period,indicator,value\n";
  for (const auto& v : report.values) {
    std::string period = v.month > 0 ? fmt::format("{}-{:02}", v.year, v.month) : std::to_string(v.year);
    out += fmt::format("{},{},{},{}\n", v.unit, period, v.indicator, FormatNumber(v.value));
  }
  return out;
}

Result<EventsReport> IngestEvents(Store& store, const EventsOptions& options) {
  auto paths = ExpandPaths(options.paths);
  if (!paths) return paths.error();
  auto fips = FipsMap(store);
  if (fips.empty()) {
    return Error{Errc::kBadReference,
                 "the store has no FIPS 10-4 codes: run `gpsi init` with the shared data folder "
                 "(reference_country_codes) to load them"};
  }
  const std::string blob_dir = store.BlobDir();
  EventsReport report;
  Source source = GdeltSource();
  report.source_key = source.key;
  std::vector<InputScan> scans;  // raw copies wait under temporary names until the commit
  std::map<std::tuple<std::string, int, int>, Sums> sums;
  std::map<std::string, std::size_t> first_of_sha;
  int max_sqldate = 0;
  std::size_t reject_budget = kMaxStoredRejects;
  std::map<std::string, FileRecord> stored_events;  // input files of earlier runs, by path
  for (FileRecord& f : store.Files()) {
    if (f.descriptor == "gpsi events") stored_events[f.path] = std::move(f);
  }
  try {
    Transaction tx(store);
    // Everything is scanned before anything is written: the source's release (the latest event
    // date) and the manifest, which decides whether the run is a repeat, need every file.
    for (const auto& path : *paths) {
      // A file stored before under the same path and size is most likely the same bytes (a rerun):
      // it is scanned without a raw copy, and scanned again with one should its hash say otherwise.
      const std::size_t budget = reject_budget;
      bool expect_stored = StoredBefore(path, stored_events, blob_dir);
      auto scan = ScanInput(path, blob_dir, reject_budget, !expect_stored);
      if (scan && expect_stored && !BlobStored(store, blob_dir, scan->sha256)) {
        reject_budget = budget;
        scan = ScanInput(path, blob_dir, reject_budget, true);
      }
      if (!scan) {
        RemoveTmp(scans);
        return scan.error();
      }
      EventFileReport fr;
      fr.path = path, fr.sha256 = scan->sha256, fr.gzip = scan->gzip, fr.bytes = scan->bytes;
      const auto& c = scan->counts;
      fr.lines = c.lines, fr.blank = c.blank, fr.events = c.events, fr.quarantined = c.quarantined;
      fr.no_country = c.no_country, fr.reasons = c.reasons, fr.quarantine_not_stored = scan->rejects_dropped;
      fr.points = c.points, fr.bad_points = c.bad_points;
      if (first_of_sha.count(scan->sha256)) {
        // The same bytes twice (a copy under another name) would count every event twice.
        fr.duplicate = true;
        scan->points = {};
        std::error_code ec;
        fs::remove(scan->tmp_blob, ec);
        scan->tmp_blob.clear();
        report.files.push_back(std::move(fr));
        scans.push_back(std::move(*scan));
        continue;
      }
      first_of_sha[scan->sha256] = report.files.size();
      for (const auto& [key, cell] : scan->cells) {
        std::string code = detail::EventKeyFips(key);
        auto it = fips.find(code);
        if (it == fips.end()) {
          fr.unknown_fips += cell.events;
          fr.unknown_codes[code] += cell.events;
          continue;
        }
        fr.accepted += cell.events;
        int month = options.monthly ? detail::EventKeyMonth(key) : 0;
        Sums& s = sums[{it->second, detail::EventKeyYear(key), month}];
        s.events += cell.events, s.violent += cell.violent;
        s.conflict_micro += cell.conflict_micro, s.conflict_other += cell.conflict_other;
      }
      max_sqldate = std::max(max_sqldate, c.max_sqldate);
      report.files.push_back(std::move(fr));
      scans.push_back(std::move(*scan));  // its raw copy is removed on failure from here on
      // The points now, file by file (their memory is let go), in this transaction: a file stored by
      // an earlier run adds only those the store lacks (none, unless it was stored before points were).
      report.points += WritePoints(store, scans.back(), fips);
      scans.back().points = {};
    }
    source.release = IsoDate(max_sqldate);
    source.retrieved = NowUtc().substr(0, 10);

    // The manifest: what was aggregated, inputs sorted by sha256. A run is identified by its
    // inputs' contents and the period, not by where the files lay: that key, kept in the manifest
    // row's descriptor, recognises a rerun.
    nlohmann::json inputs = nlohmann::json::array();
    std::vector<const EventFileReport*> kept;
    for (const auto& fr : report.files) {
      if (!fr.duplicate) kept.push_back(&fr);
    }
    std::sort(kept.begin(), kept.end(), [](const auto* a, const auto* b) { return a->sha256 < b->sha256; });
    for (const auto* fr : kept) {
      inputs.push_back({{"path", fs::absolute(fr->path).lexically_normal().string()},
                        {"sha256", fr->sha256},
                        {"bytes", fr->bytes},
                        {"gzip", fr->gzip},
                        {"lines", fr->lines},
                        {"blank", fr->blank},
                        {"events", fr->events},
                        {"accepted", fr->accepted},
                        {"no_country", fr->no_country},
                        {"unknown_fips", fr->unknown_fips},
                        {"unknown_fips_codes", fr->unknown_codes},
                        {"quarantined", fr->quarantined},
                        {"quarantine_reasons", fr->reasons}});
    }
    nlohmann::json manifest = {{"format", "gpsi-events-manifest/1"},
                               {"source", source.key},
                               {"publisher", source.publisher},
                               {"period", options.monthly ? "month" : "year"},
                               {"indicators", {kTotal, kViolent, kConflict}},
                               {"inputs", inputs}};
    std::string manifest_text = manifest.dump(2) + "\n";
    report.manifest_sha256 = Sha256Hex(manifest_text);
    std::string identity = options.monthly ? "month" : "year";
    for (const auto* fr : kept) identity += "\n" + fr->sha256;
    const std::string manifest_descriptor =
        fmt::format("gpsi events --period {} (manifest, run key {})", options.monthly ? "month" : "year",
                    Sha256Hex(identity).substr(0, 32));

    for (auto& [key, s] : sums) {
      const auto& [unit, year, month] = key;
      double conflict = static_cast<double>(s.conflict_micro) / 1e6 + s.conflict_other;
      report.values.push_back({unit, year, month, kTotal, static_cast<double>(s.events)});
      report.values.push_back({unit, year, month, kConflict, conflict});
      report.values.push_back({unit, year, month, kViolent, static_cast<double>(s.violent)});
    }

    auto files = store.Files();
    auto same_run = std::find_if(files.begin(), files.end(),
                                 [&](const FileRecord& f) { return f.descriptor == manifest_descriptor; });
    if (same_run != files.end()) {
      report.manifest_sha256 = same_run->sha256;
      report.unchanged = true;  // its inputs were committed with it: nothing to add
      for (auto& fr : report.files) fr.stored_before = !fr.duplicate;
      RemoveTmp(scans);
      // …but the points of its inputs that the store lacks: a store migrated to schema 10 holds no
      // point of the runs before. Those alone are committed; otherwise the transaction rolls back.
      if (report.points > 0) tx.Commit();
      return report;
    }

    std::int64_t source_id = store.UpsertSource(source);
    std::string now = NowUtc();
    for (std::size_t i = 0; i < scans.size(); ++i) {
      InputScan& scan = scans[i];
      EventFileReport& fr = report.files[i];
      if (fr.duplicate) continue;
      if (store.FindFileBySha(scan.sha256)) {
        fr.stored_before = true;  // its row, quarantine and raw copy are there from an earlier run
        continue;
      }
      if (scan.tmp_blob.empty()) {  // a file row is never written without its raw copy
        throw Failure(Error{Errc::kInternal, "no raw copy of a new input", scan.path});
      }
      FileRecord file;
      file.path = fs::absolute(scan.path).lexically_normal().string();
      file.sha256 = scan.sha256, file.bytes = scan.bytes, file.source_id = source_id;
      file.descriptor = "gpsi events";
      file.ingested_at = now;
      file.id = store.InsertFile(file);
      for (const auto& r : scan.rejects) {
        store.InsertQuarantine(file.id, QuarantineRow{r.line, r.column, r.raw, r.reason, r.detail});
      }
      file.rows_read = fr.lines, file.rows_accepted = fr.accepted, file.rows_quarantined = fr.quarantined;
      file.rows_skipped = fr.blank + fr.no_country + fr.unknown_fips;
      store.UpdateFileCounts(file);
    }

    FileRecord mf;
    mf.sha256 = report.manifest_sha256;
    mf.path = BlobPath(blob_dir, mf.sha256);
    mf.bytes = static_cast<std::int64_t>(manifest_text.size());
    mf.source_id = source_id;
    mf.descriptor = manifest_descriptor;
    mf.ingested_at = now;
    mf.id = store.InsertFile(mf);
    std::set<std::string> upserted;
    Observation o;
    for (const auto& v : report.values) {
      o.unit = v.unit, o.year = v.year, o.indicator = v.StoredCode(), o.value = v.value, o.line = 0;
      if (upserted.insert(o.indicator).second) store.UpsertIndicator(Meta(v.indicator, v.month));
      std::int64_t first_line = 0;
      if (store.InsertObservation(o, source_id, mf.id, &first_line) == InsertOutcome::kInserted) ++report.observations;
    }
    mf.rows_read = mf.rows_accepted = report.observations;
    store.UpdateFileCounts(mf);

    // Raw bytes go in place before the commit (a crash in between leaves unreferenced,
    // content-addressed blobs, never a file row without its bytes).
    std::error_code ec;
    std::string tmp_manifest = TmpBlobName(blob_dir);
    {
      Fd fd{::open(tmp_manifest.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)};
      if (fd.fd < 0 || !WriteAll(fd.fd, manifest_text.data(), manifest_text.size())) {
        fs::remove(tmp_manifest, ec);
        throw Failure(Error{Errc::kWrite, "cannot write the manifest", blob_dir});
      }
    }
    scans.push_back(InputScan{});
    scans.back().tmp_blob = tmp_manifest, scans.back().sha256 = mf.sha256;
    for (auto& scan : scans) {
      if (scan.tmp_blob.empty()) continue;
      fs::path final_blob = BlobPath(blob_dir, scan.sha256);
      fs::create_directories(final_blob.parent_path(), ec);
      fs::rename(scan.tmp_blob, final_blob, ec);
      if (ec) throw Failure(Error{Errc::kIo, fmt::format("cannot keep raw copy: {}", ec.message()), scan.path});
      scan.tmp_blob.clear();
    }
    tx.Commit();
  } catch (const Failure& f) {
    RemoveTmp(scans);
    return f.error();
  }
  return report;
}

}  // namespace gpsi
