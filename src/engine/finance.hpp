// Private to dcplan_core: the money of a region in one year (step 10 of docs/model.md).
// Inline: called for every region and year.
#pragma once

#include "engine/energy.hpp"

namespace dcplan::engine {

struct RegionMoney {
  double capex_usd = 0;
  double electricity_usd = 0;
  double maintenance_usd = 0;
  double depreciation_usd = 0;
};

//! IT purchases are charged over their lifetime, which is exactly while their cohort is listed
//! (stranded or not, whatever fails); facility and other capex over facility_life_years (the
//! window kept by charge_facilities). Maintenance: the rate times gross capex within its life.
inline RegionMoney region_money(const State& state, const RegionState& st, const Region& region,
                                int t, const RegionEnergy& e) {
  RegionMoney m;
  m.electricity_usd = e.energy_mwh * region.power_price_usd_per_mwh(t);
  m.depreciation_usd = st.sums.it_depreciation_usd + st.facility_depreciation_usd;
  m.maintenance_usd = state.s().finance.maintenance_rate(t) *
                      (st.sums.it_in_service_usd + st.facility_in_service_usd);
  m.capex_usd = st.it_spent_usd + st.facility_spent_usd + st.other_usd;
  return m;
}

}  // namespace dcplan::engine
