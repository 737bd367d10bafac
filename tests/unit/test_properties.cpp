// Conservation laws and invariants over many generated scenarios (fixed seed).
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>
#include <random>

#include "dcplan/engine.hpp"
#include "dcplan/load.hpp"

using namespace dcplan;
using json = nlohmann::json;

namespace {

struct Gen {
  std::mt19937_64 rng;
  explicit Gen(std::uint64_t seed) : rng(seed) {}
  double uniform(double a, double b) { return std::uniform_real_distribution<double>(a, b)(rng); }
  int integer(int a, int b) { return std::uniform_int_distribution<int>(a, b)(rng); }
  bool chance(double p) { return uniform(0, 1) < p; }
};

//! A random but valid scenario. `caps` false: no max_new_mw_per_year / max_total_mw.
//! `one_type`: a single accelerator type. `v3`: also model v3's money keys (facility_sizing,
//! carryover, initial_assets, initial.built), drawn after everything else so that the other
//! draws are the same.
json generate(Gen& g, bool caps, bool one_type = false, bool v3 = false) {
  const int start = g.integer(2020, 2030);
  const int end = start + g.integer(0, 14);
  const int nh = one_type ? 1 : g.integer(1, 4);
  const int nr = g.integer(1, 5);
  json doc = {{"dcplan", 1}, {"horizon", {{"start", start}, {"end", end}}}};
  std::vector<std::string> hw_ids;
  for (int h = 0; h < nh; ++h) {
    const std::string id = "hw" + std::to_string(h);
    hw_ids.push_back(id);
    json hw = {{"available", g.integer(start - 3, end)},
               {"bf16_tflops", g.uniform(100, 3000)},
               {"all_in_w", g.uniform(300, 3000)},
               {"price_usd", g.chance(0.5) ? json(g.uniform(5e3, 5e4))
                                           : json{{"exponential",
                                                   {{"base", g.uniform(5e3, 5e4)},
                                                    {"base_year", start},
                                                    {"rate", g.uniform(-0.2, 0.1)}}}}},
               {"lifetime_years", g.integer(1, 7)},
               {"idle_fraction", g.uniform(0, 0.5)},
               {"annual_failure_rate", g.chance(0.3) ? 0.0 : g.uniform(0, 0.2)},
               {"embodied_kgco2e", g.uniform(0, 3000)}};
    if (g.chance(0.3)) hw["last_sale"] = g.integer(hw["available"].get<int>(), end + 2);
    doc["hardware"][id] = hw;
  }
  for (int r = 0; r < nr; ++r) {
    const std::string id = "reg" + std::to_string(r);
    json reg = {{"pue", g.uniform(1.0, 1.8)},
                {"power_price_usd_per_mwh", g.uniform(20, 200)},
                {"grid_g_per_kwh", g.uniform(0, 800)},
                {"renewable_share", g.uniform(0, 1)},
                {"facility_capex_usd_per_mw", g.uniform(5e6, 2e7)},
                {"construction_years", g.integer(0, 3)},
                {"tags", json::array({g.chance(0.5) ? "china" : "international"})}};
    if (g.chance(0.3)) reg["opens"] = g.integer(start, end + 1);
    if (caps && g.chance(0.5)) reg["max_new_mw_per_year"] = g.uniform(0, 200);
    if (caps && g.chance(0.5)) reg["max_total_mw"] = g.uniform(0, 2000);
    if (g.chance(0.4)) reg["new_build_pue"] = g.uniform(1.0, 1.4);
    if (g.chance(0.3)) {
      reg["lease_usd_per_mw_year"] = g.uniform(1e6, 3e6);
      if (g.chance(0.5)) {
        // Sometimes falling: installed accelerators keep their lease.
        reg["max_lease_mw"] = {{"series",
                                {{std::to_string(start), g.uniform(0, 300)},
                                 {std::to_string(end), g.uniform(0, 300)}}}};
      }
    }
    if (g.chance(0.3)) {
      json allowed = json::array();
      for (const auto& h : hw_ids) {
        if (g.chance(0.6)) allowed.push_back(h);
      }
      reg["allowed_hardware"] = allowed;
    }
    if (g.chance(0.6)) {
      const double cap = g.uniform(0, 500);
      json fleet = json::object();
      double used = 0;
      for (int h = 0; h < nh; ++h) {
        const std::string hid = hw_ids[static_cast<std::size_t>(h)];
        if (reg.contains("allowed_hardware")) {
          const auto& al = reg["allowed_hardware"];
          if (std::find(al.begin(), al.end(), hid) == al.end()) continue;
        }
        const double w = doc["hardware"][hid]["all_in_w"].get<double>() / 1e6;
        const double room = (cap - used) * g.uniform(0, 0.5);
        const double n = room / w;
        if (n <= 0) continue;
        // A vintage when the hardware was on sale (the loader refuses earlier ones).
        const int available = doc["hardware"][hid]["available"].get<int>();
        const int vintage = std::max(start - g.integer(0, 6), available);
        if (vintage > start) continue;
        fleet[hid][std::to_string(vintage)] = n;
        used += n * w;
      }
      reg["initial"] = {{"it_capacity_mw", cap}, {"fleet", fleet}};
    }
    doc["regions"][id] = reg;
  }
  const double it = g.uniform(0, 1);
  const double fac = g.uniform(0, 1 - it);
  json budget;
  if (g.chance(0.5)) {
    budget = g.uniform(0, 5e9);
  } else {
    budget = {
        {"series",
         {{std::to_string(start), g.uniform(0, 5e9)}, {std::to_string(end), g.uniform(0, 5e9)}}},
        {"then_growth", g.uniform(-0.1, 0.3)}};
  }
  json mix = json::object();
  double left = 1.0;
  for (int h = 0; h < nh; ++h) {
    const double share = h == nh - 1 ? left : left * g.uniform(0, 1);
    mix[hw_ids[static_cast<std::size_t>(h)]] = share;
    left -= share;
  }
  json weights = {{"*", 1.0}};
  if (g.chance(0.5)) weights["#china"] = g.uniform(0, 3);
  if (g.chance(0.3)) weights["reg0"] = g.uniform(0, 3);
  doc["capex"] = {{"budget", budget},
                  {"split", {{"it", it}, {"facility", fac}, {"other", 1 - it - fac}}},
                  {"region_weights", weights},
                  {"hardware_mix", {{"*", mix}}}};
  if (g.chance(0.2)) doc["capex"]["split"]["other"] = "rest";
  if (g.chance(0.3)) doc["capex"]["it_placement"] = "weights";
  const double overflow = g.uniform(0, 1);
  if (overflow < 0.25) doc["capex"]["it_overflow"] = "carry";
  if (overflow > 0.75) doc["capex"]["it_overflow"] = "strand";
  doc["operations"] = {{"utilisation", g.uniform(0, 1)}, {"first_year_fraction", g.uniform(0, 1)}};
  if (g.chance(0.3)) {
    doc["demand"] = {{"eflop_year", g.uniform(0, 500)},
                     {"price_usd_per_eflop_year", g.uniform(1e6, 1e9)}};
  }
  if (v3) {
    if (g.chance(0.6)) {
      doc["capex"]["facility_sizing"] = "need";
      doc["capex"]["split"] = {{"other", 1 - it - fac}};
    }
    if (g.chance(0.6)) doc["capex"]["carryover"] = "category";
    if (g.chance(0.5)) doc["finance"] = {{"initial_assets", "book"}};
    for (auto& [id, reg] : doc["regions"].items()) {
      if (reg.contains("initial") && g.chance(0.5))
        reg["initial"]["built"] = start - g.integer(0, 30);
    }
  }
  return doc;
}

//! The total row's limit (docs/model.md, Results): a label shows when the regions showing it
//! were given at least 10% of the year's new budget; closed never; with no new budget, every
//! label of a region but closed.
unsigned total_limit(const Results& res, int year, int regions) {
  const double budget = res.values(res.find_row(year, RowKey::kTotal), kBudgetUsd);
  unsigned out = 0;
  for (int bit = 1; bit < kNumLimits; ++bit) {
    double given = 0;
    bool any = false;
    for (int r = 0; r < regions; ++r) {
      const auto row = res.find_row(year, r);
      if ((static_cast<unsigned>(res.values(row, kLimit)) & (1U << bit)) == 0) continue;
      any = true;
      given += res.values(row, kBudgetUsd);
    }
    if (any && (!(budget > 0) || given >= 0.1 * budget)) out |= 1U << bit;
  }
  return out;
}

Scenario load(const json& doc) {
  return load_scenario_text(doc.dump(), "generated.json");
}

bool close(double a, double b, double scale) {
  return std::abs(a - b) <= 1e-9 * std::max({1.0, std::abs(a), std::abs(b), scale});
}

//! In every row: no value negative or infinite (but margins), and nameplate within the owned
//! online and leased capacity.
void require_nonnegative_and_powered(const Results& res, Eigen::Index row) {
  for (int c = 0; c < kNumCols; ++c) {
    const double v = res.values(row, c);
    if (c == kMarginUsd || is_empty_cell(v)) continue;
    REQUIRE(v >= -1e-6);
    REQUIRE(std::isfinite(v));
  }
  const double owned_and_leased =
      res.values(row, kItCapacityMw) + res.values(row, kItCapacityLeasedMw);
  REQUIRE(res.values(row, kItNameplateMw) <= owned_and_leased * (1 + 1e-9) + 1e-9);
}

}  // namespace

TEST_CASE("conservation laws hold over 600 generated scenarios", "[properties]") {
  // Twice: version 2's keys, then the same scenarios with model v3's money keys drawn on top.
  const bool v3 = GENERATE(false, true);
  Gen g(20251123);
  Engine engine;
  Results res;
  int checked = 0;
  for (int i = 0; i < 600; ++i) {
    const json doc = generate(g, /*caps=*/true, /*one_type=*/false, v3);
    INFO("scenario " << i << ": " << doc.dump());
    const Scenario s = load(doc);
    engine.run(s, {}, res);
    const int nr = static_cast<int>(s.regions.size());
    const int years = s.horizon.years();

    // Totals equal the sum of the regions, for every extensive column.
    for (int t = 0; t < years; ++t) {
      const int year = s.horizon.start + t;
      const auto trow = res.find_row(year, RowKey::kTotal);
      // The total row shows the labels of regions given at least 10% of the budget.
      REQUIRE(res.values(trow, kLimit) == total_limit(res, year, nr));
      for (int c = 0; c < kNumCols; ++c) {
        const auto& info = column_info(static_cast<Col>(c));
        if (info.kind == ColumnKind::kRatio || info.kind == ColumnKind::kText) continue;
        double sum = 0;
        for (int r = 0; r < nr; ++r) {
          const double v = res.values(res.find_row(year, r), c);
          if (!is_empty_cell(v)) sum += v;
        }
        const double total = res.values(trow, c);
        if (is_empty_cell(total)) continue;
        // The one exception (docs/model.md, step 12): with no compute at all (A = 0, utilisation
        // empty in the total row) the whole demand is unmet, in the total row only.
        if ((c == kDemandEflopYear || c == kUnmetEflopYear) &&
            is_empty_cell(res.values(trow, kUtilisation))) {
          REQUIRE(close(total, s.demand->eflop_year(t), 0));
          REQUIRE(sum == 0);
          continue;
        }
        REQUIRE(close(total, sum, 0));
      }
      // Energy = facility power x 8,760 h; facility power = IT load x PUE.
      for (int r = 0; r <= nr; ++r) {
        const auto row = res.find_row(year, r == nr ? RowKey::kTotal : r);
        REQUIRE(
            close(res.values(row, kEnergyTwh) * 1e6, res.values(row, kFacilityPowerMw) * 8760, 0));
        // Nothing negative; nameplate <= owned online + leased; free capacity and facility
        // capacity as defined.
        require_nonnegative_and_powered(res, row);
        const double owned_and_leased =
            res.values(row, kItCapacityMw) + res.values(row, kItCapacityLeasedMw);
        REQUIRE(close(res.values(row, kItCapacityFreeMw),
                      std::max(0.0, owned_and_leased - res.values(row, kItNameplateMw)), 1e3));
        if (r < nr) {
          REQUIRE(close(res.values(row, kFacilityCapacityMw),
                        owned_and_leased * res.values(row, kPue), 0));
        }
      }
    }

    // Leases: none without a price; installs never raise a lease above max_lease_mw (a limit
    // that falls later evicts nobody: the lease may stay above it, never grow beyond it).
    for (int r = 0; r < nr; ++r) {
      const Region& region = s.regions[static_cast<std::size_t>(r)];
      double before = 0;
      for (int t = 0; t < years; ++t) {
        const double leased = res.values(res.find_row(s.horizon.start + t, r), kItCapacityLeasedMw);
        if (!region.lease_usd_per_mw_year) REQUIRE(leased == 0);
        if (region.max_lease_mw) {
          REQUIRE(leased <= std::max((*region.max_lease_mw)(t), before) * (1 + 1e-9) + 1e-9);
        }
        before = leased;
      }
    }

    // Placed by power, nothing bought ever waits for power (unless the overflow strands).
    if (s.capex.placement == Placement::kPower && s.capex.overflow != Overflow::kStrand) {
      for (int t = 0; t < years; ++t) {
        const auto row = res.find_row(s.horizon.start + t, RowKey::kTotal);
        REQUIRE(res.values(row, kAcceleratorsStranded) <=
                1e-9 * (1 + res.values(row, kAcceleratorsInstalled)));
      }
    }

    // Money: budget + last year's carry-over = capex + carry-over (total rows).
    double carry = 0;
    for (int t = 0; t < years; ++t) {
      const auto row = res.find_row(s.horizon.start + t, RowKey::kTotal);
      const double in = res.values(row, kBudgetUsd) + carry;
      const double out = res.values(row, kCapexUsd) + res.values(row, kCarryoverUsd);
      REQUIRE(close(in, out, in));
      carry = res.values(row, kCarryoverUsd);
    }

    // Accelerators, per region: initial + purchased = installed + stranded + retired + failed.
    for (int r = 0; r < nr; ++r) {
      double initial = 0;
      for (const auto& c : s.regions[static_cast<std::size_t>(r)].initial_fleet) initial += c.count;
      double purchased = 0, retired = 0, failed = 0;
      for (int t = 0; t < years; ++t) {
        const auto row = res.find_row(s.horizon.start + t, r);
        purchased += res.values(row, kAcceleratorsPurchased);
        retired += res.values(row, kAcceleratorsRetired);
        failed += res.values(row, kAcceleratorsFailed);
        const double stock =
            res.values(row, kAcceleratorsInstalled) + res.values(row, kAcceleratorsStranded);
        REQUIRE(close(initial + purchased, stock + retired + failed, initial + purchased));
      }
    }
    ++checked;
  }
  CHECK(checked == 600);
}

TEST_CASE("rows by hardware add up to their region, totals alone equal the full run's",
          "[properties]") {
  Gen g(20261123);
  Engine engine;
  Results by_hw, by_region, totals;
  for (int i = 0; i < 300; ++i) {
    const json doc = generate(g, /*caps=*/i % 2 == 0);
    INFO("scenario " << i << ": " << doc.dump());
    const Scenario s = load(doc);
    EngineOptions o;
    o.by_hardware = true;
    engine.run(s, o, by_hw);
    engine.run(s, {}, by_region);
    o = {};
    o.region_rows = false;
    engine.run(s, o, totals);
    const int nr = static_cast<int>(s.regions.size());
    const int nh = static_cast<int>(s.hardware.size());
    REQUIRE(totals.rows() == s.horizon.years());
    for (int year = s.horizon.start; year <= s.horizon.end; ++year) {
      // The same numbers, to the bit, whatever rows are kept.
      const auto t_full = by_region.values.row(by_region.find_row(year, RowKey::kTotal));
      const auto t_only = totals.values.row(totals.find_row(year, RowKey::kTotal));
      for (int c = 0; c < kNumCols; ++c) {
        INFO(column_info(static_cast<Col>(c)).name << " " << year);
        REQUIRE(std::memcmp(&t_full(c), &t_only(c), sizeof(double)) == 0);
      }
      for (int r = 0; r <= nr; ++r) {
        const int region = r == nr ? RowKey::kTotal : r;
        const auto row = by_hw.values.row(by_hw.find_row(year, region));
        REQUIRE(std::memcmp(row.data(),
                            by_region.values.row(by_region.find_row(year, region)).data(),
                            sizeof(double) * kNumCols) == 0);
        for (int c = 0; c < kNumCols; ++c) {
          if (column_info(static_cast<Col>(c)).kind == ColumnKind::kRatio) continue;
          double sum = 0;
          bool any = false;
          for (int h = 0; h < nh; ++h) {
            const double v = by_hw.values(by_hw.find_row(year, region, h), c);
            if (is_empty_cell(v)) continue;
            any = true;
            sum += v;
          }
          if (!any) continue;  // a column that does not split by hardware
          INFO(column_info(static_cast<Col>(c)).name << " " << year << " region " << region);
          REQUIRE(close(row(c), sum, 0));
        }
      }
    }
  }
}

// With one accelerator type. With several, the oldest-first queue can make peak compute dip:
// more money strands more of an older, less efficient type, which later takes the power a
// newer type would have used (scenario 15 of seed 7 shows it). That is the model as docs/model.md
// specifies it, not a bug, so the property is stated for one type. With placement by power it
// holds until the first purchases retire: more money fills the halls earlier, and what fills
// them early retires early, so when the type is no longer sold (or the money runs dry) the
// smaller plan, which bought later, can have more installed at the end (scenario 423 of seed 7:
// its only type is sold in 2032 and 2033).
TEST_CASE("with no cap binding, more budget never gives less peak compute", "[properties]") {
  Gen g(7);
  for (int i = 0; i < 500; ++i) {
    json doc = generate(g, /*caps=*/false, /*one_type=*/true);
    const bool by_power = i % 2 == 0;
    if (!by_power) doc["capex"].update({{"it_placement", "weights"}, {"it_overflow", "strand"}});
    INFO("scenario " << i << ": " << doc.dump());
    const Results base = simulate(load(doc));
    json more = doc;
    // Scale the budget up by 1.5 in every year.
    const Scenario sb = load(doc);
    json series = json::object();
    for (int t = 0; t < sb.horizon.years(); ++t) {
      series[std::to_string(sb.horizon.start + t)] = sb.capex.budget(t) * 1.5;
    }
    more["capex"]["budget"] = {{"series", series}};
    const Results bigger = simulate(load(more));
    int last = sb.horizon.years() - 1;
    if (by_power) {
      // Before the first purchase of either plan can retire.
      for (int t = 0; t < sb.horizon.years(); ++t) {
        const int year = sb.horizon.start + t;
        if (base.values(base.find_row(year, RowKey::kTotal), kAcceleratorsPurchased) > 0 ||
            bigger.values(bigger.find_row(year, RowKey::kTotal), kAcceleratorsPurchased) > 0) {
          last = std::min(last, t + sb.hardware[0].lifetime_years - 1);
          break;
        }
      }
    }
    for (int t = 0; t <= last; ++t) {
      const auto row = base.find_row(sb.horizon.start + t, RowKey::kTotal);
      REQUIRE(bigger.values(row, kPeakPflops) >= base.values(row, kPeakPflops) * (1 - 1e-9) - 1e-9);
    }
  }
}

namespace {

//! A generated scenario using the fleet keys of model v3: hardware of kind server (some with no
//! compute), Weibull retirement curves, installed bases kept under either funding.
json generate_v3(Gen& g, bool caps) {
  json doc = generate(g, caps);
  std::vector<std::string> hw_ids;
  for (auto& [id, hw] : doc["hardware"].items()) {
    hw_ids.push_back(id);
    if (g.chance(0.4)) {
      hw["kind"] = "server";
      if (g.chance(0.5)) hw["bf16_tflops"] = 0;
    }
    if (g.chance(0.6)) {
      hw["retirement"] = {{"curve", "weibull"}, {"shape", g.uniform(1, 20)}};
    } else if (g.chance(0.3)) {
      hw["retirement"] = {{"curve", "step"}};
    }
  }
  for (auto& [id, reg] : doc["regions"].items()) {
    if (!g.chance(0.6)) continue;
    json keep = json::object();
    for (const auto& h : hw_ids) {
      if (reg.contains("allowed_hardware")) {
        const auto& al = reg["allowed_hardware"];
        if (std::find(al.begin(), al.end(), h) == al.end()) continue;
      }
      if (!g.chance(0.5)) continue;
      const int start = doc["horizon"]["start"].get<int>();
      keep[h] = g.chance(0.5) ? json(g.uniform(0, 2e5))
                              : json{{"exponential",
                                      {{"base", g.uniform(0, 2e5)},
                                       {"base_year", start},
                                       {"rate", g.uniform(-0.1, 0.3)}}}};
    }
    reg["keep"] = keep;
  }
  if (g.chance(0.5)) doc["capex"]["keep_funding"] = "budget";
  return doc;
}

//! initial + purchased = installed + stranded + retired + failed, cumulated, for one kind.
void check_units(const Scenario& s, const Results& res, int r, HardwareKind kind, Col purchased_c,
                 Col installed_c, Col stranded_c, Col retired_c, Col failed_c) {
  double initial = 0;
  for (const auto& c : s.regions[static_cast<std::size_t>(r)].initial_fleet) {
    if (s.hardware[static_cast<std::size_t>(c.hardware)].kind == kind) initial += c.count;
  }
  double purchased = 0, retired = 0, failed = 0;
  for (int t = 0; t < s.horizon.years(); ++t) {
    const auto row = res.find_row(s.horizon.start + t, r);
    purchased += res.values(row, purchased_c);
    retired += res.values(row, retired_c);
    failed += res.values(row, failed_c);
    const double stock = res.values(row, installed_c) + res.values(row, stranded_c);
    REQUIRE(close(initial + purchased, stock + retired + failed, initial + purchased));
  }
}

}  // namespace

TEST_CASE(
    "model v3 fleet: conservation over 400 generated scenarios with kind, keep and "
    "Weibull retirement",
    "[properties][v3]") {
  Gen g(20261207);
  Engine engine;
  Results res, by_hw;
  int kept = 0, budget_kept = 0, servers = 0;
  for (int i = 0; i < 400; ++i) {
    const json doc = generate_v3(g, /*caps=*/i % 2 == 0);
    INFO("scenario " << i << ": " << doc.dump());
    const Scenario s = load(doc);
    engine.run(s, {}, res);
    EngineOptions o;
    o.by_hardware = true;
    engine.run(s, o, by_hw);
    const int nr = static_cast<int>(s.regions.size());
    const int nh = static_cast<int>(s.hardware.size());
    const bool separate = s.capex.keep_funding == KeepFunding::kSeparate;
    servers += res.has_servers ? 1 : 0;

    for (int t = 0; t < s.horizon.years(); ++t) {
      const int year = s.horizon.start + t;
      const auto trow = res.find_row(year, RowKey::kTotal);
      // Totals = Σ regions, for every extensive column (the total row's limit is another rule).
      for (int c = 0; c < kNumCols; ++c) {
        const auto& info = column_info(static_cast<Col>(c));
        if (info.kind == ColumnKind::kRatio || info.kind == ColumnKind::kText) continue;
        if ((c == kDemandEflopYear || c == kUnmetEflopYear) &&
            is_empty_cell(res.values(trow, kUtilisation)))
          continue;  // the one exception: all demand unmet, in the total row only
        double sum = 0;
        for (int r = 0; r < nr; ++r) {
          const double v = res.values(res.find_row(year, r), c);
          if (!is_empty_cell(v)) sum += v;
        }
        if (is_empty_cell(res.values(trow, c))) continue;
        INFO(info.name << " " << year);
        REQUIRE(close(res.values(trow, c), sum, 0));
      }
      for (int r = 0; r <= nr; ++r) {
        const auto row = res.find_row(year, r == nr ? RowKey::kTotal : r);
        require_nonnegative_and_powered(res, row);
        // Keep capex is capex, never IT capex.
        REQUIRE(close(res.values(row, kCapexUsd),
                      res.values(row, kCapexItUsd) + res.values(row, kCapexFacilityUsd) +
                          res.values(row, kCapexOtherUsd) + res.values(row, kCapexKeepUsd),
                      res.values(row, kCapexUsd)));
        if (r < nr) {
          // Rows by hardware: the counts of each kind add up to their region's.
          const auto hrow = by_hw.find_row(year, r);
          for (int c :
               {kAcceleratorsPurchased, kAcceleratorsInstalled, kAcceleratorsStranded,
                kAcceleratorsFailed, kAcceleratorsRetired, kServersPurchased, kServersInstalled,
                kServersStranded, kServersFailed, kServersRetired, kCapexKeepUsd, kEmbodiedTco2}) {
            double sum = 0;
            for (int h = 0; h < nh; ++h) sum += by_hw.values(by_hw.find_row(year, r, h), c);
            INFO(column_info(static_cast<Col>(c)).name << " " << year << " region " << r);
            REQUIRE(close(by_hw.values(hrow, c), sum, 0));
          }
        }
      }
      if (res.values(trow, kCapexKeepUsd) > 0) {
        ++kept;
        if (!separate) ++budget_kept;
      }
    }

    // Money: budget + carry-over in + keep capex funded separately = capex + carry-over out.
    double carry = 0;
    for (int t = 0; t < s.horizon.years(); ++t) {
      const auto row = res.find_row(s.horizon.start + t, RowKey::kTotal);
      const double in =
          res.values(row, kBudgetUsd) + carry + (separate ? res.values(row, kCapexKeepUsd) : 0.0);
      const double out = res.values(row, kCapexUsd) + res.values(row, kCarryoverUsd);
      REQUIRE(close(in, out, in));
      carry = res.values(row, kCarryoverUsd);
    }

    // Units, per region and per kind.
    for (int r = 0; r < nr; ++r) {
      check_units(s, res, r, HardwareKind::kAccelerator, kAcceleratorsPurchased,
                  kAcceleratorsInstalled, kAcceleratorsStranded, kAcceleratorsRetired,
                  kAcceleratorsFailed);
      check_units(s, res, r, HardwareKind::kServer, kServersPurchased, kServersInstalled,
                  kServersStranded, kServersRetired, kServersFailed);
    }
  }
  // The generator reaches what it is meant to test.
  CHECK(servers > 50);
  CHECK(kept > 50);
  CHECK(budget_kept > 20);
}

TEST_CASE(
    "the cost of capital over 400 generated scenarios: defaults change nothing, the annuity "
    "is at least the depreciation, book values never negative",
    "[properties][wacc]") {
  Gen g(20261204);
  Engine engine;
  Results plain, res, at_zero;
  int idc = 0, annuity = 0, regional = 0;
  for (int i = 0; i < 400; ++i) {
    json doc = i % 2 == 0 ? generate(g, /*caps=*/true, /*one_type=*/false, /*v3=*/true)
                          : generate_v3(g, /*caps=*/i % 4 == 1);
    INFO("scenario " << i << ": " << doc.dump());
    const Scenario base = load(doc);
    engine.run(base, {}, plain);
    // The keys of the cost of capital, drawn on top.
    json& finance = doc["finance"];
    if (!finance.is_object()) finance = json::object();
    finance["wacc"] = g.chance(0.5)
                          ? json(g.uniform(0, 0.2))
                          : json{{"series",
                                  {{std::to_string(base.horizon.start), g.uniform(0, 0.2)},
                                   {std::to_string(base.horizon.end), g.uniform(0, 0.2)}}}};
    for (auto& [id, reg] : doc["regions"].items()) {
      if (g.chance(0.3)) reg["wacc"] = g.uniform(0, 0.3), ++regional;
      if (g.chance(0.5)) reg["facility_embodied_tco2_per_mw"] = g.uniform(0, 3000);
    }
    // With wacc alone (no interest during construction, the depreciation charge), every column
    // of version 2 and of model v3's other parts is the same number.
    const Scenario with_wacc = load(doc);
    engine.run(with_wacc, {}, res);
    REQUIRE(res.has_cost_of_capital);
    for (int c = 0; c < kNumCols; ++c) {
      if (is_cost_of_capital_column(c)) continue;
      for (Eigen::Index row = 0; row < res.rows(); ++row) {
        const double a = plain.values(row, c), b = res.values(row, c);
        REQUIRE((a == b || (std::isnan(a) && std::isnan(b))));
      }
    }
    if (g.chance(0.5)) finance["interest_during_construction"] = true, ++idc;
    if (g.chance(0.5)) finance["capital_charge"] = "annuity", ++annuity;
    const Scenario s = load(doc);
    engine.run(s, {}, res);
    const int nr = static_cast<int>(s.regions.size());
    for (int t = 0; t < s.horizon.years(); ++t) {
      const int year = s.horizon.start + t;
      for (int r = 0; r <= nr; ++r) {
        const auto row = res.find_row(year, r == nr ? RowKey::kTotal : r);
        // wacc >= 0: CRF(i, n) >= 1/n, and the capitalised cost >= the cash.
        REQUIRE(res.values(row, kCapitalChargeUsd) >=
                res.values(row, kDepreciationUsd) * (1 - 1e-12) - 1e-6);
        REQUIRE(res.values(row, kBookValueUsd) >= 0);
        REQUIRE(res.values(row, kFinancingUsd) >= 0);
        REQUIRE(res.values(row, kEmbodiedAmortisedTco2) >= 0);
        // The accelerators' part of TCO is what is left once the servers' part is out.
        const double per_hour = res.values(row, kCostPerGpuHourUsd);
        REQUIRE((is_empty_cell(per_hour) || per_hour >= -1e-9));
        const double capital = s.finance.capital_charge == CapitalCharge::kAnnuity
                                   ? res.values(row, kCapitalChargeUsd)
                                   : res.values(row, kDepreciationUsd);
        REQUIRE(close(res.values(row, kTcoUsd), capital + res.values(row, kOpexUsd),
                      res.values(row, kTcoUsd)));
      }
      // Totals equal the sum of the regions.
      const auto trow = res.find_row(year, RowKey::kTotal);
      for (int c : {kFinancingUsd, kCapitalChargeUsd, kBookValueUsd, kEmbodiedFacilityTco2,
                    kEmbodiedAmortisedTco2}) {
        double sum = 0;
        for (int r = 0; r < nr; ++r) sum += res.values(res.find_row(year, r), c);
        REQUIRE(close(res.values(trow, c), sum, sum));
      }
    }
    // At wacc 0 without interest during construction, the annuity is the depreciation.
    finance["wacc"] = 0;
    finance.erase("interest_during_construction");
    for (auto& [id, reg] : doc["regions"].items()) reg.erase("wacc");
    engine.run(load(doc), {}, at_zero);
    for (Eigen::Index row = 0; row < at_zero.rows(); ++row) {
      REQUIRE(close(at_zero.values(row, kCapitalChargeUsd), at_zero.values(row, kDepreciationUsd),
                    at_zero.values(row, kDepreciationUsd)));
    }
  }
  // The generator reaches what it is meant to test.
  CHECK(idc > 100);
  CHECK(annuity > 100);
  CHECK(regional > 50);
}
