// Benchmarks (outside the default test run): the engine on a generated scenario of 40 regions
// x 12 accelerator types x 11 years, and the loader on the same file.
//
//   tools/bench            builds with -DDCPLAN_BUILD_BENCH=ON, runs this and times the CLI
//   build-bench/tests/dcplan_bench --write-scenario FILE   writes the scenario and exits
#define CATCH_CONFIG_RUNNER
#define CATCH_CONFIG_ENABLE_BENCHMARKING
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "dcplan/engine.hpp"
#include "dcplan/load.hpp"

namespace {

using json = nlohmann::json;

//! Deterministic: 40 regions, 12 accelerator types, 2022-2032, caps on a third of the regions.
std::string bench_scenario() {
  json doc = {
      {"dcplan", 1}, {"name", "bench-40x12x11"}, {"horizon", {{"start", 2022}, {"end", 2032}}}};
  json mix = json::object();
  for (int h = 0; h < 12; ++h) {
    const std::string id = "acc" + std::to_string(h);
    doc["hardware"][id] = {
        {"available", 2018 + h},
        {"bf16_tflops", 300.0 + 200.0 * h},
        {"all_in_w", 700.0 + 150.0 * h},
        {"price_usd",
         {{"exponential", {{"base", 15000.0 + 2000.0 * h}, {"base_year", 2022}, {"rate", -0.05}}}}},
        {"lifetime_years", 4 + h % 3},
        {"idle_fraction", 0.25},
        {"annual_failure_rate", 0.02},
        {"embodied_kgco2e", 1500}};
    mix[id] = 1.0 / 12.0;
  }
  for (int r = 0; r < 40; ++r) {
    const std::string id = "region-" + std::to_string(100 + r);
    json reg = {{"pue", {{"series", {{"2022", 1.3}, {"2032", 1.15}}}}},
                {"power_price_usd_per_mwh", 60.0 + r},
                {"grid_g_per_kwh", 100.0 + 12.0 * r},
                {"renewable_share", 0.01 * r},
                {"facility_capex_usd_per_mw", 1.0e7 + 1.0e5 * r},
                {"construction_years", r % 3},
                {"tags", json::array({r % 2 ? "international" : "china"})},
                {"initial", {{"it_capacity_mw", 100.0}, {"fleet", {{"acc0", {{"2021", 20000}}}}}}}};
    if (r % 3 == 0) reg["max_new_mw_per_year"] = 50;
    if (r % 5 == 0) reg["max_total_mw"] = 400;
    doc["regions"][id] = reg;
  }
  doc["capex"] = {{"budget", {{"series", {{"2022", 2e10}, {"2025", 5e10}}}, {"then_growth", 0.1}}},
                  {"split", {{"it", 0.65}, {"facility", 0.25}, {"other", 0.1}}},
                  {"region_weights", {{"*", 1}, {"#international", 2}}},
                  {"hardware_mix", {{"*", mix}}}};
  return doc.dump(1);
}

}  // namespace

TEST_CASE("engine: 40 regions x 12 accelerators x 11 years", "[bench]") {
  const std::string text = bench_scenario();
  const dcplan::Scenario s = dcplan::load_scenario_text(text, "bench.json");
  dcplan::Engine engine;
  dcplan::Results results;
  BENCHMARK("simulate (engine reused)") {
    engine.run(s, {}, results);
    return results.values(0, 0);
  };
  BENCHMARK("simulate --by hardware (engine reused)") {
    engine.run(s, {true}, results);
    return results.values(0, 0);
  };
  BENCHMARK("load and validate (from text)") {
    return dcplan::load_scenario_text(text, "bench.json").regions.size();
  };
}

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--write-scenario") {
    std::ofstream(argv[2]) << bench_scenario();
    return 0;
  }
  return Catch::Session().run(argc, argv);
}
