// Part of the loader's second pass (the passes in order: src/load/detail.hpp): trajectory
// parsing. check.cpp calls parse_trajectory for every value the key table says is a trajectory:
// a number, or an object with exactly one of series, exponential, logistic and fit, whose shape
// and written numbers are checked here. The Builder (build.cpp) evaluates what was parsed over
// the horizon (src/trajectory.cpp). number_member also reads check.cpp's relative bounds.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dcplan/schema.hpp"
#include "dcplan/trajectory.hpp"
#include "json_io.hpp"
#include "load/detail.hpp"

namespace dcplan::loader {

namespace {

//! {"YEAR": value, ...} as points sorted by year. Every bad point is reported, not only the
//! first; `bounds` (the key's node) applies to a series' written values, and is null for a
//! fit's history, whose points are data to fit rather than values of the key (the fitted values
//! are checked in every year of the horizon by the Builder).
std::optional<YearPoints> parse_points(const json& v, const std::string& ptr, Report report,
                                       const Node* bounds) {
  if (!v.is_object() || v.empty()) {
    report(ptr, "expected an object {\"YEAR\": value, ...} with at least one year, found " +
                    jsonio::describe(v));
    return std::nullopt;
  }
  YearPoints points;
  bool ok = true;
  for (const auto& [k, val] : v.items()) {
    const auto year = parse_year(k);
    if (!year || !year_in_range(*year)) {
      report(join_ptr(ptr, k), "expected a year (1900 to 2500) as key, found " + in_quotes(k));
      ok = false;
      continue;
    }
    if (!val.is_number()) {
      report(join_ptr(ptr, k), "expected a number, found " + jsonio::describe(val));
      ok = false;
      continue;
    }
    const double d = val.get<double>();
    if (bounds != nullptr && !bounds->in_bounds(d)) {
      report(join_ptr(ptr, k),
             "expected " + bounds->expectation() + ", found " + jsonio::excerpt_json(val));
      ok = false;
      continue;
    }
    points.emplace_back(*year, d);
  }
  if (!ok) return std::nullopt;
  // Sorted by year, as interpolation needs, whatever the order the keys came in.
  std::sort(points.begin(), points.end());
  return points;
}

}  // namespace

//! (Declared in detail.hpp.) The number at obj[key], or nullopt: absent (reported when
//! `required`), or of the wrong type (an integer when `integer`), which is always reported.
std::optional<double> number_member(const json& obj, const char* key, const std::string& ptr,
                                    Report report, bool required, bool integer) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) {
    if (required) report(ptr, std::string("missing required key \"") + key + "\"");
    return std::nullopt;
  }
  if (integer ? !is_integral(*it) : !it->is_number()) {
    report(join_ptr(ptr, key), std::string("expected ") + (integer ? "an integer" : "a number") +
                                   ", found " + jsonio::describe(*it));
    return std::nullopt;
  }
  return it->get<double>();
}

namespace {

//! Parses a trajectory value; reports problems of shape (and of bounds on written numbers).
std::optional<Trajectory> parse_series(const json& v, const Node& node, const std::string& ptr,
                                       Report report) {
  check_unknown_keys(v, {"series", "interp", "then_growth"}, ptr, "a series trajectory", report);
  SeriesTrajectory s;
  // The points first, so their problems are reported even when interp or then_growth has one
  // too.
  auto pts = parse_points(v.at("series"), join_ptr(ptr, "series"), report, &node);
  if (auto it = v.find("interp"); it != v.end()) {
    if (*it == "linear") {
      s.interp = Interp::kLinear;
    } else if (*it == "step") {
      s.interp = Interp::kStep;
    } else {
      report(join_ptr(ptr, "interp"),
             "expected \"linear\" or \"step\", found " + jsonio::describe(*it));
      return std::nullopt;
    }
  }
  if (auto it = v.find("then_growth"); it != v.end()) {
    if (!it->is_number() || !schema::growth_rate().in_bounds(it->get<double>())) {
      report(join_ptr(ptr, "then_growth"), "expected " + schema::growth_rate().expectation() +
                                               ", found " + jsonio::describe(*it));
      return std::nullopt;
    }
    s.then_growth = it->get<double>();
  }
  if (!pts) return std::nullopt;
  s.points = std::move(*pts);
  return Trajectory{std::move(s)};
}

//! {"base": v, "base_year": Y, "rate": r}: v · (1 + r)^(t − Y). The rate is bounded like a
//! growth rate (> −1), so the value never changes sign or divides by zero.
std::optional<Trajectory> parse_exponential(const json& body, const std::string& bptr,
                                            Report report) {
  check_unknown_keys(body, {"base", "base_year", "rate"}, bptr, "an exponential trajectory",
                     report);
  auto base = number_member(body, "base", bptr, report, true);
  auto year = number_member(body, "base_year", bptr, report, true, true);
  auto rate = number_member(body, "rate", bptr, report, true);
  if (!base || !year || !rate) return std::nullopt;
  if (!schema::year_in_trajectory().in_bounds(*year)) {
    report(join_ptr(bptr, "base_year"), "expected " + schema::year_in_trajectory().expectation() +
                                            ", found " +
                                            jsonio::excerpt_json(body.at("base_year")));
    return std::nullopt;
  }
  // rate > −1, as then_growth: (1 + r)^n stays positive for every n.
  if (!schema::growth_rate().in_bounds(*rate)) {
    report(join_ptr(bptr, "rate"), "expected " + schema::growth_rate().expectation() + ", found " +
                                       jsonio::excerpt_json(body.at("rate")));
    return std::nullopt;
  }
  return Trajectory{ExponentialTrajectory{*base, as_int(*year), *rate}};
}

//! {"cap": K, "midpoint": Y, "steepness": k, "floor": f}: f + (K − f) / (1 + e^(−k (t − Y))),
//! floor 0 when absent. Its values over the horizon are checked against the key's bounds by
//! the Builder.
std::optional<Trajectory> parse_logistic(const json& body, const std::string& bptr, Report report) {
  check_unknown_keys(body, {"cap", "midpoint", "steepness", "floor"}, bptr, "a logistic trajectory",
                     report);
  auto cap = number_member(body, "cap", bptr, report, true);
  auto mid = number_member(body, "midpoint", bptr, report, true);
  auto k = number_member(body, "steepness", bptr, report, true);
  // The floor is optional: 0 when absent.
  auto floor = number_member(body, "floor", bptr, report, false);
  if (!cap || !mid || !k) return std::nullopt;
  return Trajectory{LogisticTrajectory{*cap, *mid, *k, floor.value_or(0.0)}};
}

//! {"model": M, "history": {...}, "floor": f}: the least-squares fit of the history by a linear,
//! exponential or logistic model (src/trajectory.cpp fits it when the Builder evaluates). A
//! linear or exponential fit needs 2 points, a logistic one 3 (cap, midpoint, steepness).
std::optional<Trajectory> parse_fit(const json& body, const std::string& bptr, Report report) {
  check_unknown_keys(body, {"model", "history", "floor"}, bptr, "a fit trajectory", report);
  FitTrajectory f;
  auto model = body.find("model");
  if (model == body.end()) {
    report(bptr, "missing required key \"model\" (linear, exponential or logistic)");
    return std::nullopt;
  }
  if (*model == "linear") {
    f.model = FitModel::kLinear;
  } else if (*model == "exponential") {
    f.model = FitModel::kExponential;
  } else if (*model == "logistic") {
    f.model = FitModel::kLogistic;
  } else {
    report(join_ptr(bptr, "model"), "expected \"linear\", \"exponential\" or \"logistic\", found " +
                                        jsonio::describe(*model));
    return std::nullopt;
  }
  auto hist = body.find("history");
  if (hist == body.end()) {
    report(bptr, "missing required key \"history\" ({\"YEAR\": value, ...})");
    return std::nullopt;
  }
  auto pts = parse_points(*hist, join_ptr(bptr, "history"), report, nullptr);
  auto floor = number_member(body, "floor", bptr, report, false);
  if (!pts) return std::nullopt;
  f.history = std::move(*pts);
  f.floor = floor.value_or(0.0);
  // As many points as the model has free parameters: 2 for a line or an exponential, 3 for a
  // logistic (its floor is given).
  const std::size_t need = f.model == FitModel::kLogistic ? 3 : 2;
  if (f.history.size() < need) {
    report(join_ptr(bptr, "history"), "expected at least " + std::to_string(need) +
                                          " history points for a " + model->get<std::string>() +
                                          " fit, found " + std::to_string(f.history.size()));
    return std::nullopt;
  }
  return Trajectory{std::move(f)};
}

}  // namespace

//! (Declared in detail.hpp.) A number (checked against the key's bounds at once) or an object
//! with exactly one form. Problems are reported through `report`, which is silent when a value
//! already validated is read again; returns nullopt when the value is not a trajectory.
std::optional<Trajectory> parse_trajectory(const json& v, const Node& node, const std::string& ptr,
                                           Report report) {
  if (v.is_number()) {
    const double d = v.get<double>();
    if (!node.in_bounds(d)) {
      report(ptr, "expected " + node.expectation() + ", found " + jsonio::excerpt_json(v));
      return std::nullopt;
    }
    return Trajectory{d};
  }
  if (!v.is_object()) {
    report(ptr, "expected " + node.expectation() + ", found " + jsonio::describe(v));
    return std::nullopt;
  }
  const std::vector<std::string> forms = {"series", "exponential", "logistic", "fit"};
  std::vector<std::string> present;
  for (const auto& f : forms) {
    if (v.contains(f)) present.push_back(f);
  }
  // Exactly one form: an object with two would be ambiguous, with none a typo (the suggestion
  // names the nearest form for the first key).
  if (present.size() != 1) {
    std::vector<std::string> keys;
    for (const auto& [k, x] : v.items()) keys.push_back(k);
    std::string hint;
    if (present.empty() && !keys.empty()) hint = suggestion(keys.front(), forms);
    report(ptr,
           "expected a trajectory object with exactly one of series, exponential, logistic, "
           "fit; found " +
               (present.empty() ? std::string("none") : std::to_string(present.size())) + hint);
    return std::nullopt;
  }
  const std::string form = present.front();
  if (form == "series") return parse_series(v, node, ptr, report);
  // series keeps its keys beside "series"; the other forms nest theirs in an object of their
  // own name.
  const json& body = v.at(form);
  const std::string bptr = join_ptr(ptr, form);
  // Beside the form nothing else is allowed ("interp" belongs to series only).
  check_unknown_keys(v, {form}, ptr, "a " + form + " trajectory", report);
  if (!body.is_object()) {
    report(bptr, "expected an object, found " + jsonio::describe(body));
    return std::nullopt;
  }
  if (form == "exponential") return parse_exponential(body, bptr, report);
  if (form == "logistic") return parse_logistic(body, bptr, report);
  return parse_fit(body, bptr, report);
}

}  // namespace dcplan::loader
