// Targets: a scenario's requirements on its results (`dcplan run --check`), read from the
// result table, checked with their tolerance and written as JUnit XML for CI. Also read_metric,
// the one way a metric is read for a selector and a year range, which compare's gates and the
// search's objectives share, so that "energy_twh 2030 cn-*" means the same number everywhere.
//
// Aggregation rules (docs/results.md): stocks and flows sum over regions and years; a ratio is
// recomputed from the sums of its parts (ratio_of_totals), never summed or averaged; a ratio
// without parts in the results (cost per GPU-hour, break-even utilisation, the cost of owning
// a MW) can only be read for one region or total, and one year. Money is in USD in the results
// and converted to a target's currency at the exchange rate of each year before summing.
#include "dcplan/targets.hpp"

#include <fmt/format.h>
#include <cmath>
#include <limits>

#include "dcplan/error.hpp"
#include "dcplan/selector.hpp"
#include "text.hpp"

namespace dcplan {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

//! The metric for a selector in one year: the total row, one region's row, or a sum over the
//! matched regions with ratios recomputed.
//! Empty cells of single regions are skipped in the sum (a region without the column), and NaN
//! is returned when no region matches or the year is not in the results. Utilisation has no
//! parts but is one number for all regions, so the total row's is the value of any selector.
double metric_value(const Scenario& s, const Results& res, int col, const std::string& region,
                    int year) {
  // Three cases: the total row, an exact region's row, or a selector summed over its regions.
  if (region == "total") {
    const auto row = res.find_row(year, RowKey::kTotal);
    return row < 0 ? kNaN : res.values(row, col);
  }
  const int exact = s.region_index(region);
  if (exact >= 0) {
    const auto row = res.find_row(year, exact);
    return row < 0 ? kNaN : res.values(row, col);
  }
  Eigen::ArrayXd sum = Eigen::ArrayXd::Zero(kNumCols);
  bool any = false;
  for (std::size_t r = 0; r < s.regions.size(); ++r) {
    if (!selector_matches(region, s.regions[r])) continue;
    const auto row = res.find_row(year, static_cast<int>(r));
    if (row < 0) continue;
    any = true;
    for (int c = 0; c < kNumCols; ++c) {
      const double v = res.values(row, c);
      if (!is_empty_cell(v)) sum(c) += v;
    }
  }
  if (!any) return kNaN;
  double ratio = 0;
  if (ratio_of_totals(
          col, [&](int c) { return sum(c); }, ratio))
    return ratio;
  if (col == kUtilisation) {
    const auto row = res.find_row(year, RowKey::kTotal);
    return row < 0 ? kNaN : res.values(row, kUtilisation);
  }
  if (column_info(static_cast<Col>(col)).kind == ColumnKind::kRatio) {
    // A sum of ratios is no ratio: those the results cannot recompute (model v3's cost per
    // GPU-hour, break-even utilisation, cost of owning a MW) are read for one region or total.
    throw InputError("", "",
                     fmt::format("{} is a ratio without parts in the results; select one region "
                                 "or total, not \"{}\"",
                                 column_info(static_cast<Col>(col)).name, region));
  }
  return sum(col);
}

}  // namespace

//! (Declared in dcplan/targets.hpp.) Sums over years in year order; an empty cell in any year
//! makes the whole read empty rather than a sum of the years that have a value. Throws
//! InputError (no file or pointer: the caller adds them) for a ratio that cannot be recomputed.
double read_metric(const Scenario& s, const Results& res, int col, const std::string& region,
                   int first, int last, const std::string& currency) {
  auto sum = [&](int c) {
    // Each year's value at that year's rate, then summed: a sum of dollars converted at one
    // rate would be wrong for every other year.
    const bool convert = currency != "USD" && column_info(static_cast<Col>(c)).money;
    double total = 0;
    for (int y = first; y <= last; ++y) {
      double v = metric_value(s, res, c, region, y);
      if (convert) v *= s.fx_per_usd.at(currency)(y - s.horizon.start);
      if (is_empty_cell(v)) return kNaN;
      total += v;
    }
    return total;
  };
  // One year, or a stock or flow: the plain sum over the years.
  if (first == last || column_info(static_cast<Col>(col)).kind != ColumnKind::kRatio) {
    return sum(col);
  }
  // A ratio over a year range is the ratio of the sums, never a sum of ratios.
  double ratio = 0;
  if (ratio_of_totals(col, sum, ratio)) return ratio;
  throw InputError("", "",
                   fmt::format("{} is a ratio without parts in the results; give one year, not "
                               "{}:{}",
                               column_info(static_cast<Col>(col)).name, first, last));
}

namespace {

//! A value for a message: 6 significant digits, "(empty)" for an empty cell.
std::string num(double v) {
  if (is_empty_cell(v)) return "(empty)";
  return fmt::format("{:.6g}", v);
}

}  // namespace

//! (Declared in dcplan/targets.hpp.) The operator as a message prints it.
const char* bound_op(BoundKind kind) {
  switch (kind) {
    case BoundKind::kAtLeast:
      return ">=";
    case BoundKind::kAtMost:
      return "<=";
    case BoundKind::kEquals:
      return "==";
  }
  return "";
}

//! (Declared in dcplan/targets.hpp.) Observed history is of total rows only, so a target on a
//! region or a selector never reads it.
std::optional<double> observed_base(const Scenario& s, const Target& t, int year) {
  if (t.region != "total") return std::nullopt;
  return s.observed_value(t.metric, year);
}

//! (Declared in dcplan/targets.hpp.) The base years of a ratio bound span as many years as the
//! target; each must be within the horizon (modelled) or observed. Used by the loader to refuse
//! a target whose base cannot be read, before anything runs.
std::optional<int> unobserved_base_year(const Scenario& s, const Target& t) {
  if (!t.of_year) return std::nullopt;
  // A ratio bound's base spans as many years as the target, from of_year on.
  const int span = t.last_year - t.first_year;
  for (int y = *t.of_year; y <= *t.of_year + span; ++y) {
    if (y >= s.horizon.start && y <= s.horizon.end) continue;
    if (!observed_base(s, t, y)) return y;
  }
  return std::nullopt;
}

namespace {

//! The base of a ratio bound ({"times": k, "of_year": y}, over as many years as the target):
//! each base year's observed total where the scenario records one (model v3: a sweep over inputs
//! that move history leaves the bound where history put it), else the modelled value. `observed`:
//! whether any year was observed. `read(first, last)` reads the modelled metric.
template <class Read>
double ratio_base(const Scenario& s, const Target& t, int col, std::size_t index, const Read& read,
                  bool& observed) {
  const int first = *t.of_year, last = *t.of_year + (t.last_year - t.first_year);
  observed = false;
  for (int y = first; y <= last; ++y) observed |= observed_base(s, t, y).has_value();
  if (!observed) return read(first, last);
  if (last > first && column_info(static_cast<Col>(col)).kind == ColumnKind::kRatio) {
    // A ratio over years is the ratio of sums, which observed values of the ratio lack.
    throw InputError(s.file, "/targets/" + std::to_string(index),
                     fmt::format("{} is a ratio: an observed base needs one year, not {}-{}",
                                 t.metric, first, last));
  }
  // Observed money is in USD, converted at the rate of its year like a modelled value.
  const bool convert = t.currency != "USD" && column_info(static_cast<Col>(col)).money;
  double base = 0;
  for (int y = first; y <= last; ++y) {
    if (const auto o = observed_base(s, t, y)) {
      base += convert ? *o * s.fx_per_usd.at(t.currency)(y - s.horizon.start) : *o;
    } else {
      base += read(y, y);
    }
  }
  return base;
}

//! Whether `value` meets the bound within `slack`; an empty value or bound never does.
//! The slack is tolerance × |bound|, so a tolerance is relative to the bound, not the value.
bool holds(BoundKind kind, double value, double bound, double slack) {
  if (is_empty_cell(value) || is_empty_cell(bound)) return false;
  switch (kind) {
    case BoundKind::kAtLeast:
      return value >= bound - slack;
    case BoundKind::kAtMost:
      return value <= bound + slack;
    case BoundKind::kEquals:
      return std::abs(value - bound) <= slack;
  }
  return false;
}

}  // namespace

//! (Declared in dcplan/targets.hpp.) One result per target, in the scenario's order. Problems
//! that depend on the results (a ratio over years) throw InputError naming the target by its
//! pointer in the scenario.
std::vector<TargetResult> check_targets(const Scenario& s, const Results& res, bool with_text) {
  std::vector<TargetResult> out;
  for (const auto& t : s.targets) {
    TargetResult r;
    r.name = t.name;
    r.metric = t.metric;
    r.region = t.region;
    r.first_year = t.first_year;
    r.last_year = t.last_year;
    r.kind = t.kind;
    r.tolerance = t.tolerance;
    const int col = value_column(t.metric);
    // A currency applies to money columns only; other metrics report in their own unit.
    r.currency = column_info(static_cast<Col>(col)).money ? t.currency : "USD";
    // Errors of reading (a ratio over years) are reported at the target's pointer.
    auto read = [&](int first, int last) {
      try {
        return read_metric(s, res, col, t.region, first, last, t.currency);
      } catch (const InputError& e) {
        throw InputError(s.file, "/targets/" + std::to_string(out.size()),
                         e.diagnostics().front().message);
      }
    };
    r.value = read(t.first_year, t.last_year);
    std::string bound_text;
    if (t.share) {
      // The regions' part of the total over the same years; a total of 0 leaves the share
      // empty (NaN), which fails, rather than a division by zero.
      const double total = read_metric(s, res, col, "total", t.first_year, t.last_year, t.currency);
      r.value = total != 0 ? r.value / total : std::numeric_limits<double>::quiet_NaN();
      r.bound = t.value;
      if (with_text) bound_text = fmt::format("{:g}% of the total", t.value * 100);
    } else if (t.of_year) {
      // {"times": k, "of_year": y}: the bound is k times the base, observed or modelled.
      const int span = t.last_year - t.first_year;
      bool observed = false;
      const double base = ratio_base(s, t, col, out.size(), read, observed);
      r.bound = t.value * base;
      if (with_text) {
        bound_text = fmt::format("{} ({} x {} in {}{})", num(r.bound), num(t.value), num(base),
                                 span == 0 ? std::to_string(*t.of_year)
                                           : fmt::format("{}-{}", *t.of_year, *t.of_year + span),
                                 observed ? ", observed" : "");
      }
    } else {
      r.bound = t.value;
      if (with_text) bound_text = num(r.bound);
    }
    const double slack = t.tolerance * std::abs(r.bound);
    const char* op = bound_op(t.kind);
    r.passed = holds(t.kind, r.value, r.bound, slack);
    if (!with_text) {  // a search reads the numbers only, once per engine run
      out.push_back(std::move(r));
      continue;
    }
    const std::string years = t.first_year == t.last_year
                                  ? std::to_string(t.first_year)
                                  : fmt::format("{}-{}", t.first_year, t.last_year);
    r.what =
        fmt::format("{}{} {} {}{}", t.metric, r.currency == "USD" ? "" : " (" + r.currency + ")",
                    years, t.region, t.share ? " (share of the total)" : "");
    // The tolerance is part of the requirement: ">= 82.09 (-1%)" must not read as a bare bound.
    r.required = t.tolerance > 0
                     ? fmt::format("{} {:.6g} (tolerance {:g}%)", op, r.bound, t.tolerance * 100)
                     : fmt::format("{} {:.6g}", op, r.bound);
    r.detail = fmt::format(
        "{} {} {}{} = {}, expected {} {}{}", t.metric, years, t.region, t.share ? " share" : "",
        num(r.value), op, bound_text,
        t.tolerance > 0 ? fmt::format(" (tolerance {:g}%)", t.tolerance * 100) : std::string());
    out.push_back(std::move(r));
  }
  return out;
}

//! (Declared in dcplan/targets.hpp.) JUnit XML as CI systems read it: one suite named after the
//! scenario, one test case per target, a failure element with the detail for each that failed,
//! and the provenance record as properties before the first test case (read_provenance reads
//! them only there). Every text from the scenario (its name, the target names, the details,
//! which quote metric and region names) goes through xml_escape: a name like
//! `x"/><testcase name="y` must not add a passing test case of its own.
std::string junit_xml(const Scenario& s, const std::vector<TargetResult>& results,
                      const Provenance* provenance) {
  int failures = 0;
  for (const auto& r : results) failures += r.passed ? 0 : 1;
  // The suite is named after the scenario (its name, else its file), escaped like any text.
  const std::string suite = s.name.empty() ? s.file : s.name;
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  // Counts are numbers dcplan formats; only texts are escaped.
  out += fmt::format("<testsuites tests=\"{}\" failures=\"{}\">\n", results.size(), failures);
  out += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\">\n",
                     text::xml_escape(suite), results.size(), failures);
  if (provenance != nullptr) {
    out += "    <properties>\n";
    // dcplan.KEY properties, the values escaped (the command holds what the user typed).
    auto property = [&](const char* name, const std::string& value) {
      out += fmt::format("      <property name=\"dcplan.{}\" value=\"{}\"/>\n", name,
                         text::xml_escape(value));
    };
    property("version", provenance->version);
    property("commit", provenance->commit);
    property("command", provenance->command);
    if (!provenance->scenario_sha256.empty())
      property("scenario_sha256", provenance->scenario_sha256);
    if (provenance->seed) property("seed", std::to_string(*provenance->seed));
    property("time", provenance->time);
    out += "    </properties>\n";
  }
  for (const auto& r : results) {
    out += fmt::format("    <testcase classname=\"{}\" name=\"{}\">", text::xml_escape(suite),
                       text::xml_escape(r.name));
    if (!r.passed) {
      // The detail twice: in the attribute CI systems show as a summary, and as the element's
      // text for those that show the body.
      out += fmt::format("\n      <failure message=\"{}\">{}</failure>\n    ",
                         text::xml_escape(r.detail), text::xml_escape(r.detail));
    }
    out += "</testcase>\n";
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace dcplan
