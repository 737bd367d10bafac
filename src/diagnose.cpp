#include "dcplan/diagnose.hpp"

#include <fmt/format.h>

#include <cmath>

#include "dcplan/io/cells.hpp"

namespace dcplan {

namespace {

std::string money(double usd) {
  return io::readable(usd, column_info(kCapexUsd), "USD");
}
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

std::string what_bound(const Results& res, int year, const std::string& region) {
  // The region rows (all hardware) of the year that `region` names.
  std::vector<Eigen::Index> regions;
  for (Eigen::Index r = 0; r < res.rows(); ++r) {
    const RowKey& k = res.keys[static_cast<std::size_t>(r)];
    if (k.year != year || k.hardware != RowKey::kAll || k.region == RowKey::kTotal) continue;
    if (region == "total" || res.region_name(r) == region) regions.push_back(r);
  }
  std::string out;
  for (int bit = 0; bit < kNumLimits; ++bit) {
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
    const double stranded = res.values(t, kAcceleratorsStranded);
    if (stranded >= 0.5 && first == 0) first = y;
    if (stranded > peak) {
      peak = stranded;
      peak_year = y;
      peak_usd = res.values(t, kStrandedCapexUsd);
    }
    const double free_mw = res.values(t, kItCapacityFreeMw);
    const double carry = res.values(t, kCarryoverUsd);
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
