// The key table: lookups, bounds, suggestions, and the JSON Schema it generates.
#include <catch2/catch.hpp>

#include "dcplan/results.hpp"
#include "dcplan/schema.hpp"

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
