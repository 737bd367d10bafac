// SVG charts for the HTML report (dcplan/report/svg.hpp), written as text by hand: no plotting
// library, and output that is the same bytes for the same data (golden SVGs in the unit tests).
//
// Two rules hold throughout. Every text that reaches the markup (titles, series names from
// region and hardware ids, marker labels, units) goes through text::xml_escape: names come
// from a scenario, which may come from a pull request, and an unescaped "</text><script>" would
// run in the browser of whoever opens the report. And no coordinate is ever NaN or infinite
// (num() writes 0 as a last guard): empty cells (a ratio in a year with nothing installed) are
// skipped by the drawing functions, never drawn at a NaN that browsers render unpredictably.
#include "dcplan/report/svg.hpp"
#include "text.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <limits>

namespace dcplan::report {

namespace {

// Okabe & Ito's eight colours, then Paul Tol's muted scheme: both chosen to stay apart for the
// common forms of colour blindness.
constexpr const char* kPalette[] = {
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
    "#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#882255", "#AA4499", "#999999"};
constexpr std::size_t kColours = sizeof(kPalette) / sizeof(kPalette[0]);
// Margins around the plot area [px]: the y labels on the left, the legend on the right.
constexpr int kLeft = 70, kRight = 190, kTop = 36, kBottom = 40;

//! A coordinate: one decimal; never NaN or infinite in the markup (0 instead: callers skip
//! points without a value, this is the last guard).
std::string num(double v) {
  if (!std::isfinite(v)) v = 0;
  std::string s = fmt::format("{:.1f}", v);
  if (s == "-0.0") s = "0.0";
  return s;
}

}  // namespace

//! (Declared in dcplan/report/svg.hpp.) Colours cycle after sixteen series.
const char* colour(std::size_t i) {
  return kPalette[i % kColours];
}

//! Printed with 12 digits and re-read, so that 3 x 0.2 is 0.6, not 0.6000000000000001.
//! (Declared in dcplan/report/svg.hpp.) Ticks are multiples of a step like 0.2, and i × 0.2 is
//! not exactly a decimal in binary; 12 significant digits are far more than a label shows and
//! far fewer than the 17 that expose the binary error.
double tidy(double v) {
  double out = v;
  return text::parse_double(fmt::format("{:.12g}", v), out) ? out : v;
}

//! (Declared in dcplan/report/svg.hpp.) A step of 1, 2, 2.5 or 5 × 10^k, the smallest such step
//! of at least (hi − lo) / target, and ticks on its multiples from at or below `lo` to at or
//! above `hi`: the axis always includes the data. At most 51 ticks whatever the input; an empty
//! or non-finite range gets an axis one unit wide rather than a division by zero.
std::vector<double> nice_ticks(double lo, double hi, int target) {
  // Values too small to scale (subnormals: a budget of 1e-320) or not finite get the unit axis.
  if (!std::isfinite(lo) || !std::isfinite(hi)) lo = 0, hi = 1;
  if (!(hi > lo) || !std::isnormal(hi - lo)) hi = lo + 1;
  if (!(hi > lo)) return {lo, lo + 1};
  // The raw step: the range split into `target` intervals.
  const double raw = (hi - lo) / std::max(1, target);
  // mag: the power of ten at or below the raw step; the step is the first of 1, 2, 2.5, 5, 10
  // times it that is at least the raw step.
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    if (m * mag >= raw) {
      step = m * mag;
      break;
    }
  }
  // From the multiple of step at or below lo to the one at or above hi.
  // The 1e-9 keeps a bound that is a multiple of the step up to rounding (0.6 / 0.2 =
  // 2.9999999999999996) from adding a tick beyond it.
  const double first_d = std::floor(lo / step + 1e-9);
  const double last_d = std::ceil(hi / step - 1e-9);
  if (!std::isnormal(step) || !std::isfinite(first_d) || !std::isfinite(last_d) ||
      std::abs(first_d) > 1e15 || std::abs(last_d) > 1e15) {
    return {lo, hi};
  }
  const auto first = static_cast<long long>(first_d);
  const auto last = static_cast<long long>(last_d);
  std::vector<double> ticks;
  for (long long i = first; i <= last && ticks.size() <= 50; ++i) {
    ticks.push_back(tidy(static_cast<double>(i) * step));
  }
  if (ticks.empty()) ticks.push_back(lo);
  if (ticks.size() < 2) ticks.push_back(tidy(ticks.back() + step));
  return ticks;
}

//! (Declared in dcplan/report/svg.hpp.) The prefix is chosen from the largest magnitude drawn, so
//! every tick of one axis is in one unit. Values arrive in the result columns' units (MW, TWh,
//! USD, t CO2e, PFLOP/s, counts).
AxisScale axis_scale(double max, const std::string& unit) {
  const double m = std::abs(max);
  // Money in US dollars: bn and tn as a planner says them, never G or T.
  if (unit == "USD") {
    if (m >= 1e12) return {1e12, "US$ tn"};
    if (m >= 1e9) return {1e9, "US$ bn"};
    if (m >= 1e6) return {1e6, "US$ m"};
    return {1, "US$"};
  }
  if (unit == "MW") return m >= 1e3 ? AxisScale{1e3, "GW"} : AxisScale{1, "MW"};
  if (unit == "TWh") return m < 1 ? AxisScale{1e-3, "GWh"} : AxisScale{1, "TWh"};
  if (unit == "t CO2e") {
    if (m >= 1e6) return {1e6, "Mt CO2e"};
    if (m >= 1e3) return {1e3, "kt CO2e"};
    return {1, "t CO2e"};
  }
  if (unit == "PFLOP/s") return m >= 1e3 ? AxisScale{1e3, "EFLOP/s"} : AxisScale{1, "PFLOP/s"};
  // Counts of units: thousands and millions in words, the axis label says which.
  if (unit == "count") {
    if (m >= 1e6) return {1e6, "million"};
    if (m >= 1e3) return {1e3, "thousand"};
    return {1, ""};
  }
  return {1, unit};
}

//! (Declared in dcplan/report/svg.hpp.) Fewer decimals as numbers grow, trailing zeros dropped:
//! 0.125, 2.5, 12.5, 150.
std::string tick_label(double v) {
  if (v == 0) return "0";
  const double a = std::abs(v);
  const int decimals = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3;
  std::string s = fmt::format("{:.{}f}", v, decimals);
  // Trailing zeros of the fixed decimals are dropped: "2.50" reads "2.5", "3.00" reads "3".
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return s;
}

namespace {

//! A chart being drawn: its frame (plot area, scales) and what it has drawn so far.
struct Plot {
  explicit Plot(const Chart& chart)
      : c(chart),
        w(chart.width),
        h(chart.height),
        pw(chart.width - kLeft - kRight),
        ph(chart.height - kTop - kBottom) {}
  const Chart& c;
  int w, h, pw, ph;  //!< the whole and the plot area [px]
  // The axis: its unit's scale, its ticks and the ranges they span (y0..y1 in the scaled unit,
  // x0..x1 in years).
  AxisScale scale{};
  std::vector<double> ticks;
  double y0 = 0, y1 = 1, x0 = 0, x1 = 1;
  // Bar charts place each year in a slot of the plot's width, `slot` px wide.
  bool bars = false;
  double slot = 0;  //!< width of one x position [px], for bars
  // The markup so far, the next palette colour, and the legend entries in drawing order.
  std::string out;
  std::size_t colour_index = 0;
  struct LegendEntry {
    std::string name;
    std::string swatch;  //!< markup of the swatch's fill
    std::string note;    //!< a second, smaller line ("" for none)
  };
  std::vector<LegendEntry> legend;

  //! x [year] to px. Bars, and a chart of one year, put each year in the middle of its slot of
  //! the plot's width; lines map the first year to the left edge and the last to the right.
  [[nodiscard]] double sx(double x) const {
    if (bars || c.x.size() == 1) {
      const double i = x - x0;
      return kLeft + slot * (i + 0.5);
    }
    return kLeft + (x - x0) / (x1 - x0) * pw;
  }
  //! y [the column's unit] to px: divided by the axis scale (MW to GW...), then mapped from the
  //! first tick at the bottom to the last at the top (SVG's y grows downwards).
  [[nodiscard]] double sy(double v) const {
    return kTop + ph - (v / scale.factor - y0) / (y1 - y0) * ph;
  }
};

//! The extent of y over everything the chart draws; false when there is nothing to draw.
//! The extent always includes 0 (ymin and ymax start there): quantities are drawn from a zero
//! baseline, so a small change does not look like a large one. Stacked charts are measured by
//! their stacked totals, negative parts counted as 0 as they are drawn.
bool y_extent(const Chart& c, double& ymin, double& ymax) {
  const std::size_t n = c.x.size();
  ymin = 0;
  ymax = 0;
  bool any = false;
  auto see = [&](double v) {
    // Subnormal values (below 2.2e-308) cannot be scaled to an axis: drawn as zero.
    if (!std::isnormal(v)) return;
    ymin = std::min(ymin, v);
    ymax = std::max(ymax, v);
    any = true;
  };
  // A stacked chart reaches the sum of its series; only that sum, not each series, sets the
  // top of the axis.
  const bool stacked = c.kind == ChartKind::kStackedArea || c.kind == ChartKind::kStackedBars;
  std::vector<double> pos_total(n, 0.0);
  for (const auto& s : c.series) {
    for (std::size_t i = 0; i < n && i < s.y.size(); ++i) {
      if (stacked) {
        pos_total[i] += std::max(0.0, std::isfinite(s.y[i]) ? s.y[i] : 0.0);
        see(pos_total[i]);
      } else {
        see(s.y[i]);
      }
    }
  }
  for (const auto& s : c.lines)
    for (double v : s.y) see(v);
  for (const auto& b : c.bands) {
    for (double v : b.lo) see(v);
    for (double v : b.hi) see(v);
  }
  for (const auto& m : c.markers) see(m.y);
  return n > 0 && any;
}

//! Axes, grid, ticks and the y label.
//! At most about twelve year labels, so they do not overlap on long horizons.
void draw_axes(Plot& p) {
  const Chart& c = p.c;
  const std::size_t n = c.x.size();
  std::string& out = p.out;
  auto sx = [&p](double x) { return p.sx(x); };
  // Axes, grid, ticks.
  out += "<g class=\"axes\">\n";
  for (double t : p.ticks) {
    const double y = kTop + p.ph - (t - p.y0) / (p.y1 - p.y0) * p.ph;
    out += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" class=\"grid\"/>\n", kLeft,
                       num(y), kLeft + p.pw, num(y));
    out += fmt::format("<text x=\"{}\" y=\"{}\" class=\"ytick\">{}</text>\n", kLeft - 6, num(y + 4),
                       tick_label(t));
  }
  out += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" class=\"axis\"/>\n", kLeft,
                     kTop + p.ph, kLeft + p.pw, kTop + p.ph);
  out += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" class=\"axis\"/>\n", kLeft,
                     kTop, kLeft, kTop + p.ph);
  // A year label every `every` years: at most twelve labels along the axis.
  const std::size_t every = n > 12 ? (n + 11) / 12 : 1;
  for (std::size_t i = 0; i < n; i += every) {
    out += fmt::format("<text x=\"{}\" y=\"{}\" class=\"xtick\">{}</text>\n", num(sx(c.x[i])),
                       kTop + p.ph + 16, static_cast<long long>(c.x[i]));
  }
  out += fmt::format(
      "<text x=\"14\" y=\"{}\" class=\"ylabel\" transform=\"rotate(-90 14 {})\">{}</text>\n",
      kTop + p.ph / 2, kTop + p.ph / 2, text::xml_escape(p.scale.label));
  out += "</g>\n";
}

//! Bands (fan charts) first, underneath the rest.
void draw_bands(Plot& p) {
  const Chart& c = p.c;
  const std::size_t n = c.x.size();
  std::string& out = p.out;
  auto sx = [&p](double x) { return p.sx(x); };
  auto sy = [&p](double v) { return p.sy(v); };
  for (const auto& b : c.bands) {
    const char* col = colour(p.colour_index++);
    // Only the years where the band has both edges (a ratio is empty in a year with nothing
    // installed): the band spans those, never a NaN coordinate.
    auto has = [&](std::size_t i) {
      return i < b.hi.size() && i < b.lo.size() && std::isfinite(b.hi[i]) && std::isfinite(b.lo[i]);
    };
    std::string pts;
    for (std::size_t i = 0; i < n; ++i)
      if (has(i)) pts += num(sx(c.x[i])) + "," + num(sy(b.hi[i])) + " ";
    for (std::size_t i = n; i-- > 0;)
      if (has(i)) pts += num(sx(c.x[i])) + "," + num(sy(b.lo[i])) + " ";
    out += fmt::format(
        "<polygon points=\"{}\" fill=\"{}\" fill-opacity=\"0.25\" stroke=\"none\"/>\n", pts, col);
    std::string mid;
    for (std::size_t i = 0; i < n && i < b.mid.size(); ++i)
      if (std::isfinite(b.mid[i])) mid += num(sx(c.x[i])) + "," + num(sy(b.mid[i])) + " ";
    out += fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"/>\n",
                       mid, col);
    p.legend.push_back({b.name, fmt::format("fill=\"{}\"", col), "median, 5th-95th percentile"});
  }
}

//! A line through the points of `y` that have a value: one polyline skipping the others; with
//! Chart::gaps, one polyline per run of values and a dot for a value alone.
//! Without gaps (the default) a missing value is bridged by the line, which suits a series with
//! an occasional empty ratio; with gaps, a missing year breaks the line, which suits values
//! that exist only in some years (observed history).
std::string line_markup(const Plot& p, const std::vector<double>& y, const char* col,
                        const char* stroke_width, bool dashed) {
  const Chart& c = p.c;
  const std::size_t n = c.x.size();
  const std::string dash = dashed ? " stroke-dasharray=\"6 4\"" : "";
  auto polyline = [&](const std::string& pts) {
    return fmt::format(
        "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{}\"{}/>\n", pts, col,
        stroke_width, dash);
  };
  auto has = [&](std::size_t i) { return i < n && i < y.size() && std::isfinite(y[i]); };
  // One polyline through every point with a value.
  if (!c.gaps) {
    std::string pts;
    for (std::size_t i = 0; i < n && i < y.size(); ++i) {
      if (has(i)) pts += num(p.sx(c.x[i])) + "," + num(p.sy(y[i])) + " ";
    }
    return polyline(pts);
  }
  std::string out;
  for (std::size_t i = 0; i < n && i < y.size();) {
    if (!has(i)) {
      ++i;
      continue;
    }
    std::size_t j = i;
    std::string pts;
    for (; has(j); ++j) pts += num(p.sx(c.x[j])) + "," + num(p.sy(y[j])) + " ";
    // A value alone between gaps has no line to be part of: a dot shows it.
    if (j - i == 1) {
      out += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"{}\"/>\n", num(p.sx(c.x[i])),
                         num(p.sy(y[i])), col);
    } else {
      out += polyline(pts);
    }
    i = j;
  }
  return out;
}

//! The main series: lines, stacked areas, stacked or grouped bars.
//! Stacks count negative values as 0 (a stack of negatives has no meaning for these columns);
//! grouped bars draw them below the axis. A dashed series (the base of a comparison) is drawn
//! paler in bar charts, where a dash does not show.
void draw_series(Plot& p) {
  const Chart& c = p.c;
  const std::size_t n = c.x.size();
  std::string& out = p.out;
  auto sx = [&p](double x) { return p.sx(x); };
  auto sy = [&p](double v) { return p.sy(v); };
  // base: the top of the stack so far in each year, where the next stacked series starts.
  std::vector<double> base(n, 0.0);
  const std::size_t k = c.series.size();
  for (std::size_t s = 0; s < k; ++s) {
    const auto& ser = c.series[s];
    const char* col = colour(p.colour_index++);
    // Each series takes the next colour of the palette, in the order the chart lists them, so
    // the same chart is coloured the same way every time.
    const std::string dash = ser.dashed ? " stroke-dasharray=\"6 4\"" : "";
    switch (c.kind) {
      case ChartKind::kLine:
        out += line_markup(p, ser.y, col, "2", ser.dashed);
        break;
      case ChartKind::kStackedArea: {
        std::string pts;
        std::vector<double> top(n);
        for (std::size_t i = 0; i < n; ++i) {
          const double v =
              i < ser.y.size() && std::isfinite(ser.y[i]) ? std::max(0.0, ser.y[i]) : 0.0;
          top[i] = base[i] + v;
          pts += num(sx(c.x[i])) + "," + num(sy(top[i])) + " ";
        }
        // The polygon runs along the series' top left to right and back along its base, so
        // consecutive layers share an edge and nothing shows between them.
        for (std::size_t i = n; i-- > 0;) pts += num(sx(c.x[i])) + "," + num(sy(base[i])) + " ";
        out += fmt::format(
            "<polygon points=\"{}\" fill=\"{}\" fill-opacity=\"0.85\" stroke=\"{}\"{}/>\n", pts,
            col, col, dash);
        base = top;
        break;
      }
      case ChartKind::kStackedBars:
      case ChartKind::kGroupedBars: {
        // A stacked bar takes 70% of its year's slot; grouped bars share 80% of it.
        const double bw = c.kind == ChartKind::kStackedBars ? p.slot * 0.7
                                                            : p.slot * 0.8 / static_cast<double>(k);
        for (std::size_t i = 0; i < n && i < ser.y.size(); ++i) {
          const double v = std::isfinite(ser.y[i]) ? ser.y[i] : 0.0;
          double x, lo, hi;
          if (c.kind == ChartKind::kStackedBars) {
            x = sx(c.x[i]) - bw / 2;
            lo = base[i];
            hi = base[i] + std::max(0.0, v);
            base[i] = hi;
          } else {
            x = sx(c.x[i]) - p.slot * 0.4 + bw * static_cast<double>(s);
            lo = std::min(0.0, v);
            hi = std::max(0.0, v);
          }
          // A zero value draws no bar (a rectangle of no height would still be markup).
          if (hi <= lo) continue;
          out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"{}/>\n",
                             num(x), num(sy(hi)), num(bw), num(sy(lo) - sy(hi)), col,
                             ser.dashed ? " fill-opacity=\"0.45\"" : "");
        }
        break;
      }
    }
    p.legend.push_back({ser.name, fmt::format("fill=\"{}\"", col), ""});
  }
}

//! Lines drawn over the series.
void draw_lines(Plot& p) {
  for (const auto& ser : p.c.lines) {
    const char* col = colour(p.colour_index++);
    p.out += line_markup(p, ser.y, col, "2.5", ser.dashed);
    p.legend.push_back({ser.name, fmt::format("fill=\"{}\"", col), ""});
  }
}

//! Markers (targets), kept inside the plot area.
//! A marker whose year lies outside the horizon (an observed value before it) is drawn at the
//! nearest edge rather than off the chart.
void draw_markers(Plot& p) {
  const Chart& c = p.c;
  std::string& out = p.out;
  auto sx = [&p](double x) { return p.sx(x); };
  auto sy = [&p](double v) { return p.sy(v); };
  for (const auto& m : c.markers) {
    const double x =
        std::clamp(sx(m.x), static_cast<double>(kLeft), static_cast<double>(kLeft + p.pw));
    out += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"5\" class=\"marker\"/>\n", num(x),
                       num(sy(m.y)));
    out += fmt::format("<text x=\"{}\" y=\"{}\" class=\"mlabel\">{}</text>\n", num(x - 6),
                       num(sy(m.y) - 9), text::xml_escape(m.label));
  }
}

//! The legend, right of the plot.
void draw_legend(Plot& p) {
  std::string& out = p.out;
  out += "<g class=\"legend\">\n";
  // Names are cut by characters (not bytes, so no UTF-8 sequence is split) to what the 190 px
  // margin holds; a note goes on a line of its own, so nothing is cut off at the edge.
  auto cut = [](const std::string& s, std::size_t max) {
    std::size_t chars = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;
      if (chars++ == max - 1) return s.substr(0, i) + "...";
    }
    return s;
  };
  int y = kTop + 4;
  // At most sixteen entries, and none below the chart's bottom edge.
  for (std::size_t i = 0; i < p.legend.size() && i < 16 && y + 12 <= p.h; ++i) {
    out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"12\" height=\"12\" {}/>\n",
                       kLeft + p.pw + 12, y, p.legend[i].swatch);
    out += fmt::format("<text x=\"{}\" y=\"{}\">{}</text>\n", kLeft + p.pw + 30, y + 10,
                       text::xml_escape(cut(p.legend[i].name, 22)));
    if (!p.legend[i].note.empty()) {
      y += 14;
      out += fmt::format("<text x=\"{}\" y=\"{}\" class=\"note\">{}</text>\n", kLeft + p.pw + 30,
                         y + 10, text::xml_escape(cut(p.legend[i].note, 30)));
    }
    y += 18;
  }
  out += "</g>\n";
}

}  // namespace

const char* chart_css() {
  return R"(svg .title { font-size: 14px; font-weight: bold; }
svg .grid { stroke: #e5e5e5; }
svg .axis { stroke: #444; }
svg .ytick { text-anchor: end; fill: #444; }
svg .xtick { text-anchor: middle; fill: #444; }
svg .ylabel { text-anchor: middle; fill: #444; }
svg .marker { fill: #b30000; }
svg .mlabel { text-anchor: end; fill: #b30000; font-size: 11px; }
svg .note { font-size: 10px; fill: #555; }
svg .nodata { fill: #777; font-style: italic; }
)";
}

//! (Declared in dcplan/report/svg.hpp.) Layers in drawing order, each over the one before: axes,
//! bands, the series, overlay lines, markers, legend.
std::string render_svg(const Chart& c) {
  Plot p(c);
  p.out = fmt::format(
      "<svg id=\"{}\" class=\"chart\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" "
      "role=\"img\" "
      "aria-label=\"{}\">\n",
      text::xml_escape(c.id), p.w, p.h, p.w, p.h, text::xml_escape(c.title));
  p.out += fmt::format("<text x=\"{}\" y=\"20\" class=\"title\">{}</text>\n", kLeft,
                       text::xml_escape(c.title));
  double ymin = 0, ymax = 0;
  if (!y_extent(c, ymin, ymax)) {
    p.out += fmt::format(
        "<text x=\"{}\" y=\"{}\" class=\"nodata\">No data for this chart in this "
        "scenario.</text>\n",
        p.w / 2 - 150, p.h / 2);
    return p.out + "</svg>\n";
  }
  // Scale first (the unit's prefix), then ticks in the scaled unit, so tick labels are short
  // numbers ("1.5" GW, not "1500" MW).
  p.scale = axis_scale(std::max(std::abs(ymin), std::abs(ymax)), c.unit);
  p.ticks = nice_ticks(ymin / p.scale.factor, ymax / p.scale.factor);
  p.y0 = p.ticks.front();
  p.y1 = p.ticks.back();
  // x runs from the first year to the last; bars divide the width into one slot per year.
  p.x0 = c.x.front();
  p.x1 = c.x.back();
  p.bars = c.kind == ChartKind::kStackedBars || c.kind == ChartKind::kGroupedBars;
  p.slot = static_cast<double>(p.pw) / static_cast<double>(std::max<std::size_t>(c.x.size(), 1));
  // Bands under the series, lines and markers over them, the legend last.
  for (auto* draw : {draw_axes, draw_bands, draw_series, draw_lines, draw_markers, draw_legend}) {
    draw(p);
  }
  return p.out + "</svg>\n";
}

//! (Declared in dcplan/report/svg.hpp.) A tornado chart for sensitivity: one row per input, a bar
//! from the base value to the output at the input's low and at its high end, on one axis that
//! includes the base. Labels are cut to an excerpt, since an input's name may be a long pointer.
std::string render_tornado(const Tornado& t) {
  // Layout [px]: a wide column for the inputs' names, one row per input, the axis below.
  constexpr int kLabels = 310, kRow = 26, kBarsTop = 40, kAxis = 46, kBarsRight = 30;
  const int h = kBarsTop + kRow * static_cast<int>(std::max<std::size_t>(t.bars.size(), 1)) + kAxis;
  std::string out = fmt::format(
      "<svg id=\"{}\" class=\"chart\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" "
      "role=\"img\" aria-label=\"{}\">\n",
      text::xml_escape(t.id), t.width, h, t.width, h, text::xml_escape(t.title));
  out += fmt::format("<text x=\"{}\" y=\"20\" class=\"title\">{}</text>\n", kLeft,
                     text::xml_escape(t.title));
  // The axis spans the base and every bar end; an input whose output could not be computed at
  // one end (NaN) has no bar there.
  double lo = t.base, hi = t.base;
  for (const auto& b : t.bars) {
    for (const double v : {b.low, b.high}) {
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    }
  }
  // A study with no inputs to show says so rather than drawing an empty axis.
  if (t.bars.empty()) {
    return out + "<text x=\"200\" y=\"60\" class=\"nodata\">No input to show.</text>\n</svg>\n";
  }
  const AxisScale scale = axis_scale(std::max(std::abs(lo), std::abs(hi)), t.unit);
  const std::vector<double> ticks = nice_ticks(lo / scale.factor, hi / scale.factor);
  const double v0 = ticks.front(), v1 = ticks.back();
  const double pw = t.width - kLabels - kBarsRight;
  // Output value [the metric's unit] to px.
  auto x = [&](double v) { return kLabels + (v / scale.factor - v0) / (v1 - v0) * pw; };
  // Grid lines at the ticks, across every row; tick labels under the last row.
  const int bottom = kBarsTop + kRow * static_cast<int>(t.bars.size());
  for (const double tick : ticks) {
    const double tx = kLabels + (tick - v0) / (v1 - v0) * pw;
    out += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" class=\"grid\"/>\n", num(tx),
                       kBarsTop, num(tx), bottom);
    out += fmt::format("<text x=\"{}\" y=\"{}\" class=\"xtick\">{}</text>\n", num(tx), bottom + 16,
                       tick_label(tick));
  }
  out += fmt::format("<text x=\"{}\" y=\"{}\" class=\"ylabel\">{}</text>\n", num(kLabels + pw / 2),
                     bottom + 34, text::xml_escape(scale.label));
  for (std::size_t i = 0; i < t.bars.size(); ++i) {
    const auto& b = t.bars[i];
    const int y = kBarsTop + kRow * static_cast<int>(i);
    out += fmt::format("<text x=\"{}\" y=\"{}\" class=\"ytick\">{}</text>\n", kLabels - 8,
                       y + kRow / 2 + 4, text::xml_escape(text::excerpt(b.label)));
    int k = 0;
    for (const double v : {b.low, b.high}) {
      if (std::isfinite(v)) {
        // From the base to the value, left or right; at least half a pixel, so an input with
        // no effect still shows a bar.
        const double a = std::min(x(t.base), x(v)), w = std::abs(x(v) - x(t.base));
        out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"/>\n",
                           num(a), y + 3 + k * (kRow - 6) / 2, num(std::max(w, 0.5)),
                           (kRow - 6) / 2, colour(k));
      }
      ++k;
    }
  }
  out += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" class=\"axis\"/>\n",
                     num(x(t.base)), kBarsTop - 4, num(x(t.base)), bottom);
  // Legend, top right.
  // Two swatches: the output at each input's low end and at its high end.
  int lx = t.width - kBarsRight - 280;
  for (int k = 0; k < 2; ++k) {
    out += fmt::format("<rect x=\"{}\" y=\"26\" width=\"12\" height=\"8\" fill=\"{}\"/>\n", lx,
                       colour(k));
    out += fmt::format("<text x=\"{}\" y=\"34\" class=\"note\">{}</text>\n", lx + 16,
                       text::xml_escape(k == 0 ? t.low_name : t.high_name));
    lx += 140;
  }
  return out + "</svg>\n";
}

//! (Declared in dcplan/report/svg.hpp.) A chart made for embedding, turned into a file of its
//! own: the SVG namespace (implied inside HTML, required in a .svg file), the styles the page's
//! CSS would have given it, and an XML declaration.
std::string standalone_svg(const std::string& chart) {
  constexpr const char* kStyles =
      "<style>svg { font-family: sans-serif; font-size: 12px; } .title { font-size: 14px; "
      "font-weight: bold; } .grid { stroke: #e5e5e5; } .axis { stroke: #444; } .ytick { "
      "text-anchor: end; fill: #444; } .xtick { text-anchor: middle; fill: #444; } .ylabel { "
      "text-anchor: middle; fill: #444; } .note { font-size: 10px; fill: #555; } .nodata { fill: "
      "#777; font-style: italic; }</style>\n";
  std::string out = chart;
  const auto open = out.find("<svg ");
  if (open == std::string::npos) return out;
  // After "<svg ": the first attribute of the root element.
  out.insert(open + 5, "xmlns=\"http://www.w3.org/2000/svg\" ");
  // After the root element's '>' and its newline: the styles as its first child.
  out.insert(out.find('>', open) + 2, kStyles);
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + out;
}

}  // namespace dcplan::report
