// Publisher API responses flattened to CSV text and read through the ordinary Table.
//
// Formats, as checked against public documentation and client code (docs/update.md cites them):
//  - who-odata: WHO GHO OData, GET https://ghoapi.azureedge.net/api/<IndicatorCode> →
//    {"@odata.context": …, "value": [{"Id", "IndicatorCode", "SpatialDimType", "SpatialDim",
//    "TimeDimType", "TimeDim", "Dim1Type", "Dim1", …, "Value", "NumericValue", "Low", "High",
//    "Comments", "Date", "TimeDimensionValue", …}]}; one page unless "@odata.nextLink" gives
//    the URL of the next one (OData server-driven paging).
//  - wb-api: World Bank API v2, …/v2/country/all/indicator/<code>?format=json&per_page=N&page=P →
//    [{"page", "pages", "per_page", "total", "sourceid", "lastupdated"}, [{"indicator": {"id",
//    "value"}, "country": {"id", "value"}, "countryiso3code", "date", "value", "unit",
//    "obs_status", "decimal"}]]; an error is a one-element array [{"message": [...]}].
//  - sdg-api: UN SDG API v1, …/SDGAPI/v1/sdg/Series/Data?seriesCode=<code>&page=P&pageSize=N →
//    {"totalElements", "totalPages", "pageNumber", "size", "data": [{"series", "geoAreaCode"
//    (M49), "geoAreaName", "timePeriodStart", "value" (text), "attributes": {"Nature", "Units"},
//    "dimensions": {"Sex", …}, …}]}.
//  - sdg-geoarea-tree: UN SDG API v1, …/SDGAPI/v1/sdg/GeoArea/Tree → an array of trees, each node
//    {"geoAreaCode" (M49, a number), "geoAreaName", "type" ("Region" | "Country"), "children":
//    [nodes] or null}; the tree named "World (total) by continental regions" is M49's
//    World → region → sub-region → [intermediate region] → country or area. The trees coded 199,
//    432 and 722 list the LDC, LLDC and SIDS groups. Flattened to the columns of UNSD's M49 CSV.
// Several pages are kept as a gpsi bundle: {"gpsi_bundle": "pages", "pages": [<page 1>, …]}, each
// page's bytes as received.
#include "json_table.hpp"

#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <unordered_map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ingest.hpp"

namespace gpsi {
namespace {

using nlohmann::json;

Error Bad(std::string msg) {
  return Error{Errc::kBadResponse, std::move(msg)};
}

// YYYY-MM-DD (the publishers' release dates).
bool IsIsoDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

// Flattened records: column names in first-seen order, and per record (column, text) pairs.
struct Flat {
  std::vector<std::string> columns;
  std::unordered_map<std::string, std::size_t> index;
  std::vector<std::vector<std::pair<std::size_t, std::string>>> rows;

  void Add(const json& record) {
    auto& row = rows.emplace_back();
    Walk(record, "", row);
  }

 private:
  void Put(const std::string& name, std::string text, std::vector<std::pair<std::size_t, std::string>>& row) {
    auto [it, fresh] = index.emplace(name, columns.size());
    if (fresh) columns.push_back(name);
    row.emplace_back(it->second, std::move(text));
  }
  static std::string Scalar(const json& v) {
    switch (v.type()) {
      case json::value_t::null: return "";
      case json::value_t::string: return v.get<std::string>();
      case json::value_t::boolean: return v.get<bool>() ? "true" : "false";
      case json::value_t::number_integer: return std::to_string(v.get<std::int64_t>());
      case json::value_t::number_unsigned: return std::to_string(v.get<std::uint64_t>());
      case json::value_t::number_float: return fmt::format("{}", v.get<double>());
      default: return v.dump();
    }
  }
  void Walk(const json& v, const std::string& name, std::vector<std::pair<std::size_t, std::string>>& row) {
    if (v.is_object()) {
      for (const auto& item : v.items()) Walk(item.value(), name.empty() ? item.key() : name + "." + item.key(), row);
      return;
    }
    if (v.is_array()) {  // SDG "goal": ["16"], "footnotes": [...]: scalars joined, anything else as JSON
      std::string joined;
      for (const auto& e : v) joined += (joined.empty() ? "" : ";") + (e.is_structured() ? e.dump() : Scalar(e));
      Put(name, std::move(joined), row);
      return;
    }
    Put(name.empty() ? "value" : name, Scalar(v), row);
  }
};

std::string Csv(const Flat& f) {
  auto quote = [](std::string_view s) {
    std::string q = "\"";
    for (char c : s) {
      if (c == '"') q += '"';
      q += c;
    }
    return q + "\"";
  };
  std::string out;
  for (std::size_t i = 0; i < f.columns.size(); ++i) out += (i ? "," : "") + quote(f.columns[i]);
  out += "\n";
  std::vector<const std::string*> cells(f.columns.size());
  static const std::string kEmpty;
  for (const auto& row : f.rows) {
    std::fill(cells.begin(), cells.end(), &kEmpty);
    for (const auto& [c, text] : row) cells[c] = &text;
    for (std::size_t i = 0; i < cells.size(); ++i) out += (i ? "," : "") + quote(*cells[i]);
    out += "\n";
  }
  return out;
}

// An integer given as a number or as numeric text (the World Bank sends "per_page": "50").
std::optional<std::int64_t> Int(const json& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end()) return std::nullopt;
  if (it->is_number_integer() || it->is_number_unsigned()) return it->get<std::int64_t>();
  if (it->is_number_float()) return static_cast<std::int64_t>(it->get<double>());
  if (it->is_string()) {
    auto d = ParseNumber(it->get<std::string>());
    if (d && *d > -1e15 && *d < 1e15) return static_cast<std::int64_t>(*d);
  }
  return std::nullopt;
}

struct PageMeta {
  std::int64_t number = 1, pages = 1, total = -1;
  std::string last_updated;
  std::string next_link;  // OData's "@odata.nextLink"
};

// Reads one page into `flat`; returns its pagination.
Result<PageMeta> ReadPage(const json& page, std::string_view layout, int index, Flat& flat) {
  PageMeta m;
  std::string where = fmt::format("page {}", index + 1);
  const json* records = nullptr;
  if (layout == "who-odata") {
    if (!page.is_object() || !page.contains("value") || !page["value"].is_array())
      return Bad(where + ": not a GHO OData response (no \"value\" array)");
    records = &page["value"];
    if (auto next = page.find("@odata.nextLink"); next != page.end()) {
      if (!next->is_string() || next->get<std::string>().empty())
        return Bad(where + ": \"@odata.nextLink\" is not a URL");
      m.next_link = next->get<std::string>();
    }
    m.number = index + 1;
    m.pages = m.next_link.empty() ? index + 1 : index + 2;
  } else if (layout == "wb-api") {
    if (!page.is_array() || page.empty() || !page[0].is_object())
      return Bad(where + ": not a World Bank API response (expected [metadata, data])");
    if (page[0].contains("message")) return Bad(where + ": World Bank API error: " + page[0]["message"].dump());
    if (page.size() != 2) return Bad(where + ": not a World Bank API response (expected [metadata, data])");
    auto n = Int(page[0], "page"), p = Int(page[0], "pages"), t = Int(page[0], "total");
    if (!n || !p || !t) return Bad(where + ": World Bank metadata lacks page, pages or total");
    m.number = *n, m.pages = *p, m.total = *t;
    if (auto it = page[0].find("lastupdated"); it != page[0].end() && it->is_string())
      m.last_updated = it->get<std::string>().substr(0, 10);
    if (page[1].is_null()) return m;  // no data (total 0)
    if (!page[1].is_array()) return Bad(where + ": World Bank data is not an array");
    records = &page[1];
  } else if (layout == "sdg-api") {
    if (!page.is_object() || !page.contains("data") || !page["data"].is_array())
      return Bad(where + ": not a UN SDG API response (no \"data\" array)");
    auto n = Int(page, "pageNumber"), p = Int(page, "totalPages"), t = Int(page, "totalElements");
    if (!n || !p || !t) return Bad(where + ": UN SDG response lacks pageNumber, totalPages or totalElements");
    m.number = *n, m.pages = *p, m.total = *t;
    records = &page["data"];
  } else {
    return Bad(fmt::format("unknown API layout '{}'", layout));
  }
  for (const auto& r : *records) {
    if (!r.is_object()) return Bad(where + ": a record is not an object");
    flat.Add(r);
    if (layout == "who-odata") {  // the newest record date stands for the release
      if (auto it = r.find("Date"); it != r.end() && it->is_string()) {
        std::string d = it->get<std::string>().substr(0, 10);
        if (IsIsoDate(d) && d > m.last_updated) m.last_updated = d;
      }
    }
  }
  return m;
}

std::string Pad3(std::int64_t code) {
  return fmt::format("{:03d}", code);
}

// One node of a GeoArea tree: code, name, type and children, checked.
struct GeoNode {
  std::int64_t code = 0;
  std::string name, type;
  const json* children = nullptr;  // an array, or nullptr for none
};

Result<GeoNode> ReadGeoNode(const json& n) {
  if (!n.is_object()) return Bad("GeoArea tree: a node is not an object");
  GeoNode g;
  auto code = Int(n, "geoAreaCode");
  auto name = n.find("geoAreaName");
  if (!code || *code < 0 || *code > 999 || name == n.end() || !name->is_string())
    return Bad("GeoArea tree: a node lacks a geoAreaCode (0-999) or geoAreaName");
  g.code = *code;
  g.name = name->get<std::string>();
  if (auto t = n.find("type"); t != n.end() && t->is_string()) g.type = t->get<std::string>();
  if (auto c = n.find("children"); c != n.end() && !c->is_null()) {
    if (!c->is_array()) return Bad(fmt::format("GeoArea tree: children of {} is not an array", g.name));
    g.children = &*c;
  }
  return g;
}

// Countries under a node (type "Country", or leaves without a type), with their ancestors below the
// root: (ancestors, country).
Status WalkGeoTree(const json& node, std::vector<GeoNode>& path, int depth,
                   std::vector<std::pair<std::vector<GeoNode>, GeoNode>>& out) {
  if (depth > 8) return Bad("GeoArea tree: nested deeper than 8 levels");
  auto g = ReadGeoNode(node);
  if (!g) return g.error();
  bool country = g->type == "Country" || (g->type.empty() && (!g->children || g->children->empty()));
  if (country) {
    out.emplace_back(path, *g);
    return Ok();
  }
  if (!g->children) return Ok();  // a region without members
  path.push_back(*g);
  for (const auto& c : *g->children) {
    if (Status s = WalkGeoTree(c, path, depth + 1, out); !s) return s;
  }
  path.pop_back();
  return Ok();
}

// The GeoArea trees as rows of UNSD's M49 CSV (Global, Region, Sub-region, Intermediate Region,
// Country or Area, M49 Code, and the LDC/LLDC/SIDS marks when those trees are present).
Result<ApiTable> GeoAreaTree(const json& doc) {
  if (!doc.is_array() || doc.empty()) return Bad("not a UN SDG GeoArea/Tree response (expected an array of trees)");
  const json* world = nullptr;
  std::map<std::int64_t, std::set<std::int64_t>> groups;  // 199 LDC, 432 LLDC, 722 SIDS → members
  for (const auto& root : doc) {
    auto g = ReadGeoNode(root);
    if (!g) return g.error();
    if (g->name.find("continental regions") != std::string::npos) world = &root;
    if (g->code == 199 || g->code == 432 || g->code == 722) {
      std::vector<GeoNode> path;
      std::vector<std::pair<std::vector<GeoNode>, GeoNode>> members;
      if (Status s = WalkGeoTree(root, path, 0, members); !s) return s.error();
      auto& group = groups[g->code];  // present, even when empty
      for (const auto& m : members) group.insert(m.second.code);
    }
  }
  if (!world) return Bad("GeoArea tree: no \"World (total) by continental regions\" tree");
  auto top = ReadGeoNode(*world);
  std::vector<std::pair<std::vector<GeoNode>, GeoNode>> countries;
  std::vector<GeoNode> path;
  if (top->children) {
    for (const auto& c : *top->children) {
      if (Status s = WalkGeoTree(c, path, 1, countries); !s) return s.error();
    }
  }
  if (countries.empty()) return Bad("GeoArea tree: the continental tree lists no country");
  Flat flat;
  const std::vector<std::pair<std::int64_t, const char*>> kGroups{{199, "Least Developed Countries (LDC)"},
                                                                  {432, "Land Locked Developing Countries (LLDC)"},
                                                                  {722, "Small Island Developing States (SIDS)"}};
  for (const auto& [ancestors, c] : countries) {
    json row = json::object();
    row["Global Code"] = "001";
    row["Global Name"] = "World";
    const char* levels[3][2] = {{"Region Code", "Region Name"},
                                {"Sub-region Code", "Sub-region Name"},
                                {"Intermediate Region Code", "Intermediate Region Name"}};
    for (std::size_t l = 0; l < 3; ++l) {
      bool has = l < ancestors.size();
      row[levels[l][0]] = has ? Pad3(ancestors[l].code) : "";
      row[levels[l][1]] = has ? ancestors[l].name : "";
    }
    row["Country or Area"] = c.name;
    row["M49 Code"] = Pad3(c.code);
    for (const auto& [code, column] : kGroups) {
      if (auto it = groups.find(code); it != groups.end()) row[column] = it->second.count(c.code) ? "x" : "";
    }
    flat.Add(row);
  }
  ApiTable out;
  out.pages = out.pages_declared = 1;
  out.records = static_cast<std::int64_t>(flat.rows.size());
  out.csv = Csv(flat);
  return out;
}

}  // namespace

Result<ApiTable> ParseApiResponse(std::string_view bytes, std::string_view layout, bool require_complete) {
  json doc = json::parse(bytes.begin(), bytes.end(), nullptr, false);
  if (doc.is_discarded()) {
    // Parse again with exceptions only on the error path, for the byte where it failed.
    try {
      [[maybe_unused]] json again = json::parse(bytes.begin(), bytes.end());
    } catch (const json::parse_error& e) {
      return Bad(fmt::format("response is not valid JSON (truncated?) at byte {}", e.byte));
    } catch (...) {
    }
    return Bad("response is not valid JSON");
  }
  if (layout == "sdg-geoarea-tree") return GeoAreaTree(doc);
  std::vector<const json*> pages;
  if (doc.is_object() && doc.contains("gpsi_bundle")) {
    if (!doc.contains("pages") || !doc["pages"].is_array() || doc["pages"].empty())
      return Bad("gpsi bundle without pages");
    for (const auto& p : doc["pages"]) pages.push_back(&p);
  } else {
    pages.push_back(&doc);
  }
  Flat flat;
  ApiTable out;
  std::int64_t total = -1;
  for (std::size_t i = 0; i < pages.size(); ++i) {
    auto m = ReadPage(*pages[i], layout, static_cast<int>(i), flat);
    if (!m) return m.error();
    if (i == 0) {
      out.pages_declared = static_cast<int>(std::clamp<std::int64_t>(m->pages, 0, 1 << 20));
      out.last_updated = m->last_updated;
      total = m->total;
    } else if (m->last_updated > out.last_updated) {
      out.last_updated = m->last_updated;
    }
    if (layout == "who-odata") {
      out.pages_declared = static_cast<int>(m->pages);
      out.next_link = m->next_link;
    }
    if (require_complete && m->number != static_cast<std::int64_t>(i) + 1) {
      return Bad(fmt::format("page {} of the bundle says it is page {}", i + 1, m->number));
    }
    if (require_complete && m->pages != out.pages_declared && layout != "who-odata") {
      return Bad(fmt::format("page {} says {} pages, page 1 said {}", i + 1, m->pages, out.pages_declared));
    }
  }
  out.pages = static_cast<int>(pages.size());
  out.records = static_cast<std::int64_t>(flat.rows.size());
  if (require_complete) {
    if (out.pages != std::max(out.pages_declared, 1)) {
      return Bad(fmt::format("incomplete response: {} page(s) of {}", out.pages, out.pages_declared));
    }
    if (total >= 0 && total != out.records) {
      return Bad(fmt::format("incomplete response: {} records, the publisher announces {}", out.records, total));
    }
  }
  if (!out.last_updated.empty() && !IsIsoDate(out.last_updated)) out.last_updated.clear();
  out.csv = Csv(flat);
  return out;
}

namespace detail {

bool IsApiLayout(std::string_view layout) {
  return layout == "who-odata" || layout == "wb-api" || layout == "sdg-api" || layout == "owid-grapher" ||
         layout == "sdg-geoarea-tree";
}

Result<std::unique_ptr<Table>> Table::OpenText(std::string text, const std::string& path, char delimiter,
                                               int skip_lines) {
  auto buffer = std::make_unique<std::string>(std::move(text));
  if (buffer->empty()) return Error{Errc::kEmptyFile, "text has no records", path};
  std::FILE* f = fmemopen(buffer->data(), buffer->size(), "rb");
  if (!f) return Error{Errc::kIo, "cannot open text", path};
  std::unique_ptr<Table> t(new Table(f, delimiter, path));
  t->buffer_ = std::move(buffer);
  if (auto st = t->Start(skip_lines, "text"); !st) return st.error();
  return t;
}

void Table::RenameColumn(std::size_t i, const std::string& name) {
  if (i >= header_.size()) return;
  index_.erase(header_[i]);
  header_[i] = name;
  index_[name] = i;
}

Result<std::unique_ptr<Table>> OpenApiTable(const std::string& path, std::string_view layout) {
  if (layout == "owid-grapher") {
    auto t = Table::Open(path, ',');
    if (!t) return t.error();
    const auto& h = (*t)->header();
    if (h.size() < 4 || h[0] != "Entity" || h[1] != "Code" || h[2] != "Year") {
      return Error{Errc::kBadHeader, "not an OWID grapher CSV (header must start Entity,Code,Year,<value>)", path,
                   (*t)->header_line(), 1};
    }
    (*t)->RenameColumn(3, "value");
    return t;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{Errc::kIo, "cannot open file", path};
  std::stringstream ss;
  ss << in.rdbuf();
  auto api = ParseApiResponse(ss.str(), layout);
  if (!api) {
    Error e = api.error();
    e.file = path;
    return e;
  }
  return Table::OpenText(std::move(api->csv), path, ',');
}

}  // namespace detail
}  // namespace gpsi
