// Private to dcplan_core: power, energy, compute and carbon of a region in one year (steps 8,
// 9 and 11 of docs/model.md). Inline: called for every region and year.
//
// The equations, per region r in year t (docs/model.md):
//   step 8   P_IT = Σ_cohorts n · w_h · (idle_h + (1 − idle_h) · u) · f      [MW, average draw]
//            with f = first_year_fraction for the installed part of this year's purchases
//            (step 6 and step 5b), 1 for every other cohort;
//            P = P_IT · PUE_r(t) [MW];  E = P · 8,760 h [MWh] (reported as TWh: / 1e6)
//   step 9   peak = Σ n · F_h at year end (TFLOP/s; reported as PFLOP/s: / 1e3)
//            A_r = Σ n · F_h · f (TFLOP/s-years; EFLOP-years: / 1e6); delivered = u · A_r
//   step 11  operational = E · grid_g_per_kwh(t) · (1 − renewable_share(t)) (MWh · g/kWh = kg:
//            / 1e3 for tonnes); embodied = units bought · embodied_kgco2e (kg; / 1e3 for tonnes)
// w_h is all_in_w in MW, F_h bf16_tflops in TFLOP/s. The engine keeps TFLOP/s and kg, and the
// conversions to the reported PFLOP/s, EFLOP-years and tonnes are made here and in rows.cpp.
#pragma once

#include "engine/model.hpp"

namespace dcplan::engine {

//! Steps 8 and 9 of one region in one year, in the engine's units.
struct RegionEnergy {
  double it_load_mw = 0;            //!< P_IT: average IT draw
  double pue = 1;                   //!< PUE_r(t), blended by capacity (settle_leases)
  double energy_mwh = 0;            //!< P_IT · PUE · 8,760 h
  double available_eflop_year = 0;  //!< A_r: Σ n · bf16 · f
  double net_g_per_kwh = 0;         //!< grid intensity net of renewable supply
  double utilisation = 0;           //!< u, this year's
};

//! The IT load is linear in u: its two parts were summed with the cohorts (CohortSums).
//! P_IT = Σ n·w·f·idle + u · Σ n·w·f·(1 − idle): the sums were taken once over the cohorts, so
//! a change of u (demand sets it after every region's fleet is known) costs no second pass.
inline RegionEnergy region_energy(const RegionState& st, const Region& region, int t, double u) {
  RegionEnergy e;
  e.utilisation = u;
  e.it_load_mw = st.sums.load_idle_mw + u * st.sums.load_busy_mw;
  e.available_eflop_year = st.sums.avail_tflops / 1e6;
  e.pue = st.pue;
  // The IT load is an average over the year, so energy is that draw times 8,760 h.
  e.energy_mwh = e.it_load_mw * e.pue * kHoursPerYear;
  // Contracted carbon-free supply lowers the intensity of the energy used, not the energy.
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
