// The engine's state at the start of a run: hardware constants, each region's initial fleet as
// cohorts of its vintages, its initial capacity, what it may buy.
// Nothing here is a step of the year: reset() puts State where docs/model.md says a run starts
// (before step 1 of the first year). What the steps accumulate into is sized or cleared here,
// and the rest is written each year before it is read, so that a State reused by a sweep
// carries nothing from one run into the next but the capacity of its buffers.
#include <cmath>

#include "dcplan/error.hpp"
#include "engine/model.hpp"

namespace dcplan::engine {

namespace {

//! Model v3: the kind, and the retirement curve as the share of a cohort that retires at each
//! age (docs/model.md, step 2). Weibull: S(a) = exp(−(a/λ)^k), λ = (L − 1/2) / Γ(1 + 1/k), so
//! that a unit serves about L years on average; 1 − S(a)/S(a − 1) is written
//! 1 − exp(((a − 1)/λ)^k − (a/λ)^k), which cannot underflow; what survives 2L retires then.
void set_retirement(HardwareConstants& k, const Hardware& x, std::vector<double>& shares) {
  k.server = x.kind == HardwareKind::kServer;
  // Step curve: gone whole at the lifetime. Weibull: a share retires each year, the rest at 2L.
  k.gone_age = x.lifetime_years;
  k.share_at = -1;
  if (x.retirement == RetirementCurve::kWeibull) {
    const double shape = x.retirement_shape;
    const double lambda = (x.lifetime_years - 0.5) / std::tgamma(1.0 + 1.0 / shape);
    k.gone_age = 2 * x.lifetime_years;
    k.share_at = static_cast<int>(shares.size());
    shares.push_back(0.0);  // age 0
    for (int a = 1; a < k.gone_age; ++a)
      shares.push_back(
          -std::expm1(std::pow((a - 1) / lambda, shape) - std::pow(a / lambda, shape)));
  }
  k.v3 = k.server || k.share_at >= 0;
}

//! Copies each hardware type's constants into the compact HardwareConstants the cohort loops
//! read, converting all_in_w from W to MW (w_mw) once so that the loops multiply counts by MW.
//! bf16_tflops stays in TFLOP/s: the rows divide by 1e3 for PFLOP/s and by 1e6 for EFLOP-years.
//! The retirement curves come from the run's Constants, derived once per scenario.
void reset_hardware(State& state, const Scenario& scenario) {
  state.hardware.resize(scenario.hardware.size());
  for (std::size_t h = 0; h < scenario.hardware.size(); ++h) {
    const Hardware& x = scenario.hardware[h];
    HardwareConstants& k = state.hardware[h];
    // W to MW, once; bf16 stays in TFLOP/s, embodied carbon in kg.
    k.w_mw = x.all_in_w / 1e6;
    k.tflops = x.bf16_tflops;
    k.idle = x.idle_fraction;
    k.busy = 1.0 - x.idle_fraction;
    k.afr = x.annual_failure_rate;
    k.kg = x.embodied_kgco2e;
    k.life = x.lifetime_years;
    const HardwareConstants& curve = state.constants.curve[h];
    k.gone_age = curve.gone_age;
    k.share_at = curve.share_at;
    k.server = curve.server;
    k.v3 = curve.v3;
  }
  if (!state.cost_of_capital) return;  // only its cohort pass reads these
  state.inverse_life.resize(scenario.hardware.size());
  state.kg_per_year.resize(scenario.hardware.size());
  for (std::size_t h = 0; h < scenario.hardware.size(); ++h) {
    state.inverse_life[h] = 1.0 / state.hardware[h].life;
    state.kg_per_year[h] = state.hardware[h].kg / state.hardware[h].life;
  }
}

//! The initial fleet as cohorts of its vintages, oldest first; those already past their
//! lifetime retire in the first year's ageing step. Sunk: no capex, so no depreciation or
//! maintenance.
void place_initial_fleet(RegionState& st, const Region& region, const Scenario& scenario,
                         const State& state) {
  st.cohorts.clear();
  st.head = 0;
  for (const auto& c : region.initial_fleet) {
    DCPLAN_ASSERT(c.vintage <= scenario.horizon.start);
    Cohort cohort{
        .hardware = c.hardware,
        .vintage = c.vintage,
        .installed = c.count,
        .price_usd = c.vintage == scenario.horizon.start
                         ? scenario.hardware[static_cast<std::size_t>(c.hardware)].price_usd(0)
                         : 0.0};
    if (scenario.finance.initial_assets == InitialAssets::kBook) {
      // Model v3, on the books: charged like a purchase at the first horizon year's price,
      // n0 · price_h(max(v, t0)) / L_h while t − v < L_h (exactly while the cohort is listed).
      cohort.capex_usd =
          c.count * scenario.hardware[static_cast<std::size_t>(c.hardware)].price_usd(0);
      cohort.depreciation_usd =
          cohort.capex_usd / scenario.hardware[static_cast<std::size_t>(c.hardware)].lifetime_years;
      // Model v3, the cost of capital: charged at the first year's wacc.
      if (st.capital)
        cohort.charge_usd =
            cohort.capex_usd *
            crf(state, st.capital->wacc(0),
                scenario.hardware[static_cast<std::size_t>(c.hardware)].lifetime_years);
    }
    // Invariant the steps rely on: cohorts are listed by vintage, oldest first (ageing drops the
    // oldest from the front, the queue installs oldest batch first). Stable, so two cohorts of one
    // vintage stay in the scenario's order and the sums over them are added in the same order on
    // every run.
    // Insertion by vintage, stable: initial fleets are short and usually in order.
    auto at = st.cohorts.end();
    while (at != st.cohorts.begin() && (at - 1)->vintage > c.vintage) --at;
    st.cohorts.insert(at, cohort);
  }
}

//! Model v3, the cost of capital: the region's wacc by year (its own, else finance.wacc, else
//! the discount rate) and the buffers of its facilities' capital.
void reset_capital(RegionState& st, const Region& region, const Scenario& scenario,
                   Index years_ext) {
  if (!st.capital) st.capital = std::make_unique<RegionCapital>();
  RegionCapital& k = *st.capital;
  const Finance& f = scenario.finance;
  // The rate i of docs/model.md's cost of capital: the region's wacc, else finance.wacc, else
  // the discount rate, by year.
  k.wacc = region.wacc ? *region.wacc : f.wacc ? *f.wacc : f.discount_rate;
  k.facility_capitalised_usd.setZero(years_ext);
  k.facility_financing_usd.setZero(years_ext);
  const Index years = scenario.horizon.years();
  k.facility_annuity_usd.setZero(years);
  k.facility_asset_usd.setZero(years);
  k.facility_embodied_t.setZero(years);
  k.facility_capital_charge_usd = k.facility_book_usd = k.facility_embodied_amortised_t = 0;
  k.running_charge_usd = k.running_assets_usd = k.running_age_weighted_usd = k.running_embodied_t =
      0;
}

}  // namespace

//! Prepares `state` for a run of `scenario` (which must outlive the run: State keeps a pointer
//! to it). Arrays indexed by the year capacity comes online run kMaxConstructionYears + 1 years
//! past the horizon, because money spent in the last year with the longest construction period
//! completes after it. The initial capacity is owned and online (K0 of step 1), none of it
//! "built": new_build_pue applies only to what is built within the horizon. Throws ModelError
//! if the loader let through an initial cohort of a vintage after the horizon's first year.
template <bool kByHw>
void reset(State& state, const Scenario& scenario) {
  state.scenario = &scenario;
  state.cost_of_capital = scenario.uses_cost_of_capital();
  state.crf_memo.clear();
  state.crf_rate = kEmpty;
  state.crf_by_life.clear();
  reset_hardware(state, scenario);
  const int years = scenario.horizon.years();
  const Index hardware_count = static_cast<Index>(scenario.hardware.size());
  const Index years_ext = years + kMaxConstructionYears + 1;
  state.regions.resize(scenario.regions.size());
  for (std::size_t r = 0; r < scenario.regions.size(); ++r) {
    RegionState& st = state.regions[r];
    const Region& region = scenario.regions[r];
    if (state.cost_of_capital) {
      reset_capital(st, region, scenario, years_ext);
    } else {
      st.capital.reset();
    }
    place_initial_fleet(st, region, scenario, state);
    st.pipeline_mw.setZero(years_ext);
    st.completions_mw.setZero(years_ext);
    st.facility_online_usd.setZero(years_ext);
    st.facility_charge_usd.resize(years);  // written each year before it is read
    st.facility_gross_usd.resize(years);
    st.facility_depreciation_usd = 0;
    st.facility_in_service_usd = 0;
    st.online_mw = region.initial_it_capacity_mw;
    st.built_online_mw = 0;
    st.leased_mw = 0;
    st.under_construction_mw = 0;
    if constexpr (kByHw) {
      for (ArrayXd* a :
           {&st.hw_installed, &st.hw_stranded, &st.hw_weighted, &st.hw_failed, &st.hw_retired,
            &st.hw_purchased, &st.hw_capex_usd, &st.hw_stranded_usd, &st.hw_kept, &st.hw_keep_usd})
        a->setZero(hardware_count);
    }
  }
  // This year's weights are set by the steps each year.
  state.weights.setZero(static_cast<Index>(scenario.regions.size()));
  state.carry_usd = 0;
  state.overflow_usd = 0;
  state.carry_it_usd = state.carry_facility_usd = state.carry_other_usd = 0;
  state.discount = 1.0;
}

namespace {

//! Each (year, region)'s mix, as set_mixes used to build it every year of every run: the
//! region's buyable types, in hardware-id order, with a positive share that year and on sale,
//! each with its price that year; and m_r(t) = Σ s_h / Σ s · w_h / price_h(t) in that order (the
//! same operations in the same order as when it was computed where it is read, so the same bits).
void derive_mixes(Constants& c, const Scenario& s) {
  const std::size_t cells = static_cast<std::size_t>(c.years) * c.regions;
  // At most every buyable type of every region in every year: reserved, so that a single run
  // does not pay for the vector's growth.
  std::size_t most = 0;
  for (const auto& buyable : s.capex.buyable) most += buyable.size();
  c.buy.clear();
  c.buy.reserve(most * static_cast<std::size_t>(c.years));
  c.buy_at.assign(1, 0);
  c.buy_at.reserve(cells + 1);
  c.mix_sum.assign(cells, 0.0);
  c.mw_per_usd.assign(cells, 0.0);
  // m_r is read by placement "power" and by facilities sized to need only.
  const bool per_usd =
      s.capex.placement == Placement::kPower || s.capex.facility_sizing == FacilitySizing::kNeed;
  std::vector<char> on_sale(c.hardware);
  for (int t = 0; t < c.years; ++t) {
    for (std::size_t h = 0; h < c.hardware; ++h)
      on_sale[h] = s.hardware[h].on_sale(s.horizon.start + t) ? 1 : 0;
    for (std::size_t r = 0; r < c.regions; ++r) {
      const std::size_t cell = static_cast<std::size_t>(t) * c.regions + r;
      const double* mix = s.capex.mix[r].col(t).data();
      const std::size_t first = c.buy.size();
      double sum = 0;
      for (const int h : s.capex.buyable[r]) {
        if (mix[h] > 0 && on_sale[static_cast<std::size_t>(h)] != 0) {
          c.buy.push_back({h, mix[h], s.hardware[static_cast<std::size_t>(h)].price_usd(t)});
          sum += mix[h];
        }
      }
      c.buy_at.push_back(c.buy.size());
      c.mix_sum[cell] = sum;
      if (!per_usd || !(sum > 0)) continue;
      double mw = 0;
      for (std::size_t i = first; i < c.buy.size(); ++i) {
        const auto h = static_cast<std::size_t>(c.buy[i].hardware);
        // w_mw as reset_hardware converts it: all_in_w / 1e6.
        mw += c.buy[i].share / sum * (s.hardware[h].all_in_w / 1e6) / c.buy[i].price_usd;
      }
      c.mw_per_usd[cell] = mw;
    }
  }
}

//! The retirement curves (what set_retirement fills of HardwareConstants, and the Weibull
//! shares), and for facilities sized to need what surviving_nameplate multiplies by, each
//! computed as it computed them: 1 − share, (1 − share) · (1 − afr), (1 − afr)^c.
void derive_curves(Constants& c, const Scenario& s) {
  c.curve.resize(c.hardware);
  c.retire_share.clear();
  for (std::size_t h = 0; h < c.hardware; ++h)
    set_retirement(c.curve[h], s.hardware[h], c.retire_share);
  c.survive.clear();
  c.keep_weibull.clear();
  c.survive_weibull.clear();
  if (s.capex.facility_sizing != FacilitySizing::kNeed) return;
  c.keep_weibull.resize(c.retire_share.size());
  c.survive_weibull.resize(c.retire_share.size());
  for (std::size_t h = 0; h < c.hardware; ++h) {
    const HardwareConstants& k = c.curve[h];
    if (k.share_at < 0) continue;
    for (int a = 0; a < k.gone_age; ++a) {
      const auto i = static_cast<std::size_t>(k.share_at + a);
      const double keep = 1.0 - c.retire_share[i];
      c.keep_weibull[i] = keep;
      c.survive_weibull[i] = keep * (1.0 - s.hardware[h].annual_failure_rate);
    }
  }
  for (std::size_t h = 0; h < c.hardware; ++h) {
    for (int years = 0; years <= kMaxConstructionYears; ++years)
      c.survive.push_back(std::pow(1.0 - s.hardware[h].annual_failure_rate, years));
  }
}

}  // namespace

//! (Declared in model.hpp.)
void derive_constants(Constants& c, const Scenario& s) {
  c.regions = s.regions.size();
  c.hardware = s.hardware.size();
  c.years = s.horizon.years();
  derive_mixes(c, s);
  derive_curves(c, s);
}

template void reset<true>(State&, const Scenario&);
template void reset<false>(State&, const Scenario&);

}  // namespace dcplan::engine
