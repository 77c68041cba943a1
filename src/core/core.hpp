// gpsi core: error-code registry, Result<T>, hashing, UTF-8 checks, name keys, logging.
// Public header of the core module; everything else in gpsi may include it.
#pragma once

#include <cmath>
#include <cstdint>
#include <ctime>
#include <exception>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace gpsi {

//! Every failure gpsi reports, one row each in the table of error.cpp (append-only).
enum class Errc {
  kOk = 0,
  kInternal,
  kUsage,
  kIo,
  kEmptyFile,
  kBinaryFile,
  kNotUtf8,
  kTruncated,
  kBadHeader,
  kBadDescriptor,
  kMissingColumn,
  kNoDescriptor,
  kRejectedStrict,
  kSchemaNewer,
  kStoreCorrupt,
  kNotFound,
  kBadReference,
  kAmbiguousUnit,
  kSchemaOlder,
  kRecordTooLong,
  kBadMethod,
  kUncomputable,
  kNetwork,
  kBadResponse,
  kMethodNotAllowed,
  kTooLarge,
  kTimeout,
  kWrite,           //!< an output (file, raw copy, folder) cannot be written: not the input's fault
  kBadRequest,      //!< an HTTP request framed against RFC 9112 (the connection is closed after the answer)
  kHeaderTooLarge,  //!< an HTTP request head over the size or field-count limit
  kBusy,            //!< the server holds its limit of connections (in total or from this client)
  kUnauthorized,    //!< no valid credentials (unknown, expired or revoked token; wrong password)
  kForbidden,       //!< valid credentials without the permission, or another member's data
  kConflict,        //!< the change clashes with what is stored (a key in use, a state that forbids it)
  kAuditBroken,     //!< the audit log's hash chain does not verify: an entry was edited, removed or moved
  kRateLimited,     //!< too many attempts from one client in a short time (logins)
  kBadCampaign,     //!< an evaluation campaign's rules or data break its format or rules
  kBadProject,      //!< a project risk file breaks its format (docs/risk.md)
  kNotPublished,    //!< the server was started without what the request reads (forecasts, warnings, risk…)
};

//! One row of the error table: stable id, default message, CLI exit code and HTTP status.
struct ErrorInfo {
  Errc code;
  std::string_view id;
  std::string_view message;
  int exit_code;
  int http_status;
};

//! The row of the error table for `code`.
const ErrorInfo& Info(Errc code);

//! A failure with an optional source location (file:line:column, 1-based; 0 = unknown).
struct Error {
  Errc code = Errc::kInternal;
  std::string message;
  std::string file;
  std::int64_t line = 0;
  std::int64_t column = 0;

  //! `file:line:column: error: message`, dropping the parts that are unknown.
  std::string Format() const;
  int ExitCode() const { return Info(code).exit_code; }
};

//! Thrown only for failures that end the whole operation (DuckDB style); carries an Error.
class Failure : public std::exception {
 public:
  explicit Failure(Error error) : error_(std::move(error)) {}
  const Error& error() const { return error_; }
  const char* what() const noexcept override { return error_.message.c_str(); }

 private:
  Error error_;
};

//! Value-or-error for expected failures (bad input, missing data). [[nodiscard]]: a dropped
//! Result is a dropped error, so the compiler warns at every call that ignores one.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T& operator*() { return value(); }
  T* operator->() { return &value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

//! Result for operations without a value.
struct Unit_ {};
using Status = Result<Unit_>;
inline Status Ok() {
  return Unit_{};
}

//! Streaming SHA-256 (FIPS 180-4) over OpenSSL's EVP interface.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void Update(const void* data, std::size_t size);
  void Update(std::string_view s) { Update(s.data(), s.size()); }
  //! Lower-case hex digest; the object must not be updated afterwards.
  std::string HexDigest();

 private:
  void* ctx_;
};

//! SHA-256 hex digest of a string.
std::string Sha256Hex(std::string_view data);

//! Streaming UTF-8 check (Unicode 15 §3.9 well-formed sequences) that remembers where it failed.
class Utf8Validator {
 public:
  //! Feeds a chunk; returns false at the first invalid byte (see error_offset()).
  bool Feed(std::string_view chunk);
  //! True when the input ended in the middle of a multi-byte sequence.
  bool Incomplete() const { return need_ != 0; }
  //! Absolute offset of the first invalid byte.
  std::uint64_t error_offset() const { return error_offset_; }

 private:
  int need_ = 0;
  std::uint32_t lower_ = 0x80, upper_ = 0xBF;
  std::uint64_t offset_ = 0, error_offset_ = 0;
};

//! Whether all of `s` is well-formed UTF-8 (Utf8Validator over the whole string).
inline bool ValidUtf8(std::string_view s) {
  Utf8Validator v;
  return v.Feed(s) && !v.Incomplete();
}

//! Key for matching a place name across publishers: Unicode NFKD, marks removed, case folded,
//! apostrophes dropped, other punctuation as spaces, spaces collapsed ("Côte d’Ivoire" → "cote divoire").
std::string NameKey(std::string_view name);

//! Converts `bytes` in the character set `encoding` (an ICU converter name such as
//! "windows-1252") to UTF-8; false when the converter is unknown or a byte has no mapping.
bool ToUtf8(std::string_view bytes, const std::string& encoding, std::string& out);
//! True when ICU knows a converter of this name.
bool KnownEncoding(const std::string& encoding);

//! Trims ASCII white space at both ends.
std::string_view Trim(std::string_view s);

//! The missing value of every table gpsi computes or publishes (R's NA).
inline constexpr double kNa = std::numeric_limits<double>::quiet_NaN();
//! Whether a value is missing.
inline bool IsNa(double x) {
  return std::isnan(x);
}

//! Parses a decimal number as written by publishers ("1,234.5" is not accepted: commas are
//! thousands separators only in descriptors that say so); nullopt when not a finite number.
std::optional<double> ParseNumber(std::string_view s);

//! `t` (seconds since the epoch) as ISO 8601 UTC to the second ("2026-12-05T18:11:39Z").
std::string UtcAt(std::time_t t);
//! The time UtcAt wrote as `text`; nullopt for anything else (another form, a day that does not
//! exist such as 2027-02-30).
std::optional<std::time_t> ParseUtc(const std::string& text);
//! UTC time `days` days from now as ISO 8601 to the second ("2026-12-05T18:11:39Z"); every
//! stored time uses this one form, so times compare as text.
std::string UtcInDays(int days);
//! UTC time now to the microsecond ("2026-12-05T18:11:39.123456Z"), read from one clock sample:
//! times in one second compare as text among themselves.
std::string NowUtcMicros();
//! Microseconds since the epoch now (system clock), and such a time as NowUtcMicros writes it.
std::int64_t NowMicros();
std::string UtcAtMicros(std::int64_t micros);

//! Current UTC time as ISO 8601 (seconds): UtcInDays(0).
std::string NowUtc();

//! Logging to stderr; `quiet` silences Info.
void SetQuiet(bool quiet);
void LogInfo(std::string_view message);
void LogWarn(std::string_view message);

//! Deterministic pseudo-random numbers: xoshiro256** (Blackman & Vigna 2018) seeded through
//! SplitMix64 from (seed, stream). The same pair gives the same sequence on every platform, so a
//! Monte Carlo run seeded by its run number does not depend on threads or MPI ranks. Hand-written
//! because the standard library's distributions differ between implementations.
class Rng {
 public:
  explicit Rng(std::uint64_t seed, std::uint64_t stream = 0);
  std::uint64_t Next();
  //! Uniform in [0, 1) with 53 random bits.
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  //! Uniform integer in [0, n), n > 0 (Lemire's unbiased multiply-shift).
  std::uint64_t Below(std::uint64_t n);

 private:
  std::uint64_t s_[4];
};

//! Engine version string.
std::string_view Version();

}  // namespace gpsi
