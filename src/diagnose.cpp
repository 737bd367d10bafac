// What bound a plan and the warnings of a run (dcplan/diagnose.hpp), read from the result table
// alone: the engine records its constraints in the `limit` column (a bit set per region and
// year, docs/model.md "What bound the plan"), and this file turns them and the stocks around
// them into sentences for a planner. Nothing here reruns or second-guesses the model.
//
// Amounts are written readable in their unit by io::readable (the one formatter of readable
// cells), in US dollars: warnings go to standard error, not into a converted view.
#include "dcplan/diagnose.hpp"

#include <fmt/format.h>

#include <cmath>

#include "dcplan/io/cells.hpp"

namespace dcplan {

namespace {

//! A dollar amount, readable: US$ and a scale (k, m, bn, tn), as io::readable writes money.
std::string money(double usd) {
  return io::readable(usd, column_info(kCapexUsd), "USD");
}
//! A value of column `col`, readable in that column's unit.
std::string of(int col, double v) {
  return io::readable(v, column_info(static_cast<Col>(col)), "USD");
}

//! The total rows (all hardware), year by year, found in one pass.
std::vector<std::pair<int, Eigen::Index>> totals_of(const Results& res) {
  std::vector<std::pair<int, Eigen::Index>> out;
  for (Eigen::Index r = 0; r < res.rows(); ++r) {
    const RowKey& k = res.keys[static_cast<std::size_t>(r)];
    if (k.region == RowKey::kTotal && k.hardware == RowKey::kAll) out.emplace_back(k.year, r);
  }
  return out;
}

}  // namespace

//! (Declared in dcplan/diagnose.hpp.) Grouped by constraint in the order of the `limit` column
//! (closed, grid, cap, power, hardware, budget), each with up to four region names and a count
//! of the rest, so the line stays short for a scenario of hundreds of regions.
std::string what_bound(const Results& res, int year, const std::string& region) {
  // The region rows (all hardware) of the year that `region` names.
  std::vector<Eigen::Index> regions;
  for (Eigen::Index r = 0; r < res.rows(); ++r) {
    const RowKey& k = res.keys[static_cast<std::size_t>(r)];
    if (k.year != year || k.hardware != RowKey::kAll || k.region == RowKey::kTotal) continue;
    if (region == "total" || res.region_name(r) == region) regions.push_back(r);
  }
  std::string out;
  // By constraint, in the order of the bits, so the text reads like the limit column.
  for (int bit = 0; bit < kNumLimits; ++bit) {
    // The regions this constraint bound in that year, in id order.
    std::vector<std::string> names;
    for (const auto r : regions) {
      const double flags = res.values(r, kLimit);
      if (flags > 0 && (static_cast<unsigned>(flags) & (1U << bit)) != 0) {
        names.push_back(res.region_name(r));
      }
    }
    if (names.empty()) continue;
    std::string list;
    constexpr std::size_t kShown = 4;
    for (std::size_t i = 0; i < names.size() && i < kShown; ++i) {
      list += (i == 0 ? "" : ", ") + names[i];
    }
    if (names.size() > kShown) list += fmt::format(" and {} more", names.size() - kShown);
    out += (out.empty() ? "" : "; ") + std::string(limit_name(bit)) + " (" + list + ")";
  }
  return out;
}

//! (Declared in dcplan/diagnose.hpp.) Thresholds keep rounding from speaking: half an
//! accelerator waiting, a MW standing empty and US$1 m carried over are the least that counts;
//! money piling up must exceed a tenth of the horizon's budget at its end. Only total rows are
//! read: a warning is about the plan, and the limit column says where.
std::vector<std::string> run_warnings(const Results& res) {
  std::vector<std::string> out;
  const auto totals = totals_of(res);
  // Accelerators waiting for power: the first year, and the year with the most.
  int first = 0, peak_year = 0;
  double peak = 0, peak_usd = 0;
  // Capacity standing empty while money carries over: the first such year.
  int idle_year = 0;
  double idle_mw = 0, idle_carry = 0;
  for (const auto& [y, t] : totals) {
    // The peak is the largest number waiting at a year end, with what those units cost.
    const double stranded = res.values(t, kAcceleratorsStranded);
    if (stranded >= 0.5 && first == 0) first = y;
    if (stranded > peak) {
      peak = stranded;
      peak_year = y;
      peak_usd = res.values(t, kStrandedCapexUsd);
    }
    const double free_mw = res.values(t, kItCapacityFreeMw);
    const double carry = res.values(t, kCarryoverUsd);
    // Capacity standing empty while money carries over: the money could not reach that
    // capacity, and the limit column says what stopped it.
    if (idle_year == 0 && free_mw >= 1 && carry >= 1e6) {
      idle_year = y;
      idle_mw = free_mw;
      idle_carry = carry;
    }
  }
  if (first != 0) {
    out.push_back(fmt::format(
        "accelerators wait for power from {} on: {} at the end of {} ({} of purchases); the "
        "limit column shows where",
        first, of(kAcceleratorsStranded, peak), peak_year, money(peak_usd)));
  }
  if (idle_year != 0) {
    out.push_back(fmt::format(
        "in {}, {} of IT capacity stood empty while {} was carried over: the money could not "
        "reach it (see the limit column)",
        idle_year, of(kItCapacityFreeMw, idle_mw), money(idle_carry)));
  }
  // Money piling up: carried over at the end of the horizon, grown over the last years, more
  // than a tenth of the horizon's budget.
  if (!totals.empty()) {
    // The horizon's whole new budget, from the total rows.
    double budget = 0;
    for (const auto& [y, t] : totals) budget += res.values(t, kBudgetUsd);
    const auto [last_year, last] = totals.back();
    const double carry = res.values(last, kCarryoverUsd);
    if (budget > 0 && carry > 0.1 * budget) {
      const std::string bound = what_bound(res, last_year, "total");
      out.push_back(fmt::format(
          "money piles up unspent: {} carried over at the end of {}, {:.0f}% of the horizon's "
          "budget{}",
          money(carry), last_year, 100 * carry / budget,
          bound.empty() ? std::string() : "; bound by " + bound));
    }
  }
  return out;
}

//! (Declared in dcplan/diagnose.hpp.) Observed years outside the horizon are history for ratio
//! bounds, not something the model claims to reproduce: they are skipped.
std::vector<std::string> observed_warnings(const Scenario& s, const Results& res) {
  std::vector<std::string> out;
  for (const auto& [metric, values] : s.observed) {
    const int col = value_column(metric);
    if (col < 0) continue;
    for (const auto& [year, observed] : values) {
      if (year < s.horizon.start || year > s.horizon.end) continue;
      const auto row = res.find_row(year, RowKey::kTotal);
      if (row < 0) continue;
      const double modelled = res.values(row, col);
      if (is_empty_cell(modelled)) continue;
      const double diff = std::abs(modelled - observed);
      // 5% of the observed value; an observed 0 is met only by 0.
      if (observed == 0 ? diff > 0 : diff > 0.05 * std::abs(observed)) {
        out.push_back(fmt::format(
            "modelled {} in {} is {}, {} the observed {} (observed/{}/{}){}", metric, year,
            of(col, modelled), modelled > observed ? "above" : "below", of(col, observed), metric,
            year,
            observed == 0 ? std::string()
                          : fmt::format(": {:+.1f}%", 100 * (modelled - observed) / observed)));
      }
    }
  }
  return out;
}

}  // namespace dcplan
