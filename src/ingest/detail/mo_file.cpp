#include "mo_file.hpp"

#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>

namespace gpsi::detail {

Result<std::unordered_map<std::string, std::string>> ReadMoFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{Errc::kBadReference, "cannot read translation catalogue", path};
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string data = ss.str();
  auto bad = [&] { return Error{Errc::kBadReference, "malformed .mo file", path}; };
  if (data.size() < 20) return bad();
  std::uint32_t magic = 0;
  std::memcpy(&magic, data.data(), 4);
  bool swap = magic == 0xde120495U;
  if (magic != 0x950412deU && !swap) return bad();
  auto u32 = [&](std::size_t off) -> std::uint32_t {
    std::uint32_t v = 0;
    std::memcpy(&v, data.data() + off, 4);
    return swap ? __builtin_bswap32(v) : v;
  };
  std::uint32_t n = u32(8), orig = u32(12), trans = u32(16);
  if (orig + 8ULL * n > data.size() || trans + 8ULL * n > data.size()) return bad();
  std::unordered_map<std::string, std::string> out;
  for (std::uint32_t i = 0; i < n; ++i) {
    std::uint32_t olen = u32(orig + 8 * i), ooff = u32(orig + 8 * i + 4);
    std::uint32_t tlen = u32(trans + 8 * i), toff = u32(trans + 8 * i + 4);
    if (ooff + static_cast<std::uint64_t>(olen) > data.size() ||
        toff + static_cast<std::uint64_t>(tlen) > data.size()) {
      return bad();
    }
    out.emplace(data.substr(ooff, olen), data.substr(toff, tlen));
  }
  return out;
}

}  // namespace gpsi::detail
