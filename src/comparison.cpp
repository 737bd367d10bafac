// compare: two scenarios run side by side, their result rows joined, and gates, the
// conditions on the difference that fail a pull request in CI (dcplan/compare.hpp has the
// grammar). Also the parser of command-line targets (solve, optimize), which shares the gate's
// grammar for METRIC@YEAR[:YEAR][:SELECTOR] OP VALUE.
//
// Gate and target texts come from the command line or a gates file in the pull request, and
// are quoted back in messages only as excerpts; the writers escape them for their format
// (io/compare_format.cpp). Metrics are read through read_metric (targets.cpp), so a gate sums
// years and regions exactly as a target does.
#include "dcplan/compare.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

#include "dcplan/engine.hpp"
#include "dcplan/error.hpp"
#include "dcplan/load.hpp"
#include "dcplan/schema.hpp"
#include "dcplan/selector.hpp"
#include "dcplan/targets.hpp"
#include "dcplan/view.hpp"
#include "json_io.hpp"
#include "text.hpp"

namespace dcplan {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The join key of compare_results. A std::map over it orders the joined rows as the result
// tables are ordered (years ascending, regions by id, total last), also when the two scenarios
// have different regions or years.
using Key = std::tuple<int, int, std::string, std::string>;  // year, total-last, region, hw

//! The join key of a row: rows of two tables with equal keys are the same year, region and
//! hardware, whatever their positions (the two scenarios may differ in regions or years).
Key key_of(const Results& r, Eigen::Index row) {
  const auto& k = r.keys[static_cast<std::size_t>(row)];
  // Regions sorted by id with total last: order by (is_total, name).
  return {k.year, k.region == RowKey::kTotal ? 1 : 0, r.region_name(row), r.hardware_name(row)};
}

//! An expression being parsed: a gate (compare) or a target (solve, optimize).
struct Syntax {
  const char* option;  //!< "--gate", "--target", "--subject-to"
  const char* kind;    //!< "gate", "target"
  const std::string& raw;
};

//! Throws InputError naming the option and quoting (an excerpt of) the expression.
[[noreturn]] void bad_expr(const Syntax& s, const std::string& what) {
  throw InputError(
      s.option, "",
      std::string("invalid ") + s.kind + " \"" + jsonio::excerpt(s.raw) + "\": " + what);
}

//! Without the spaces and tabs at either end (a gate may be written "energy_twh@2030 <= 5").
std::string trim(std::string s) {
  s.erase(0, s.find_first_not_of(" \t"));
  s.erase(s.find_last_not_of(" \t") + 1);
  return s;
}

//! Digits only, at least one: a year, never a sign or a decimal point.
bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c));
  });
}

//! `a OP b` with a tolerance for floating-point noise where the operator includes equality: a
//! relative 1e-12 for <= and >=, so that a value equal to the bound up to the last bits of a sum
//! taken in another order still passes; 1e-9 relative (of max(1, |b|)) for ==, which would
//! otherwise almost never hold for computed values. Strict < and > take no tolerance.
bool compare_op(double a, GateOp op, double b) {
  constexpr double kRel = 1e-12;
  switch (op) {
    case GateOp::kLe:
      return a <= b + kRel * std::abs(b);
    case GateOp::kLt:
      return a < b;
    case GateOp::kGe:
      return a >= b - kRel * std::abs(b);
    case GateOp::kGt:
      return a > b;
    case GateOp::kEq:
      return std::abs(a - b) <= 1e-9 * std::max(1.0, std::abs(b));
  }
  return false;
}

//! The operator as written in a gate, for the detail line.
const char* op_text(GateOp op) {
  switch (op) {
    case GateOp::kLe:
      return "<=";
    case GateOp::kLt:
      return "<";
    case GateOp::kGe:
      return ">=";
    case GateOp::kGt:
      return ">";
    case GateOp::kEq:
      return "==";
  }
  return "?";
}

}  // namespace

//! (Declared in dcplan/compare.hpp.) other − base; NaN when either side is empty or absent.
double CompareRow::diff() const {
  return other - base;
}

//! (Declared in dcplan/compare.hpp.) Relative to |base|, so the sign says the direction of the
//! change even when base is negative (a margin).
double CompareRow::rel_diff() const {
  if (std::isnan(base) || std::isnan(other) || base == 0) return kNaN;
  return (other - base) / std::abs(base);
}

//! (Declared in dcplan/compare.hpp.) A row on one side only, or a value empty on one side only,
//! is a change; two empty values are not.
bool CompareRow::changed() const {
  // A row on one side only is a change whatever its value.
  if (!in_base || !in_other) return true;
  if (std::isnan(base) != std::isnan(other)) return true;
  // Floating-point noise (sums taken in another order) is not a change: a relative 1e-12.
  return !std::isnan(base) &&
         std::abs(other - base) > kSameRelative * std::max(std::abs(base), std::abs(other));
}

//! (Declared in dcplan/compare.hpp.) An outer join: a row of either table is kept, its missing
//! side NaN and marked absent (a region one scenario lacks, a year outside one horizon). One
//! output row per joined row and metric, in the key's order.
std::vector<CompareRow> compare_results(const Results& base, const Results& other,
                                        const std::vector<int>& metrics, bool total_only,
                                        bool with_hardware) {
  std::map<Key, std::pair<Eigen::Index, Eigen::Index>> joined;
  // Each side's rows into the map by key; a key seen on one side only keeps -1 for the other.
  auto take = [&](const Results& r, bool is_base) {
    for (Eigen::Index row = 0; row < r.rows(); ++row) {
      const auto& k = r.keys[static_cast<std::size_t>(row)];
      if (total_only && k.region != RowKey::kTotal) continue;
      if (!with_hardware && k.hardware != RowKey::kAll) continue;
      auto [it, fresh] = joined.try_emplace(key_of(r, row), -1, -1);
      (is_base ? it->second.first : it->second.second) = row;
    }
  };
  take(base, true);
  take(other, false);
  std::vector<CompareRow> out;
  out.reserve(joined.size() * metrics.size());
  for (const auto& [key, rows] : joined) {
    for (int m : metrics) {
      CompareRow c;
      c.year = std::get<0>(key);
      c.region = std::get<2>(key);
      c.hardware = std::get<3>(key);
      c.metric = m;
      c.in_base = rows.first >= 0;
      c.in_other = rows.second >= 0;
      c.base = c.in_base ? base.values(rows.first, m) : kNaN;
      c.other = c.in_other ? other.values(rows.second, m) : kNaN;
      out.push_back(std::move(c));
    }
  }
  return out;
}

//! (Declared in dcplan/compare.hpp.) Energy, power, compute, money (capex, TCO, cost per
//! EFLOP-year) and carbon: what a planner reviews first in a pull request.
std::vector<int> default_compare_metrics() {
  return {kEnergyTwh, kFacilityPowerMw,     kPeakPflops,     kCapexUsd,
          kTcoUsd,    kCostPerEflopYearUsd, kOperationalTco2};
}

namespace {

//! OP VALUE: the operator, then a number or a signed percentage (relative to BASE).
//! A percentage must be written with its sign or be 0% ("+5%", "-10%"): a relative gate bounds
//! the change, and the sign says which way. It is stored as a fraction (+5% is 0.05).
void parse_rhs(const Syntax& raw, const std::string& rest, Gate& g) {
  // Two-character operators are tried first, so "<=" is not read as "<" then "=".
  std::string op;
  if (rest.rfind("<=", 0) == 0 || rest.rfind(">=", 0) == 0 || rest.rfind("==", 0) == 0) {
    op = rest.substr(0, 2);
  } else if (rest[0] == '<' || rest[0] == '>') {
    op = rest.substr(0, 1);
  } else {
    bad_expr(raw, "unknown operator \"" + rest.substr(0, 2) + "\" (expected <= < >= > ==)");
  }
  g.op = op == "<="   ? GateOp::kLe
         : op == "<"  ? GateOp::kLt
         : op == ">=" ? GateOp::kGe
         : op == ">"  ? GateOp::kGt
                      : GateOp::kEq;
  std::string value = trim(rest.substr(op.size()));
  // "a <= b <= c" is not a gate.
  if (value.find_first_of("<>=") != std::string::npos) bad_expr(raw, "more than one operator");
  // VALUE: a number, or a percentage with an explicit sign or 0%.
  if (value.empty())
    bad_expr(raw, "no value after " + op + " (expected a number or a percentage such as +5%)");
  if (value.back() == '%') {
    g.relative = true;
    value.pop_back();
    if (value.empty()) bad_expr(raw, "a percentage needs a number, e.g. +5%");
  }
  // The whole value must be a number (text::parse_double: no "nan", no hexadecimal).
  if (!text::parse_double(value, g.value) || value.front() == ' ') {
    bad_expr(raw, "value \"" + jsonio::excerpt(value) +
                      "\" is not a number (expected e.g. 4e11 or +5%)");
  }
  if (!std::isfinite(g.value)) bad_expr(raw, "value is not finite");
  if (g.relative) g.value /= 100.0;
}

//! METRIC[@YEAR[:YEAR]][:SELECTOR].
//! The year is digits only (at most 6 are read, so stoi cannot overflow); a second number after
//! ':' is the range's last year, anything else the selector. A text column (limit) is refused:
//! there is no number to bound.
void parse_lhs(const Syntax& raw, const std::string& lhs, Gate& g) {
  if (lhs.empty()) bad_expr(raw, "no metric before the operator");
  std::string metric = lhs;
  std::string after;
  // After '@': YEAR, YEAR:YEAR, YEAR:SELECTOR or YEAR:YEAR:SELECTOR; without '@', an optional
  // ':SELECTOR'. A second part of digits only is a year, so a region id made only of digits
  // cannot follow a single year (write YEAR:YEAR:ID).
  const auto at = lhs.find('@');
  const auto colon = lhs.find(':');
  if (at != std::string::npos) {
    metric = lhs.substr(0, at);
    after = lhs.substr(at + 1);
    const std::vector<std::string> parts = text::split(after, ':');
    if (!all_digits(parts[0]))
      bad_expr(raw, "year \"" + jsonio::excerpt(parts[0]) + "\" after @ is not a year");
    g.first_year = g.last_year = std::stoi(parts[0].substr(0, 6));
    std::size_t next = 1;
    if (parts.size() > 1 && all_digits(parts[1])) {
      g.last_year = std::stoi(parts[1].substr(0, 6));
      next = 2;
      if (*g.last_year < *g.first_year) bad_expr(raw, "year range ends before it starts");
    }
    if (parts.size() > next + 1)
      bad_expr(raw, "too many ':' (expected METRIC@YEAR[:YEAR][:SELECTOR])");
    if (parts.size() == next + 1) {
      g.selector = parts[next];
      if (g.selector.empty()) bad_expr(raw, "empty selector after ':'");
    }
  } else if (colon != std::string::npos) {
    metric = lhs.substr(0, colon);
    g.selector = lhs.substr(colon + 1);
    if (g.selector.empty()) bad_expr(raw, "empty selector after ':'");
  }
  const int col = value_column(metric);
  if (col < 0) {
    std::vector<std::string> known;
    for (int c = 0; c < kNumCols; ++c) known.emplace_back(column_info(static_cast<Col>(c)).name);
    const auto near = schema::nearest(metric, known);
    bad_expr(raw, "unknown metric \"" + jsonio::excerpt(metric) + "\"" +
                      (near.empty() ? std::string() : "; did you mean \"" + near.front() + "\"?"));
  }
  if (column_info(static_cast<Col>(col)).kind == ColumnKind::kText) {
    bad_expr(raw,
             "\"" + metric + "\" is text, not a number a " + std::string(raw.kind) + " can bound");
  }
  g.metric = col;
}

}  // namespace

//! (Declared in dcplan/compare.hpp.) The right-hand side is parsed first, from the first of
//! < > = in the text: a selector may hold '*' or '#' but never an operator character.
Gate parse_gate(const std::string& raw) {
  const Syntax syn{"--gate", "gate", raw};
  const std::string text = trim(raw);
  if (text.empty()) bad_expr(syn, "empty (expected METRIC[@YEAR][:SELECTOR] OP VALUE)");
  Gate g;
  g.text = text;
  // The operator: the first of <, >, = in the text.
  const auto op_pos = text.find_first_of("<>=");
  if (op_pos == std::string::npos) {
    bad_expr(syn, "no operator (expected one of <= < >= > ==, e.g. energy_twh@2032<=+5%)");
  }
  std::string lhs = trim(text.substr(0, op_pos));
  std::string rest = text.substr(op_pos);
  parse_rhs(syn, rest, g);
  parse_lhs(syn, lhs, g);
  return g;
}

namespace {

//! A percentage in a target is a share of the total (a gate's percentage is a change from the
//! base, which a target does not have): unsigned, in [0%, 100%], of a stock or flow metric of
//! some regions, not a multiple of another year.
void check_share(const Syntax& syn, const std::string& rest, bool times, const Gate& g) {
  const std::string value = trim(rest.substr(rest.find_first_not_of("<>=")));
  if (!value.empty() && (value.front() == '+' || value.front() == '-')) {
    bad_expr(
        syn,
        "a signed percentage is a change from a base, which only compare has (a target's "
        "percentage is a share of the total, unsigned: e.g. delivered_eflop_year@2030:cn-*>=40%)");
  }
  if (times) bad_expr(syn, "a share of the total cannot also be a multiple of another year");
  if (!(g.value >= 0 && g.value <= 1)) bad_expr(syn, "a share of the total is 0% to 100%");
  if (g.selector == "total") {
    bad_expr(syn, "a share of the total needs a selector of some regions (e.g. :cn-* or :#china)");
  }
  const ColumnInfo& info = column_info(static_cast<Col>(g.metric));
  if (info.kind != ColumnKind::kStock && info.kind != ColumnKind::kFlow) {
    bad_expr(syn, "\"" + std::string(info.name) +
                      "\" is a ratio: a share of the total needs a stock or flow metric, whose "
                      "total is the sum of the regions");
  }
}

}  // namespace

//! (Declared in dcplan/compare.hpp.) "KxYEAR" becomes a ratio bound, as {"times": K,
//! "of_year": YEAR} in a scenario's targets. A percentage is a share of the total (see
//! check_share): solve and optimize run one scenario, with no base for a change to be from.
Target parse_target(const std::string& raw, const char* option) {
  const Syntax syn{option, "target", raw};
  const std::string text = trim(raw);
  constexpr const char* kForm =
      "METRIC@YEAR[:YEAR][:SELECTOR] OP VALUE, e.g. energy_twh@2032>=10x2022";
  if (text.empty()) bad_expr(syn, std::string("empty (expected ") + kForm + ")");
  const auto op_pos = text.find_first_of("<>=");
  if (op_pos == std::string::npos)
    bad_expr(syn, std::string("no operator (expected ") + kForm + ")");
  // The value: a number, or K x YEAR (K times the same metric in YEAR).
  std::string rest = text.substr(op_pos);
  std::string value;
  // "K x YEAR": the multiple is split off before the operator and number are parsed.
  const auto xpos = rest.find('x');
  Gate g;
  std::optional<int> of_year;
  if (xpos != std::string::npos) {
    const std::string year = trim(rest.substr(xpos + 1));
    if (!all_digits(year) || year.size() > 4) {
      bad_expr(syn,
               "\"" + jsonio::excerpt(year) + "\" after x is not a year (expected e.g. 10x2022)");
    }
    of_year = std::stoi(year);
    rest = rest.substr(0, xpos);
  }
  parse_rhs(syn, rest, g);
  parse_lhs(syn, trim(text.substr(0, op_pos)), g);
  // A target needs a year: solve and optimize aim at one year or range, not at every year.
  if (!g.first_year) bad_expr(syn, std::string("no year (expected ") + kForm + ")");
  if (g.relative) check_share(syn, rest, of_year.has_value(), g);
  Target t;
  t.name = text;
  t.metric = std::string(column_info(static_cast<Col>(g.metric)).name);
  t.first_year = *g.first_year;
  t.last_year = *g.last_year;
  t.region = g.selector;
  // Strict operators read as their non-strict forms, the model being continuous (compare.hpp).
  t.kind = g.op == GateOp::kLe || g.op == GateOp::kLt   ? BoundKind::kAtMost
           : g.op == GateOp::kGe || g.op == GateOp::kGt ? BoundKind::kAtLeast
                                                        : BoundKind::kEquals;
  t.value = g.value;
  t.of_year = of_year;
  t.share = g.relative;
  return t;
}

//! (Declared in dcplan/compare.hpp.) The file is parsed strictly (jsonio::parse: duplicate keys,
//! depth, size), and a bad gate is reported with the file and its pointer (/N).
std::vector<Gate> read_gates_file(const std::string& path) {
  const auto doc = jsonio::parse(jsonio::read_text(path), path);
  if (!doc.is_array()) {
    throw InputError(path, "", "expected a JSON array of gates, found " + jsonio::describe(doc));
  }
  std::vector<Gate> gates;
  for (std::size_t i = 0; i < doc.size(); ++i) {
    const auto& item = doc[i];
    std::string text;
    if (item.is_string()) {
      text = item.get<std::string>();
      // {"gate": "...", "name": "..."}: the name is for people reading the file.
    } else if (item.is_object() && item.contains("gate") && item["gate"].is_string()) {
      text = item["gate"].get<std::string>();
    } else {
      throw InputError(
          path, "/" + std::to_string(i),
          "expected a gate string or {\"gate\": \"...\"}, found " + jsonio::describe(item));
    }
    try {
      gates.push_back(parse_gate(text));
    } catch (const InputError& e) {
      throw InputError(path, "/" + std::to_string(i), e.diagnostics().front().message);
    }
  }
  return gates;
}

//! (Declared in dcplan/compare.hpp.) Only years both runs cover can be compared. A gate with a
//! year or range is evaluated once; a gate without one is evaluated in every common year, and
//! reported by its first failing year (or its first year when all pass). A relative gate
//! measures (other − base) / |base|: a change of 0% when both are 0, no value when only base is
//! 0; a gate with no value fails ("no value to compare") rather than passing by default. Every
//! error names the gate as written (an excerpt), so that one of many can be found.
std::vector<GateResult> evaluate_gates(const std::vector<Gate>& gates, const Scenario& bs,
                                       const Results& base, const Scenario& os,
                                       const Results& other) {
  std::vector<GateResult> out;
  const int common_first = std::max(bs.horizon.start, os.horizon.start);
  const int common_last = std::min(bs.horizon.end, os.horizon.end);
  for (const auto& g : gates) {
    const std::string quoted = "invalid gate \"" + jsonio::excerpt(g.text) + "\": ";
    if (common_first > common_last) {
      throw InputError(
          "--gate", "",
          fmt::format("{}the scenarios share no year ({}-{} and {}-{})", quoted, bs.horizon.start,
                      bs.horizon.end, os.horizon.start, os.horizon.end));
    }
    // A selector must match a region of either scenario (or be total).
    if (g.selector != "total") {
      auto matches = [&](const Scenario& s) {
        return std::any_of(s.regions.begin(), s.regions.end(),
                           [&](const Region& r) { return selector_matches(g.selector, r); });
      };
      if (!matches(bs) && !matches(os)) {
        throw InputError("--gate", "",
                         quoted + (selector_kind(g.selector) == SelectorKind::kExact
                                       ? "unknown region \"" + jsonio::excerpt(g.selector) +
                                             "\" in both scenarios"
                                       : "the selector \"" + jsonio::excerpt(g.selector) +
                                             "\" matches no region of either scenario"));
      }
    }
    std::vector<std::pair<int, int>> spans;
    if (g.first_year) {
      if (*g.first_year < common_first || *g.last_year > common_last) {
        throw InputError("--gate", "",
                         fmt::format("{}years outside {}-{}, the years both scenarios cover",
                                     quoted, common_first, common_last));
      }
      spans.emplace_back(*g.first_year, *g.last_year);
    } else {
      for (int y = common_first; y <= common_last; ++y) spans.emplace_back(y, y);
    }
    GateResult worst;
    bool first = true;
    for (const auto& [a, b] : spans) {
      GateResult r;
      r.gate = g;
      r.first_year = a;
      r.last_year = b;
      try {
        r.base = read_metric(bs, base, g.metric, g.selector, a, b);
        r.other = read_metric(os, other, g.metric, g.selector, a, b);
      } catch (const InputError& e) {
        throw InputError("--gate", "", quoted + e.diagnostics().front().message);
      }
      if (g.relative) {
        r.measured = (!std::isnan(r.base) && r.base != 0) ? (r.other - r.base) / std::abs(r.base)
                     : (r.base == 0 && r.other == 0)      ? 0.0
                                                          : kNaN;
      } else {
        r.measured = r.other;
      }
      r.passed = !std::isnan(r.measured) && compare_op(r.measured, g.op, g.value);
      const std::string years = a == b ? std::to_string(a) : fmt::format("{}-{}", a, b);
      r.detail = g.relative
                     ? fmt::format("{} {} {}: base {:.6g}, other {:.6g}, change {:+.3f}% {} {:+g}%",
                                   column_info(static_cast<Col>(g.metric)).name, years, g.selector,
                                   r.base, r.other, r.measured * 100, op_text(g.op), g.value * 100)
                     : fmt::format("{} {} {}: base {:.6g}, other {:.6g} {} {:g}",
                                   column_info(static_cast<Col>(g.metric)).name, years, g.selector,
                                   r.base, r.other, op_text(g.op), g.value);
      if (std::isnan(r.measured)) r.detail += " (no value to compare)";
      if (first || (!r.passed && worst.passed)) {
        worst = r;
        first = false;
      }
    }
    out.push_back(std::move(worst));
  }
  return out;
}

//! (Declared in dcplan/compare.hpp.) True with no gates: compare without gates never fails.
bool CompareResult::passed() const {
  return std::all_of(gates.begin(), gates.end(), [](const GateResult& g) { return g.passed; });
}

//! (Declared in dcplan/compare.hpp.) The order is the contract: the gates, --by and --years are
//! parsed before anything is loaded, and the metrics (which apply depending on whether either
//! scenario has demand or the cost of capital) after loading but before either run, so a typo
//! costs no simulation. Both scenarios are loaded with the same --allow-dir roots, each with its
//! own overrides. The rows are cut to --years after the join; the gates see all years.
CompareResult compare_scenarios(const CompareInputs& in) {
  std::vector<Gate> gates;
  for (const auto& g : in.gates) gates.push_back(parse_gate(g));
  // Gates from the file follow those of the command line, in the file's order.
  if (!in.gates_file.empty()) {
    auto more = read_gates_file(in.gates_file);
    gates.insert(gates.end(), more.begin(), more.end());
  }
  // Options that need no scenario are parsed first: a typo costs no load.
  const RowsBy by = parse_rows_by(in.by);
  View years;
  if (!in.years.empty()) parse_years(in.years, years);

  CompareResult c;
  c.base_scenario = load_scenario(in.base, LoadOptions{in.set_base, in.allow_dirs, in.base_text});
  c.other_scenario =
      load_scenario(in.other, LoadOptions{in.set_other, in.allow_dirs, in.other_text});
  const bool demand = c.base_scenario.demand.has_value() || c.other_scenario.demand.has_value();
  const bool capital =
      c.base_scenario.uses_cost_of_capital() || c.other_scenario.uses_cost_of_capital();
  c.metrics =
      in.metrics.empty() ? default_compare_metrics() : parse_metrics(in.metrics, demand, capital);
  for (const int m : c.metrics) {
    if (column_info(static_cast<Col>(m)).kind == ColumnKind::kText) {
      throw InputError("--metrics", "",
                       "\"" + std::string(column_info(static_cast<Col>(m)).name) +
                           "\" is text: compare shows differences of numbers (see it with "
                           "dcplan run on each scenario)");
    }
  }
  EngineOptions eo;
  eo.by_hardware = by == RowsBy::kHardware;
  c.by_hardware = eo.by_hardware;
  c.total_only = by == RowsBy::kTotal;
  c.first_year = years.first_year;
  c.last_year = years.last_year;
  // Both runs with the same engine options, so their rows join one to one.
  c.base = simulate(c.base_scenario, eo);
  c.other = simulate(c.other_scenario, eo);
  c.gates = evaluate_gates(gates, c.base_scenario, c.base, c.other_scenario, c.other);
  for (auto& r : compare_results(c.base, c.other, c.metrics, c.total_only, c.by_hardware)) {
    if (c.first_year && r.year < *c.first_year) continue;
    if (c.last_year && r.year > *c.last_year) continue;
    c.rows.push_back(std::move(r));
  }
  return c;
}

}  // namespace dcplan
