// Model v3, the cost of capital (step 10 of docs/model.md): the capital recovery factor, the
// cohorts' capital charge, book value and embodied carbon amortised, and the cost of owning a
// new MW. The facilities' parts are kept by charge_facilities (facility.cpp).
#include <algorithm>
#include <cmath>

#include "engine/finance.hpp"

namespace dcplan::engine {

//! (Declared in model.hpp.) CRF(i, n) = i / (1 − (1 + i)^−n); 1/n at i = 0, its limit. `life`
//! is at least 1 and the rate above −1 by the keys' bounds (wacc in [0, 1], the discount rate it
//! falls back to in [−0.99, 1]).
double capital_recovery_factor(double rate, int life) {
  if (rate == 0) return 1.0 / life;
  // i / (1 − (1 + i)^−n), with 1 − (1 + i)^−n as −expm1(−n·log1p(i)): exact for small i.
  return rate / -std::expm1(-life * std::log1p(rate));
}

//! (Declared in model.hpp.) The memo is searched by exact (rate, life): the same inputs give the
//! same bits whether computed or remembered, so memoising changes no number. It is cleared at
//! every reset, so no value crosses from one scenario into another.
double crf_remembered(const State& state, double rate, int life) {
  const auto n = static_cast<std::size_t>(life);
  // The first rate of the run, by life (bounded so that a long life cannot make it large).
  constexpr std::size_t kMaxLife = 1024;
  if (std::isnan(state.crf_rate)) state.crf_rate = rate;
  if (rate == state.crf_rate && n < kMaxLife) {
    if (n >= state.crf_by_life.size()) state.crf_by_life.resize(n + 1, kEmpty);
    state.crf_by_life[n] = capital_recovery_factor(rate, life);
    return state.crf_by_life[n];
  }
  for (const auto& m : state.crf_memo) {
    if (m.rate == rate && m.life == life) return m.crf;
  }
  const double v = capital_recovery_factor(rate, life);
  // A few pairs in most scenarios; a wacc that changes every year adds one a year and a life.
  constexpr std::size_t kMaxMemo = 256;
  if (state.crf_memo.size() < kMaxMemo) state.crf_memo.push_back({rate, life, v});
  return v;
}

namespace {

//! The servers' own costs over their cohorts: capital charge, depreciation, maintained capex,
//! load at this year's utilisation, nameplate.
struct ServerCosts {
  double charge_usd = 0, depreciation_usd = 0, maintained_usd = 0, load_mw = 0, nameplate_mw = 0;

  void add(const Cohort& c, const HardwareConstants& k, double f, double u) {
    charge_usd += c.charge_usd;
    depreciation_usd += c.depreciation_usd;
    // Maintained: capex within book life less what waits for power, as in step 10.
    if (c.capex_usd > 0) maintained_usd += c.capex_usd - c.stranded * c.price_usd;
    load_mw += c.installed * f * k.w_mw * (k.idle + k.busy * u);
    nameplate_mw += c.installed * k.w_mw;
  }
};

//! What the servers cost: their own capital, maintenance and electricity, and their share by
//! nameplate of the halls (facility and other capital, facility maintenance, leases), which
//! serve servers and accelerators alike, as colocation prices them, by the kW.
//! The servers' share of the halls is their nameplate over the region's: halls are priced by
//! the kW whatever runs in them. Preconditions: the region's capital is allocated (the scenario
//! uses the cost of capital) and `s` holds this year's server cohorts.
double server_part(const State& state, const RegionState& st, const Region& region,
                   const RegionEnergy& e, int t, const RegionMoney& m, const ServerCosts& s) {
  const Finance& f = state.s().finance;
  const bool annuity = f.capital_charge == CapitalCharge::kAnnuity;
  const bool book = f.initial_assets == InitialAssets::kBook;
  const double rate = f.maintenance_rate(t);
  const double own = (annuity ? s.charge_usd : s.depreciation_usd) + rate * s.maintained_usd +
                     s.load_mw * e.pue * kHoursPerYear * region.power_price_usd_per_mwh(t);
  const double halls_capital =
      annuity ? st.capital->facility_capital_charge_usd
              : st.facility_depreciation_usd + (book ? st.initial_facility_depreciation_usd : 0.0);
  const double halls_maintenance =
      rate * (st.facility_in_service_usd + (book ? st.initial_facility_in_service_usd : 0.0));
  // The servers' share of the halls: their nameplate over the region's installed nameplate.
  const double share = st.sums.nameplate_mw > 0 ? s.nameplate_mw / st.sums.nameplate_mw : 0.0;
  return own + (halls_capital + halls_maintenance + m.lease_usd) * share;
}

}  // namespace

//! (Declared in finance.hpp.) The yearly cost of owning a new MW in the region this year.
//! f(t) · (1 + i)^c · CRF(i, facility_life_years) + maintenance_rate(t) · f(t) [USD per MW-year],
//! with (1 + i)^c only under interest during construction: to set against the lease price.
double own_usd_per_mw_year(const State& state, const RegionState& st, const Region& region, int t) {
  const Finance& f = state.s().finance;
  const double price = region.facility_capex_usd_per_mw(t);
  const double i = st.capital->wacc(t);
  const double capitalised =
      f.interest_during_construction ? price * compound(i, region.construction_years) : price;
  return capitalised * crf(state, i, f.facility_life_years) + f.maintenance_rate(t) * price;
}

//! (Declared in finance.hpp.) One pass over the cohorts, made only with the cost of capital:
//!   capital charge  Σ charge_usd (CRF at the wacc of the year bought × capex, fixed for life)
//!   book value      Σ capex · (L − a − 1) / L over cohorts within their book life
//!   embodied        Σ bought · embodied_kgco2e / L [kg], reported in tonnes
//! and the year-weighted count of accelerators for the cost per GPU-hour.
void add_cohort_capital(const State& state, const RegionState& st, const Region& region,
                        const RegionEnergy& e, int t, RegionMoney& m) {
  const int year = state.s().horizon.start + t;
  const double first_year_fraction = state.s().operations.first_year_fraction;
  double charge = 0, book = 0, embodied_kg = 0, weighted = 0;
  ServerCosts servers;
  bool any_server = false;
  for (const Cohort& c : fleet(st)) {
    const HardwareConstants& k = state.hardware[static_cast<std::size_t>(c.hardware)];
    const auto h = static_cast<std::size_t>(c.hardware);
    // Within its book life (capex_usd > 0) a cohort of age a has been charged a + 1 years of
    // capex / L by the end of this year: (L − a − 1) / L of its capex remains, 0 at a = L − 1.
    if (c.capex_usd > 0)
      book += c.capex_usd * (k.life - (year - c.vintage) - 1) * state.inverse_life[h];
    charge += c.charge_usd;
    embodied_kg += c.bought * state.kg_per_year[h];
    // This year's purchases run the first-year fraction of the year (step 8).
    const double f = c.vintage == year && c.bought > 0 ? first_year_fraction : 1.0;
    if (k.server) {
      servers.add(c, k, f, e.utilisation);
      any_server = true;
    } else {
      weighted += c.installed * f;
    }
  }
  m.accelerators_weighted = weighted;
  m.capital_charge_usd += charge;
  m.book_value_usd += book;
  m.embodied_amortised_tco2 += embodied_kg / 1e3;
  if (any_server) m.servers_usd = server_part(state, st, region, e, t, m, servers);
}

}  // namespace dcplan::engine
