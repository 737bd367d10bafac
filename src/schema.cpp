// The scenario format, declared once (dcplan/schema.hpp): build() is the table of every key,
// with its type, unit, bounds, default, one-line description and, for a numeric key, where its
// value lives in a Scenario (with_storage). From this one table come the loader's checks
// (src/load/check.cpp), the parameter table that --set, sweeps and the studies bind through
// (src/params.cpp), `dcplan schema` (JSON Schema, draft 2020-12, to_json_schema) and
// docs/scenario-reference.md (reference_markdown). A key added here is validated, documented and
// reachable by sweeps at once; what is left is its member in Scenario and its use in the engine.
//
// build() is long on purpose: it is a declarative table, read top to bottom like the reference
// it generates, and splitting it would only scatter the format over several functions (the
// measures in docs/architecture.md allow it). The key table's order is the order of the
// reference, of the JSON Schema and of the parameter table.
#include "dcplan/schema.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "dcplan/results.hpp"
#include "params.hpp"

namespace dcplan::schema {

namespace {

// ordered_json: the JSON Schema keeps the table's key order, so it reads like the reference.
using json = nlohmann::ordered_json;

//! A key's numeric bounds: [min, max], each end open when x* is set; absent ends are unbounded.
struct Bounds {
  std::optional<double> min;
  std::optional<double> max;
  bool xmin = false;
  bool xmax = false;
};

//! A node of the table; the helpers below add what a kind needs (fields, items, a default).
std::shared_ptr<Node> make(Kind kind, std::string description, std::string unit = {},
                           Bounds b = {}) {
  auto n = std::make_shared<Node>();
  n->kind = kind;
  n->description = std::move(description);
  n->unit = std::move(unit);
  n->minimum = b.min;
  n->maximum = b.max;
  n->exclusive_minimum = b.xmin;
  n->exclusive_maximum = b.xmax;
  return n;
}

//! A default the loader uses when the key is absent, and how the reference prints it.
NodePtr with_default(std::shared_ptr<Node> n, double value, std::string text = {}) {
  n->default_number = value;
  n->default_text = text.empty() ? fmt::format("{}", value) : std::move(text);
  return n;
}

//! A default that is not a number ("no limit", "finance.wacc"): documented only; the loader
//! treats the absent key as absent.
NodePtr text_default(std::shared_ptr<Node> n, std::string text) {
  n->default_text = std::move(text);
  return n;
}

//! A string that takes one of `values`, the first being the default.
NodePtr one_of(std::string d, std::vector<std::string> values) {
  auto n = make(Kind::kString, std::move(d));
  n->default_text = "\"" + values.front() + "\"";
  n->enum_values = std::move(values);
  return n;
}

// Shorthands for the table: a string, a list of strings, a year within the format's range.
NodePtr text(std::string d) {
  return make(Kind::kString, std::move(d));
}
NodePtr strings(std::string d) {
  return make(Kind::kStringList, std::move(d));
}
NodePtr year(std::string d) {
  return make(Kind::kInteger, std::move(d), "year", {kFirstYear, kLastYear});
}

//! Year keys (series, fleets): the same 1900 to 2500 as a year value.
constexpr const char* kYearKeyPattern = "^(19[0-9]{2}|2[0-4][0-9]{2}|2500)$";

//! An object with fixed keys; a key not among `fields` is refused with the nearest one.
std::shared_ptr<Node> object(std::string d, std::vector<Field> fields) {
  auto n = make(Kind::kObject, std::move(d));
  n->fields = std::move(fields);
  return n;
}

//! An object whose keys the user chooses (ids, years, currencies, selectors), all of one shape.
std::shared_ptr<Node> map(KeyKind k, std::string d, NodePtr items) {
  auto n = make(Kind::kMap, std::move(d));
  n->key_kind = k;
  n->items = std::move(items);
  return n;
}

//! A required field, and an optional one (absent or null: its default or nothing).
Field req(std::string name, NodePtr node) {
  return {std::move(name), true, std::move(node)};
}
Field opt(std::string name, NodePtr node) {
  return {std::move(name), false, std::move(node)};
}

// Where a numeric key's value lives in a loaded Scenario (Node::bind).
using params::Storage;

// One overload per kind of member: a trajectory, an optional trajectory (created only when the
// key is set, so that "absent" stays visible to the engine), a number, an integer.
Storage storage(Eigen::ArrayXd& a, bool /*create*/) {
  return {&a, nullptr, nullptr};
}
Storage storage(std::optional<Eigen::ArrayXd>& a, bool create) {
  if (create && !a) a.emplace();
  return {a ? &*a : nullptr, nullptr, nullptr};
}
Storage storage(double& d, bool /*create*/) {
  return {nullptr, &d, nullptr};
}
Storage storage(int& i, bool /*create*/) {
  return {nullptr, nullptr, &i};
}

//! A member of a region, of a hardware, or of a part of the scenario (capex, operations...).
template <auto Member>
Storage in_region(Scenario& s, std::size_t i, const std::string& /*code*/, bool create) {
  return storage(s.regions[i].*Member, create);
}
template <auto Member>
Storage in_hardware(Scenario& s, std::size_t i, const std::string& /*code*/, bool create) {
  return storage(s.hardware[i].*Member, create);
}
template <auto Part, auto Member>
Storage in(Scenario& s, std::size_t /*index*/, const std::string& /*code*/, bool create) {
  return storage(s.*Part.*Member, create);
}
template <auto Member>
Storage in_demand(Scenario& s, std::size_t /*index*/, const std::string& /*code*/, bool create) {
  return s.demand ? storage(*s.demand.*Member, create) : Storage{};
}
Storage in_fx(Scenario& s, std::size_t /*index*/, const std::string& code, bool create) {
  return storage(s.fx_per_usd.at(code), create);
}

//! `n` with its storage; `cross_checked` when its value must agree with other keys'.
//! Keys marked cross_checked (available, bf16_tflops, all_in_w, the initial capacity) can break
//! a rule between values (check_consistency), which a sweep that varies them checks again.
NodePtr with_storage(NodePtr n, Node::Bind at, bool cross_checked = false) {
  auto m = std::const_pointer_cast<Node>(std::move(n));
  m->bind = at;
  m->cross_checked = cross_checked;
  return m;
}

// The bounds most keys use: >= 0, > 0, and a share in [0, 1].
const Bounds kNonNegative{0.0, std::nullopt};
const Bounds kPositive{0.0, std::nullopt, true};
const Bounds kFraction{0.0, 1.0};

//! The table. Each section below is one object of the format; the comments name the step of
//! docs/model.md that reads its keys.
NodePtr build() {
  auto traj = [](std::string d, std::string unit, Bounds b) {
    return make(Kind::kTrajectory, std::move(d), std::move(unit), b);
  };
  auto num = [](std::string d, std::string unit, Bounds b) {
    return make(Kind::kNumber, std::move(d), std::move(unit), b);
  };
  auto integer = [](std::string d, std::string unit, Bounds b) {
    return make(Kind::kInteger, std::move(d), std::move(unit), b);
  };

  // /hardware/{id}: a type of accelerator or server. available and last_sale say when it is on
  // sale (step 6); all_in_w and idle_fraction its draw (step 8); bf16_tflops its compute (9);
  // price_usd its capex (6, 10); lifetime_years, annual_failure_rate and retirement its ageing
  // (2) and book life (10); embodied_kgco2e its carbon (11).
  auto hardware = object(
      "an accelerator type (catalog entry)",
      {
          opt("vendor", text("vendor name (informative)")),
          opt("name", text("product name (informative)")),
          // When it is on sale (step 6 buys only types on sale in the year).
          req("available", with_storage(year("first year it can be bought"),
                                        &in_hardware<&Hardware::available>, true)),
          opt("last_sale", year("last year it can be bought; absent means no end")),
          // What a unit computes (step 9), holds and draws: all_in_w is the power that counts
          // (steps 5, 6 and 8), tdp_w and hbm_gb are informative.
          req("bf16_tflops",
              with_storage(num("dense BF16 peak per unit (> 0 for an accelerator; a server "
                               "may have 0)",
                               "TFLOP/s", kNonNegative),
                           &in_hardware<&Hardware::bf16_tflops>, true)),
          opt("hbm_gb",
              with_storage(num("memory per accelerator (informative)", "GB", kNonNegative),
                           &in_hardware<&Hardware::hbm_gb>)),
          opt("tdp_w", with_storage(num("accelerator board power (informative)", "W", kPositive),
                                    &in_hardware<&Hardware::tdp_w>)),
          req("all_in_w",
              with_storage(
                  num("IT power per accelerator at full load, including its share of host, network "
                      "and storage",
                      "W", kPositive),
                  &in_hardware<&Hardware::all_in_w>, true)),
          // The draw at u = 0 as a share of all_in_w (step 8: idle + (1 − idle) · u).
          opt("idle_fraction",
              with_storage(
                  with_default(make(Kind::kNumber, "draw when idle as a fraction of all_in_w", "",
                                    kFraction),
                               0),
                  &in_hardware<&Hardware::idle_fraction>)),
          // Money and life: the price by year (steps 6 and 10), the book and service life, the
          // failures (step 2) and the manufacturing carbon (step 11).
          req("price_usd",
              with_storage(
                  traj("IT capex per installed accelerator, including its share of server, network "
                       "and storage",
                       "USD", kPositive),
                  &in_hardware<&Hardware::price_usd>)),
          req("lifetime_years",
              with_storage(
                  integer(
                      "retired when this old (step curve), the mean service life (Weibull); the "
                      "book life of depreciation either way",
                      "years", {1.0, 50.0}),
                  &in_hardware<&Hardware::lifetime_years>)),
          opt("annual_failure_rate",
              with_storage(with_default(make(Kind::kNumber, "fraction of a cohort lost each year",
                                             "", {0.0, 1.0, false, true}),
                                        0),
                           &in_hardware<&Hardware::annual_failure_rate>)),
          opt("embodied_kgco2e",
              with_storage(
                  with_default(make(Kind::kNumber, "manufacturing emissions per accelerator",
                                    "kg CO2e", kNonNegative),
                               0),
                  &in_hardware<&Hardware::embodied_kgco2e>)),
          // Model v3: what a unit is (its counting columns) and how a cohort retires (step 2).
          opt("kind", one_of("what a unit is: \"accelerator\" (counted in accelerators_*) or "
                             "\"server\", a conventional server (counted in servers_*)",
                             {"accelerator", "server"})),
          opt("retirement",
              text_default(
                  object("how a cohort retires: \"step\", all at lifetime_years; \"weibull\", "
                         "by a Weibull survival of mean service life lifetime_years, the rest at "
                         "twice it (docs/model.md, step 2)",
                         {
                             req("curve", one_of("the retirement curve", {"step", "weibull"})),
                             opt("shape", with_storage(num("Weibull shape k (required with "
                                                           "\"weibull\", not allowed with "
                                                           "\"step\")",
                                                           "", {1.0, 20.0}),
                                                       &in_hardware<&Hardware::retirement_shape>)),
                         }),
                  "{\"curve\": \"step\"}")),
          opt("source", text("where the figures come from (required in shipped catalogs)")),
      });

  // /regions/{id}/initial/fleet: the units present at the start, by type and vintage (step 2).
  auto fleet = map(KeyKind::kId, "initial accelerators by hardware id, then by vintage year",
                   map(KeyKind::kYear, "count of accelerators bought in that year",
                       num("accelerators of this vintage", "count", kNonNegative)));

  // /regions/{id}: where capacity is built and run.
  auto region = object(
      "a region where capacity is built",
      {
          opt("name", text("display name")),
          opt("country", text("country (informative)")),
          opt("tags", strings("tags used by #tag selectors, e.g. [\"international\"]")),
          // Before `opens` a region gets no money (weight 0 in step 3, limit `closed`).
          opt("opens", text_default(std::const_pointer_cast<Node>(
                                        year("first year the region can receive capex")),
                                    "always")),
          // Energy, money and carbon of the halls: PUE (step 8), the power price (10), the grid's
          // intensity and the renewable share (11).
          req("pue", with_storage(traj("power usage effectiveness", "", {1.0, std::nullopt}),
                                  &in_region<&Region::pue>)),
          req("power_price_usd_per_mwh",
              with_storage(traj("electricity price", "USD/MWh", kNonNegative),
                           &in_region<&Region::power_price_usd_per_mwh>)),
          req("grid_g_per_kwh",
              with_storage(traj("grid carbon intensity", "g CO2e/kWh", kNonNegative),
                           &in_region<&Region::grid_g_per_kwh>)),
          opt("renewable_share",
              with_storage(with_default(make(Kind::kTrajectory,
                                             "share of energy from contracted carbon-free supply",
                                             "", kFraction),
                                        0),
                           &in_region<&Region::renewable_share>)),
          // Building (step 4): the price of a MW, the construction time, and the two caps.
          req("facility_capex_usd_per_mw",
              with_storage(
                  traj("building, power and cooling per MW of IT capacity", "USD/MW", kPositive),
                  &in_region<&Region::facility_capex_usd_per_mw>)),
          opt("construction_years",
              with_storage(
                  with_default(make(Kind::kInteger,
                                    "lead time from spending facility capex to usable capacity",
                                    "years", {0.0, 20.0}),
                               0),
                  &in_region<&Region::construction_years>)),
          opt("max_new_mw_per_year",
              with_storage(
                  text_default(
                      make(Kind::kTrajectory,
                           "grid connection limit on built capacity completing in one year", "MW",
                           kNonNegative),
                      "no cap"),
                  &in_region<&Region::max_new_mw_per_year>)),
          opt("max_total_mw",
              with_storage(
                  text_default(
                      make(Kind::kTrajectory,
                           "ceiling on the region's IT capacity (online, initial included, "
                           "plus under construction)",
                           "MW", kNonNegative),
                      "no cap"),
                  &in_region<&Region::max_total_mw>)),
          // PUE of what is built within the horizon (step 8's blend), and leases (step 6).
          opt("new_build_pue",
              with_storage(text_default(make(Kind::kTrajectory,
                                             "PUE of capacity built within the horizon; pue then "
                                             "applies to the initial and leased capacity",
                                             "", {1.0, std::nullopt}),
                                        "pue"),
                           &in_region<&Region::new_build_pue>)),
          opt("lease_usd_per_mw_year",
              with_storage(text_default(make(Kind::kTrajectory,
                                             "price of third-party IT capacity rented by the year",
                                             "USD/MW-year", kNonNegative),
                                        "cannot lease"),
                           &in_region<&Region::lease_usd_per_mw_year>)),
          opt("max_lease_mw",
              with_storage(text_default(make(Kind::kTrajectory,
                                             "most IT capacity the region can lease (requires "
                                             "lease_usd_per_mw_year)",
                                             "MW", kNonNegative),
                                        "no limit"),
                           &in_region<&Region::max_lease_mw>)),
          // Model v3, the cost of capital (step 10).
          opt("wacc", with_storage(text_default(make(Kind::kTrajectory,
                                                     "the region's cost of capital (weighted "
                                                     "average, nominal): interest during "
                                                     "construction and the capital charge of "
                                                     "assets bought or coming online there",
                                                     "", {0.0, 1.0}),
                                                "finance.wacc"),
                                   &in_region<&Region::wacc>)),
          opt("facility_embodied_tco2_per_mw",
              with_storage(
                  text_default(make(Kind::kTrajectory,
                                    "embodied carbon of building, power and cooling per MW of "
                                    "IT capacity coming online (embodied_facility_tco2)",
                                    "t CO2e/MW", kNonNegative),
                               "0"),
                  &in_region<&Region::facility_embodied_tco2_per_mw>)),
          // What it may install (step 6), what it holds at the start (steps 1 and 2), and the
          // installed bases it keeps (step 5b).
          opt("allowed_hardware",
              text_default(std::const_pointer_cast<Node>(
                               strings("hardware ids that may be installed (export controls)")),
                           "all")),
          opt("initial",
              object("the region at the start of the horizon (no capex; sunk unless "
                     "finance.initial_assets is \"book\")",
                     {
                         opt("it_capacity_mw",
                             with_storage(with_default(make(Kind::kNumber, "online IT capacity",
                                                            "MW", kNonNegative),
                                                       0),
                                          &in_region<&Region::initial_it_capacity_mw>, true)),
                         // By hardware id and vintage, read by hand (Builder::initial_fleet).
                         opt("fleet", fleet),
                         opt("built",
                             text_default(std::const_pointer_cast<Node>(year(
                                              "year the initial capacity was built, <= the "
                                              "horizon start (finance.initial_assets \"book\")")),
                                          "horizon start")),
                     })),
          // No storage: a keep count belongs to a region and a hardware type, two indices a Bind
          // cannot name; Builder::keep reads it by hand (and sweeps vary it through the document).
          opt("keep",
              map(KeyKind::kId,
                  "installed bases the region holds: hardware id -> count installed at the end "
                  "of each year, bought in step 5b when short (docs/model.md)",
                  traj("units of this hardware held installed (it must be allowed in the region)",
                       "count", kNonNegative))),
          opt("source", text("where the figures come from")),
      });

  // A share of the split: a trajectory in [0, 1], or "rest" (1 minus the other two, filled by
  // fill_split_rest once the other two are known).
  auto split_part = [&](std::string d) {
    auto n = make(Kind::kTrajectory, std::move(d) + "; or \"rest\": 1 minus the other two", "",
                  kFraction);
    n->or_rest = true;
    return n;
  };
  auto choice = [](std::string d, std::vector<std::string> values) {
    auto n = make(Kind::kString, std::move(d));
    n->default_text = "\"" + values.front() + "\"";
    n->enum_values = std::move(values);
    return n;
  };
  // /capex: the money (step 3: budget, split, weights), where IT money goes (step 6: mix,
  // placement, overflow) and model v3's policies (facility sizing, carry-over, keep funding).
  auto capex = object(
      "the capital-expenditure plan",
      {
          opt("budget",
              with_storage(with_default(make(Kind::kTrajectory,
                                             "capex spent in each year, in the scenario currency "
                                             "(at most 1e15: larger numbers overflow the model)",
                                             "currency", {0.0, 1e15}),
                                        0),
                           &in<&Scenario::capex, &Capex::budget>)),
          opt("split",
              object("shares of the budget by category; sum to 1 in every year; at most one may "
                     "be \"rest\"",
                     {
                         // "it" and "facility" are optional in the table because
                         // facility_sizing "need" forbids them, a rule between keys the table
                         // cannot state: Builder::check_split requires them otherwise.
                         opt("it", with_storage(split_part("share spent on accelerators (required "
                                                           "unless facility_sizing is \"need\")"),
                                                &in<&Scenario::capex, &Capex::split_it>)),
                         opt("facility",
                             with_storage(split_part("share spent on building, power and cooling "
                                                     "(required unless facility_sizing is "
                                                     "\"need\")"),
                                          &in<&Scenario::capex, &Capex::split_facility>)),
                         req("other", with_storage(split_part("share spent on anything else"),
                                                   &in<&Scenario::capex, &Capex::split_other>)),
                     })),
          // Step 6: where IT money goes, and what becomes of what finds no power.
          opt("it_placement",
              choice("where IT money goes: \"power\", where accelerators can be powered; "
                     "\"weights\", each region its own share whatever its power (version 1)",
                     {"power", "weights"})),
          opt("it_overflow",
              choice("IT money that finds no power: \"facility\" builds capacity this year, "
                     "\"carry\" waits for next year, \"strand\" buys accelerators that wait "
                     "for power (version 1)",
                     {"facility", "carry", "strand"})),
          // Model v3 (step 3): facilities sized to need, carry-over by category, and where the
          // money for kept installed bases comes from (step 5b).
          opt("facility_sizing",
              choice("how IT and facility money divide: \"share\", by split; \"need\", "
                     "facilities sized to what the region's IT money will need when they come "
                     "online (split then holds only other)",
                     {"share", "need"})),
          opt("carryover",
              choice("money carried to next year: \"split\" joins the budget and is split "
                     "again; \"category\" stays IT or facility money",
                     {"split", "category"})),
          opt("keep_funding",
              choice("the money for regions' keep purchases (step 5b): \"separate\", outside "
                     "the budget; \"budget\", a first call on the region's own IT share",
                     {"separate", "budget"})),
          // Step 3's weights and step 6's mix, by region selector (an exact id wins over a #tag,
          // a tag over a glob, a glob over *).
          opt("region_weights",
              text_default(
                  map(KeyKind::kSelector,
                      "region selector -> weight; regions no selector matches get 0",
                      traj("weight of the regions the selector matches", "", kNonNegative)),
                  "{\"*\": 1}")),
          opt("hardware_mix",
              map(KeyKind::kSelector,
                  "region selector -> {hardware id -> share}; required when any IT budget is set",
                  map(KeyKind::kId, "hardware id -> share of the region's IT budget",
                      traj("share of the IT budget", "", kFraction)))),
      });

  // /operations: utilisation (step 7) and the first-year fraction of purchases (step 8).
  auto operations = object(
      "how the fleet is run",
      {
          opt("utilisation",
              with_storage(with_default(make(Kind::kTrajectory,
                                             "average busy fraction of installed accelerators", "",
                                             kFraction),
                                        0.6),
                           &in<&Scenario::operations, &Operations::utilisation>)),
          // The share of its first year a purchase runs (step 8), 0.5 by default: purchases
          // spread over the year.
          opt("first_year_fraction",
              with_storage(
                  with_default(make(Kind::kNumber, "share of its first year a new accelerator runs",
                                    "", kFraction),
                               0.5),
                  &in<&Scenario::operations, &Operations::first_year_fraction>)),
          opt("max_utilisation",
              with_storage(
                  with_default(make(Kind::kTrajectory, "ceiling on utilisation when demand sets it",
                                    "", kFraction),
                               0.9),
                  &in<&Scenario::operations, &Operations::max_utilisation>)),
      });

  // /demand: when present, utilisation follows demand (step 7), and step 12 splits it over the
  // regions and, with a price, computes revenue and margin.
  auto demand =
      object("compute demand; when present, utilisation follows it",
             {
                 req("eflop_year", with_storage(traj("compute demand", "EFLOP-year", kNonNegative),
                                                &in_demand<&Demand::eflop_year>)),
                 opt("price_usd_per_eflop_year",
                     with_storage(traj("what a unit of delivered compute sells for",
                                       "USD/EFLOP-year", kNonNegative),
                                  &in_demand<&Demand::price_usd_per_eflop_year>)),
             });

  // /finance: discounting, maintenance and book lives (step 10), initial assets on the books,
  // and model v3's cost of capital.
  auto finance = object(
      "money",
      {
          opt("discount_rate",
              with_storage(with_default(make(Kind::kTrajectory, "yearly rate for present values",
                                             "", {-0.99, 1.0}),
                                        0.08),
                           &in<&Scenario::finance, &Finance::discount_rate>)),
          // Maintenance as a share of the gross capex in service (step 10).
          opt("maintenance_rate",
              with_storage(
                  with_default(
                      make(Kind::kTrajectory,
                           "yearly maintenance as a share of IT and facility capex in service", "",
                           kFraction),
                      0.03),
                  &in<&Scenario::finance, &Finance::maintenance_rate>)),
          opt("facility_life_years",
              with_storage(with_default(make(Kind::kInteger,
                                             "depreciation life of facilities and other capex",
                                             "years", {1.0, 100.0}),
                                        20),
                           &in<&Scenario::finance, &Finance::facility_life_years>)),
          // Model v3: initial assets on the books, and the cost of capital.
          opt("initial_assets",
              choice("the initial fleet and capacity: \"sunk\" (no depreciation or "
                     "maintenance) or \"book\" (depreciated and maintained over their lives "
                     "from their vintage or initial.built)",
                     {"sunk", "book"})),
          opt("wacc", with_storage(text_default(make(Kind::kTrajectory,
                                                     "cost of capital (weighted average, "
                                                     "nominal) of interest during construction "
                                                     "and the capital charge; a region's wacc "
                                                     "overrides it",
                                                     "", {0.0, 1.0}),
                                                "discount_rate"),
                                   &in<&Scenario::finance, &Finance::wacc>)),
          opt("interest_during_construction",
              text_default(make(Kind::kBoolean,
                                "facility money spent c = construction_years before its capacity "
                                "comes online costs (1 + wacc)^c - 1 more (financing_usd), and "
                                "is capitalised with it"),
                           "false")),
          opt("capital_charge",
              choice("what assets cost each year of their book life in tco_usd: "
                     "\"depreciation\", straight-line; \"annuity\", the capital recovery "
                     "factor at wacc times their capitalised cost (capital_charge_usd)",
                     {"depreciation", "annuity"})),
      });

  // /targets/{i}: what run --check asserts. A metric is any result column but the keys and
  // the text column `limit`.
  // The metric's allowed values are the result columns' names, listed once from the column
  // table: a column added there is a valid target metric at once.
  auto metric = make(Kind::kString, "result column the target applies to");
  metric->enum_text = "one of the result columns";
  for (const auto& c : result_columns()) {
    if (c.kind != ColumnKind::kKey && c.kind != ColumnKind::kText) {
      metric->enum_values.emplace_back(c.name);
    }
  }
  auto bound = [](std::string d) { return make(Kind::kBound, std::move(d)); };
  auto target = object(
      "an assertion on the results; exactly one of at_least, at_most, equals; one of year, years",
      {
          req("name", text("what the target is called in reports")),
          req("metric", metric),
          opt("year", year("the year the target applies to")),
          opt("years",
              make(Kind::kYearRange, "[first, last]: the metric summed over the years", "year")),
          opt("region",
              text_default(std::const_pointer_cast<Node>(text("region id or total")), "total")),
          opt("at_least", bound("lower bound: a number or {\"times\": k, \"of_year\": y}")),
          opt("at_most", bound("upper bound: a number or {\"times\": k, \"of_year\": y}")),
          opt("equals", bound("value: a number or {\"times\": k, \"of_year\": y}")),
          // Relative to the bound: a target holds when the value is within tolerance × |bound|.
          opt("tolerance",
              with_default(make(Kind::kNumber, "relative tolerance on the bound (0.01 = 1%)", "",
                                kNonNegative),
                           0)),
          opt("currency",
              text_default(std::const_pointer_cast<Node>(
                               text("money metrics converted to this currency at each year's "
                                    "fx_per_usd before summing and comparing")),
                           "USD")),
      });
  auto targets = make(Kind::kArray, "assertions checked by run --check");
  targets->items = target;

  // The document's top level. "dcplan": 1 names the format version, so that a later version can
  // refuse, or convert, a document it would otherwise misread.
  auto root = object(
      "a dcplan scenario (format version 1)",
      {
          // The format version, then what the scenario is and where its figures come from, then
          // the files it is made of (include, extends: resolved before anything is checked).
          req("dcplan", make(Kind::kInteger, "format version; must be 1", "", {1.0, 1.0})),
          opt("name", text("short identifier")),
          opt("title", text("one-line title for reports")),
          opt("description", text("what the scenario models")),
          opt("sources", strings("where the scenario's figures come from")),
          opt("assumptions", strings("what the scenario assumes where no source was found")),
          opt("include", strings("files merged in order before this file's keys (catalogs)")),
          opt("extends", text("a scenario this one patches (RFC 7396 merge patch)")),
          // The horizon, the currency of the budget, and the sections built above.
          req("horizon", object("the years simulated (at most 200)",
                                {
                                    req("start", year("first year")),
                                    req("end", year("last year, inclusive")),
                                })),
          opt("currency", text_default(std::const_pointer_cast<Node>(
                                           text("currency of capex.budget (ISO 4217 code)")),
                                       "USD")),
          opt("fx_per_usd",
              map(KeyKind::kCurrency, "currency code -> units of that currency per US dollar",
                  with_storage(traj("exchange rate", "currency/USD", kPositive), &in_fx))),
          opt("hardware", map(KeyKind::kId, "accelerator types by id", hardware)),
          opt("regions", map(KeyKind::kId, "regions by id", region)),
          opt("capex", capex),
          opt("operations", operations),
          opt("demand", demand),
          opt("finance", finance),
          opt("targets", targets),
          opt("observed",
              map(KeyKind::kId,
                  "observed history of total rows: result column -> {year -> value}; ratio "
                  "bounds use it for their base year, and a run warns when the model strays "
                  "more than 5% from it",
                  map(KeyKind::kYear, "year -> observed value",
                      num("the total row's observed value (the column's unit; money in USD)",
                          "column unit", {})))),
      });
  return root;
}

//! A bound or default as the reference and messages print it: plain for everyday magnitudes,
//! in exponent form for the very large or very small.
std::string number_text(double v) {
  if (std::abs(v) >= 1e15 || (v != 0 && std::abs(v) < 1e-4)) return fmt::format("{:g}", v);
  return fmt::format("{}", v);
}

//! The type column of the reference.
std::string kind_name(const Node& n) {
  switch (n.kind) {
    case Kind::kObject:
      return "object";
    case Kind::kMap:
      return "object";
    case Kind::kArray:
      return "array";
    case Kind::kNumber:
      return "number";
    case Kind::kInteger:
      return "integer";
    case Kind::kString:
      return "string";
    case Kind::kBoolean:
      return "boolean";
    case Kind::kStringList:
      return "array of strings";
    case Kind::kTrajectory:
      return "trajectory";
    case Kind::kBound:
      return "bound";
    case Kind::kYearRange:
      return "[year, year]";
  }
  return "value";
}

//! The JSON Schema's propertyNames pattern for a map's keys: the loader's rules (valid_id,
//! year_in_range, valid_currency) written as regular expressions, except what a pattern cannot
//! say simply: an id's limit of 128 characters, ids of one object differing in more than case.
const char* key_pattern(KeyKind k) {
  switch (k) {
    case KeyKind::kId:
      return "^[A-Za-z0-9][A-Za-z0-9._-]*$";
    case KeyKind::kYear:
      return kYearKeyPattern;
    case KeyKind::kCurrency:
      return "^[A-Z]{3}$";
    case KeyKind::kSelector:
      return "^.+$";
    case KeyKind::kNone:
      break;
  }
  return "";
}

//! A node's bounds as JSON Schema keywords, open ends as exclusiveMinimum/exclusiveMaximum.
void add_bounds(json& s, const Node& n) {
  if (n.minimum) s[n.exclusive_minimum ? "exclusiveMinimum" : "minimum"] = *n.minimum;
  if (n.maximum) s[n.exclusive_maximum ? "exclusiveMaximum" : "maximum"] = *n.maximum;
}

json to_json_schema(const Node& n);

//! "number" or "integer" with the node's bounds.
json number_schema(const Node& n, const char* type) {
  json s = {{"type", type}};
  add_bounds(s, n);
  return s;
}

//! A trajectory in the JSON Schema: the constant or a series' values with the key's bounds, or
//! one of the other three forms, whose values the schema cannot bound (the loader checks them
//! in every year after evaluation).
json trajectory_schema(const Node& n) {
  json constant = number_schema(n, "number");
  json series_values = {{"type", "object"},
                        {"propertyNames", {{"pattern", key_pattern(KeyKind::kYear)}}},
                        {"minProperties", 1},
                        {"additionalProperties", constant}};
  json series = {{"type", "object"},
                 {"properties",
                  {{"series", series_values},
                   {"interp", {{"enum", {"linear", "step"}}}},
                   {"then_growth", number_schema(growth_rate(), "number")}}},
                 {"required", {"series"}},
                 {"additionalProperties", false}};
  return {{"anyOf",
           {constant,
            series,
            {{"$ref", "#/$defs/exponential"}},
            {{"$ref", "#/$defs/logistic"}},
            {{"$ref", "#/$defs/fit"}}}},
          {"description", n.description}};
}

//! The JSON Schema of node `n`, recursively. Every optional field and map value also accepts
//! null, as the loader does (null means absent); objects refuse unknown keys
//! (additionalProperties false), as the loader does.
json to_json_schema(const Node& n) {
  json s;
  switch (n.kind) {
    case Kind::kObject: {
      s = {{"type", "object"}};
      json props = json::object();
      json required = json::array();
      for (const auto& f : n.fields) {
        json child = to_json_schema(*f.node);
        if (f.required) {
          required.push_back(f.name);
        } else {
          // null is absent, as in a merge patch: an optional key may be written null.
          child = {{"anyOf", {child, {{"type", "null"}}}}};
        }
        props[f.name] = child;
      }
      s["properties"] = props;
      if (!required.empty()) s["required"] = required;
      s["additionalProperties"] = false;
      break;
    }
    // Keys by pattern; values of the item's schema, or null (a merge patch deletes with it).
    case Kind::kMap:
      s = {{"type", "object"},
           {"propertyNames", {{"pattern", key_pattern(n.key_kind)}}},
           {"additionalProperties", {{"anyOf", {to_json_schema(*n.items), {{"type", "null"}}}}}}};
      break;
    case Kind::kArray:
      s = {{"type", "array"}, {"items", to_json_schema(*n.items)}};
      break;
    case Kind::kNumber:
      s = number_schema(n, "number");
      break;
    case Kind::kInteger:
      s = number_schema(n, "integer");
      break;
    case Kind::kString:
      s = {{"type", "string"}};
      if (!n.enum_values.empty()) s["enum"] = n.enum_values;
      break;
    case Kind::kBoolean:
      s = {{"type", "boolean"}};
      break;
    case Kind::kStringList:
      s = {{"type", "array"}, {"items", {{"type", "string"}}}};
      break;
    case Kind::kTrajectory:
      if (n.or_rest) {
        json t = trajectory_schema(n);
        t["anyOf"].push_back({{"const", "rest"}});
        return t;
      }
      return trajectory_schema(n);
    // A target bound: a number, or {"times": k >= 0, "of_year": a year}.
    case Kind::kBound:
      s = {{"anyOf",
            {{{"type", "number"}},
             {{"type", "object"},
              {"properties",
               {{"times", {{"type", "number"}, {"minimum", 0}}},
                {"of_year", number_schema(year_in_trajectory(), "integer")}}},
              {"required", {"times", "of_year"}},
              {"additionalProperties", false}}}}};
      break;
    // [first, last]: exactly two years. first <= last is the loader's (no keyword says it).
    case Kind::kYearRange:
      s = {{"type", "array"},
           {"items", number_schema(year_in_trajectory(), "integer")},
           {"minItems", 2},
           {"maxItems", 2}};
      break;
  }
  if (!n.description.empty()) s["description"] = n.description;
  return s;
}

//! The shapes of the exponential, logistic and fit forms, referenced from every trajectory.
json defs() {
  // {"YEAR": number}: a fit's history, whose values carry no bounds (data, not the key).
  json year_points = {{"type", "object"},
                      {"propertyNames", {{"pattern", key_pattern(KeyKind::kYear)}}},
                      {"additionalProperties", {{"type", "number"}}}};
  return {
      {"exponential",
       {{"type", "object"},
        {"properties",
         {{"exponential",
           {{"type", "object"},
            {"properties",
             {{"base", {{"type", "number"}}},
              {"base_year", number_schema(year_in_trajectory(), "integer")},
              {"rate", number_schema(growth_rate(), "number")}}},
            {"required", {"base", "base_year", "rate"}},
            {"additionalProperties", false}}}}},
        {"required", {"exponential"}},
        {"additionalProperties", false}}},
      {"logistic",
       {{"type", "object"},
        {"properties",
         {{"logistic",
           {{"type", "object"},
            {"properties",
             {{"cap", {{"type", "number"}}},
              {"midpoint", {{"type", "number"}}},
              {"steepness", {{"type", "number"}}},
              {"floor", {{"type", "number"}}}}},
            {"required", {"cap", "midpoint", "steepness"}},
            {"additionalProperties", false}}}}},
        {"required", {"logistic"}},
        {"additionalProperties", false}}},
      {"fit",
       {{"type", "object"},
        {"properties",
         {{"fit",
           {{"type", "object"},
            {"properties",
             {{"model", {{"enum", {"linear", "exponential", "logistic"}}}},
              {"history", year_points},
              {"floor", {{"type", "number"}}}}},
            {"required", {"model", "history"}},
            {"additionalProperties", false}}}}},
        {"required", {"fit"}},
        {"additionalProperties", false}}},
  };
}

//! One markdown row per key, depth first, with map keys written as {id}, {year}, {selector},
//! {currency} and array items as {i}.
void reference_rows(const Node& n, const std::string& path, std::string& out) {
  // One row: pointer, type, unit, default ("required" for a required key), bounds, meaning.
  auto row = [&](const std::string& p, const Node& c, bool required) {
    std::string type = kind_name(c);
    if (c.kind == Kind::kString && !c.enum_values.empty()) {
      type = c.enum_text.empty() ? "string: " + c.expectation() : "string (a result column)";
    }
    if (c.or_rest) type += " or \"rest\"";
    std::string def = required ? "required" : (c.default_text.empty() ? "—" : c.default_text);
    std::string bounds = c.bounds_text();
    out +=
        fmt::format("| `{}` | {} | {} | {} | {} | {} |\n", p, type, c.unit.empty() ? "—" : c.unit,
                    def, bounds.empty() ? "—" : bounds, c.description);
  };
  switch (n.kind) {
    case Kind::kObject:
      for (const auto& f : n.fields) {
        const std::string p = path + "/" + f.name;
        row(p, *f.node, f.required);
        reference_rows(*f.node, p, out);
      }
      break;
    case Kind::kMap: {
      std::string key;
      switch (n.key_kind) {
        case KeyKind::kId:
          key = "{id}";
          break;
        case KeyKind::kYear:
          key = "{year}";
          break;
        case KeyKind::kSelector:
          key = "{selector}";
          break;
        case KeyKind::kCurrency:
          key = "{currency}";
          break;
        case KeyKind::kNone:
          key = "{key}";
          break;
      }
      const std::string p = path + "/" + key;
      // A map of objects has no row of its own: its fields' rows follow, under {id}.
      if (n.items->kind != Kind::kObject) row(p, *n.items, false);
      reference_rows(*n.items, p, out);
      break;
    }
    case Kind::kArray:
      reference_rows(*n.items, path + "/{i}", out);
      break;
    default:
      break;
  }
}

}  // namespace

//! (Declared in dcplan/schema.hpp.) A linear search: an object has at most a few dozen fields.
const Field* Node::field(std::string_view name) const {
  for (const auto& f : fields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

//! (Declared in dcplan/schema.hpp.) NaN is never within bounds: written as comparisons that
//! fail for NaN, and tested first.
bool Node::in_bounds(double v) const {
  if (std::isnan(v)) return false;  // before any comparison: a NaN compare raises FE_INVALID
  if (minimum && (exclusive_minimum ? !(v > *minimum) : !(v >= *minimum))) return false;
  if (maximum && (exclusive_maximum ? !(v < *maximum) : !(v <= *maximum))) return false;
  return true;
}

//! (Declared in dcplan/schema.hpp.) Interval notation: [ ] closed, ( ) open; "= v" when both
//! ends are equal (the format version).
std::string Node::bounds_text() const {
  // Both ends: an interval, or "= v" for a single value.
  if (minimum && maximum) {
    if (*minimum == *maximum) return "= " + number_text(*minimum);
    return fmt::format("{}{}, {}{}", exclusive_minimum ? "(" : "[", number_text(*minimum),
                       number_text(*maximum), exclusive_maximum ? ")" : "]");
  }
  if (minimum) return fmt::format("{} {}", exclusive_minimum ? ">" : ">=", number_text(*minimum));
  if (maximum) return fmt::format("{} {}", exclusive_maximum ? "<" : "<=", number_text(*maximum));
  return {};
}

//! (Declared in dcplan/schema.hpp.) What a message says was expected: the kind, the bounds and
//! the unit ("a number >= 1", "an integer year [1900, 2500]", "\"power\" or \"weights\"").
std::string Node::expectation() const {
  std::string what;
  switch (kind) {
    case Kind::kObject:
    case Kind::kMap:
      return "an object";
    case Kind::kArray:
      return "an array";
    case Kind::kNumber:
      what = "a number";
      break;
    case Kind::kInteger:
      what = unit == "year" ? "an integer year" : "an integer";
      break;
    case Kind::kString: {
      if (enum_values.empty()) return "a string";
      if (!enum_text.empty()) return enum_text;
      std::string list;
      for (std::size_t i = 0; i < enum_values.size(); ++i) {
        list += (i == 0                        ? ""
                 : i + 1 == enum_values.size() ? " or "
                                               : ", ") +
                ("\"" + enum_values[i] + "\"");
      }
      return list;
    }
    case Kind::kBoolean:
      return "true or false";
    case Kind::kStringList:
      return "an array of strings";
    case Kind::kTrajectory:
      // A trajectory's bounds apply to its values in every year, whatever its form.
      what = or_rest ? "\"rest\", a number or a trajectory (series, exponential, logistic or fit)"
                     : "a number or a trajectory (series, exponential, logistic or fit)";
      break;
    case Kind::kBound:
      return "a number or {\"times\": k, \"of_year\": year}";
    case Kind::kYearRange:
      return "[first year, last year]";
  }
  const std::string b = bounds_text();
  if (!b.empty()) what += " " + b;
  if (!unit.empty() && unit != "year") what += " (" + unit + ")";
  return what;
}

//! (Declared in dcplan/schema.hpp.) Built once, on first use (a thread-safe function-local
//! static), and immutable: every thread of a sweep reads the same table.
const Node& scenario() {
  // One table for the process; nothing modifies it after build().
  static const NodePtr root = build();
  return *root;
}

//! (Declared in dcplan/schema.hpp.) Walks the table along a pointer's tokens: an object by
//! field name, a map or array by its item node whatever the key.
const Node* node_at(const std::vector<std::string>& tokens) {
  const Node* n = &scenario();
  for (const auto& t : tokens) {
    switch (n->kind) {
      case Kind::kObject: {
        // A name the table does not know: no node, and the caller says so.
        const Field* f = n->field(t);
        if (f == nullptr) return nullptr;
        n = f->node.get();
        break;
      }
      case Kind::kMap:
      case Kind::kArray:
        n = n->items.get();
        break;
      case Kind::kTrajectory:
      case Kind::kBound:
      case Kind::kStringList:
      case Kind::kYearRange:
        return n;  // the value's inner shape is checked by the validator
      default:
        return nullptr;
    }
  }
  return n;
}

//! The rules between a hardware entry's keys that the key table cannot state (model v3), so
//! that the JSON Schema refuses what the loader refuses: an accelerator (any kind but
//! "server") has bf16_tflops > 0; the "weibull" curve needs a shape, "step" takes none.
void add_hardware_rules(json& s) {
  auto non_null = [](json& any_of) -> json& { return any_of.at("anyOf").at(0); };
  json& hw = non_null(non_null(s.at("properties").at("hardware")).at("additionalProperties"));
  hw["if"] = {{"properties", {{"kind", {{"const", "server"}}}}}, {"required", {"kind"}}};
  hw["else"] = {{"properties", {{"bf16_tflops", {{"exclusiveMinimum", 0}}}}}};
  json& retirement = non_null(hw.at("properties").at("retirement"));
  retirement["if"] = {{"properties", {{"curve", {{"const", "weibull"}}}}}};
  retirement["then"] = {{"required", {"shape"}}, {"properties", {{"shape", {{"type", "number"}}}}}};
  retirement["else"] = {{"properties", {{"shape", {{"type", "null"}}}}}};
}

//! (Declared in dcplan/schema.hpp.) tests/cli/test_schema.py checks that it accepts every
//! shipped scenario and refuses the invalid test scenarios a schema can express. The rules
//! between a hardware entry's keys are added after the walk (add_hardware_rules).
std::string json_schema() {
  // The table's walk first, then the rules between keys a walk cannot express.
  json s = to_json_schema(scenario());
  add_hardware_rules(s);
  json out = {{"$schema", "https://json-schema.org/draft/2020-12/schema"},
              {"$id", "https://dcplan.invalid/schema/scenario-v1.json"},
              {"title", "dcplan scenario, format version 1"}};
  // $schema, $id and title first: ordered_json keeps them at the top of the file.
  for (auto& [k, v] : s.items()) out[k] = v;
  out["$defs"] = defs();
  return out.dump(2) + "\n";
}

//! (Declared in dcplan/schema.hpp.) docs/scenario-reference.md; a test fails until the file is
//! regenerated after a change to the table.
std::string reference_markdown() {
  std::string out =
      "# Scenario reference (format version 1)\n\n"
      "Generated from the key table in src/schema.cpp by `dcplan schema --markdown`; a test "
      "checks that this file matches it. Keys are JSON pointers; `{id}`, `{year}`, `{selector}` "
      "and `{currency}` stand for keys you choose; an `{id}` is letters, digits, `.`, `_` or "
      "`-` (starting with a letter or digit), and the ids of one object differ in more than "
      "case. A *trajectory* is a number or one of "
      "`{\"series\": {YEAR: v, ...}, \"interp\": \"linear\"|\"step\", \"then_growth\": g}`, "
      "`{\"exponential\": {\"base\", \"base_year\", \"rate\"}}`, "
      "`{\"logistic\": {\"cap\", \"midpoint\", \"steepness\", \"floor\"}}`, "
      "`{\"fit\": {\"model\": \"linear\"|\"exponential\"|\"logistic\", \"history\": {YEAR: v}, "
      "\"floor\"}}`; its bounds apply in every year of the horizon. `null` anywhere means the "
      "key is absent.\n\n"
      "| key | type | unit | default | bounds | description |\n"
      "| --- | --- | --- | --- | --- | --- |\n";
  reference_rows(scenario(), "", out);
  return out;
}

//! (Declared in dcplan/schema.hpp.) Names within max(2, |name| / 3) edits, best first, ties in
//! the order of `known` (a stable sort), so the suggestion of a message is always the same.
std::vector<std::string> nearest(std::string_view name, const std::vector<std::string>& known) {
  // Optimal string alignment distance: insertions, deletions, substitutions and adjacent
  // transpositions ("peu" -> "pue") each count as one edit.
  // Three rows of the dynamic programme (the one before the previous for transpositions):
  // O(|a| · |b|) time, O(|b|) memory.
  auto distance = [](std::string_view a, std::string_view b) {
    std::vector<std::size_t> pp(b.size() + 1), prev(b.size() + 1), cur(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
      cur[0] = i;
      for (std::size_t j = 1; j <= b.size(); ++j) {
        const std::size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
        cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
        if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
          cur[j] = std::min(cur[j], pp[j - 2] + 1);
        }
      }
      pp = prev;
      std::swap(prev, cur);
    }
    return prev[b.size()];
  };
  // Near enough: within a third of the name's length, and always within 2 edits.
  const std::size_t limit = std::max<std::size_t>(2, name.size() / 3);
  std::vector<std::pair<std::size_t, std::string>> scored;
  for (const auto& k : known) {
    const std::size_t d = distance(name, k);
    if (d <= limit) scored.emplace_back(d, k);
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (auto& [d, k] : scored) out.push_back(k);
  return out;
}

//! (Declared in dcplan/schema.hpp.) Nodes for keys inside trajectories and bounds, shared by the
//! loader's checks and the JSON Schema.
const Node& year_in_trajectory() {
  static const NodePtr n = year("a year");
  return *n;
}

const Node& growth_rate() {
  static const NodePtr n = make(Kind::kNumber, "a yearly growth rate (0.1 = 10%)", "per year",
                                {-1.0, std::nullopt, true, false});
  return *n;
}

}  // namespace dcplan::schema
