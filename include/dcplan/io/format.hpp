// dcplan — writing a result table: table (aligned, readable units), csv, json, jsonl, md.
//
// What is written is a View's (dcplan/view.hpp: rows, columns, years, currency); a format only
// decides how. csv/json/jsonl carry full precision (shortest round-trip decimal) and one header;
// table and md round to readable units (1.23 TWh, 4.5 GW, US$3.2 bn) and, without --metrics,
// show a short set of columns. Empty cells (a ratio with a zero denominator, a column that does
// not apply) are empty in csv/table/md and null in json. The cells are io/cells.hpp's.
#pragma once

#include <string>
#include <vector>

#include "dcplan/io/cells.hpp"
#include "dcplan/results.hpp"
#include "dcplan/view.hpp"

namespace dcplan::io {

enum class Format { kTable, kCsv, kJson, kJsonl, kMd };

//! Parses a format name; throws InputError for an unknown one.
[[nodiscard]] Format parse_format(const std::string& name);

//! The short set of columns a table or md shows when the view names none.
[[nodiscard]] std::vector<int> default_table_columns();

//! The rows and columns `view` selects of `results`, in `format` (table and md: the short set
//! when the view names no columns). Throws InputError when a money cell overflows in the
//! view's currency.
[[nodiscard]] std::string format_results(const Results& results, const View& view, Format format);

}  // namespace dcplan::io
