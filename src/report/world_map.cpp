// The report's world maps: a choropleth of a score on the countries of Natural Earth 1:110m
// (world-atlas' TopoJSON, compiled in), in the Equal Earth projection, as SVG text. Written by
// hand: no Debian C++ library reads TopoJSON or projects a map to SVG, and this needs only the
// arcs decoded into rings (TopoJSON specification, "arcs" and "transform") and one projection.
#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "page.hpp"

namespace gpsi::report::detail {
namespace {

using Point = std::pair<double, double>;  // longitude, latitude in degrees
using Ring = std::vector<Point>;

//! A country's outline: its ISO 3166 numeric code (the TopoJSON id) and its rings.
struct Shape {
  std::string id, name;
  std::vector<Ring> rings;
};

//! The arcs of the topology as positions: each quantised arc's deltas summed and transformed.
std::vector<Ring> Arcs(const nlohmann::json& topo) {
  const auto& scale = topo["transform"]["scale"];
  const auto& translate = topo["transform"]["translate"];
  std::vector<Ring> out;
  for (const auto& arc : topo["arcs"]) {
    Ring ring;
    long x = 0, y = 0;
    for (const auto& delta : arc) {
      x += delta[0].get<long>(), y += delta[1].get<long>();
      ring.emplace_back(x * scale[0].get<double>() + translate[0].get<double>(),
                        y * scale[1].get<double>() + translate[1].get<double>());
    }
    out.push_back(std::move(ring));
  }
  return out;
}

//! A ring from arc indices: a negative index ~i is arc i reversed; each arc after the first
//! starts where the last ended, so its first point is dropped.
Ring Stitch(const nlohmann::json& indices, const std::vector<Ring>& arcs) {
  Ring ring;
  for (const auto& i : indices) {
    const int k = i.get<int>();
    Ring arc = arcs[static_cast<std::size_t>(k >= 0 ? k : ~k)];
    if (k < 0) std::reverse(arc.begin(), arc.end());
    ring.insert(ring.end(), arc.begin() + (ring.empty() ? 0 : 1), arc.end());
  }
  return ring;
}

//! Every country of the compiled-in countries-110m.json but Antarctica, decoded once.
const std::vector<Shape>& Shapes() {
  static const std::vector<Shape> kShapes = [] {
    const auto topo = nlohmann::json::parse(kTemplates.at("countries-110m.json"));
    const auto arcs = Arcs(topo);
    std::vector<Shape> out;
    for (const auto& g : topo["objects"]["countries"]["geometries"]) {
      Shape s{g.value("id", ""), g["properties"].value("name", ""), {}};
      if (s.id == "010") continue;  // Antarctica: no country of the index, a third of the map
      const bool multi = g.value("type", "") == "MultiPolygon";
      if (!multi && g.value("type", "") != "Polygon") continue;
      for (const auto& polygon : multi ? g["arcs"] : nlohmann::json::array({g["arcs"]})) {
        for (const auto& ring : polygon) s.rings.push_back(Stitch(ring, arcs));
      }
      out.push_back(std::move(s));
    }
    return out;
  }();
  return kShapes;
}

//! Equal Earth (Šavrič, Patterson and Jenny 2018): x, y in units of the earth's radius.
Point EqualEarth(const Point& p) {
  constexpr double kA1 = 1.340264, kA2 = -0.081106, kA3 = 0.000893, kA4 = 0.003796;
  const double lambda = p.first * M_PI / 180, phi = p.second * M_PI / 180;
  const double theta = std::asin(std::sqrt(3.0) / 2 * std::sin(phi)), t2 = theta * theta, t6 = t2 * t2 * t2;
  const double x =
      2 * std::sqrt(3.0) * lambda * std::cos(theta) / (3 * (9 * kA4 * t6 * t2 + 7 * kA3 * t6 + 3 * kA2 * t2 + kA1));
  const double y = theta * (kA1 + kA2 * t2 + t6 * (kA3 + kA4 * t2));
  return {x, y};
}

//! The five bands of the scale: scores of 0–20, 20–40… 80–100, light (worse) to dark (better).
constexpr const char* kBands[] = {"#d7e6f4", "#a9cbe6", "#6fa6d2", "#3a7bb8", "#174f8a"};
constexpr const char* kNoData = "#e6e6e6";

std::string Fill(double v) {
  if (IsNa(v)) return kNoData;
  return kBands[std::min(4, std::max(0, static_cast<int>(v / 20)))];
}

}  // namespace

std::string WorldMap(const std::string& title, const std::vector<MapValue>& values, const std::string& no_data) {
  // The earth's radius in px: Equal Earth spans ±2.71 radii across, and from 84° N to 56° S (no
  // Antarctica) 1.28 radii up and 0.87 down.
  constexpr double kScale = 98, kW = 540, kTop = 128, kMapH = 215;
  std::map<std::string, const MapValue*> by_id;
  for (const auto& v : values) by_id.emplace(v.m49, &v);
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart map\" viewBox=\"0 0 {} {}\" width=\"{}\" "
      "height=\"{}\" font-size=\"10\" font-family=\"gpsi-sans, DejaVu Sans, gpsi-cjk, WenQuanYi Micro Hei, "
      "sans-serif\" "
      "fill=\"#333\" role=\"img\" aria-label=\"{}\"><title>{}</title>\n",
      kW, kMapH + 24, kW, kMapH + 24, Xml(title), Xml(title));
  for (const auto& shape : Shapes()) {
    const auto it = by_id.find(shape.id);
    const MapValue* v = it == by_id.end() ? nullptr : it->second;
    std::string d;
    for (const auto& ring : shape.rings) {
      for (std::size_t i = 0; i < ring.size(); ++i) {
        const auto [x, y] = EqualEarth(ring[i]);
        // A ring that crosses the antimeridian (Fiji, Russia) goes on from the map's other edge.
        const bool jump = i > 0 && std::fabs(ring[i].first - ring[i - 1].first) > 180;
        d += fmt::format("{}{:.1f} {:.1f}", i == 0 || jump ? "M" : " ", kW / 2 + x * kScale, kTop - y * kScale);
      }
      d += "Z";
    }
    svg += fmt::format("<path d=\"{}\" fill=\"{}\" stroke=\"#fff\" stroke-width=\"0.4\"", d, Fill(v ? v->value : kNa));
    if (v) svg += fmt::format(" data-unit=\"{}\" data-value=\"{:.1f}\"", v->unit, v->value);
    svg += "/>\n";
  }
  for (int b = 0; b < 5; ++b) {  // the legend: five bands, then no data
    const double x = 20 + 52.0 * b;
    svg += fmt::format(
        "<rect x=\"{}\" y=\"{}\" width=\"50\" height=\"8\" fill=\"{}\"/><text x=\"{}\" y=\"{}\">{}–{}</text>", x,
        kMapH + 2, kBands[b], x, kMapH + 20, 20 * b, 20 * (b + 1));
  }
  svg +=
      fmt::format("<rect x=\"300\" y=\"{}\" width=\"20\" height=\"8\" fill=\"{}\"/><text x=\"324\" y=\"{}\">{}</text>",
                  kMapH + 2, kNoData, kMapH + 10, Xml(no_data));
  return svg + "\n</svg>";
}

}  // namespace gpsi::report::detail
