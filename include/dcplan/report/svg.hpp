// dcplan — a small SVG chart writer for the HTML report.
//
// Line, stacked-area, stacked-bar and grouped-bar charts, with bands (fan charts), overlay lines
// and markers; linear scales with "nice" ticks (1, 2, 2.5, 5 × 10^k), axis units scaled to a
// readable prefix (MW → GW, USD → US$ bn), a legend, and a palette (Okabe–Ito, then Tol) that
// stays distinguishable for colour-blind readers. A chart without data says so instead of drawing
// empty axes. Output is deterministic text (fixed number formatting), so it can be compared
// with golden files.
#pragma once

#include <string>
#include <vector>

namespace dcplan::report {

enum class ChartKind { kLine, kStackedArea, kStackedBars, kGroupedBars };

struct Series {
  std::string name;
  std::vector<double> y;  //!< one value per x
  bool dashed = false;    //!< drawn dashed (the base of a comparison)
};

//! A shaded band between lo and hi with a median line: a fan chart.
struct Band {
  std::string name;
  std::vector<double> lo, mid, hi;
};

struct Marker {
  double x = 0;
  double y = 0;
  std::string label;
};

struct Chart {
  std::string id;  //!< element id, unique in the page
  std::string title;
  std::string unit;  //!< base unit of y: "MW", "TWh", "USD", "count", "t CO2e", "PFLOP/s"
  ChartKind kind = ChartKind::kLine;
  std::vector<double> x;       //!< years
  std::vector<Series> series;  //!< drawn as `kind`
  std::vector<Series> lines;   //!< overlay lines on the same axes (e.g. cumulative capex)
  std::vector<Band> bands;
  std::vector<Marker> markers;
  //! Lines (kLine series and overlay lines) break at a missing value (NaN), and a value alone
  //! between two missing ones is a dot. Otherwise (the default) a line skips the missing values
  //! and joins the points either side.
  bool gaps = false;
  int width = 760;
  int height = 340;
};

//! Round tick values covering [lo, hi], about `target` of them.
[[nodiscard]] std::vector<double> nice_ticks(double lo, double hi, int target = 5);

//! The display scale for values up to `max` in `unit`: factor to divide by and the unit label
//! ("GW", "US$ bn", "million", "Mt CO2e").
struct AxisScale {
  double factor = 1;
  std::string label;
};
[[nodiscard]] AxisScale axis_scale(double max, const std::string& unit);

//! A tick label: up to 3 significant digits, no exponent.
[[nodiscard]] std::string tick_label(double v);

//! The palette: 16 colours, then repeated.
[[nodiscard]] const char* colour(std::size_t i);

//! The page rules of the classes render_svg writes (title, grid, axes, ticks, markers, notes),
//! one a line: the report and `dcplan serve`'s page both style their charts with them.
[[nodiscard]] const char* chart_css();

[[nodiscard]] std::string render_svg(const Chart& chart);

//! A horizontal bar of a tornado chart: the metric with the input at its low end and at its high
//! end (a Sobol' chart: S1 and ST, from a base of 0).
struct TornadoBar {
  std::string label;  //!< the input
  double low = 0, high = 0;
};

struct Tornado {
  std::string id;
  std::string title;
  std::string unit;  //!< of the metric, as Chart::unit
  double base = 0;   //!< the bars start here (the metric with every input at base)
  std::string low_name = "input low", high_name = "input high";  //!< legend
  std::vector<TornadoBar> bars;  //!< drawn top to bottom, in this order
  int width = 760;
};

//! Bars left and right of the base value, one row per input (the upper half of a row its low
//! end, the lower half its high end), the base as a vertical line, a value axis at the bottom.
[[nodiscard]] std::string render_tornado(const Tornado& t);

//! A chart as a file of its own (--format svg): the SVG namespace and the styles the report's
//! page would give it.
[[nodiscard]] std::string standalone_svg(const std::string& chart);

}  // namespace dcplan::report
