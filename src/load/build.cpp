// The loader's third pass (the passes in order: src/load/detail.hpp): the Builder turns the
// document check.cpp checked into a Scenario, checking meaning (ids, the horizon, currencies,
// the initial fleet) and evaluating every trajectory over the horizon. This file holds
// Builder::build, the order of its steps, and the steps for the horizon, currency, hardware
// and regions; build_initial.cpp holds a region's initial assets and what it may install,
// build_capex.cpp and build_targets.cpp the other steps, and rules.cpp the rules between values
// it applies last.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "dcplan/error.hpp"
#include "dcplan/load.hpp"
#include "dcplan/schema.hpp"
#include "dcplan/trajectory.hpp"
#include "load/detail.hpp"
#include "params.hpp"
#include "text.hpp"

namespace dcplan::loader {

namespace {

// Bounds of one scenario, so that an untrusted one cannot make a run take unbounded memory or
// time: the horizon, the regions and hardware types alone, and their product below.
constexpr int kMaxHorizonYears = 200;
constexpr std::size_t kMaxRegions = 2000;
//! Regions x hardware types x years: each limit alone is not enough, their product is what the
//! engine and the results cost (a mix table per region, a row per region, hardware and year).
constexpr double kMaxWork = 1e6;
constexpr std::size_t kMaxHardware = 500;

}  // namespace

//! (Declared in detail.hpp.) obj[key] when obj is an object that has it and it is not null,
//! else nullptr: the Builder reads a document whose shape check() has already reported on,
//! so every read tolerates a missing or mistyped value rather than throwing.
const json* member(const json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

//! (Declared in detail.hpp.) The key table's node for a field the Builder knows exists; a
//! missing one is a bug (ModelError), not an input error.
const Node& field_node(const Node& obj, const char* key) {
  const schema::Field* f = obj.field(key);
  DCPLAN_ASSERT(f != nullptr);
  return *f->node;
}

//! The third pass. Its order matters: the horizon first (every trajectory is evaluated over it),
//! then currency (the budget is converted with its rates), hardware (regions refer to it by id),
//! regions (their allowed hardware, fleet and keep need hardware indices), the top-level
//! parameters, the capex section (weights and mixes resolve selectors over the regions), what
//! each region may buy, observed history and targets; the rules between values last, on the
//! whole Scenario. Problems are collected in the Context; returns nullopt when there is any, so
//! the caller throws them all at once.
std::optional<Scenario> Builder::build() {
  Scenario s;
  s.name = text(doc_, "name");
  s.title = text(doc_, "title");
  s.description = text(doc_, "description");
  s.sources = strings(member(doc_, "sources"));
  s.assumptions = strings(member(doc_, "assumptions"));
  if (!horizon(s)) return std::nullopt;
  h_ = s.horizon;
  currency(s);
  hardware(s);
  regions(s);
  if (const json* d = member(doc_, "demand"); d != nullptr && d->is_object()) s.demand.emplace();
  read_params(s, params::Scope::kTop, 0, "", doc_);
  capex(s);
  buyable(s);
  observed(s);
  targets(s);
  if (!ctx_.ok()) return std::nullopt;
  // The rules between values, shared with sweep, which checks them again for every run.
  for (auto& d : check_consistency(s)) ctx_.error(d.pointer, std::move(d.message));
  if (!ctx_.ok()) return std::nullopt;
  // A region with a share of a budget that opens too late: its share piles up as carry-over.
  // A warning, not an error: the scenario is valid and its numbers are what it says, but a
  // planner rarely means to carry a share over every year.
  const bool any_budget = (s.capex.budget > 0).any();
  for (std::size_t i = 0; i < s.regions.size(); ++i) {
    const Region& r = s.regions[i];
    const bool weighted = (s.capex.region_weight.row(static_cast<Eigen::Index>(i)) > 0).any();
    if (any_budget && weighted && r.opens && *r.opens > s.horizon.end) {
      spdlog::warn(
          "{}: region {} opens in {}, after the horizon ends ({}): it receives nothing "
          "and its weight's share of the budget carries over every year",
          text::terminal_safe(ctx_.file_for("/regions/" + r.id), 160), r.id, *r.opens,
          s.horizon.end);
    }
  }
  return s;
}

//! A string member, or "" when absent or not a string (check() reported the type).
std::string Builder::text(const json& obj, const char* key) {
  const json* v = member(obj, key);
  return v != nullptr && v->is_string() ? v->get<std::string>() : std::string();
}

//! The strings of an array (others skipped: check() reported them), or none.
std::vector<std::string> Builder::strings(const json* v) {
  std::vector<std::string> out;
  if (v == nullptr || !v->is_array()) return out;
  for (const auto& e : *v) {
    if (e.is_string()) out.push_back(e.get<std::string>());
  }
  return out;
}

//! A number member, or the key table's default for it when absent.
double Builder::number(const json& obj, const Node& obj_node, const char* key) {
  const json* v = member(obj, key);
  if (v != nullptr && v->is_number()) return v->get<double>();
  return field_node(obj_node, key).default_number.value_or(0.0);
}

//! Evaluates a trajectory over the horizon and checks its bounds in every year.
//! Why every year: a series is checked only at its written points, but interpolation,
//! then_growth, an exponential or a fit can leave the bounds between or after them (a PUE
//! below 1 in 2040); the engine relies on every value it reads being within bounds and finite.
//! On a problem the key's default is returned so the Builder can go on and report more.
Eigen::ArrayXd Builder::series(const json* v, const Node& node, const std::string& ptr) {
  const double fallback = node.default_number.value_or(0.0);
  if (v == nullptr) return Eigen::ArrayXd::Constant(h_.years(), fallback);
  // check() parsed every trajectory it accepted under its pointer; a missing one was reported.
  const auto t = ctx_.trajectories.find(ptr);
  if (t == ctx_.trajectories.end()) {
    return Eigen::ArrayXd::Constant(h_.years(), fallback);  // reported by check()
  }
  Eigen::ArrayXd out;
  try {
    // A fit that cannot be made (too few points, values a model cannot take) throws here.
    out = evaluate(t->second, h_.start, h_.end);
  } catch (const TrajectoryError& e) {
    ctx_.error(ptr, e.what());
    return Eigen::ArrayXd::Constant(h_.years(), fallback);
  }
  for (Eigen::Index i = 0; i < out.size(); ++i) {
    if (!std::isfinite(out(i))) {
      ctx_.error(ptr, "expected a finite value in every year, found " + fmt_number(out(i)) +
                          " in " + std::to_string(h_.start + i));
      return Eigen::ArrayXd::Constant(h_.years(), fallback);
    }
    if (!node.in_bounds(out(i))) {
      ctx_.error(ptr, "expected values " + node.bounds_text() +
                          (node.unit.empty() ? "" : " " + node.unit) + " in every year, found " +
                          fmt_number(out(i)) + " in " + std::to_string(h_.start + i));
      return Eigen::ArrayXd::Constant(h_.years(), fallback);
    }
  }
  return out;
}

//! A number for a message: 6 significant digits, enough to see which year broke a bound.
std::string Builder::fmt_number(double v) {
  std::ostringstream os;
  os.precision(6);
  os << v;
  return os.str();
}

//! Reads every numeric parameter of `scope` (params.hpp) from `obj` into its storage: a
//! trajectory evaluated over the horizon, a number or an integer, the format's default when
//! the key is absent. An optional key the document does not set stays unset. `base`: the
//! pointer of `obj` ("" for the top of the document).
void Builder::read_params(Scenario& s, params::Scope scope, std::size_t index,
                          const std::string& base, const json& obj) {
  for (const auto& p : params::table()) {
    if (p.scope != scope) continue;
    const json* v = &obj;
    std::string pointer = base;
    for (const auto& t : p.tokens) {
      v = v != nullptr ? member(*v, t.c_str()) : nullptr;
      pointer = join_ptr(pointer, t);
    }
    const Node& node = *p.node;
    // The parameter table binds each key to its storage in the Scenario (schema.cpp's
    // with_storage), so the loader, --set and sweeps reach a value by one path. An optional
    // trajectory the document does not set has no storage to fill (at.trajectory is null) and
    // stays unset, which the engine reads as "absent" (no cap, no lease, ...).
    const params::Storage at = p.at(s, index, "", v != nullptr && !v->is_null());
    const double number =
        v != nullptr && v->is_number() ? v->get<double>() : node.default_number.value_or(0.0);
    switch (p.shape) {
      case params::Shape::kTrajectory:
        if (at.trajectory != nullptr) *at.trajectory = series(v, node, pointer);
        break;
      case params::Shape::kNumber:
        *at.number = number;
        break;
      case params::Shape::kInteger:
        *at.integer = as_int(number);
        break;
    }
  }
}

//! The horizon [start, end], at most kMaxHorizonYears. False when it cannot be read (its type
//! or range was reported by check()) or is invalid: nothing else can be built without it.
bool Builder::horizon(Scenario& s) {
  const json* h = member(doc_, "horizon");
  // Every failure to read it here was reported by check() (a required key, its type, its
  // range); only the rules between start and end are the Builder's.
  if (h == nullptr || !h->is_object()) return false;
  const json* a = member(*h, "start");
  const json* b = member(*h, "end");
  if (a == nullptr || b == nullptr || !is_integral(*a) || !is_integral(*b)) return false;
  const auto start = a->get<double>();
  const auto end = b->get<double>();
  if (!year_in_range(as_int(start)) || !year_in_range(as_int(end))) {
    return false;  // reported by check()
  }
  s.horizon = {as_int(start), as_int(end)};
  if (s.horizon.end < s.horizon.start) {
    ctx_.error("/horizon/end", "expected an end year >= start (" + std::to_string(s.horizon.start) +
                                   "), found " + std::to_string(s.horizon.end));
    return false;
  }
  // Every trajectory is evaluated into an array of this length, per region and hardware.
  if (s.horizon.years() > kMaxHorizonYears) {
    ctx_.error("/horizon", "expected a horizon of at most " + std::to_string(kMaxHorizonYears) +
                               " years, found " + std::to_string(s.horizon.years()) + " (" +
                               std::to_string(s.horizon.start) + " to " +
                               std::to_string(s.horizon.end) + ")");
    return false;
  }
  return true;
}

//! The exchange rates by currency (USD is always 1) and the scenario's currency, which must have
//! rates: only capex.budget is in it, converted to USD at fx_per_usd(t) in the year it is spent.
void Builder::currency(Scenario& s) {
  const Node& fx_node = *field_node(root_, "fx_per_usd").items;
  if (const json* fx = member(doc_, "fx_per_usd"); fx != nullptr && fx->is_object()) {
    // Each currency's rate is a trajectory over the horizon (units of it per US dollar).
    for (const auto& [code, v] : fx->items()) {
      if (!valid_currency(code)) continue;
      s.fx_per_usd[code] = series(&v, fx_node, join_ptr("/fx_per_usd", code));
    }
  }
  // USD is always defined, at 1, whatever fx_per_usd says: the engine's money is in USD.
  s.fx_per_usd["USD"] = Eigen::ArrayXd::Ones(h_.years());
  if (const json* c = member(doc_, "currency"); c != nullptr && c->is_string()) {
    s.currency = c->get<std::string>();
    if (!valid_currency(s.currency)) {
      ctx_.error("/currency", "expected a three-letter currency code such as USD or CNY, found " +
                                  in_quotes(s.currency));
      s.currency = "USD";
    } else if (s.fx_per_usd.count(s.currency) == 0) {
      ctx_.error("/currency", "currency " + in_quotes(s.currency) +
                                  " has no exchange rate; expected /fx_per_usd/" + s.currency +
                                  " (units of " + s.currency + " per US dollar)");
      s.currency = "USD";
    }
  }
  s.capex.fx_per_usd = s.fx_per_usd.at(s.currency);
}

//! Each hardware type, in id order: its texts, its numeric keys through the parameter table
//! (read_params), its kind and retirement curve.
void Builder::hardware(Scenario& s) {
  const json* hw = member(doc_, "hardware");
  if (hw == nullptr || !hw->is_object()) return;
  if (hw->size() > kMaxHardware) {
    ctx_.error("/hardware", "expected at most " + std::to_string(kMaxHardware) +
                                " hardware types (the limit), found " + std::to_string(hw->size()));
    return;
  }
  for (const auto& [id, v] : hw->items()) {
    // An invalid id or a value that is not an object was reported by check(); building the
    // others still finds their problems in the same run.
    if (!valid_id(id) || !v.is_object()) continue;
    const std::string ptr = join_ptr("/hardware", id);
    Hardware h;
    h.id = id;
    h.vendor = text(v, "vendor");
    h.name = text(v, "name");
    h.source = text(v, "source");
    if (const json* ls = member(v, "last_sale"); ls != nullptr && ls->is_number()) {
      // last_sale has no storage in the parameter table: it is optional and an integer year,
      // read here by hand.
      h.last_sale = as_int(ls->get<double>());
    }
    s.hardware.push_back(std::move(h));
    read_params(s, params::Scope::kHardware, s.hardware.size() - 1, ptr, v);
    kind_and_retirement(s.hardware.back(), v, ptr);
  }
  // The engine and the results rely on that order (hardware rows, sums over types), and indices
  // into Scenario::hardware are taken from here on.
  // nlohmann::json keeps object keys sorted, so ids are sorted already.
}

//! Model v3: kind and retirement (their values were checked against the key table; the
//! shape was read with the other parameters).
void Builder::kind_and_retirement(Hardware& h, const json& v, const std::string& ptr) {
  if (text(v, "kind") == "server") h.kind = HardwareKind::kServer;
  const json* ret = member(v, "retirement");
  // The "weibull" curve needs its shape and "step" takes none: a rule between two keys the key
  // table cannot state.
  if (ret == nullptr || !ret->is_object()) return;
  const std::string curve = text(*ret, "curve");
  const json* shape = member(*ret, "shape");
  const bool has_shape = shape != nullptr && !shape->is_null();
  const std::string rptr = join_ptr(ptr, "retirement");
  if (curve == "weibull") {
    h.retirement = RetirementCurve::kWeibull;
    if (!has_shape) {
      ctx_.error(rptr,
                 "missing required key \"shape\" (the \"weibull\" curve needs its "
                 "shape k, a number from 1 to 20)");
    }
  } else if (curve == "step" && has_shape) {
    ctx_.error(join_ptr(rptr, "shape"),
               "a shape with the \"step\" curve (expected no shape; the shape belongs to the "
               "\"weibull\" curve)");
  }
}

std::vector<std::string> Builder::hardware_ids(const Scenario& s) const {
  std::vector<std::string> ids;
  for (const auto& h : s.hardware) ids.push_back(h.id);
  return ids;
}

std::vector<std::string> Builder::region_ids(const Scenario& s) const {
  std::vector<std::string> ids;
  for (const auto& r : s.regions) ids.push_back(r.id);
  return ids;
}

//! Reports an id that names no hardware type, with the nearest id.
void Builder::unknown_hardware(const Scenario& s, const std::string& ptr, const std::string& id) {
  ctx_.error(ptr, "unknown hardware id " + in_quotes(id) +
                      (s.hardware.empty() ? std::string(" (the scenario defines no hardware)")
                                          : " (expected an id under /hardware)") +
                      suggestion(id, hardware_ids(s)));
}

//! Each region, in id order (object keys are sorted), with what it may install, its initial
//! fleet and capacity, its kept bases and its numeric keys. "total" is reserved: it names the
//! total rows in every output, and a region of that name would be indistinguishable from them.
//! The product regions × hardware × years is bounded before anything is allocated for it.
void Builder::regions(Scenario& s) {
  const json* rs = member(doc_, "regions");
  if (rs == nullptr || !rs->is_object()) return;
  if (rs->size() > kMaxRegions) {
    ctx_.error("/regions", "expected at most " + std::to_string(kMaxRegions) +
                               " regions (the limit), found " + std::to_string(rs->size()));
    return;
  }
  // Counted in double: the product of three limits must not overflow before it is compared.
  const double work = static_cast<double>(rs->size()) *
                      static_cast<double>(std::max<std::size_t>(s.hardware.size(), 1)) *
                      s.horizon.years();
  if (work > kMaxWork) {
    ctx_.error("/regions",
               fmt::format("{} regions x {} hardware types x {} years = {:.3g} is above the "
                           "limit of {:.0f} (the work of a run grows with the product); use "
                           "fewer regions, hardware types or years",
                           rs->size(), s.hardware.size(), s.horizon.years(), work, kMaxWork));
    return;
  }
  for (const auto& [id, v] : rs->items()) {
    if (!valid_id(id) || !v.is_object()) continue;
    const std::string ptr = join_ptr("/regions", id);
    if (id == "total") {
      ctx_.error(ptr, "the region id \"total\" is reserved for the total rows; choose another");
      continue;
    }
    Region r;
    r.id = id;
    r.name = text(v, "name");
    r.country = text(v, "country");
    r.source = text(v, "source");
    // Texts and tags are kept as written: they are escaped wherever they are printed.
    r.tags = strings(member(v, "tags"));
    if (const json* o = member(v, "opens"); o != nullptr && o->is_number()) {
      r.opens = as_int(o->get<double>());
    }
    allowed_hardware(s, v, r, ptr);
    initial_fleet(s, v, r, ptr);
    initial_built(s, v, r, ptr);
    keep(s, v, r, ptr);
    s.regions.push_back(std::move(r));
    read_params(s, params::Scope::kRegion, s.regions.size() - 1, ptr, v);
  }
}

}  // namespace dcplan::loader
