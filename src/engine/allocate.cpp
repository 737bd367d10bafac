// Money to regions: the year's budget split into IT, facility and other and shared over the
// open regions by weight (step 3); IT money placed where accelerators can be powered, or by
// weight as in version 1, and what finds no region (step 6).
//
// Conservation of money (tested in the total row over generated scenarios):
//   budget + last year's carry-over (+ capex_keep_usd under keep_funding "separate")
//     = capex + carry-over.
// Every dollar of the year is given to exactly one region and category by share_budget (or,
// with no region open, carried whole), and from there is spent, pooled and spent elsewhere, or
// left in Year::unspent_usd, which becomes next year's carry-over. The functions below move
// money between regions and categories; none of them creates or drops any.
//
// Money here is in US dollars: the budget is converted from the scenario's currency at the
// year's fx_per_usd before anything else reads it.
#include <algorithm>
#include <limits>

#include "dcplan/results.hpp"
#include "engine/water_fill.hpp"

namespace dcplan::engine {

namespace {

//! Each region's mix this year, renormalised over what it may buy and what is on sale, and
//! the MW a dollar of it buys: this year's entries of the run's Constants.
//! Step 6 (docs/model.md): the types a region may buy this year are those of its buyable list
//! (allowed_hardware with a share in some year) with a positive share this year and on sale
//! (available <= year <= last_sale). Their shares are kept unnormalised, with their sum:
//! dividing by mix_sum where they are used renormalises them to 1. A region with none has no
//! valid mix, and its IT money leaves it (pool_unbuyable).
void set_mixes(State& state, const Year& y) {
  const Constants& c = state.constants;
  const std::size_t at = static_cast<std::size_t>(y.t) * c.regions;
  for (std::size_t r = 0; r < state.regions.size(); ++r) {
    RegionState& st = state.regions[r];
    st.buy = std::span<const Buy>(c.buy).subspan(c.buy_at[at + r],
                                                 c.buy_at[at + r + 1] - c.buy_at[at + r]);
    st.mix_sum = c.mix_sum[at + r];
    st.valid_mix = st.mix_sum > 0;
    st.mw_per_usd = c.mw_per_usd[at + r];
  }
}

//! IT money of regions with nothing to buy, pooled; the regions keep the rest.
//! Limit `hardware`: the region was given IT money and nothing it may buy is on sale. Its money
//! counts as its IT excess, so that what of it finally carries over is attributed to it.
double pool_unbuyable(State& state) {
  double pool = 0;
  for (auto& st : state.regions) {
    // A region with nothing to buy keeps no IT money: all of it goes to the pool.
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
//! Step 6, placement "power" (docs/model.md): a dollar of the region's mix buys
//! m_r = Σ s_h · w_h / price_h(t) MW of nameplate, so its room is F_r / m_r dollars, with F_r
//! the free capacity left by steps 5 and 5b (leasable capacity included). Its own share beyond
//! the room is pooled (limit `power`: offered money found no power) and water-filled; the pool
//! also holds the money of regions with nothing to buy. Everything placed fits by construction.
double place_by_power(State& state, double pool) {
  for (auto& st : state.regions) {
    // F_r [MW] after steps 5 and 5b; the room in dollars is F_r / m_r, m_r in MW per USD.
    const double free_mw = std::max(0.0, st.online_mw + st.lease_limit_mw - st.nameplate_mw);
    const double per_usd = st.mw_per_usd;  // 0 without a valid mix
    st.it_room_usd = per_usd > 0 ? free_mw / per_usd : 0.0;
    // The region spends its own share up to its room; the excess goes to the pool.
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
//! Placement "weights" (money of regions with nothing to buy) and overflow "strand" (money that
//! found no power): the money goes by weight to the regions that have something to buy,
//! whatever their power; what does not fit waits in the queue.
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
  // Each category: its share of the new money plus what it carried.
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
//! The equation solves C + S/f = P + (c + 1) · m · I with I = T − S: the capacity owned and
//! coming, plus what S builds, equals what the survivors need plus what this year's IT money
//! and c more years of it (if they bring as much) will buy. Units: f in USD per MW, m in MW per
//! USD, P and C in MW, T and S in USD.
double need_facility_usd(const State& state, const RegionState& st, const Region& region,
                         const Year& y, double total_usd) {
  // f [USD/MW], c [years], m [MW/USD], P and C [MW], T and S [USD]: S comes out in USD.
  const double f = region.facility_capex_usd_per_mw(y.t);
  if (!(f > 0)) return 0.0;  // no facility price: it builds nothing
  const int c = region.construction_years;
  const double m = st.mw_per_usd;  // 0 without a valid mix
  const double p = surviving_nameplate(state, st, region, y.t, y.year, c);
  const double have = st.online_mw + st.under_construction_mw;
  // k = (c + 1) · m: the MW this year's IT money and c more years of it would buy, per dollar.
  const double k = static_cast<double>(c + 1) * m;
  const double s = f * (p - have + k * total_usd) / (1.0 + f * k);
  return std::clamp(s, 0.0, total_usd);
}

//! Each region's IT, facility and other money under the v3 options, in place of v2's split.
//! Runs after share_budget's v2 shares, which it overwrites; each region still takes its
//! weight's share of each category's total.
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

//! Step 3 (docs/model.md): the year's money B(t) / fx(t) + carry-over, split by capex.split
//! into IT, facility and other, and shared over the open regions by their weights; a closed
//! region (opens > t) gets weight 0 and the limit `closed`. Also resets the region's money of
//! the year and sets this year's lease limit (0: cannot lease; infinity: a price and no limit).
//! budget_usd is the region's share of the new money only: carry-over is not counted twice.
void share_budget(State& state, Year& y) {
  const Scenario& s = state.s();
  const auto t = static_cast<Index>(y.t);
  // B(t) / fx(t): the budget is in the scenario's currency, everything after it in USD.
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
    // share = w_r / Σ w over the open regions. Under v2 each category is
    // (B/fx + carry-over) · split_c(t) · share; share_v3 replaces them for the v3 options.
    st.budget_usd = y.new_usd * share;
    st.it_usd = y.available_usd * s.capex.split_it(t) * share;
    st.facility_usd = y.available_usd * s.capex.split_facility(t) * share;
    st.other_usd = y.available_usd * s.capex.split_other(t) * share;
    st.facility_excess_usd = 0;
    st.it_excess_usd = 0;
    st.facility_spent_usd = 0;
    st.facility_committed_usd = 0;
    st.it_spent_usd = 0;
    // The limits of the year start empty (or `closed`); the steps add theirs as they bind.
    st.limit = region.is_open(y.year) ? 0U : kLimitClosed;
    // Lmax_r(t): 0 without a lease price, max_lease_mw(t) with one, unlimited with a price and no
    // limit.
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

//! Model v3, capex.carryover "category" (docs/model.md): what carries into next year keeps its
//! category. IT money left (no power and overflow "carry", or overflow that found no facility
//! room) stays IT money, facility money beyond the caps stays facility money; "other" is always
//! spent where a region is open, so it carries only in a year with no region open. Runs after
//! step 6 because the overflow decides what is left of each category.
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

//! Step 6 (docs/model.md): where IT money goes. Money of regions with nothing to buy is pooled
//! first; under "power" the pool and the excess of each region's own share are water-filled
//! where there is power, under "weights" the pool goes to the regions that can buy. What finds
//! no region is the overflow, spent as capex.it_overflow says: "facility" leaves it to
//! build_with_overflow (after the purchases, so that it powers nothing this year), "strand"
//! spreads it over the buyers, "carry" (or a strand with no buyer) carries it over as IT money.
void place_it_money(State& state, Year& y) {
  const Scenario& s = state.s();
  set_mixes(state, y);
  y.it_unspent_usd = 0;
  // The pool starts with the money of regions that have nothing on sale to buy.
  double overflow = pool_unbuyable(state);
  if (s.capex.placement == Placement::kPower) {
    overflow = place_by_power(state, overflow);
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
