// POST /api/v1/whatif (docs/api.md): the index re-aggregated with other weights (engine::WhatIf).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include "detail/impl.hpp"

namespace gpsi::server {

using detail::CheckParams;
using detail::Json;
using detail::SendError;

namespace {
// The server's payload limit answers larger bodies with 413 before this handler runs; the check
// here keeps the endpoint's own contract whatever that limit.
constexpr std::size_t kMaxWhatIfBody = 64 * 1024;

void AppendRaw(fmt::memory_buffer& out, std::string_view s) {
  out.append(s.data(), s.data() + s.size());
}

//! `s` as a JSON string (RFC 8259): quotes, backslash and control characters escaped, UTF-8 as is.
void AppendJsonString(fmt::memory_buffer& out, std::string_view s) {
  out.push_back('"');
  for (char c : s) {
    switch (c) {
      case '"': AppendRaw(out, "\\\""); break;
      case '\\': AppendRaw(out, "\\\\"); break;
      case '\n': AppendRaw(out, "\\n"); break;
      case '\r': AppendRaw(out, "\\r"); break;
      case '\t': AppendRaw(out, "\\t"); break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          fmt::format_to(std::back_inserter(out), "\\u{:04x}", static_cast<unsigned>(c));
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}
}  // namespace

void Server::Impl::PrepareWhatIf() {
  const Panel& p = build.panel;
  whatif_row_head.resize(p.rows());
  whatif_row_base.resize(p.rows());
  for (std::size_t r = 0; r < p.rows(); ++r) {
    const std::string& unit = p.row(r).unit;
    auto u = units.find(unit);
    fmt::memory_buffer out;
    AppendRaw(out, "{\"unit\":");
    AppendJsonString(out, unit);
    AppendRaw(out, ",\"name_en\":");
    AppendJsonString(out, u != units.end() && !u->second.name_en.empty() ? u->second.name_en : p.row(r).name);
    AppendRaw(out, ",\"name_zh\":");
    AppendJsonString(out, u != units.end() ? u->second.name_zh : std::string());
    whatif_row_head[r] = fmt::to_string(out);
    // The index's own value and rank, the usual `code` (`null` where missing, as per request).
    const Score& s = build.scores.at(r, build.method.top());
    const double v = s.value;
    const int rank = s.rank;
    whatif_row_base[r] =
        fmt::format(",\"base_value\":{},\"base_rank\":{}", std::isnan(v) ? "null" : fmt::format("{}", v),
                    rank > 0 ? std::to_string(rank) : "null");
  }
}

void Server::Impl::WhatIf(const Request& req, Response& res) const {
  if (req.body.size() > kMaxWhatIfBody) {
    return SendError(res, Errc::kTooLarge, fmt::format("the request body is larger than {} bytes", kMaxWhatIfBody));
  }
  // The media type, parameters (charset) aside, case-insensitive (RFC 9110 8.3.1).
  std::string type = req.Header("Content-Type");
  type = std::string(Trim(type.substr(0, type.find(';'))));
  std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return std::tolower(c); });
  if (type != "application/json") {
    return SendError(
        res, Errc::kUsage,
        fmt::format("the body must be JSON with Content-Type: application/json, not '{}'", req.Header("Content-Type")));
  }
  if (!CheckParams(req, res, {})) return;
  Json body = Json::parse(req.body, nullptr, false);
  if (body.is_discarded()) return SendError(res, Errc::kUsage, "the body is not valid JSON");
  if (!body.is_object()) return SendError(res, Errc::kUsage, "the body must be a JSON object");
  const auto& nodes = build.method.nodes;
  std::map<std::string, double> weights;
  std::optional<int> year;
  if (!years.empty()) year = *years.rbegin();
  std::size_t node = build.method.top();
  for (const auto& [key, value] : body.items()) {
    if (key == "weights") {
      if (!value.is_object()) return SendError(res, Errc::kUsage, "weights must be an object of node code: number");
      for (const auto& [code, w] : value.items()) {
        if (!w.is_number()) {
          return SendError(res, Errc::kUsage,
                           fmt::format("the weight of '{}' must be a number, not a JSON {}", code, w.type_name()));
        }
        weights[code] = w.get<double>();
      }
    } else if (key == "year") {
      if (!value.is_number_integer()) {
        return SendError(res, Errc::kUsage, fmt::format("year must be an integer, not a JSON {}", value.type_name()));
      }
      if (!build.panel.has_years()) return SendError(res, Errc::kUsage, "the build has no years");
      year = value.get<int>();
    } else if (key == "code") {
      if (!value.is_string()) return SendError(res, Errc::kUsage, "code must be a string (a node code)");
      const std::string c = value.get<std::string>();
      auto col = build.scores.Column(c);
      if (!col) return SendError(res, Errc::kUsage, fmt::format("'{}' is not a node of method {}", c, build.method.id));
      node = *col;
    } else {
      return SendError(res, Errc::kUsage, fmt::format("unknown field '{}' (known: weights, year, code)", key));
    }
  }
  auto w = engine::WhatIf(build, weights, year);
  if (!w) return SendError(res, w.error().code, w.error().message);

  struct Row {
    std::size_t q;  // position in w->rows
    int rank;
  };
  std::vector<Row> order;
  for (std::size_t q = 0; q < w->rows.size(); ++q) order.push_back({q, w->scores.rank(q, node)});
  // By rank, unranked last; ties (and the unranked) by unit code.
  std::sort(order.begin(), order.end(), [&](const Row& a, const Row& b) {
    int ra = a.rank > 0 ? a.rank : INT32_MAX, rb = b.rank > 0 ? b.rank : INT32_MAX;
    if (ra != rb) return ra < rb;
    return build.panel.row(w->rows[a.q]).unit < build.panel.row(w->rows[b.q]).unit;
  });
  // The answer is written directly rather than built as a Json tree: with ~200 rows the tree's
  // allocations were most of the request's time (what-if must stay fast under load).
  fmt::memory_buffer out;
  auto text = [&out](std::string_view s) { AppendJsonString(out, s); };
  auto num = [&out](double v) {
    if (std::isnan(v)) return AppendRaw(out, "null");
    fmt::format_to(std::back_inserter(out), "{}", v);
  };
  auto rank = [&out](int r) {
    if (r <= 0) return AppendRaw(out, "null");
    fmt::format_to(std::back_inserter(out), "{}", r);
  };
  AppendRaw(out, "{\"run\":");
  text(build.run_id);
  AppendRaw(out, ",\"year\":");
  if (year) {
    fmt::format_to(std::back_inserter(out), "{}", *year);
  } else {
    AppendRaw(out, "null");
  }
  AppendRaw(out, ",\"code\":");
  text(nodes[node].code);
  AppendRaw(out, ",\"weights\":{");
  bool first = true;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].parent.empty() || nodes[i].monitor) continue;
    if (!first) out.push_back(',');
    first = false;
    text(nodes[i].code);
    out.push_back(':');
    num(w->weights[i]);
  }
  AppendRaw(out, "},\"rows\":[");
  first = true;
  for (const Row& o : order) {
    const std::size_t r = w->rows[o.q];
    const int base_rank = build.scores.rank(r, node);
    if (!first) out.push_back(',');
    first = false;
    AppendRaw(out, whatif_row_head[r]);
    AppendRaw(out, ",\"value\":");
    num(w->scores.value(o.q, node));
    AppendRaw(out, ",\"rank\":");
    rank(o.rank);
    if (node == nodes.size() - 1) {
      AppendRaw(out, whatif_row_base[r]);
    } else {
      AppendRaw(out, ",\"base_value\":");
      num(build.scores.value(r, node));
      AppendRaw(out, ",\"base_rank\":");
      rank(base_rank);
    }
    AppendRaw(out, ",\"change\":");
    if (o.rank > 0 && base_rank > 0) {
      fmt::format_to(std::back_inserter(out), "{}", base_rank - o.rank);
    } else {
      AppendRaw(out, "null");
    }
    out.push_back('}');
  }
  AppendRaw(out, "]}\n");
  res.SetContent(std::string(out.data(), out.size()), "application/json");
}

}  // namespace gpsi::server
