// Money to regions: the year's budget split into IT, facility and other and shared over the
// open regions by weight (step 3); IT money placed where accelerators can be powered, or by
// weight as in version 1, and what finds no region (step 6).
#include <algorithm>
#include <limits>

#include "dcplan/results.hpp"
#include "engine/water_fill.hpp"

namespace dcplan::engine {

namespace {

//! Each region's mix this year, renormalised over what it may buy and what is on sale.
void set_mixes(State& state, const Year& y) {
  const Scenario& s = state.s();
  for (std::size_t h = 0; h < s.hardware.size(); ++h)
    state.on_sale(static_cast<Index>(h)) = s.hardware[h].on_sale(y.year) ? 1.0 : 0.0;
  for (std::size_t r = 0; r < state.regions.size(); ++r) {
    RegionState& st = state.regions[r];
    const double* mix = s.capex.mix[r].col(y.t).data();
    st.buy.clear();
    st.mix_sum = 0;
    for (const int h : s.capex.buyable[r]) {
      if (mix[h] > 0 && state.on_sale(h) > 0) {
        st.buy.push_back({h, mix[h]});
        st.mix_sum += mix[h];
      }
    }
    st.valid_mix = st.mix_sum > 0;
  }
}

//! IT money of regions with nothing to buy, pooled; the regions keep the rest.
double pool_unbuyable(State& state) {
  double pool = 0;
  for (auto& st : state.regions) {
    if (st.valid_mix || st.it_usd <= 0) continue;
    st.limit |= kLimitHardware;
    st.it_excess_usd += st.it_usd;
    pool += st.it_usd;
    st.it_usd = 0;
  }
  return pool;
}

//! "power": each region spends its own share up to what its free capacity can power; the
//! excess of all regions is water-filled by weight over the regions with power left. Returns
//! what no region can power.
double place_by_power(State& state, const Year& y, double pool) {
  for (auto& st : state.regions) {
    const double free_mw = std::max(0.0, st.online_mw + st.lease_limit_mw - st.nameplate_mw);
    const double per_usd = st.valid_mix ? mw_per_usd(state, st, y.t) : 0.0;
    st.it_room_usd = per_usd > 0 ? free_mw / per_usd : 0.0;
    if (st.it_usd > st.it_room_usd) {
      const double excess = st.it_usd - st.it_room_usd;
      if (excess > kEps) st.limit |= kLimitPower;
      st.it_excess_usd += excess;
      pool += excess;
      st.it_usd = st.it_room_usd;
    }
    st.it_room_usd -= st.it_usd;
  }
  return water_fill(
      state.weights, pool,
      [&](Index r) { return state.regions[static_cast<std::size_t>(r)].it_room_usd > kEps; },
      [&](Index r, double give) {
        RegionState& st = state.regions[static_cast<std::size_t>(r)];
        const double take = std::min(give, st.it_room_usd);
        st.it_usd += take;
        st.it_room_usd -= take;
        return take;
      });
}

//! Money spent on accelerators by weight over the regions that can buy; false when none can.
bool spread_over_buyers(State& state, double usd) {
  double w_valid = 0;
  for (std::size_t r = 0; r < state.regions.size(); ++r) {
    if (state.regions[r].valid_mix) w_valid += state.weights(static_cast<Index>(r));
  }
  if (w_valid <= 0) return false;
  for (std::size_t r = 0; r < state.regions.size(); ++r) {
    RegionState& st = state.regions[r];
    if (st.valid_mix) st.it_usd += usd * state.weights(static_cast<Index>(r)) / w_valid;
  }
  return true;
}

// Model v3 (docs/model.md, step 3): carry-over by category and facilities sized to need.

//! The year's IT, facility and other money over all regions: under "category", each carried
//! category stays itself; under "split", carry-over joins the new money and is split again.
//! Under "need", split.it and split.facility are 0 and IT + facility is 1 − split.other.
void year_categories(State& state, const Year& y) {
  const Scenario& s = state.s();
  const auto t = static_cast<Index>(y.t);
  const bool need = s.capex.facility_sizing == FacilitySizing::kNeed;
  const double it_share = need ? 1.0 - s.capex.split_other(t) : s.capex.split_it(t);
  if (s.capex.carryover == Carryover::kCategory) {
    state.year_it_usd = y.new_usd * it_share + state.carry_it_usd;
    state.year_facility_usd = y.new_usd * s.capex.split_facility(t) + state.carry_facility_usd;
    state.year_other_usd = y.new_usd * s.capex.split_other(t) + state.carry_other_usd;
  } else {
    state.year_it_usd = y.available_usd * it_share;
    state.year_facility_usd = y.available_usd * s.capex.split_facility(t);
    state.year_other_usd = y.available_usd * s.capex.split_other(t);
  }
}

//! Facilities sized to need: the region's IT + facility money T is split into facilities
//! S = clamp(f·(P − C + (c + 1)·m·T) / (1 + f·(c + 1)·m), 0, T) and IT T − S, with f the facility
//! price, c the construction years, m the MW of nameplate a dollar of its mix buys, P the
//! nameplate still there when capacity bought now comes online, C owned online capacity plus
//! capacity under construction (leases do not count). With m = 0: S = clamp(f·(P − C), 0, T).
double need_facility_usd(const State& state, const RegionState& st, const Region& region,
                         const Year& y, double total_usd) {
  const double f = region.facility_capex_usd_per_mw(y.t);
  if (!(f > 0)) return 0.0;  // no facility price: it builds nothing
  const int c = region.construction_years;
  const double m = st.valid_mix ? mw_per_usd(state, st, y.t) : 0.0;
  const double p = surviving_nameplate(state, st, region, y.t, y.year, c);
  const double have = st.online_mw + st.under_construction_mw;
  const double k = static_cast<double>(c + 1) * m;
  const double s = f * (p - have + k * total_usd) / (1.0 + f * k);
  return std::clamp(s, 0.0, total_usd);
}

//! Each region's IT, facility and other money under the v3 options, in place of v2's split.
void share_v3(State& state, const Year& y) {
  const Scenario& s = state.s();
  year_categories(state, y);
  const bool need = s.capex.facility_sizing == FacilitySizing::kNeed;
  if (need) set_mixes(state, y);  // m needs this year's mix
  for (std::size_t r = 0; r < state.regions.size(); ++r) {
    RegionState& st = state.regions[r];
    const double share =
        y.weight_sum > 0 ? state.weights(static_cast<Index>(r)) / y.weight_sum : 0.0;
    st.other_usd = state.year_other_usd * share;
    if (need) {
      const double total = (state.year_it_usd + state.year_facility_usd) * share;
      st.facility_usd = total > 0 ? need_facility_usd(state, st, s.regions[r], y, total) : 0.0;
      st.it_usd = total - st.facility_usd;
    } else {
      st.it_usd = state.year_it_usd * share;
      st.facility_usd = state.year_facility_usd * share;
    }
  }
}

}  // namespace

double mw_per_usd(const State& state, const RegionState& st, int t) {
  const Scenario& s = state.s();
  double mw = 0;
  for (const Buy& b : st.buy) {
    const auto h = static_cast<std::size_t>(b.hardware);
    mw += b.share / st.mix_sum * state.hardware[h].w_mw / s.hardware[h].price_usd(t);
  }
  return mw;
}

void share_budget(State& state, Year& y) {
  const Scenario& s = state.s();
  const auto t = static_cast<Index>(y.t);
  y.new_usd = s.capex.budget(t) / s.capex.fx_per_usd(t);
  y.available_usd = y.new_usd + state.carry_usd;
  y.weight_sum = 0;
  for (std::size_t r = 0; r < state.regions.size(); ++r) {
    const bool open = s.regions[r].is_open(y.year);
    state.weights(static_cast<Index>(r)) =
        open ? s.capex.region_weight(static_cast<Index>(r), t) : 0.0;
    y.weight_sum += state.weights(static_cast<Index>(r));
  }
  state.carry_usd = 0;
  state.overflow_usd = 0;
  y.unspent_usd = 0;
  for (std::size_t r = 0; r < state.regions.size(); ++r) {
    RegionState& st = state.regions[r];
    const Region& region = s.regions[r];
    const double share =
        y.weight_sum > 0 ? state.weights(static_cast<Index>(r)) / y.weight_sum : 0.0;
    st.budget_usd = y.new_usd * share;
    st.it_usd = y.available_usd * s.capex.split_it(t) * share;
    st.facility_usd = y.available_usd * s.capex.split_facility(t) * share;
    st.other_usd = y.available_usd * s.capex.split_other(t) * share;
    st.facility_excess_usd = 0;
    st.it_excess_usd = 0;
    st.facility_spent_usd = 0;
    st.facility_committed_usd = 0;
    st.it_spent_usd = 0;
    st.limit = region.is_open(y.year) ? 0U : kLimitClosed;
    st.lease_limit_mw = !region.lease_usd_per_mw_year ? 0.0
                        : region.max_lease_mw         ? (*region.max_lease_mw)(t)
                                                      : std::numeric_limits<double>::infinity();
  }
  // With no region open, the whole sum carries over.
  if (y.weight_sum <= 0) y.unspent_usd = y.available_usd;
  if (s.capex.carryover == Carryover::kCategory ||
      s.capex.facility_sizing == FacilitySizing::kNeed) {
    share_v3(state, y);
  }
}

void carry_over(State& state, const Year& y) {
  if (state.s().capex.carryover != Carryover::kCategory) return;
  if (y.weight_sum <= 0) {
    // No region open: every category carries whole, "other" as its own.
    state.carry_it_usd = state.year_it_usd;
    state.carry_facility_usd = state.year_facility_usd;
    state.carry_other_usd = state.year_other_usd;
  } else {
    state.carry_it_usd = y.it_unspent_usd;
    state.carry_facility_usd = y.facility_unspent_usd;
    state.carry_other_usd = 0;
  }
}

void place_it_money(State& state, Year& y) {
  const Scenario& s = state.s();
  set_mixes(state, y);
  y.it_unspent_usd = 0;
  double overflow = pool_unbuyable(state);
  if (s.capex.placement == Placement::kPower) {
    overflow = place_by_power(state, y, overflow);
  } else if (overflow > 0 && spread_over_buyers(state, overflow)) {
    overflow = 0;  // "weights": spent where it can buy, whatever the power
  }
  if (overflow <= 0) return;
  switch (s.capex.overflow) {
    case Overflow::kFacility:
      state.overflow_usd = overflow;  // build_with_overflow, once the purchases are placed
      return;
    case Overflow::kStrand:
      if (spread_over_buyers(state, overflow)) return;
      break;
    case Overflow::kCarry:
      break;
  }
  y.unspent_usd += overflow;
  y.it_unspent_usd += overflow;
}

}  // namespace dcplan::engine
