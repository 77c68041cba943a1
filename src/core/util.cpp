#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>

#include <fmt/format.h>
#include <openssl/evp.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/ucnv.h>
#include <unicode/unistr.h>

#include "core.hpp"

namespace gpsi {

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (ctx_ == nullptr || EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), EVP_sha256(), nullptr) != 1) {
    throw Failure(Error{Errc::kInternal, "cannot initialise SHA-256"});
  }
}

Sha256::~Sha256() {
  EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_));
}

void Sha256::Update(const void* data, std::size_t size) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data, size);
}

std::string Sha256::HexDigest() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), md, &len);
  std::string hex;
  hex.reserve(len * 2);
  for (unsigned i = 0; i < len; ++i) hex += fmt::format("{:02x}", md[i]);
  return hex;
}

std::string Sha256Hex(std::string_view data) {
  Sha256 h;
  h.Update(data);
  return h.HexDigest();
}

// Hand-written because the check must resume across read chunks and report the byte offset of
// the first bad sequence; ICU's converters only say "invalid somewhere". Follows the table of
// well-formed byte sequences in Unicode 15, section 3.9 (no overlongs, no surrogates).
bool Utf8Validator::Feed(std::string_view chunk) {
  for (unsigned char c : chunk) {
    if (need_ == 0) {
      if (c < 0x80) {
      } else if (c >= 0xC2 && c <= 0xDF) {
        need_ = 1, lower_ = 0x80, upper_ = 0xBF;
      } else if (c >= 0xE0 && c <= 0xEF) {
        need_ = 2;
        lower_ = c == 0xE0 ? 0xA0 : 0x80;
        upper_ = c == 0xED ? 0x9F : 0xBF;
      } else if (c >= 0xF0 && c <= 0xF4) {
        need_ = 3;
        lower_ = c == 0xF0 ? 0x90 : 0x80;
        upper_ = c == 0xF4 ? 0x8F : 0xBF;
      } else {
        error_offset_ = offset_;
        return false;
      }
    } else {
      if (c < lower_ || c > upper_) {
        error_offset_ = offset_;
        return false;
      }
      lower_ = 0x80, upper_ = 0xBF;
      --need_;
    }
    ++offset_;
  }
  return true;
}

bool KnownEncoding(const std::string& encoding) {
  UErrorCode status = U_ZERO_ERROR;
  UConverter* c = ucnv_open(encoding.c_str(), &status);
  if (c) ucnv_close(c);
  return U_SUCCESS(status) && c != nullptr;
}

bool ToUtf8(std::string_view bytes, const std::string& encoding, std::string& out) {
  UErrorCode status = U_ZERO_ERROR;
  UConverter* from = ucnv_open(encoding.c_str(), &status);
  if (U_FAILURE(status)) return false;
  // An unmapped byte is an error, not a silent U+FFFD: the text must survive the round trip.
  ucnv_setToUCallBack(from, UCNV_TO_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &status);
  icu::UnicodeString text(bytes.data(), static_cast<int32_t>(bytes.size()), from, status);
  ucnv_close(from);
  if (U_FAILURE(status)) return false;
  out.clear();
  text.toUTF8String(out);
  return true;
}

std::string_view Trim(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

std::optional<double> ParseNumber(std::string_view s) {
  s = Trim(s);
  if (!s.empty() && s.front() == '+') {
    s.remove_prefix(1);
    if (!s.empty() && s.front() == '-') return std::nullopt;  // "+-1": from_chars would take the '-'
  }
  if (s.empty()) return std::nullopt;
  double v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::string NameKey(std::string_view name) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkd = icu::Normalizer2::getNFKDInstance(status);
  icu::UnicodeString in =
      icu::UnicodeString::fromUTF8(icu::StringPiece(name.data(), static_cast<int32_t>(name.size())));
  icu::UnicodeString decomposed = U_SUCCESS(status) ? nfkd->normalize(in, status) : in;
  icu::UnicodeString out;
  bool space = true;  // suppress leading spaces
  for (int32_t i = 0; i < decomposed.length();) {
    UChar32 c = decomposed.char32At(i);
    i += U16_LENGTH(c);
    int8_t type = u_charType(c);
    if (type == U_NON_SPACING_MARK || type == U_COMBINING_SPACING_MARK || type == U_ENCLOSING_MARK) continue;
    if (c == '\'' || c == 0x2019 || c == 0x2018 || c == 0x02BC || c == '`') continue;
    if (u_isalnum(c)) {
      out.append(u_foldCase(c, U_FOLD_CASE_DEFAULT));
      space = false;
    } else if (!space) {
      out.append(static_cast<UChar32>(' '));
      space = true;
    }
  }
  std::string key;
  out.toUTF8String(key);
  while (!key.empty() && key.back() == ' ') key.pop_back();
  return key;
}

namespace {
//! `t` as ISO 8601 UTC to the second, without the zone letter.
std::string UtcSeconds(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return buf;
}
}  // namespace

std::string UtcAt(std::time_t t) {
  return UtcSeconds(t) + "Z";
}

std::optional<std::time_t> ParseUtc(const std::string& text) {
  // strptime (libc) reads the fields but takes 31 February; the round trip through timegm and
  // UtcAt refuses every time not written in exactly this form.
  std::tm tm{};
  const char* end = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  const std::time_t t = timegm(&tm);
  if (UtcAt(t) != text) return std::nullopt;
  return t;
}

std::string UtcInDays(int days) {
  return UtcAt(std::time(nullptr) + static_cast<std::time_t>(days) * 86400);
}

std::int64_t NowMicros() {
  const auto now = std::chrono::system_clock::now();
  return std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
}

std::string UtcAtMicros(std::int64_t micros) {
  return fmt::format("{}.{:06d}Z", UtcSeconds(static_cast<std::time_t>(micros / 1'000'000)), micros % 1'000'000);
}

std::string NowUtcMicros() {
  return UtcAtMicros(NowMicros());
}

std::string NowUtc() {
  return UtcInDays(0);
}

namespace {
bool g_quiet = false;
}

void SetQuiet(bool quiet) {
  g_quiet = quiet;
}
void LogInfo(std::string_view message) {
  if (!g_quiet) fmt::print(stderr, "{}\n", message);
}
void LogWarn(std::string_view message) {
  fmt::print(stderr, "warning: {}\n", message);
}

namespace {
std::uint64_t SplitMix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}
__extension__ using U128 = unsigned __int128;
std::uint64_t Rotl(std::uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}
}  // namespace

Rng::Rng(std::uint64_t seed, std::uint64_t stream) {
  std::uint64_t x = seed ^ SplitMix64(stream);
  for (auto& w : s_) w = SplitMix64(x);
}

std::uint64_t Rng::Next() {
  const std::uint64_t result = Rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = Rotl(s_[3], 45);
  return result;
}

std::uint64_t Rng::Below(std::uint64_t n) {
  // Lemire (2019): multiply-shift with rejection of the biased low range.
  U128 m = static_cast<U128>(Next()) * n;
  auto low = static_cast<std::uint64_t>(m);
  if (low < n) {
    std::uint64_t threshold = -n % n;
    while (low < threshold) {
      m = static_cast<U128>(Next()) * n;
      low = static_cast<std::uint64_t>(m);
    }
  }
  return static_cast<std::uint64_t>(m >> 64);
}

}  // namespace gpsi
