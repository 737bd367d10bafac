// dcplan — one number or cell of a result as text: exact (csv, json, and numbers that go back
// into --set or --vary text), or readable with its unit (table, md, the report).
//
// Exact is the shortest decimal that reads back as the same double; readable rounds to three
// significant digits in the unit that fits (1.23 TWh, 4.5 GW, US$3.2 bn). An empty cell (NaN)
// is "" in both, null in json.
#pragma once

#include <string>

namespace dcplan {
struct ColumnInfo;
}

namespace dcplan::io {

//! A number in its shortest round-trip form, "-0" printed as "0"; "" for an empty cell.
[[nodiscard]] std::string exact_number(double v);

//! A cell of column `c` in csv: exact_number, or the words of a text column (`limit`).
[[nodiscard]] std::string exact_cell(double v, const ColumnInfo& c);

//! The same as a JSON value: a number, a string for a text column, null for an empty cell.
[[nodiscard]] std::string json_cell(double v, const ColumnInfo& c);

//! A number with a readable unit for the column ("1.23 TWh", "US$3.2 bn"; "CNY 2.1 bn").
[[nodiscard]] std::string readable(double v, const ColumnInfo& column, const std::string& currency);

}  // namespace dcplan::io
