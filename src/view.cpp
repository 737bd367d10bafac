// The view of a result table: which rows (--by), which columns (--metrics), which years
// (--years) and in which currency (--currency). Every command that prints results goes through
// make_view, so the checks against the scenario (years within the horizon, a currency it has
// rates for, metrics that apply to it) are made in one place, and the writers only read
// View::select and View::value.
//
// Money stays in US dollars in Results; a view converts a money cell at the exchange rate of
// its row's year when it is read, and renames the column (capex_usd → capex_cny), so that a
// converted number can never be mistaken for dollars.
#include "dcplan/view.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <cmath>
#include <type_traits>

#include "dcplan/error.hpp"
#include "dcplan/results.hpp"
#include "dcplan/scenario.hpp"
#include "dcplan/schema.hpp"

namespace dcplan {

// Selection::rows holds Eigen indices without the header naming Eigen.
static_assert(std::is_same_v<Eigen::Index, std::ptrdiff_t>);

namespace {

//! ASCII lower case: currency codes are three capital letters (the loader checks them).
std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

//! The value column `name` names, in US dollars or in `currency` (capex_cny); -1 for none.
//! The dollar name is always accepted, even in a view in another currency, so that a command
//! line written for USD keeps working with --currency.
int metric_column(const std::string& name, const std::string& currency) {
  int c = value_column(name);
  for (int k = 0; k < kNumCols && c < 0; ++k) {
    if (column_name(column_info(static_cast<Col>(k)), currency) == name) c = k;
  }
  return c;
}

//! Throws InputError with the nearest known name, among the dollar names and, in another
//! currency, the converted ones.
[[noreturn]] void unknown_metric(const std::string& name, const std::string& currency) {
  std::vector<std::string> known;
  for (int c = 0; c < kNumCols; ++c) known.emplace_back(column_info(static_cast<Col>(c)).name);
  for (int k = 0; k < kNumCols && currency != "USD"; ++k) {
    known.push_back(column_name(column_info(static_cast<Col>(k)), currency));
  }
  const auto near = schema::nearest(name, known);
  throw InputError("--metrics", "",
                   "unknown metric \"" + name + "\"" +
                       (near.empty() ? std::string(" ('dcplan metrics' lists the columns)")
                                     : "; did you mean \"" + near.front() + "\"?"));
}

//! Refuses a column that would be empty: demand without demand, the cost of capital without
//! one of its keys.
//! An empty column asked for by name is a mistake to report, not a column to print empty.
void check_applies(const std::string& name, int c, bool has_demand, bool has_cost_of_capital) {
  if (column_info(static_cast<Col>(c)).demand_only && !has_demand) {
    throw InputError("--metrics", "",
                     "the metric \"" + name + "\" exists only when the scenario has demand");
  }
  if (is_cost_of_capital_column(c) && !has_cost_of_capital) {
    throw InputError("--metrics", "",
                     "the metric \"" + name +
                         "\" exists only when the scenario writes a key of the cost of "
                         "capital (finance.wacc, finance.interest_during_construction, "
                         "finance.capital_charge, or a region's wacc or "
                         "facility_embodied_tco2_per_mw)");
  }
}

//! The currency of `request` in `view`, with its exchange rates from `s`; InputError when the
//! scenario has none for it.
void set_currency(View& view, const ViewRequest& request, const Scenario& s) {
  // Dollars need no rates: fx stays empty and every value is read as it is.
  if (request.currency.empty() || request.currency == "USD") return;
  const auto it = s.fx_per_usd.find(request.currency);
  if (it == s.fx_per_usd.end()) {
    std::string known;
    for (const auto& [code, fx] : s.fx_per_usd) known += (known.empty() ? "" : ", ") + code;
    throw InputError("--currency", "",
                     "the scenario has no exchange rate for \"" + request.currency +
                         "\" (expected one of: " + known + "; add /fx_per_usd/" + request.currency +
                         ")");
  }
  view.currency = request.currency;
  // The rates are copied, so the view does not depend on the scenario staying alive.
  view.fx.assign(it->second.data(), it->second.data() + it->second.size());
  view.fx_first_year = s.horizon.start;
}

//! Years outside the horizon are an error, whichever end: nothing is clipped silently.
void check_horizon(const View& v, const std::string& spec, const Scenario& s) {
  auto outside = [&](const std::optional<int>& y) {
    return y && (*y < s.horizon.start || *y > s.horizon.end);
  };
  if (outside(v.first_year) || outside(v.last_year)) {
    throw InputError("--years", "",
                     fmt::format("expected years within the horizon {}-{}, found {}",
                                 s.horizon.start, s.horizon.end, spec));
  }
}

}  // namespace

//! (Declared in dcplan/view.hpp.) Throws InputError for anything but region, total, hardware.
RowsBy parse_rows_by(const std::string& name) {
  if (name == "region") return RowsBy::kRegion;
  if (name == "total") return RowsBy::kTotal;
  if (name == "hardware") return RowsBy::kHardware;
  throw InputError("--by", "", "expected region, total or hardware, found \"" + name + "\"");
}

//! (Declared in dcplan/view.hpp.) Names are trimmed, empty items skipped, and a column named
//! twice is kept once, at its first place: the output's columns are in the order asked for.
std::vector<int> parse_metrics(const std::string& list, bool has_demand, bool has_cost_of_capital,
                               const std::string& currency) {
  std::vector<int> out;
  std::size_t start = 0;
  while (start <= list.size()) {
    // One name per comma-separated item; "energy_twh, pue" and "energy_twh,pue" are the same.
    const auto comma = list.find(',', start);
    std::string name =
        list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    name.erase(0, name.find_first_not_of(' '));
    name.erase(name.find_last_not_of(' ') + 1);
    // The key columns are in every output already: naming them (`year,energy_twh`, as a
    // spreadsheet's header reads) is accepted and changes nothing.
    const bool key = name == "year" || name == "region" || name == "hardware" || name == "run";
    if (!name.empty() && !key) {
      const int c = metric_column(name, currency);
      if (c < 0) unknown_metric(name, currency);
      check_applies(name, c, has_demand, has_cost_of_capital);
      if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (out.empty()) {
    throw InputError("--metrics", "",
                     "expected a comma-separated list of result columns (besides the keys year, "
                     "region, hardware and run, which every output has)");
  }
  return out;
}

//! (Declared in dcplan/view.hpp.) A, A:B, A: or :B, with years of at most 4 digits (so stoi
//! cannot overflow); which years exist is checked against a scenario by make_view.
void parse_years(const std::string& spec, View& o) {
  auto year = [&](const std::string& s) -> std::optional<int> {
    if (s.empty()) return std::nullopt;
    // Digits only, at most four: a year, parsed without overflow.
    if (s.size() > 4 || s.find_first_not_of("0123456789") != std::string::npos) {
      throw InputError("--years", "",
                       "expected A:B with years such as 2025:2030, found \"" + spec + "\"");
    }
    return std::stoi(s);
  };
  const auto colon = spec.find(':');
  if (colon == std::string::npos) {
    o.first_year = o.last_year = year(spec);
    if (!o.first_year) throw InputError("--years", "", "expected A:B, found an empty value");
  } else {
    o.first_year = year(spec.substr(0, colon));
    o.last_year = year(spec.substr(colon + 1));
  }
  if (o.first_year && o.last_year && *o.last_year < *o.first_year) {
    throw InputError("--years", "", "expected A <= B, found \"" + spec + "\"");
  }
}

//! (Declared in dcplan/view.hpp.) What can be checked without a scenario: --by and --years.
View parse_view(const ViewRequest& request) {
  View view;
  view.by = parse_rows_by(request.by);
  if (!request.years.empty()) parse_years(request.years, view);
  return view;
}

//! (Declared in dcplan/view.hpp.) The one place a view is made for a scenario, before the engine
//! runs: a wrong option costs no simulation. Throws InputError naming the option.
View make_view(const ViewRequest& request, const Scenario& scenario) {
  View view = parse_view(request);
  set_currency(view, request, scenario);
  if (!request.metrics.empty()) {
    view.columns = parse_metrics(request.metrics, scenario.demand.has_value(),
                                 scenario.uses_cost_of_capital(), view.currency);
  }
  check_horizon(view, request.years, scenario);
  return view;
}

//! (Declared in dcplan/view.hpp.) The last "_usd" of a money column's name becomes "_" and the
//! currency in lower case; other columns keep their names.
std::string column_name(const ColumnInfo& c, const std::string& currency) {
  std::string name(c.name);
  if (c.money && currency != "USD") {
    // The last "_usd": at the end of most money names, inside one (own_usd_per_mw_year).
    const auto pos = name.rfind("_usd");
    if (pos != std::string::npos) name.replace(pos, 4, std::string("_").append(lower(currency)));
  }
  return name;
}

//! (Declared in dcplan/view.hpp.) Rows in the table's order; without --metrics, every column that
//! applies to these results (column_applies), so a scenario without demand prints no empty
//! demand columns.
Selection View::select(const Results& res) const {
  Selection sel;
  for (Eigen::Index r = 0; r < res.rows(); ++r) {
    const auto& k = res.keys[static_cast<std::size_t>(r)];
    if (first_year && k.year < *first_year) continue;
    if (last_year && k.year > *last_year) continue;
    // --by total keeps total rows; rows by hardware appear only with --by hardware.
    if (by == RowsBy::kTotal && k.region != RowKey::kTotal) continue;
    if (by != RowsBy::kHardware && k.hardware != RowKey::kAll) continue;
    sel.rows.push_back(r);
  }
  sel.columns = columns;
  if (sel.columns.empty()) {
    for (int c = 0; c < kNumCols; ++c) {
      if (column_applies(c, res)) sel.columns.push_back(c);
    }
  }
  for (const int c : sel.columns) {
    sel.names.push_back(column_name(column_info(static_cast<Col>(c)), currency));
  }
  return sel;
}

//! (Declared in dcplan/view.hpp.) The rate of `year`; a year outside the horizon takes the rate of
//! the nearest end (rows are always within it; the clamp keeps an index in range regardless).
double View::fx_for(int year) const {
  if (fx.empty()) return 1.0;
  const auto n = static_cast<std::ptrdiff_t>(fx.size());
  const std::ptrdiff_t i = std::clamp<std::ptrdiff_t>(year - fx_first_year, 0, n - 1);
  return fx[static_cast<std::size_t>(i)];
}

//! (Declared in dcplan/view.hpp.) Throws InputError when the conversion overflows a finite
//! dollar value (a huge rate): an output must never show an infinity the engine did not make.
double View::value(const Results& res, std::ptrdiff_t r, int c) const {
  // Results hold dollars; a view converts a cell when it is read.
  const double usd = res.values(r, c);
  // Only money columns convert, at the rate of the row's year.
  if (!column_info(static_cast<Col>(c)).money || fx.empty()) return usd;
  const int year = res.keys[static_cast<std::size_t>(r)].year;
  const double v = usd * fx_for(year);
  // The engine checked its own numbers; the conversion is checked here, where it happens.
  if (!std::isfinite(v) && std::isfinite(usd)) {
    throw InputError("--currency", "",
                     fmt::format("{} {} in {} is {:g} USD, which overflows when converted to {} "
                                 "at {:g} per USD (check /fx_per_usd/{})",
                                 column_info(static_cast<Col>(c)).name, res.region_name(r), year,
                                 usd, currency, fx_for(year), currency));
  }
  return v;
}

}  // namespace dcplan
