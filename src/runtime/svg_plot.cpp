// Throughput-latency SVG: linear axes from 0 to a rounded maximum, one polyline.
#include "runtime/svg_plot.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace rankrt {

namespace {

constexpr double kWidth = 720, kHeight = 480, kLeft = 80, kRight = 30, kTop = 50, kBottom = 60;
constexpr int kTicks = 5;

// 1, 2 or 5 times a power of ten, at least v / kTicks: the axis ends at kTicks such steps.
double tick_step(double max) {
  if (!(max > 0)) return 1;
  const double raw = max / kTicks;
  const double base = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * base >= raw) return m * base;
  return 10 * base;
}

std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '&')
      out += "&amp;";
    else if (c == '"')
      out += "&quot;";
    else
      out += c;
  }
  return out;
}

}  // namespace

std::string throughput_latency_svg(const std::vector<PlotPoint>& points, const std::string& title) {
  double max_x = 0, max_y = 0;
  for (const PlotPoint& p : points) {
    max_x = std::max(max_x, p.requests_per_s);
    max_y = std::max(max_y, p.p99_ms);
  }
  const double step_x = tick_step(max_x), step_y = tick_step(max_y);
  const double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  auto sx = [&](double x) { return kLeft + x / (step_x * kTicks) * plot_w; };
  auto sy = [&](double y) { return kTop + plot_h - y / (step_y * kTicks) * plot_h; };

  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      "<text x=\"{2}\" y=\"25\" text-anchor=\"middle\" font-size=\"15\">{3}</text>\n",
      kWidth, kHeight, kWidth / 2, escape(title));
  for (int i = 0; i <= kTicks; ++i) {
    const double x = sx(i * step_x), y = sy(i * step_y);
    svg += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" stroke=\"#ddd\"/>"
        "<text x=\"{0:.1f}\" y=\"{3:.1f}\" text-anchor=\"middle\">{4:g}</text>\n",
        x, kTop, kTop + plot_h, kTop + plot_h + 18, i * step_x);
    svg += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{2:.1f}\" y2=\"{1:.1f}\" stroke=\"#ddd\"/>"
        "<text x=\"{3:.1f}\" y=\"{4:.1f}\" text-anchor=\"end\">{5:g}</text>\n",
        kLeft, y, kLeft + plot_w, kLeft - 6, y + 4, i * step_y);
  }
  svg += fmt::format(
      "<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"black\"/>"
      "<line x1=\"{0}\" y1=\"{2}\" x2=\"{3}\" y2=\"{2}\" stroke=\"black\"/>\n"
      "<text x=\"{4}\" y=\"{5}\" text-anchor=\"middle\">throughput (requests/s)</text>\n"
      "<text x=\"18\" y=\"{6}\" text-anchor=\"middle\" transform=\"rotate(-90 18 {6})\">p99 latency "
      "(ms)</text>\n",
      kLeft, kTop, kTop + plot_h, kLeft + plot_w, kLeft + plot_w / 2, kHeight - 15, kTop + plot_h / 2);
  std::string polyline;
  for (const PlotPoint& p : points)
    polyline +=
        fmt::format("{}{:.1f},{:.1f}", polyline.empty() ? "" : " ", sx(p.requests_per_s), sy(p.p99_ms));
  svg += fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\"/>\n",
                     polyline);
  for (const PlotPoint& p : points)
    svg += fmt::format(
        "<circle cx=\"{0:.1f}\" cy=\"{1:.1f}\" r=\"4\" fill=\"#1f77b4\"/>"
        "<text x=\"{2:.1f}\" y=\"{3:.1f}\">{4}</text>\n",
        sx(p.requests_per_s), sy(p.p99_ms), sx(p.requests_per_s) + 6, sy(p.p99_ms) - 6, escape(p.label));
  svg += "</svg>\n";
  return svg;
}

}  // namespace rankrt
