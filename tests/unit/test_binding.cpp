// The vary layer (src/vary/binding.hpp, runner.hpp): keys bound to their storage or through the
// document, values applied from the base every run, the specs made from numbers.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstring>

#include "dcplan/error.hpp"
#include "load/detail.hpp"
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
  CHECK_THROWS_WITH(
      vary::bind(v, vary::list_spec("/regions/r/construction_years/series/2025", false, {1})),
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

namespace {

//! Four regions weighted by every kind of selector: "a" by its id (2), "b" and "c" by the tag
//! #intl (0.5), "d" by its id (0: no mix selector matches it, so the loader refuses it IT money).
//! Little power free (2 MW each) and a budget placed by power and carried over, so that moving
//! weight between regions changes what each buys.
const char* kWeighted = R"({"dcplan": 1, "horizon": {"start": 2025, "end": 2027},
  "hardware": {"gpu": {"available": 2020, "bf16_tflops": 1000, "all_in_w": 1000,
                       "price_usd": 10000, "lifetime_years": 5, "idle_fraction": 0.25}},
  "regions": {
    "a": {"pue": 1.2, "power_price_usd_per_mwh": 60, "grid_g_per_kwh": 500,
          "facility_capex_usd_per_mw": 1e7, "initial": {"it_capacity_mw": 2}},
    "b": {"pue": 1.3, "power_price_usd_per_mwh": 90, "grid_g_per_kwh": 300, "tags": ["intl"],
          "facility_capex_usd_per_mw": 1.2e7, "initial": {"it_capacity_mw": 2}},
    "c": {"pue": 1.4, "power_price_usd_per_mwh": 120, "grid_g_per_kwh": 100, "tags": ["intl"],
          "facility_capex_usd_per_mw": 1.5e7, "initial": {"it_capacity_mw": 2}},
    "d": {"pue": 1.5, "power_price_usd_per_mwh": 50, "grid_g_per_kwh": 700,
          "facility_capex_usd_per_mw": 9e6, "initial": {"it_capacity_mw": 2}}},
  "capex": {"budget": 1e8, "split": {"it": 0.7, "facility": 0.3, "other": 0},
            "region_weights": {"*": 1, "#intl": 0.5, "a": 2, "d": 0},
            "hardware_mix": {"a": {"gpu": 1}, "#intl": {"gpu": 1}},
            "it_placement": "power", "it_overflow": "carry"},
  "operations": {"utilisation": 0.6}})";

//! The scenario as the loader builds it with `values` set at `pointers` (multiplied where
//! `multiply`): what the document path ran.
Scenario through_document(const vary::Varied& v, const std::vector<std::string>& pointers,
                          const std::vector<double>& values, bool multiply) {
  nlohmann::json doc = v.doc;
  for (std::size_t i = 0; i < pointers.size(); ++i) {
    auto& at = doc[nlohmann::json::json_pointer(pointers[i])];
    at = multiply ? at.get<double>() * values[i] : values[i];
  }
  return detail::build_document(doc, v.file);
}

//! The loader's error for `values` at `pointers`, as a run reports it.
std::string document_error(const vary::Varied& v, long long run,
                           const std::vector<std::string>& pointers,
                           const std::vector<double>& values, bool multiply) {
  try {
    (void)through_document(v, pointers, values, multiply);
  } catch (const InputError& e) {
    // As the document path reports it: every diagnostic with the run's number.
    std::vector<Diagnostic> ds = e.diagnostics();
    for (auto& d : ds) d.message = "run " + std::to_string(run) + ": " + d.message;
    return InputError(std::move(ds)).what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("vary: a region weight set directly runs the loader's numbers, bit for bit",
          "[vary][weights]") {
  const std::string file = test::write_scenario("binding-weights.json", kWeighted);
  const EngineOptions eo;
  const auto check = [&](const std::vector<std::string>& pointers, bool multiply,
                         const std::vector<std::vector<double>>& runs) {
    vary::Varied v = vary::load_base(file, {});
    for (const auto& p : pointers) (void)vary::bind(v, vary::list_spec(p, multiply, {1}));
    for (const auto& b : v.bindings) CHECK(b.weight);
    CHECK_FALSE(v.any_document);
    vary::Runner runner(v);
    long long run = 0;
    for (const auto& values : runs) {
      INFO("run " << run);
      const Results& res = runner.run(run++, values, eo);
      const Scenario loaded = through_document(v, pointers, values, multiply);
      CHECK((runner.scenario().capex.region_weight == loaded.capex.region_weight).all());
      CHECK(same_bits(res, simulate(loaded, eo)));
    }
    return runner.scenario().capex.region_weight;
  };
  SECTION("a key the map writes: an id, a tag, *") {
    // Rows a, b, c (from 0.5), d: 2 3 3 0 after setting #intl to 3.
    const Eigen::ArrayXXd w =
        check({"/capex/region_weights/#intl"}, false, {{0.5}, {0}, {1.75}, {3}});
    CHECK(w(0, 0) == 2);
    CHECK(w(1, 2) == 3);
    CHECK(w(2, 1) == 3);
    CHECK(w(3, 0) == 0);
    (void)check({"/capex/region_weights/a"}, false, {{2}, {0.25}, {7}});
    // "*" resolves no region here: every region has a more specific key.
    (void)check({"/capex/region_weights/*"}, false, {{0.5}, {4}});
  }
  SECTION("a factor on the written constants") {
    const Eigen::ArrayXXd w = check({"/capex/region_weights/#intl", "/capex/region_weights/a"},
                                    true, {{1, 1}, {0.1, 3}, {2.5, 0.7}});
    CHECK(w(1, 0) == 0.5 * 2.5);
    CHECK(w(0, 0) == 2 * 0.7);
  }
  SECTION("a region id the map does not write takes that region from its tag alone") {
    // b leaves #intl: 0.9 for b, 0.5 x ... for c.
    const Eigen::ArrayXXd w = check({"/capex/region_weights/b", "/capex/region_weights/#intl"},
                                    false, {{0.9, 0.5}, {0, 2}, {3, 0.25}});
    CHECK(w(1, 0) == 3);
    CHECK(w(2, 0) == 0.25);
  }
}

TEST_CASE("vary: a region weight the loader would refuse gives the loader's error",
          "[vary][weights]") {
  const std::string file = test::write_scenario("binding-weights-bad.json", kWeighted);
  SECTION("a negative weight") {
    vary::Varied v = vary::load_base(file, {});
    (void)vary::bind(v, vary::list_spec("/capex/region_weights/#intl", true, {1}));
    vary::Runner runner(v);
    const std::string expected = document_error(v, 3, {"/capex/region_weights/#intl"}, {-2}, true);
    CHECK_THAT(expected,
               Contains("run 3: expected a number or a trajectory") && Contains("found -1"));
    CHECK_THROWS_WITH(runner.set(3, {-2}), expected);
    // The next run starts from the base again.
    CHECK_NOTHROW(runner.set(4, {2}));
    CHECK(runner.scenario().capex.region_weight(2, 0) == 1);
  }
  SECTION("IT money for a region no mix selector matches") {
    vary::Varied v = vary::load_base(file, {});
    (void)vary::bind(v, vary::list_spec("/capex/region_weights/d", false, {0, 1}));
    vary::Runner runner(v);
    CHECK_NOTHROW(runner.set(0, {0}));
    const std::string expected = document_error(v, 1, {"/capex/region_weights/d"}, {1}, false);
    CHECK_THAT(expected, Contains("region \"d\" receives IT budget"));
    CHECK_THROWS_WITH(runner.set(1, {1}), expected);
  }
  SECTION("a glob the map does not write goes through the document, and takes the others") {
    vary::Varied v = vary::load_base(file, {});
    (void)vary::bind(v, vary::list_spec("/capex/region_weights/a", false, {1}));
    CHECK(v.bindings.back().weight);
    (void)vary::bind(v, vary::list_spec("/capex/region_weights/[bc]", false, {1}));
    CHECK(v.bindings.back().via_document);
    CHECK(v.bindings.front().via_document);
    CHECK_FALSE(v.bindings.front().weight);
  }
}
