// Validation plans (TOML): the external measures and known groups `gpsi validate` checks an index
// against. Format: docs/validation.md.
#include <fmt/format.h>

#include <toml++/toml.h>
#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "method.hpp"

#include "detail/toml_errors.hpp"

namespace gpsi::method {
namespace {

using detail::Bad;

//! Checks that a table has only `known` keys.
Status Keys(const toml::table& t, const std::set<std::string>& known, const std::string& where,
            const std::string& origin) {
  for (const auto& [k, v] : t) {
    if (!known.count(std::string(k.str()))) {
      return detail::BadKey(origin, fmt::format("{}: unknown key \"{}\"", where, k.str()), k);
    }
  }
  return Ok();
}

Status Text(const toml::table& t, const char* key, std::string& out, const std::string& where,
            const std::string& origin) {
  const toml::node* n = t.get(key);
  if (!n) return Ok();
  auto s = n->value_exact<std::string>();
  if (!s) return Bad(origin, fmt::format("{}.{} must be a string", where, key), n);
  out = *s;
  return Ok();
}

Status Texts(const toml::table& t, const char* key, std::vector<std::string>& out, const std::string& where,
             const std::string& origin) {
  const toml::node* n = t.get(key);
  if (!n) return Ok();
  const toml::array* a = n->as_array();
  if (!a) return Bad(origin, fmt::format("{}.{} must be a list of strings", where, key), n);
  for (const auto& e : *a) {
    auto s = e.value_exact<std::string>();
    if (!s) return Bad(origin, fmt::format("{}.{} must be a list of strings", where, key), &e);
    out.push_back(*s);
  }
  return Ok();
}

Status ReadSource(const toml::node* n, ValueSource& s, const std::string& where, const std::string& origin) {
  const toml::table* t = n ? n->as_table() : nullptr;
  if (!t) return Bad(origin, fmt::format("{} must be a table (store, file or group)", where), n);
  if (auto st = Keys(*t, {"store", "file", "unit", "year", "value", "group", "values", "min", "max"}, where, origin);
      !st)
    return st;
  for (auto [key, field] : {std::pair{"store", &s.store},
                            {"file", &s.file},
                            {"unit", &s.unit},
                            {"year", &s.year},
                            {"value", &s.value},
                            {"group", &s.group}}) {
    if (auto st = Text(*t, key, *field, where, origin); !st) return st;
  }
  if (auto st = Texts(*t, "values", s.values, where, origin); !st) return st;
  for (auto [key, field] : {std::pair{"min", &s.min}, {"max", &s.max}}) {
    if (const toml::node* x = t->get(key)) {
      auto v = x->value<double>();
      if (!x->is_number() || !v) return Bad(origin, fmt::format("{}.{} must be a number", where, key), x);
      *field = *v;
    }
  }
  const int kinds = !s.store.empty() + !s.file.empty() + !s.group.empty();
  if (kinds != 1) return Bad(origin, fmt::format("{}: give exactly one of store, file or group", where), n);
  if (!s.file.empty() && s.value.empty())
    return Bad(origin, fmt::format("{}: a file needs its value column", where), n);
  if (!s.group.empty() && s.values.empty()) return Bad(origin, fmt::format("{}: a group needs its values", where), n);
  return Ok();
}

template <class F>
Status EachTable(const toml::table& root, const char* key, const std::string& origin, F f) {
  const toml::node* n = root.get(key);
  if (!n) return Ok();
  if (!n->is_array_of_tables()) return Bad(origin, fmt::format("\"{}\" must be [[{}]] tables", key, key), n);
  for (const auto& e : *n->as_array()) {
    if (auto st = f(*e.as_table()); !st) return st;
  }
  return Ok();
}

}  // namespace

const Explanation* ValidationPlan::Explain(const std::string& a, const std::string& b) const {
  for (const auto& e : explanations) {
    if ((e.a == a && e.b == b) || (e.a == b && e.b == a)) return &e;
  }
  return nullptr;
}

Result<ValidationPlan> ParseValidationPlan(const std::string& text, const std::string& origin) {
  auto parsed = detail::ParseToml(text, origin);
  if (!parsed) return parsed.error();
  const toml::table& root = *parsed;
  if (auto st = Keys(root, {"external", "known_group", "explain"}, "validation plan", origin); !st) return st.error();
  ValidationPlan plan;
  plan.path = origin;
  std::set<std::string> ids;
  auto id_of = [&](const toml::table& t, std::string& id, const char* what) -> Status {
    if (auto st = Text(t, "id", id, what, origin); !st) return st;
    if (id.empty()) return Bad(origin, fmt::format("a [[{}]] has no id", what), &t);
    if (!ids.insert(id).second) return Bad(origin, fmt::format("id \"{}\" is used twice", id), t.get("id"));
    return Ok();
  };
  auto st = EachTable(root, "external", origin, [&](const toml::table& t) -> Status {
    External x;
    if (auto s = Keys(t, {"id", "name_en", "name_zh", "source", "year_lag", "direction", "nodes"}, "external", origin);
        !s)
      return s;
    if (auto s = id_of(t, x.id, "external"); !s) return s;
    for (auto [key, field] : {std::pair{"name_en", &x.name_en}, {"name_zh", &x.name_zh}}) {
      if (auto s = Text(t, key, *field, "external", origin); !s) return s;
    }
    if (auto s = ReadSource(t.get("source"), x.source, x.id + ".source", origin); !s) return s;
    if (!x.source.group.empty()) return Bad(origin, x.id + ".source: an external measure is a series, not a group", &t);
    if (const toml::node* n = t.get("year_lag")) {
      auto v = n->value_exact<std::int64_t>();
      if (!v || *v < -10 || *v > 10) return Bad(origin, x.id + ".year_lag must be an integer in −10…10", n);
      x.year_lag = static_cast<int>(*v);
    }
    if (const toml::node* n = t.get("direction")) {
      auto v = n->value_exact<std::int64_t>();
      if (!v || (*v != 1 && *v != -1)) return Bad(origin, x.id + ".direction must be 1 or -1", n);
      x.direction = static_cast<int>(*v);
    }
    if (auto s = Texts(t, "nodes", x.nodes, x.id, origin); !s) return s;
    plan.externals.push_back(std::move(x));
    return Ok();
  });
  if (!st) return st.error();
  st = EachTable(root, "known_group", origin, [&](const toml::table& t) -> Status {
    KnownGroup g;
    if (auto s = Keys(t, {"id", "name_en", "name_zh", "note_en", "note_zh", "low", "high", "without"}, "known_group",
                      origin);
        !s)
      return s;
    if (auto s = id_of(t, g.id, "known_group"); !s) return s;
    for (auto [key, field] : {std::pair{"name_en", &g.name_en},
                              {"name_zh", &g.name_zh},
                              {"note_en", &g.note_en},
                              {"note_zh", &g.note_zh}}) {
      if (auto s = Text(t, key, *field, "known_group", origin); !s) return s;
    }
    if (auto s = ReadSource(t.get("low"), g.low, g.id + ".low", origin); !s) return s;
    if (auto s = ReadSource(t.get("high"), g.high, g.id + ".high", origin); !s) return s;
    if (auto s = Texts(t, "without", g.without, g.id, origin); !s) return s;
    plan.groups.push_back(std::move(g));
    return Ok();
  });
  if (!st) return st.error();
  st = EachTable(root, "explain", origin, [&](const toml::table& t) -> Status {
    Explanation e;
    if (auto s = Keys(t, {"pair", "text_en", "text_zh"}, "explain", origin); !s) return s;
    std::vector<std::string> pair;
    if (auto s = Texts(t, "pair", pair, "explain", origin); !s) return s;
    if (pair.size() != 2) return Bad(origin, "explain.pair must name two indicators", &t);
    e.a = pair[0], e.b = pair[1];
    if (auto s = Text(t, "text_en", e.text_en, "explain", origin); !s) return s;
    if (auto s = Text(t, "text_zh", e.text_zh, "explain", origin); !s) return s;
    if (e.text_en.empty() || e.text_zh.empty()) return Bad(origin, "explain needs text_en and text_zh", &t);
    plan.explanations.push_back(std::move(e));
    return Ok();
  });
  if (!st) return st.error();
  return plan;
}

Result<ValidationPlan> LoadValidationPlan(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{Errc::kIo, "cannot open validation plan", path};
  std::ostringstream ss;
  ss << in.rdbuf();
  return ParseValidationPlan(ss.str(), path);
}

}  // namespace gpsi::method
