// Facilities: the construction pipeline (step 1), facility money into MW under the caps with
// water-filling of what a region cannot take (step 4), the IT overflow spent the same way (step
// 6), and the facility capex in service that step 10 depreciates and maintains.
//
// Units: capacity in MW of IT capacity (what accelerators' all_in_w draw against, not facility
// power: PUE applies on top, in step 8); money in USD; facility_capex_usd_per_mw converts one
// into the other at the price of the year the money is spent.
//
// Conservation of money: facility money given to a region is either spent (facility_spent_usd,
// turned into MW by commit_facilities) or returned to the pool as facility_excess_usd; the pool
// is water-filled, and what no region takes is the year's unspent money, carried to t + 1.
// Spent + carried = given, up to rounding; no dollar is dropped.
#include <algorithm>
#include <cmath>
#include <limits>

#include "dcplan/results.hpp"
#include "engine/water_fill.hpp"

namespace dcplan::engine {

namespace {

//! What each region can build this year and what its own share buys; returns the excess of
//! all regions, pooled. A cap its own share reaches is one of its limits (grid, cap).
//!
//! Step 4 (docs/model.md), the region's own share. Its room is the smaller of
//!   grid: max_new_mw_per_year(t + c) − MW already completing in t + c (built capacity that
//!         comes online in one year; the initial capacity does not count), and
//!   cap:  max_total_mw(t) − online − under construction (the initial capacity included),
//! with c = construction_years: the grid cap is the one of the year the capacity comes online,
//! read at the horizon's last year when that is beyond it. A region of weight 0 this year has
//! no room. Limits are those its own share reached: money the pool brings later adds none.
double spend_own_shares(State& state, int t) {
  const Scenario& s = state.s();
  const Index last_year = s.horizon.years() - 1;
  constexpr double kNone = std::numeric_limits<double>::infinity();
  double pool = 0;
  for (std::size_t r = 0; r < state.regions.size(); ++r) {
    RegionState& st = state.regions[r];
    const Region& region = s.regions[r];
    // The year index the capacity comes online: the grid cap is that year's, and the MW already
    // completing then count against it.
    const Index done = t + region.construction_years;
    const Index cap_year = std::min<Index>(done, last_year);
    const double grid_room = region.max_new_mw_per_year
                                 ? (*region.max_new_mw_per_year)(cap_year)-st.completions_mw(done)
                                 : kNone;
    const double cap_room = region.max_total_mw
                                ? (*region.max_total_mw)(t)-st.online_mw - st.under_construction_mw
                                : kNone;
    st.room_mw = std::max(0.0, std::min(grid_room, cap_room));
    // A region of weight 0 this year (closed, or weighted 0) builds nothing, not even from the
    // pool.
    if (state.weights(static_cast<Index>(r)) <= 0) st.room_mw = 0;
    const double price = region.facility_capex_usd_per_mw(t);
    // MW its own facility money would buy at this year's price; it takes at most its room.
    const double want_mw = st.facility_usd / price;
    const double take = std::min(want_mw, st.room_mw);
    st.facility_spent_usd = take * price;
    st.room_mw -= take;
    st.facility_excess_usd = std::max(0.0, st.facility_usd - st.facility_spent_usd);
    pool += st.facility_excess_usd;
    if (st.facility_excess_usd > kEps) {
      if (want_mw > std::max(0.0, grid_room)) st.limit |= kLimitGrid;
      if (want_mw > std::max(0.0, cap_room)) st.limit |= kLimitCap;
    }
  }
  return pool;
}

//! Shares the pool over the regions with room under their caps (water_fill); returns what is
//! left.
//! Used by step 4 for the pooled excess and by step 6 for the IT overflow: both spend against
//! the same room_mw, so the overflow takes only what step 4 left of the caps.
double fill_facilities(State& state, int t, double pool) {
  const Scenario& s = state.s();
  return water_fill(
      state.weights, pool,
      [&](Index r) { return state.regions[static_cast<std::size_t>(r)].room_mw > kEps; },
      [&](Index r, double give) {
        RegionState& st = state.regions[static_cast<std::size_t>(r)];
        const double price = s.regions[static_cast<std::size_t>(r)].facility_capex_usd_per_mw(t);
        const double take = std::min(give / price, st.room_mw);
        st.facility_spent_usd += take * price;
        st.room_mw -= take;
        return take * price;
      });
}

//! Turns the facility money spent since the last call into MW, online `construction_years`
//! later (at once when 0).
//! Facility money is counted in facility_spent_usd as it is spent (own share, pool, overflow);
//! this turns the part not yet committed into MW at this year's price, so that it can run
//! after step 4 and again after the overflow of step 6 without counting anything twice.
//! Capacity with construction_years 0 is online at once (before steps 5 and 6 when it comes
//! from step 4; at the end of the year when it comes from the overflow, after the purchases);
//! else it joins the pipeline and comes online in step 1 of t + c.
void commit_facilities(State& state, int t) {
  const Scenario& s = state.s();
  for (std::size_t r = 0; r < state.regions.size(); ++r) {
    RegionState& st = state.regions[r];
    const Region& region = s.regions[r];
    const double usd = st.facility_spent_usd - st.facility_committed_usd;
    if (usd <= 0) continue;
    st.facility_committed_usd = st.facility_spent_usd;
    // MW at this year's price, online in t + c (construction_years).
    const double mw = usd / region.facility_capex_usd_per_mw(t);
    const Index done = t + region.construction_years;
    st.completions_mw(done) += mw;
    st.facility_online_usd(done) += usd;
    if (state.cost_of_capital) [[unlikely]] {
      // Model v3: S spent now, online c years on, costs S·((1 + i)^c − 1) more at this year's
      // wacc; the capitalised cost is what depreciates.
      double financing = 0;
      if (s.finance.interest_during_construction && region.construction_years > 0)
        financing = usd * (compound(st.capital->wacc(t), region.construction_years) - 1.0);
      st.capital->facility_financing_usd(done) += financing;
      st.capital->facility_capitalised_usd(done) += usd + financing;
    }
    if (region.construction_years == 0) {
      st.online_mw += mw;
      st.built_online_mw += mw;
    } else {
      st.pipeline_mw(done) += mw;
      st.under_construction_mw += mw;
    }
  }
}

//! Model v3, initial assets on the books: the initial capacity K0 at f_r(t0)·K0, depreciated by
//! f_r(t0)·K0 / facility_life_years and maintained in each year with t − built < the life.
//! (Under "sunk", the default, the initial capacity carries no charge at all.) Its value is
//! the first horizon year's facility price times K0: the model knows no older price.
void charge_initial_capacity(State& state, const Year& y) {
  const Scenario& s = state.s();
  const int life = s.finance.facility_life_years;
  for (std::size_t r = 0; r < state.regions.size(); ++r) {
    RegionState& st = state.regions[r];
    const Region& region = s.regions[r];
    const int built = region.initial_built.value_or(s.horizon.start);
    const double gross = y.year - built < life
                             ? region.facility_capex_usd_per_mw(0) * region.initial_it_capacity_mw
                             : 0.0;
    st.initial_facility_in_service_usd = gross;
    st.initial_facility_depreciation_usd = gross / life;
    if (state.cost_of_capital && gross > 0) {
      // Model v3: charged at the first year's wacc; built years before the horizon have been
      // depreciated too.
      st.capital->facility_capital_charge_usd += gross * crf(state, st.capital->wacc(0), life);
      st.capital->facility_book_usd += gross * (life - (y.year - built) - 1) / life;
    }
  }
}

//! Model v3, the cost of capital: this year's facility and other assets (capitalised), their
//! annuity and embodied carbon; the capital charge, book value and embodied carbon amortised
//! over those within their life.
//! Both sums assign each asset to its year index: facility capital by the year it comes online,
//! other capex by the year it is spent; an asset is within its life for facility_life_years
//! from that year. The annuity is CRF(i, life) at the rate of that year, fixed for its life.
void charge_capital(State& state, const Year& y) {
  const Scenario& s = state.s();
  const int life = s.finance.facility_life_years;
  const int t = y.t;
  const Index first = std::max(0, t - life + 1);
  for (std::size_t r = 0; r < state.regions.size(); ++r) {
    RegionState& st = state.regions[r];
    const Region& region = s.regions[r];
    // This year's assets at their capitalised cost: facilities coming online (with interest
    // during construction) and the "other" capex spent.
    const double asset = st.capital->facility_capitalised_usd(t) + st.other_usd;
    st.capital->facility_asset_usd(t) = asset;
    st.capital->facility_annuity_usd(t) = asset * crf(state, st.capital->wacc(t), life);
    st.capital->facility_embodied_t(t) =
        region.facility_embodied_tco2_per_mw
            ? st.completions_mw(t) * (*region.facility_embodied_tco2_per_mw)(t)
            : 0.0;
    RegionCapital& k = *st.capital;
    if (t < life) {
      // Nothing has reached the end of its life: running sums. With A the assets so far and
      // W = Σ asset(o)·(t − o + 1) (W_t = W_t−1 + A_t), the book value Σ asset(o)·(L − (t − o)
      // − 1)/L is A − W/L.
      k.running_charge_usd += k.facility_annuity_usd(t);
      k.running_assets_usd += asset;
      k.running_age_weighted_usd += k.running_assets_usd;
      k.running_embodied_t += k.facility_embodied_t(t);
      k.facility_capital_charge_usd = k.running_charge_usd;
      k.facility_book_usd = std::max(0.0, k.running_assets_usd - k.running_age_weighted_usd / life);
      k.facility_embodied_amortised_t = k.running_embodied_t / life;
      continue;
    }
    // Over the window of the assets still within their life (exact, no cancellation).
    double charge = 0, book = 0, embodied = 0;
    for (Index o = first; o <= t; ++o) {
      charge += k.facility_annuity_usd(o);
      book += k.facility_asset_usd(o) * static_cast<double>(life - (t - o) - 1) / life;
      embodied += k.facility_embodied_t(o);
    }
    k.facility_capital_charge_usd = charge;
    k.facility_book_usd = book;
    k.facility_embodied_amortised_t = embodied / life;
  }
}

}  // namespace

//! Step 1 (docs/model.md): K_r = K0_r + Kb_r. Capacity completing this year leaves the
//! pipeline and joins the owned online capacity, all of it as built capacity (new_build_pue).
void capacity_online(State& state, const Year& y) {
  for (auto& st : state.regions) {
    st.online_mw += st.pipeline_mw(y.t);
    st.built_online_mw += st.pipeline_mw(y.t);
    st.under_construction_mw -= st.pipeline_mw(y.t);
    st.pipeline_mw(y.t) = 0;
  }
}

//! Step 4 (docs/model.md): each region's facility share spent up to its room, the excess
//! water-filled over the regions with room left, by weight; what remains carries over as
//! facility money (Year::facility_unspent_usd, by category under capex.carryover "category").
void build_facilities(State& state, Year& y) {
  const double left = fill_facilities(state, y.t, spend_own_shares(state, y.t));
  y.unspent_usd += left;
  y.facility_unspent_usd = left;
  commit_facilities(state, y.t);
}

//! Step 6, overflow "facility" (docs/model.md): IT money no region could power, spent on
//! facilities. It runs after this year's purchases, so capacity it brings online at once
//! (construction_years 0) counts in this year's capacity, lease, PUE and finance but powers
//! accelerators only from t + 1. It is reported as facility capex; what still finds no room
//! carries over as IT money.
void build_with_overflow(State& state, Year& y) {
  if (state.overflow_usd <= 0) return;
  // The IT money no region could power builds capacity, against what step 4 left of the caps.
  const double left = fill_facilities(state, y.t, state.overflow_usd);
  commit_facilities(state, y.t);
  y.unspent_usd += left;
  y.it_unspent_usd += left;
  state.overflow_usd = 0;
}

//! Step 10 (docs/model.md), the facility part: straight-line depreciation of facility capex
//! over facility_life_years from the year it comes online (nothing while under construction),
//! and of "other" capex from the year it is spent, and the gross facility capex in service that
//! maintenance is charged on ("other" is not maintained).
void charge_facilities(State& state, const Year& y) {
  // Facilities from the year they come online, other capex from the year it is spent, each
  // over the facility life: a running sum while nothing has reached the end of its life, else
  // the sum over the window (exact, no cancellation).
  const int life = state.s().finance.facility_life_years;
  const int t = y.t;
  for (auto& st : state.regions) {
    // With the cost of capital the capitalised cost depreciates (the cash without interest
    // during construction, added in the same order: the same number).
    const double online =
        state.cost_of_capital ? st.capital->facility_capitalised_usd(t) : st.facility_online_usd(t);
    // Straight-line: each year's facility capex online and other capex spent, over the facility
    // life.
    st.facility_charge_usd(t) = (online + st.other_usd) / life;
    st.facility_gross_usd(t) = st.facility_online_usd(t);
    // Why the window is summed afresh: subtracting the asset that ages out from a running sum
    // would leave a residue of rounding where the sum should be exactly 0 once everything has
    // aged out.
    if (t < life) {
      st.facility_depreciation_usd += st.facility_charge_usd(t);
      st.facility_in_service_usd += st.facility_gross_usd(t);
    } else {
      st.facility_depreciation_usd = st.facility_charge_usd.segment(t - life + 1, life).sum();
      st.facility_in_service_usd = st.facility_gross_usd.segment(t - life + 1, life).sum();
    }
  }
  if (state.cost_of_capital) [[unlikely]]
    charge_capital(state, y);
  if (state.s().finance.initial_assets == InitialAssets::kBook) charge_initial_capacity(state, y);
}

}  // namespace dcplan::engine
