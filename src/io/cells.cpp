#include "dcplan/io/cells.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>

#include "dcplan/results.hpp"
#include "text.hpp"

namespace dcplan::io {

namespace {

std::string sig(double raw, int digits = 3) {
  // Three significant digits without exponent for the magnitudes a table shows. The value is
  // first cut to 12 significant digits and nudged away from zero by far less than those, so
  // that halves round up whatever their binary form: 4545 and 4545.000000000001 MW both read
  // 4.55 GW (binary 4.545 is 4.5449999..., which printf rounds down).
  double v = raw;
  if (!text::parse_double(fmt::format("{:.12g}", raw), v)) v = raw;
  v *= 1 + 1e-12;
  const double a = std::abs(v);
  int decimals = 0;
  if (a > 0 && a < 1000)
    decimals = std::max(0, digits - 1 - static_cast<int>(std::floor(std::log10(a))));
  decimals = std::min(decimals, 6);
  std::string out = fmt::format("{:.{}f}", v, decimals);
  if (out == "-0" || out.rfind("-0.", 0) == 0) {
    if (std::all_of(out.begin() + 1, out.end(), [](char c) { return c == '0' || c == '.'; })) {
      out.erase(0, 1);
    }
  }
  return out;
}

std::string scaled(double v, const char* const* names, const double* factors, int n,
                   const std::string& prefix = "") {
  const double a = std::abs(v);
  if (a == 0) return prefix + "0";
  for (int i = 0; i < n; ++i) {
    if (a >= factors[i] || i == n - 1) {
      const std::string num = sig(v / factors[i]);
      return prefix + num + (names[i][0] != '\0' ? std::string(" ") + names[i] : std::string());
    }
  }
  return sig(v);
}

}  // namespace

std::string exact_number(double v) {
  if (is_empty_cell(v)) return "";
  if (v == 0) return "0";  // also -0
  return fmt::format("{}", v);
}

std::string exact_cell(double v, const ColumnInfo& c) {
  return c.kind == ColumnKind::kText ? limit_text(v) : exact_number(v);
}

std::string json_cell(double v, const ColumnInfo& c) {
  if (is_empty_cell(v)) return "null";
  return c.kind == ColumnKind::kText ? "\"" + limit_text(v) + "\"" : exact_number(v);
}

std::string readable(double v, const ColumnInfo& c, const std::string& currency) {
  if (is_empty_cell(v)) return "";
  if (c.kind == ColumnKind::kText) return limit_text(v);
  const std::string unit(c.unit);
  if (c.money) {
    if (std::abs(v) < 0.5) return currency == "USD" ? "US$0" : currency + " 0";
    static const char* const names[] = {"tn", "bn", "m", "k", ""};
    static const double f[] = {1e12, 1e9, 1e6, 1e3, 1};
    const std::string prefix = currency == "USD" ? "US$" : currency + " ";
    std::string out = scaled(std::abs(v), names, f, 5, prefix);
    if (c.name == "cost_per_eflop_year_usd") out += "/EFLOP-yr";
    return v < 0 && sig(v) != "0" ? "-" + out : out;
  }
  if (unit == "MW") {
    static const char* const names[] = {"GW", "MW", "kW"};
    static const double f[] = {1e3, 1, 1e-3};
    return scaled(v, names, f, 3);
  }
  if (unit == "TWh") {
    static const char* const names[] = {"TWh", "GWh", "MWh"};
    static const double f[] = {1, 1e-3, 1e-6};
    return scaled(v, names, f, 3);
  }
  if (unit == "PFLOP/s") {
    static const char* const names[] = {"ZFLOP/s", "EFLOP/s", "PFLOP/s"};
    static const double f[] = {1e6, 1e3, 1};
    return scaled(v, names, f, 3);
  }
  if (unit == "t CO2e") {
    static const char* const names[] = {"Mt", "kt", "t"};
    static const double f[] = {1e6, 1e3, 1};
    return scaled(v, names, f, 3);
  }
  if (unit == "count") {
    static const char* const names[] = {"m", "k", ""};
    static const double f[] = {1e6, 1e3, 1};
    return scaled(v, names, f, 3);
  }
  if (unit == "EFLOP-year") return sig(v) + " EFLOP-yr";
  return sig(v);
}

}  // namespace dcplan::io
