// Model v3, the money-and-history half, one mechanism a test, each on a scenario small enough to
// work out by hand (docs/model.md, "Model v3"). The tiny scenario: accelerators of 1 kW at
// US$10,000, so a dollar of IT money buys m = 1e-7 MW (US$10 m per MW of nameplate);
// facilities at f = US$10 m per MW, so f·m = 1; PUE 1.25; lifetime 5 years; u = 0.6.
#include <catch2/catch.hpp>

#include <cmath>

#include "dcplan/diagnose.hpp"
#include "dcplan/error.hpp"
#include "dcplan/targets.hpp"
#include "engine_fixture.hpp"

using namespace dcplan;
using namespace dcplan::test;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

namespace {

std::string limit(const Results& res, int year, const std::string& id) {
  return limit_text(at(res, year, id, kLimit));
}

//! The tiny region with `mw` of initial capacity and `gpus` accelerators of vintage 2025.
std::string initial(double mw, double gpus) {
  return R"(/regions/r/initial={"it_capacity_mw": )" + std::to_string(mw) +
         R"(, "fleet": {"gpu": {"2025": )" + std::to_string(gpus) + "}}}";
}

const char* kNeed = R"(/capex/facility_sizing="need")";
const char* kOnlyOther = R"(/capex/split={"other": 0})";

}  // namespace

TEST_CASE("need sizing in a steady state: S = f·m·T / (1 + f·m)", "[engine][v3][need]") {
  // 10 MW online holding 10,000 accelerators (10 MW): P = C = 10 MW, c = 0, T = US$200 m.
  // S = f·(P − C + m·T) / (1 + f·m) = 1e7·(0 + 1e-7·2e8) / (1 + 1) = 1e7·20 / 2 = US$100 m
  // = f·m·T / (1 + f·m): 10 MW built, online at once; IT I = T − S = US$100 m buys 10,000
  // accelerators = 10 MW. 20 MW of halls, 20 MW of nameplate: nothing empty, nothing waits.
  const auto res = simulate(tiny({kNeed, kOnlyOther, initial(10, 10000), "/capex/budget=2e8"}));
  CHECK_THAT(at(res, 2025, "r", kCapexFacilityUsd), WithinRel(1e8, 1e-12));
  CHECK_THAT(at(res, 2025, "r", kCapexItUsd), WithinRel(1e8, 1e-12));
  CHECK_THAT(at(res, 2025, "r", kItCapacityMw), WithinRel(20.0, 1e-12));
  CHECK_THAT(at(res, 2025, "r", kItNameplateMw), WithinRel(20.0, 1e-12));
  CHECK(at(res, 2025, "r", kItCapacityFreeMw) == 0);
  CHECK(at(res, 2025, "r", kAcceleratorsStranded) == 0);
  CHECK(at(res, 2025, "r", kCarryoverUsd) == 0);
  // Every later year is the same steady state (nothing retires before 2030): S = T/2.
  for (int year = 2026; year <= 2029; ++year) {
    CHECK_THAT(at(res, year, "r", kCapexFacilityUsd), WithinRel(1e8, 1e-12));
    CHECK(at(res, year, "r", kItCapacityFreeMw) == 0);
  }
}

TEST_CASE("need sizing with construction_years 0 and halls already free", "[engine][v3][need]") {
  // 12 MW online, 10 MW of nameplate: P − C = −2 MW; c = 0; T = US$200 m.
  // S = 1e7·(−2 + 20) / 2 = US$90 m: 9 MW, online at once (21 MW); I = US$110 m = 11 MW of
  // accelerators: 10 + 11 = 21 MW of nameplate in 21 MW of halls.
  const auto res = simulate(tiny({kNeed, kOnlyOther, initial(12, 10000), "/capex/budget=2e8"}));
  CHECK_THAT(at(res, 2025, "r", kCapexFacilityUsd), WithinRel(9e7, 1e-12));
  CHECK_THAT(at(res, 2025, "r", kCapexItUsd), WithinRel(1.1e8, 1e-12));
  CHECK_THAT(at(res, 2025, "r", kItCapacityMw), WithinRel(21.0, 1e-12));
  CHECK(at(res, 2025, "r", kItCapacityFreeMw) == 0);
  // Halls free beyond what the money fills: S clamps at 0, all of T buys accelerators.
  // 40 MW online, 10 MW used: S = 1e7·(−30 + 20) / 2 < 0 → 0; I = US$200 m = 20 MW.
  const auto big = simulate(tiny({kNeed, kOnlyOther, initial(40, 10000), "/capex/budget=2e8"}));
  CHECK(at(big, 2025, "r", kCapexFacilityUsd) == 0);
  CHECK_THAT(at(big, 2025, "r", kCapexItUsd), WithinRel(2e8, 1e-12));
  CHECK_THAT(at(big, 2025, "r", kItCapacityFreeMw), WithinRel(10.0, 1e-9));
}

TEST_CASE("need sizing looks construction_years ahead: survivors and money to come",
          "[engine][v3][need]") {
  // c = 1, failures 10% a year: the 10 MW of 2025 accelerators are P = 10·0.9 = 9 MW at the
  // end of 2026. C = 10 MW online. T = US$200 m; (c + 1)·m = 2e-7.
  // S = 1e7·(9 − 10 + 2e-7·2e8) / (1 + 1e7·2e-7) = 1e7·39 / 3 = US$130 m (13 MW for 2026).
  // I = US$70 m finds no free power in 2025 (10 MW full): it overflows onto facilities too.
  const auto res =
      simulate(tiny({kNeed, kOnlyOther, initial(10, 10000), "/capex/budget=2e8",
                     "/regions/r/construction_years=1", "/hardware/gpu/annual_failure_rate=0.1"}));
  CHECK_THAT(at(res, 2025, "r", kCapexFacilityUsd), WithinRel(2e8, 1e-12));  // 130 m + 70 m
  CHECK_THAT(at(res, 2025, "r", kItCapacityPipelineMw), WithinRel(20.0, 1e-12));
  CHECK(at(res, 2025, "r", kCapexItUsd) == 0);
}

TEST_CASE("need sizing carries the fleet ahead by its retirement curve", "[engine][v3][need]") {
  // c = 1, no failures, a lease to place the IT money, and a Weibull curve (L = 5, k = 3):
  // λ = 4.5 / Γ(4/3) = 5.0393. The 2025 cohort (age 0 now) is of age 1 at the end of 2026 and
  // keeps S(1) = exp(−(1/λ)^3) = 0.992216 of its units: P = 10·S(1) = 9.92216 MW, C = 10 MW,
  // (c + 1)·m = 2e-7: S = 1e7·(9.92216 − 10 + 2e-7·2e8) / (1 + 2) = US$133.074 m, where the
  // step curve (nothing retires before age 5) gives 1e7·40 / 3 = US$133.333 m.
  const double lambda = 4.5 / std::tgamma(4.0 / 3.0);
  const double p = 10.0 * std::exp(-std::pow(1.0 / lambda, 3.0));
  CHECK_THAT(p, WithinRel(9.92216, 1e-5));
  auto run = [](const char* curve) {
    return simulate(tiny({kNeed, kOnlyOther, initial(10, 10000), "/capex/budget=2e8",
                          "/regions/r/construction_years=1", "/hardware/gpu/annual_failure_rate=0",
                          "/regions/r/lease_usd_per_mw_year=2e6", curve}));
  };
  const auto weibull = run(R"(/hardware/gpu/retirement={"curve": "weibull", "shape": 3})");
  CHECK_THAT(at(weibull, 2025, "r", kCapexFacilityUsd),
             WithinRel(1e7 * (p - 10.0 + 40.0) / 3.0, 1e-12));
  CHECK_THAT(at(weibull, 2025, "r", kCapexFacilityUsd), WithinRel(133.074e6, 1e-5));
  const auto step = run(R"(/hardware/gpu/retirement={"curve": "step"})");
  CHECK_THAT(at(step, 2025, "r", kCapexFacilityUsd), WithinRel(4e8 / 3.0, 1e-12));
}

TEST_CASE("need sizing counts a kept installed base at its count to come", "[engine][v3][need]") {
  // c = 1, no failures, a lease to place the IT money. The region keeps the accelerators, from
  // its budget, at 10,000 in 2025 and 12,000 in 2026: none is short now, but 2,000 more units (2
  // MW) must be powered when 2025's halls come online. P = 10 MW surviving + 2 MW kept = 12 MW, C =
  // 10 MW: S = 1e7·(12 − 10 + 2e-7·2e8) / (1 + 2) = US$140 m (US$133.33 m without the keep).
  auto run = [](std::vector<std::string> o) {
    o.insert(o.end(), {kNeed, kOnlyOther, initial(10, 10000), "/capex/budget=2e8",
                       "/regions/r/construction_years=1", "/hardware/gpu/annual_failure_rate=0",
                       "/regions/r/lease_usd_per_mw_year=2e6"});
    return simulate(tiny(o));
  };
  const char* keep = R"(/regions/r/keep={"gpu": {"series": {"2025": 10000, "2026": 12000}}})";
  const auto kept = run({keep, R"(/capex/keep_funding="budget")"});
  CHECK_THAT(at(kept, 2025, "r", kCapexFacilityUsd), WithinRel(1.4e8, 1e-12));
  CHECK(at(kept, 2025, "r", kCapexKeepUsd) == 0);
  // Funded separately, the kept base is not the budget's to house: P = 10 MW.
  const auto separate = run({keep});
  CHECK_THAT(at(separate, 2025, "r", kCapexFacilityUsd), WithinRel(4e8 / 3.0, 1e-12));
  const auto plain = run({});
  CHECK_THAT(at(plain, 2025, "r", kCapexFacilityUsd), WithinRel(4e8 / 3.0, 1e-12));
}

TEST_CASE("need sizing on a constant budget: no hall stands empty and no accelerator waits",
          "[engine][v3][need]") {
  // One region, US$200 m every year, construction 2 years, a 10-year life, 10 MW online and full
  // at the start, leases to bridge (owned capacity is built to need; leases bridge until it is
  // online). 2025: P = 10 MW (nothing retires by 2027), C = 10 MW, (c + 1)·m = 3e-7:
  // S = 1e7·(10 − 10 + 3e-7·2e8) / (1 + 3) = US$150 m (15 MW for 2027), I = US$50 m: 5 MW of
  // accelerators, leased. 2026: P = 15, C = 25: S = 1e7·(15 − 25 + 60) / 4 = US$125 m, I = 75 m
  // (12.5 MW leased). The steady state is S = I = US$100 m (10 MW a year each, 20 MW under
  // construction): the lease halves each year towards it.
  auto run = [](std::vector<std::string> o) {
    o.insert(o.end(), {initial(10, 10000), "/capex/budget=2e8", "/regions/r/construction_years=2",
                       "/regions/r/lease_usd_per_mw_year=2e6", "/hardware/gpu/lifetime_years=10",
                       "/horizon/end=2040"});
    return simulate(tiny(o));
  };
  const auto res = run({kNeed, kOnlyOther});
  CHECK_THAT(at(res, 2025, "r", kCapexFacilityUsd), WithinRel(1.5e8, 1e-12));
  CHECK_THAT(at(res, 2025, "r", kItCapacityLeasedMw), WithinRel(5.0, 1e-12));
  CHECK_THAT(at(res, 2026, "r", kCapexFacilityUsd), WithinRel(1.25e8, 1e-12));
  CHECK_THAT(at(res, 2026, "r", kItCapacityLeasedMw), WithinRel(12.5, 1e-12));
  for (int year = 2025; year <= 2040; ++year) {
    INFO(year);
    CHECK(at(res, year, "total", kAcceleratorsStranded) == 0);
    CHECK(at(res, year, "r", kItCapacityFreeMw) == 0);
    CHECK(at(res, year, "r", kCarryoverUsd) == 0);
  }
  // After the first construction period owned capacity catches up: 2027 leases 6.25 MW, then
  // 3.125, 1.5625, ... (until the initial fleet's retirement in 2035 is anticipated in 2033).
  CHECK_THAT(at(res, 2027, "r", kItCapacityLeasedMw), WithinRel(6.25, 1e-12));
  CHECK_THAT(at(res, 2032, "r", kItCapacityLeasedMw), WithinRel(0.1953125, 1e-9));
  // A version-2 split of the same money leaves halls empty (what need sizing answers).
  const auto v2 = run({R"(/capex/split={"it": 0.3, "facility": 0.7, "other": 0})"});
  CHECK(at(v2, 2032, "r", kItCapacityFreeMw) > 30);  // 36 MW
}

TEST_CASE("need sizing without a lease: the first construction period's IT money builds",
          "[engine][v3][need]") {
  // The same without leases: in 2025 and 2026 the IT money (US$50 m, then 100 m) finds no free
  // power and the overflow builds with it (version 2's "facility" overflow): 2025 builds
  // 15 + 5 MW, 2026 10 + 10 MW for 2028. From 2027 the rule takes the surplus into account:
  // the empty halls it leaves halve each year (12.5 MW in 2028, 6.25, 3.125, ...), and
  // nothing ever waits for power.
  const auto res = simulate(tiny({kNeed, kOnlyOther, initial(10, 10000), "/capex/budget=2e8",
                                  "/regions/r/construction_years=2",
                                  "/hardware/gpu/lifetime_years=10", "/horizon/end=2034"}));
  CHECK_THAT(at(res, 2026, "r", kItCapacityPipelineMw), WithinRel(40.0, 1e-12));
  CHECK_THAT(at(res, 2028, "r", kItCapacityFreeMw), WithinRel(12.5, 1e-9));
  CHECK_THAT(at(res, 2029, "r", kItCapacityFreeMw), WithinRel(6.25, 1e-9));
  CHECK_THAT(at(res, 2032, "r", kItCapacityFreeMw), WithinRel(0.78125, 1e-9));
  for (int year = 2025; year <= 2034; ++year)
    CHECK(at(res, year, "total", kAcceleratorsStranded) == 0);
}

TEST_CASE("need sizing: the split holds only other", "[load][v3][need]") {
  CHECK_THROWS_WITH(tiny({kNeed}), Catch::Contains("/capex/split/it") &&
                                       Catch::Contains("facility_sizing \"need\""));
  CHECK_THROWS_WITH(tiny({kNeed, R"(/capex/split={"facility": 0.5, "other": 0.5})"}),
                    Catch::Contains("/capex/split/facility"));
  CHECK_THROWS_WITH(tiny({kNeed, R"(/capex/split={"other": "rest"})"}),
                    Catch::Contains("found \"rest\""));
  CHECK_THROWS_WITH(tiny({R"(/capex/split={"other": 1})"}),
                    Catch::Contains("missing required key \"it\""));
  CHECK_NOTHROW(tiny({kNeed, R"(/capex/split={"other": 0.1})"}));
}

TEST_CASE("carry-over by category on a grid-capped region", "[engine][v3][carryover]") {
  // 100 MW online and empty; grid cap 4 MW a year; split 0.4 / 0.4 / 0.2; US$250 m in 2025 only.
  // 2025: IT US$100 m (10 MW, fits); facility US$100 m wants 10 MW, the grid allows 4:
  // US$40 m spent, US$60 m carries; other US$50 m. Limit: grid.
  const std::vector<std::string> base = {
      R"(/regions/r/initial={"it_capacity_mw": 100})", "/regions/r/max_new_mw_per_year=4",
      R"(/capex/split={"it": 0.4, "facility": 0.4, "other": 0.2})",
      R"(/capex/budget={"series": {"2025": 2.5e8, "2026": 0}, "interp": "step"})"};
  auto with = [&](std::string extra) {
    auto o = base;
    o.push_back(std::move(extra));
    return simulate(tiny(o));
  };
  const auto cat = with(R"(/capex/carryover="category")");
  const auto split = with(R"(/capex/carryover="split")");
  for (const auto* res : {&cat, &split}) {
    CHECK_THAT(at(*res, 2025, "r", kCapexFacilityUsd), WithinRel(4e7, 1e-12));
    CHECK_THAT(at(*res, 2025, "r", kCarryoverUsd), WithinRel(6e7, 1e-12));
    CHECK(limit(*res, 2025, "r") == "grid");
  }
  // "category", 2026: the US$60 m is facility money: 4 MW (US$40 m) more, US$20 m carries
  // again; no IT, no other. 2027: the US$20 m builds 2 MW; nothing carries.
  CHECK_THAT(at(cat, 2026, "r", kCapexFacilityUsd), WithinRel(4e7, 1e-12));
  CHECK(at(cat, 2026, "r", kCapexItUsd) == 0);
  CHECK(at(cat, 2026, "r", kCapexOtherUsd) == 0);
  CHECK_THAT(at(cat, 2026, "r", kCarryoverUsd), WithinRel(2e7, 1e-12));
  CHECK_THAT(at(cat, 2027, "r", kCapexFacilityUsd), WithinRel(2e7, 1e-12));
  CHECK(at(cat, 2027, "r", kCarryoverUsd) == 0);
  // "split" (version 2), 2026: the US$60 m is split again: IT 24 m, facility 24 m (2.4 MW,
  // fits), other 12 m; nothing carries.
  CHECK_THAT(at(split, 2026, "r", kCapexItUsd), WithinRel(2.4e7, 1e-12));
  CHECK_THAT(at(split, 2026, "r", kCapexFacilityUsd), WithinRel(2.4e7, 1e-12));
  CHECK_THAT(at(split, 2026, "r", kCapexOtherUsd), WithinRel(1.2e7, 1e-12));
  CHECK(at(split, 2026, "r", kCarryoverUsd) == 0);
}

TEST_CASE("carry-over by category: IT money carries as IT, other only with no region open",
          "[engine][v3][carryover]") {
  // The region opens in 2026. 2025: nothing open, all of US$250 m carries, each category whole
  // (IT 100 m, facility 100 m, other 50 m). 2026 (no new money): IT US$100 m, facility
  // US$100 m (10 MW, online at once with c = 0), other US$50 m: the IT money buys 10,000
  // accelerators into the 10 MW.
  const auto res = simulate(
      tiny({"/regions/r/opens=2026", R"(/capex/split={"it": 0.4, "facility": 0.4, "other": 0.2})",
            R"(/capex/budget={"series": {"2025": 2.5e8, "2026": 0}, "interp": "step"})",
            R"(/capex/carryover="category")"}));
  CHECK_THAT(at(res, 2025, "total", kCarryoverUsd), WithinRel(2.5e8, 1e-12));
  CHECK_THAT(at(res, 2026, "r", kCapexItUsd), WithinRel(1e8, 1e-12));
  CHECK_THAT(at(res, 2026, "r", kCapexFacilityUsd), WithinRel(1e8, 1e-12));
  CHECK_THAT(at(res, 2026, "r", kCapexOtherUsd), WithinRel(5e7, 1e-12));
  CHECK_THAT(at(res, 2026, "r", kAcceleratorsPurchased), WithinRel(1e4, 1e-12));
}

TEST_CASE("initial assets on the books: the initial cohort and capacity depreciate",
          "[engine][v3][book]") {
  // 1,000 accelerators of vintage 2023 at US$10,000 (the 2025 price), life 5: US$10 m on the
  // books, depreciated US$2 m a year while t − 2023 < 5 (2025 to 2027); they retire in 2028.
  // Initial capacity 2 MW at f(2025) = US$10 m/MW = US$20 m, built 2007, life 20: US$1 m a
  // year while t − 2007 < 20 (2025, 2026). Maintenance 3% of what is within its life:
  // 2025: 0.03·(10 m + 20 m) = US$0.9 m; 2027: 0.03·10 m = US$0.3 m; 2028: 0.
  const std::vector<std::string> o = {
      R"(/regions/r/initial={"it_capacity_mw": 2, "built": 2007, "fleet": {"gpu": {"2023": 1000}}})"};
  auto book = o;
  book.emplace_back(R"(/finance/initial_assets="book")");
  const auto res = simulate(tiny(book));
  CHECK_THAT(at(res, 2025, "r", kDepreciationUsd), WithinRel(3e6, 1e-12));
  CHECK_THAT(at(res, 2026, "r", kDepreciationUsd), WithinRel(3e6, 1e-12));
  CHECK_THAT(at(res, 2027, "r", kDepreciationUsd), WithinRel(2e6, 1e-12));
  CHECK(at(res, 2028, "r", kDepreciationUsd) == 0);
  CHECK_THAT(at(res, 2025, "r", kMaintenanceUsd), WithinRel(9e5, 1e-12));
  CHECK_THAT(at(res, 2027, "r", kMaintenanceUsd), WithinRel(3e5, 1e-12));
  CHECK(at(res, 2028, "r", kMaintenanceUsd) == 0);
  CHECK(at(res, 2025, "r", kCapexUsd) == 0);  // on the books, not spent
  // Sunk (version 2): nothing.
  const auto sunk = simulate(tiny(o));
  CHECK(at(sunk, 2025, "r", kDepreciationUsd) == 0);
  CHECK(at(sunk, 2025, "r", kMaintenanceUsd) == 0);
  // built defaults to the horizon start: US$1 m a year in every year of the horizon.
  const auto now = simulate(
      tiny({R"(/regions/r/initial={"it_capacity_mw": 2})", R"(/finance/initial_assets="book")"}));
  CHECK_THAT(at(now, 2029, "r", kDepreciationUsd), WithinRel(1e6, 1e-12));
  CHECK_THROWS_WITH(tiny({R"(/regions/r/initial={"it_capacity_mw": 2, "built": 2026})"}),
                    Catch::Contains("/regions/r/initial/built") &&
                        Catch::Contains("expected a year <= the horizon start (2025)"));
}

TEST_CASE("a ratio target against observed history", "[targets][v3][observed]") {
  // 1,000 accelerators (1 MW) installed: IT load 1·(0.25 + 0.75·0.6) = 0.7 MW, × PUE 1.25 =
  // 0.875 MW, × 8,760 h = 7,665 MWh = 0.007665 TWh every year (nothing retires before 2030).
  // Observed 2024 (before the horizon): 0.004 TWh. "at least 2 × 2024" is 0.008: it fails.
  // Observed 2025 of 0.003 TWh: "at least 2 × 2025" is 0.006 (not 2 × the modelled 0.007665).
  const std::vector<std::string> o = {
      R"(/regions/r/initial={"it_capacity_mw": 1, "fleet": {"gpu": {"2025": 1000}}})",
      R"(/observed={"energy_twh": {"2024": 0.004, "2025": 0.003}})",
      R"(/targets=[{"name": "a", "metric": "energy_twh", "year": 2029,
                    "at_least": {"times": 2, "of_year": 2024}},
                   {"name": "b", "metric": "energy_twh", "year": 2029,
                    "at_least": {"times": 2, "of_year": 2025}},
                   {"name": "c", "metric": "peak_pflops", "year": 2029,
                    "at_least": {"times": 1, "of_year": 2025}}])"};
  const Scenario s = tiny(o);
  const auto res = simulate(s);
  const auto checked = check_targets(s, res);
  REQUIRE(checked.size() == 3);
  CHECK_THAT(checked[0].value, WithinRel(0.007665, 1e-12));
  CHECK_THAT(checked[0].bound, WithinRel(0.008, 1e-12));
  CHECK_FALSE(checked[0].passed);
  CHECK_THAT(checked[1].bound, WithinRel(0.006, 1e-12));
  CHECK(checked[1].passed);
  CHECK_THAT(checked[1].detail, Catch::Contains("2025, observed"));
  // No observed peak: the modelled 2025 value, 1,000 PFLOP/s.
  CHECK_THAT(checked[2].bound, WithinRel(1000.0, 1e-12));
  // A base year outside the horizon with nothing observed is an input error.
  CHECK_THROWS_WITH(
      tiny({R"(/targets=[{"name": "a", "metric": "energy_twh", "year": 2029,
                          "at_least": {"times": 2, "of_year": 2023}}])"}),
      Catch::Contains("/targets/0/at_least/of_year") &&
          Catch::Contains("or one with an observed value (/observed/energy_twh/2023"));
  // observed names a result column.
  CHECK_THROWS_WITH(tiny({R"(/observed={"energy_tw": {"2024": 1}})"}),
                    Catch::Contains("/observed/energy_tw") && Catch::Contains("energy_twh"));
  CHECK_THROWS_WITH(tiny({R"(/observed={"limit": {"2024": 1}})"}),
                    Catch::Contains("a result column with numbers"));
}

TEST_CASE("a run warns when modelled history strays more than 5% from observed",
          "[diagnose][v3][observed]") {
  // Modelled energy 0.007665 TWh a year. 2025 observed 0.0075: 2.2% off, silent. 2026 observed
  // 0.007: 9.5% above, a warning. 2027 observed 0: any difference warns. 2024 is outside the
  // horizon: never compared.
  const Scenario s =
      tiny({R"(/regions/r/initial={"it_capacity_mw": 1, "fleet": {"gpu": {"2025": 1000}}})",
            R"(/observed={"energy_twh": {"2024": 1, "2025": 0.0075, "2026": 0.007, "2027": 0}})"});
  const auto w = observed_warnings(s, simulate(s));
  REQUIRE(w.size() == 2);
  CHECK_THAT(w[0], Catch::Contains("energy_twh in 2026") && Catch::Contains("above") &&
                       Catch::Contains("+9.5%"));
  CHECK_THAT(w[1], Catch::Contains("energy_twh in 2027"));
}

TEST_CASE("the total row's limit: labels of regions given at least 10% of the budget",
          "[engine][v3][limit]") {
  // Version-1 placement: a (weight 5, no capacity) buys accelerators that wait for power:
  // "power"; b (weight 95, 1,000 MW) spends all it is given: "budget"; c opens in 2029:
  // "closed" until then. 2025 (US$100 m): a was given 5% (< 10%): the total shows only
  // "budget" (95%). 2026 (no new budget): every label of a region but closed: a's accelerators
  // still wait ("power"), b was given nothing (no label): "power".
  const auto res = simulate(
      tiny_v1({R"(/regions/a={"pue": 1.25, "power_price_usd_per_mwh": 100, "grid_g_per_kwh": 500,
                      "facility_capex_usd_per_mw": 1e7})",
               R"(/regions/b={"pue": 1.25, "power_price_usd_per_mwh": 100, "grid_g_per_kwh": 500,
                      "facility_capex_usd_per_mw": 1e7, "initial": {"it_capacity_mw": 1000}})",
               R"(/regions/c={"pue": 1.25, "power_price_usd_per_mwh": 100, "grid_g_per_kwh": 500,
                      "facility_capex_usd_per_mw": 1e7, "opens": 2029})",
               "/regions/r=null", R"(/capex/region_weights={"a": 5, "b": 95, "c": 100})",
               R"(/capex/budget={"series": {"2025": 1e8, "2026": 0}, "interp": "step"})"}));
  CHECK(limit(res, 2025, "a") == "power");
  CHECK(limit(res, 2025, "b") == "budget");
  CHECK(limit(res, 2025, "c") == "closed");
  CHECK_THAT(at(res, 2025, "a", kBudgetUsd), WithinRel(5e6, 1e-12));
  CHECK(limit(res, 2025, "total") == "budget");
  CHECK(limit(res, 2026, "a") == "power");
  CHECK(limit(res, 2026, "total") == "power");
  // With a given 10% (weights 10:90), its "power" shows in the total too.
  const auto ten = simulate(tiny_v1(
      {R"(/regions/a={"pue": 1.25, "power_price_usd_per_mwh": 100, "grid_g_per_kwh": 500,
                      "facility_capex_usd_per_mw": 1e7})",
       R"(/regions/b={"pue": 1.25, "power_price_usd_per_mwh": 100, "grid_g_per_kwh": 500,
                      "facility_capex_usd_per_mw": 1e7, "initial": {"it_capacity_mw": 1000}})",
       "/regions/r=null", R"(/capex/region_weights={"a": 10, "b": 90})", "/capex/budget=1e8"}));
  CHECK(limit(ten, 2025, "total") == "power+budget");
}
