// Model v3, the fleet half: retirement curves (step 2), conventional servers (hardware kind)
// and installed bases kept (step 5b), each on a scenario small enough to work out by hand. The
// tiny scenario (engine_fixture.hpp): accelerators "gpu" of 1 kW at US$10,000, 5 years; PUE 1.25.
#include <catch2/catch.hpp>
#include <cmath>

#include "dcplan/error.hpp"
#include "dcplan/view.hpp"
#include "engine_fixture.hpp"

using namespace dcplan;
using namespace dcplan::test;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

namespace {

//! The budget of 2025 alone (nothing after).
std::string budget_2025(double usd) {
  return "/capex/budget={\"series\": {\"2025\": " + std::to_string(usd) +
         ", \"2026\": 0}, \"interp\": \"step\"}";
}

std::string limit(const Results& res, int year, const std::string& id) {
  return limit_text(at(res, year, id, kLimit));
}

// Weibull, L = 5, k = 3: Γ(1 + 1/3) = Γ(4/3) = 0.892979511569249, so
// λ = (5 − 1/2) / 0.892979511569249 = 5.039309347749834, and S(a) = exp(−(a/λ)^3):
//   S(1) = exp(−(1/5.0393)^3) = exp(−0.0078143) = 0.992216208
//   S(2) = exp(−0.0624349)                      = 0.939399960
//   S(3) = exp(−0.2109335)                      = 0.809786557
//   S(4) = exp(−0.4999791)                      = 0.606462983
//   S(5) = exp(−0.9767657)                      = 0.376521382
//   S(9) = exp(−5.6966)                         = 0.003357416
// Truncated at 2L = 10: a cohort of age 10 retires whole.
constexpr double kS1 = 0.9922162082889309, kS2 = 0.9393999596620861, kS3 = 0.8097865572474287,
                 kS4 = 0.6064629827735202, kS5 = 0.3765213817019384, kS9 = 0.0033574163591933394;

//! The tiny scenario over 2025-2035 with the gpu on a Weibull curve of shape 3.
std::vector<std::string> weibull(std::vector<std::string> more = {}) {
  std::vector<std::string> o = {R"(/horizon={"start": 2025, "end": 2035})",
                                R"(/hardware/gpu/retirement={"curve": "weibull", "shape": 3})"};
  o.insert(o.end(), more.begin(), more.end());
  return o;
}

//! A conventional server "cpu": 500 W all-in (idle half of it), US$5,000, 4 years, no compute,
//! 100 kg CO2e. The region holds 600 of vintage 2024 at the start in `mw` MW of capacity and
//! keeps 1,000 installed.
std::vector<std::string> servers(double mw, std::vector<std::string> more = {}) {
  std::vector<std::string> o = {
      R"(/horizon={"start": 2025, "end": 2026})",
      R"(/hardware/cpu={"kind": "server", "available": 2020, "bf16_tflops": 0, "all_in_w": 500,
         "price_usd": 5000, "lifetime_years": 4, "idle_fraction": 0.5,
         "embodied_kgco2e": 100})",
      "/regions/r/initial={\"it_capacity_mw\": " + std::to_string(mw) +
          ", \"fleet\": {\"cpu\": {\"2024\": 600}}}",
      R"(/regions/r/keep={"cpu": 1000})"};
  o.insert(o.end(), more.begin(), more.end());
  return o;
}

}  // namespace

TEST_CASE("Weibull retirement: survivors at three ages and the rest at twice the lifetime",
          "[engine][v3][retirement]") {
  // 1,000 gpus of vintage 2025 in 1 MW, no failures: installed = 1,000 · S(age).
  const auto res = simulate(tiny(weibull({R"(/regions/r/initial={"it_capacity_mw": 1,
                                               "fleet": {"gpu": {"2025": 1000}}})"})));
  CHECK(at(res, 2025, "r", kAcceleratorsRetired) == 0);  // age 0 neither retires nor fails
  CHECK_THAT(at(res, 2025, "r", kAcceleratorsInstalled), WithinRel(1000.0, 1e-15));
  CHECK_THAT(at(res, 2026, "r", kAcceleratorsInstalled), WithinRel(1000 * kS1, 1e-12));  // 992.2
  CHECK_THAT(at(res, 2028, "r", kAcceleratorsInstalled), WithinRel(1000 * kS3, 1e-12));  // 809.8
  CHECK_THAT(at(res, 2030, "r", kAcceleratorsInstalled), WithinRel(1000 * kS5, 1e-12));  // 376.5
  // Age 3 retires 1,000 · (S(2) − S(3)) = 939.400 − 809.787 = 129.613.
  CHECK_THAT(at(res, 2028, "r", kAcceleratorsRetired), WithinRel(1000 * (kS2 - kS3), 1e-12));
  // At L = 5 a cohort is no longer gone whole: 376.5 serve on. At 2L = 10 (2035) the 3.357
  // left after age 9 retire at once.
  CHECK_THAT(at(res, 2034, "r", kAcceleratorsInstalled), WithinRel(1000 * kS9, 1e-11));
  CHECK_THAT(at(res, 2035, "r", kAcceleratorsRetired), WithinRel(1000 * kS9, 1e-11));
  CHECK(at(res, 2035, "r", kAcceleratorsInstalled) == 0);
  // The same under the step curve: all 1,000 at age 5.
  const auto step = simulate(tiny({R"(/horizon={"start": 2025, "end": 2035})",
                                   R"(/hardware/gpu/retirement={"curve": "step"})",
                                   R"(/regions/r/initial={"it_capacity_mw": 1,
                                      "fleet": {"gpu": {"2025": 1000}}})"}));
  CHECK(at(step, 2029, "r", kAcceleratorsInstalled) == 1000);
  CHECK(at(step, 2030, "r", kAcceleratorsRetired) == 1000);
}

TEST_CASE("Weibull retirement: failures after retirements", "[engine][v3][retirement]") {
  // afr 0.1: each year R = n · (1 − S(a)/S(a − 1)) first, then F = (n − R) · 0.1, so
  // installed = 1,000 · S(a) · 0.9^a. Age 3 (2028): n = 1,000 · S(2) · 0.81 = 760.914;
  // R = 810 · (S(2) − S(3)) = 810 · 0.129613 = 104.987; F = 810 · S(3) · 0.1 = 65.593;
  // installed = 810 · S(3) · 0.9 = 590.334.
  const auto res = simulate(tiny(weibull({"/hardware/gpu/annual_failure_rate=0.1",
                                          R"(/regions/r/initial={"it_capacity_mw": 1,
                                "fleet": {"gpu": {"2025": 1000}}})"})));
  CHECK_THAT(at(res, 2028, "r", kAcceleratorsRetired), WithinRel(810 * (kS2 - kS3), 1e-12));
  CHECK_THAT(at(res, 2028, "r", kAcceleratorsFailed), WithinRel(81 * kS3, 1e-12));
  CHECK_THAT(at(res, 2028, "r", kAcceleratorsInstalled), WithinRel(729 * kS3, 1e-12));
  // 2035 (age 10): the whole remainder, 1,000 · S(9) · 0.9^9 = 1.30073, retires and none fails.
  CHECK_THAT(at(res, 2035, "r", kAcceleratorsRetired),
             WithinRel(1000 * kS9 * std::pow(0.9, 9), 1e-11));
  CHECK(at(res, 2035, "r", kAcceleratorsFailed) == 0);
}

TEST_CASE("Weibull retirement: a stranded batch retires by the curve, depreciation unchanged",
          "[engine][v3][retirement]") {
  // Version-1 placement and no power: US$10 m buys 1,000 gpus in 2025 that wait. Waiting
  // batches retire by the same R and do not fail (afr 0.1 is ignored for them).
  const auto res =
      simulate(tiny_v1(weibull({budget_2025(1e7), "/hardware/gpu/annual_failure_rate=0.1"})));
  CHECK(at(res, 2025, "r", kAcceleratorsStranded) == 1000);
  CHECK_THAT(at(res, 2026, "r", kAcceleratorsStranded), WithinRel(1000 * kS1, 1e-12));
  CHECK_THAT(at(res, 2029, "r", kAcceleratorsStranded), WithinRel(1000 * kS4, 1e-12));
  CHECK(at(res, 2029, "r", kAcceleratorsFailed) == 0);
  // Depreciation stays straight-line over L = 5 from purchase: US$10 m / 5 = US$2 m in
  // 2025-2029, nothing from 2030 although 376.5 gpus still wait.
  CHECK_THAT(at(res, 2025, "r", kDepreciationUsd), WithinRel(2e6, 1e-12));
  CHECK_THAT(at(res, 2029, "r", kDepreciationUsd), WithinRel(2e6, 1e-12));
  CHECK(at(res, 2030, "r", kDepreciationUsd) == 0);
  // Maintenance: 3% of the capex in service less the stranded capex within its book life.
  // 2029: 0.03 · (US$10 m − 606.463 · US$10,000) = 0.03 · 3,935,370 = 118,061.
  CHECK_THAT(at(res, 2029, "r", kMaintenanceUsd), WithinRel(0.03 * 1e7 * (1 - kS4), 1e-12));
  // 2030: past its book life the batch is off the books: no maintenance, and nothing to
  // subtract, while stranded_capex_usd still reports its purchase value, 376.52 · US$10,000.
  CHECK(at(res, 2030, "r", kMaintenanceUsd) == 0);
  CHECK_THAT(at(res, 2030, "r", kStrandedCapexUsd), WithinRel(1e7 * kS5, 1e-12));
  CHECK_THAT(at(res, 2034, "r", kAcceleratorsStranded), WithinRel(1000 * kS9, 1e-11));
  CHECK_THAT(at(res, 2035, "r", kAcceleratorsRetired), WithinRel(1000 * kS9, 1e-11));
  CHECK(at(res, 2035, "r", kAcceleratorsStranded) == 0);
}

TEST_CASE("retirement: bad input names the key", "[load][v3][retirement]") {
  auto message = [](std::vector<std::string> o) {
    try {
      (void)tiny(std::move(o));
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK_THAT(message({R"(/hardware/gpu/retirement={"curve": "weibull"})"}),
             Catch::Contains("/hardware/gpu/retirement") && Catch::Contains("shape"));
  CHECK_THAT(message({R"(/hardware/gpu/retirement={"curve": "step", "shape": 3})"}),
             Catch::Contains("/hardware/gpu/retirement/shape"));
  CHECK_THAT(message({R"(/hardware/gpu/retirement={"curve": "weibull", "shape": 0.5})"}),
             Catch::Contains("/hardware/gpu/retirement/shape"));
  CHECK_THAT(message({R"(/hardware/gpu/retirement={"curve": "gamma"})"}),
             Catch::Contains("/hardware/gpu/retirement/curve"));
}

TEST_CASE("kind: servers counted apart, an accelerator needs compute", "[engine][v3][kind]") {
  // 600 cpus (kind server) and nothing kept: the counts are servers_*, not accelerators_*.
  // The 2024 vintage retires at age 4, in 2028; here it is installed all through.
  const auto s = tiny(servers(1, {R"(/regions/r/keep=null)"}));
  const auto res = simulate(s);
  CHECK(res.has_servers);
  CHECK(!res.has_keep);
  CHECK(at(res, 2025, "r", kServersInstalled) == 600);
  CHECK(at(res, 2025, "r", kAcceleratorsInstalled) == 0);
  // Power counts both: 600 · 500 W · (0.5 + 0.5 · 0.6) = 240 kW of IT load.
  CHECK_THAT(at(res, 2025, "r", kItLoadMw), WithinRel(0.24, 1e-12));
  CHECK_THAT(at(res, 2025, "r", kItNameplateMw), WithinRel(0.3, 1e-12));
  // servers_* appear only with servers; capex_keep_usd only with a keep.
  const View all{};  // every column that applies
  const auto cols = all.select(res).columns;
  CHECK(std::find(cols.begin(), cols.end(), kServersInstalled) != cols.end());
  CHECK(std::find(cols.begin(), cols.end(), kCapexKeepUsd) == cols.end());
  const auto plain = simulate(tiny());
  const auto plain_cols = all.select(plain).columns;
  CHECK(std::find(plain_cols.begin(), plain_cols.end(), kServersInstalled) == plain_cols.end());
  // The same hardware without "kind" is an accelerator (today's counting)...
  const auto acc =
      simulate(tiny(servers(1, {R"(/regions/r/keep=null)", R"(/hardware/cpu/kind=null)",
                                "/hardware/cpu/bf16_tflops=1"})));
  CHECK(at(acc, 2025, "r", kAcceleratorsInstalled) == 600);
  CHECK(!acc.has_servers);
  // ...and an accelerator must have compute.
  CHECK_THROWS_WITH(
      tiny(servers(1, {R"(/hardware/cpu/kind="accelerator")"})),
      Catch::Contains("/hardware/cpu/bf16_tflops") && Catch::Contains("kind \"server\""));
}

TEST_CASE("keep, separate funding: the shortfall is bought outside the budget",
          "[engine][v3][keep]") {
  // 2025: 600 held, keep 1,000: Δ = 400. Free capacity 10 − 600 · 0.0005 = 9.7 MW, room for
  // 19,400: all 400 are bought at US$5,000 = US$2 m, outside the budget (none here).
  const auto res = simulate(tiny(servers(10)));
  CHECK(res.has_keep);
  CHECK_THAT(at(res, 2025, "r", kCapexKeepUsd), WithinRel(2e6, 1e-15));
  CHECK_THAT(at(res, 2025, "r", kCapexUsd), WithinRel(2e6, 1e-15));
  CHECK(at(res, 2025, "r", kCapexItUsd) == 0);
  CHECK(at(res, 2025, "r", kBudgetUsd) == 0);
  CHECK_THAT(at(res, 2025, "r", kServersPurchased), WithinRel(400.0, 1e-15));
  CHECK_THAT(at(res, 2025, "r", kServersInstalled), WithinRel(1000.0, 1e-15));
  // Like a step-6 purchase: the first-year fraction 0.5, so the IT load is
  // (600 + 400 · 0.5) · 500 W · (0.5 + 0.5 · 0.6) = 800 · 400 W = 0.32 MW; energy
  // 0.32 · 1.25 · 8,760 = 3,504 MWh; depreciation 2 m / 4 = 0.5 m; maintenance 0.03 · 2 m =
  // 60,000; embodied 400 · 100 kg = 40 t.
  CHECK_THAT(at(res, 2025, "r", kItLoadMw), WithinRel(0.32, 1e-12));
  CHECK_THAT(at(res, 2025, "r", kEnergyTwh), WithinRel(0.003504, 1e-12));
  CHECK_THAT(at(res, 2025, "r", kDepreciationUsd), WithinRel(5e5, 1e-12));
  CHECK_THAT(at(res, 2025, "r", kMaintenanceUsd), WithinRel(6e4, 1e-12));
  CHECK_THAT(at(res, 2025, "r", kEmbodiedTco2), WithinRel(40.0, 1e-12));
  CHECK(limit(res, 2025, "r") == "");  // given nothing, nothing bound
  // 2026: 1,000 held, nothing to buy.
  CHECK(at(res, 2026, "r", kCapexKeepUsd) == 0);
  CHECK(at(res, 2026, "r", kServersPurchased) == 0);
}

TEST_CASE("keep, budget funding: a first call on the region's IT share", "[engine][v3][keep]") {
  // US$3 m of IT money: the keep takes 400 · 5,000 = US$2 m first, the gpus the remaining
  // US$1 m = 100 gpus. capex = 3 m = budget (nothing separate); capex_it_usd = 1 m.
  const auto res =
      simulate(tiny(servers(10, {budget_2025(3e6), R"(/capex/keep_funding="budget")"})));
  CHECK_THAT(at(res, 2025, "r", kCapexKeepUsd), WithinRel(2e6, 1e-15));
  CHECK_THAT(at(res, 2025, "r", kCapexItUsd), WithinRel(1e6, 1e-12));
  CHECK_THAT(at(res, 2025, "r", kCapexUsd), WithinRel(3e6, 1e-12));
  CHECK_THAT(at(res, 2025, "r", kAcceleratorsPurchased), WithinRel(100.0, 1e-12));
  CHECK_THAT(at(res, 2025, "r", kServersPurchased), WithinRel(400.0, 1e-15));
  CHECK(limit(res, 2025, "r") == "budget");
  // US$1 m only: n ≤ 1 m / 5,000 = 200 of the 400; the shortfall is for lack of money.
  const auto poor =
      simulate(tiny(servers(10, {budget_2025(1e6), R"(/capex/keep_funding="budget")"})));
  CHECK_THAT(at(poor, 2025, "r", kServersPurchased), WithinRel(200.0, 1e-12));
  CHECK_THAT(at(poor, 2025, "r", kCapexKeepUsd), WithinRel(1e6, 1e-12));
  CHECK(at(poor, 2025, "r", kCapexItUsd) == 0);
  CHECK(limit(poor, 2025, "r") == "budget");
  // 2026: 800 held, keep 1,000, no money: nothing bought, "budget" again.
  CHECK(at(poor, 2026, "r", kServersPurchased) == 0);
  CHECK(limit(poor, 2026, "r") == "budget");
}

TEST_CASE("keep: a shortfall for lack of room, of money, of hardware on sale",
          "[engine][v3][keep]") {
  // 0.4 MW holding 600 · 0.5 kW = 0.3 MW: room for 0.1 MW / 0.0005 = 200 of the 400.
  const auto res = simulate(tiny(servers(0.4)));
  CHECK_THAT(at(res, 2025, "r", kServersPurchased), WithinRel(200.0, 1e-9));
  CHECK_THAT(at(res, 2025, "r", kCapexKeepUsd), WithinRel(1e6, 1e-9));
  CHECK_THAT(at(res, 2025, "r", kServersInstalled), WithinRel(800.0, 1e-12));
  CHECK_THAT(at(res, 2025, "r", kItCapacityFreeMw), WithinAbs(0.0, 1e-12));
  CHECK(limit(res, 2025, "r") == "power");
  // Both: room for 200, money (budget funding, US$0.5 m) for 100: 100 bought, power+budget.
  const auto both =
      simulate(tiny(servers(0.4, {budget_2025(5e5), R"(/capex/keep_funding="budget")"})));
  CHECK_THAT(at(both, 2025, "r", kServersPurchased), WithinRel(100.0, 1e-12));
  CHECK(limit(both, 2025, "r") == "power+budget");
  // Not on sale after 2024: nothing is kept, and the limit says hardware.
  const auto gone = simulate(tiny(servers(10, {"/hardware/cpu/last_sale=2024"})));
  CHECK(at(gone, 2025, "r", kServersPurchased) == 0);
  CHECK(limit(gone, 2025, "r") == "hardware");
  // A region not yet open keeps nothing.
  const auto closed = simulate(tiny(servers(10, {"/regions/r/opens=2026"})));
  CHECK(at(closed, 2025, "r", kServersPurchased) == 0);
  CHECK_THAT(at(closed, 2026, "r", kServersPurchased), WithinRel(400.0, 1e-15));
}

TEST_CASE("keep: bad input names the key", "[load][v3][keep]") {
  CHECK_THROWS_WITH(tiny(servers(10, {R"(/regions/r/keep={"tpu": 5})"})),
                    Catch::Contains("/regions/r/keep/tpu") && Catch::Contains("unknown hardware"));
  CHECK_THROWS_WITH(tiny(servers(10, {R"(/regions/r/allowed_hardware=["gpu"])",
                                      R"(/regions/r/initial/fleet=null)"})),
                    Catch::Contains("/regions/r/keep/cpu") && Catch::Contains("allowed_hardware"));
  CHECK_THROWS_WITH(tiny(servers(10, {R"(/regions/r/keep={"cpu": -1})"})),
                    Catch::Contains("/regions/r/keep/cpu"));
  CHECK_THROWS_WITH(tiny(servers(10, {R"(/capex/keep_funding="loan")"})),
                    Catch::Contains("/capex/keep_funding"));
}
