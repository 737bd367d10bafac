// Private to dcplan_core: power, energy, compute and carbon of a region in one year (steps 8,
// 9 and 11 of docs/model.md). Inline: called for every region and year.
#pragma once

#include "engine/model.hpp"

namespace dcplan::engine {

struct RegionEnergy {
  double it_load_mw = 0;            //!< P_IT: average IT draw
  double pue = 1;                   //!< PUE_r(t), blended by capacity (settle_leases)
  double energy_mwh = 0;            //!< P_IT · PUE · 8,760 h
  double available_eflop_year = 0;  //!< A_r: Σ n · bf16 · f
  double net_g_per_kwh = 0;         //!< grid intensity net of renewable supply
  double utilisation = 0;           //!< u, this year's
};

//! The IT load is linear in u: its two parts were summed with the cohorts (CohortSums).
inline RegionEnergy region_energy(const RegionState& st, const Region& region, int t, double u) {
  RegionEnergy e;
  e.utilisation = u;
  e.it_load_mw = st.sums.load_idle_mw + u * st.sums.load_busy_mw;
  e.available_eflop_year = st.sums.avail_tflops / 1e6;
  e.pue = st.pue;
  e.energy_mwh = e.it_load_mw * e.pue * kHoursPerYear;
  e.net_g_per_kwh = region.grid_g_per_kwh(t) * (1.0 - region.renewable_share(t));
  return e;
}

//! Step 11: a region's emissions in the year [t CO2e]: the grid's, net of renewable supply, and
//! the manufacture of the units bought (step 6 and the keep purchases of step 5b).
struct RegionCarbon {
  double operational_t = 0;
  double embodied_t = 0;
};

inline RegionCarbon region_carbon(const RegionState& st, const RegionEnergy& e) {
  return {e.energy_mwh * e.net_g_per_kwh / 1e3, (st.embodied_kg + st.keep_embodied_kg) / 1e3};
}

}  // namespace dcplan::engine
