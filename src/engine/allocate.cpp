// Money to regions: the year's budget split into IT, facility and other and shared over the
// open regions by weight (step 3); IT money of regions with nothing to buy passed to those that
// can buy (step 6).
#include "engine/model.hpp"

namespace dcplan::engine {

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
  y.unspent_usd = 0;
  for (std::size_t r = 0; r < state.regions.size(); ++r) {
    RegionState& st = state.regions[r];
    const double share =
        y.weight_sum > 0 ? state.weights(static_cast<Index>(r)) / y.weight_sum : 0.0;
    st.budget_usd = y.new_usd * share;
    st.it_usd = y.available_usd * s.capex.split_it(t) * share;
    st.facility_usd = y.available_usd * s.capex.split_facility(t) * share;
    st.other_usd = y.available_usd * s.capex.split_other(t) * share;
    st.facility_excess_usd = 0;
    st.it_excess_usd = 0;
    st.facility_spent_usd = 0;
    st.it_spent_usd = 0;
  }
  // With no region open, the whole sum carries over.
  if (y.weight_sum <= 0) y.unspent_usd = y.available_usd;
}

void offer_it_money(State& state, Year& y) {
  const Scenario& s = state.s();
  for (std::size_t h = 0; h < s.hardware.size(); ++h)
    state.on_sale(static_cast<Index>(h)) = s.hardware[h].on_sale(y.year) ? 1.0 : 0.0;
  double it_pool = 0;
  double w_valid = 0;
  for (std::size_t r = 0; r < state.regions.size(); ++r) {
    RegionState& st = state.regions[r];
    // The mix renormalised over what the region may buy and what is on sale.
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
    if (!st.valid_mix && st.it_usd > 0) {
      st.it_excess_usd += st.it_usd;
      it_pool += st.it_usd;
      st.it_usd = 0;
    }
    if (st.valid_mix) w_valid += state.weights(static_cast<Index>(r));
  }
  y.it_unspent_usd = 0;
  if (it_pool > 0) {
    if (w_valid > 0) {
      for (std::size_t r = 0; r < state.regions.size(); ++r) {
        RegionState& st = state.regions[r];
        if (st.valid_mix) st.it_usd += it_pool * state.weights(static_cast<Index>(r)) / w_valid;
      }
    } else {
      y.unspent_usd += it_pool;
      y.it_unspent_usd = it_pool;
    }
  }
}

}  // namespace dcplan::engine
