// The result rows: utilisation (step 7), each region's row (steps 8 to 12, with the carry-over
// attributed by category), the total row with its ratios recomputed, and the final check that
// no number overflowed.
//
// Units: the engine keeps power in MW, energy in MWh, compute in TFLOP/s, carbon in kg where the
// model says so; the columns are in the units of docs/results.md: energy_twh = MWh / 1e6,
// peak_pflops = TFLOP/s / 1e3, *_eflop_year = TFLOP/s-years / 1e6, *_tco2 = kg / 1e3.
//
// Totals, and why their order matters: the total row is the sum of the region rows, each added
// as soon as it is complete, regions in id order. Floating-point addition is not associative,
// so this one order is what makes a total the same to the last bit whether the region rows
// are kept (dcplan run) or not (a sweep's total rows, EngineOptions::region_rows false), and
// from one run to the next. Ratios (PUE, cost per EFLOP-year, cost per GPU-hour, the break-even
// utilisation) are not summed but recomputed from the totals in finish_total.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "dcplan/error.hpp"
#include "engine/demand.hpp"

namespace dcplan::engine {

namespace {

using Row = Eigen::Array<double, 1, kNumCols>;

//! Rows are rebuilt only when the layout changes (a sweep reuses them).
bool same_ids(const Scenario& s, const Results& out) {
  bool same =
      out.region_ids.size() == s.regions.size() && out.hardware_ids.size() == s.hardware.size();
  for (std::size_t i = 0; same && i < s.regions.size(); ++i)
    same = out.region_ids[i] == s.regions[i].id;
  for (std::size_t i = 0; same && i < s.hardware.size(); ++i)
    same = out.hardware_ids[i] == s.hardware[i].id;
  return same;
}

//! The key of every row (year, region or total, hardware or all), in the order of Layout::row:
//! years ascending; in a year the regions by id, then total; with rows by hardware, each
//! region's row followed by one row per hardware type.
void write_keys(const Scenario& s, const Layout& layout, Results& out) {
  const int years = s.horizon.years();
  const auto regions = static_cast<Index>(s.regions.size());
  out.keys.resize(static_cast<std::size_t>(layout.per_year * years));
  for (int t = 0; t < years; ++t) {
    for (Index r = 0; r <= regions; ++r) {
      for (Index h = 0; h < layout.per_region; ++h) {
        // Without region rows only the total row of each year exists.
        if (!layout.region_rows && r < regions) continue;
        RowKey& k = out.keys[static_cast<std::size_t>(
            layout.region_rows ? t * layout.per_year + r * layout.per_region + h : t)];
        k.year = s.horizon.start + t;
        k.region = r == regions ? RowKey::kTotal : static_cast<int>(r);
        k.hardware = h == 0 ? RowKey::kAll : static_cast<int>(h - 1);
      }
    }
  }
}

//! The carry-over of one region: each category's leftover by that category's excess; with no
//! region open, the whole sum (and the new budget) by weight, else equally.
struct CarryShares {
  double facility_excess_sum = 0, it_excess_sum = 0, weight_sum = 0;
};

//! The denominators of carryover(): the regions' facility and IT excess this year, and the sum
//! of every region's weight (open or not: it shares a year in which no region is open).
CarryShares carry_shares(const State& state, const Year& y) {
  CarryShares c;
  for (const auto& st : state.regions) {
    c.facility_excess_sum += st.facility_excess_usd;
    c.it_excess_sum += st.it_excess_usd;
  }
  for (std::size_t r = 0; r < state.regions.size(); ++r)
    c.weight_sum += state.s().capex.region_weight(static_cast<Index>(r), y.t);
  return c;
}

//! Model v3, the cost of capital: one region's columns in `v`, its parts of the total row's
//! ratios added to `cap`. Out of line: most runs have no cost of capital.
[[gnu::noinline]] void capital_columns(const State& state, const Year& y, const RegionState& st,
                                       const Region& region, const RegionEnergy& e,
                                       const RegionMoney& m, double* v, RegionCapitalYear& cap) {
  const RegionCapitalYear c = region_capital(state, st, region, y.t, e, m);
  v[kFinancingUsd] = c.financing_usd;
  v[kCapitalChargeUsd] = m.capital_charge_usd;
  v[kBookValueUsd] = m.book_value_usd;
  v[kOwnUsdPerMwYear] = c.own_usd_per_mw_year;
  v[kCostPerGpuHourUsd] = ratio(c.accelerators_usd, c.gpu_hours);
  v[kEmbodiedFacilityTco2] = c.embodied_facility_t;
  v[kEmbodiedAmortisedTco2] = m.embodied_amortised_tco2;
  v[kBreakevenUtilisation] = breakeven_utilisation(state, y, m.tco_usd(), c);
  cap.add(c);
}

//! The carry-over attributed to region r: each category's leftover by its share of that
//! category's excess; in a year with no region open, the whole sum (and the new budget in
//! v[kBudgetUsd]) by weight, else equally.
double carryover(const State& state, const Year& y, std::size_t r, const CarryShares& carry,
                 double* v) {
  const Scenario& s = state.s();
  const RegionState& st = state.regions[r];
  // No region open: the carried sum and the year's new budget are attributed by weight as if
  // the regions were open (equally when every weight is 0).
  if (y.weight_sum <= 0) {
    const double share = carry.weight_sum > 0
                             ? s.capex.region_weight(static_cast<Index>(r), y.t) / carry.weight_sum
                             : 1.0 / static_cast<double>(state.regions.size());
    v[kBudgetUsd] = y.new_usd * share;
    return state.carry_usd * share;
  }
  return (carry.facility_excess_sum > 0
              ? y.facility_unspent_usd * st.facility_excess_usd / carry.facility_excess_sum
              : 0.0) +
         (carry.it_excess_sum > 0 ? y.it_unspent_usd * st.it_excess_usd / carry.it_excess_sum
                                  : 0.0);
}

//! One region's row in `v`: the quantities of steps 8 to 12 (energy.hpp, finance.hpp,
//! demand.hpp) mapped to their columns, and the carry-over attributed by category; adds its
//! parts of the total row's ratios of the cost of capital to `cap`.
//!
//! Every column of the row is written here (or emptied), so rows need no clearing between runs.
//! accelerators_purchased counts step 6 and the keep purchases of step 5b; accelerators_failed
//! and _retired are step 2's flows; installed and stranded are end-of-year stocks. The limit's
//! bit set is stored as a number in the value table (limit_text spells it).
void region_row(const State& state, const Year& y, std::size_t r, const CarryShares& carry,
                double* v, RegionCapitalYear& cap) {
  const Scenario& s = state.s();
  const RegionState& st = state.regions[r];
  const Region& region = s.regions[r];
  const double u = y.utilisation;
  const RegionEnergy e = region_energy(st, region, y.t, u);
  const RegionMoney m = region_money(state, st, region, y.t, e);
  // Steps 3 and 6: the money of the year. capex = IT + facility + other + keep purchases (5b).
  v[kBudgetUsd] = st.budget_usd;
  v[kCapexItUsd] = st.it_spent_usd;
  v[kCapexFacilityUsd] = st.facility_spent_usd;
  v[kCapexOtherUsd] = st.other_usd;
  v[kCapexUsd] = m.capex_usd;
  v[kStrandedCapexUsd] = st.sums.stranded_usd;
  // Steps 2, 5, 5b and 6: the fleet, in units (stocks at year end, flows over the year).
  v[kAcceleratorsPurchased] = st.purchased + st.kept_accelerators;
  v[kAcceleratorsInstalled] = st.sums.installed;
  v[kAcceleratorsStranded] = st.sums.stranded;
  v[kAcceleratorsFailed] = st.failed;
  v[kAcceleratorsRetired] = st.retired;
  // Steps 1 and 4: owned capacity online and in the pipeline, and the nameplate installed.
  v[kItCapacityMw] = st.online_mw;
  v[kItCapacityPipelineMw] = st.under_construction_mw;
  v[kItNameplateMw] = st.sums.nameplate_mw;
  // Step 8: P_IT, PUE_r, P = P_IT · PUE, E = P · 8,760 h (MWh / 1e6 = TWh).
  v[kItLoadMw] = e.it_load_mw;
  v[kPue] = e.pue;
  v[kFacilityPowerMw] = e.it_load_mw * e.pue;
  v[kEnergyTwh] = e.energy_mwh / 1e6;
  // Step 9: peak = Σ n · F (TFLOP/s / 1e3 = PFLOP/s); delivered = u · A_r [EFLOP-year].
  v[kPeakPflops] = st.sums.peak_tflops / 1e3;
  v[kDeliveredEflopYear] = u * e.available_eflop_year;
  v[kUtilisation] = u;
  // Step 10: opex = electricity + lease + maintenance; TCO = capital (depreciation or the
  // annuity) + opex; cost per EFLOP-year = TCO / delivered (empty at 0); discounted cost =
  // (capex + opex) / Π(1 + discount rate).
  v[kElectricityCostUsd] = m.electricity_usd;
  v[kMaintenanceUsd] = m.maintenance_usd;
  v[kOpexUsd] = m.electricity_usd + m.lease_usd + m.maintenance_usd;
  v[kDepreciationUsd] = m.depreciation_usd;
  v[kTcoUsd] = m.tco_usd();
  v[kCostPerEflopYearUsd] = ratio(v[kTcoUsd], v[kDeliveredEflopYear]);
  v[kDiscountedCostUsd] =
      (m.capex_usd + m.electricity_usd + m.lease_usd + m.maintenance_usd) / state.discount;
  // Step 11: operational and embodied emissions [t CO2e].
  const RegionCarbon carbon = region_carbon(st, e);
  v[kOperationalTco2] = carbon.operational_t;
  v[kEmbodiedTco2] = carbon.embodied_t;
  // Capacity: leased (step 6), free = owned + leased − nameplate, and the facility power the
  // halls could draw, (owned + leased) · PUE.
  v[kItCapacityLeasedMw] = st.leased_mw;
  // Free capacity within rounding of the sums (a watt) is none.
  const double free_mw = st.online_mw + st.leased_mw - st.sums.nameplate_mw;
  v[kItCapacityFreeMw] = std::abs(free_mw) < 1e-6 ? 0.0 : non_negative(free_mw);
  v[kFacilityCapacityMw] = (st.online_mw + st.leased_mw) * e.pue;
  v[kLeaseUsd] = m.lease_usd;
  // Model v3: keep purchases and units of kind server.
  v[kCapexKeepUsd] = st.keep_usd;
  v[kServersPurchased] = st.servers_purchased + st.kept_servers;
  v[kServersInstalled] = st.sums.servers_installed;
  v[kServersStranded] = st.sums.servers_stranded;
  v[kServersFailed] = st.servers_failed;
  v[kServersRetired] = st.servers_retired;
  if (state.cost_of_capital) [[unlikely]] {
    capital_columns(state, y, st, region, e, m, v, cap);
  } else {
    std::fill(v + kFinancingUsd, v + kEmbodiedAmortisedTco2 + 1, kEmpty);
    v[kBreakevenUtilisation] = kEmpty;
  }
  // The constraints that bound the region (a bit set), then step 12 and the carry-over.
  v[kLimit] = st.limit;
  const RegionDemand d =
      region_demand(s, y, e.available_eflop_year, v[kDeliveredEflopYear], v[kTcoUsd]);
  v[kDemandEflopYear] = d.demand_eflop_year;
  v[kUnmetEflopYear] = d.unmet_eflop_year;
  v[kRevenueUsd] = d.revenue_usd;
  v[kMarginUsd] = d.margin_usd;
  v[kCarryoverUsd] = carryover(state, y, r, carry, v);
}

//! The rows of one region's hardware types (rows by hardware only).
//! Only the columns that split by hardware: counts, capex, nameplate, load, energy, compute,
//! electricity and carbon, with the region's u and PUE. Money that is the region's as a whole
//! (facilities, leases, maintenance, TCO) is empty in a hardware row.
void hardware_rows(const State& state, const Year& y, std::size_t r, const Layout& layout,
                   Results& out) {
  const RegionState& st = state.regions[r];
  const Region& region = state.s().regions[r];
  const double u = y.utilisation;
  const double pue = st.pue;
  const double grid = region.grid_g_per_kwh(y.t) * (1.0 - region.renewable_share(y.t));
  for (std::size_t h = 0; h < state.hardware.size(); ++h) {
    const HardwareConstants& k = state.hardware[h];
    const auto hi = static_cast<Index>(h);
    auto hv = out.values.row(layout.row(y.t, static_cast<Index>(r), hi));
    hv.setConstant(kEmpty);
    const double weighted = st.hw_weighted(hi);
    // Step 8 for one type: n · f · w · (idle + (1 − idle) · u); its energy at the region's PUE.
    const double hw_load = weighted * k.w_mw * (k.idle + k.busy * u);
    const double hw_energy = hw_load * pue * kHoursPerYear;
    hv(kCapexItUsd) = st.hw_capex_usd(hi);
    hv(kStrandedCapexUsd) = st.hw_stranded_usd(hi);
    // Counts under their kind's columns (accelerators_* or servers_*), 0 under the other's.
    const Col counts = k.server ? kServersPurchased : kAcceleratorsPurchased;
    const Col zeros = k.server ? kAcceleratorsPurchased : kServersPurchased;
    static_assert(kAcceleratorsRetired - kAcceleratorsPurchased == 4 &&
                  kServersRetired - kServersPurchased == 4);
    static_assert(kServersInstalled - kServersPurchased == 1 &&
                  kAcceleratorsInstalled - kAcceleratorsPurchased == 1 &&
                  kServersStranded - kServersPurchased == 2 &&
                  kAcceleratorsStranded - kAcceleratorsPurchased == 2 &&
                  kServersFailed - kServersPurchased == 3 &&
                  kAcceleratorsFailed - kAcceleratorsPurchased == 3);
    hv(counts) = st.hw_purchased(hi) + st.hw_kept(hi);
    hv(counts + 1) = st.hw_installed(hi);
    hv(counts + 2) = st.hw_stranded(hi);
    hv(counts + 3) = st.hw_failed(hi);
    hv(counts + 4) = st.hw_retired(hi);
    for (int i = 0; i < 5; ++i) hv(zeros + i) = 0;
    hv(kCapexKeepUsd) = st.hw_keep_usd(hi);
    hv(kItNameplateMw) = st.hw_installed(hi) * k.w_mw;
    hv(kItLoadMw) = hw_load;
    hv(kPue) = pue;
    hv(kFacilityPowerMw) = hw_load * pue;
    hv(kEnergyTwh) = hw_energy / 1e6;
    hv(kPeakPflops) = st.hw_installed(hi) * k.tflops / 1e3;
    hv(kDeliveredEflopYear) = u * weighted * k.tflops / 1e6;
    hv(kUtilisation) = u;
    hv(kElectricityCostUsd) = hw_energy * region.power_price_usd_per_mwh(y.t);
    hv(kOperationalTco2) = hw_energy * grid / 1e3;
    hv(kEmbodiedTco2) = (st.hw_purchased(hi) + st.hw_kept(hi)) * k.kg / 1e3;
  }
}

//! The total row: extensive columns are sums (added as each region's row was complete); ratios
//! are recomputed here, and the columns that do not apply are emptied. One place computes the
//! total ratios of a year.
void finish_total(const State& state, const Year& y, const RegionCapitalYear& cap, double* tot) {
  const Scenario& s = state.s();
  if (state.regions.empty()) {
    // No region at all: the budget is still the year's budget, and all of it carries over.
    tot[kBudgetUsd] = y.new_usd;
    tot[kCarryoverUsd] = state.carry_usd;
  }
  auto total = [tot](int c) { return tot[c]; };
  for (int c : {kPue, kCostPerEflopYearUsd}) (void)ratio_of_totals(c, total, tot[c]);
  // One u for all regions: the total's is that u, empty when nothing could run.
  tot[kUtilisation] = y.available_eflop_year > 0 ? y.utilisation : kEmpty;
  if (s.demand && !(y.available_eflop_year > 0)) {
    // No compute at all: the whole demand is unmet. It belongs to no region, so it shows in the
    // total row only (the one exception to totals = sum of regions).
    tot[kDemandEflopYear] = y.demand_eflop_year;
    tot[kUnmetEflopYear] = y.demand_eflop_year;
  }
  if (!s.demand) {
    tot[kDemandEflopYear] = tot[kUnmetEflopYear] = tot[kRevenueUsd] = tot[kMarginUsd] = kEmpty;
  } else if (!s.demand->price_usd_per_eflop_year) {
    tot[kRevenueUsd] = tot[kMarginUsd] = kEmpty;
  }
  if (!state.cost_of_capital) {
    std::fill(tot + kFinancingUsd, tot + kEmbodiedAmortisedTco2 + 1, kEmpty);
    tot[kBreakevenUtilisation] = kEmpty;
    return;
  }
  // Model v3, the cost of capital: the ratios of the totals; the cost of owning a MW is a
  // region's.
  tot[kOwnUsdPerMwYear] = kEmpty;
  tot[kCostPerGpuHourUsd] = ratio(cap.accelerators_usd, cap.gpu_hours);
  tot[kBreakevenUtilisation] = breakeven_utilisation(state, y, tot[kTcoUsd], cap);
}

//! The total rows of each hardware type (rows by hardware only).
void hardware_totals(const State& state, const Year& y, const Layout& layout, Results& out) {
  const auto regions = static_cast<Index>(state.regions.size());
  for (Index h = 0; h < static_cast<Index>(state.hardware.size()); ++h) {
    auto hv = out.values.row(layout.row(y.t, regions, h));
    hv.setZero();
    // Empty cells (NaN) count as 0 in the sum; a column empty in the regions' rows of this type
    // is emptied again below.
    for (Index r = 0; r < regions; ++r)
      hv += out.values.row(layout.row(y.t, r, h))
                .isNaN()
                .select(0.0, out.values.row(layout.row(y.t, r, h)));
    const auto& sample = out.values.row(layout.row(y.t, 0 < regions ? 0 : regions, h));
    for (int c = 0; c < kNumCols; ++c) {
      if (regions > 0 && is_empty_cell(sample(c))) hv(c) = kEmpty;
    }
    (void)ratio_of_totals(
        kPue, [&](int c) { return hv(c); }, hv(kPue));
    hv(kUtilisation) = y.available_eflop_year > 0 ? y.utilisation : kEmpty;
  }
}

//! The total row's limit: a constraint shows when the regions that show it were given together
//! at least 10% of the year's new budget; `closed` never; with no new budget, every label a
//! region shows but `closed`.
//! The 10% rule keeps a region given little from speaking for the plan. `limits` is the union
//! of the regions' bits, `limit_budget` the budget_usd of the regions showing each bit.
unsigned total_limit(unsigned limits, const std::array<double, kNumLimits>& limit_budget,
                     double budget_usd) {
  unsigned out = 0;
  for (int bit = 0; bit < kNumLimits; ++bit) {
    const unsigned flag = 1U << bit;
    if (flag == kLimitClosed || (limits & flag) == 0) continue;
    if (!(budget_usd > 0) || limit_budget[static_cast<std::size_t>(bit)] >= 0.1 * budget_usd)
      out |= flag;
  }
  return out;
}

}  // namespace

//! Step 7 (docs/model.md): u = utilisation(t); with demand, u = min(max_utilisation(t), D / A),
//! or 0 when no compute is installed at all. One u for all regions. Runs after steps 1-6 of
//! every region, since A sums the final fleets of all of them.
void set_utilisation(const State& state, Year& y) {
  // A: compute available at full use, year-weighted [EFLOP-year], over all regions.
  const Scenario& s = state.s();
  y.available_eflop_year = 0;
  for (const auto& st : state.regions) y.available_eflop_year += st.sums.avail_tflops / 1e6;
  y.utilisation = s.operations.utilisation(y.t);
  y.demand_eflop_year = 0;
  if (s.demand) {
    y.demand_eflop_year = s.demand->eflop_year(y.t);
    y.utilisation = y.available_eflop_year > 0
                        ? std::min(s.operations.max_utilisation(y.t),
                                   y.demand_eflop_year / y.available_eflop_year)
                        : 0.0;
  }
}

//! Sizes `out` for the run and returns where each row goes. The ids and keys are rewritten only
//! when they changed: a sweep runs the same scenario shape thousands of times into one Results.
//! The flags has_* say which optional columns apply (Results::column_applies).
template <bool kByHw>
Layout prepare_rows(const State& state, const EngineOptions& options, Results& out) {
  const Scenario& s = state.s();
  const int years = s.horizon.years();
  const auto regions = static_cast<Index>(s.regions.size());
  Layout layout;
  layout.region_rows = options.region_rows || kByHw;
  layout.per_region = kByHw ? static_cast<Index>(s.hardware.size()) + 1 : 1;
  layout.per_year = layout.region_rows ? (regions + 1) * layout.per_region : 1;
  // The ids and keys are kept when the layout is the same as the last run's into `out`.
  const bool ids = same_ids(s, out);
  if (!ids) {
    out.region_ids.clear();
    for (const auto& r : s.regions) out.region_ids.push_back(r.id);
    out.hardware_ids.clear();
    for (const auto& h : s.hardware) out.hardware_ids.push_back(h.id);
  }
  out.has_demand = s.demand.has_value();
  out.has_servers = std::any_of(s.hardware.begin(), s.hardware.end(),
                                [](const Hardware& h) { return h.kind == HardwareKind::kServer; });
  out.has_keep = std::any_of(s.regions.begin(), s.regions.end(),
                             [](const Region& r) { return !r.keep.empty(); });
  out.has_cost_of_capital = state.cost_of_capital;
  const bool same_layout =
      ids && out.by_hardware == kByHw &&
      out.keys.size() == static_cast<std::size_t>(layout.per_year * years) && !out.keys.empty() &&
      out.keys.front().year == s.horizon.start &&
      out.keys.front().region == (layout.region_rows && regions > 0 ? 0 : RowKey::kTotal);
  out.by_hardware = kByHw;
  if (!same_layout) write_keys(s, layout, out);
  // Every cell of every row is written by write_rows; no need to clear.
  out.values.resize(layout.per_year * years, kNumCols);
  return layout;
}

//! Steps 8-12 of the year: each region's row (or a scratch row when only totals are kept), the
//! total row and, with rows by hardware, their rows and totals. Also where the year's unspent
//! money becomes next year's carry-over (State::carry_usd).
template <bool kByHw>
void write_rows(State& state, const Year& y, const Layout& layout, Results& out) {
  // What no region absorbed this year carries into the next.
  state.carry_usd = y.unspent_usd;
  const auto regions = static_cast<Index>(state.regions.size());
  const CarryShares carry = carry_shares(state, y);
  double* tot = &out.values(layout.row(y.t, regions), 0);
  std::fill(tot, tot + kNumCols, 0.0);
  // Without region rows a region's row is built in scratch and only added to the total: the
  // total is the same sum, in the same order, as with region rows.
  std::array<double, kNumCols> scratch{};         // a region's row when only totals are kept
  std::array<double, kNumLimits> limit_budget{};  // budget_usd of the regions showing each limit
  unsigned limits = 0;                            // every label a region shows
  RegionCapitalYear cap;                          // the regions' parts of the total ratios
  for (Index r = 0; r < regions; ++r) {
    double* v = layout.region_rows ? &out.values(layout.row(y.t, r), 0) : scratch.data();
    region_row(state, y, static_cast<std::size_t>(r), carry, v, cap);
    const unsigned limit = state.regions[static_cast<std::size_t>(r)].limit;
    limits |= limit;
    for (int bit = 0; bit < kNumLimits; ++bit) {
      if ((limit & (1U << bit)) != 0) limit_budget[static_cast<std::size_t>(bit)] += v[kBudgetUsd];
    }
    // Each row is added to the total as soon as it is complete.
    Eigen::Map<Row>(tot) += Eigen::Map<const Row>(v);
    if constexpr (kByHw) hardware_rows(state, y, static_cast<std::size_t>(r), layout, out);
  }
  finish_total(state, y, cap, tot);
  tot[kLimit] = total_limit(limits, limit_budget, tot[kBudgetUsd]);
  if constexpr (kByHw) hardware_totals(state, y, layout, out);
}

//! Throws InputError when a number of a total row is infinite, or NaN in a column that is not
//! empty by design (a ratio, a demand column, a cost-of-capital column that does not apply).
void check_finite(const Results& out) {
  // Numbers that large (a budget of 1e300 or a price of 1e-300) are an input problem. The total
  // rows suffice: every extensive column of a total is a sum over the regions, and an infinity
  // or NaN in any region survives the sum.
  for (Index row_i = 0; row_i < out.values.rows(); ++row_i) {
    const auto& key = out.keys[static_cast<std::size_t>(row_i)];
    // Only the total rows over all hardware: every extensive region value is in them.
    if (key.region != RowKey::kTotal || key.hardware != RowKey::kAll) continue;
    for (int c = 0; c < kNumCols; ++c) {
      // Infinite, or NaN where a value was due: an overflow of the input's magnitudes.
      const double x = out.values(row_i, c);
      if (std::isfinite(x)) continue;
      const auto& info = column_info(static_cast<Col>(c));
      if (std::isnan(x) && (info.kind == ColumnKind::kRatio || info.demand_only ||
                            (is_cost_of_capital_column(c) && !out.has_cost_of_capital)))
        continue;
      throw InputError("", "",
                       fmt::format("the numbers overflow: {} is {} in {} for {} (expected finite "
                                   "values; check very large budgets or very small prices)",
                                   info.name, x, key.year, out.region_name(row_i)));
    }
  }
}

template Layout prepare_rows<true>(const State&, const EngineOptions&, Results&);
template Layout prepare_rows<false>(const State&, const EngineOptions&, Results&);
template void write_rows<true>(State&, const Year&, const Layout&, Results&);
template void write_rows<false>(State&, const Year&, const Layout&, Results&);

}  // namespace dcplan::engine
