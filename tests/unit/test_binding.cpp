// The vary layer (src/vary/binding.hpp, runner.hpp): keys bound to their storage or through the
// document, values applied from the base every run, the specs made from numbers.
#include <catch2/catch.hpp>

#include <atomic>

#include "dcplan/error.hpp"
#include "scenario_file.hpp"
#include "vary/binding.hpp"
#include "vary/runner.hpp"

using namespace dcplan;
using Catch::Matchers::Contains;

TEST_CASE("vary: a spec made from numbers quotes them as --vary writes a list", "[vary]") {
  const VarySpec v = vary::list_spec("/capex/budget", true, {0.5, 2});
  CHECK(v.text == "/capex/budget*=0.5,2");
  CHECK(v.pointer == "/capex/budget");
  CHECK(v.multiply);
  CHECK(v.kind == SpecKind::kList);
  CHECK(v.values == std::vector<double>{0.5, 2});
  CHECK(vary::list_spec("/regions/r/pue", false, {1.25}).text == "/regions/r/pue=1.25");
  // The same spec as parsing its text gives.
  const VarySpec parsed = parse_vary(v.text);
  CHECK(parsed.values == v.values);
  CHECK(parsed.multiply == v.multiply);
}

TEST_CASE("vary: values set from the base every run, directly or through the document", "[vary]") {
  const std::string file = test::write_scenario("binding.json", test::kLinear);
  vary::Varied v = vary::load_base(file, {});
  (void)vary::bind(v, vary::list_spec("/capex/budget", true, {1, 2}));
  CHECK_FALSE(v.bindings.back().via_document);
  // A region weight has no storage of its own: it goes through the document.
  (void)vary::bind(v, vary::list_spec("/capex/region_weights/r", false, {1, 2}));
  CHECK(v.bindings.back().via_document);
  CHECK(v.any_document);
  vary::Runner runner(v);
  runner.set(0, {2, 1});
  CHECK(runner.scenario().capex.budget(0) == 2e8);
  // A factor applies to the base's value, not to the last run's.
  runner.set(1, {3, 1});
  CHECK(runner.scenario().capex.budget(0) == 3e8);
  const Results& res = runner.run(2, {1, 1}, EngineOptions{});
  CHECK(res.rows() > 0);
  CHECK(runner.scenario().capex.budget(0) == 1e8);
}

TEST_CASE("vary: keys that cannot be varied, and values outside a key's bounds", "[vary]") {
  const std::string file = test::write_scenario("binding-errors.json", test::kLinear);
  vary::Varied v = vary::load_base(file, {});
  CHECK_THROWS_WITH(vary::bind(v, vary::list_spec("/capex/nope", false, {1})),
                    Contains("the scenario format has no such key"));
  CHECK_THROWS_WITH(vary::bind(v, vary::list_spec("/regions/r/construction_years/series/2025",
                                                   false, {1})),
                    Contains("it is not a trajectory"));
  CHECK_THROWS_WITH(vary::bind(v, vary::list_spec("/regions/r/pue", false, {0.5, 2})),
                    Contains("invalid --vary \"/regions/r/pue=0.5,2\": 0.5 is outside the bounds"));
  // A factor is checked run by run, with the run's number.
  (void)vary::bind(v, vary::list_spec("/regions/r/pue", true, {0.5, 2}));
  vary::Runner runner(v);
  CHECK_THROWS_WITH(runner.set(7, {0.5}), Contains("run 7: /regions/r/pue = 0.625"));
}

TEST_CASE("vary: a runner stops when cancelled", "[vary]") {
  const std::string file = test::write_scenario("binding-cancel.json", test::kLinear);
  vary::Varied v = vary::load_base(file, {});
  (void)vary::bind(v, vary::list_spec("/capex/budget", true, {1, 2}));
  std::atomic<int> cancel{0};
  vary::Runner runner(v, &cancel);
  CHECK_NOTHROW(runner.run(0, {1}, EngineOptions{}));
  cancel = 2;
  CHECK_THROWS_AS(runner.run(1, {1}, EngineOptions{}), Interrupted);
}
