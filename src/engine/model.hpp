// Private to dcplan_core: the engine's state and its yearly steps, one function per step of
// docs/model.md ("The yearly step"). engine.cpp runs them in order; each file under
// src/engine/ holds one part of the model:
//   fleet.cpp     steps 2, 5, 5b, 6 (ageing and failures, the stranded queue, the installed
//                 bases kept, purchases, leases)
//   facility.cpp  steps 1, 4, 6 (capacity online, construction with caps and water-filling,
//                 the IT overflow spent on facilities)
//   allocate.cpp  steps 3, 6 (the budget shared by split and weights; IT money placed where it
//                 can be powered, or by weight; the overflow)
//   water_fill.hpp the one water-filling of steps 4 and 6
//   energy.hpp    steps 7, 8, 9, 11 (utilisation, power, PUE, energy, compute, carbon)
//   finance.hpp   step 10 (depreciation, maintenance, opex, TCO, discounting)
//   finance.cpp   step 10, model v3's cost of capital (capital charge, book value, cost of
//                 owning a MW, the servers' part of TCO, embodied carbon amortised)
//   demand.hpp    step 12 (demand, unmet, revenue, margin, the break-even utilisation)
//   rows.cpp      the result rows: the quantities of steps 8 to 12 mapped to columns per
//                 region, totals with their ratios, carry-over attribution
//
// Invariants the steps keep, and the tests check over generated scenarios:
//   - a region's cohorts are listed by vintage, oldest first (the queue and ageing rely on it);
//   - per region and kind, initial + purchased = installed + stranded + retired + failed;
//   - installs never take more than the free capacity online_mw + lease_limit_mw − nameplate_mw
//     (within rounding), so nameplate <= owned online + leased capacity; a lease limit that
//     falls later evicts no one;
//   - money given in a year = spent + carried over (no dollar created or dropped);
//   - nothing is negative beyond rounding (non_negative clamps what rounding leaves), and no
//     number is infinite (check_finite turns an overflow into an input error).
//
// Bit-identical results: a run depends only on the Scenario. Loops visit regions, hardware
// and cohorts in one fixed order and sums are added in that order, so the same scenario gives
// the same bytes on every run, on every thread, and with or without region rows.
// Functions templated on kByHw also keep the per-hardware detail for rows by hardware.
#pragma once

#include <Eigen/Core>
#include <cmath>
#include <limits>
#include <memory>
#include <span>
#include <vector>

#include "dcplan/engine.hpp"

namespace dcplan::engine {

using Eigen::ArrayXd;
using Eigen::Index;

inline constexpr double kHoursPerYear = 8760.0;
inline constexpr double kEps = 1e-9;  //!< money [USD] and power [MW] below this are zero
inline constexpr double kEmpty = std::numeric_limits<double>::quiet_NaN();
inline constexpr int kMaxConstructionYears = 20;  //!< schema bound on construction_years

//! A ratio, or an empty cell when the denominator is zero.
inline double ratio(double num, double den) {
  return den > 0 ? num / den : kEmpty;
}

//! A value clamped at zero where rounding left a tiny negative.
inline double non_negative(double v) {
  return v < 0 && v > -1e-6 * (1 + std::abs(v)) ? 0.0 : v;
}

//! The constants of one accelerator type, together for the cohort loops.
struct HardwareConstants {
  double w_mw = 0;    //!< all_in_w [MW]
  double tflops = 0;  //!< bf16 [TFLOP/s]
  double idle = 0;    //!< idle_fraction
  double busy = 0;    //!< 1 − idle_fraction
  double afr = 0;     //!< annual_failure_rate
  double kg = 0;      //!< embodied [kg CO2e]
  int life = 1;       //!< lifetime_years
  // Model v3 (with `life`, these fill the struct to 64 bytes: the cohort loops index it).
  int gone_age = 1;     //!< age at which a cohort retires whole: life (step) or 2·life (Weibull)
  int share_at = -1;    //!< Weibull: where its shares start in Constants::retire_share; -1: step
  bool server = false;  //!< kind "server": counted in servers_*, not accelerators_*
  bool v3 = false;      //!< a server or a Weibull curve: the cohort loops take their slow path
};
static_assert(sizeof(HardwareConstants) == 64);

//! Accelerators of one type bought in one year (or one cohort of the initial fleet). A region's
//! fleet is a list of cohorts, oldest vintage first: only what exists is stored and visited,
//! which is a few cohorts per region where a hardware × age table would be mostly zeros.
struct Cohort {
  int hardware = 0;
  int vintage = 0;              //!< year bought
  double installed = 0;         //!< powered
  double stranded = 0;          //!< bought, waiting for power
  double price_usd = 0;         //!< unit price in the vintage year; 0 before the horizon
  double capex_usd = 0;         //!< what the purchase cost; 0 for the initial fleet (sunk)
  double depreciation_usd = 0;  //!< capex_usd / lifetime: charged every year it is listed
  // Model v3, the cost of capital (set only when the scenario uses it; else 0):
  double charge_usd = 0;  //!< CRF(wacc of the year bought, lifetime) · capex_usd
  double bought = 0;      //!< units bought (0 for the initial fleet): embodied carbon amortised
  // A cohort lives past its book life only under a Weibull curve: ageing then sets capex_usd
  // and depreciation_usd to 0 (no depreciation, maintenance or stranded capex in service).
};

//! What the rows need from a region's cohorts, summed once a year over their final counts.
struct CohortSums {
  double installed = 0, stranded = 0;
  double nameplate_mw = 0;  //!< Σ installed · all_in_w
  double peak_tflops = 0;   //!< Σ installed · bf16
  double avail_tflops = 0;  //!< Σ installed · f · bf16 (f: the share of the year it runs)
  double load_idle_mw = 0;  //!< Σ installed · f · all_in_w · idle: IT load at u = 0
  double load_busy_mw = 0;  //!< Σ installed · f · all_in_w · (1 − idle): added per unit of u
  double stranded_usd = 0;  //!< Σ stranded · price in the vintage year
  double it_depreciation_usd = 0;  //!< Σ depreciation_usd
  double it_in_service_usd = 0;    //!< Σ capex_usd
  // Model v3: units of kind server, counted apart (installed and stranded above count
  // accelerators only), and the stranded capex past its book life (Weibull), which
  // maintenance does not subtract.
  double servers_installed = 0, servers_stranded = 0;
  double stranded_off_book_usd = 0;  //!< Σ stranded · price over cohorts past book life

  //! Adds a cohort whose installed part runs the share `f` of the year: first_year_fraction
  //! for this year's purchases, 1 otherwise. Returns its year-weighted count (installed · f).
  double add(const Cohort& c, const HardwareConstants& k, double f = 1.0) {
    // The installed part runs `f` of the year: it draws power, computes and counts in the
    // year-weighted sums only for that share, but counts whole in the stocks (installed,
    // nameplate, peak).
    const double weighted = c.installed * f;
    const double weighted_mw = weighted * k.w_mw;
    if (k.v3) [[unlikely]] {
      add_v3(c, k);
    } else {
      installed += c.installed;
      stranded += c.stranded;
    }
    nameplate_mw += c.installed * k.w_mw;
    peak_tflops += c.installed * k.tflops;
    avail_tflops += weighted * k.tflops;
    load_idle_mw += weighted_mw * k.idle;
    load_busy_mw += weighted_mw * k.busy;
    // Waiting units at their price: the stranded capex that maintenance subtracts (step 10).
    stranded_usd += c.stranded * c.price_usd;
    it_depreciation_usd += c.depreciation_usd;
    it_in_service_usd += c.capex_usd;
    return weighted;
  }

  //! The counts of a server or of a cohort on a Weibull curve, which may be off the books
  //! (capex_usd set to 0 by ageing; a purchase in its book life has capex_usd > 0).
  void add_v3(const Cohort& c, const HardwareConstants& k) {
    if (k.server) {
      servers_installed += c.installed;
      servers_stranded += c.stranded;
    } else {
      installed += c.installed;
      stranded += c.stranded;
    }
    if (c.capex_usd == 0) stranded_off_book_usd += c.stranded * c.price_usd;
  }
};

//! One entry of a region's mix this year: a type it may buy, and its (unnormalised) share.
struct Buy {
  int hardware = 0;
  double share = 0;
  double price_usd = 0;  //!< its price_usd in this year
};

//! What a run derives from the scenario's hardware (prices, power, dates, failure rates), its
//! mixes, its placement and sizing options and its horizon alone: nothing a step computes
//! changes them. Derived at the start of a run, or kept from the last run of the same Engine
//! when EngineOptions::constants_unchanged says that none of those inputs changed (a sweep of
//! the budget), which is most of the sweeps, solves and sensitivities (vary::Runner decides).
//! Indexed by (year index t, region r) at t · regions + r.
struct Constants {
  std::size_t regions = 0, hardware = 0;
  int years = 0;
  std::vector<Buy> buy;  //!< every (t, r)'s mix over what it may buy and is on sale, in a row
  std::vector<std::size_t> buy_at;  //!< (t, r)'s first entry in `buy`; one more at the end
  std::vector<double> mix_sum;      //!< (t, r): the sum of its shares (0: no valid mix)
  //! (t, r): m_r(t), the MW of nameplate a dollar of its mix buys (mw_per_usd's formula); 0
  //! without a valid mix, or when neither placement "power" nor sizing "need" reads it.
  std::vector<double> mw_per_usd;
  //! Facilities sized to need: (1 − annual_failure_rate_h)^c at [h · (kMaxConstructionYears + 1)
  //! + c], what survives c years of failures (surviving_nameplate).
  std::vector<double> survive;
  //! Each hardware's retirement curve (gone_age, share_at, server, v3 of HardwareConstants) and
  //! the Weibull curves: the share of a cohort of age a that retires in the year,
  //! 1 − S(a)/S(a − 1), at [share_at + a] for a from 0 to 2·life − 1 (0 at age 0).
  std::vector<HardwareConstants> curve;
  std::vector<double> retire_share;
  //! Facilities sized to need, by the same index: 1 − retire_share, what stays of a cohort that
  //! year, and (1 − retire_share) · (1 − annual_failure_rate), what stays of its installed part.
  std::vector<double> keep_weibull, survive_weibull;
  //! Whether they were derived for a scenario of this shape (a sweep never changes it).
  [[nodiscard]] bool fits(const Scenario& s) const {
    return regions == s.regions.size() && hardware == s.hardware.size() &&
           years == s.horizon.years();
  }
};

//! Derives `c` from `s` (state.cpp).
void derive_constants(Constants& c, const Scenario& s);

//! A region's part of model v3's cost of capital (filled only when the scenario uses it).
struct RegionCapital {
  // The region's wacc by year index; by the year index its capacity comes online, the facility
  // capex capitalised (cash · (1 + i)^c with interest during construction, else the cash) and
  // its financing cost; by year index, the facility and other assets' capital charge and what
  // depreciates (capitalised facilities + other capex), and the embodied carbon of facilities
  // coming online.
  ArrayXd wacc, facility_capitalised_usd, facility_financing_usd;
  ArrayXd facility_annuity_usd, facility_asset_usd, facility_embodied_t;
  //! This year's facility and other assets, and the initial capacity: capital charge, book
  //! value at year end, embodied carbon amortised [USD, t CO2e].
  double facility_capital_charge_usd = 0, facility_book_usd = 0, facility_embodied_amortised_t = 0;
  //! Running sums while nothing has reached the end of its life (charge_capital).
  double running_charge_usd = 0, running_assets_usd = 0, running_age_weighted_usd = 0,
         running_embodied_t = 0;
};

//! A region over the run: its fleet, its facilities, and this year's money and sums.
struct RegionState {
  //! By vintage, oldest first; capacity kept between runs. The fleet is [head, size): retired
  //! cohorts at the front leave by advancing `head`, not by moving the others (ageing).
  std::vector<Cohort> cohorts;
  std::size_t head = 0;
  ArrayXd pipeline_mw;          //!< MW completing in each year index (beyond the horizon too)
  ArrayXd completions_mw;       //!< MW of built capacity completing in each year index
  ArrayXd facility_online_usd;  //!< facility capex by the year index its capacity comes online
  // Facility (from its online year) and other capex (from spending), by year index:
  // depreciation charge per year and gross facility capex. What is within its life is summed
  // in `facility_*_usd`.
  ArrayXd facility_charge_usd, facility_gross_usd;
  double facility_depreciation_usd = 0, facility_in_service_usd = 0;
  double online_mw = 0;              //!< owned online IT capacity: initial + built
  double built_online_mw = 0;        //!< the part built within the horizon (new_build_pue)
  double under_construction_mw = 0;  //!< sum of pipeline_mw
  double nameplate_mw = 0;           //!< nameplate of installed accelerators, kept current
  double room_mw = 0;                //!< capacity the caps still allow this year
  double lease_limit_mw = 0;         //!< max_lease_mw this year; 0 cannot lease, infinite no limit
  double leased_mw = 0;              //!< leased at the end of the year: nameplate beyond owned
  double pue = 1;                    //!< PUE_r(t): blended by capacity
  // This year's money [USD]: the region's shares, what it spent, what it could not.
  double budget_usd = 0, it_usd = 0, facility_usd = 0, other_usd = 0;
  double facility_spent_usd = 0, it_spent_usd = 0;
  double facility_committed_usd = 0;  //!< facility money already turned into MW this year
  double facility_excess_usd = 0;     //!< facility money its caps kept it from spending
  double it_excess_usd = 0;           //!< IT money it could not place (no power, nothing to buy)
  double it_room_usd = 0;             //!< IT money its free capacity can still take
  unsigned limit = 0;                 //!< the constraints that bound it this year (Limit)
  bool any_stranded = false;          //!< a cohort waits for power (after ageing)
  // Model v3, initial assets on the books: the initial capacity's charge this year [USD].
  double initial_facility_depreciation_usd = 0, initial_facility_in_service_usd = 0;
  //! Model v3, the cost of capital: apart, so that runs without it do not carry it through
  //! the cache (allocated once, when a run first uses it).
  std::unique_ptr<RegionCapital> capital;
  std::span<const Buy> buy;  //!< this year's mix over buyable hardware, unnormalised (Constants)
  bool valid_mix = false;
  double mix_sum = 0;
  double mw_per_usd = 0;  //!< this year's m_r (Constants::mw_per_usd)
  // This year's flows and sums over the cohorts.
  double failed = 0, retired = 0, purchased = 0, embodied_kg = 0;
  CohortSums sums;
  // Per hardware, kept only for rows by hardware.
  ArrayXd hw_installed, hw_stranded, hw_weighted, hw_failed, hw_retired, hw_purchased, hw_capex_usd,
      hw_stranded_usd;
  // Model v3: flows of kind server (failed, retired, purchased above count accelerators only),
  // and this year's keep purchases of step 5b (their cost, counts by kind, embodied carbon;
  // per hardware for rows by hardware).
  double servers_failed = 0, servers_retired = 0, servers_purchased = 0;
  double keep_usd = 0, kept_accelerators = 0, kept_servers = 0, keep_embodied_kg = 0;
  ArrayXd hw_kept, hw_keep_usd;
};

//! The engine's state over a run; buffers keep their capacity from one run to the next.
struct State {
  const Scenario* scenario = nullptr;
  std::vector<RegionState> regions;
  std::vector<HardwareConstants> hardware;
  Constants constants;      //!< derived from the scenario alone, kept between runs if unchanged
  ArrayXd weights;          //!< per region, this year (0 when closed)
  double carry_usd = 0;     //!< carried into this year
  double overflow_usd = 0;  //!< this year's IT money that found no power (step 6)
  // Model v3, carry-over by category: what was carried into this year, by category [USD]
  // (their sum is carry_usd); the year's money by category, over all regions.
  double carry_it_usd = 0, carry_facility_usd = 0, carry_other_usd = 0;
  double year_it_usd = 0, year_facility_usd = 0, year_other_usd = 0;
  double discount = 1.0;         //!< Π (1 + discount rate) over the years since the first
  bool cost_of_capital = false;  //!< Scenario::uses_cost_of_capital: its columns are computed
  //! CRF(i, n) computed so far in this run: a handful of (rate, life) pairs in most scenarios.
  struct CrfMemo {
    double rate = 0;
    int life = 0;
    double crf = 0;
  };
  mutable std::vector<CrfMemo> crf_memo;
  //! The first rate CRF was asked for in this run, and CRF at it by life (NaN: not yet): one
  //! wacc for every region and year is the common case, found by an index, not a search.
  mutable double crf_rate = kEmpty;
  mutable std::vector<double> crf_by_life;
  //! surviving_nameplate's scratch: the survivors of each kept hardware of the region.
  mutable std::vector<double> kept_units;
  //! Per hardware, for the cost of capital: 1 / lifetime_years and embodied kg / lifetime_years.
  std::vector<double> inverse_life, kg_per_year;
  [[nodiscard]] const Scenario& s() const { return *scenario; }
};

//! A region's fleet: its cohorts from `head` on, oldest first.
inline std::span<const Cohort> fleet(const RegionState& st) {
  return std::span<const Cohort>(st.cohorts).subspan(st.head);
}

//! The capital recovery factor CRF(i, n) = i / (1 − (1 + i)^−n), 1/n at i = 0: the share of
//! an asset's cost that, paid each year of its n-year life, repays it with interest at i.
double capital_recovery_factor(double rate, int life);

//! CRF(i, n) not found by crf's index: computed, or found in State::crf_memo.
double crf_remembered(const State& state, double rate, int life);

//! CRF(i, n), remembered for the run: at the run's first rate by an index (inline, the common
//! case), else in State::crf_memo.
inline double crf(const State& state, double rate, int life) {
  const auto n = static_cast<std::size_t>(life);
  if (rate == state.crf_rate && n < state.crf_by_life.size()) {
    const double v = state.crf_by_life[n];
    if (!std::isnan(v)) return v;
  }
  return crf_remembered(state, rate, life);
}

//! (1 + i)^c for a construction period of c years (0 ≤ c ≤ kMaxConstructionYears).
inline double compound(double rate, int years) {
  double g = 1.0;
  for (int k = 0; k < years; ++k) g *= 1.0 + rate;
  return g;
}

//! Model v3 (facilities sized to need): the nameplate [MW] of the region's units installed and
//! queued now (after step 2) that are still there at the end of `year + years_ahead`, each cohort
//! carried through the years ahead by retirement and failures, no purchase anticipated, except
//! that a kept installed base counts at its keep count of that year (t: this year's index).
double surviving_nameplate(const State& state, const RegionState& st, const Region& region, int t,
                           int year, int years_ahead);

//! What the steps of one year share.
//! Written by the steps in order and read by the later ones of the same year; a fresh Year
//! each year, so nothing of it carries over but through State::carry_usd.
struct Year {
  int t = 0;                                            //!< index into the horizon
  int year = 0;                                         //!< calendar year
  double new_usd = 0;                                   //!< B(t) / fx(t)
  double available_usd = 0;                             //!< new_usd + carry-over
  double weight_sum = 0;                                //!< over the open regions
  double unspent_usd = 0;                               //!< carried to next year
  double facility_unspent_usd = 0, it_unspent_usd = 0;  //!< its parts by category
  double available_eflop_year = 0;  //!< A: compute available at full use, all regions
  double utilisation = 0;
  double demand_eflop_year = 0;
};

//! Where the rows of a year go in Results.
//! With region rows: per year, each region's row (and its hardware rows), then the total row
//! (and its hardware rows). Without: one total row per year.
struct Layout {
  bool region_rows = true;
  Index per_region = 1;  //!< rows per region: 1, or 1 + hardware types
  Index per_year = 1;
  [[nodiscard]] Index row(int t, Index r, Index h = -1) const {
    return region_rows ? t * per_year + r * per_region + (h + 1) : Index{t};
  }
};

// Each reads the State and the Year that the steps before it wrote and writes its own part of
// them; none keeps state of its own. The templates on kByHw are instantiated twice (fleet.cpp,
// state.cpp, rows.cpp): rows by hardware cost only the runs that ask for them.
// The steps, in the order engine.cpp runs them.
template <bool kByHw>
void reset(State& state, const Scenario& scenario);  // initial fleet, capacity
void capacity_online(State& state, const Year& y);   // 1
template <bool kByHw>
void age_fleet(State& state, const Year& y);   // 2
void share_budget(State& state, Year& y);      // 3
void build_facilities(State& state, Year& y);  // 4
template <bool kByHw>
void install_queue(State& state);  // 5
template <bool kByHw>
void keep_installed_bases(State& state, const Year& y);  // 5b
void place_it_money(State& state, Year& y);              // 6: where IT money goes; the overflow
template <bool kByHw>
void buy_accelerators(State& state, const Year& y);   // 6: purchases, installs
void build_with_overflow(State& state, Year& y);      // 6: overflow on facilities
void settle_leases(State& state, const Year& y);      // 6, 8: leases, PUE_r, limits
void charge_facilities(State& state, const Year& y);  // 10: facility depreciation
void carry_over(State& state, const Year& y);         // 3 (v3): what carries, by category
void set_utilisation(const State& state, Year& y);    // 7
template <bool kByHw>
Layout prepare_rows(const State& state, const EngineOptions& options, Results& out);
template <bool kByHw>
void write_rows(State& state, const Year& y, const Layout& layout, Results& out);  // 8-12
void check_finite(const Results& out);

}  // namespace dcplan::engine
