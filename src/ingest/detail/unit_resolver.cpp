#include "unit_resolver.hpp"

#include <algorithm>
#include <cctype>

namespace gpsi::detail {

namespace {
std::string Upper(std::string_view s) {
  std::string out(Trim(s));
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}
bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}
}  // namespace

bool IsSubUnitCode(std::string_view code) {
  if (code.size() < 5 || code[3] != '_') return false;
  for (std::size_t i = 0; i < code.size(); ++i) {
    char c = code[i];
    bool ok = i < 3 ? std::isupper(static_cast<unsigned char>(c)) != 0
                    : (std::isupper(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
                       c == '_');
    if (!ok) return false;
  }
  return true;
}

UnitResolver::UnitResolver(Store& store) : store_(store) {
  for (const Unit& u : store.Units()) {
    codes_[u.code] = u.code;
    if (!u.iso3.empty()) codes_[u.iso3] = u.code;
    if (!u.iso2.empty()) codes_[u.iso2] = u.code;
    if (!u.m49.empty()) codes_["M49:" + u.m49] = u.code;
  }
  for (auto& [key, unit] : store.UnitNames()) {
    if (key.size() > 1 && key[0] == '#') {
      codes_[key.substr(1)] = unit;  // an alias code such as #KSV → XKX
    } else {
      names_[key].push_back(unit);
    }
  }
  for (auto& key : store.AggregateNames()) aggregates_.insert(key);
}

UnitMatch UnitResolver::ByCode(std::string_view text) {
  std::string code = Upper(text);
  UnitMatch m;
  if (auto it = codes_.find(code); it != codes_.end()) {
    m.kind = UnitMatch::Kind::kUnit;
    m.code = it->second;
    return m;
  }
  if (aggregates_.count("#" + code) || code.rfind("OWID_", 0) == 0) {
    m.kind = UnitMatch::Kind::kAggregate;
    return m;
  }
  if (IsSubUnitCode(code)) {
    auto parent = codes_.find(code.substr(0, 3));
    if (parent != codes_.end()) {
      Unit u;
      u.code = code;
      u.kind = UnitKind::kSubUnit;
      u.name_en = code;
      u.parent = parent->second;
      if (on_create_) {
        on_create_(u);
      } else {
        store_.UpsertUnit(u);
      }
      codes_[code] = code;
      m.kind = UnitMatch::Kind::kUnit;
      m.code = code;
      m.created = true;
    }
  }
  return m;
}

UnitMatch UnitResolver::ByName(std::string_view text) {
  UnitMatch m;
  std::string key = NameKey(text);
  if (key.empty()) return m;
  if (auto it = names_.find(key); it != names_.end()) {
    if (it->second.size() == 1) {
      m.kind = UnitMatch::Kind::kUnit;
      m.code = it->second.front();
    } else {
      m.kind = UnitMatch::Kind::kAmbiguous;
      m.candidates = it->second;
    }
    return m;
  }
  if (aggregates_.count(key) || EndsWith(Trim(text), "(OWID)")) m.kind = UnitMatch::Kind::kAggregate;
  return m;
}

UnitMatch UnitResolver::Resolve(std::string_view text, std::string_view by) {
  text = Trim(text);
  if (by == "name") return ByName(text);
  if (by == "m49") {
    std::string digits(text);
    while (digits.size() < 3) digits.insert(digits.begin(), '0');
    UnitMatch m = ByCode("M49:" + digits);
    if (m.kind == UnitMatch::Kind::kUnknown && aggregates_.count("#M49:" + digits))
      m.kind = UnitMatch::Kind::kAggregate;
    return m;
  }
  if (by == "auto") {
    UnitMatch m = ByCode(text);
    if (m.kind != UnitMatch::Kind::kUnknown) return m;
    return ByName(text);
  }
  return ByCode(text);  // iso3, iso2, code: one code space, as codes never collide across lengths
}

}  // namespace gpsi::detail
