// Binding varied keys to a scenario, and setting one run's values (see binding.hpp).
#include "vary/binding.hpp"

#include <fmt/format.h>
#include <fnmatch.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <set>
#include <sstream>

#include "dcplan/error.hpp"
#include "dcplan/io/cells.hpp"
#include "dcplan/selector.hpp"
#include "json_io.hpp"
#include "load/detail.hpp"

namespace dcplan::vary {

namespace {

using params::Shape;
using params::Storage;

[[noreturn]] void not_sweepable(const VarySpec& v, const std::string& why) {
  throw InputError("--vary", v.pointer,
                   "cannot vary " + v.pointer + ": " + why +
                       " (every numeric key of hardware, regions, capex, fx_per_usd, operations, "
                       "finance and demand can be varied, or one YEAR of a series with "
                       ".../series/YEAR)");
}

void check_bounds(const VarySpec& v, const schema::Node& node);

//! Multiplies every number a trajectory is made of by `f` (a number, the points of a series,
//! the base of an exponential, the cap and floor of a logistic, the history and floor of a fit).
void multiply_trajectory(json& v, double f) {
  if (v.is_number()) {
    v = v.get<double>() * f;
    return;
  }
  if (!v.is_object()) return;
  auto scale = [&](json& x) {
    if (x.is_number()) x = x.get<double>() * f;
  };
  if (v.contains("series")) {
    for (auto& [k, x] : v["series"].items()) scale(x);
  } else if (v.contains("exponential")) {
    scale(v["exponential"]["base"]);
  } else if (v.contains("logistic")) {
    scale(v["logistic"]["cap"]);
    if (v["logistic"].contains("floor")) scale(v["logistic"]["floor"]);
  } else if (v.contains("fit")) {
    for (auto& [k, x] : v["fit"]["history"].items()) scale(x);
    if (v["fit"].contains("floor")) scale(v["fit"]["floor"]);
  }
}

//! A key bound through the document: the scenario must hold objects where the value goes, and
//! something to multiply when it multiplies.
void check_document_path(const VarySpec& v, const json& doc) {
  // Every other numeric key: through the document (set, or multiply what the scenario has).
  if (v.multiply && !document_value(doc, v.pointer)) {
    not_sweepable(v,
                  "the scenario does not set it, so there is nothing to multiply (set it "
                  "in the scenario or with --set first)");
  }
  // Where the value goes, every key that exists must be an object (a value can be set under
  // a region, not under a number or a trajectory written as a number).
  const json* at = &doc;
  for (const auto& tok : jsonio::split_pointer(v.pointer)) {
    if (!at->is_object()) {
      not_sweepable(v, "the scenario holds " + jsonio::describe(*at) + " where " + v.pointer +
                           " needs an object");
    }
    if (!at->contains(tok)) break;
    at = &(*at)[tok];
  }
}

//! The trajectory a varied point belongs to, as the document writes it (`field`), held as a
//! series a point can be set in or added to: a series as written; a constant c as the series
//! {first year of the horizon: c}, so that a point added in YEAR makes a ramp from c to the
//! point's value, held after YEAR (`from_constant`). Another form (exponential, logistic, fit)
//! is refused: its numbers are not values of the key in given years.
SeriesTrajectory written_series(const VarySpec& v, const std::string& field_pointer,
                                const json& field, int first_year, bool& from_constant) {
  SeriesTrajectory out;
  from_constant = field.is_number();
  if (from_constant) {
    out.points.emplace_back(first_year, field.get<double>());
    return out;
  }
  if (!field.is_object() || !field.contains("series")) {
    const char* form = !field.is_object()              ? "not a trajectory"
                       : field.contains("exponential") ? "an exponential trajectory"
                       : field.contains("logistic")    ? "a logistic trajectory"
                       : field.contains("fit")         ? "a fitted trajectory"
                                                       : "not a series";
    not_sweepable(v, fmt::format("{} is {} in the scenario, and only a series or a constant has "
                                 "points to set; write it as a series first, e.g. --set "
                                 "'{}={{\"series\":{{\"{}\":V0,\"{}\":V1}}}}'",
                                 field_pointer, form, field_pointer, first_year,
                                 v.pointer.substr(v.pointer.rfind('/') + 1)));
  }
  for (const auto& [k, x] : field["series"].items())
    out.points.emplace_back(std::stoi(k), x.get<double>());
  std::sort(out.points.begin(), out.points.end());
  if (field.contains("interp") && field["interp"] == "step") out.interp = Interp::kStep;
  if (field.contains("then_growth")) out.then_growth = field["then_growth"].get<double>();
  return out;
}

//! A point of a directly bound series: one group per series (several points of one series are
//! varied together). A key the document leaves out holds the loader's default, a constant.
void bind_series_point(Binding& b, const VarySpec& v, const json& doc, const Scenario& s,
                       std::vector<SeriesGroup>& groups) {
  if (b.bound.param->shape != Shape::kTrajectory) not_sweepable(v, "it is not a trajectory");
  int g = -1;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    if (groups[i].field_pointer == b.field_pointer) g = static_cast<int>(i);
  }
  if (g < 0) {
    SeriesGroup sg;
    sg.field_pointer = b.field_pointer;
    sg.bound = b.bound;
    const json* field = document_value(doc, b.field_pointer);
    json unwritten;
    if (field == nullptr) {
      const auto& a = *b.bound.at(const_cast<Scenario&>(s)).trajectory;
      if (a.size() == 0 || !(a == a(0)).all()) {
        not_sweepable(v, b.field_pointer + " is not a series trajectory in the scenario");
      }
      unwritten = a(0);
      field = &unwritten;
    }
    sg.original = written_series(v, b.field_pointer, *field, s.horizon.start, sg.from_constant);
    groups.push_back(sg);
    g = static_cast<int>(groups.size()) - 1;
  }
  b.series_group = g;
  b.series_base =
      value_at(Trajectory{groups[static_cast<std::size_t>(g)].original}, *b.series_year);
}

constexpr const char* kWeights = "/capex/region_weights";

//! The key K of a region weight's field /capex/region_weights/K, or nullptr.
const std::string* weight_key(const std::vector<std::string>& t) {
  return t.size() == 3 && t[0] == "capex" && t[1] == "region_weights" ? &t[2] : nullptr;
}

//! Whether the weight at /capex/region_weights/`key` can be set directly (settle_weights finds
//! its rows): the document writes the weight map (without one it would write {K: value}, every
//! other region then weighing 0), and K either is a key of it (its regions are those the loader
//! resolved to it) or names a region the map does not (an id ranks first, so adding it takes
//! that region alone); "total", an empty key or an unknown id are the loader's to refuse. A
//! factor scales a written constant only: a series or a curve scaled point by point and
//! evaluated again need not give its values times the factor to the last bit.
bool weight_direct(const VarySpec& v, const std::string& key, const Scenario& s, const json& doc,
                   double& written) {
  const json* map = document_value(doc, kWeights);
  if (map == nullptr || !map->is_object() || key.empty()) return false;
  const SelectorKind kind = selector_kind(key);
  if (kind == SelectorKind::kTotal) return false;
  const json* w = map->contains(key) ? &map->at(key) : nullptr;
  if (w == nullptr && (kind != SelectorKind::kExact || s.region_index(key) < 0)) return false;
  if (v.multiply) {
    if (w == nullptr || !w->is_number()) return false;
    written = w->get<double>();
  }
  return true;
}

Binding bind_vary(const VarySpec& v, const Scenario& s, const json& doc,
                  std::vector<SeriesGroup>& groups) {
  Binding b;
  b.spec = v;
  std::vector<std::string> t;
  try {
    t = jsonio::split_pointer(v.pointer);
  } catch (const InputError& e) {
    not_sweepable(v, e.diagnostics().front().message);
  }
  // A point of a series: .../series/YEAR
  if (t.size() >= 3 && t[t.size() - 2] == "series") {
    const auto& y = t.back();
    if (y.empty() || y.size() > 4 || y.find_first_not_of("0123456789") != std::string::npos) {
      not_sweepable(v, "\"" + jsonio::excerpt(y) + "\" is not a year");
    }
    b.series_year = std::stoi(y);
    t.resize(t.size() - 2);
  }
  const schema::Node* node = schema::node_at(t);
  if (node == nullptr) not_sweepable(v, "the scenario format has no such key");
  b.node = node;
  b.field_pointer = jsonio::pointer(t);
  if (!t.empty() && (t[0] == "horizon" || t[0] == "dcplan" || t[0] == "targets")) {
    not_sweepable(v, t[0] == "targets"
                         ? "targets do not change the results (vary what they measure instead)"
                         : "the horizon and the format version are the sweep's structure, the "
                           "same for every run");
  }
  const bool numeric = node->kind == schema::Kind::kNumber ||
                       node->kind == schema::Kind::kInteger ||
                       node->kind == schema::Kind::kTrajectory;
  if (!numeric) not_sweepable(v, "it is not a numeric key (expected " + node->expectation() + ")");
  // Directly when the key table names the key's storage; through the document when it has
  // none, or when it is an optional trajectory the scenario leaves unset (no array to write).
  std::string problem;
  const auto bound = params::resolve(s, t, problem);
  if (!problem.empty()) not_sweepable(v, problem);
  // Bound::at hands out pointers to write through, so it takes a mutable scenario; here it is
  // only asked whether the storage exists.
  Scenario& ms = const_cast<Scenario&>(s);
  if (!bound ||
      (bound->param->shape == Shape::kTrajectory && bound->at(ms).trajectory == nullptr)) {
    if (const std::string* key = weight_key(t);
        key != nullptr && !b.series_year && weight_direct(v, *key, s, doc, b.weight_written)) {
      b.weight = true;
      check_bounds(v, *node);
      return b;
    }
    // A point of a series or a constant the document writes is set in it (or added to it) at
    // each run; anything else goes where its pointer says.
    const json* field = b.series_year ? document_value(doc, b.field_pointer) : nullptr;
    if (field != nullptr) {
      bool from_constant = false;
      b.series_base = value_at(
          Trajectory{written_series(v, b.field_pointer, *field, s.horizon.start, from_constant)},
          *b.series_year);
    } else {
      check_document_path(v, doc);
    }
    b.via_document = true;
    check_bounds(v, *node);
    return b;
  }
  // The share written "rest" is recomputed from the other two in every run (check_rules): a
  // value set on it would be overwritten.
  if (bound->param->split && s.capex.split_rest >= 0 &&
      bound->param->key ==
          std::array{"/capex/split/it", "/capex/split/facility",
                     "/capex/split/other"}[static_cast<std::size_t>(s.capex.split_rest)]) {
    not_sweepable(v, "this share is \"rest\": 1 minus the other two (vary one of those)");
  }
  b.bound = *bound;
  if (b.series_year) bind_series_point(b, v, doc, s, groups);
  check_bounds(v, *node);
  return b;
}

//! The ids a list of them shows in a message: at most eight, each an excerpt.
std::string some_ids(const std::vector<std::string>& ids) {
  constexpr std::size_t kShown = 8;
  std::string out;
  for (std::size_t i = 0; i < ids.size() && i < kShown; ++i)
    out += (i > 0 ? ", " : "") + jsonio::excerpt(ids[i]);
  if (ids.size() > kShown) out += fmt::format(" and {} more", ids.size() - kShown);
  return out.empty() ? "none" : out;
}

//! The pointers one --vary reaches: its own, or when a region position holds a selector (a
//! glob, #tag or *) or a hardware position a glob or *, one for each id it matches, in the
//! scenario's order. Ids cannot hold * ? [ or # (the loader's valid_id), so a pointer naming
//! one id is never taken for a selector.
std::vector<std::string> expand_selector(const VarySpec& v, const Scenario& s) {
  std::vector<std::string> t;
  try {
    t = jsonio::split_pointer(v.pointer);
  } catch (const InputError&) {
    return {v.pointer};  // bind_vary says what is wrong with it
  }
  if (t.size() < 3 || (t[0] != "regions" && t[0] != "hardware")) return {v.pointer};
  const std::string sel = t[1];
  const SelectorKind kind = selector_kind(sel);
  if (kind == SelectorKind::kExact || kind == SelectorKind::kTotal) return {v.pointer};
  const bool regions = t[0] == "regions";
  if (!regions && kind == SelectorKind::kTag) {
    not_sweepable(v, "hardware has no tags: select hardware by id, a glob (h*) or *");
  }
  std::vector<std::string> all;
  std::vector<std::string> out;
  auto add = [&](const std::string& id, bool matches) {
    all.push_back(id);
    if (!matches) return;
    t[1] = id;
    out.push_back(jsonio::pointer(t));
  };
  if (regions) {
    for (const auto& r : s.regions) add(r.id, selector_matches(sel, r));
  } else {
    // As selector_matches reads a glob: fnmatch without flags.
    for (const auto& h : s.hardware)
      add(h.id, kind == SelectorKind::kAll || fnmatch(sel.c_str(), h.id.c_str(), 0) == 0);
  }
  if (out.empty()) {
    throw InputError("--vary", v.pointer,
                     fmt::format("invalid --vary \"{}\": the selector \"{}\" matches no {} of the "
                                 "scenario (it has {})",
                                 jsonio::excerpt(v.text), jsonio::excerpt(sel),
                                 regions ? "region" : "hardware", some_ids(all)));
  }
  return out;
}

//! Distributions with bounded support and grid values are checked against the key's bounds
//! once, before any run.
void check_bounds(const VarySpec& v, const schema::Node& n) {
  const schema::Node* node = &n;
  if (!v.multiply && (v.kind == SpecKind::kUniform || v.kind == SpecKind::kTriangular)) {
    const double lo = v.a;
    const double hi = v.kind == SpecKind::kUniform ? v.b : v.c;
    if (!node->in_bounds(lo) || !node->in_bounds(hi)) {
      throw InputError("--vary", v.pointer,
                       "invalid --vary \"" + v.text + "\": draws range over [" +
                           fmt::format("{:g}, {:g}", lo, hi) + "], but " + v.pointer + " must be " +
                           node->expectation());
    }
  }
  if (v.is_grid() && !v.multiply) {
    for (double x : v.values) {
      if (!node->in_bounds(x)) {
        throw InputError("--vary", v.pointer,
                         fmt::format("invalid --vary \"{}\": {:g} is outside the bounds of {} ({})",
                                     v.text, x, v.pointer, node->expectation()));
      }
    }
  }
}

[[noreturn]] void bad_draw(long long run, const Binding& b, const std::string& what) {
  throw InputError("--vary", b.spec.pointer,
                   fmt::format("run {}: {} (from --vary \"{}\"); narrow the distribution or "
                               "use a truncated range",
                               run, what, b.spec.text));
}

//! A point of a series, or of a constant, the document writes: set, or added (see
//! written_series). False when the document has neither at the binding's field.
bool set_series_point(json& doc, const Binding& b, int first_year, double x) {
  const json::json_pointer at(b.field_pointer);
  if (!doc.contains(at)) return false;
  json& field = doc[at];
  if (field.is_number()) field = json{{"series", json{{std::to_string(first_year), field}}}};
  if (!field.is_object() || !field.contains("series")) return false;
  json& points = field["series"];
  const std::string year = std::to_string(*b.series_year);
  if (!b.spec.multiply) {
    points[year] = x;
  } else if (points.contains(year)) {
    points[year] = points[year].get<double>() * x;
  } else {
    points[year] = b.series_base * x;
  }
  return true;
}

//! The scenario of run `run` when a varied key has no direct binding: the values set (or
//! multiplied) in the merged document, which is loaded and validated again. Directly bound
//! values are applied on top by apply().
void load_with_document_values(const Varied& p, long long run, const std::vector<double>& value,
                               Scenario& ws) {
  // A copy: the base's document is shared by every thread and every run.
  json doc = p.doc;
  for (const Binding& b : p.bindings) {
    if (!b.via_document) continue;
    const double x = value[b.input];
    try {
      if (b.series_year && set_series_point(doc, b, p.base.horizon.start, x)) continue;
      json& at = doc[json::json_pointer(b.spec.pointer)];
      if (b.spec.multiply) {
        multiply_trajectory(at, x);
      } else {
        at = x;
      }
    } catch (const json::exception&) {
      throw InputError("--vary", b.spec.pointer,
                       fmt::format("run {}: cannot set {} in the scenario", run, b.spec.pointer));
    }
  }
  try {
    ws = detail::build_document(doc, p.file);
  } catch (const InputError& e) {
    std::vector<Diagnostic> ds = e.diagnostics();
    for (auto& d : ds) d.message = fmt::format("run {}: {}", run, d.message);
    throw InputError(std::move(ds));
  }
}

//! Every touched field of the working scenario back to the base's value. Only these, not the
//! whole scenario copied again: a run then costs a few stores per binding, not a copy of every
//! region's trajectories.
void restore(const Varied& p, Scenario& ws) {
  const Scenario& bs = p.base;
  for (const auto& b : p.bindings) {
    if (b.via_document) continue;
    if (b.weight) {
      for (const Eigen::Index r : b.weight_rows)
        ws.capex.region_weight.row(r) = bs.capex.region_weight.row(r);
      continue;
    }
    const Storage to = b.bound.at(ws);
    const Storage from = b.bound.at(const_cast<Scenario&>(bs));
    if (to.trajectory != nullptr) *to.trajectory = *from.trajectory;
    if (to.number != nullptr) *to.number = *from.number;
    if (to.integer != nullptr) *to.integer = *from.integer;
  }
}

//! A number as the loader's messages write it (Builder::fmt_number): 6 significant digits.
std::string loader_number(double v) {
  std::ostringstream os;
  os.precision(6);
  os << v;
  return os.str();
}

//! A loader's error in run `run`, as the document path reports it (load_with_document_values).
[[noreturn]] void loader_error(const Varied& p, long long run, std::string pointer,
                               const std::string& message) {
  throw InputError(std::vector<Diagnostic>{
      {p.file, std::move(pointer), fmt::format("run {}: {}", run, message), 0, 0}});
}

//! A region weight: its rows set to the value in every year, as the loader evaluates a constant,
//! after the loader's checks of a weight, in its order and words: the key's bounds as the first
//! pass checks a number (parse_trajectory), then a finite value in every year (Builder::series).
void set_weight(const Varied& p, long long run, const Binding& b, double x, Scenario& ws) {
  const double w = b.spec.multiply ? b.weight_written * x : x;
  if (!b.node->in_bounds(w)) {
    loader_error(p, run, b.field_pointer,
                 "expected " + b.node->expectation() + ", found " + jsonio::excerpt_json(json(w)));
  }
  if (!std::isfinite(w)) {
    loader_error(p, run, b.field_pointer,
                 "expected a finite value in every year, found " + loader_number(w) + " in " +
                     std::to_string(p.base.horizon.start));
  }
  for (const Eigen::Index r : b.weight_rows) ws.capex.region_weight.row(r).setConstant(w);
}

//! The loader's rule on weights against the mix (Builder::hardware_mix), once the run's split
//! and budget are set: a region given IT money needs a mix selector.
void check_weights(const Varied& p, long long run, const Scenario& ws) {
  const bool any_it = (ws.capex.budget > 0).any() && (ws.capex.split_it > 0).any();
  if (!any_it) return;
  for (const Binding& b : p.bindings) {
    if (!b.weight) continue;
    for (const Eigen::Index r : b.weight_rows) {
      if (p.weight_no_mix[static_cast<std::size_t>(r)] == 0 ||
          !(ws.capex.region_weight.row(r) > 0).any())
        continue;
      loader_error(p, run, "/capex/hardware_mix",
                   "region " + loader::in_quotes(ws.regions[static_cast<std::size_t>(r)].id) +
                       " receives IT budget but no hardware_mix selector matches it (add its "
                       "id, a glob, a #tag or \"*\")");
    }
  }
}

//! Sets the directly bound values (series points into their groups).
void set_values(const Varied& p, long long run, const std::vector<double>& value, Scenario& ws,
                std::vector<SeriesGroup>& groups) {
  for (const Binding& b : p.bindings) {
    const double x = value[b.input];
    if (b.via_document) continue;
    if (b.weight) {
      set_weight(p, run, b, x, ws);
      continue;
    }
    if (b.series_group >= 0) {
      auto& pts = groups[static_cast<std::size_t>(b.series_group)].working.points;
      auto pos = std::find_if(pts.begin(), pts.end(),
                              [&](const auto& q) { return q.first == *b.series_year; });
      if (pos == pts.end()) {
        pts.emplace_back(*b.series_year, b.spec.multiply ? b.series_base * x : x);
        std::sort(pts.begin(), pts.end());
      } else {
        pos->second = b.spec.multiply ? pos->second * x : x;
      }
      continue;
    }
    const Storage at = b.bound.at(ws);
    switch (b.bound.param->shape) {
      case Shape::kTrajectory: {
        auto& a = *at.trajectory;
        if (b.spec.multiply) {
          a *= x;
        } else {
          a.setConstant(x);
        }
        break;
      }
      case Shape::kNumber: {
        double& d = *at.number;
        d = b.spec.multiply ? d * x : x;
        if (!b.node->in_bounds(d))
          bad_draw(run, b,
                   fmt::format("{} = {:g} is outside its bounds ({})", b.field_pointer, d,
                               b.node->expectation()));
        break;
      }
      case Shape::kInteger: {
        // A factor on an integer key must land on an integer: refused rather than rounded, so
        // that the value reported for the run is the value run.
        int& n = *at.integer;
        const double d = b.spec.multiply ? n * x : x;
        if (d != std::floor(d) || !b.node->in_bounds(d)) {
          bad_draw(run, b,
                   fmt::format("{} = {:g} is not an integer within its bounds ({})",
                               b.field_pointer, d, b.node->expectation()));
        }
        n = static_cast<int>(d);
        break;
      }
    }
  }
}

//! Bounds of every varied trajectory, in every year; the scenario's own exchange rate follows
//! a varied one.
void check_trajectories(const Varied& p, long long run, Scenario& ws) {
  const Scenario& bs = p.base;
  const int years = bs.horizon.years();
  for (const auto& b : p.bindings) {
    if (b.via_document || b.weight || b.bound.param->shape != Shape::kTrajectory) continue;
    const auto& a = *b.bound.at(ws).trajectory;
    for (int y = 0; y < years; ++y) {
      if (!std::isfinite(a(y)) || !b.node->in_bounds(a(y))) {
        bad_draw(run, b,
                 fmt::format("{} = {:g} in {} is outside its bounds ({})", b.field_pointer, a(y),
                             bs.horizon.start + y, b.node->expectation()));
      }
    }
    // The engine converts the budget to USD with capex.fx_per_usd, the rate of the scenario's
    // own currency that the loader copied from fx_per_usd: it follows a varied rate of it.
    if (b.bound.param->scope == params::Scope::kCurrency && b.bound.code == ws.currency) {
      ws.capex.fx_per_usd = a;
    }
  }
}

//! When one share is varied against a "rest": the range it may take, given the third share.
std::string rest_hint(const Varied& p, const Scenario& ws) {
  static constexpr std::array<const char*, 3> kKeys = {"/capex/split/it", "/capex/split/facility",
                                                       "/capex/split/other"};
  const Capex& c = ws.capex;
  int varied = -1;
  for (const auto& b : p.bindings) {
    if (b.via_document || b.weight || !b.bound.param->split) continue;
    for (int k = 0; k < 3; ++k) {
      if (b.bound.param->key != kKeys[static_cast<std::size_t>(k)]) continue;
      if (varied >= 0 && varied != k) return {};  // two shares varied: no single range
      varied = k;
    }
  }
  if (varied < 0) return {};
  const int fixed = 3 - varied - c.split_rest;
  const std::array<const Eigen::ArrayXd*, 3> parts = {&c.split_it, &c.split_facility,
                                                      &c.split_other};
  const double most = 1.0 - parts[static_cast<std::size_t>(fixed)]->maxCoeff();
  return fmt::format(". With {} as it is, {} can go up to {:g}; or let {} be the rest instead",
                     kKeys[static_cast<std::size_t>(fixed)],
                     kKeys[static_cast<std::size_t>(varied)], most,
                     kKeys[static_cast<std::size_t>(fixed)]);
}

//! The loader's rules between values, and the capex shares summing to 1, hold for every run.
void check_rules(const Varied& p, long long run, Scenario& ws) {
  const Scenario& bs = p.base;
  const int years = bs.horizon.years();
  if (const auto broken = p.rules_varied ? check_consistency(ws) : std::vector<Diagnostic>{};
      !broken.empty()) {
    std::string varied;
    for (const auto& in : p.inputs) varied += (varied.empty() ? "" : ", ") + in.spec.text;
    throw InputError("--vary", broken.front().pointer,
                     fmt::format("run {}: {} (with --vary {}); narrow the values varied", run,
                                 broken.front().message, jsonio::excerpt(varied)));
  }
  if (p.split_varied && ws.capex.split_rest >= 0) {
    // check_rules runs after the values are set: the rest follows the shares varied.
    if (auto d = fill_split_rest(ws)) {
      throw InputError("--vary", d->pointer,
                       fmt::format("run {}: {}{}", run, d->message, rest_hint(p, ws)));
    }
  } else if (p.split_varied && ws.capex.facility_sizing == FacilitySizing::kNeed) {
    // Model v3: under "need" the split holds only "other", which needs no partner to sum to 1.
    if ((ws.capex.split_it != 0).any() || (ws.capex.split_facility != 0).any()) {
      throw InputError("--vary", "/capex/split",
                       fmt::format("run {}: capex.facility_sizing \"need\" takes no it or "
                                   "facility share (the region's need divides them); vary "
                                   "/capex/split/other only",
                                   run));
    }
  } else if (p.split_varied) {
    const Eigen::ArrayXd sum = ws.capex.split_it + ws.capex.split_facility + ws.capex.split_other;
    for (int y = 0; y < years; ++y) {
      if (std::abs(sum(y) - 1.0) <= 1e-9) continue;
      for (const auto& b : p.bindings) {
        if (b.via_document || b.weight || !b.bound.param->split) continue;
        throw InputError(
            "--vary", b.spec.pointer,
            fmt::format("run {}: capex split sums to {:g} in {}, not 1. To vary one share, let "
                        "another absorb the difference: --set /capex/split/other=rest (or "
                        "write \"rest\" in the scenario)",
                        run, sum(y), bs.horizon.start + y));
      }
    }
  }
}

}  // namespace

const json* document_value(const json& doc, const std::string& pointer) {
  try {
    const json::json_pointer ptr(pointer);
    return doc.contains(ptr) ? &doc.at(ptr) : nullptr;
  } catch (const json::exception&) {
    return nullptr;
  }
}

void scale_trajectory(json& v, double factor) {
  multiply_trajectory(v, factor);
}

Varied load_base(const std::string& scenario, const LoadOptions& load) {
  // One load: the files are read and resolved once, the merged document kept for the keys
  // varied through it (and for a sweep's hash, as `dcplan validate --merged` prints it).
  auto loaded = detail::load_with_document(scenario, load);
  Varied v;
  v.base = std::move(loaded.scenario);
  v.doc = std::move(loaded.document);
  v.file = scenario;
  return v;
}

namespace {

//! Two --vary reaching one key (a selector and a key it matches, or a field and a point of its
//! series) would set it twice in every run, the later winning: refused rather than resolved by
//! the order of the flags, which a sensitivity's indices or a sweep's columns would not show.
void refuse_overlap(const Varied& v, const Binding& b) {
  for (const Binding& o : v.bindings) {
    if (o.field_pointer != b.field_pointer) continue;
    if (o.series_year && b.series_year && *o.series_year != *b.series_year) continue;
    const std::string key = b.series_year ? b.spec.pointer : b.field_pointer;
    throw InputError("--vary", key,
                     fmt::format("--vary \"{}\" and --vary \"{}\" both reach {}: vary each key "
                                 "once (narrow a selector, or give the key its own value with "
                                 "--set)",
                                 jsonio::excerpt(v.inputs[o.input].spec.text),
                                 jsonio::excerpt(b.spec.text), jsonio::excerpt(key)));
  }
}

//! The regions no hardware_mix selector resolves to (none when the document writes no mix: the
//! loader then refuses any IT budget whatever the weights).
std::vector<char> regions_without_mix(const Varied& v) {
  std::vector<char> out(v.base.regions.size(), 0);
  const json* mix = document_value(v.doc, "/capex/hardware_mix");
  if (mix == nullptr || !mix->is_object()) return out;
  std::vector<std::string> sel;
  for (const auto& [k, x] : mix->items())
    if (!k.empty()) sel.push_back(k);
  for (std::size_t r = 0; r < out.size(); ++r) {
    try {
      out[r] = resolve_selector(sel, v.base.regions[r]) < 0 ? 1 : 0;
    } catch (const InputError&) {
      out[r] = 0;  // the base loaded, so its selectors resolve; never reached
    }
  }
  return out;
}

//! The selector of the weight map that region `region` resolves to ("" for none).
std::string resolved_weight(const std::vector<std::string>& sel, const Region& region) {
  const int i = resolve_selector(sel, region);  // the base loaded: no ambiguity
  return i < 0 ? std::string() : sel[static_cast<std::size_t>(i)];
}

//! The rows of every directly set weight, given every weight key the study varies. A region id
//! the map does not write, varied by any --vary (directly or, as a point of a series, through
//! the document), takes its region from the key that held it: the other keys' rows leave it
//! out. A new glob, #tag or * (only ever through the document) would take regions by
//! precedence from keys set directly, which then overwrite them: every weight then goes
//! through the document, as before.
void settle_weights(Varied& v) {
  const json* map = document_value(v.doc, kWeights);
  const bool has_map = map != nullptr && map->is_object();
  std::set<std::string> new_ids;
  bool new_selector = false;
  for (const Binding& b : v.bindings) {
    const std::vector<std::string> t = jsonio::split_pointer(b.field_pointer);
    const std::string* key = weight_key(t);
    if (key == nullptr || (has_map && map->contains(*key))) continue;
    if (selector_kind(*key) == SelectorKind::kExact) {
      new_ids.insert(*key);
    } else {
      new_selector = true;
    }
  }
  std::vector<std::string> sel;
  if (has_map) {
    for (const auto& [k, x] : map->items())
      if (!k.empty()) sel.push_back(k);
  }
  for (Binding& b : v.bindings) {
    if (!b.weight) continue;
    if (new_selector) {
      b.weight = false;
      b.via_document = true;
      v.any_document = true;
      continue;
    }
    const std::string key = *weight_key(jsonio::split_pointer(b.field_pointer));
    const bool id = selector_kind(key) == SelectorKind::kExact;
    b.weight_rows.clear();
    for (std::size_t r = 0; r < v.base.regions.size(); ++r) {
      const Region& region = v.base.regions[r];
      const bool mine = id ? region.id == key
                           : new_ids.count(region.id) == 0 && resolved_weight(sel, region) == key;
      if (mine) b.weight_rows.push_back(static_cast<Eigen::Index>(r));
    }
  }
  if (v.weight_no_mix.empty()) v.weight_no_mix = regions_without_mix(v);
}

}  // namespace

const Input& bind(Varied& v, const VarySpec& spec) {
  Input in;
  in.spec = spec;
  in.first = v.bindings.size();
  const std::size_t groups = v.groups.size();
  const std::vector<std::string> pointers = expand_selector(spec, v.base);
  // All of a selector's keys or none: a key that cannot be bound leaves `v` as it was (no
  // binding of the keys before it, no series group), so a caller may go on with it.
  try {
    for (const auto& pointer : pointers) {
      VarySpec one = spec;
      one.pointer = pointer;
      Binding b;
      try {
        b = bind_vary(one, v.base, v.doc, v.groups);
      } catch (const InputError& e) {
        if (pointer == spec.pointer) throw;
        // Which of the matched keys failed is in the message; which --vary matched it, here.
        std::vector<Diagnostic> ds = e.diagnostics();
        for (auto& d : ds)
          d.message += fmt::format(" (one of the {} keys --vary \"{}\" matches)", pointers.size(),
                                   jsonio::excerpt(spec.text));
        throw InputError(std::move(ds));
      }
      b.input = v.inputs.size();
      refuse_overlap(v, b);
      v.bindings.push_back(std::move(b));
    }
  } catch (...) {
    v.bindings.erase(v.bindings.begin() + static_cast<std::ptrdiff_t>(in.first), v.bindings.end());
    v.groups.erase(v.groups.begin() + static_cast<std::ptrdiff_t>(groups), v.groups.end());
    throw;
  }
  for (std::size_t i = in.first; i < v.bindings.size(); ++i) {
    const Binding& b = v.bindings[i];
    if (b.via_document) v.any_document = true;
    if (b.via_document || b.weight) continue;
    if (b.bound.param->rules) v.rules_varied = true;
    if (b.bound.param->split) v.split_varied = true;
  }
  settle_weights(v);
  in.count = v.bindings.size() - in.first;
  in.node = v.bindings[in.first].node;
  v.inputs.push_back(std::move(in));
  return v.inputs.back();
}

void apply(const Varied& v, long long run, const std::vector<double>& values, Working& w) {
  if (values.size() != v.inputs.size()) {
    throw ModelError(
        fmt::format("run {}: {} values for {} inputs", run, values.size(), v.inputs.size()));
  }
  Scenario& ws = w.scenario;
  // From the base every run: a factor multiplies the scenario's value, never the last run's.
  restore(v, ws);
  for (auto& g : w.groups) g.working = g.original;
  if (v.any_document) load_with_document_values(v, run, values, ws);
  set_values(v, run, values, ws, w.groups);
  const Scenario& bs = v.base;
  // A series is evaluated over the horizon once all its varied points are set (several points
  // of one series vary together).
  for (auto& sg : w.groups) {
    auto& a = *sg.bound.at(ws).trajectory;
    for (int y = 0; y < bs.horizon.years(); ++y) {
      a(y) = value_at(Trajectory{sg.working}, bs.horizon.start + y);
    }
  }
  check_trajectories(v, run, ws);
  check_rules(v, run, ws);
  check_weights(v, run, ws);
}

VarySpec list_spec(const std::string& pointer, bool multiply, std::vector<double> values) {
  VarySpec v;
  v.text = pointer + (multiply ? "*=" : "=");
  for (std::size_t i = 0; i < values.size(); ++i) {
    v.text += (i > 0 ? "," : "") + io::exact_number(values[i]);
  }
  v.pointer = pointer;
  v.multiply = multiply;
  v.kind = SpecKind::kList;
  v.values = std::move(values);
  return v;
}

std::string param_name(const VarySpec& v) {
  return v.pointer + (v.multiply ? "*" : "");
}

}  // namespace dcplan::vary
