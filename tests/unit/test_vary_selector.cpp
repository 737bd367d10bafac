// --vary with a selector (one input for every key it matches) and a point of a series the
// scenario does not write (src/vary/binding.hpp), each against values worked out by hand.
#include <catch2/catch.hpp>

#include <fmt/format.h>
#include <array>
#include <cstring>

#include "dcplan/engine.hpp"
#include "dcplan/error.hpp"
#include "dcplan/load.hpp"
#include "dcplan/search.hpp"
#include "dcplan/sensitivity.hpp"
#include "dcplan/sweep.hpp"
#include "scenario_file.hpp"
#include "vary/binding.hpp"
#include "vary/runner.hpp"

using namespace dcplan;
using Catch::Matchers::Contains;
using Catch::Matchers::WithinRel;

namespace {

//! Three regions, two of them "cn-" and tagged china, PUEs 1.4, 1.2 and 1.3, each with 1,000 MW
//! free and its weight's share of the money (1:1:2, placed by weight); two accelerators. As in
//! test::kLinear a dollar in region r gives B_r x PUE_r x 3.066e-4 MWh in 2025.
const char* kThree = R"({"dcplan": 1, "horizon": {"start": 2025, "end": 2026},
  "hardware": {
    "gpu": {"available": 2020, "bf16_tflops": 1000, "all_in_w": 1000, "price_usd": 10000,
            "lifetime_years": 5, "idle_fraction": 0.25},
    "tpu": {"available": 2020, "bf16_tflops": 800, "all_in_w": 800, "price_usd": 9000,
            "lifetime_years": 4, "idle_fraction": 0.25}},
  "regions": {
    "cn-a": {"tags": ["china"], "pue": 1.4, "power_price_usd_per_mwh": 100, "grid_g_per_kwh": 500,
             "facility_capex_usd_per_mw": 1e7, "initial": {"it_capacity_mw": 1000}},
    "cn-b": {"tags": ["china"], "pue": 1.2, "power_price_usd_per_mwh": 100, "grid_g_per_kwh": 500,
             "facility_capex_usd_per_mw": 1e7, "initial": {"it_capacity_mw": 1000}},
    "us-c": {"pue": 1.3, "power_price_usd_per_mwh": 100, "grid_g_per_kwh": 500,
             "facility_capex_usd_per_mw": 1e7, "initial": {"it_capacity_mw": 1000}}},
  "capex": {"budget": 1e8, "split": {"it": 1, "facility": 0, "other": 0},
            "it_placement": "weights",
            "region_weights": {"cn-a": 1, "cn-b": 1, "us-c": 2},
            "hardware_mix": {"*": {"gpu": 1}}},
  "operations": {"utilisation": 0.6}})";

double pue(const Scenario& s, const char* id, int year = 0) {
  return (*s.find_region(id)).pue(year);
}

//! The same bytes: every value of two result tables (NaN cells included).
bool same_results(const Results& a, const Results& b) {
  return a.values.rows() == b.values.rows() && a.values.cols() == b.values.cols() &&
         std::memcmp(a.values.data(), b.values.data(),
                     static_cast<std::size_t>(a.values.size()) * sizeof(double)) == 0;
}

}  // namespace

TEST_CASE("vary: a glob binds the regions it matches, one value sets both", "[vary][selector]") {
  vary::Varied v = vary::load_base(test::write_scenario("sel-glob.json", kThree), {});
  const vary::Input& in = vary::bind(v, parse_vary("/regions/cn-*/pue=1.1:1.5:0.4"));
  CHECK(v.inputs.size() == 1);
  CHECK(in.count == 2);
  REQUIRE(v.bindings.size() == 2);
  CHECK(v.bindings[0].spec.pointer == "/regions/cn-a/pue");
  CHECK(v.bindings[1].spec.pointer == "/regions/cn-b/pue");
  CHECK(v.bindings[1].input == 0);
  vary::Runner r(v);
  r.set(0, {1.5});
  CHECK(pue(r.scenario(), "cn-a") == 1.5);
  CHECK(pue(r.scenario(), "cn-b", 1) == 1.5);
  CHECK(pue(r.scenario(), "us-c") == 1.3);  // not matched
}

TEST_CASE("vary: a factor on a selector multiplies each key, the rest untouched",
          "[vary][selector]") {
  vary::Varied v = vary::load_base(test::write_scenario("sel-factor.json", kThree), {});
  (void)vary::bind(v, parse_vary("/regions/cn-*/pue*=1.1"));
  (void)vary::bind(v, parse_vary("/capex/budget*=2"));
  REQUIRE(v.inputs.size() == 2);
  vary::Runner r(v);
  const Results& res = r.run(0, {1.1, 2}, EngineOptions{});
  CHECK_THAT(pue(r.scenario(), "cn-a"), WithinRel(1.54, 1e-15));  // 1.4 x 1.1
  CHECK_THAT(pue(r.scenario(), "cn-b"), WithinRel(1.32, 1e-15));  // 1.2 x 1.1
  CHECK(pue(r.scenario(), "us-c") == 1.3);
  // 2025 energy: 2e8 x 3.066e-4 x (0.25 x 1.54 + 0.25 x 1.32 + 0.5 x 1.3) = 61,320 x 1.365 MWh.
  const auto row = res.find_row(2025, RowKey::kTotal);
  CHECK_THAT(res.values(row, kEnergyTwh), WithinRel(61320 * 1.365 * 1e-6, 1e-9));
  // From the base every run: the factor does not compound.
  r.set(1, {1.1, 1});
  CHECK_THAT(pue(r.scenario(), "cn-a"), WithinRel(1.54, 1e-15));
  // A factor out of bounds in one region is refused for the run, naming that region: 1.2 x 0.8
  // = 0.96 < 1 in cn-b while cn-a's 1.12 is fine.
  CHECK_THROWS_WITH(r.set(2, {0.8, 1}), Contains("run 2: /regions/cn-b/pue = 0.96"));
}

TEST_CASE("vary: #tag and * in a region position, * and a glob in a hardware position",
          "[vary][selector]") {
  vary::Varied v = vary::load_base(test::write_scenario("sel-tag.json", kThree), {});
  CHECK(vary::bind(v, parse_vary("/regions/#china/pue=1.05")).count == 2);
  CHECK(vary::bind(v, parse_vary("/regions/*/power_price_usd_per_mwh*=0.5")).count == 3);
  CHECK(vary::bind(v, parse_vary("/hardware/*/lifetime_years=7")).count == 2);
  CHECK(vary::bind(v, parse_vary("/hardware/t*/price_usd*=2")).count == 1);
  vary::Runner r(v);
  r.set(0, {1.05, 0.5, 7, 2});
  const Scenario& s = r.scenario();
  CHECK(pue(s, "cn-a") == 1.05);
  CHECK(pue(s, "cn-b") == 1.05);
  CHECK(pue(s, "us-c") == 1.3);
  CHECK((*s.find_region("us-c")).power_price_usd_per_mwh(0) == 50);
  for (const auto& h : s.hardware) CHECK(h.lifetime_years == 7);
  CHECK(s.hardware[s.hardware_index("tpu")].price_usd(0) == 18000);
  CHECK(s.hardware[s.hardware_index("gpu")].price_usd(0) == 10000);
}

TEST_CASE("vary: a selector that matches nothing names it and what exists", "[vary][selector]") {
  vary::Varied v = vary::load_base(test::write_scenario("sel-none.json", kThree), {});
  CHECK_THROWS_WITH(vary::bind(v, parse_vary("/regions/eu-*/pue=1.2")),
                    Contains("the selector \"eu-*\" matches no region of the scenario (it has "
                             "cn-a, cn-b, us-c)"));
  CHECK_THROWS_WITH(vary::bind(v, parse_vary("/regions/#europe/pue=1.2")),
                    Contains("\"#europe\" matches no region"));
  CHECK_THROWS_WITH(vary::bind(v, parse_vary("/hardware/x*/price_usd=1")),
                    Contains("matches no hardware of the scenario (it has gpu, tpu)"));
  CHECK_THROWS_WITH(vary::bind(v, parse_vary("/hardware/#china/price_usd=1")),
                    Contains("hardware has no tags"));
  // A matched key that cannot take the value is named, with the selector that matched it.
  CHECK_THROWS_WITH(
      vary::bind(v, parse_vary("/regions/*/max_total_mw*=2")),
      Contains("cannot vary /regions/cn-a/max_total_mw") &&
          Contains("one of the 3 keys --vary \"/regions/*/max_total_mw*=2\" matches"));
}

TEST_CASE("vary: two --vary reaching one key are refused, naming both", "[vary][selector]") {
  vary::Varied v = vary::load_base(test::write_scenario("sel-overlap.json", kThree), {});
  vary::bind(v, parse_vary("/regions/cn-b/pue=1.1,1.2"));
  // cn-* matches cn-a (free) and cn-b (taken): refused at cn-b, naming both flags.
  CHECK_THROWS_WITH(vary::bind(v, parse_vary("/regions/cn-*/pue*=0.9,1")),
                    Contains("--vary \"/regions/cn-b/pue=1.1,1.2\" and --vary "
                             "\"/regions/cn-*/pue*=0.9,1\" both reach /regions/cn-b/pue"));
  CHECK_THROWS_WITH(vary::bind(v, parse_vary("/regions/cn-b/pue=1.3")),
                    Contains("both reach /regions/cn-b/pue"));
  // Another key of the same regions, and a region the first did not reach, are free.
  CHECK_NOTHROW(vary::bind(v, parse_vary("/regions/cn-*/power_price_usd_per_mwh=90,110")));
  CHECK_NOTHROW(vary::bind(v, parse_vary("/regions/cn-a/pue=1.3")));
  CHECK(v.inputs.size() == 3);
}

TEST_CASE("vary: /regions/*/pue=X gives the same bytes as --set of every region's pue",
          "[vary][selector]") {
  const std::string file = test::write_scenario("sel-same.json", kThree);
  vary::Varied v = vary::load_base(file, {});
  (void)vary::bind(v, parse_vary("/regions/*/pue=1"));
  vary::Runner r(v);
  for (const double x : {1.0, 1.07, 1.3, 1.777}) {
    const std::string value = fmt::format("{}", x);
    const Scenario set =
        load_scenario(file, {{"/regions/cn-a/pue=" + value, "/regions/cn-b/pue=" + value,
                              "/regions/us-c/pue=" + value}});
    const Results expected = simulate(set);
    INFO("pue " << x);
    CHECK(same_results(r.run(0, {x}, EngineOptions{}), expected));
  }
}

TEST_CASE("sensitivity: a selector is one input", "[vary][selector][sensitivity]") {
  // Energy 2025 = 1e8 x 3.066e-4 x (0.25 PUE_a + 0.25 PUE_b + 0.5 x 1.3) MWh with both "cn-"
  // PUEs at 1.1 (low) or 1.5 (high): 30,660 x 1.2 = 36,792 and 30,660 x 1.4 = 42,924 MWh; the
  // base (1.4, 1.2) 30,660 x 1.3 = 39,858 MWh.
  sensitivity::ScenarioOptions o;
  o.scenario = test::write_scenario("sel-sens.json", kThree);
  o.method = "tornado";
  o.metrics = {"energy_twh@2025"};
  o.varies = {"/regions/cn-*/pue=1.1:1.5"};
  const auto a = sensitivity::analyse(o);
  CHECK(a.runs == 3);  // 2 k + 1 with k = 1
  REQUIRE(a.rows.size() == 6);
  CHECK(a.rows[0].input == "/regions/cn-*/pue");
  CHECK_THAT(a.rows[0].value, WithinRel(0.039858, 1e-9));  // base
  CHECK_THAT(a.rows[1].value, WithinRel(0.036792, 1e-9));  // low
  CHECK_THAT(a.rows[2].value, WithinRel(0.042924, 1e-9));  // high
  // Sobol' counts it once: N (k + 2) runs with k = 2.
  o.method = "sobol";
  o.samples = 8;
  o.bootstrap = 0;
  o.varies = {"/regions/cn-*/pue*=uniform(0.8,1.1)", "/capex/budget*=0.5:2"};
  CHECK(sensitivity::planned_runs(o) == 32);
  const auto s = sensitivity::analyse(o);
  CHECK(s.runs == 32);
  REQUIRE(s.rows.size() == 4);  // S1 and ST of two inputs
  CHECK(s.rows[0].input == "/regions/cn-*/pue*");
  // The factor's bounds are the tightest any matched key allows: PUE >= 1 needs a factor of at
  // least 1 / 1.2 for cn-b (cn-a alone would allow 1 / 1.4), so 0.8 is clipped, and said.
  REQUIRE_FALSE(s.notes.empty());
  CHECK_THAT(s.notes[0], Contains("a factor >= 0.833333"));
}

TEST_CASE("sweep: one column for a selector, one draw for all its keys", "[vary][selector]") {
  SweepOptions o;
  o.scenario = test::write_scenario("sel-sweep.json", kThree);
  o.varies = {"/regions/cn-*/pue*=uniform(0.9,1.1)"};
  o.samples = 3;
  o.by_region = true;
  o.metrics = "energy_twh";
  const SweepTable t = collect_sweep(o);
  REQUIRE(t.params.size() == 1);
  CHECK(t.params[0] == "/regions/cn-*/pue*");
  // Each run's one factor f in both "cn-" regions: 2025 energy 2.5e7 x PUE_r x f x 3.066e-4 MWh.
  int checked = 0;
  for (std::size_t i = 0; i < t.run.size(); ++i) {
    if (t.year[i] != 2025 || t.region[i] > 1) continue;
    const double f = t.param_values[0][i];
    const double pue_r = t.region[i] == 0 ? 1.4 : 1.2;
    CHECK_THAT(t.values[0][i], WithinRel(2.5e7 * pue_r * f * 3.066e-4 * 1e-6, 1e-9));
    ++checked;
  }
  CHECK(checked == 6);  // three runs, two regions
}

TEST_CASE("vary: a series year added to a constant makes a ramp", "[vary][series]") {
  // utilisation 0.6 over 2025-2032; 2030 set to 0.9: the series {2025: 0.6, 2030: 0.9}, linear,
  // held after 2030. 2027: 0.6 + 0.3 x 2 / 5 = 0.72.
  std::string text = test::kLinear;
  text.replace(text.find("\"end\": 2026"), 11, "\"end\": 2032");
  const std::string file = test::write_scenario("series-constant.json", text);
  for (const char* spec :
       {"/operations/utilisation/series/2030=0.9", "/operations/utilisation/series/2030*=1.5"}) {
    INFO(spec);
    vary::Varied v = vary::load_base(file, {});
    const vary::Input& in = vary::bind(v, parse_vary(spec));
    CHECK(v.groups[0].from_constant);
    vary::Runner r(v);
    r.set(0, in.spec.values);
    const Eigen::ArrayXd& u = r.scenario().operations.utilisation;
    CHECK(u(0) == 0.6);
    CHECK_THAT(u(2), WithinRel(0.72, 1e-12));
    CHECK_THAT(u(5), WithinRel(0.9, 1e-12));
    CHECK_THAT(u(7), WithinRel(0.9, 1e-12));
  }
}

TEST_CASE("vary: a series year added to a series, and a refusal for an exponential",
          "[vary][series]") {
  // The budget {2025: 1e8, 2029: 3e8}: its value in 2027 is 2e8. Set to 5e8: 2026 halfway to
  // it, 3e8; 2028 halfway back, 4e8. A factor 2 adds 2e8 x 2 = 4e8: 2026 2.5e8, 2028 3.5e8.
  std::string text = test::kLinear;
  text.replace(text.find("\"end\": 2026"), 11, "\"end\": 2030");
  text.replace(text.find("\"budget\": 1e8"), 13,
               R"("budget": {"series": {"2025": 1e8, "2029": 3e8}})");
  const std::string file = test::write_scenario("series-point.json", text);
  const std::pair<const char*, std::array<double, 3>> cases[] = {
      {"/capex/budget/series/2027=5e8", {3e8, 5e8, 4e8}},
      {"/capex/budget/series/2027*=2", {2.5e8, 4e8, 3.5e8}}};
  for (const auto& [spec, want] : cases) {
    INFO(spec);
    vary::Varied v = vary::load_base(file, {});
    const vary::Input& in = vary::bind(v, parse_vary(spec));
    CHECK_FALSE(v.groups[0].from_constant);
    vary::Runner r(v);
    r.set(0, in.spec.values);
    const Eigen::ArrayXd& b = r.scenario().capex.budget;
    CHECK(b(0) == 1e8);
    CHECK_THAT(b(1), WithinRel(want[0], 1e-12));
    CHECK_THAT(b(2), WithinRel(want[1], 1e-12));
    CHECK_THAT(b(3), WithinRel(want[2], 1e-12));
    CHECK(b(4) == 3e8);
  }
  text.replace(text.find(R"({"series": {"2025": 1e8, "2029": 3e8}})"), 38,
               R"({"exponential": {"base": 1e8, "base_year": 2025, "rate": 0.1}})");
  vary::Varied v = vary::load_base(test::write_scenario("series-exp.json", text), {});
  CHECK_THROWS_WITH(vary::bind(v, parse_vary("/capex/budget/series/2027=5e8")),
                    Contains("/capex/budget is an exponential trajectory in the scenario") &&
                        Contains("write it as a series first"));
}

TEST_CASE("solve: a selector is one lever, its answer every key it matches", "[vary][selector]") {
  // 2025 energy reaches 42,924 MWh with both "cn-" PUEs at 1.5 (see the sensitivity case).
  SolveOptions o;
  o.scenario = test::write_scenario("sel-solve.json", kThree);
  o.targets = {"energy_twh@2025>=0.042924"};
  o.vary = {"/regions/cn-*/pue=1:2"};
  const SolveResult r = solve(o);
  REQUIRE(r.feasible);
  CHECK(r.value >= 1.5 * (1 - 1e-12));
  CHECK(r.value - 1.5 <= r.tolerance);
  CHECK(r.set_line ==
        fmt::format("--set /regions/cn-a/pue={} --set /regions/cn-b/pue={}", r.value, r.value));
  // A point added to a constant: the answer writes the series the run had.
  std::string text = test::kLinear;
  o.scenario = test::write_scenario("sel-solve-series.json", text);
  o.targets = {"energy_twh@2026>=0.1"};
  o.vary = {"/operations/utilisation/series/2026=0.1:1"};
  const SolveResult u = solve(o);
  REQUIRE(u.feasible);
  CHECK(u.set_line ==
        fmt::format(R"(--set '/operations/utilisation={{"series":{{"2025":0.6,"2026":{}}}}}')",
                    u.value));
}
