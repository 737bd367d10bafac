// The cheapest lever (issue 29): several free parameters, each solved alone, compared by what
// their answers cost. A planner asks "budget growth from 2028, or a larger 2028 budget?": both
// may meet the target, and the question is which costs less. Each lever is an ordinary solve
// (the others stay at the scenario's values), so one --vary and several agree on every answer;
// the cost is read on one more run at each answer. docs/search.md, "The cheapest lever".
#include <algorithm>
#include <cmath>
#include <limits>

#include "dcplan/error.hpp"
#include "dcplan/results.hpp"
#include "search/evaluator.hpp"
#include "vary/metric.hpp"

namespace dcplan {

namespace {

//! The cost metric against the scenario. No year means the whole horizon, summed: a cost is
//! money spent over the plan, not in its last year (optimize's objective reads the last year).
vary::Metric cost_metric(const std::string& text, const Scenario& s) {
  std::string t = text.empty() ? "capex_usd" : text;
  if (t.find('@') == std::string::npos) {
    const auto colon = t.find(':');
    const std::string at =
        "@" + std::to_string(s.horizon.start) + ":" + std::to_string(s.horizon.end);
    t = colon == std::string::npos ? t + at : t.substr(0, colon) + at + t.substr(colon);
  }
  return vary::parse_metric(t, s, "--cost");
}

//! The cost at one lever's answer: a run of that lever alone at its value.
double cost_at(const SolveOptions& o, const SearchRange& range, double value, const vary::Metric& m,
               const std::string& currency, long long& runs) {
  const search::Problem p =
      search::prepare(o.scenario, {o.overrides, o.allow_dirs, o.scenario_text}, {range}, {});
  search::Evaluator e(p);
  const Results& res = e.run({value});
  runs += e.runs() + 2;  // and prepare's two ends
  return read_metric(e.scenario(), res, m.col, m.selector, m.first, m.last,
                     currency.empty() ? "USD" : currency);
}

}  // namespace

SolveLevers solve_levers(const SolveOptions& o) {
  if (o.vary.empty()) {
    throw InputError("--vary", "", "expected at least one PTR=LO:HI (e.g. /capex/budget*=0.5:2)");
  }
  std::vector<SearchRange> ranges;
  for (const auto& v : o.vary) ranges.push_back(parse_range(v));
  // The cost is checked against the scenario before any lever is searched.
  const search::Problem first =
      search::prepare(o.scenario, {o.overrides, o.allow_dirs, o.scenario_text}, {ranges[0]}, {});
  const Scenario& s = first.varied.base;
  const vary::Metric m = cost_metric(o.cost, s);
  SolveLevers out;
  out.cost = m.text;
  // Money is read in the scenario's currency, the one its budget is written in.
  out.currency = column_info(static_cast<Col>(m.col)).money ? s.currency : "";
  out.runs = 2;
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    SolveOptions one = o;
    one.vary = {o.vary[i]};
    SolveLever lever{solve(one), std::numeric_limits<double>::quiet_NaN()};
    out.runs += lever.answer.runs;
    if (lever.answer.feasible) {
      lever.cost = cost_at(o, ranges[i], lever.answer.value, m, out.currency, out.runs);
    }
    out.levers.push_back(std::move(lever));
  }
  // Cheapest first; a lever without a cost (infeasible, or an empty metric) last. Stable: ties
  // keep the order of --vary.
  std::stable_sort(out.levers.begin(), out.levers.end(), [](const auto& a, const auto& b) {
    const bool ca = std::isfinite(a.cost), cb = std::isfinite(b.cost);
    if (ca != cb) return ca;
    return ca && a.cost < b.cost;
  });
  return out;
}

}  // namespace dcplan
