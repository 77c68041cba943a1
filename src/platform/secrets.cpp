// Passwords (argon2id) and API tokens, over libsodium: its crypto_pwhash_str is argon2id with a
// salt and the cost parameters kept in the hash string, and randombytes_buf is the OS CSPRNG.
#include <sodium.h>

#include <fmt/format.h>

#include "platform.hpp"

namespace gpsi::platform {
namespace {

//! libsodium must be initialised once before use; sodium_init is idempotent and thread-safe.
void InitSodium() {
  static const int rc = sodium_init();
  if (rc < 0) throw Failure(Error{Errc::kInternal, "libsodium cannot be initialised"});
}

}  // namespace

Result<std::string> HashPassword(std::string_view password) {
  if (password.size() < kMinPassword || password.size() > kMaxPassword) {
    return Error{Errc::kUsage, fmt::format("a password must have {} to {} characters", kMinPassword, kMaxPassword)};
  }
  if (!ValidUtf8(password)) return Error{Errc::kUsage, "a password must be UTF-8 text"};
  InitSodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return Error{Errc::kInternal, "argon2id: out of memory while hashing a password"};
  }
  return std::string(out);
}

bool VerifyPassword(const std::string& hash, std::string_view password) {
  if (hash.empty() || password.size() > kMaxPassword) return false;
  InitSodium();
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

std::string NewSecret(std::string_view prefix) {
  InitSodium();
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  char text[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(text, sizeof text, bytes, sizeof bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(bytes, sizeof bytes);
  return std::string(prefix) + text;
}

std::string NewTokenSecret() {
  return NewSecret("gpsi_");
}

bool SameSecret(std::string_view a, std::string_view b) {
  InitSodium();
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string TokenDigest(std::string_view secret) {
  return Sha256Hex(secret);
}

}  // namespace gpsi::platform
