// dcplan — writing a result table: table (aligned, readable units), csv, json, jsonl, md.
//
// csv/json/jsonl carry full precision (shortest round-trip decimal) and one header; table and
// md round to readable units (1.23 TWh, 4.5 GW, US$3.2 bn). Empty cells (a ratio with a zero
// denominator, a column that does not apply) are empty in csv/table/md and null in json. The
// cells are io/cells.hpp's.
#pragma once

#include <Eigen/Core>
#include <optional>
#include <string>
#include <vector>

#include "dcplan/io/cells.hpp"
#include "dcplan/provenance.hpp"
#include "dcplan/results.hpp"

namespace dcplan::io {

enum class Format { kTable, kCsv, kJson, kJsonl, kMd };
enum class RowsBy { kRegion, kTotal, kHardware };

struct FormatOptions {
  Format format = Format::kTable;
  RowsBy by = RowsBy::kRegion;
  std::vector<int> columns;  //!< value columns to print; empty: all (table/md: a short set)
  std::optional<int> first_year;
  std::optional<int> last_year;
  std::string currency = "USD";  //!< money columns are multiplied by fx and renamed _<code>
  Eigen::ArrayXd fx;             //!< per year of the results (empty for USD)
  int fx_first_year = 0;
};

//! `text`, an output of format_results in `format`, with its provenance: json as
//! {"meta": {…}, "rows": [the rows]}, jsonl after a first line {"meta": {…}}, markdown with a
//! footer line. csv and table are returned as they are (csv's provenance goes to a sidecar).
[[nodiscard]] std::string with_provenance(const std::string& text, Format format,
                                          const Provenance& provenance);

//! Parses a format name; throws InputError for an unknown one.
[[nodiscard]] Format parse_format(const std::string& name);
[[nodiscard]] RowsBy parse_rows_by(const std::string& name);

//! Parses "a,b,c" into value columns; throws InputError naming an unknown column (with the
//! nearest known name). Money columns may be named in `currency` too (capex_cny for CNY). A
//! demand column without demand, or a cost-of-capital column without a key of the cost of
//! capital (Scenario::uses_cost_of_capital), is refused: it would be empty.
[[nodiscard]] std::vector<int> parse_metrics(const std::string& list, bool has_demand,
                                             bool has_cost_of_capital,
                                             const std::string& currency = "USD");

//! Parses "A:B", "A:", ":B" or "A" into first/last years; throws InputError when malformed.
void parse_years(const std::string& spec, FormatOptions& options);

//! The rows `options` selects (--by, --years), in order.
[[nodiscard]] std::vector<Eigen::Index> selected_rows(const Results& res,
                                                      const FormatOptions& options);

//! The value columns `options` selects: --metrics, else every column that applies (the table
//! and md formats: the short set).
[[nodiscard]] std::vector<int> selected_columns(const Results& res, const FormatOptions& options);

//! The short set of columns a table shows by default.
[[nodiscard]] std::vector<int> default_table_columns();

//! The column name as printed: money columns renamed to the currency (capex_usd → capex_cny).
[[nodiscard]] std::string column_name(const ColumnInfo& column, const std::string& currency);

[[nodiscard]] std::string format_results(const Results& results, const FormatOptions& options);

}  // namespace dcplan::io
