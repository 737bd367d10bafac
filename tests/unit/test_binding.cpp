// The vary layer (src/vary/binding.hpp, runner.hpp): keys bound to their storage or through the
// document, values applied from the base every run, the specs made from numbers.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstring>

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

namespace {

//! One region with 6 MW free and a US$100 m IT budget in 2025, placed by power, what finds no
//! power carried over: accelerators of 1 kW at US$10,000 buy 1e-7 MW a dollar, so 6 MW takes
//! US$60 m (6,000 units); at twice the price a dollar buys 5e-8 MW and the US$100 m (5,000
//! units) all fit.
const char* kPowerBound = R"({"dcplan": 1, "horizon": {"start": 2025, "end": 2026},
  "hardware": {"gpu": {"available": 2020, "bf16_tflops": 1000, "all_in_w": 1000,
                       "price_usd": 10000, "lifetime_years": 5, "idle_fraction": 0.25}},
  "regions": {"r": {"pue": 1.25, "power_price_usd_per_mwh": 100, "grid_g_per_kwh": 500,
                    "facility_capex_usd_per_mw": 1e7, "initial": {"it_capacity_mw": 6}}},
  "capex": {"budget": 1e8, "split": {"it": 1, "facility": 0, "other": 0},
            "hardware_mix": {"*": {"gpu": 1}}, "it_placement": "power", "it_overflow": "carry"},
  "operations": {"utilisation": 0.6}})";

//! Every cell of two result tables the same to the bit (empty cells are NaN).
bool same_bits(const Results& a, const Results& b) {
  return a.values.rows() == b.values.rows() && a.values.cols() == b.values.cols() &&
         std::memcmp(a.values.data(), b.values.data(),
                     static_cast<std::size_t>(a.values.size()) * sizeof(double)) == 0;
}

}  // namespace

TEST_CASE("vary: a runner derives the engine's constants again when a varied key reaches them",
          "[vary]") {
  const std::string file = test::write_scenario("binding-constants.json", kPowerBound);
  const EngineOptions eo;
  const auto installed_2025 = [](const Results& res) {
    return res.values(0, kAcceleratorsInstalled);  // 2025, region r
  };
  SECTION("a hardware price: the MW a dollar buys changes with it") {
    vary::Varied v = vary::load_base(file, {});
    (void)vary::bind(v, vary::list_spec("/hardware/gpu/price_usd", true, {1, 2}));
    vary::Runner runner(v);
    CHECK_THAT(installed_2025(runner.run(0, {1}, eo)), Catch::Matchers::WithinRel(6000.0, 1e-12));
    // Kept from run 0, the constants would place US$60 m at US$20,000: 3,000 units.
    const Results& res = runner.run(1, {2}, eo);
    CHECK_THAT(installed_2025(res), Catch::Matchers::WithinRel(5000.0, 1e-12));
    CHECK(same_bits(res, simulate(runner.scenario(), eo)));
  }
  SECTION("the budget: the constants are kept, and every run is the same as a fresh engine's") {
    vary::Varied v = vary::load_base(file, {});
    (void)vary::bind(v, vary::list_spec("/capex/budget", true, {0.5, 1.5}));
    vary::Runner runner(v);
    for (const double f : {0.5, 1.5, 0.25}) {
      const Results& res = runner.run(0, {f}, eo);
      CHECK(same_bits(res, simulate(runner.scenario(), eo)));
    }
    // US$25 m buys 2,500 units, all powered.
    CHECK_THAT(installed_2025(runner.results()), Catch::Matchers::WithinRel(2500.0, 1e-12));
  }
}
