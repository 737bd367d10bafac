// Model v3, the cost of capital (docs/model.md, step 10), one mechanism a test, each on the tiny
// scenario of engine_fixture.hpp worked out by hand: accelerators of 1 kW at US$10,000 (a
// dollar buys 1e-7 MW), 5-year lives, idle 0.25; facilities at US$10 m per MW; PUE 1.25;
// power at US$100/MWh; u = 0.6; first-year fraction 0.5; maintenance 3%.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>

#include "engine/model.hpp"
#include "engine_fixture.hpp"

using namespace dcplan;
using namespace dcplan::test;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

namespace {

//! A double as JSON text that reads back as the same double.
std::string fmt_double(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

//! US$100 m in 2025 only, half on accelerators and half on facilities.
const char* kOneBuild =
    R"(/capex={"budget": {"series": {"2025": 1e8, "2026": 0}}, "split": {"it": 0.5,
         "facility": 0.5, "other": 0}, "hardware_mix": {"*": {"gpu": 1}}})";

double sum(const Results& res, const std::string& region, Col c, int first, int last) {
  double s = 0;
  for (int y = first; y <= last; ++y) s += at(res, y, region, c);
  return s;
}

}  // namespace

TEST_CASE("the capital recovery factor: its closed form, and 1/n at i = 0", "[engine][v3][wacc]") {
  // CRF(0.08, 5) = 0.08 / (1 − 1.08^−5) = 0.08 / (1 − 0.680583) = 0.250456.
  CHECK_THAT(engine::capital_recovery_factor(0.08, 5),
             WithinRel(0.08 / (1 - std::pow(1.08, -5)), 1e-14));
  CHECK_THAT(engine::capital_recovery_factor(0.08, 5), WithinRel(0.2504565, 1e-6));
  // CRF(0.08, 20) = 0.08 / (1 − 1.08^−20) = 0.08 / (1 − 0.214548) = 0.101852.
  CHECK_THAT(engine::capital_recovery_factor(0.08, 20), WithinRel(0.1018522, 1e-6));
  CHECK(engine::capital_recovery_factor(0.0, 5) == 0.2);
  CHECK(engine::capital_recovery_factor(0.0, 20) == 0.05);
  // Continuous at 0: a tiny rate gives 1/n to first order, (1 + (n + 1)·i/2)/n.
  CHECK_THAT(engine::capital_recovery_factor(1e-9, 5), WithinRel(0.2 * (1 + 3e-9), 1e-12));
  // The present value of n payments of CRF at i is 1: the annuity repays the cost with interest.
  double pv = 0;
  for (int k = 1; k <= 20; ++k) pv += engine::capital_recovery_factor(0.08, 20) / std::pow(1.08, k);
  CHECK_THAT(pv, WithinRel(1.0, 1e-12));
}

TEST_CASE("interest during construction: 0 with no construction, S·((1 + i)^2 − 1) for two years",
          "[engine][v3][wacc]") {
  auto run = [](int years, bool idc) {
    return simulate(
        tiny({kOneBuild, "/regions/r/construction_years=" + std::to_string(years),
              "/regions/r/lease_usd_per_mw_year=2e6", "/finance/wacc=0.08",
              std::string("/finance/interest_during_construction=") + (idc ? "true" : "false")}));
  };
  // c = 0: the US$50 m of facility money is online at once and carries no interest.
  const auto now = run(0, true);
  for (int y = 2025; y <= 2029; ++y) CHECK(at(now, y, "r", kFinancingUsd) == 0);
  // Depreciation: US$50 m / 5 of accelerators + US$50 m / 20 of facilities = US$12.5 m.
  CHECK_THAT(at(now, 2025, "r", kDepreciationUsd), WithinRel(12.5e6, 1e-12));

  // c = 2 at 8%: S = US$50 m spent in 2025, online in 2027, costs 50·(1.08² − 1) = US$8.32 m
  // more, reported in 2027; the capitalised US$58.32 m depreciates over 20 years (US$2.916 m).
  const auto two = run(2, true);
  CHECK(at(two, 2025, "r", kFinancingUsd) == 0);
  CHECK(at(two, 2026, "r", kFinancingUsd) == 0);
  CHECK_THAT(at(two, 2027, "r", kFinancingUsd), WithinRel(5e7 * (1.08 * 1.08 - 1), 1e-12));
  CHECK_THAT(at(two, 2027, "r", kFinancingUsd), WithinRel(8.32e6, 1e-12));
  CHECK(at(two, 2028, "r", kFinancingUsd) == 0);
  CHECK_THAT(at(two, 2027, "r", kDepreciationUsd), WithinRel(10e6 + 58.32e6 / 20, 1e-12));
  // It is neither capex nor opex: capex is the cash, maintenance 3% of the cash facility cost.
  CHECK(at(two, 2025, "r", kCapexUsd) == 1e8);
  CHECK_THAT(at(two, 2027, "r", kMaintenanceUsd), WithinRel(0.03 * (5e7 + 5e7), 1e-12));
  // Off: no financing, the cash depreciates.
  const auto off = run(2, false);
  CHECK(at(off, 2027, "r", kFinancingUsd) == 0);
  CHECK_THAT(at(off, 2027, "r", kDepreciationUsd), WithinRel(10e6 + 50e6 / 20, 1e-12));
  CHECK(sum(off, "total", kFinancingUsd, 2025, 2029) == 0);
}

TEST_CASE(
    "the annuity over one asset's life sums to its cost at i = 0, repays it with interest "
    "at 8%",
    "[engine][v3][wacc]") {
  // US$50 m of accelerators in 2025 into 5 MW of initial halls (sunk): the only asset on the
  // books. Life 5 years = the horizon 2025–2029.
  auto run = [](const char* wacc) {
    return simulate(tiny({"/capex/budget={\"series\": {\"2025\": 5e7, \"2026\": 0}}",
                          "/regions/r/initial={\"it_capacity_mw\": 5}", wacc,
                          R"(/finance/capital_charge="annuity")"}));
  };
  const auto zero = run("/finance/wacc=0");
  // i = 0: CRF = 1/5, the charge US$10 m a year, equal to the depreciation; 5 years sum to 50 m.
  for (int y = 2025; y <= 2029; ++y) {
    CHECK_THAT(at(zero, y, "r", kCapitalChargeUsd), WithinRel(1e7, 1e-12));
    CHECK(at(zero, y, "r", kCapitalChargeUsd) == at(zero, y, "r", kDepreciationUsd));
  }
  CHECK_THAT(sum(zero, "r", kCapitalChargeUsd, 2025, 2029), WithinRel(5e7, 1e-12));
  // i = 8%: 0.250456 × 50 m = US$12.52 m a year, whose present value (paid at the end of each
  // year) is the US$50 m; under "annuity" the TCO charges it in place of the depreciation.
  const auto eight = run("/finance/wacc=0.08");
  double pv = 0;
  for (int y = 2025; y <= 2029; ++y) {
    const double charge = at(eight, y, "r", kCapitalChargeUsd);
    CHECK_THAT(charge, WithinRel(5e7 * 0.08 / (1 - std::pow(1.08, -5)), 1e-12));
    pv += charge / std::pow(1.08, y - 2024);
    CHECK_THAT(at(eight, y, "r", kTcoUsd), WithinRel(charge + at(eight, y, "r", kOpexUsd), 1e-12));
  }
  CHECK_THAT(pv, WithinRel(5e7, 1e-12));
  // Under "depreciation" (the default) the column is reported and TCO keeps the depreciation.
  const auto dep =
      simulate(tiny({"/capex/budget={\"series\": {\"2025\": 5e7, \"2026\": 0}}",
                     "/regions/r/initial={\"it_capacity_mw\": 5}", "/finance/wacc=0.08"}));
  CHECK(at(dep, 2025, "r", kCapitalChargeUsd) == at(eight, 2025, "r", kCapitalChargeUsd));
  CHECK_THAT(at(dep, 2025, "r", kTcoUsd), WithinRel(1e7 + at(dep, 2025, "r", kOpexUsd), 1e-12));
}

TEST_CASE("book value falls by cost / life a year to 0 at the end of the life",
          "[engine][v3][wacc]") {
  // US$40 m of accelerators (life 5) and US$40 m of halls online at once (life 4), both 2025.
  const auto res = simulate(tiny({R"(/capex={"budget": {"series": {"2025": 8e7, "2026": 0}},
         "split": {"it": 0.5, "facility": 0.5, "other": 0}, "hardware_mix": {"*": {"gpu": 1}}})",
                                  "/finance/facility_life_years=4", "/finance/wacc=0.08"}));
  // End of 2025: 40·4/5 + 40·3/4 = 32 + 30; 2026: 24 + 20; 2027: 16 + 10; 2028: 8 + 0; 2029: 0.
  const double expect[] = {62e6, 44e6, 26e6, 8e6, 0};
  for (int y = 2025; y <= 2029; ++y)
    CHECK_THAT(at(res, y, "r", kBookValueUsd), WithinAbs(expect[y - 2025], 1e-6));
  CHECK(at(res, 2029, "r", kBookValueUsd) == 0);
  // Capacity under construction is not on the books: with c = 2 the halls enter in 2027 at
  // their cost (40 m, no interest during construction) less one year: 30 m.
  const auto late =
      simulate(tiny({R"(/capex={"budget": {"series": {"2025": 8e7, "2026": 0}},
         "split": {"it": 0.5, "facility": 0.5, "other": 0}, "hardware_mix": {"*": {"gpu": 1}}})",
                     "/finance/facility_life_years=4", "/finance/wacc=0.08",
                     "/regions/r/construction_years=2", "/regions/r/lease_usd_per_mw_year=2e6"}));
  CHECK_THAT(at(late, 2025, "r", kBookValueUsd), WithinRel(32e6, 1e-12));
  CHECK_THAT(at(late, 2027, "r", kBookValueUsd), WithinRel(16e6 + 30e6, 1e-12));
}

TEST_CASE("initial assets on the books carry their charge and book value since their vintage",
          "[engine][v3][wacc]") {
  // 10 MW built in 2015 at US$10 m/MW (US$100 m, life 20): 10 years old in 2025, charged
  // CRF(0.08, 20)·100 m; book at the end of 2025 = 100·(20 − 10 − 1)/20 = US$45 m. 5,000
  // accelerators of 2023 at US$10,000 (US$50 m, life 5): book = 50·(5 − 2 − 1)/5 = US$20 m.
  const auto res = simulate(tiny({R"(/regions/r/initial={"it_capacity_mw": 10, "built": 2015,
               "fleet": {"gpu": {"2023": 5000}}})",
                                  R"(/finance={"initial_assets": "book", "wacc": 0.08})"}));
  CHECK_THAT(at(res, 2025, "r", kBookValueUsd), WithinRel(45e6 + 20e6, 1e-12));
  CHECK_THAT(at(res, 2025, "r", kCapitalChargeUsd),
             WithinRel(1e8 * engine::capital_recovery_factor(0.08, 20) +
                           5e7 * engine::capital_recovery_factor(0.08, 5),
                       1e-12));
  // 2027: the accelerators' life is over (bought 2023, 5 years); the halls are worth 35 m.
  CHECK_THAT(at(res, 2027, "r", kBookValueUsd), WithinRel(35e6, 1e-12));
}

TEST_CASE("own_usd_per_mw_year set as the lease price: leasing and owning cost the same",
          "[engine][v3][wacc]") {
  // own = f·CRF(8%, 20) + 3%·f = 1e7·(0.1018522 + 0.03) = US$1.318522 m per MW-year.
  const auto own =
      simulate(tiny({kOneBuild, "/finance/wacc=0.08", R"(/finance/capital_charge="annuity")"}));
  const double per_mw = at(own, 2025, "r", kOwnUsdPerMwYear);
  CHECK_THAT(per_mw, WithinRel(1e7 * (engine::capital_recovery_factor(0.08, 20) + 0.03), 1e-12));
  CHECK(is_empty_cell(at(own, 2025, "total", kOwnUsdPerMwYear)));
  // With interest during construction (c = 2) the hall costs 1.08² more to own.
  const auto idc = simulate(
      tiny({kOneBuild, "/finance/wacc=0.08", "/regions/r/construction_years=2",
            "/finance/interest_during_construction=true", "/regions/r/lease_usd_per_mw_year=2e6"}));
  CHECK_THAT(
      at(idc, 2025, "r", kOwnUsdPerMwYear),
      WithinRel(1e7 * (1.08 * 1.08 * engine::capital_recovery_factor(0.08, 20) + 0.03), 1e-12));
  // The same US$50 m of accelerators in 5 MW leased at exactly that price, no facility money:
  // 5 MW × own = the owned halls' annuity + maintenance, so the TCO is the same every year.
  const auto lease =
      simulate(tiny({R"(/capex={"budget": {"series": {"2025": 5e7, "2026": 0}}, "split": {"it": 1,
             "facility": 0, "other": 0}, "hardware_mix": {"*": {"gpu": 1}}})",
                     "/finance/wacc=0.08", R"(/finance/capital_charge="annuity")",
                     "/regions/r/lease_usd_per_mw_year=" + fmt_double(per_mw)}));
  for (int y = 2025; y <= 2029; ++y) {
    CHECK_THAT(at(lease, y, "r", kItCapacityLeasedMw), WithinRel(5.0, 1e-12));
    CHECK_THAT(at(lease, y, "r", kTcoUsd), WithinRel(at(own, y, "r", kTcoUsd), 1e-12));
  }
}

TEST_CASE("at the break-even utilisation revenue equals TCO", "[engine][v3][wacc]") {
  // The one-build plan sells compute at US$30 m per EFLOP-year; demand far above capacity, so
  // u = max_utilisation. E1 = 100 $/MWh × 1.25 × 8,760 h × (5,000 × 0.5 × 1 kW × 0.75) in 2025.
  auto run = [](std::vector<std::string> o) {
    o.insert(o.end(), {kOneBuild, "/finance/wacc=0.08", "/regions/r/lease_usd_per_mw_year=2e6",
                       R"(/demand={"eflop_year": 1000, "price_usd_per_eflop_year": 3e7})"});
    return simulate(tiny(o));
  };
  const auto res = run({});
  const double e1 = 100 * 1.25 * 8760 * (5000 * 0.5 * 1e-3 * 0.75);
  const double a = 5000 * 0.5 * 1000 / 1e6;  // EFLOP-year available in 2025
  const double u = at(res, 2025, "r", kUtilisation);
  CHECK(u == 0.9);
  const double tco = at(res, 2025, "r", kTcoUsd);
  CHECK_THAT(at(res, 2025, "r", kBreakevenUtilisation),
             WithinRel((tco - e1 * u) / (3e7 * a - e1), 1e-12));
  // Run again at that utilisation: the margin is 0, in every year.
  for (int y = 2025; y <= 2029; ++y) {
    const double star = at(res, y, "total", kBreakevenUtilisation);
    REQUIRE(star > 0);
    REQUIRE(star < 0.9);
    const auto again = run({"/operations/max_utilisation=" + fmt_double(star)});
    CHECK_THAT(at(again, y, "total", kRevenueUsd), WithinRel(at(again, y, "total", kTcoUsd), 1e-9));
    CHECK_THAT(at(again, y, "total", kMarginUsd),
               WithinAbs(0, 1e-6 * at(again, y, "total", kTcoUsd)));
  }
  // No price: empty.
  const auto no_price =
      simulate(tiny({kOneBuild, "/finance/wacc=0.08", "/regions/r/lease_usd_per_mw_year=2e6",
                     R"(/demand={"eflop_year": 1000})"}));
  CHECK(is_empty_cell(at(no_price, 2025, "total", kBreakevenUtilisation)));
}

TEST_CASE("cost per GPU-hour: TCO over accelerator-hours delivered", "[engine][v3][wacc]") {
  // 2025: 5,000 accelerators bought (f = 0.5) in leased halls: 5,000 × 0.5 × 8,760 × 0.6 hours.
  const auto res =
      simulate(tiny({kOneBuild, "/finance/wacc=0.08", "/regions/r/lease_usd_per_mw_year=2e6"}));
  CHECK_THAT(at(res, 2025, "r", kCostPerGpuHourUsd),
             WithinRel(at(res, 2025, "r", kTcoUsd) / (5000 * 0.5 * 8760 * 0.6), 1e-12));
  CHECK_THAT(at(res, 2026, "total", kCostPerGpuHourUsd),
             WithinRel(at(res, 2026, "total", kTcoUsd) / (5000 * 8760 * 0.6), 1e-12));
  // A fleet that holds servers: 2,000 sunk servers of 500 W (idle 0.5) in 1 MW of sunk halls,
  // beside the 5 MW built in 2025. Their part of TCO: their electricity, 2,000 × 0.5 kW × (0.5
  // + 0.5 × 0.6) × 1.25 × 8,760 h × US$100/MWh = US$876,000, and their share by nameplate (1
  // MW of 6) of the halls: (US$50 m × CRF(8%, 20) + 3% × US$50 m) / 6. The rest is the
  // accelerators', over the same accelerator-hours.
  const auto servers = simulate(
      tiny({kOneBuild, "/finance/wacc=0.08", R"(/finance/capital_charge="annuity")",
            R"(/hardware/cpu={"kind": "server", "available": 2020, "bf16_tflops": 0,
               "all_in_w": 500, "price_usd": 10000, "lifetime_years": 6, "idle_fraction": 0.5})",
            R"(/regions/r/initial={"fleet": {"cpu": {"2024": 2000}}, "it_capacity_mw": 1})"}));
  const double halls = 5e7 * engine::capital_recovery_factor(0.08, 20) + 0.03 * 5e7;
  const double server_part = 2000 * 0.5e-3 * (0.5 + 0.5 * 0.6) * 1.25 * 8760 * 100 + halls / 6;
  CHECK(at(servers, 2025, "r", kItCapacityLeasedMw) == 0);
  CHECK_THAT(at(servers, 2025, "r", kCostPerGpuHourUsd),
             WithinRel((at(servers, 2025, "r", kTcoUsd) - server_part) / (5000 * 0.5 * 8760 * 0.6),
                       1e-12));
  CHECK(at(servers, 2025, "total", kCostPerGpuHourUsd) ==
        at(servers, 2025, "r", kCostPerGpuHourUsd));
}

TEST_CASE("embodied carbon amortised sums to the embodied carbon over a life",
          "[engine][v3][wacc]") {
  // 5,000 accelerators of 500 kg each (2,500 t, life 5) and 5 MW of halls at 2,000 t/MW
  // (10,000 t, life 5), all in 2025; the horizon is one life long.
  const auto res = simulate(
      tiny({kOneBuild, "/hardware/gpu/embodied_kgco2e=500", "/finance/facility_life_years=5",
            "/regions/r/facility_embodied_tco2_per_mw=2000"}));
  CHECK_THAT(at(res, 2025, "r", kEmbodiedTco2), WithinRel(2500, 1e-12));
  CHECK_THAT(at(res, 2025, "r", kEmbodiedFacilityTco2), WithinRel(10000, 1e-12));
  CHECK(at(res, 2026, "r", kEmbodiedFacilityTco2) == 0);
  for (int y = 2025; y <= 2029; ++y)
    CHECK_THAT(at(res, y, "r", kEmbodiedAmortisedTco2), WithinRel(500 + 2000, 1e-12));
  CHECK_THAT(sum(res, "r", kEmbodiedAmortisedTco2, 2025, 2029), WithinRel(2500 + 10000, 1e-12));
  // The facility's embodied carbon is its online year's: c = 2 puts it in 2027.
  const auto late = simulate(
      tiny({kOneBuild, "/regions/r/construction_years=2", "/regions/r/lease_usd_per_mw_year=2e6",
            "/regions/r/facility_embodied_tco2_per_mw=2000"}));
  CHECK(at(late, 2025, "r", kEmbodiedFacilityTco2) == 0);
  CHECK_THAT(at(late, 2027, "r", kEmbodiedFacilityTco2), WithinRel(10000, 1e-12));
}

TEST_CASE("the cost-of-capital columns apply only when a key of it is written",
          "[engine][v3][wacc]") {
  const auto plain = simulate(tiny({kOneBuild}));
  CHECK(!plain.has_cost_of_capital);
  CHECK(!column_applies(kCapitalChargeUsd, plain));
  CHECK(is_empty_cell(at(plain, 2025, "total", kCapitalChargeUsd)));
  for (const char* key : {"/finance/wacc=0.08", "/finance/interest_during_construction=false",
                          R"(/finance/capital_charge="depreciation")", "/regions/r/wacc=0.1",
                          "/regions/r/facility_embodied_tco2_per_mw=0"}) {
    INFO(key);
    const auto with = simulate(tiny({kOneBuild, key}));
    CHECK(with.has_cost_of_capital);
    CHECK(column_applies(kCapitalChargeUsd, with));
    CHECK(!column_applies(kBreakevenUtilisation, with));  // no demand
    // Every other column is the same number.
    for (int c = 0; c < kNumCols; ++c) {
      if (is_cost_of_capital_column(c)) continue;
      for (Eigen::Index row = 0; row < plain.rows(); ++row) {
        const double a = plain.values(row, c), b = with.values(row, c);
        CHECK((a == b || (std::isnan(a) && std::isnan(b))));
      }
    }
  }
  // A region's wacc overrides finance.wacc: US$50 m of accelerators over 5 years and US$50 m
  // of halls over 20, both at 8%.
  const auto region = simulate(tiny({kOneBuild, "/finance/wacc=0.02", "/regions/r/wacc=0.08"}));
  CHECK_THAT(at(region, 2025, "r", kCapitalChargeUsd),
             WithinRel(5e7 * engine::capital_recovery_factor(0.08, 5) +
                           5e7 * engine::capital_recovery_factor(0.08, 20),
                       1e-12));
}
