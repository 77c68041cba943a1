// The report's SVG charts, drawn as text from the numbers the tables show, so that a report needs
// no browser or plotting runtime to be made. Written by hand: no Debian C++ library draws charts
// as SVG text, and these need only lines, bars, axes and a legend. Each chart is an accessible
// image (role="img" with its title) and carries its numbers as data-* attributes for the tests.
#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "page.hpp"

namespace gpsi::report::detail {

std::string Xml(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

//! The chart's root. Colours and sizes are attributes, not the page's CSS: WeasyPrint draws an
//! inline SVG with its own renderer, which the page's stylesheet does not reach.
namespace {

std::string Open(double width, double height, const std::string& title) {
  return fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" "
      "font-size=\"11\" font-family=\"gpsi-sans, DejaVu Sans, gpsi-cjk, WenQuanYi Micro Hei, sans-serif\" "
      "fill=\"#333\" "
      "role=\"img\" aria-label=\"{}\"><title>{}</title>\n",
      width, height, width, height, Xml(title), Xml(title));
}

//! A line's stroke attributes: the profile's country (bold) and region (dashed), or a region's
//! colour by M49 code.
std::string Stroke(const std::string& style) {
  static const std::map<std::string, std::string> kStrokes{
      {"country", R"(stroke="#1f5fa8" stroke-width="2.5")"},
      {"region", R"(stroke="#888" stroke-width="2" stroke-dasharray="4 3")"},
      {"region-002", R"(stroke="#b35806" stroke-width="2")"},
      {"region-019", R"(stroke="#1b7837" stroke-width="2")"},
      {"region-142", R"(stroke="#c51b7d" stroke-width="2")"},
      {"region-150", R"(stroke="#2166ac" stroke-width="2")"},
      {"region-009", R"(stroke="#8073ac" stroke-width="2")"}};
  const auto it = kStrokes.find(style);
  return it == kStrokes.end() ? R"(stroke="#555" stroke-width="2")" : it->second;
}

//! The y axis span of `lines`: their least and greatest values rounded out to tens (0–100 without any).
std::pair<double, double> ValueRange(const std::vector<Line>& lines) {
  double lo = INFINITY, hi = -INFINITY;
  for (const auto& l : lines) {
    for (double v : l.values) {
      if (!IsNa(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    }
  }
  if (lo > hi) return {0, 100};
  lo = std::floor(lo / 10) * 10, hi = std::ceil(hi / 10) * 10;
  return {lo, hi > lo ? hi : lo + 10};
}

}  // namespace

std::string LineChart(const std::string& title, const std::vector<int>& years, const std::vector<Line>& lines) {
  constexpr double kW = 520, kLeft = 36, kTop = 10, kPlotW = 330, kPlotH = 150, kLegendX = kLeft + kPlotW + 14;
  const double height = std::max(kTop + kPlotH + 30, kTop + 16.0 * static_cast<double>(lines.size()) + 10);
  const auto span = ValueRange(lines);  // not a structured binding: the lambdas below capture it
  const double lo = span.first, hi = span.second;
  const auto x = [&](std::size_t i) {
    return kLeft + (years.size() < 2 ? kPlotW / 2 : kPlotW * static_cast<double>(i) / (years.size() - 1));
  };
  const auto y = [&](double v) { return kTop + kPlotH * (hi - v) / (hi - lo); };
  std::string svg = Open(kW, height, title);
  for (double v = lo; v <= hi + 1e-9; v += (hi - lo) / 2) {
    svg += fmt::format("<line class=\"grid\" stroke=\"#ddd\" x1=\"{}\" x2=\"{}\" y1=\"{:.1f}\" y2=\"{:.1f}\"/>", kLeft,
                       kLeft + kPlotW, y(v), y(v));
    svg += fmt::format("<text class=\"axis\" x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\">{:.0f}</text>\n", kLeft - 4,
                       y(v) + 3, v);
  }
  for (std::size_t i = 0; i < years.size(); ++i) {
    svg += fmt::format("<text class=\"axis\" x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{}</text>", x(i),
                       kTop + kPlotH + 14, years[i]);
  }
  for (std::size_t k = 0; k < lines.size(); ++k) {
    const auto& l = lines[k];
    std::string points, values;
    for (std::size_t i = 0; i < l.values.size() && i < years.size(); ++i) {
      values +=
          fmt::format("{}{}", i ? " " : "", IsNa(l.values[i]) ? std::string("NA") : fmt::format("{:.1f}", l.values[i]));
      if (IsNa(l.values[i])) continue;
      points += fmt::format("{}{:.1f},{:.1f}", points.empty() ? "" : " ", x(i), y(l.values[i]));
    }
    svg += fmt::format(
        "\n<polyline class=\"line {}\" fill=\"none\" {} points=\"{}\" "
        "data-label=\"{}\" data-values=\"{}\"/>",
        l.style, Stroke(l.style), points, Xml(l.label), values);
    const double ly = kTop + 6 + 16.0 * static_cast<double>(k);
    svg += fmt::format("<line {} x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\"/>", Stroke(l.style), kLegendX, kLegendX + 16,
                       ly, ly);
    svg += fmt::format("<text class=\"legend\" x=\"{}\" y=\"{}\">{}</text>", kLegendX + 20, ly + 4, Xml(l.label));
  }
  return svg + "\n</svg>";
}

std::string BarChart(const std::string& title, const std::string& mark_label, const std::vector<Bar>& bars) {
  constexpr double kW = 520, kLabelW = 170, kBarW = 300, kRow = 22, kTop = 4;
  const double height = kTop + kRow * static_cast<double>(bars.size()) + 22;
  const auto x = [&](double v) { return kLabelW + kBarW * std::clamp(v, 0.0, 100.0) / 100; };
  std::string svg = Open(kW, height, title);
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const auto& b = bars[i];
    const double top = kTop + kRow * static_cast<double>(i);
    svg += fmt::format("<text class=\"label\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>", kLabelW - 6, top + 14,
                       Xml(b.label));
    svg += fmt::format("<rect class=\"track\" fill=\"#eee\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"14\"/>", kLabelW,
                       top + 3, kBarW);
    if (!IsNa(b.value)) {
      svg += fmt::format(
          "<rect class=\"bar\" fill=\"#1f5fa8\" x=\"{}\" y=\"{}\" width=\"{:.1f}\" height=\"14\" "
          "data-value=\"{:.1f}\"/>"
          "<text class=\"value\" x=\"{:.1f}\" y=\"{}\">{:.1f}</text>",
          kLabelW, top + 3, x(b.value) - kLabelW, b.value, x(100) + 4, top + 14, b.value);
    }
    if (!IsNa(b.mark)) {
      svg += fmt::format(
          "<line class=\"mark\" stroke=\"#d6604d\" stroke-width=\"2.5\" x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{}\" "
          "y2=\"{}\" data-value=\"{:.1f}\"/>",
          x(b.mark), x(b.mark), top + 1, top + 19, b.mark);
    }
    svg += "\n";
  }
  const double ly = kTop + kRow * static_cast<double>(bars.size()) + 10;
  svg += fmt::format(
      "<line class=\"mark\" stroke=\"#d6604d\" stroke-width=\"2.5\" x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\"/>", kLabelW,
      kLabelW, ly - 6, ly + 6);
  svg += fmt::format("<text class=\"legend\" x=\"{}\" y=\"{}\">{}</text>", kLabelW + 6, ly + 4, Xml(mark_label));
  return svg + "\n</svg>";
}

}  // namespace gpsi::report::detail
