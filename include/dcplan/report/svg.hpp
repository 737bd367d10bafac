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

[[nodiscard]] std::string render_svg(const Chart& chart);

}  // namespace dcplan::report
