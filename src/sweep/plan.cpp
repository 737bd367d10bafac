// Binding --vary pointers to the scenario, and setting one run's values (see plan.hpp).
#include "sweep/plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>

#include "dcplan/compare.hpp"
#include "dcplan/error.hpp"
#include "dcplan/load.hpp"
#include "dcplan/view.hpp"
#include "json_io.hpp"
#include "load/detail.hpp"

namespace dcplan::sweep {

namespace {

std::uint64_t fnv1a(std::uint64_t h, std::string_view s) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001B3ULL;
  }
  return h;
}

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

//! The value at a pointer of the merged document, or nullptr.
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

//! A point of a series: the series as the document writes it, one group per series (several
//! points of one series are varied together).
void bind_series_point(Binding& b, const VarySpec& v, const json& doc,
                       const std::vector<std::string>& t, std::vector<SeriesGroup>& groups) {
  if (b.bound.param->shape != Shape::kTrajectory) not_sweepable(v, "it is not a trajectory");
  // The series as written in the merged document.
  const json* value = &doc;
  for (const auto& tok : t) {
    if (!value->is_object() || !value->contains(tok)) {
      value = nullptr;
      break;
    }
    value = &(*value)[tok];
  }
  if (value == nullptr || !value->is_object() || !value->contains("series")) {
    not_sweepable(v, b.field_pointer + " is not a series trajectory in the scenario");
  }
  int g = -1;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    if (groups[i].field_pointer == b.field_pointer) g = static_cast<int>(i);
  }
  if (g < 0) {
    SeriesGroup sg;
    sg.field_pointer = b.field_pointer;
    sg.bound = b.bound;
    for (const auto& [k, x] : (*value)["series"].items())
      sg.original.points.emplace_back(std::stoi(k), x.get<double>());
    std::sort(sg.original.points.begin(), sg.original.points.end());
    if (value->contains("interp") && (*value)["interp"] == "step")
      sg.original.interp = Interp::kStep;
    if (value->contains("then_growth"))
      sg.original.then_growth = (*value)["then_growth"].get<double>();
    groups.push_back(sg);
    g = static_cast<int>(groups.size()) - 1;
  }
  b.series_group = g;
  if (v.multiply) {
    const auto& pts = groups[static_cast<std::size_t>(g)].original.points;
    if (std::none_of(pts.begin(), pts.end(),
                     [&](const auto& p) { return p.first == *b.series_year; })) {
      not_sweepable(
          v, "the series has no point in " + std::to_string(*b.series_year) + " to multiply");
    }
  }
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
  std::string problem;
  const auto bound = params::resolve(s, t, problem);
  if (!problem.empty()) not_sweepable(v, problem);
  Scenario& ms = const_cast<Scenario&>(s);
  if (!bound ||
      (bound->param->shape == Shape::kTrajectory && bound->at(ms).trajectory == nullptr)) {
    check_document_path(v, doc);
    b.via_document = true;
    check_bounds(v, *node);
    return b;
  }
  if (bound->param->split && s.capex.split_rest >= 0 &&
      bound->param->key ==
          std::array{"/capex/split/it", "/capex/split/facility",
                     "/capex/split/other"}[static_cast<std::size_t>(s.capex.split_rest)]) {
    not_sweepable(v, "this share is \"rest\": 1 minus the other two (vary one of those)");
  }
  b.bound = *bound;
  if (b.series_year) bind_series_point(b, v, doc, t, groups);
  check_bounds(v, *node);
  return b;
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

//! The scenario of run `run` when a varied key has no direct binding: the values set (or
//! multiplied) in the merged document, which is loaded and validated again. Directly bound
//! values are applied on top by apply().
void load_with_document_values(const Plan& p, long long run, const std::vector<double>& value,
                               Scenario& ws) {
  json doc = p.doc;
  for (std::size_t i = 0; i < p.bindings.size(); ++i) {
    const Binding& b = p.bindings[i];
    if (!b.via_document) continue;
    try {
      json& at = doc[json::json_pointer(b.spec.pointer)];
      if (b.spec.multiply) {
        multiply_trajectory(at, value[i]);
      } else {
        at = value[i];
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

//! Every touched field of the working scenario back to the base's value.
void restore(const Plan& p, Scenario& ws) {
  const Scenario& bs = p.base;
  for (const auto& b : p.bindings) {
    if (b.via_document) continue;
    const Storage to = b.bound.at(ws);
    const Storage from = b.bound.at(const_cast<Scenario&>(bs));
    if (to.trajectory != nullptr) *to.trajectory = *from.trajectory;
    if (to.number != nullptr) *to.number = *from.number;
    if (to.integer != nullptr) *to.integer = *from.integer;
  }
}

//! The run's values: grid coordinates from its grid point, draws from its own generator.
void values_of(const Plan& p, long long run, std::vector<double>& value) {
  Rng rng(0x5eed0000ULL ^ static_cast<std::uint64_t>(p.hash), static_cast<std::uint64_t>(run));
  long long g = run / p.samples;
  value.assign(p.bindings.size(), 0.0);
  for (auto it = p.grid_bindings.rbegin(); it != p.grid_bindings.rend(); ++it) {
    const auto& spec = p.bindings[*it].spec;
    const auto n = static_cast<long long>(spec.values.size());
    value[*it] = spec.values[static_cast<std::size_t>(g % n)];
    g /= n;
  }
  for (std::size_t i = 0; i < p.bindings.size(); ++i) {
    if (!p.bindings[i].spec.is_grid()) value[i] = p.bindings[i].spec.draw(rng);
  }
}

//! Sets the directly bound values (series points into their groups).
void set_values(const Plan& p, long long run, const std::vector<double>& value, Scenario& ws,
                std::vector<SeriesGroup>& groups) {
  for (std::size_t i = 0; i < p.bindings.size(); ++i) {
    const Binding& b = p.bindings[i];
    const double x = value[i];
    if (b.via_document) continue;
    if (b.series_group >= 0) {
      auto& pts = groups[static_cast<std::size_t>(b.series_group)].working.points;
      auto pos = std::find_if(pts.begin(), pts.end(),
                              [&](const auto& q) { return q.first == *b.series_year; });
      if (pos == pts.end()) {
        pts.emplace_back(*b.series_year, x);
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
void check_trajectories(const Plan& p, long long run, Scenario& ws) {
  const Scenario& bs = p.base;
  const int years = bs.horizon.years();
  for (const auto& b : p.bindings) {
    if (b.via_document || b.bound.param->shape != Shape::kTrajectory) continue;
    const auto& a = *b.bound.at(ws).trajectory;
    for (int y = 0; y < years; ++y) {
      if (!std::isfinite(a(y)) || !b.node->in_bounds(a(y))) {
        bad_draw(run, b,
                 fmt::format("{} = {:g} in {} is outside its bounds ({})", b.field_pointer, a(y),
                             bs.horizon.start + y, b.node->expectation()));
      }
    }
    if (b.bound.param->scope == params::Scope::kCurrency && b.bound.code == ws.currency) {
      ws.capex.fx_per_usd = a;
    }
  }
}

//! When one share is varied against a "rest": the range it may take, given the third share.
std::string rest_hint(const Plan& p, const Scenario& ws) {
  static constexpr std::array<const char*, 3> kKeys = {"/capex/split/it", "/capex/split/facility",
                                                       "/capex/split/other"};
  const Capex& c = ws.capex;
  int varied = -1;
  for (const auto& b : p.bindings) {
    if (b.via_document || !b.bound.param->split) continue;
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
void check_rules(const Plan& p, long long run, Scenario& ws) {
  const Scenario& bs = p.base;
  const int years = bs.horizon.years();
  if (const auto broken = p.rules_varied ? check_consistency(ws) : std::vector<Diagnostic>{};
      !broken.empty()) {
    std::string varied;
    for (const auto& b : p.bindings) varied += (varied.empty() ? "" : ", ") + b.spec.text;
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
        if (b.via_document || !b.bound.param->split) continue;
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

//! Sets the working scenario for run `run`; `params` receives the value of each binding.
void apply(const Plan& p, long long run, Scenario& ws, std::vector<SeriesGroup>& groups,
           std::vector<double>& params) {
  values_of(p, run, params);
  apply_values(p, run, params, ws, groups);
}

void apply_values(const Plan& p, long long run, const std::vector<double>& params, Scenario& ws,
                  std::vector<SeriesGroup>& groups) {
  restore(p, ws);
  for (auto& g : groups) g.working = g.original;
  if (p.any_document) load_with_document_values(p, run, params, ws);
  set_values(p, run, params, ws, groups);
  const Scenario& bs = p.base;
  for (auto& sg : groups) {
    auto& a = *sg.bound.at(ws).trajectory;
    for (int y = 0; y < bs.horizon.years(); ++y) {
      a(y) = value_at(Trajectory{sg.working}, bs.horizon.start + y);
    }
  }
  check_trajectories(p, run, ws);
  check_rules(p, run, ws);
}

Plan prepare(const SweepOptions& o) {
  Plan p;
  if (o.varies.empty())
    throw InputError("--vary", "", "a sweep needs at least one --vary PTR=SPEC");
  if (o.shard_n < 1 || o.shard_k < 0 || o.shard_k >= o.shard_n) {
    throw InputError(
        "--shard", "",
        fmt::format("expected K/N with 0 <= K < N, found {}/{}", o.shard_k, o.shard_n));
  }
  if (o.samples != -1 && (o.samples < 1 || o.samples > kMaxRuns)) {
    throw InputError("--samples", "", "expected 1 to 1000000000 runs per grid point");
  }
  if (o.jobs < 0 || o.jobs > 256) {
    throw InputError("--jobs", "", "expected 0 (every core) to 256 threads");
  }
  if (o.format != "csv" && o.format != "jsonl" && o.format != "sqlite") {
    throw InputError("--format", "", "expected csv, jsonl or sqlite, found \"" + o.format + "\"");
  }
  std::vector<VarySpec> specs;
  for (const auto& v : o.varies) specs.push_back(parse_vary(v));
  const LoadOptions lo{o.overrides, o.allow_dirs, o.scenario_text};
  // One load: the files are read and resolved once, the merged document kept for the keys
  // varied through it (and for the sweep's hash, as `dcplan validate --merged` prints it).
  auto loaded = detail::load_with_document(o.scenario, lo);
  p.base = std::move(loaded.scenario);
  p.doc = std::move(loaded.document);
  const std::string merged = p.doc.dump(2) + "\n";
  p.file = o.scenario;
  const json& doc = p.doc;
  bool any_distribution = false;
  for (const auto& v : specs) {
    p.bindings.push_back(bind_vary(v, p.base, doc, p.groups));
    const auto& b = p.bindings.back();
    if (b.via_document) p.any_document = true;
    if (!b.via_document && b.bound.param->rules) p.rules_varied = true;
    if (!b.via_document && b.bound.param->split) p.split_varied = true;
    if (v.is_grid()) {
      p.grid_bindings.push_back(p.bindings.size() - 1);
      p.grid_size *= static_cast<long long>(v.values.size());
      if (p.grid_size > kMaxRuns)
        throw InputError("--vary", "", "the grid has more than 1e9 points");
    } else {
      any_distribution = true;
    }
  }
  p.samples = o.samples >= 0 ? o.samples : (any_distribution ? 100 : 1);
  if (p.samples < 1) throw InputError("--samples", "", "expected at least 1 sample");
  if (static_cast<double>(p.grid_size) * static_cast<double>(p.samples) >
      static_cast<double>(kMaxRuns)) {
    throw InputError("--samples", "", "more than 1e9 runs");
  }
  p.total = p.grid_size * p.samples;
  p.metrics = o.metrics.empty() ? default_compare_metrics()
                                : parse_metrics(o.metrics, p.base.demand.has_value(),
                                                p.base.uses_cost_of_capital());
  for (const int m : p.metrics) {
    const ColumnInfo& c = column_info(static_cast<Col>(m));
    if (o.summary && c.kind == ColumnKind::kText) {
      throw InputError("--metrics", "",
                       "\"" + std::string(c.name) +
                           "\" is text: --summary gives statistics of numbers (leave it out, or "
                           "drop --summary to see it per run)");
    }
  }
  // The hash names the sweep: scenario and every argument that changes its output.
  std::uint64_t h = 0xcbf29ce484222325ULL;
  h = fnv1a(h, merged);
  for (const auto& v : o.varies) h = fnv1a(fnv1a(h, "|vary:"), v);
  // A store holds the sweep its csv would: the same hash, so the same draws.
  h = fnv1a(h, fmt::format("|samples:{}|seed:{}|metrics:{}|by:{}|summary:{}|{}", p.samples, o.seed,
                           o.metrics, o.by_region, o.summary,
                           o.format == "sqlite" ? std::string("csv") : o.format));
  p.hash = h ^ (o.seed * 0x9E3779B97F4A7C15ULL);
  return p;
}

std::string param_name(const VarySpec& v) {
  return v.pointer + (v.multiply ? "*" : "");
}

}  // namespace dcplan::sweep
