// Private to dcplan_core: the money of a region in one year (step 10 of docs/model.md).
// Inline: called for every region and year.
//
// Step 10 (docs/model.md), per region r in year t, in USD:
//   depreciation = Σ_cohorts within book life capex / lifetime_years
//                + Σ facility capex online within facility_life_years / facility_life_years
//                + Σ other capex spent within facility_life_years / facility_life_years
//   electricity  = E [MWh] · power_price_usd_per_mwh(t)
//   lease        = L_r [MW] · lease_usd_per_mw_year(t)
//   maintenance  = maintenance_rate(t) · (IT capex within book life − stranded capex within book
//                  life + facility capex online within its life); "other" is not maintained
//   opex = electricity + lease + maintenance;  TCO = depreciation (or the capital charge under
//   capital_charge "annuity") + opex;  capex = IT + facility + other + keep purchases.
// Initial assets are sunk (no charge) unless finance.initial_assets is "book".
#pragma once

#include <algorithm>

#include "engine/energy.hpp"

namespace dcplan::engine {

//! Step 10 of one region in one year [USD]; capex and the flows of opex are cash of the year,
//! depreciation and the capital charge spread earlier cash over book lives.
struct RegionMoney {
  // Cash of the year: capex (IT, facility, other and keep purchases), electricity, maintenance
  // and the lease; depreciation spreads earlier capex over book lives.
  double capex_usd = 0;
  double electricity_usd = 0;
  double maintenance_usd = 0;
  double lease_usd = 0;
  double depreciation_usd = 0;
  // Model v3, the cost of capital (only when the scenario uses it; else 0):
  double capital_charge_usd = 0;       //!< Σ CRF(i, life) · capitalised cost within book lives
  double book_value_usd = 0;           //!< at year end
  double embodied_amortised_tco2 = 0;  //!< embodied carbon spread over book lives
  double capital_usd = 0;              //!< what TCO charges: depreciation, or the annuity
  //! The servers' part of TCO (cost_per_gpu_hour_usd leaves it out): their capital,
  //! maintenance and electricity, and their share by nameplate of the halls' costs.
  double servers_usd = 0;
  double accelerators_weighted = 0;  //!< Σ installed · f over accelerators (not servers)
  //! opex = electricity + lease + maintenance; TCO = the capital TCO counts + opex.
  [[nodiscard]] double opex_usd() const { return electricity_usd + lease_usd + maintenance_usd; }
  [[nodiscard]] double tco_usd() const {
    return capital_usd + electricity_usd + lease_usd + maintenance_usd;
  }
};

//! (Defined in finance.cpp; called only when the scenario uses the cost of capital.)
//! Model v3: the cohorts' part of the capital charge, the book value and the embodied carbon
//! amortised, added to `m`; with servers in the fleet, their part of TCO in m.servers_usd
//! (finance.cpp).
void add_cohort_capital(const State& state, const RegionState& st, const Region& region,
                        const RegionEnergy& e, int t, RegionMoney& m);

//! Model v3, the cost of capital: a region's quantities of the year beyond RegionMoney, and the
//! parts of the ratios that total rows recompute (gpu_hours to available, summed by add).
struct RegionCapitalYear {
  double financing_usd = 0;         //!< interest during construction, capacity online this year
  double own_usd_per_mw_year = 0;   //!< the cost of owning a new MW
  double embodied_facility_t = 0;   //!< embodied carbon of the capacity coming online
  double gpu_hours = 0;             //!< Σ accelerators installed · f · 8,760 h · u
  double accelerators_usd = 0;      //!< TCO less the servers' part (RegionMoney::servers_usd)
  double busy_energy_usd = 0;       //!< E1: electricity cost per unit of utilisation
  double available_eflop_year = 0;  //!< A
  void add(const RegionCapitalYear& o) {
    gpu_hours += o.gpu_hours;
    accelerators_usd += o.accelerators_usd;
    busy_energy_usd += o.busy_energy_usd;
    available_eflop_year += o.available_eflop_year;
  }
};

//! The yearly cost of owning a new MW in the region in year t (own_usd_per_mw_year).
double own_usd_per_mw_year(const State& state, const RegionState& st, const Region& region, int t);

//! The region's RegionCapitalYear (only when the scenario uses the cost of capital). Inline: it
//! runs for every region-year of such a scenario, and out of line its call and its returned
//! struct cost as much as its arithmetic. cost_per_gpu_hour_usd = accelerators' TCO /
//! (Σ n · f · 8,760 · u) is computed by the caller from gpu_hours and accelerators_usd, so that
//! the total row can divide the sums.
inline RegionCapitalYear region_capital(const State& state, const RegionState& st,
                                        const Region& region, int t, const RegionEnergy& e,
                                        const RegionMoney& m) {
  RegionCapitalYear c;
  c.financing_usd = st.capital->facility_financing_usd(t);
  c.own_usd_per_mw_year = own_usd_per_mw_year(state, st, region, t);
  c.embodied_facility_t = st.capital->facility_embodied_t(t);
  c.gpu_hours = m.accelerators_weighted * kHoursPerYear * e.utilisation;
  // The accelerators' part of TCO: all of it, less the servers' own costs and their share of
  // the halls where the fleet holds servers.
  c.accelerators_usd = m.tco_usd() - m.servers_usd;
  // Only electricity depends on u: E0 + E1·u, E1 the busy load's energy at the power price.
  c.busy_energy_usd =
      region.power_price_usd_per_mwh(t) * e.pue * kHoursPerYear * st.sums.load_busy_mw;
  c.available_eflop_year = e.available_eflop_year;
  return c;
}

//! IT purchases are charged over their lifetime, which is while their cohort is listed (stranded
//! or not, whatever fails; a cohort listed past its book life under a Weibull curve charges 0);
//! facility capex from the year it comes online and other capex from the year it is spent, over
//! facility_life_years (the window kept by charge_facilities). Maintenance: the rate times the
//! gross capex of facilities online and of accelerators within their lives, less those waiting for
//! power within their lives. Capex includes this year's keep purchases (step 5b). Leases: leased MW
//! times the year's price.
inline RegionMoney region_money(const State& state, const RegionState& st, const Region& region,
                                int t, const RegionEnergy& e) {
  RegionMoney m;
  // E [MWh] · price [USD/MWh].
  m.electricity_usd = e.energy_mwh * region.power_price_usd_per_mwh(t);
  // IT: Σ capex / lifetime over the cohorts listed (summed in CohortSums); facilities and other
  // capex: the window kept by charge_facilities.
  m.depreciation_usd = st.sums.it_depreciation_usd + st.facility_depreciation_usd;
  // rate · (IT capex in service − stranded capex within book life + facility capex in
  // service), the IT part clamped at 0 against rounding.
  m.maintenance_usd = state.s().finance.maintenance_rate(t) *
                      (std::max(0.0, st.sums.it_in_service_usd -
                                         (st.sums.stranded_usd - st.sums.stranded_off_book_usd)) +
                       st.facility_in_service_usd);
  // L_r [MW] · lease price [USD per MW-year].
  if (region.lease_usd_per_mw_year) m.lease_usd = st.leased_mw * (*region.lease_usd_per_mw_year)(t);
  m.capex_usd = st.it_spent_usd + st.facility_spent_usd + st.other_usd + st.keep_usd;
  if (state.s().finance.initial_assets == InitialAssets::kBook) {
    // Model v3: the initial capacity on the books (the initial fleet is among the cohorts).
    m.depreciation_usd += st.initial_facility_depreciation_usd;
    m.maintenance_usd += state.s().finance.maintenance_rate(t) * st.initial_facility_in_service_usd;
  }
  // What TCO charges for capital. Depreciation and the annuity are equal at i = 0; the annuity
  // is larger for i > 0. Both columns are reported; capital_charge picks the one in TCO.
  m.capital_usd = m.depreciation_usd;
  if (state.cost_of_capital) [[unlikely]] {
    m.capital_charge_usd = st.capital->facility_capital_charge_usd;
    m.book_value_usd = st.capital->facility_book_usd;
    m.embodied_amortised_tco2 = st.capital->facility_embodied_amortised_t;
    add_cohort_capital(state, st, region, e, t, m);
    if (state.s().finance.capital_charge == CapitalCharge::kAnnuity)
      m.capital_usd = m.capital_charge_usd;
  }
  return m;
}

}  // namespace dcplan::engine
