// Private to dcplan_core: step 12 of docs/model.md, a region's share of the demand, what it
// leaves unmet, and with a price its revenue, margin and (model v3, the cost of capital) the
// utilisation at which it breaks even. Inline: called for every region and year.
//
// Step 12, per region r (docs/model.md), with D the year's demand and A the compute available
// at full use over all regions [EFLOP-year]:
//   demand_r = D · A_r / A;  unmet_r = max(0, demand_r − u · A_r)
//   revenue_r = u · A_r · price_usd_per_eflop_year(t);  margin_r = revenue_r − TCO_r
// Since u = min(max_utilisation, D / A) (step 7), unmet is 0 unless max_utilisation binds.
// With A = 0 no region has a share: the whole demand is unmet and shows in the total row only
// (finish_total in rows.cpp), the one exception to totals = sum of regions.
#pragma once

#include <cmath>

#include "engine/finance.hpp"

namespace dcplan::engine {

//! Empty (kEmpty) where the scenario has no demand, or no price for revenue and margin.
struct RegionDemand {
  double demand_eflop_year = kEmpty;
  double unmet_eflop_year = kEmpty;
  double revenue_usd = kEmpty;
  double margin_usd = kEmpty;
};

//! The region's share of D by its share of A (`available` of `all_available`).
//! `available` is A_r, `delivered` u · A_r [EFLOP-year], `tco` the region's TCO [USD].
inline RegionDemand region_demand(const Scenario& s, const Year& y, double available,
                                  double delivered, double tco) {
  RegionDemand d;
  if (!s.demand) return d;
  d.demand_eflop_year =
      y.available_eflop_year > 0 ? y.demand_eflop_year * available / y.available_eflop_year : 0.0;
  // Clamped: demand met exactly can leave −1e-17 after the subtraction.
  d.unmet_eflop_year = non_negative(d.demand_eflop_year - delivered);
  if (s.demand->price_usd_per_eflop_year) {
    d.revenue_usd = delivered * (*s.demand->price_usd_per_eflop_year)(y.t);
    d.margin_usd = d.revenue_usd - tco;
  }
  return d;
}

//! u* at which revenue u*·price·A equals TCO(u*) = TCO − E1·u + E1·u*: (TCO − E1·u) /
//! (price·A − E1), with E1 and A of a region or summed over the regions; empty without the
//! cost of capital or a price, or when price·A <= E1 (no utilisation pays for the electricity
//! it adds).
//! Derivation: only electricity depends on u, as E0 + E1 · u (the busy part of the IT load at
//! the power price, PUE and 8,760 h). Revenue is u · price · A. Solving u* · price · A = TCO −
//! E1 · u + E1 · u* for u* gives the formula above. A value above 1 is reported as it is: it
//! says that no utilisation breaks even.
inline double breakeven_utilisation(const State& state, const Year& y, double tco,
                                    const RegionCapitalYear& c) {
  const Scenario& s = state.s();
  if (!state.cost_of_capital || !s.demand || !s.demand->price_usd_per_eflop_year) return kEmpty;
  const double den =
      (*s.demand->price_usd_per_eflop_year)(y.t) * c.available_eflop_year - c.busy_energy_usd;
  return den > 0 ? (tco - c.busy_energy_usd * y.utilisation) / den : kEmpty;
}

}  // namespace dcplan::engine
