// Placing the money (model v2, docs/model.md, steps 3 and 6): IT money placed by power, the
// overflow (facility, carry or strand), leases, the limit column that names what bound a region,
// a capex share written "rest". One mechanism a test, each on a scenario small enough to work
// out by hand. The tiny scenario: accelerators of 1 kW at US$10,000, so a dollar of IT money
// buys 1e-7 MW: US$10 m per MW of nameplate; facilities at US$10 m per MW; PUE 1.25.
#include <catch2/catch.hpp>

#include "engine_fixture.hpp"

using namespace dcplan;
using namespace dcplan::test;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

namespace {

//! A region like the tiny one, with its initial capacity in MW.
std::string region(const std::string& id, double mw) {
  return "/regions/" + id +
         R"(={"pue": 1.25, "power_price_usd_per_mwh": 100, "grid_g_per_kwh": 500, )"
         R"("facility_capex_usd_per_mw": 1e7, "initial": {"it_capacity_mw": )" +
         std::to_string(mw) + "}}";
}

//! The budget of 2025 alone (nothing after).
std::string budget_2025(double usd) {
  return "/capex/budget={\"series\": {\"2025\": " + std::to_string(usd) +
         ", \"2026\": 0}, \"interp\": \"step\"}";
}

std::string limit(const Results& res, int year, const std::string& id) {
  return limit_text(at(res, year, id, kLimit));
}

}  // namespace

TEST_CASE("placement by power: own share up to the room, the excess water-filled by weight",
          "[engine][v2][placement]") {
  // Regions r, a, b with 1, 5 and 20 MW free; weights 1:1:2; US$180 m of IT money.
  // Own shares: r 45 m, a 45 m, b 90 m. Rooms at US$10 m/MW: r 10 m, a 50 m, b 200 m.
  // r spends 10 m (35 m excess: "power"); a spends 45 m (5 m room left); b 90 m (110 m left).
  // Pass 1 shares the 35 m over a and b (weights 1 and 2): a is offered 11.67 m and takes 5 m,
  // b is offered 23.33 m and takes it all; 6.67 m is left. Pass 2: only b has room: it takes
  // the 6.67 m. Spent: r 10 m, a 50 m, b 90 + 23.33 + 6.67 = 120 m. Nothing strands.
  const auto s = tiny({region("r", 1), region("a", 5), region("b", 20), budget_2025(1.8e8),
                       R"(/capex/region_weights={"r": 1, "a": 1, "b": 2})"});
  const auto res = simulate(s);
  CHECK_THAT(at(res, 2025, "r", kCapexItUsd), WithinRel(1e7, 1e-12));
  CHECK_THAT(at(res, 2025, "a", kCapexItUsd), WithinRel(5e7, 1e-12));
  CHECK_THAT(at(res, 2025, "b", kCapexItUsd), WithinRel(1.2e8, 1e-12));
  CHECK_THAT(at(res, 2025, "b", kAcceleratorsInstalled), WithinRel(12000.0, 1e-12));
  CHECK(at(res, 2025, "total", kAcceleratorsStranded) == 0);
  CHECK(at(res, 2025, "total", kCarryoverUsd) == 0);
  CHECK_THAT(at(res, 2025, "b", kItCapacityFreeMw), WithinRel(8.0, 1e-9));  // 20 − 12 MW
  CHECK(limit(res, 2025, "r") == "power");
  CHECK(limit(res, 2025, "a") == "budget");
  CHECK(limit(res, 2025, "total") == "power+budget");
  // Version 1 ("weights") spends r's 45 m in r: 4,500 bought, 1,000 installed, 3,500 wait.
  const auto v1 =
      simulate(tiny_v1({region("r", 1), region("a", 5), region("b", 20), budget_2025(1.8e8),
                        R"(/capex/region_weights={"r": 1, "a": 1, "b": 2})"}));
  CHECK_THAT(at(v1, 2025, "r", kAcceleratorsStranded), WithinRel(3500.0, 1e-12));
}

TEST_CASE("overflow: facility, carry or strand", "[engine][v2][overflow]") {
  // One region with 1 MW free and US$30 m of IT money: 10 m buys 1,000 accelerators (1 MW);
  // 20 m finds no power.
  const std::vector<std::string> base = {R"(/regions/r/initial={"it_capacity_mw": 1})",
                                         budget_2025(3e7)};
  auto with = [&](const std::string& policy, std::vector<std::string> more = {}) {
    auto o = base;
    o.push_back("/capex/it_overflow=\"" + policy + "\"");
    o.insert(o.end(), more.begin(), more.end());
    return simulate(tiny(o));
  };
  // "facility": the 20 m builds 2 MW, online at the end of 2025 (construction_years 0); the
  // accelerators of 2025 are placed already, so the 2 MW stand free until used.
  const auto facility = with("facility");
  CHECK_THAT(at(facility, 2025, "r", kAcceleratorsInstalled), WithinRel(1000.0, 1e-12));
  CHECK_THAT(at(facility, 2025, "r", kCapexFacilityUsd), WithinRel(2e7, 1e-12));
  CHECK_THAT(at(facility, 2025, "r", kItCapacityMw), WithinRel(3.0, 1e-12));
  CHECK_THAT(at(facility, 2025, "r", kItCapacityFreeMw), WithinRel(2.0, 1e-9));
  CHECK(at(facility, 2025, "r", kCarryoverUsd) == 0);
  // With 2 years of construction the 2 MW are online in 2027.
  const auto later = with("facility", {"/regions/r/construction_years=2"});
  CHECK_THAT(at(later, 2025, "r", kItCapacityPipelineMw), WithinRel(2.0, 1e-12));
  CHECK_THAT(at(later, 2027, "r", kItCapacityMw), WithinRel(3.0, 1e-12));
  // Against a grid cap of 0.5 MW a year: 0.5 MW (5 m) is built, 15 m carries over.
  const auto capped = with("facility", {"/regions/r/max_new_mw_per_year=0.5"});
  CHECK_THAT(at(capped, 2025, "r", kCapexFacilityUsd), WithinRel(5e6, 1e-12));
  CHECK_THAT(at(capped, 2025, "r", kCarryoverUsd), WithinRel(1.5e7, 1e-12));
  // "carry": the 20 m waits; in 2026 (no new budget, no free power) it waits again.
  const auto carry = with("carry");
  CHECK(at(carry, 2025, "r", kCapexFacilityUsd) == 0);
  CHECK_THAT(at(carry, 2025, "r", kCarryoverUsd), WithinRel(2e7, 1e-12));
  CHECK_THAT(at(carry, 2026, "r", kCarryoverUsd), WithinRel(2e7, 1e-12));
  // "strand": the 20 m buys 2,000 accelerators that wait for power.
  const auto strand = with("strand");
  CHECK_THAT(at(strand, 2025, "r", kAcceleratorsPurchased), WithinRel(3000.0, 1e-12));
  CHECK_THAT(at(strand, 2025, "r", kAcceleratorsStranded), WithinRel(2000.0, 1e-12));
  CHECK(limit(strand, 2025, "r") == "power");
  // Money is conserved whatever the policy: budget = capex + carry-over.
  for (const auto* res : {&facility, &carry, &strand, &capped}) {
    CHECK_THAT(at(*res, 2025, "total", kCapexUsd) + at(*res, 2025, "total", kCarryoverUsd),
               WithinRel(3e7, 1e-12));
  }
}

TEST_CASE("leasing: filled after owned capacity, up to max_lease_mw, shrinking as owned grows",
          "[engine][v2][lease]") {
  // 1 MW owned; leases at US$2 m per MW-year, at most 3 MW. Accelerators live 2 years.
  // 2025: US$50 m of IT money; room = 1 + 3 MW = US$40 m: 4,000 bought (4 MW), 1 MW owned and
  //   3 MW leased. The 10 m left builds 1 MW at once (overflow "facility"): 2 MW owned at year
  //   end, so the lease is 4 − 2 = 2 MW: US$4 m.
  // 2026: US$10 m of facility money builds 1 MW more: 3 MW owned, 1 MW leased: US$2 m.
  // 2027: the 2025 accelerators retire: nothing to power, no lease.
  const auto s =
      tiny({R"(/regions/r/initial={"it_capacity_mw": 1})", "/regions/r/lease_usd_per_mw_year=2e6",
            "/regions/r/max_lease_mw=3", "/hardware/gpu/lifetime_years=2",
            R"(/capex/budget={"series": {"2025": 5e7, "2026": 1e7, "2027": 0}, "interp": "step"})",
            R"(/capex/split={"it": {"series": {"2025": 1, "2026": 0}, "interp": "step"}, )"
            R"("facility": {"series": {"2025": 0, "2026": 1}, "interp": "step"}, "other": 0})"});
  const auto res = simulate(s);
  CHECK_THAT(at(res, 2025, "r", kAcceleratorsInstalled), WithinRel(4000.0, 1e-12));
  CHECK_THAT(at(res, 2025, "r", kItCapacityMw), WithinRel(2.0, 1e-12));
  CHECK_THAT(at(res, 2025, "r", kItCapacityLeasedMw), WithinRel(2.0, 1e-12));
  CHECK_THAT(at(res, 2025, "r", kLeaseUsd), WithinRel(4e6, 1e-12));
  CHECK_THAT(at(res, 2026, "r", kItCapacityLeasedMw), WithinRel(1.0, 1e-12));
  CHECK_THAT(at(res, 2026, "r", kLeaseUsd), WithinRel(2e6, 1e-12));
  CHECK(at(res, 2027, "r", kItCapacityLeasedMw) == 0);
  CHECK(at(res, 2027, "r", kLeaseUsd) == 0);
  // The lease is opex: electricity + lease + maintenance. 2025: 4,000 x 1 kW x (0.25 + 0.75 x
  // 0.6) x 0.5 (first year) = 1.4 MW x 1.25 x 8,760 h x US$100 = US$1.533 m; maintenance 3% of
  // the 40 m of accelerators and the 10 m facility online = US$1.5 m.
  CHECK_THAT(at(res, 2025, "r", kOpexUsd), WithinRel(1.533e6 + 4e6 + 1.5e6, 1e-12));
  // Facility capacity: (2 owned + 2 leased) x PUE 1.25 = 5 MW.
  CHECK_THAT(at(res, 2025, "r", kFacilityCapacityMw), WithinRel(5.0, 1e-12));
  // Without a lease limit the room is unlimited: the whole 50 m buys 5,000, 4 MW leased.
  const auto open = simulate(tiny({R"(/regions/r/initial={"it_capacity_mw": 1})",
                                   "/regions/r/lease_usd_per_mw_year=2e6", budget_2025(5e7)}));
  CHECK_THAT(at(open, 2025, "r", kAcceleratorsInstalled), WithinRel(5000.0, 1e-12));
  CHECK_THAT(at(open, 2025, "r", kItCapacityLeasedMw), WithinRel(4.0, 1e-12));
}

TEST_CASE("limit names the constraints that bound each region", "[engine][v2][limit]") {
  // US$50 m of facility money wants 5 MW.
  const std::vector<std::string> facility = {
      budget_2025(5e7), R"(/capex/split={"it": 0, "facility": 1, "other": 0})"};
  auto run = [](std::vector<std::string> o) { return simulate(tiny(std::move(o))); };
  auto with = [&](std::vector<std::string> more) {
    auto o = facility;
    o.insert(o.end(), more.begin(), more.end());
    return run(o);
  };
  CHECK(limit(with({}), 2025, "r") == "budget");
  CHECK(limit(with({"/regions/r/max_new_mw_per_year=2"}), 2025, "r") == "grid");
  CHECK(limit(with({"/regions/r/max_total_mw=3"}), 2025, "r") == "cap");
  // Both rooms reached: both shown, in order.
  CHECK(limit(with({"/regions/r/max_new_mw_per_year=2", "/regions/r/max_total_mw=3"}), 2025, "r") ==
        "grid+cap");
  // Not open: closed (its share goes to the open region a).
  const auto closed = with({"/regions/r/opens=2026", region("a", 0)});
  CHECK(limit(closed, 2025, "r") == "closed");
  CHECK(limit(closed, 2026, "r") == "");  // open, given nothing (no budget after 2025)
  // IT money and no power: power. IT money and nothing on sale: hardware.
  CHECK(limit(run({budget_2025(1e7)}), 2025, "r") == "power");
  CHECK(limit(run({budget_2025(1e7), "/hardware/gpu/available=2026"}), 2025, "r") == "hardware");
  // Accelerators waiting at year end (version 1): power.
  CHECK(limit(simulate(tiny_v1({budget_2025(1e7)})), 2026, "r") == "power");
  // Given nothing, bound by nothing: empty.
  CHECK(limit(run({}), 2025, "r") == "");
  // The table spells them; the bit set is what Results holds.
  CHECK(limit_text(kLimitGrid | kLimitPower) == "grid+power");
  CHECK(limit_text(0) == "");
}

TEST_CASE("a share written \"rest\" is 1 minus the other two", "[engine][v2][split]") {
  const auto s = tiny({budget_2025(1e8), R"(/regions/r/initial={"it_capacity_mw": 100})",
                       R"(/capex/split={"it": 0.7, "facility": "rest", "other": 0.05})"});
  CHECK(s.capex.split_rest == 1);
  CHECK_THAT(s.capex.split_facility(0), WithinAbs(0.25, 1e-15));
  const auto res = simulate(s);
  CHECK_THAT(at(res, 2025, "r", kCapexFacilityUsd), WithinRel(2.5e7, 1e-12));
  // The other two over 1: an input error naming the share and the year.
  CHECK_THROWS_WITH(tiny({R"(/capex/split={"it": 0.7, "facility": 0.5, "other": "rest"})"}),
                    Catch::Contains("/capex/split/other") && Catch::Contains("2025"));
  CHECK_THROWS_WITH(tiny({R"(/capex/split={"it": "rest", "facility": 0.5, "other": "rest"})"}),
                    Catch::Contains("at most one"));
}
