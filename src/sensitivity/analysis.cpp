// The sensitivity methods bound to a scenario: each input's spec mapped from the unit cube to a
// value the format accepts, bound and run by the vary layer (vary/binding.hpp, vary/runner.hpp)
// in process on --jobs threads (vary/pool.hpp), the rows of the result.
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>

#include "dcplan/engine.hpp"
#include "dcplan/error.hpp"
#include "dcplan/load.hpp"
#include "dcplan/schema.hpp"
#include "dcplan/sensitivity.hpp"
#include "dcplan/sweep.hpp"
#include "json_io.hpp"
#include "text.hpp"
#include "vary/binding.hpp"
#include "vary/metric.hpp"
#include "vary/pool.hpp"
#include "vary/runner.hpp"

namespace dcplan::sensitivity {

namespace {

using vary::Metric;
using vary::Runner;
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

//! One uncertain input: its spec, and how a draw becomes a value the format accepts.
struct Input {
  VarySpec spec;
  std::string name;              //!< the pointer, with * for a factor
  bool integer = false;          //!< sampled as integers (set directly, a factor applied first)
  double base = 1;               //!< an integer key's value in the scenario, for a factor on it
  double lo = -kInf, hi = kInf;  //!< what the format accepts, in the units of the binding
  bool factor = false;           //!< applied as a factor (a real key), else as the value itself

  //! A value of the spec (x) as applied: the factor on an integer applied, clipped, rounded.
  [[nodiscard]] double applied(double x) const {
    if (integer && spec.multiply) x *= base;
    x = std::clamp(x, lo, hi);
    return integer ? std::clamp(std::round(x), lo, hi) : x;
  }
  [[nodiscard]] double at(double u) const { return applied(spec.quantile(u)); }
  //! Tornado's ends: a range's or list's extremes, a distribution's 5th and 95th percentiles.
  [[nodiscard]] double low() const {
    if (spec.is_grid()) return applied(*std::min_element(spec.values.begin(), spec.values.end()));
    return applied(spec.kind == SpecKind::kUniform || spec.kind == SpecKind::kTriangular
                       ? spec.a
                       : spec.quantile(0.05));
  }
  [[nodiscard]] double high() const {
    if (spec.is_grid()) return applied(*std::max_element(spec.values.begin(), spec.values.end()));
    return applied(spec.kind == SpecKind::kUniform      ? spec.b
                   : spec.kind == SpecKind::kTriangular ? spec.c
                                                        : spec.quantile(0.95));
  }
};

LoadOptions load_options(const ScenarioOptions& o) {
  return {o.overrides, o.allow_dirs, o.scenario_text};
}

//! PTR=LO:HI (two numbers) is a uniform range here; everything else is sweep's SPEC.
VarySpec parse_input(const std::string& raw) {
  const auto eq = raw.find('=');
  if (eq != std::string::npos) {
    const std::string spec = raw.substr(eq + 1);
    const auto colon = spec.find(':');
    double a = 0, b = 0;
    if (colon != std::string::npos && spec.find(':', colon + 1) == std::string::npos &&
        text::parse_double(spec.substr(0, colon), a) &&
        text::parse_double(spec.substr(colon + 1), b)) {
      if (!(a < b)) {
        throw InputError("--vary", "", "\"" + text::excerpt(raw) + "\": LO:HI needs LO < HI");
      }
      // uniform(LO,HI) from the two numbers, its pointer read as parse_vary reads one.
      VarySpec v;
      v.text = raw;
      std::string pointer = raw.substr(0, eq);
      if (!pointer.empty() && pointer.back() == '*') {
        v.multiply = true;
        pointer.pop_back();
      }
      if (pointer.empty() || pointer.front() != '/') {
        // The message is the one this form has always had, which quoted it as uniform(LO,HI).
        throw InputError(
            "--vary", "",
            "invalid --vary \"" +
                jsonio::excerpt(raw.substr(0, eq + 1) + fmt::format("uniform({},{})", a, b)) +
                "\": expected a JSON pointer starting with / before =");
      }
      v.pointer = pointer;
      v.kind = SpecKind::kUniform;
      v.a = a;
      v.b = b;
      return v;
    }
  }
  return parse_vary(raw);
}

//! The spec's support: exact ends for bounded forms, the 1e-9 and 1 - 1e-9 quantiles else.
std::pair<double, double> support(const VarySpec& v) {
  if (v.is_grid()) {
    return {*std::min_element(v.values.begin(), v.values.end()),
            *std::max_element(v.values.begin(), v.values.end())};
  }
  if (v.kind == SpecKind::kUniform) return {v.a, v.b};
  if (v.kind == SpecKind::kTriangular) return {v.a, v.c};
  return {v.quantile(1e-9), v.quantile(1 - 1e-9)};
}

//! The values the key holds in the scenario (every year of a trajectory), for a factor's bounds.
void base_values(const vary::Varied& plan, const vary::Binding& b, std::vector<double>& out) {
  // A weight set directly has no storage of its own: the document says what it holds.
  if (!b.via_document && !b.weight) {
    const params::Storage at = b.bound.at(const_cast<Scenario&>(plan.base));
    if (at.trajectory != nullptr)
      out.insert(out.end(), at.trajectory->begin(), at.trajectory->end());
    if (at.number != nullptr) out.push_back(*at.number);
    if (at.integer != nullptr) out.push_back(*at.integer);
    return;
  }
  if (const auto* v = vary::document_value(plan.doc, b.spec.pointer)) {
    if (v->is_number()) out.push_back(v->get<double>());
    if (v->is_object() && v->contains("series")) {
      for (const auto& [k, x] : v->at("series").items()) {
        if (x.is_number()) out.push_back(x.get<double>());
      }
    }
  }
}

//! The values every key of an input holds (a selector's keys together: one factor multiplies
//! them all, so its bounds are the tightest any of them allows).
std::vector<double> base_values(const vary::Varied& plan, const vary::Input& in) {
  std::vector<double> out;
  for (std::size_t k = in.first; k < in.first + in.count; ++k)
    base_values(plan, plan.bindings[k], out);
  return out;
}

//! The value a factor on an integer key multiplies: such a factor is sampled as the value it gives,
//! set on every key the input matches, which must then start from one value.
double integer_base(const Input& in, std::size_t keys, const std::vector<double>& values) {
  if (std::any_of(values.begin(), values.end(), [&](double x) { return x != values.front(); })) {
    throw InputError("--vary", in.spec.pointer,
                     fmt::format("\"{}\": a factor on an integer key is sampled as the values it "
                                 "gives, but the {} keys it matches hold different values (vary "
                                 "the value, PTR=SPEC, or each key alone)",
                                 text::excerpt(in.spec.text), keys));
  }
  return values.empty() ? 1 : values.front();
}

//! Fits each input to the format: bounds (a factor's from the values it multiplies), integers.
//! Returns the notes that say what was changed.
std::vector<std::string> fit_inputs(const ScenarioOptions& o, std::vector<Input>& inputs) {
  std::vector<VarySpec> specs;
  for (const auto& in : inputs) {
    // A neutral value the key accepts: 1, moved into its bounds (a year, a share).
    double v = 1;
    if (const schema::Node* n = schema::node_at(jsonio::split_pointer(in.spec.pointer))) {
      if (n->minimum && v < *n->minimum) v = *n->minimum + (n->exclusive_minimum ? 1 : 0);
      if (n->maximum && v > *n->maximum) v = *n->maximum - (n->exclusive_maximum ? 1 : 0);
    }
    specs.push_back(vary::list_spec(in.spec.pointer, in.spec.multiply, {in.spec.multiply ? 1 : v}));
  }
  // Bound with a neutral value only to learn the keys; the values checked are the fitted ones.
  vary::Varied plan = vary::load_base(o.scenario, load_options(o));
  for (const auto& spec : specs) (void)vary::bind(plan, spec);
  std::vector<std::string> notes;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    Input& in = inputs[i];
    const vary::Input& bound = plan.inputs[i];
    const schema::Node& node = *bound.node;
    double lo = node.minimum.value_or(-kInf), hi = node.maximum.value_or(kInf);
    if (node.exclusive_minimum) lo = std::nextafter(lo, kInf);
    if (node.exclusive_maximum) hi = std::nextafter(hi, -kInf);
    in.integer = node.kind == schema::Kind::kInteger;
    const std::vector<double> values = base_values(plan, bound);
    if (in.spec.multiply && !in.integer && !values.empty()) {
      const auto [vmin, vmax] = std::minmax_element(values.begin(), values.end());
      if (*vmin > 0) {  // f * v within [lo, hi] for every value v
        lo = std::isfinite(lo) ? lo / *vmin : -kInf;
        hi = std::isfinite(hi) ? hi / *vmax : kInf;
      } else {
        lo = -kInf;
        hi = kInf;  // mixed signs: left to the format's own check
      }
    }
    if (in.integer && in.spec.multiply) in.base = integer_base(in, bound.count, values);
    auto [s_lo, s_hi] = support(in.spec);
    if (in.integer && in.spec.multiply) {
      s_lo *= in.base;
      s_hi *= in.base;
    }
    const std::string unit = in.spec.multiply && !in.integer ? "a factor" : "a value";
    if (s_lo < lo || s_hi > hi) {
      const std::string accepted = !std::isfinite(hi) ? fmt::format(">= {:.6g}", lo)
                                   : !std::isfinite(lo)
                                       ? fmt::format("<= {:.6g}", hi)
                                       : fmt::format("in [{:.6g}, {:.6g}]", lo, hi);
      notes.push_back(
          fmt::format("{}: the spec reaches beyond what the format accepts ({} {}): "
                      "its values are clipped to it",
                      in.name, unit, accepted));
    }
    in.lo = std::max(lo, s_lo);
    in.hi = std::min(hi, s_hi);
    if (in.integer) {
      in.lo = std::ceil(in.lo);
      in.hi = std::floor(in.hi);
      notes.push_back(fmt::format("{}: an integer key, sampled as the integers {} to {}", in.name,
                                  in.lo, in.hi));
    }
    if (!(in.lo <= in.hi)) {
      throw InputError("--vary", in.spec.pointer,
                       fmt::format("\"{}\": no value of the spec is one the format accepts "
                                   "(expected {})",
                                   text::excerpt(in.spec.text), node.expectation()));
    }
    // Applied: a factor (a real key), or the value itself (an integer key, a set).
    in.factor = in.spec.multiply && !in.integer;
  }
  return notes;
}

//! The scenario with the inputs bound over their fitted ranges [lo, hi], the way solve and
//! optimize bind theirs.
struct Problem {
  vary::Varied varied;
  bool totals_only = false;  //!< every metric read is a total: the engine keeps total rows only
  //! A signal number here stops every run with Interrupted.
  const std::atomic<int>* cancel = nullptr;

  [[nodiscard]] EngineOptions engine_options() const {
    EngineOptions eo;
    eo.region_rows = !totals_only;
    return eo;
  }
};

//! Loads the scenario and binds the inputs; both ends of each range are run once, so that a
//! value the format refuses is an input error before any sample.
Problem prepare(const ScenarioOptions& o, const std::vector<const Input*>& inputs) {
  Problem p{vary::load_base(o.scenario, load_options(o))};
  for (const Input* in : inputs) {
    (void)vary::bind(p.varied, vary::list_spec(in->spec.pointer, in->factor, {in->lo, in->hi}));
  }
  Runner ends(p.varied);
  for (const bool high : {false, true}) {
    std::vector<double> v;
    for (const Input* in : inputs) v.push_back(high ? in->hi : in->lo);
    (void)ends.run(high ? 1 : 0, v, p.engine_options());
  }
  return p;
}

//! Runs every row of x (a point of the unit cube) on `jobs` threads, one runner each; a row's
//! run is numbered by the row in messages.
void evaluate(const Problem& p, const std::vector<Input>& inputs,
              const std::vector<Metric>& metrics, const Eigen::MatrixXd& x, Eigen::MatrixXd& y,
              int jobs) {
  const EngineOptions eo = p.engine_options();
  vary::for_each_index(
      static_cast<long long>(x.rows()), jobs, [&] { return Runner(p.varied, p.cancel); },
      [&](Runner& r, long long row) {
        const auto j = static_cast<Eigen::Index>(row);
        std::vector<double> values(inputs.size());
        for (std::size_t i = 0; i < inputs.size(); ++i) {
          values[i] = inputs[i].at(x(j, static_cast<Eigen::Index>(i)));
        }
        const Results& res = r.run(row, values, eo);
        for (std::size_t c = 0; c < metrics.size(); ++c) {
          y(j, static_cast<Eigen::Index>(c)) = metrics[c].read(r.scenario(), res);
        }
      });
}

Row row(const Input& in, const Metric& m, const std::string& statistic, double value,
        double lo = kNaN, double hi = kNaN) {
  const std::string years =
      m.first == m.last ? std::to_string(m.first) : fmt::format("{}:{}", m.first, m.last);
  return {in.name,   std::string(column_info(static_cast<Col>(m.col)).name),
          years,     m.selector,
          statistic, value,
          lo,        hi};
}

//! Each input at its low and high ends, the others as the scenario has them.
void tornado(const ScenarioOptions& o, const std::vector<Input>& inputs,
             const std::vector<Metric>& metrics, Analysis& a) {
  const Scenario s = load_scenario(o.scenario, load_options(o));
  const Results base = simulate(s);
  ++a.runs;
  std::vector<std::vector<Row>> per_metric(metrics.size());
  for (const auto& in : inputs) {
    Problem p = prepare(o, {&in});
    p.cancel = o.cancel;
    Runner e(p.varied, p.cancel);
    long long runs = 0;
    auto read_all = [&](double v) {
      const Results& res = e.run(runs, {v}, p.engine_options());
      ++runs;
      std::vector<double> out;
      for (const auto& m : metrics) out.push_back(m.read(e.scenario(), res));
      return out;
    };
    const std::vector<double> at_low = read_all(in.low()), at_high = read_all(in.high());
    a.runs += runs;
    for (std::size_t c = 0; c < metrics.size(); ++c) {
      const Metric& m = metrics[c];
      auto& rows = per_metric[c];
      rows.push_back(row(in, m, "base", m.read(s, base)));
      rows.push_back(row(in, m, "low", at_low[c]));
      rows.push_back(row(in, m, "high", at_high[c]));
      rows.push_back(row(in, m, "swing", std::abs(at_high[c] - at_low[c])));
      rows.push_back(row(in, m, "input_low", in.low()));
      rows.push_back(row(in, m, "input_high", in.high()));
    }
  }
  // Sorted by swing, largest first (stable: the order of --vary among equals).
  for (auto& rows : per_metric) {
    std::vector<std::vector<Row>> groups;
    for (std::size_t i = 0; i < rows.size(); i += 6)
      groups.emplace_back(rows.begin() + i, rows.begin() + i + 6);
    std::stable_sort(groups.begin(), groups.end(),
                     [](const auto& a1, const auto& b1) { return a1[3].value > b1[3].value; });
    for (auto& g : groups) a.rows.insert(a.rows.end(), g.begin(), g.end());
  }
}

//! Morris' grid reaches 0 and 1 of the unit cube, where a normal or lognormal input's quantiles
//! are infinite: such an input's grid spans its 5th to 95th percentiles instead (tornado's
//! ends), and its effects are per that range. Ranges, lists, uniform and triangular inputs keep
//! their whole support.
Model within_ends(const std::vector<Input>& inputs, const Model& f) {
  return [&inputs, f](const Eigen::MatrixXd& x, Eigen::MatrixXd& y) {
    Eigen::MatrixXd xs = x;
    for (Eigen::Index i = 0; i < xs.cols(); ++i) {
      const SpecKind kind = inputs[static_cast<std::size_t>(i)].spec.kind;
      if (kind == SpecKind::kNormal || kind == SpecKind::kLognormal)
        xs.col(i) = (0.05 + 0.9 * x.col(i).array()).matrix();
    }
    f(xs, y);
  };
}

}  // namespace

long long planned_runs(const ScenarioOptions& o) {
  const auto k = static_cast<long long>(o.varies.size());
  if (o.method == "tornado") return 2 * k + 1;
  if (o.method == "morris") return static_cast<long long>(o.trajectories) * (k + 1);
  return o.samples * (k + 2);
}

Analysis analyse(const ScenarioOptions& o) {
  if (o.method != "tornado" && o.method != "morris" && o.method != "sobol") {
    throw InputError(
        "--method", "",
        "expected tornado, morris or sobol, found \"" + text::excerpt(o.method) + "\"");
  }
  if (o.varies.empty()) throw InputError("--vary", "", "no input (expected --vary PTR=SPEC)");
  if (o.metrics.empty())
    throw InputError("--metric", "", "no metric (expected --metric METRIC@YEAR)");
  if (o.samples < 2 || o.samples > 1000000)
    throw InputError("--samples", "", "expected N in 2 to 1000000 (Sobol' samples)");
  if (o.trajectories < 2 || o.trajectories > 100000)
    throw InputError("--trajectories", "", "expected 2 to 100000 Morris trajectories");
  if (o.levels < 2 || o.levels > 100 || o.levels % 2 != 0)
    throw InputError("--levels", "", "expected an even number of Morris levels, 2 to 100");
  if (o.bootstrap < 0 || o.bootstrap > 100000)
    throw InputError("--bootstrap", "", "expected 0 to 100000 bootstrap resamples");
  vary::check_jobs(o.jobs);
  std::vector<Input> inputs;
  for (const auto& v : o.varies) {
    Input in;
    in.spec = parse_input(v);
    in.name = in.spec.pointer + (in.spec.multiply ? "*" : "");
    inputs.push_back(std::move(in));
  }
  Analysis a;
  a.method = o.method;
  a.notes = fit_inputs(o, inputs);
  std::vector<const Input*> bound;
  for (const auto& in : inputs) bound.push_back(&in);
  Problem p = prepare(o, bound);
  p.cancel = o.cancel;
  a.scenario_sha256 = p.varied.base.sha256;
  std::vector<Metric> metrics;
  for (const auto& m : o.metrics)
    metrics.push_back(vary::parse_metric(m, p.varied.base, "--metric"));
  p.totals_only = std::all_of(metrics.begin(), metrics.end(),
                              [](const Metric& m) { return m.selector == "total"; });
  if (o.method == "tornado") {
    tornado(o, inputs, metrics, a);
    return a;
  }
  const int jobs = vary::threads_for(o.jobs, planned_runs(o));
  const Model f = [&](const Eigen::MatrixXd& x, Eigen::MatrixXd& y) {
    evaluate(p, inputs, metrics, x, y, jobs);
  };
  const int k = static_cast<int>(inputs.size()), m = static_cast<int>(metrics.size());
  if (o.method == "morris") {
    const MorrisResult r = morris(k, m, o.trajectories, o.levels, within_ends(inputs, f), o.seed);
    a.runs = r.runs;
    for (int c = 0; c < m; ++c) {
      for (int i = 0; i < k; ++i) {
        const auto& in = inputs[static_cast<std::size_t>(i)];
        const auto& mt = metrics[static_cast<std::size_t>(c)];
        a.rows.push_back(row(in, mt, "mu", r.mu(i, c)));
        a.rows.push_back(row(in, mt, "mu_star", r.mu_star(i, c)));
        a.rows.push_back(row(in, mt, "sigma", r.sigma(i, c)));
      }
    }
    return a;
  }
  const SobolResult r = sobol(k, m, o.samples, f, o.seed, o.bootstrap, o.cancel);
  a.runs = r.runs;
  for (int c = 0; c < m; ++c) {
    for (int i = 0; i < k; ++i) {
      const auto& in = inputs[static_cast<std::size_t>(i)];
      const auto& mt = metrics[static_cast<std::size_t>(c)];
      a.rows.push_back(row(in, mt, "S1", r.first(i, c), r.first_lo(i, c), r.first_hi(i, c)));
      a.rows.push_back(row(in, mt, "ST", r.total(i, c), r.total_lo(i, c), r.total_hi(i, c)));
    }
  }
  return a;
}

}  // namespace dcplan::sensitivity
