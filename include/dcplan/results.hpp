// dcplan — the result table's columns.
//
// A tidy table: one row per year and region (and `total`, and per hardware with --by hardware).
// Every column carries its unit in its name. Stocks are end-of-year values; flows are totals
// over the year; ratios are recomputed from totals in `total` rows and empty when their
// denominator is zero.
#pragma once

#include <span>
#include <string_view>

namespace dcplan {

enum class ColumnKind {
  kKey,    //!< year, region, hardware
  kStock,  //!< end-of-year value; summed over regions
  kFlow,   //!< total over the year; summed over regions
  kRatio,  //!< recomputed from other columns in total rows
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

//! The column of that name, or nullptr.
[[nodiscard]] const ColumnInfo* find_column(std::string_view name);

}  // namespace dcplan
