// dcplan — the result table's columns.
//
// A tidy table: one row per year and region (and `total`, and per hardware with --by hardware).
// Every column carries its unit in its name. Stocks are end-of-year values; flows are totals
// over the year; ratios are recomputed from totals in `total` rows and empty when their
// denominator is zero.
#pragma once

#include <Eigen/Core>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace dcplan {

enum class ColumnKind {
  kKey,    //!< year, region, hardware
  kStock,  //!< end-of-year value; summed over regions
  kFlow,   //!< total over the year; summed over regions
  kRatio,  //!< recomputed from other columns in total rows
  kText,   //!< words, not a number (`limit`); the total row: those of regions given >= 10%
};

struct ColumnInfo {
  std::string_view name;
  std::string_view unit;
  ColumnKind kind;
  bool money;        //!< in US dollars; converted by --currency
  bool demand_only;  //!< present only when the scenario has demand
  std::string_view description;
};

//! Every result column, in output order.
[[nodiscard]] std::span<const ColumnInfo> result_columns();

//! "key", "stock", "flow" or "ratio".
[[nodiscard]] std::string kind_name(ColumnKind kind);

//! The result-column reference (docs/results.md), generated from the column table.
[[nodiscard]] std::string results_markdown();

//! The column of that name, or nullptr.
[[nodiscard]] const ColumnInfo* find_column(std::string_view name);

//! Value columns (every column but year and region), in output order: the ids of
//! dcplan/columns.def, where each is declared once with its name, unit, kind and description.
//! Results::values has one column per entry, indexed by these.
enum Col : int {
#define DCPLAN_COLUMN(id, name, unit, kind, money, demand_only, description) id,
#include "dcplan/columns.def"
#undef DCPLAN_COLUMN
  kNumCols
};

//! The ColumnInfo of a value column.
[[nodiscard]] const ColumnInfo& column_info(Col c);

//! Index of a value column by name, or -1 (also -1 for the key columns).
[[nodiscard]] int value_column(std::string_view name);

//! One row's key: region and hardware are indices into Results::region_ids / hardware_ids;
//! kTotal marks the total over regions, kAll a row over all hardware.
struct RowKey {
  static constexpr int kTotal = -1;
  static constexpr int kAll = -1;
  int year = 0;
  int region = kTotal;
  int hardware = kAll;
};

//! The tidy result table. Rows: years ascending; in each year the regions sorted by id, then
//! total; with per-hardware detail each region row is followed by its hardware rows. An empty
//! cell (a ratio with a zero denominator, a column that does not apply to a hardware row) is
//! NaN in `values` and printed empty.
struct Results {
  std::vector<std::string> region_ids;
  std::vector<std::string> hardware_ids;
  bool has_demand = false;
  bool has_servers = false;  //!< the scenario has hardware of kind server: servers_* apply
  bool has_keep = false;     //!< some region keeps an installed base: capex_keep_usd applies
  //! The scenario writes a key of the cost of capital (Scenario::uses_cost_of_capital): the
  //! finance columns of model v3 apply (is_cost_of_capital_column).
  bool has_cost_of_capital = false;
  bool by_hardware = false;
  std::vector<RowKey> keys;
  //! rows × kNumCols, row-major: the engine writes and sums whole rows.
  Eigen::Array<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> values;

  [[nodiscard]] Eigen::Index rows() const { return static_cast<Eigen::Index>(keys.size()); }
  [[nodiscard]] std::string region_name(Eigen::Index row) const;
  [[nodiscard]] std::string hardware_name(Eigen::Index row) const;
  //! Row of (year, region[, hardware]) or -1.
  [[nodiscard]] Eigen::Index find_row(int year, int region, int hardware = RowKey::kAll) const;
};

//! Whether a value column belongs in the output of these results: demand columns only with
//! demand (ColumnInfo::demand_only), servers_* only with hardware of kind server,
//! capex_keep_usd only when some region keeps an installed base, the cost-of-capital columns
//! only when the scenario writes one of its keys. The others always.
[[nodiscard]] bool column_applies(int c, const Results& res);

//! Whether a value column is one of model v3's cost-of-capital columns (financing_usd to
//! embodied_amortised_tco2, breakeven_utilisation): computed only when the scenario writes a
//! key of the cost of capital (Scenario::uses_cost_of_capital), empty otherwise.
[[nodiscard]] bool is_cost_of_capital_column(int c);

//! The constraints that bound a region in a year (the `limit` column), in the order they are
//! printed. `Results::values` holds their sum as a number (a bit set); `limit_text` spells it.
enum Limit : unsigned {
  kLimitClosed = 1U << 0,    //!< the region is not open
  kLimitGrid = 1U << 1,      //!< max_new_mw_per_year cut its facility spending
  kLimitCap = 1U << 2,       //!< max_total_mw cut it
  kLimitPower = 1U << 3,     //!< IT money found no power there, or accelerators wait for power
  kLimitHardware = 1U << 4,  //!< IT money and nothing it may buy on sale
  kLimitBudget = 1U << 5,    //!< none of these: it spent all it was given
};
inline constexpr int kNumLimits = 6;

//! "grid+power", "" for none or an empty cell.
[[nodiscard]] std::string limit_text(double flags);

//! The words of `limit`, in order: closed, grid, cap, power, hardware, budget.
[[nodiscard]] std::string_view limit_name(int bit);

//! True for a value printed as an empty cell.
[[nodiscard]] inline bool is_empty_cell(double v) {
  return v != v;
}

//! A ratio column recomputed from totals of the columns it divides, the one place this is
//! done (total rows, selectors over several regions, year ranges): PUE = facility power / IT
//! load; cost per EFLOP-year = TCO / delivered compute; empty (NaN) when the denominator is not
//! positive. `total(c)` gives the total of value column c. False for a column that is not such
//! a ratio (utilisation has no summable parts in the results).
template <class Total>
[[nodiscard]] bool ratio_of_totals(int col, Total&& total, double& out) {
  auto ratio = [](double num, double den) {
    return den > 0 ? num / den : std::numeric_limits<double>::quiet_NaN();
  };
  switch (col) {
    case kPue:
      out = ratio(total(kFacilityPowerMw), total(kItLoadMw));
      return true;
    case kCostPerEflopYearUsd:
      out = ratio(total(kTcoUsd), total(kDeliveredEflopYear));
      return true;
    default:
      return false;
  }
}

}  // namespace dcplan
