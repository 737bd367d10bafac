// Facilities: the construction pipeline (step 1), facility money into MW under the caps with
// water-filling of what a region cannot take (step 4), and the facility capex within its life
// that step 10 depreciates and maintains.
#include <algorithm>
#include <limits>

#include "engine/model.hpp"

namespace dcplan::engine {

namespace {

//! What each region can build this year and what its own share buys; returns the excess of
//! all regions, pooled.
double spend_own_shares(State& state, int t) {
  const Scenario& s = state.s();
  const Index last_year = s.horizon.years() - 1;
  double pool = 0;
  for (std::size_t r = 0; r < state.regions.size(); ++r) {
    RegionState& st = state.regions[r];
    const Region& region = s.regions[r];
    const Index done = t + region.construction_years;
    const Index cap_year = std::min<Index>(done, last_year);
    double room = std::numeric_limits<double>::infinity();
    if (region.max_new_mw_per_year) {
      room = std::min(room, (*region.max_new_mw_per_year)(cap_year)-st.completions_mw(done));
    }
    if (region.max_total_mw) {
      room = std::min(room, (*region.max_total_mw)(t)-st.online_mw - st.under_construction_mw);
    }
    st.room_mw = std::max(0.0, room);
    if (state.weights(static_cast<Index>(r)) <= 0) st.room_mw = 0;
    const double price = region.facility_capex_usd_per_mw(t);
    const double want_mw = st.facility_usd / price;
    const double take = std::min(want_mw, st.room_mw);
    st.facility_spent_usd = take * price;
    st.room_mw -= take;
    st.facility_excess_usd = std::max(0.0, st.facility_usd - st.facility_spent_usd);
    pool += st.facility_excess_usd;
  }
  return pool;
}

//! Shares the pool over the regions with room, in proportion to their weights, until it is
//! absorbed or no region has room; returns what is left.
double water_fill(State& state, int t, double pool) {
  const Scenario& s = state.s();
  const auto regions = static_cast<Index>(state.regions.size());
  for (Index pass = 0; pass <= regions && pool > kEps; ++pass) {
    double w_room = 0;
    for (Index r = 0; r < regions; ++r) {
      if (state.regions[static_cast<std::size_t>(r)].room_mw > kEps) w_room += state.weights(r);
    }
    if (w_room <= 0) break;
    double left = 0;
    for (Index r = 0; r < regions; ++r) {
      RegionState& st = state.regions[static_cast<std::size_t>(r)];
      if (!(st.room_mw > kEps) || state.weights(r) <= 0) continue;
      const double price = s.regions[static_cast<std::size_t>(r)].facility_capex_usd_per_mw(t);
      const double give = pool * state.weights(r) / w_room;
      const double take = std::min(give / price, st.room_mw);
      st.facility_spent_usd += take * price;
      st.room_mw -= take;
      left += std::max(0.0, give - take * price);
    }
    pool = left;
  }
  return pool;
}

}  // namespace

void capacity_online(State& state, const Year& y) {
  for (auto& st : state.regions) {
    st.online_mw += st.pipeline_mw(y.t);
    st.under_construction_mw -= st.pipeline_mw(y.t);
    st.pipeline_mw(y.t) = 0;
  }
}

void build_facilities(State& state, Year& y) {
  const double left = water_fill(state, y.t, spend_own_shares(state, y.t));
  y.unspent_usd += left;
  y.facility_unspent_usd = left;
  const Scenario& s = state.s();
  for (std::size_t r = 0; r < state.regions.size(); ++r) {
    RegionState& st = state.regions[r];
    const Region& region = s.regions[r];
    const double mw = st.facility_spent_usd / region.facility_capex_usd_per_mw(y.t);
    const Index done = y.t + region.construction_years;
    st.completions_mw(done) += mw;
    if (region.construction_years == 0) {
      st.online_mw += mw;
    } else {
      st.pipeline_mw(done) += mw;
      st.under_construction_mw += mw;
    }
  }
}

void charge_facilities(State& state, const Year& y) {
  // Facility and other capex within the facility life: a running sum while nothing has reached
  // the end of its life, else the sum over the window (exact, no cancellation).
  const int life = state.s().finance.facility_life_years;
  const int t = y.t;
  for (auto& st : state.regions) {
    st.facility_charge_usd(t) = (st.facility_spent_usd + st.other_usd) / life;
    st.facility_gross_usd(t) = st.facility_spent_usd;
    if (t < life) {
      st.facility_depreciation_usd += st.facility_charge_usd(t);
      st.facility_in_service_usd += st.facility_gross_usd(t);
    } else {
      st.facility_depreciation_usd = st.facility_charge_usd.segment(t - life + 1, life).sum();
      st.facility_in_service_usd = st.facility_gross_usd.segment(t - life + 1, life).sum();
    }
  }
}

}  // namespace dcplan::engine
