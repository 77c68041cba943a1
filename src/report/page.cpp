// The report pages' shared parts (page.hpp): the string table, names, number formats, tables and
// templates, so that the annual report and the profiles say a thing the same way.
#include "page.hpp"

#include "report.hpp"

#include <fmt/args.h>
#include <fmt/format.h>
#include <toml++/toml.h>

namespace gpsi::report::detail {

using Template = kainjow::mustache::mustache;

Result<Words> Words::Load(const std::string& lang) {
  toml::table root;
  try {
    root = toml::parse(kTemplates.at("strings.toml"), std::string_view("strings.toml"));
  } catch (const toml::parse_error& e) {
    return Error{Errc::kInternal, std::string("the report's string table: ") + std::string(e.description())};
  }
  const toml::table* table = root[lang].as_table();
  if (!table) return Error{Errc::kUsage, fmt::format("no report language '{}' (en or zh)", lang)};
  Words w;
  w.lang = lang;
  for (const auto& [k, v] : *table) w.text.emplace(std::string(k.str()), v.value_or(std::string()));
  if (const toml::table* zh = root["region_zh"].as_table()) {
    for (const auto& [k, v] : *zh) w.region_zh.emplace(std::string(k.str()), v.value_or(std::string()));
  }
  return w;
}

const std::string& Words::operator[](const std::string& key) const {
  static const std::string kMissing;
  const auto it = text.find(key);
  return it == text.end() ? kMissing : it->second;
}

std::string Words::Say(const std::string& key, const std::map<std::string, std::string>& args) const {
  fmt::dynamic_format_arg_store<fmt::format_context> store;
  for (const auto& [name, value] : args) store.push_back(fmt::arg(name.c_str(), value));
  return fmt::vformat((*this)[key], store);
}

Data Words::Strings() const {
  Data t;
  for (const auto& [k, v] : text) t.set(k, v);
  return t;
}

std::string Score(double v) {
  return IsNa(v) ? "—" : fmt::format("{:.1f}", v);
}

std::string Span(double lo, double hi, int decimals) {
  return IsNa(lo) || IsNa(hi) ? "—" : fmt::format("{:.{}f}–{:.{}f}", lo, decimals, hi, decimals);
}

std::string Interval(const engine::Standing& s) {
  return Span(s.p05, s.p95, 0);
}

std::string Percent(double p, const Words& w) {
  if (IsNa(p)) return "—";
  return fmt::format("{:.0f}{}%", 100 * p, w.lang == "zh" ? "" : " ");
}

Names::Names(const Words& w, const engine::Published& pub) : words(w), method(pub.build.method) {
  for (const auto& u : pub.units) units.emplace(u.code, &u);
}

std::string Names::UnitName(const std::string& code) const {
  const auto it = units.find(code);
  if (it == units.end()) return code;
  const auto& u = *it->second;
  return words.lang == "zh" && !u.name_zh.empty() ? u.name_zh : u.name_en.empty() ? code : u.name_en;
}

std::string Names::NodeName(std::size_t node) const {
  const auto& n = method.nodes[node];
  return words.lang == "zh" && !n.name_zh.empty() ? n.name_zh : n.name_en.empty() ? n.code : n.name_en;
}

std::string Names::RegionName(const std::string& code, const std::string& name_en) const {
  const auto it = words.region_zh.find(code);
  return words.lang == "zh" && it != words.region_zh.end() ? it->second : name_en;
}

std::string Table::Html() const {
  Data head{Data::type::list}, body{Data::type::list};
  for (const auto& c : columns) {
    Data h;
    h.set("text", c.text), h.set("num", c.num);
    head << h;
  }
  for (const auto& [unit, cells] : rows) {
    Data list{Data::type::list};
    for (std::size_t i = 0; i < cells.size(); ++i) {
      Data cell;
      cell.set("text", cells[i]), cell.set("field", columns[i].field), cell.set("num", columns[i].num);
      list << cell;
    }
    Data row;
    row.set("unit", unit), row.set("cells", list);
    body << row;
  }
  Data d;
  d.set("id", id), d.set("caption", caption), d.set("head", head), d.set("rows", body), d.set("key", key);
  return Template{std::string(kTemplates.at("table.html"))}.render(d);
}

Result<std::string> Render(std::string_view name, const Data& d) {
  Template page{std::string(kTemplates.at(name))};
  if (!page.is_valid()) return Error{Errc::kInternal, fmt::format("the template {}: {}", name, page.error_message())};
  return page.render(d);
}

void SetEdition(const Edition& e, const Words& w, Data& d) {
  d.set("lang", e.lang == "zh" ? "zh-Hans" : "en");
  d.set("created", e.date);
  d.set("style", std::string(kTemplates.at("style.css")));
  d.set("head", kainjow::mustache::partial([] { return std::string(kTemplates.at("head.html")); }));
  d.set("t", w.Strings());
}

void SetPage(const engine::Published& pub, const Edition& e, const Words& w, Data& d) {
  const auto& m = pub.build.method;
  SetEdition(e, w, d);
  d.set("method", fmt::format("{} {} ({})", m.id, m.version, m.hash.substr(0, 12)));
  d.set("run_id", pub.build.run_id);
  d.set("data_hash", pub.build.data_hash);
}

}  // namespace gpsi::report::detail
