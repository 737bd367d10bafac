// Model v3, the cost of capital (step 10 of docs/model.md): the capital recovery factor, the
// cohorts' capital charge, book value and embodied carbon amortised, and the cost of owning a
// new MW. The facilities' parts are kept by charge_facilities (facility.cpp).
#include <cmath>

#include "engine/finance.hpp"

namespace dcplan::engine {

double capital_recovery_factor(double rate, int life) {
  if (rate == 0) return 1.0 / life;
  // i / (1 − (1 + i)^−n), with 1 − (1 + i)^−n as −expm1(−n·log1p(i)): exact for small i.
  return rate / -std::expm1(-life * std::log1p(rate));
}

double crf(const State& state, double rate, int life) {
  for (const auto& m : state.crf_memo) {
    if (m.rate == rate && m.life == life) return m.crf;
  }
  const double v = capital_recovery_factor(rate, life);
  // A few pairs in most scenarios; a wacc that changes every year adds one a year and a life.
  constexpr std::size_t kMaxMemo = 256;
  if (state.crf_memo.size() < kMaxMemo) state.crf_memo.push_back({rate, life, v});
  return v;
}

void add_cohort_capital(const State& state, const RegionState& st, int year, RegionMoney& m) {
  double charge = 0, book = 0, embodied_kg = 0;
  for (const Cohort& c : st.cohorts) {
    const HardwareConstants& k = state.hardware[static_cast<std::size_t>(c.hardware)];
    charge += c.charge_usd;
    // Within its book life (capex_usd > 0) a cohort of age a has been charged a + 1 years of
    // capex / L by the end of this year: (L − a − 1) / L of its capex remains, 0 at a = L − 1.
    if (c.capex_usd > 0) book += c.capex_usd * (k.life - (year - c.vintage) - 1) / k.life;
    embodied_kg += c.bought * k.kg / k.life;
  }
  m.capital_charge_usd += charge;
  m.book_value_usd += book;
  m.embodied_amortised_tco2 += embodied_kg / 1e3;
}

double own_usd_per_mw_year(const State& state, const RegionState& st, const Region& region, int t) {
  const Finance& f = state.s().finance;
  const double price = region.facility_capex_usd_per_mw(t);
  const double i = st.wacc(t);
  const double capitalised = f.interest_during_construction
                                 ? price * std::exp(region.construction_years * std::log1p(i))
                                 : price;
  return capitalised * crf(state, i, f.facility_life_years) + f.maintenance_rate(t) * price;
}

}  // namespace dcplan::engine
