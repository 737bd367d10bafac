// The key table: lookups, bounds, suggestions, and the JSON Schema it generates.
#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <vector>

#include "dcplan/load.hpp"
#include "dcplan/results.hpp"
#include "dcplan/schema.hpp"
#include "params.hpp"

using namespace dcplan;
using Catch::Matchers::Contains;

TEST_CASE("node_at follows objects, maps and arrays and stops at unknown keys", "[schema]") {
  CHECK(schema::node_at({"regions", "any-id", "pue"})->kind == schema::Kind::kTrajectory);
  CHECK(schema::node_at({"capex", "budget", "series", "2026"})->kind == schema::Kind::kTrajectory);
  CHECK(schema::node_at({"targets", "0", "metric"})->kind == schema::Kind::kString);
  CHECK(schema::node_at({"regions", "x", "peu"}) == nullptr);
  CHECK(schema::node_at({"horizon", "start", "x"}) == nullptr);
}

TEST_CASE("bounds: inclusive, exclusive and their text", "[schema]") {
  const auto* pue = schema::node_at({"regions", "x", "pue"});
  CHECK(pue->in_bounds(1.0));
  CHECK(!pue->in_bounds(0.99));
  CHECK(pue->bounds_text() == ">= 1");
  const auto* afr = schema::node_at({"hardware", "x", "annual_failure_rate"});
  CHECK(afr->in_bounds(0.0));
  CHECK(!afr->in_bounds(1.0));
  CHECK(afr->bounds_text() == "[0, 1)");
  const auto* price = schema::node_at({"hardware", "x", "price_usd"});
  CHECK(!price->in_bounds(0.0));
  CHECK(price->bounds_text() == "> 0");
  CHECK(!price->in_bounds(std::numeric_limits<double>::quiet_NaN()));
}

TEST_CASE("nearest suggests close names, transpositions included", "[schema]") {
  const std::vector<std::string> keys = {"pue", "power_price_usd_per_mwh", "grid_g_per_kwh",
                                         "opens"};
  CHECK(schema::nearest("peu", keys).front() == "pue");
  CHECK(schema::nearest("pue ", keys).front() == "pue");
  CHECK(schema::nearest("opnes", keys).front() == "opens");
  CHECK(schema::nearest("zzzzzzzz", keys).empty());
}

TEST_CASE("every target metric is a result column", "[schema]") {
  const auto* metric = schema::node_at({"targets", "0", "metric"});
  REQUIRE(!metric->enum_values.empty());
  for (const auto& m : metric->enum_values) CHECK(find_column(m) != nullptr);
  CHECK(find_column("year")->kind == ColumnKind::kKey);
}

TEST_CASE("the JSON Schema declares draft 2020-12 and every top-level key", "[schema]") {
  const std::string s = schema::json_schema();
  CHECK_THAT(s, Contains("https://json-schema.org/draft/2020-12/schema"));
  for (const auto& f : schema::scenario().fields) CHECK_THAT(s, Contains("\"" + f.name + "\""));
}

TEST_CASE("the reference lists every key with its default", "[schema]") {
  const std::string md = schema::reference_markdown();
  CHECK_THAT(md, Contains("| `/operations/utilisation` | trajectory | — | 0.6 |"));
  CHECK_THAT(md, Contains("| `/regions/{id}/pue` | trajectory | — | required | >= 1 |"));
}

// The parameters (src/params, collected from the key table's storage) cover the format: every
// parameter names a numeric key with the same shape, and every numeric key of the format either
// has storage or is one of the few read by hand (listed here, each with its reason), so a new
// key without storage cannot go unnoticed.
TEST_CASE("every numeric key of the format is in the parameter table or read by hand", "[schema]") {
  using params::Scope;
  using params::Shape;
  std::set<std::string> in_table;
  for (const auto& p : params::table()) {
    std::string pattern;
    switch (p.scope) {
      case Scope::kTop:
        pattern = std::string(p.key);
        break;
      case Scope::kRegion:
        pattern = "/regions/{id}/" + std::string(p.key);
        break;
      case Scope::kHardware:
        pattern = "/hardware/{id}/" + std::string(p.key);
        break;
      case Scope::kCurrency:
        pattern = "/fx_per_usd/{currency}";
        break;
    }
    INFO(pattern);
    std::vector<std::string> tokens;
    for (std::size_t at = 1; at <= pattern.size();) {
      const auto next = std::min(pattern.find('/', at), pattern.size());
      tokens.push_back(pattern.substr(at, next - at));
      at = next + 1;
    }
    const schema::Node* node = schema::node_at(tokens);
    REQUIRE(node != nullptr);
    const auto expected = p.shape == Shape::kTrajectory ? schema::Kind::kTrajectory
                          : p.shape == Shape::kNumber   ? schema::Kind::kNumber
                                                        : schema::Kind::kInteger;
    CHECK(node->kind == expected);
    in_table.insert(pattern);
  }
  // Read by hand: structure (version, horizon), keys under a selector, a fleet or a keep (no
  // single storage), optional dates, targets (assertions, not model inputs) and observed history.
  const std::set<std::string> by_hand = {"/dcplan",
                                         "/horizon/start",
                                         "/horizon/end",
                                         "/hardware/{id}/last_sale",
                                         "/regions/{id}/opens",
                                         "/regions/{id}/initial/fleet/{id}/{year}",
                                         "/capex/region_weights/{selector}",
                                         "/capex/hardware_mix/{selector}/{id}",
                                         "/regions/{id}/keep/{id}",
                                         "/targets/{i}/year",
                                         "/targets/{i}/tolerance",
                                         "/regions/{id}/initial/built",
                                         "/observed/{id}/{year}"};
  const std::string reference = schema::reference_markdown();
  std::size_t numeric = 0;
  for (std::size_t at = reference.find("| `/"); at != std::string::npos;
       at = reference.find("| `/", at + 1)) {
    const auto end = reference.find('`', at + 3);
    const std::string key = reference.substr(at + 3, end - at - 3);
    const auto type_start = reference.find("| ", end) + 2;
    const std::string type =
        reference.substr(type_start, reference.find(' ', type_start) - type_start);
    if (type != "number" && type != "integer" && type != "trajectory") continue;
    ++numeric;
    INFO(key);
    CHECK((in_table.count(key) == 1) != (by_hand.count(key) == 1));
  }
  CHECK(numeric == in_table.size() + by_hand.size());
}

// Each key's storage is the member it names: a value set at the key's pointer is what the
// storage holds after loading (so two keys bound to one member, or a key bound to its
// neighbour's member, fail here).
TEST_CASE("every key with storage loads into its own member", "[schema]") {
  using params::Scope;
  using params::Shape;
  const std::string minimal = std::string(DCPLAN_SOURCE_DIR) + "/scenarios/examples/minimal.json";
  std::size_t checked = 0;
  for (const auto& p : params::table()) {
    std::string pointer = p.key;
    if (p.scope == Scope::kRegion) pointer = "/regions/us-east/" + p.key;
    if (p.scope == Scope::kHardware) pointer = "/hardware/h100/" + p.key;
    if (p.scope == Scope::kCurrency) pointer = "/fx_per_usd/CNY";
    INFO(pointer);
    // A value inside the key's bounds that no default or neighbour has, and that keeps the
    // scenario's rules (the fleet of 40,000 fits, vintage 2024 was on sale).
    double value = 0;
    for (double v : {0.37, 3.0, 7.0, 2020.0}) {
      if (p.node->in_bounds(v) && (p.shape != Shape::kInteger || v == static_cast<int>(v))) {
        value = v;
        break;
      }
    }
    if (p.key == "initial/it_capacity_mw") value = 737;
    REQUIRE(value != 0);
    LoadOptions options;
    if (p.key.starts_with("/demand/")) options.overrides.push_back("/demand/eflop_year=1");
    if (p.key == "retirement/shape") {
      options.overrides.push_back(R"(/hardware/h100/retirement={"curve": "weibull"})");
    }
    if (p.key == "max_lease_mw") {
      options.overrides.push_back("/regions/us-east/lease_usd_per_mw_year=2e6");
    }
    if (p.split) {
      // The three shares sum to 1: the key under test takes 0.37, the others share the rest.
      for (const char* share : {"it", "facility", "other"}) {
        options.overrides.push_back(std::string("/capex/split/") + share + "=0.315");
      }
    }
    options.overrides.push_back(pointer + "=" + std::to_string(value));
    Scenario s = load_scenario(minimal, options);
    const params::Storage at = p.at(s, 0, "CNY", false);
    switch (p.shape) {
      case Shape::kTrajectory:
        REQUIRE(at.trajectory != nullptr);
        CHECK((*at.trajectory == value).all());
        break;
      case Shape::kNumber:
        REQUIRE(at.number != nullptr);
        CHECK(*at.number == value);
        break;
      case Shape::kInteger:
        REQUIRE(at.integer != nullptr);
        CHECK(*at.integer == value);
        break;
    }
    ++checked;
  }
  CHECK(checked == params::table().size());
  CHECK(checked >= 30);
}
