// Part of the loader's third pass, the Builder (the passes in order: src/load/detail.hpp): model
// v3's observed history and the targets, the Builder's last steps before the rules between
// values (rules.cpp). A target's metric, region or selector, year or years within the horizon,
// and its bound, whose base year may lie outside the horizon when observed history gives it.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dcplan/results.hpp"
#include "dcplan/scenario.hpp"
#include "dcplan/schema.hpp"
#include "dcplan/selector.hpp"
#include "dcplan/targets.hpp"
#include "json_io.hpp"
#include "load/detail.hpp"

namespace dcplan::loader {

//! Model v3: observed history, {METRIC: {YEAR: value}} for total rows; METRIC a result column
//! with numbers.
void Builder::observed(Scenario& s) {
  const json* obs = member(doc_, "observed");
  if (obs == nullptr || !obs->is_object()) return;
  // Suggestions for an unknown metric: every result column with numbers.
  std::vector<std::string> known;
  for (const auto& c : result_columns()) {
    if (c.kind != ColumnKind::kKey && c.kind != ColumnKind::kText) known.emplace_back(c.name);
  }
  for (const auto& [metric, years] : obs->items()) {
    const std::string mptr = join_ptr("/observed", metric);
    const ColumnInfo* col = find_column(metric);
    // Only numeric columns can be observed (limit is words; year and region are keys).
    if (col == nullptr || col->kind == ColumnKind::kKey || col->kind == ColumnKind::kText) {
      ctx_.error(mptr, "expected a result column with numbers (e.g. energy_twh), found " +
                           in_quotes(metric) + suggestion(metric, known));
      continue;
    }
    if (col->demand_only && !s.demand) {
      ctx_.error(mptr,
                 "the metric " + in_quotes(metric) + " exists only when the scenario has demand");
      continue;
    }
    if (!years.is_object()) continue;  // reported by check()
    for (const auto& [year_key, value] : years.items()) {
      const auto year = parse_year(year_key);
      if (!year || !value.is_number()) continue;  // reported by check()
      // Any year, inside the horizon or before it: history before the horizon is what a ratio
      // bound's base year reads (target_bound), and a year inside it is compared with the model
      // by `run`'s warning.
      s.observed[metric][*year] = value.get<double>();
    }
  }
}

//! The scenario's "targets" (what `--check` checks): each with a metric (a result column), a
//! region or selector, a year or range within the horizon, one bound and a currency for money.
//! Every problem of every target is reported, not only the first target's.
void Builder::targets(Scenario& s) {
  const json* ts = member(doc_, "targets");
  if (ts == nullptr || !ts->is_array()) return;
  const Node& node = *field_node(root_, "targets").items;
  for (std::size_t i = 0; i < ts->size(); ++i) {
    const json& t = (*ts)[i];
    const std::string ptr = "/targets/" + std::to_string(i);
    if (!t.is_object()) continue;
    Target target;
    target.name = text(t, "name");
    target.metric = text(t, "metric");
    // Defaults: the total row, no tolerance, US dollars.
    target.region = member(t, "region") != nullptr ? text(t, "region") : "total";
    target.tolerance = number(t, node, "tolerance");
    if (const json* c = member(t, "currency"); c != nullptr && c->is_string()) {
      target.currency = c->get<std::string>();
      if (s.fx_per_usd.count(target.currency) == 0) {
        ctx_.error(join_ptr(ptr, "currency"),
                   "currency " + in_quotes(target.currency) +
                       " has no exchange rate (expected a code under /fx_per_usd, or USD)");
      }
    }
    const ColumnInfo* col = find_column(target.metric);
    if (col != nullptr && col->demand_only && !s.demand) {
      ctx_.error(join_ptr(ptr, "metric"), "the metric " + in_quotes(target.metric) +
                                              " exists only when the scenario has demand");
    }
    target_region(s, target, ptr);
    target_years(t, target, ptr);
    target_bound(s, t, target, ptr);
    s.targets.push_back(std::move(target));
  }
}

//! Whether the metric is a money column (converted by a target's currency).
bool Builder::col_is_money(const std::string& metric) {
  const ColumnInfo* col = find_column(metric);
  return col != nullptr && col->money;
}

//! A target's region: total, a region id, or a selector that matches a region.
void Builder::target_region(const Scenario& s, const Target& target, const std::string& ptr) {
  if (selector_kind(target.region) == SelectorKind::kExact && s.region_index(target.region) < 0) {
    ctx_.error(join_ptr(ptr, "region"), "unknown region " + in_quotes(target.region) +
                                            " (expected total, a region id, a glob, a #tag "
                                            "or *)" +
                                            suggestion(target.region, region_ids(s)));
  } else if (target.region != "total" &&
             std::none_of(s.regions.begin(), s.regions.end(),
                          [&](const Region& r) { return selector_matches(target.region, r); })) {
    // A glob or tag that matches nothing would read no value: refused, not a silent NaN.
    ctx_.error(join_ptr(ptr, "region"),
               "the selector " + in_quotes(target.region) + " matches no region");
  }
}

//! A target's year or years, within the horizon.
void Builder::target_years(const json& t, Target& target, const std::string& ptr) {
  const json* year = member(t, "year");
  const json* years = member(t, "years");
  bool have_years = false;
  // Exactly one of year and years: a target names one year or one range.
  if ((year == nullptr) == (years == nullptr)) {
    ctx_.error(ptr, std::string("expected exactly one of \"year\" and \"years\", found ") +
                        (year == nullptr ? "neither" : "both"));
  } else if (year != nullptr && is_integral(*year)) {
    target.first_year = target.last_year = as_int(year->get<double>());
    have_years = true;
  } else if (years != nullptr && years->is_array() && years->size() == 2 &&
             is_integral((*years)[0]) && is_integral((*years)[1])) {
    target.first_year = as_int((*years)[0].get<double>());
    target.last_year = as_int((*years)[1].get<double>());
    have_years = true;
  }
  if (have_years && (!in_horizon(target.first_year) || !in_horizon(target.last_year))) {
    ctx_.error(join_ptr(ptr, year != nullptr ? "year" : "years"),
               "expected years within the horizon " + std::to_string(h_.start) + " to " +
                   std::to_string(h_.end) + ", found " +
                   jsonio::excerpt_json(year != nullptr ? *year : *years));
  }
}

//! A target's bound: exactly one of at_least, at_most, equals; a number or k × another year.
void Builder::target_bound(const Scenario& s, const json& t, Target& target,
                           const std::string& ptr) {
  int bounds = 0;
  const std::pair<const char*, BoundKind> kinds[] = {{"at_least", BoundKind::kAtLeast},
                                                     {"at_most", BoundKind::kAtMost},
                                                     {"equals", BoundKind::kEquals}};
  // Each bound written is counted; exactly one must be (checked after the loop).
  for (const auto& [key, kind] : kinds) {
    const json* b = member(t, key);
    if (b == nullptr) continue;
    ++bounds;
    target.kind = kind;
    if (b->is_number()) {
      target.value = b->get<double>();
    } else if (b->is_object()) {
      // {"times": k, "of_year": y}: the bound is k times the metric's value in year y, observed
      // when the scenario records it (total rows), else modelled (docs/model.md, observed history).
      const json* k = member(*b, "times");
      const json* of = member(*b, "of_year");
      if (k != nullptr && k->is_number()) target.value = k->get<double>();
      if (of != nullptr && is_integral(*of)) {
        target.of_year = as_int(of->get<double>());
        // Model v3: a base year outside the horizon is read from observed history.
        if (const auto missing = unobserved_base_year(s, target)) {
          ctx_.error(join_ptr(join_ptr(ptr, key), "of_year"),
                     "expected a year within the horizon " + std::to_string(h_.start) + " to " +
                         std::to_string(h_.end) + " or one with an observed value (/observed/" +
                         target.metric + "/" + std::to_string(*missing) +
                         ", total rows only), found " + std::to_string(*target.of_year));
        } else if (target.currency != "USD" && col_is_money(target.metric) &&
                   !in_horizon(*target.of_year)) {
          // Observed money is in USD and a year outside the horizon has no exchange rate, so such a
          // base cannot be converted to the target's currency.
          ctx_.error(join_ptr(ptr, "currency"),
                     "an observed base year outside the horizon has no exchange rate: give "
                     "the target in USD (observed money is in USD)");
        }
      }
    }
  }
  if (bounds != 1) {
    ctx_.error(ptr, "expected exactly one bound (at_least, at_most or equals), found " +
                        std::to_string(bounds));
  }
}

}  // namespace dcplan::loader
