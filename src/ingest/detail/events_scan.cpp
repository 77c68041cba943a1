// GDELT 2.0 event-line scanner (see events_scan.hpp for why it is hand-written).
#include "detail/events_scan.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <initializer_list>

#include <fmt/format.h>

#include "core.hpp"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace gpsi::detail {
namespace {

// Bit i of `tabs`, `newlines`, `high` is set when byte i of the 64 at `p` is a tab, a newline, a
// byte ≥ 0x80. One classifier per instruction set; EventScanner::ScanWith is compiled once with
// each (ScanSse2, ScanAvx2) and the CPU picks at run time.
struct PortableClassify {
  static void Masks(const char* p, std::uint64_t& tabs, std::uint64_t& newlines, std::uint64_t& high) {
    std::uint64_t t = 0, n = 0, h = 0;
    for (int i = 0; i < 64; ++i) {
      auto c = static_cast<unsigned char>(p[i]);
      t |= static_cast<std::uint64_t>(c == '\t') << i;
      n |= static_cast<std::uint64_t>(c == '\n') << i;
      h |= static_cast<std::uint64_t>(c >= 0x80) << i;
    }
    tabs = t, newlines = n, high = h;
  }
  // Bits set in x. Written out because the baseline x86-64 target has no POPCNT instruction and
  // __builtin_popcountll becomes a library call.
  static int PopCount(std::uint64_t x) {
    x -= (x >> 1) & 0x5555555555555555ULL;
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
    return static_cast<int>((x * 0x0101010101010101ULL) >> 56);
  }
};

#if defined(__x86_64__)
struct Sse2Classify : PortableClassify {
  static void Masks(const char* p, std::uint64_t& tabs, std::uint64_t& newlines, std::uint64_t& high) {
    const __m128i tab = _mm_set1_epi8('\t'), nl = _mm_set1_epi8('\n');
    std::uint64_t t = 0, n = 0, h = 0;
    for (int i = 0; i < 4; ++i) {
      __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * i));
      t |= static_cast<std::uint64_t>(static_cast<std::uint16_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, tab))))
           << (16 * i);
      n |= static_cast<std::uint64_t>(static_cast<std::uint16_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, nl)))) << (16 * i);
      h |= static_cast<std::uint64_t>(static_cast<std::uint16_t>(_mm_movemask_epi8(v))) << (16 * i);
    }
    tabs = t, newlines = n, high = h;
  }
};

// Two 32-byte compares instead of four 16-byte ones, and the POPCNT instruction: 5–10 % faster
// scanning (bench/events_bench.cpp) on the CPUs that have them, nearly all x86-64 since 2013.
struct Avx2Classify {
  [[gnu::target("avx2")]] static void Masks(const char* p, std::uint64_t& tabs, std::uint64_t& newlines,
                                            std::uint64_t& high) {
    const __m256i tab = _mm256_set1_epi8('\t'), nl = _mm256_set1_epi8('\n');
    __m256i lo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    __m256i hi = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32));
    auto bits = [](int a, int b) {
      return static_cast<std::uint64_t>(static_cast<std::uint32_t>(a)) |
             static_cast<std::uint64_t>(static_cast<std::uint32_t>(b)) << 32;
    };
    tabs = bits(_mm256_movemask_epi8(_mm256_cmpeq_epi8(lo, tab)), _mm256_movemask_epi8(_mm256_cmpeq_epi8(hi, tab)));
    newlines = bits(_mm256_movemask_epi8(_mm256_cmpeq_epi8(lo, nl)), _mm256_movemask_epi8(_mm256_cmpeq_epi8(hi, nl)));
    high = bits(_mm256_movemask_epi8(lo), _mm256_movemask_epi8(hi));
  }
  [[gnu::target("popcnt")]] static int PopCount(std::uint64_t x) { return __builtin_popcountll(x); }
};
#else
using Sse2Classify = PortableClassify;
using Avx2Classify = PortableClassify;
#endif

// Tabs (by index in the line) that bound the fields in use: field i lies between tabs i−1 and i
// (field 0 before tab 0).
constexpr std::uint64_t TabsOf(std::initializer_list<int> fields) {
  std::uint64_t m = 0;
  for (int f : fields) m |= f == 0 ? 1ULL : 3ULL << (f - 1);
  return m;
}
constexpr std::uint64_t kNeededTabs =
    TabsOf({kGdeltSqlDate, kGdeltEventRootCode, kGdeltQuadClass, kGdeltGoldstein, kGdeltActionCountry});
constexpr std::uint64_t kPointTabs =
    TabsOf({kGdeltEventId, kGdeltNumMentions, kGdeltActionAdm1, kGdeltActionLat, kGdeltActionLong});

inline bool Digit(char c) {
  return c >= '0' && c <= '9';
}

inline int FipsChar(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= '0' && c <= '9') return 26 + (c - '0');
  return -1;
}

int DaysIn(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// GoldsteinScale as GDELT writes it ("-7.0", "10", "+2.85"): sign, 1–2 digits, up to 6 decimals,
// in millionths. Anything else returns false and goes through from_chars.
inline bool PlainDecimal(std::string_view s, std::int64_t& micro) {
  std::size_t i = 0;
  bool neg = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
  std::size_t int_start = i;
  std::int64_t v = 0;
  while (i < s.size() && Digit(s[i]) && i - int_start < 2) v = v * 10 + (s[i++] - '0');
  if (i == int_start) return false;
  int decimals = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && Digit(s[i]) && decimals < 6) v = v * 10 + (s[i++] - '0'), ++decimals;
    if (decimals == 0) return false;
  }
  if (i != s.size()) return false;
  for (int d = decimals; d < 6; ++d) v *= 10;
  micro = neg ? -v : v;
  return true;
}

// The line cut to kMaxRawBytes at a character boundary, with NUL bytes and, when the line is not
// valid UTF-8, every non-ASCII byte shown as '?' (the quarantine table holds text).
std::string RawText(std::string_view line) {
  std::string raw(line.substr(0, kMaxRawBytes));
  if (raw.size() < line.size()) {
    while (!raw.empty() && (static_cast<unsigned char>(raw.back()) & 0xC0) == 0x80) raw.pop_back();
    if (!raw.empty() && static_cast<unsigned char>(raw.back()) >= 0xC0) raw.pop_back();
  }
  Utf8Validator v;
  bool valid = v.Feed(raw) && !v.Incomplete();
  for (char& c : raw) {
    if (c == '\0' || (!valid && static_cast<unsigned char>(c) >= 0x80)) c = '?';
  }
  return raw;
}

}  // namespace

int DaysSinceEpoch(int year, int month, int day) {
  // H. Hinnant's days_from_civil: years from March, so that the leap day ends the year.
  year -= month <= 2;
  const int era = (year >= 0 ? year : year - 399) / 400;
  const int yoe = year - era * 400;
  const int doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

EventScanner::EventScanner(RejectFn on_reject, Simd simd)
    : on_reject_(std::move(on_reject)),
      scan_(simd == Simd::kBest ? PickScan() : &EventScanner::ScanSse2),
      needed_tabs_(kNeededTabs) {}

void EventScanner::OnPoint(PointFn on_point) {
  on_point_ = std::move(on_point);
  needed_tabs_ = on_point_ ? kNeededTabs | kPointTabs : kNeededTabs;
}

std::string EventKeyFips(std::uint32_t key) {
  auto idx = static_cast<int>(key >> 16);
  auto ch = [](int i) { return static_cast<char>(i < 26 ? 'A' + i : '0' + (i - 26)); };
  return {ch(idx / 36), ch(idx % 36)};
}

void EventScanner::Feed(std::string_view bytes) {
  const char* p = bytes.data();
  const char* const end = p + bytes.size();
  if (carrying_) {
    const void* nl = std::memchr(p, '\n', bytes.size());
    const char* stop = nl ? static_cast<const char*>(nl) : end;
    auto n = static_cast<std::size_t>(stop - p);
    carry_len_ += static_cast<std::int64_t>(n);
    if (carry_long_ || carry_len_ > static_cast<std::int64_t>(kMaxEventLine)) {
      if (!carry_long_) carry_.resize(std::min(carry_.size(), kMaxRawBytes));
      carry_long_ = true;
      if (carry_.size() < kMaxRawBytes) carry_.append(p, std::min(n, kMaxRawBytes - carry_.size()));
    } else {
      carry_.append(p, n);
    }
    if (!nl) return;
    CarriedLine();
    p = stop + 1;
  }
  (this->*scan_)(p, end);
}

void EventScanner::Finish() {
  if (carrying_) CarriedLine();
}

void EventScanner::CarriedLine() {
  if (carry_long_) {
    ++counts_.lines;
    Reject(carry_.data(), carry_.data() + carry_.size(), 1, "line-too-long",
           fmt::format("line of {} bytes, more than {}", carry_len_, kMaxEventLine));
  } else {
    const char* s = carry_.data();
    const char* e = s + carry_.size();
    int ntabs = 0;
    bool high = false;
    for (const char* q = s; q != e; ++q) {
      if (*q == '\t') tabs_[ntabs++ & 63] = q;
      high = high || static_cast<unsigned char>(*q) >= 0x80;
    }
    Line(s, e, ntabs, high);
  }
  carry_.clear();
  carrying_ = carry_long_ = false;
  carry_len_ = 0;
}

void (EventScanner::*EventScanner::PickScan())(const char*, const char*) {
#if defined(__x86_64__)
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt")) return &EventScanner::ScanAvx2;
#endif
  return &EventScanner::ScanSse2;
}

template <class Classify>
[[gnu::always_inline]] inline void EventScanner::ScanWith(const char* p, const char* end) {
  const char* line = p;
  int ntabs = 0;
  bool high = false;  // the open line has a non-ASCII byte in an earlier block
  for (const char* block = p; block < end; block += 64) {
    std::uint64_t tabs = 0, newlines = 0, hi = 0;
    if (end - block >= 64) {
      Classify::Masks(block, tabs, newlines, hi);
    } else {
      char pad[64] = {};  // zero bytes set no bit
      std::memcpy(pad, block, static_cast<std::size_t>(end - block));
      Classify::Masks(pad, tabs, newlines, hi);
    }
    // Line by line within the block: the tabs before the next newline belong to the open line.
    // Their positions are recorded only when the segment holds a tab the fields in use are
    // bounded by; otherwise they are just counted (popcount), which skips most of them.
    for (;;) {
      int nl = newlines != 0 ? __builtin_ctzll(newlines) : 64;
      std::uint64_t before = nl == 64 ? ~0ULL : (1ULL << nl) - 1;
      if (std::uint64_t seg = tabs & before; seg != 0) {
        int count = Classify::PopCount(seg);
        std::uint64_t range = ntabs >= 64 ? 0 : (count >= 64 ? ~0ULL : (1ULL << count) - 1) << ntabs;
        if ((range & needed_tabs_) != 0) {
          for (; seg != 0; seg &= seg - 1) tabs_[ntabs++ & 63] = block + __builtin_ctzll(seg);  // > 64: rejected
        } else {
          ntabs += count;
        }
      }
      if (nl == 64) break;
      std::uint64_t upto = before | (1ULL << nl);  // through the newline
      Line(line, block + nl, ntabs, high || (hi & upto) != 0);
      hi &= ~upto, tabs &= ~upto, newlines &= newlines - 1;
      line = block + nl + 1, ntabs = 0, high = false;
    }
    high = high || hi != 0;
  }
  if (line < end) {
    auto n = static_cast<std::size_t>(end - line);
    carrying_ = true;
    carry_len_ = static_cast<std::int64_t>(n);
    carry_long_ = n > kMaxEventLine;
    carry_.assign(line, carry_long_ ? kMaxRawBytes : n);
  }
}

void EventScanner::ScanSse2(const char* p, const char* end) {
  ScanWith<Sse2Classify>(p, end);
}

// The same loop as ScanSse2, compiled for AVX2 (a function attribute rather than a file built
// with -mavx2, so that no inline function shared with the rest of the program is built for it).
#if defined(__x86_64__)
[[gnu::target("avx2,popcnt")]]
#endif
void EventScanner::ScanAvx2(const char* p, const char* end) {
  ScanWith<Avx2Classify>(p, end);
}

EventCell& EventScanner::Cell(std::uint32_t key) {
  if (key == last_key_) return *last_cell_;
  std::size_t mask = slots_.size() - 1;
  for (std::size_t i = static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ULL) >> shift_);; i = (i + 1) & mask) {
    Slot& s = slots_[i];
    if (s.key == key) {
      last_key_ = key, last_cell_ = &s.cell;
      return s.cell;
    }
    if (s.key == kEmpty) {
      if (2 * (used_ + 1) > slots_.size()) {  // keep the load under one half
        Grow();
        return Cell(key);
      }
      ++used_;
      s.key = key;
      last_key_ = key, last_cell_ = &s.cell;
      return s.cell;
    }
  }
}

void EventScanner::Grow() {
  std::vector<Slot> old(slots_.size() * 2);
  old.swap(slots_);
  --shift_;
  used_ = 0;
  last_key_ = kEmpty;
  for (const Slot& s : old) {
    if (s.key != kEmpty) Cell(s.key) = s.cell;
  }
}

std::unordered_map<std::uint32_t, EventCell> EventScanner::cells() const {
  std::unordered_map<std::uint32_t, EventCell> out;
  for (const Slot& s : slots_) {
    if (s.key != kEmpty) out[s.key] = s.cell;
  }
  return out;
}

void EventScanner::Reject(const char* s, const char* e, std::int64_t column, const char* reason, std::string detail) {
  ++counts_.quarantined;
  ++counts_.reasons[reason];
  if (!on_reject_) return;
  EventReject r;
  r.line = counts_.lines;
  r.column = column;
  r.reason = reason;
  r.detail = std::move(detail);
  std::string_view text(s, static_cast<std::size_t>(e - s));
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  r.raw = RawText(text);
  on_reject_(std::move(r));
}

template <class Field>
void EventScanner::Point(const Field& field, int year, int month, int day, int root_code, int quad_class,
                         double goldstein) {
  std::string_view lat_text = field(kGdeltActionLat), lon_text = field(kGdeltActionLong);
  if (lat_text.empty() && lon_text.empty()) return;  // no place: no point, and nothing wrong
  auto number = [](std::string_view t, double& v) {
    auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    return !t.empty() && ec == std::errc() && ptr == t.data() + t.size() && std::isfinite(v);
  };
  ScannedPoint p;
  bool ok = number(lat_text, p.lat) && number(lon_text, p.lon) && p.lat >= -90 && p.lat <= 90 && p.lon >= -180 &&
            p.lon <= 180;
  p.event_id = field(kGdeltEventId);
  ok = ok && !p.event_id.empty() && p.event_id.size() <= kMaxEventIdDigits &&
       std::all_of(p.event_id.begin(), p.event_id.end(), Digit);
  std::string_view mentions = field(kGdeltNumMentions);
  auto [ptr, ec] = std::from_chars(mentions.data(), mentions.data() + mentions.size(), p.mentions);
  ok = ok && !mentions.empty() && ec == std::errc() && ptr == mentions.data() + mentions.size() && p.mentions >= 0;
  p.adm1 = field(kGdeltActionAdm1);
  ok = ok && p.adm1.size() <= kMaxAdm1Chars && std::all_of(p.adm1.begin(), p.adm1.end(), [](char c) {
         return Digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
       });
  if (!ok) {
    ++counts_.bad_points;
    return;
  }
  ++counts_.points;
  p.line = counts_.lines;
  p.day = DaysSinceEpoch(year, month, day);
  p.root_code = root_code, p.quad_class = quad_class, p.goldstein = goldstein;
  p.country_fips = field(kGdeltActionCountry);
  on_point_(p);
}

void EventScanner::Line(const char* s, const char* e, int ntabs, bool non_ascii) {
  ++counts_.lines;
  if (static_cast<std::size_t>(e - s) > kMaxEventLine) {
    Reject(s, e, 1, "line-too-long", fmt::format("line of {} bytes, more than {}", e - s, kMaxEventLine));
    return;
  }
  const char* stop = e != s && e[-1] == '\r' ? e - 1 : e;  // CRLF
  if (stop == s) {
    ++counts_.blank;
    return;
  }
  if (ntabs != kGdeltFields - 1) {
    Reject(s, e, 1, "field-count", fmt::format("{} fields, a GDELT 2.0 event has {}", ntabs + 1, kGdeltFields));
    return;
  }
  if (non_ascii) {
    Utf8Validator v;
    std::string_view text(s, static_cast<std::size_t>(stop - s));
    if (!v.Feed(text) || v.Incomplete()) {
      auto at = static_cast<std::int64_t>(v.Incomplete() ? text.size() : v.error_offset());
      Reject(s, e, at + 1, "bad-utf8", "not valid UTF-8");
      return;
    }
  }
  auto field = [&](int i) {
    const char* b = i == 0 ? s : tabs_[i - 1] + 1;
    const char* f = i == kGdeltFields - 1 ? stop : tabs_[i];
    return std::string_view(b, static_cast<std::size_t>(f - b));
  };
  auto column = [&](int i) { return i == 0 ? 1 : static_cast<std::int64_t>(tabs_[i - 1] + 2 - s); };

  std::string_view date = field(kGdeltSqlDate);
  bool digits = date.size() == 8;
  for (std::size_t i = 0; digits && i < 8; ++i) digits = Digit(date[i]);
  int year = 0, month = 0, day = 0;
  if (digits) {
    year = (date[0] - '0') * 1000 + (date[1] - '0') * 100 + (date[2] - '0') * 10 + (date[3] - '0');
    month = (date[4] - '0') * 10 + (date[5] - '0');
    day = (date[6] - '0') * 10 + (date[7] - '0');
  }
  if (!digits || year < 1900 || year > 2100 || month < 1 || month > 12 || day < 1 || day > DaysIn(year, month)) {
    Reject(s, e, column(kGdeltSqlDate), "bad-date", fmt::format("SQLDATE '{}' is not a date YYYYMMDD", date));
    return;
  }

  std::string_view root = field(kGdeltEventRootCode);
  int root_code = root.size() == 2 && Digit(root[0]) && Digit(root[1]) ? (root[0] - '0') * 10 + (root[1] - '0') : 0;
  if (root_code < 1 || root_code > 20) {
    Reject(s, e, column(kGdeltEventRootCode), "bad-root-code",
           fmt::format("EventRootCode '{}' is not a CAMEO root code 01–20", root));
    return;
  }

  std::string_view quad = field(kGdeltQuadClass);
  if (quad.size() != 1 || quad[0] < '1' || quad[0] > '4') {
    Reject(s, e, column(kGdeltQuadClass), "bad-quad-class", fmt::format("QuadClass '{}' is not 1–4", quad));
    return;
  }

  std::string_view gold = field(kGdeltGoldstein);
  std::int64_t micro = 0;
  double other = 0;
  bool plain = PlainDecimal(gold, micro);
  bool ok = plain && micro >= -10'000'000 && micro <= 10'000'000;
  if (!plain) {
    auto [ptr, ec] = std::from_chars(gold.data(), gold.data() + gold.size(), other);
    ok = ec == std::errc() && ptr == gold.data() + gold.size() && std::isfinite(other) && other >= -10 && other <= 10;
  }
  if (!ok) {
    Reject(s, e, column(kGdeltGoldstein), "bad-goldstein",
           fmt::format("GoldsteinScale '{}' is not a number in −10…10", gold));
    return;
  }

  std::string_view country = field(kGdeltActionCountry);
  int fips = -1;
  if (country.size() == 2) {
    int a = FipsChar(country[0]), b = FipsChar(country[1]);
    if (a >= 0 && b >= 0) fips = a * 36 + b;
  }
  if (!country.empty() && fips < 0) {
    Reject(s, e, column(kGdeltActionCountry), "bad-country",
           fmt::format("ActionGeo_CountryCode '{}' is not a two-character FIPS code", country));
    return;
  }

  ++counts_.events;
  int sqldate = year * 10000 + month * 100 + day;
  if (sqldate > counts_.max_sqldate) counts_.max_sqldate = sqldate;
  if (on_point_)
    Point(field, year, month, day, root_code, quad[0] - '0', plain ? static_cast<double>(micro) / 1e6 : other);
  if (fips < 0) {
    ++counts_.no_country;
    return;
  }
  EventCell& c = Cell(EventKey(fips, year, month));
  ++c.events;
  if (root_code >= 18) ++c.violent;
  if (quad[0] == '4') {
    if (plain) {
      c.conflict_micro -= micro;
    } else {
      c.conflict_other -= other;
    }
  }
}

}  // namespace gpsi::detail
