#include "dcplan/sweep.hpp"

#include <fmt/format.h>
#include <sys/stat.h>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <fstream>
#include <limits>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <thread>

#include "dcplan/compare.hpp"
#include "dcplan/engine.hpp"
#include "dcplan/error.hpp"
#include "dcplan/io/format.hpp"
#include "dcplan/load.hpp"
#include "dcplan/schema.hpp"
#include "dcplan/trajectory.hpp"
#include "json_io.hpp"
#include "text.hpp"

namespace dcplan {

namespace {

using json = nlohmann::json;
constexpr long long kMaxGridValues = 1000000;
constexpr long long kMaxRuns = 1000000000LL;

std::uint64_t splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

[[noreturn]] void bad_vary(const std::string& text, const std::string& what) {
  throw InputError("--vary", "", "invalid --vary \"" + jsonio::excerpt(text) + "\": " + what);
}

double parse_number(const std::string& text, const std::string& s) {
  double v = 0;
  if (!text::parse_double(s, v)) bad_vary(text, "\"" + jsonio::excerpt(s) + "\" is not a number");
  return v;
}

std::vector<double> parse_numbers(const std::string& text, const std::string& list) {
  std::vector<double> out;
  for (std::string item : text::split(list, ',')) {
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    out.push_back(parse_number(text, item));
  }
  return out;
}

std::uint64_t fnv1a(std::uint64_t h, std::string_view s) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001B3ULL;
  }
  return h;
}

}  // namespace

// ----------------------------------------------------------------------------------------------
// Random numbers and distributions.

Rng::Rng(std::uint64_t seed, std::uint64_t stream) {
  std::uint64_t x = seed;
  const std::uint64_t a = splitmix64(x);
  std::uint64_t y = stream ^ a;
  for (auto& s : s_) s = splitmix64(y);
}

std::uint64_t Rng::next() {
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double Rng::uniform() {
  return static_cast<double>(next() >> 11) * 0x1.0p-53;
}

double Rng::normal() {
  // Box-Muller, one value per pair of uniforms; 1 - u keeps the logarithm finite.
  const double u1 = 1.0 - uniform();
  const double u2 = uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

double VarySpec::draw(Rng& rng) const {
  switch (kind) {
    case SpecKind::kNormal:
      return a + b * rng.normal();
    case SpecKind::kLognormal:
      return std::exp(a + b * rng.normal());
    case SpecKind::kUniform:
      return a + (b - a) * rng.uniform();
    case SpecKind::kTriangular: {
      // Inverse CDF with a = low, b = mode, c = high.
      const double u = rng.uniform();
      const double f = (b - a) / (c - a);
      return u < f ? a + std::sqrt(u * (c - a) * (b - a))
                   : c - std::sqrt((1 - u) * (c - a) * (c - b));
    }
    case SpecKind::kRange:
    case SpecKind::kList:
      break;
  }
  return 0;
}

double VarySpec::mean() const {
  switch (kind) {
    case SpecKind::kNormal:
      return a;
    case SpecKind::kLognormal:
      return std::exp(a + b * b / 2);
    case SpecKind::kUniform:
      return (a + b) / 2;
    case SpecKind::kTriangular:
      return (a + b + c) / 3;
    default:
      return 0;
  }
}

double VarySpec::variance() const {
  switch (kind) {
    case SpecKind::kNormal:
      return b * b;
    case SpecKind::kLognormal:
      return (std::exp(b * b) - 1) * std::exp(2 * a + b * b);
    case SpecKind::kUniform:
      return (b - a) * (b - a) / 12;
    case SpecKind::kTriangular:
      return (a * a + b * b + c * c - a * b - a * c - b * c) / 18;
    default:
      return 0;
  }
}

VarySpec parse_vary(const std::string& text) {
  VarySpec v;
  v.text = text;
  const auto eq = text.find('=');
  if (eq == std::string::npos) bad_vary(text, "expected PTR=SPEC or PTR*=SPEC");
  std::string ptr = text.substr(0, eq);
  if (!ptr.empty() && ptr.back() == '*') {
    v.multiply = true;
    ptr.pop_back();
  }
  if (ptr.empty() || ptr.front() != '/')
    bad_vary(text, "expected a JSON pointer starting with / before =");
  v.pointer = ptr;
  std::string spec = text.substr(eq + 1);
  spec.erase(0, spec.find_first_not_of(' '));
  spec.erase(spec.find_last_not_of(' ') + 1);
  if (spec.empty()) bad_vary(text, "no SPEC after = (expected a:b:step, a,b,c or a distribution)");
  const auto paren = spec.find('(');
  if (paren != std::string::npos) {
    if (spec.back() != ')') bad_vary(text, "a distribution ends with ')'");
    const std::string name = spec.substr(0, paren);
    const auto args = parse_numbers(text, spec.substr(paren + 1, spec.size() - paren - 2));
    auto need = [&](std::size_t n, const char* form) {
      if (args.size() != n) {
        bad_vary(text, fmt::format("{} takes {} numbers, found {}", form, n, args.size()));
      }
    };
    if (name == "normal") {
      need(2, "normal(m,s)");
      v.kind = SpecKind::kNormal;
      if (!(args[1] > 0)) bad_vary(text, "normal(m,s) needs s > 0");
    } else if (name == "lognormal") {
      need(2, "lognormal(mu,sigma)");
      v.kind = SpecKind::kLognormal;
      if (!(args[1] > 0)) bad_vary(text, "lognormal(mu,sigma) needs sigma > 0");
    } else if (name == "uniform") {
      need(2, "uniform(a,b)");
      v.kind = SpecKind::kUniform;
      if (!(args[0] < args[1])) bad_vary(text, "uniform(a,b) needs a < b");
    } else if (name == "triangular") {
      need(3, "triangular(a,mode,b)");
      v.kind = SpecKind::kTriangular;
      if (!(args[0] <= args[1] && args[1] <= args[2] && args[0] < args[2])) {
        bad_vary(text, "triangular(a,mode,b) needs a <= mode <= b and a < b");
      }
    } else {
      bad_vary(text, "unknown distribution \"" + jsonio::excerpt(name) +
                         "\" (expected normal, lognormal, uniform or triangular)");
    }
    v.a = args[0];
    v.b = args[1];
    v.c = args.size() > 2 ? args[2] : 0;
    return v;
  }
  if (spec.find(':') != std::string::npos) {
    const std::vector<std::string> parts = text::split(spec, ':');
    if (parts.size() != 3) bad_vary(text, "a range is a:b:step, three numbers");
    const double a = parse_number(text, parts[0]);
    const double b = parse_number(text, parts[1]);
    const double step = parse_number(text, parts[2]);
    if (!(step > 0)) bad_vary(text, "a range needs step > 0");
    if (b < a) bad_vary(text, "a range a:b:step needs a <= b");
    const double count = std::floor((b - a) / step * (1 + 1e-12) + 1e-9) + 1;
    if (count > kMaxGridValues) bad_vary(text, "a range of more than 1,000,000 values");
    v.kind = SpecKind::kRange;
    for (long long i = 0; i < static_cast<long long>(count); ++i)
      v.values.push_back(a + static_cast<double>(i) * step);
    return v;
  }
  v.kind = SpecKind::kList;
  v.values = parse_numbers(text, spec);
  return v;
}

// ----------------------------------------------------------------------------------------------
// Bindings: a --vary pointer resolved to a field of the loaded Scenario.

namespace {

enum class Field {
  kRegionPue,
  kRegionPrice,
  kRegionGrid,
  kRegionRenewable,
  kRegionFacilityCapex,
  kRegionMaxNew,
  kRegionMaxTotal,
  kRegionConstruction,
  kRegionOpens,
  kRegionInitialCapacity,
  kHwPrice,
  kHwTflops,
  kHwAllIn,
  kHwIdle,
  kHwAfr,
  kHwEmbodied,
  kHwLifetime,
  kHwAvailable,
  kBudget,
  kSplitIt,
  kSplitFacility,
  kSplitOther,
  kFx,
  kUtilisation,
  kMaxUtilisation,
  kFirstYearFraction,
  kDiscountRate,
  kMaintenanceRate,
  kFacilityLife,
  kDemand,
  kDemandPrice,
};

enum class Shape { kArray, kScalar, kInt };

struct Binding {
  VarySpec spec;
  Field field{};
  Shape shape = Shape::kArray;
  int index = -1;                  //!< region or hardware index
  std::string code;                //!< fx currency
  std::optional<int> series_year;  //!< a point of a series
  const schema::Node* node = nullptr;
  std::string field_pointer;  //!< pointer of the whole field
  int series_group = -1;      //!< index into the series specs, for series points
  //! A key without a direct binding: its value is set in the merged document and the scenario
  //! loaded again for each run (slower, and validated like any scenario).
  bool via_document = false;
};

struct SeriesGroup {
  std::string field_pointer;
  Field field{};
  int index = -1;
  std::string code;
  SeriesTrajectory original;
  SeriesTrajectory working;
};

Eigen::ArrayXd* array_of(Scenario& s, Field f, int i, const std::string& code) {
  // Region fields only: never touch a region for the others (a scenario may have none).
  auto region = [&]() -> Region& { return s.regions.at(static_cast<std::size_t>(i)); };
  switch (f) {
    case Field::kRegionPue:
      return &region().pue;
    case Field::kRegionPrice:
      return &region().power_price_usd_per_mwh;
    case Field::kRegionGrid:
      return &region().grid_g_per_kwh;
    case Field::kRegionRenewable:
      return &region().renewable_share;
    case Field::kRegionFacilityCapex:
      return &region().facility_capex_usd_per_mw;
    case Field::kRegionMaxNew:
      return region().max_new_mw_per_year ? &*region().max_new_mw_per_year : nullptr;
    case Field::kRegionMaxTotal:
      return region().max_total_mw ? &*region().max_total_mw : nullptr;
    case Field::kHwPrice:
      return &s.hardware[static_cast<std::size_t>(i)].price_usd;
    case Field::kBudget:
      return &s.capex.budget;
    case Field::kSplitIt:
      return &s.capex.split_it;
    case Field::kSplitFacility:
      return &s.capex.split_facility;
    case Field::kSplitOther:
      return &s.capex.split_other;
    case Field::kFx:
      return &s.fx_per_usd.at(code);
    case Field::kUtilisation:
      return &s.operations.utilisation;
    case Field::kMaxUtilisation:
      return &s.operations.max_utilisation;
    case Field::kDiscountRate:
      return &s.finance.discount_rate;
    case Field::kMaintenanceRate:
      return &s.finance.maintenance_rate;
    case Field::kDemand:
      return s.demand ? &s.demand->eflop_year : nullptr;
    case Field::kDemandPrice:
      return s.demand && s.demand->price_usd_per_eflop_year ? &*s.demand->price_usd_per_eflop_year
                                                            : nullptr;
    default:
      return nullptr;
  }
}

double* scalar_of(Scenario& s, Field f, int i) {
  switch (f) {
    case Field::kRegionInitialCapacity:
      return &s.regions[static_cast<std::size_t>(i)].initial_it_capacity_mw;
    case Field::kHwTflops:
      return &s.hardware[static_cast<std::size_t>(i)].bf16_tflops;
    case Field::kHwAllIn:
      return &s.hardware[static_cast<std::size_t>(i)].all_in_w;
    case Field::kHwIdle:
      return &s.hardware[static_cast<std::size_t>(i)].idle_fraction;
    case Field::kHwAfr:
      return &s.hardware[static_cast<std::size_t>(i)].annual_failure_rate;
    case Field::kHwEmbodied:
      return &s.hardware[static_cast<std::size_t>(i)].embodied_kgco2e;
    case Field::kFirstYearFraction:
      return &s.operations.first_year_fraction;
    default:
      return nullptr;
  }
}

int* int_of(Scenario& s, Field f, int i) {
  switch (f) {
    case Field::kRegionConstruction:
      return &s.regions[static_cast<std::size_t>(i)].construction_years;
    case Field::kHwLifetime:
      return &s.hardware[static_cast<std::size_t>(i)].lifetime_years;
    case Field::kHwAvailable:
      return &s.hardware[static_cast<std::size_t>(i)].available;
    case Field::kFacilityLife:
      return &s.finance.facility_life_years;
    default:
      return nullptr;
  }
}

[[noreturn]] void not_sweepable(const VarySpec& v, const std::string& why) {
  throw InputError("--vary", v.pointer,
                   "cannot vary " + v.pointer + ": " + why +
                       " (every numeric key of hardware, regions, capex, fx_per_usd, operations, "
                       "finance and demand can be varied, or one YEAR of a series with "
                       ".../series/YEAR)");
}

void check_bounds(const VarySpec& v, const schema::Node& node);

//! The value at a pointer of the merged document, or nullptr.
const json* document_value(const json& doc, const std::string& pointer) {
  try {
    const json::json_pointer ptr(pointer);
    return doc.contains(ptr) ? &doc.at(ptr) : nullptr;
  } catch (const json::exception&) {
    return nullptr;
  }
}

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
    int year = 0;
    try {
      year = std::stoi(t.back());
    } catch (const std::exception&) {
      not_sweepable(v, "\"" + jsonio::excerpt(t.back()) + "\" is not a year");
    }
    b.series_year = year;
    t.resize(t.size() - 2);
  }
  const schema::Node* node = schema::node_at(t);
  if (node == nullptr) not_sweepable(v, "the scenario format has no such key");
  b.node = node;
  b.field_pointer = jsonio::pointer(t);
  auto region = [&](const std::string& id) {
    const int i = s.region_index(id);
    if (i < 0) not_sweepable(v, "the scenario has no region \"" + jsonio::excerpt(id) + "\"");
    return i;
  };
  auto hardware = [&](const std::string& id) {
    const int i = s.hardware_index(id);
    if (i < 0) not_sweepable(v, "the scenario has no hardware \"" + jsonio::excerpt(id) + "\"");
    return i;
  };
  static const std::map<std::string, std::pair<Field, Shape>> region_fields = {
      {"pue", {Field::kRegionPue, Shape::kArray}},
      {"power_price_usd_per_mwh", {Field::kRegionPrice, Shape::kArray}},
      {"grid_g_per_kwh", {Field::kRegionGrid, Shape::kArray}},
      {"renewable_share", {Field::kRegionRenewable, Shape::kArray}},
      {"facility_capex_usd_per_mw", {Field::kRegionFacilityCapex, Shape::kArray}},
      {"max_new_mw_per_year", {Field::kRegionMaxNew, Shape::kArray}},
      {"max_total_mw", {Field::kRegionMaxTotal, Shape::kArray}},
      {"construction_years", {Field::kRegionConstruction, Shape::kInt}}};
  static const std::map<std::string, std::pair<Field, Shape>> hw_fields = {
      {"price_usd", {Field::kHwPrice, Shape::kArray}},
      {"bf16_tflops", {Field::kHwTflops, Shape::kScalar}},
      {"all_in_w", {Field::kHwAllIn, Shape::kScalar}},
      {"idle_fraction", {Field::kHwIdle, Shape::kScalar}},
      {"annual_failure_rate", {Field::kHwAfr, Shape::kScalar}},
      {"embodied_kgco2e", {Field::kHwEmbodied, Shape::kScalar}},
      {"lifetime_years", {Field::kHwLifetime, Shape::kInt}},
      {"available", {Field::kHwAvailable, Shape::kInt}}};
  static const std::map<std::string, std::pair<Field, Shape>> top_fields = {
      {"/capex/budget", {Field::kBudget, Shape::kArray}},
      {"/capex/split/it", {Field::kSplitIt, Shape::kArray}},
      {"/capex/split/facility", {Field::kSplitFacility, Shape::kArray}},
      {"/capex/split/other", {Field::kSplitOther, Shape::kArray}},
      {"/operations/utilisation", {Field::kUtilisation, Shape::kArray}},
      {"/operations/max_utilisation", {Field::kMaxUtilisation, Shape::kArray}},
      {"/operations/first_year_fraction", {Field::kFirstYearFraction, Shape::kScalar}},
      {"/finance/discount_rate", {Field::kDiscountRate, Shape::kArray}},
      {"/finance/maintenance_rate", {Field::kMaintenanceRate, Shape::kArray}},
      {"/finance/facility_life_years", {Field::kFacilityLife, Shape::kInt}},
      {"/demand/eflop_year", {Field::kDemand, Shape::kArray}},
      {"/demand/price_usd_per_eflop_year", {Field::kDemandPrice, Shape::kArray}}};
  std::optional<std::pair<Field, Shape>> found;
  if (t.size() == 3 && t[0] == "regions") {
    b.index = region(t[1]);
    if (auto it = region_fields.find(t[2]); it != region_fields.end()) found = it->second;
  } else if (t.size() == 4 && t[0] == "regions" && t[2] == "initial" && t[3] == "it_capacity_mw") {
    b.index = region(t[1]);
    found = {Field::kRegionInitialCapacity, Shape::kScalar};
  } else if (t.size() == 3 && t[0] == "hardware") {
    b.index = hardware(t[1]);
    if (auto it = hw_fields.find(t[2]); it != hw_fields.end()) found = it->second;
  } else if (t.size() == 2 && t[0] == "fx_per_usd") {
    if (s.fx_per_usd.count(t[1]) == 0 || t[1] == "USD")
      not_sweepable(v, "the scenario has no rate for " + t[1]);
    b.code = t[1];
    found = {Field::kFx, Shape::kArray};
  } else if (auto it = top_fields.find(b.field_pointer); it != top_fields.end()) {
    found = it->second;
  }
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
  Scenario& ms = const_cast<Scenario&>(s);
  const bool bound = found && (found->second != Shape::kArray ||
                               array_of(ms, found->first, b.index, b.code) != nullptr);
  if (!bound) {
    // Every other numeric key: through the document (set, or multiply what the scenario has).
    if (v.multiply && !document_value(doc, v.pointer)) {
      not_sweepable(v,
                    "the scenario does not set it, so there is nothing to multiply (set it "
                    "in the scenario or with --set first)");
    }
    b.via_document = true;
    check_bounds(v, *node);
    return b;
  }
  b.field = found->first;
  b.shape = found->second;
  if (b.series_year) {
    if (b.shape != Shape::kArray) not_sweepable(v, "it is not a trajectory");
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
      sg.field = b.field;
      sg.index = b.index;
      sg.code = b.code;
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

//! A sweep prepared once: the base scenario, bindings, grid sizes, metadata.
struct Plan {
  Scenario base;
  json doc;          //!< the merged document, for bindings through the document
  std::string file;  //!< the scenario's file, which anchors it
  bool any_document = false;
  std::vector<Binding> bindings;
  std::vector<SeriesGroup> groups;
  std::vector<std::size_t> grid_bindings;  //!< indices of grid bindings, in flag order
  long long grid_size = 1;
  long long samples = 1;
  long long total = 0;
  std::vector<int> metrics;
  std::uint64_t hash = 0;
  bool split_varied = false;
};

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
    json& at = doc[json::json_pointer(b.spec.pointer)];
    if (b.spec.multiply) {
      multiply_trajectory(at, value[i]);
    } else {
      at = value[i];
    }
  }
  try {
    ws = load_scenario_text(doc.dump(), p.file, LoadOptions{});
  } catch (const InputError& e) {
    std::vector<Diagnostic> ds = e.diagnostics();
    for (auto& d : ds) d.message = fmt::format("run {}: {}", run, d.message);
    throw InputError(std::move(ds));
  }
}

//! Sets the working scenario for run `run`; `params` receives the value of each binding.
void apply(const Plan& p, long long run, Scenario& ws, std::vector<SeriesGroup>& groups,
           std::vector<double>& params) {
  const Scenario& bs = p.base;
  // Restore every touched field from the base.
  for (const auto& b : p.bindings) {
    if (b.via_document) continue;
    switch (b.shape) {
      case Shape::kArray:
        *array_of(ws, b.field, b.index, b.code) =
            *array_of(const_cast<Scenario&>(bs), b.field, b.index, b.code);
        break;
      case Shape::kScalar:
        *scalar_of(ws, b.field, b.index) = *scalar_of(const_cast<Scenario&>(bs), b.field, b.index);
        break;
      case Shape::kInt:
        *int_of(ws, b.field, b.index) = *int_of(const_cast<Scenario&>(bs), b.field, b.index);
        break;
    }
  }
  for (auto& g : groups) g.working = g.original;
  // Values: grid coordinates from the run's grid point, draws from the run's generator.
  Rng rng(0x5eed0000ULL ^ static_cast<std::uint64_t>(p.hash), static_cast<std::uint64_t>(run));
  long long g = run / p.samples;
  std::vector<double>& value = params;
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
  if (p.any_document) load_with_document_values(p, run, value, ws);
  const int years = bs.horizon.years();
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
    switch (b.shape) {
      case Shape::kArray: {
        auto& a = *array_of(ws, b.field, b.index, b.code);
        if (b.spec.multiply) {
          a *= x;
        } else {
          a.setConstant(x);
        }
        break;
      }
      case Shape::kScalar: {
        double& d = *scalar_of(ws, b.field, b.index);
        d = b.spec.multiply ? d * x : x;
        if (!b.node->in_bounds(d))
          bad_draw(run, b,
                   fmt::format("{} = {:g} is outside its bounds ({})", b.field_pointer, d,
                               b.node->expectation()));
        break;
      }
      case Shape::kInt: {
        int& n = *int_of(ws, b.field, b.index);
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
  for (auto& sg : groups) {
    auto& a = *array_of(ws, sg.field, sg.index, sg.code);
    for (int y = 0; y < years; ++y) a(y) = value_at(Trajectory{sg.working}, bs.horizon.start + y);
  }
  // Bounds of every varied trajectory, in every year.
  for (const auto& b : p.bindings) {
    if (b.via_document || b.shape != Shape::kArray) continue;
    const auto& a = *array_of(ws, b.field, b.index, b.code);
    for (int y = 0; y < years; ++y) {
      if (!std::isfinite(a(y)) || !b.node->in_bounds(a(y))) {
        bad_draw(run, b,
                 fmt::format("{} = {:g} in {} is outside its bounds ({})", b.field_pointer, a(y),
                             bs.horizon.start + y, b.node->expectation()));
      }
    }
    if (b.field == Field::kFx && b.code == ws.currency) ws.capex.fx_per_usd = a;
  }
  // The loader's rules between values hold for every run, not just the base.
  if (const auto broken = check_consistency(ws); !broken.empty()) {
    std::string varied;
    for (const auto& b : p.bindings) varied += (varied.empty() ? "" : ", ") + b.spec.text;
    throw InputError("--vary", broken.front().pointer,
                     fmt::format("run {}: {} (with --vary {}); narrow the values varied", run,
                                 broken.front().message, jsonio::excerpt(varied)));
  }
  if (p.split_varied) {
    const Eigen::ArrayXd sum = ws.capex.split_it + ws.capex.split_facility + ws.capex.split_other;
    for (int y = 0; y < years; ++y) {
      if (std::abs(sum(y) - 1.0) > 1e-9) {
        for (const auto& b : p.bindings) {
          if (!b.via_document && (b.field == Field::kSplitIt || b.field == Field::kSplitFacility ||
                                  b.field == Field::kSplitOther)) {
            throw InputError(
                "--vary", b.spec.pointer,
                fmt::format("run {}: ", run) +

                    fmt::format("capex split sums to {:g} in {}, not 1. The three shares must "
                                "sum to 1, so a sweep cannot vary one alone (a \"rest\" share "
                                "that absorbs the difference comes with model v2). Meanwhile, "
                                "run one sweep per split with fixed shares, e.g. --set "
                                "/capex/split/it=0.7 --set /capex/split/facility=0.25 --set "
                                "/capex/split/other=0.05",
                                sum(y), bs.horizon.start + y));
          }
        }
      }
    }
  }
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
  if (o.format != "csv" && o.format != "jsonl") {
    throw InputError("--format", "", "expected csv or jsonl, found \"" + o.format + "\"");
  }
  std::vector<VarySpec> specs;
  for (const auto& v : o.varies) specs.push_back(parse_vary(v));
  const LoadOptions lo{o.overrides, o.allow_dirs};
  const std::string merged = merged_document(o.scenario, lo);
  p.base = load_scenario(o.scenario, lo);
  p.doc = json::parse(merged);
  p.file = o.scenario;
  const json& doc = p.doc;
  bool any_distribution = false;
  for (const auto& v : specs) {
    p.bindings.push_back(bind_vary(v, p.base, doc, p.groups));
    const auto& b = p.bindings.back();
    if (b.via_document) p.any_document = true;
    if (!b.via_document && (b.field == Field::kSplitIt || b.field == Field::kSplitFacility ||
                            b.field == Field::kSplitOther))
      p.split_varied = true;
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
                                : io::parse_metrics(o.metrics, p.base.demand.has_value());
  // The hash names the sweep: scenario and every argument that changes its output.
  std::uint64_t h = 0xcbf29ce484222325ULL;
  h = fnv1a(h, merged);
  for (const auto& v : o.varies) h = fnv1a(fnv1a(h, "|vary:"), v);
  h = fnv1a(h, fmt::format("|samples:{}|seed:{}|metrics:{}|by:{}|summary:{}|{}", p.samples, o.seed,
                           o.metrics, o.by_region, o.summary, o.format));
  p.hash = h ^ (o.seed * 0x9E3779B97F4A7C15ULL);
  return p;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string param_name(const VarySpec& v) {
  return v.pointer + (v.multiply ? "*" : "");
}

//! P-square estimate of one quantile (Jain & Chlamtac, 1985), fed in run order.
class P2 {
 public:
  explicit P2(double q) : q_(q) {}
  void add(double x) {
    if (n_ < 5) {
      h_[n_++] = x;
      if (n_ == 5) {
        std::sort(h_, h_ + 5);
        for (int i = 0; i < 5; ++i) pos_[i] = i + 1;
        want_[0] = 1;
        want_[1] = 1 + 2 * q_;
        want_[2] = 1 + 4 * q_;
        want_[3] = 3 + 2 * q_;
        want_[4] = 5;
        inc_[0] = 0;
        inc_[1] = q_ / 2;
        inc_[2] = q_;
        inc_[3] = (1 + q_) / 2;
        inc_[4] = 1;
      }
      return;
    }
    ++n_;
    int k;
    if (x < h_[0]) {
      h_[0] = x;
      k = 0;
    } else if (x >= h_[4]) {
      h_[4] = x;
      k = 3;
    } else {
      k = 0;
      while (k < 3 && x >= h_[k + 1]) ++k;
    }
    for (int i = k + 1; i < 5; ++i) pos_[i] += 1;
    for (int i = 0; i < 5; ++i) want_[i] += inc_[i];
    for (int i = 1; i < 4; ++i) {
      const double d = want_[i] - pos_[i];
      if ((d >= 1 && pos_[i + 1] - pos_[i] > 1) || (d <= -1 && pos_[i - 1] - pos_[i] < -1)) {
        const int s = d > 0 ? 1 : -1;
        const double hp =
            h_[i] +
            s / (pos_[i + 1] - pos_[i - 1]) *
                ((pos_[i] - pos_[i - 1] + s) * (h_[i + 1] - h_[i]) / (pos_[i + 1] - pos_[i]) +
                 (pos_[i + 1] - pos_[i] - s) * (h_[i] - h_[i - 1]) / (pos_[i] - pos_[i - 1]));
        if (h_[i - 1] < hp && hp < h_[i + 1]) {
          h_[i] = hp;
        } else {
          h_[i] = h_[i] + s * (h_[i + s] - h_[i]) / (pos_[i + s] - pos_[i]);
        }
        pos_[i] += s;
      }
    }
  }
  [[nodiscard]] double value() const {
    if (n_ == 0) return std::numeric_limits<double>::quiet_NaN();
    if (n_ < 5) {
      double tmp[5];
      for (int i = 0; i < n_; ++i) {
        int j = i;
        for (; j > 0 && tmp[j - 1] > h_[i]; --j) tmp[j] = tmp[j - 1];
        tmp[j] = h_[i];
      }
      // Linear interpolation between order statistics.
      const double r = q_ * (n_ - 1);
      const int lo = static_cast<int>(std::floor(r));
      const int hi = std::min(lo + 1, n_ - 1);
      return tmp[lo] + (r - lo) * (tmp[hi] - tmp[lo]);
    }
    return h_[2];
  }

 private:
  double q_;
  int n_ = 0;
  double h_[5] = {};
  double pos_[5] = {};
  double want_[5] = {};
  double inc_[5] = {};
};

struct Cell {
  long long n = 0;
  double mean = 0;
  P2 p5{0.05}, p50{0.5}, p95{0.95};
  void add(double x) {
    ++n;
    mean += (x - mean) / static_cast<double>(n);
    p5.add(x);
    p50.add(x);
    p95.add(x);
  }
};

//! One run's output: text rows, or the values for the summary.
struct Slot {
  std::string text;
  std::vector<double> values;
  std::string error;
  std::vector<Diagnostic> diagnostics;
  bool ready = false;
};

}  // namespace

void run_sweep(const SweepOptions& o, std::ostream& out,
               const std::function<void(const SweepProgress&)>& progress) {
  Plan p = prepare(o);
  const long long count =
      p.total <= o.shard_k ? 0 : (p.total - o.shard_k + o.shard_n - 1) / o.shard_n;
  // Every grid point is checked before a line is written (its first run: grid values are the
  // same for each of its samples), so a value the loader would refuse stops the sweep with
  // nothing on standard output. Draws are checked as they are made.
  {
    Scenario ws = p.base;
    auto groups = p.groups;
    std::vector<double> params;
    const long long points = std::min<long long>(p.grid_size, 100000);
    for (long long g = 0; g < points; ++g) apply(p, g * p.samples, ws, groups, params);
  }
  const int jobs = o.jobs > 0 ? o.jobs : std::max(1u, std::thread::hardware_concurrency());

  // Rows each run reports: total rows, or every region and total.
  std::vector<int> regions;  // indices into the result regions, RowKey::kTotal for total
  if (o.by_region) {
    for (std::size_t r = 0; r < p.base.regions.size(); ++r) regions.push_back(static_cast<int>(r));
  }
  regions.push_back(RowKey::kTotal);
  const int years = p.base.horizon.years();
  const std::size_t per_run = static_cast<std::size_t>(years) * regions.size() * p.metrics.size();
  auto region_name = [&](int r) {
    return r == RowKey::kTotal ? std::string("total")
                               : p.base.regions[static_cast<std::size_t>(r)].id;
  };

  const std::string shard_text = fmt::format("{}/{}", o.shard_k, o.shard_n);
  if (!o.summary) {
    if (o.format == "csv") {
      out << fmt::format("# dcplan-sweep v1 hash={:016x} runs={} shard={}\n", p.hash, p.total,
                         shard_text);
      out << "run";
      for (const auto& b : p.bindings) out << "," << csv_field(param_name(b.spec));
      out << ",year,region";
      for (int m : p.metrics) out << "," << column_info(static_cast<Col>(m)).name;
      out << "\n";
    } else {
      out << fmt::format(
          "{{\"dcplan_sweep\":{{\"version\":1,\"hash\":\"{:016x}\",\"runs\":{},\"shard\":\"{}\"}}}}"
          "\n",
          p.hash, p.total, shard_text);
    }
  }

  std::vector<Cell> cells(o.summary ? per_run : 0);
  // Work: run `pos`-th index of this shard = shard_k + pos * shard_n.
  // Runs a worker takes at once, and the reorder buffer: room for a few chunks per worker, so
  // that threads rarely wait for each other (every wake-up is a system call).
  constexpr long long kChunk = 32;
  const long long capacity = 4 * kChunk * std::max(jobs, 1);
  std::vector<Slot> slots(
      static_cast<std::size_t>(std::min<long long>(capacity, std::max<long long>(count, 1))));
  std::mutex mu;
  std::condition_variable cv_work, cv_ready;
  int idle_workers = 0;         // waiting on cv_work
  bool writer_waiting = false;  // waiting on cv_ready
  long long next_pos = 0;       // next position to hand out
  long long written = 0;        // positions consumed by the writer
  bool stop = false;

  auto compute = [&](long long pos, Engine& engine, Results& res, Scenario& ws,
                     std::vector<SeriesGroup>& groups, std::vector<double>& params, Slot& slot) {
    const long long run = o.shard_k + pos * o.shard_n;
    try {
      apply(p, run, ws, groups, params);
      EngineOptions eo;
      eo.region_rows = o.by_region;
      engine.run(ws, eo, res);
      // Each year's rows: the regions (with --by region), then the total.
      const int per_year = static_cast<int>(res.rows() / years);
      auto row_of = [&](int t, int r) {
        return static_cast<Eigen::Index>(t * per_year + (r == RowKey::kTotal ? per_year - 1 : r));
      };
      if (o.summary) {
        slot.values.resize(per_run);
        std::size_t k = 0;
        for (int t = 0; t < years; ++t) {
          for (int r : regions) {
            for (int m : p.metrics) slot.values[k++] = res.values(row_of(t, r), m);
          }
        }
      } else {
        std::string& s = slot.text;
        s.clear();
        std::string prefix = std::to_string(run);
        if (o.format == "csv") {
          for (double v : params) prefix.append(",").append(io::exact_number(v));
          for (int t = 0; t < years; ++t) {
            for (int r : regions) {
              s += prefix;
              s.append(",")
                  .append(std::to_string(p.base.horizon.start + t))
                  .append(",")
                  .append(region_name(r));
              for (int m : p.metrics) {
                s += ',';
                s += io::exact_number(res.values(row_of(t, r), m));
              }
              s += '\n';
            }
          }
        } else {
          std::string params_json = "{";
          for (std::size_t i = 0; i < params.size(); ++i) {
            params_json += (i ? ",\"" : "\"") + param_name(p.bindings[i].spec) +
                           "\":" + io::exact_number(params[i]);
          }
          params_json += "}";
          for (int t = 0; t < years; ++t) {
            for (int r : regions) {
              s += "{\"run\":" + prefix + ",\"params\":" + params_json +
                   ",\"year\":" + std::to_string(p.base.horizon.start + t) + ",\"region\":\"" +
                   region_name(r) + "\"";
              for (int m : p.metrics) {
                const double v = res.values(row_of(t, r), m);
                s += ",\"" + std::string(column_info(static_cast<Col>(m)).name) +
                     "\":" + (is_empty_cell(v) ? std::string("null") : io::exact_number(v));
              }
              s += "}\n";
            }
          }
        }
      }
    } catch (const InputError& e) {
      // The engine's own findings (numbers that overflow) are about the scenario's file.
      slot.diagnostics = e.diagnostics();
      for (auto& d : slot.diagnostics) {
        if (d.file.empty()) d.file = o.scenario;
        if (d.message.rfind("run ", 0) != 0) d.message = fmt::format("run {}: {}", run, d.message);
      }
      slot.error = "input";
    } catch (const std::exception& e) {
      slot.error = e.what();
    }
  };

  auto consume = [&](Slot& slot) {
    if (!slot.error.empty()) {
      if (!slot.diagnostics.empty()) throw InputError(slot.diagnostics);
      throw ModelError(slot.error);
    }
    if (o.summary) {
      for (std::size_t k = 0; k < per_run; ++k) {
        if (!is_empty_cell(slot.values[k])) cells[k].add(slot.values[k]);
      }
    } else {
      out << slot.text;
    }
  };

  auto last_report = std::chrono::steady_clock::now();
  auto report = [&](long long done, bool force) {
    if (!progress) return;
    const auto now = std::chrono::steady_clock::now();
    if (force || now - last_report > std::chrono::milliseconds(200)) {
      last_report = now;
      progress({done, count});
    }
  };

  if (jobs == 1 || count <= 1) {
    Engine engine;
    Results res;
    Scenario ws = p.base;
    auto groups = p.groups;
    std::vector<double> params;
    Slot slot;
    for (long long pos = 0; pos < count; ++pos) {
      if (o.cancel != nullptr && o.cancel->load() != 0) throw Interrupted(o.cancel->load());
      slot.error.clear();
      compute(pos, engine, res, ws, groups, params, slot);
      consume(slot);
      report(pos + 1, false);
    }
  } else {
    std::vector<std::thread> workers;
    const auto cap = static_cast<long long>(slots.size());
    for (int w = 0; w < jobs; ++w) {
      workers.emplace_back([&] {
        Engine engine;
        Results res;
        Scenario ws = p.base;
        auto groups = p.groups;
        std::vector<double> params;
        std::vector<Slot> local(static_cast<std::size_t>(kChunk));
        while (true) {
          // Take a chunk of consecutive runs: fewer wake-ups than one run at a time.
          long long first, n;
          {
            std::unique_lock lock(mu);
            ++idle_workers;
            cv_work.wait(lock,
                         [&] { return stop || next_pos >= count || next_pos < written + cap; });
            --idle_workers;
            if (stop || next_pos >= count) return;
            first = next_pos;
            n = std::min({kChunk, count - next_pos, written + cap - next_pos});
            next_pos += n;
          }
          for (long long i = 0; i < n; ++i) {
            Slot& slot = local[static_cast<std::size_t>(i)];
            slot.error.clear();
            slot.diagnostics.clear();
            compute(first + i, engine, res, ws, groups, params, slot);
          }
          bool wake_writer;
          {
            // The whole chunk under one lock.
            std::lock_guard lock(mu);
            for (long long i = 0; i < n; ++i) {
              Slot& slot = slots[static_cast<std::size_t>((first + i) % cap)];
              std::swap(slot, local[static_cast<std::size_t>(i)]);
              slot.ready = true;
            }
            wake_writer = writer_waiting && first == written;
          }
          if (wake_writer) cv_ready.notify_one();
        }
      });
    }
    auto finish = [&] {
      {
        std::lock_guard lock(mu);
        stop = true;
      }
      cv_work.notify_all();
      for (auto& t : workers) t.join();
    };
    try {
      while (written < count) {
        if (o.cancel != nullptr && o.cancel->load() != 0) throw Interrupted(o.cancel->load());
        // Every ready run from `written` on, in order. No worker touches a ready slot, so they
        // are consumed outside the lock.
        auto slot_at = [&](long long pos) -> Slot& {
          return slots[static_cast<std::size_t>(pos % cap)];
        };
        long long ready = 0;
        {
          std::unique_lock lock(mu);
          writer_waiting = true;
          cv_ready.wait(lock, [&] { return slot_at(written).ready; });
          writer_waiting = false;
          while (ready < cap && written + ready < count && slot_at(written + ready).ready) ++ready;
        }
        for (long long i = 0; i < ready; ++i) consume(slot_at(written + i));
        bool wake_workers;
        {
          std::lock_guard lock(mu);
          for (long long i = 0; i < ready; ++i) slot_at(written + i).ready = false;
          written += ready;
          wake_workers = idle_workers > 0;
        }
        if (wake_workers) cv_work.notify_all();
        report(written, false);
      }
    } catch (...) {
      finish();
      throw;
    }
    finish();
  }
  report(count, true);

  if (o.summary) {
    if (o.format == "csv") {
      out << "year,region,metric,n,mean,p5,p50,p95\n";
    }
    std::size_t k = 0;
    for (int t = 0; t < years; ++t) {
      for (int r : regions) {
        for (int m : p.metrics) {
          const Cell& c = cells[k++];
          const std::string name(column_info(static_cast<Col>(m)).name);
          const double mean = c.n > 0 ? c.mean : std::numeric_limits<double>::quiet_NaN();
          if (o.format == "csv") {
            out << p.base.horizon.start + t << "," << region_name(r) << "," << name << "," << c.n
                << "," << io::exact_number(mean) << "," << io::exact_number(c.p5.value()) << ","
                << io::exact_number(c.p50.value()) << "," << io::exact_number(c.p95.value())
                << "\n";
          } else {
            auto num = [](double v) {
              return is_empty_cell(v) ? std::string("null") : io::exact_number(v);
            };
            out << "{\"year\":" << p.base.horizon.start + t << ",\"region\":\"" << region_name(r)
                << "\",\"metric\":\"" << name << "\",\"n\":" << c.n << ",\"mean\":" << num(mean)
                << ",\"p5\":" << num(c.p5.value()) << ",\"p50\":" << num(c.p50.value())
                << ",\"p95\":" << num(c.p95.value()) << "}\n";
          }
        }
      }
    }
  }
}

// ----------------------------------------------------------------------------------------------
// Merging shards.

namespace {

struct ShardHeader {
  std::string hash;
  long long runs = 0;
  long long k = 0;
  long long n = 1;
  bool jsonl = false;
};

//! A whole decimal number in [0, max], or -1.
long long whole(std::string_view text, long long max) {
  if (text.empty() || text.size() > 18 ||
      text.find_first_not_of("0123456789") != std::string_view::npos)
    return -1;
  const long long v = std::stoll(std::string(text));
  return v <= max ? v : -1;
}

ShardHeader parse_header(const std::string& file, const std::string& line) {
  ShardHeader h;
  auto fail = [&](const std::string& what) -> ShardHeader {
    throw InputError(file, "",
                     "not a dcplan sweep output: " + what +
                         " (expected the first line written by dcplan sweep; --summary outputs "
                         "cannot be merged)");
  };
  std::string shard;
  std::string runs;
  if (line.rfind("# dcplan-sweep v1 ", 0) == 0) {
    const auto fields = text::split(std::string_view(line).substr(18), ' ');
    if (fields.size() != 3 || fields[0].rfind("hash=", 0) != 0 ||
        fields[1].rfind("runs=", 0) != 0 || fields[2].rfind("shard=", 0) != 0)
      return fail("malformed header");
    h.hash = fields[0].substr(5);
    runs = fields[1].substr(5);
    shard = fields[2].substr(6);
  } else if (line.rfind("{\"dcplan_sweep\":", 0) == 0) {
    h.jsonl = true;
    const json j = json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("dcplan_sweep") ||
        !j["dcplan_sweep"].is_object())
      return fail("malformed header");
    const auto& m = j["dcplan_sweep"];
    if (!m.contains("hash") || !m["hash"].is_string() || !m.contains("runs") ||
        !m["runs"].is_number_unsigned() || !m.contains("shard") || !m["shard"].is_string())
      return fail("malformed header (expected hash and shard strings and a whole runs count)");
    h.hash = m["hash"].get<std::string>();
    runs = std::to_string(m["runs"].get<std::uint64_t>());
    shard = m["shard"].get<std::string>();
  } else {
    return fail("first line is \"" + jsonio::excerpt(line) + "\"");
  }
  if (h.hash.size() != 16 || h.hash.find_first_not_of("0123456789abcdef") != std::string::npos)
    return fail("malformed hash");
  h.runs = whole(runs, kMaxRuns);
  if (h.runs < 0) return fail("malformed runs count \"" + jsonio::excerpt(runs) + "\"");
  const auto slash = shard.find('/');
  if (slash == std::string::npos) return fail("malformed shard \"" + jsonio::excerpt(shard) + "\"");
  h.k = whole(std::string_view(shard).substr(0, slash), kMaxRuns);
  h.n = whole(std::string_view(shard).substr(slash + 1), kMaxRuns);
  if (h.n < 1 || h.k < 0 || h.k >= h.n)
    return fail("malformed shard \"" + jsonio::excerpt(shard) + "\"");
  return h;
}

//! The number of comma-separated fields of a csv line (quotes respected), or -1 when a quote
//! is left open.
long long csv_fields(const std::string& line) {
  long long n = 1;
  bool quoted = false;
  for (char c : line) {
    if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      ++n;
    }
  }
  return quoted ? -1 : n;
}

}  // namespace

void merge_sweeps(const std::vector<std::string>& files, std::ostream& out) {
  if (files.empty()) throw InputError("merge", "", "no files to merge");
  struct Input {
    std::string file;
    std::ifstream in;
    ShardHeader header;
    std::string columns;
    long long fields = 0;  //!< csv: fields of the column line
    long long line_no = 1;
    std::string line;
    bool done = false;
    void next() {
      if (std::getline(in, line)) {
        ++line_no;
      } else {
        done = true;
      }
    }
  };
  std::vector<Input> inputs(files.size());
  for (std::size_t i = 0; i < files.size(); ++i) {
    auto& in = inputs[i];
    in.file = files[i];
    struct stat st {};
    // Files and pipes (dcplan merge <(ssh node1 cat out.0.csv) ...), never a directory.
    if (::stat(files[i].c_str(), &st) == 0 && S_ISDIR(st.st_mode))
      throw InputError(files[i], "", "expected a sweep output file, found a directory");
    in.in.open(files[i]);
    if (!in.in) throw InputError(files[i], "", "cannot read the file");
    std::string first;
    if (!std::getline(in.in, first))
      throw InputError(files[i], "", "not a dcplan sweep output: the file is empty");
    in.header = parse_header(files[i], first);
    if (!in.header.jsonl) {
      if (!std::getline(in.in, in.columns)) throw InputError(files[i], "", "no column line");
      ++in.line_no;
      in.fields = csv_fields(in.columns);
      if (in.columns.rfind("run,", 0) != 0 || in.fields < 2)
        throw InputError(files[i], "", "malformed column line (expected run,...)");
    }
    in.next();
  }
  const auto& h0 = inputs[0].header;
  // Every shard of the sweep must be given, each once. Nothing is allocated by the shard count
  // a header claims: only by the files given.
  std::map<long long, Input*> by_shard;
  for (auto& in : inputs) {
    const auto& h = in.header;
    if (h.hash != h0.hash || h.runs != h0.runs || h.jsonl != h0.jsonl ||
        in.columns != inputs[0].columns) {
      throw InputError(in.file, "",
                       fmt::format("shard of a different sweep: hash {} (runs {}) vs {} (runs {}) "
                                   "in {}; merge only the shards of one sweep",
                                   h.hash, h.runs, h0.hash, h0.runs, inputs[0].file));
    }
    if (h.n != h0.n)
      throw InputError(in.file, "",
                       fmt::format("shard {}/{} does not belong with {}/{}", h.k, h.n, h0.k, h0.n));
    if (!by_shard.emplace(h.k, &in).second)
      throw InputError(in.file, "", fmt::format("shard {}/{} given twice", h.k, h.n));
  }
  for (long long k = 0; k < h0.n; ++k) {
    if (by_shard.count(k) == 0)
      throw InputError("merge", "", fmt::format("shard {}/{} is missing", k, h0.n));
  }
  if (h0.jsonl) {
    out << fmt::format(
        "{{\"dcplan_sweep\":{{\"version\":1,\"hash\":\"{}\",\"runs\":{},\"shard\":\"0/1\"}}}}\n",
        h0.hash, h0.runs);
  } else {
    out << fmt::format("# dcplan-sweep v1 hash={} runs={} shard=0/1\n", h0.hash, h0.runs)
        << inputs[0].columns << "\n";
  }
  // Run r is in shard r mod N, and every run has as many rows as the first: each row is checked
  // (its run, its shape) as it is copied, so a truncated, reordered, foreign or padded shard is
  // an error, never a silently wrong merge.
  long long rows_per_run = -1;
  auto run_of = [&](Input& in) -> long long {
    if (h0.jsonl) {
      const json j = json::parse(in.line, nullptr, false);
      if (j.is_discarded() || !j.is_object() || !j.contains("run") ||
          !j["run"].is_number_unsigned())
        return -1;
      return static_cast<long long>(std::min<std::uint64_t>(j["run"].get<std::uint64_t>(),
                                                            static_cast<std::uint64_t>(kMaxRuns)));
    }
    if (csv_fields(in.line) != in.fields) return -1;
    return whole(std::string_view(in.line).substr(0, in.line.find(',')), kMaxRuns);
  };
  auto bad = [](const Input& in, const std::string& what) {
    throw InputError(in.file, "", fmt::format("line {}: {}", in.line_no, what));
  };
  for (long long r = 0; r < h0.runs; ++r) {
    Input& in = *by_shard.at(r % h0.n);
    if (in.done) bad(in, fmt::format("the shard ends before run {} (truncated?)", r));
    long long rows = 0;
    while (!in.done) {
      const long long run = run_of(in);
      if (run < 0) bad(in, "malformed row \"" + jsonio::excerpt(in.line) + "\"");
      if (run != r) break;
      out << in.line << "\n";
      ++rows;
      in.next();
    }
    if (rows == 0)
      bad(in, fmt::format("expected run {}, found \"{}\"", r, jsonio::excerpt(in.line)));
    if (rows_per_run < 0) rows_per_run = rows;
    if (rows != rows_per_run)
      bad(in, fmt::format("run {} has {} rows, the others {}", r, rows, rows_per_run));
  }
  for (auto& in : inputs) {
    if (!in.done) bad(in, "rows after the shard's last run: \"" + jsonio::excerpt(in.line) + "\"");
  }
}

}  // namespace dcplan
