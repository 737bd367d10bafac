// dcplan — a view of a result table: which rows (by region and total, the total only, or per
// hardware too), which columns (named metrics, or every column that applies), which years and in
// which currency.
//
// A ViewRequest is what a user writes (the command line's --by, --metrics, --years, --currency;
// Python's keywords of the same names). make_view checks it against a scenario, the one place
// these checks are made: years outside the horizon are an error, whichever end; a currency needs
// the scenario's exchange rate; a metric must exist and apply. The writers (io/format.hpp), the
// results store and Python read the View that results; none of them chooses rows or columns.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace dcplan {

struct ColumnInfo;
struct Results;
struct Scenario;

enum class RowsBy { kRegion, kTotal, kHardware };

//! A view as the user wrote it: each field as the command line's option takes it.
struct ViewRequest {
  std::string by = "region";  //!< region (and total), total, or hardware
  std::string metrics;        //!< "a,b,c"; empty: every column that applies
  std::string years;          //!< "A:B", "A:", ":B" or "A"; empty: the whole horizon
  std::string currency;       //!< a code of the scenario's fx_per_usd; empty or "USD": US dollars
};

//! The rows and value columns a View selects of a result table, and the columns' names.
struct Selection {
  std::vector<std::ptrdiff_t> rows;  //!< indices into Results (Eigen::Index), in order
  std::vector<int> columns;          //!< value columns (Col), in order
  std::vector<std::string> names;    //!< of `columns`, money in the view's currency
};

//! A checked view (make_view): what a writer, the store or Python shows of a result table.
struct View {
  RowsBy by = RowsBy::kRegion;
  std::vector<int> columns;  //!< value columns in order; empty: every column that applies
  std::optional<int> first_year;
  std::optional<int> last_year;
  std::string currency = "USD";  //!< money columns are multiplied by fx and renamed _<code>
  std::vector<double> fx;        //!< currency per USD by year from fx_first_year; empty for USD
  int fx_first_year = 0;

  [[nodiscard]] bool by_hardware() const { return by == RowsBy::kHardware; }

  //! The rows --by and --years select, in order, and `columns` (else every column that
  //! applies to `results`: column_applies) with their names.
  [[nodiscard]] Selection select(const Results& results) const;

  //! The exchange rate of `year` (the nearest year of the trajectory); 1 for US dollars.
  [[nodiscard]] double fx_for(int year) const;

  //! A cell of `results` as shown: money converted to the currency. Throws InputError when the
  //! conversion overflows a finite number.
  [[nodiscard]] double value(const Results& results, std::ptrdiff_t row, int col) const;
};

//! Parses --by; throws InputError for an unknown value.
[[nodiscard]] RowsBy parse_rows_by(const std::string& name);

//! Parses "A:B", "A:", ":B" or "A" into view.first_year and view.last_year; throws InputError
//! when malformed. The horizon is make_view's to check.
void parse_years(const std::string& spec, View& view);

//! Parses "a,b,c" into value columns; throws InputError naming an unknown column (with the
//! nearest known name). Money columns may be named in `currency` too (capex_cny for CNY). A
//! demand column without demand, or a cost-of-capital column without a key of the cost of
//! capital (Scenario::uses_cost_of_capital), is refused: it would be empty.
[[nodiscard]] std::vector<int> parse_metrics(const std::string& list, bool has_demand,
                                             bool has_cost_of_capital,
                                             const std::string& currency = "USD");

//! The part of `request` that needs no scenario: --by and the form of --years (checked before
//! a scenario is read, so that a usage error comes first). Throws InputError.
[[nodiscard]] View parse_view(const ViewRequest& request);

//! `request` checked against `scenario`, in the command line's order: --by, the form of
//! --years, the currency (the scenario must have its exchange rate), the metrics (in that
//! currency, applying to the scenario), the years (within the horizon). Throws InputError naming
//! the option.
[[nodiscard]] View make_view(const ViewRequest& request, const Scenario& scenario);

//! The column name as shown: money columns renamed to the currency (capex_usd → capex_cny).
[[nodiscard]] std::string column_name(const ColumnInfo& column, const std::string& currency);

}  // namespace dcplan
