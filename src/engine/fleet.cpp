// The fleet: ageing, failures and retirement (step 2), the stranded queue (step 5), purchases
// and their installation (step 6). A region's fleet is a list of cohorts, oldest first.
//
// Conservation of units, per region and per kind (tested over generated scenarios):
//   initial + purchased = installed + stranded + retired + failed, cumulated over the years.
// Units enter only as the initial fleet, step-6 purchases and step-5b keep purchases; they
// leave only by retirement (installed or waiting, step 2) or failure (installed only, step 2);
// the queue (step 5) and a purchase's split into installed and waiting move units between
// `installed` and `stranded` of one cohort and never create or lose any. Every count is a real
// number: nothing is rounded to whole units.
//
// Units: counts of units; power in MW (HardwareConstants::w_mw, all_in_w / 1e6); money in USD.
#include <algorithm>
#include <cmath>
#include <limits>

#include "dcplan/results.hpp"
#include "engine/model.hpp"

namespace dcplan::engine {

namespace {

//! Model v3, the cost of capital: a purchase's yearly annuity, CRF at this year's wacc over its
//! lifetime times its capex, and the units bought (its embodied carbon amortised).
void book_capital(const State& state, const RegionState& st, Cohort& c, const HardwareConstants& k,
                  int t, double units) {
  c.charge_usd = c.capex_usd * crf(state, st.capital->wacc(t), k.life);
  c.bought = units;
}

//! Adds a cohort's final counts for the year to the sums the rows read (and, for rows by
//! hardware, to its type's). `f`: the share of the year its installed part runs.
template <bool kByHw>
void count(RegionState& st, CohortSums& sums, const Cohort& c, const HardwareConstants& k,
           double f) {
  const double weighted = sums.add(c, k, f);
  if constexpr (kByHw) {
    st.hw_installed(c.hardware) += c.installed;
    st.hw_stranded(c.hardware) += c.stranded;
    st.hw_weighted(c.hardware) += weighted;
    st.hw_stranded_usd(c.hardware) += c.stranded * c.price_usd;
  }
}

//! Model v3's part of ageing a cohort of age ≥ 1 that is a server or on a Weibull curve: a share
//! retires by the curve, installed and waiting alike (past its book life the cohort leaves the
//! books); returns the failures that follow on the rest, with both counted by kind.
template <bool kByHw>
double age_v3(RegionState& st, Cohort& c, const HardwareConstants& k, int age, const double* shares,
              double& retired, double& servers_retired, double& servers_failed, double& failed) {
  if (k.share_at >= 0) {
    const double q = shares[k.share_at + age];
    const double gone_installed = c.installed * q;
    const double gone_stranded = c.stranded * q;
    (k.server ? servers_retired : retired) += gone_installed + gone_stranded;
    if constexpr (kByHw) st.hw_retired(c.hardware) += gone_installed + gone_stranded;
    c.installed -= gone_installed;
    c.stranded -= gone_stranded;
    if (age >= k.life) c.capex_usd = c.depreciation_usd = c.charge_usd = c.bought = 0;
  }
  const double lost = c.installed * k.afr;
  (k.server ? servers_failed : failed) += lost;
  return lost;
}

//! Step 2 for one region (docs/model.md): every cohort ages to `year`. With L = lifetime_years
//! and age a = year − vintage:
//!   - a cohort of age a >= gone_age leaves whole as retired, installed and waiting alike
//!     (gone_age = L under the step curve, 2L under Weibull, where the curve is truncated);
//!   - under Weibull, a cohort of age a >= 1 first loses R = n · (1 − S(a)/S(a − 1)) (age_v3);
//!   - then a cohort of age a >= 1 loses F = (n_installed − R_installed) · annual_failure_rate of
//!     its installed part: waiting units never fail, and age 0 neither retires nor fails.
//! Writes this year's failed and retired counts by kind, and recomputes the region's nameplate
//! Σ installed · w [MW] from the survivors: it is the one place nameplate is set from scratch
//! each year, the later steps only add to it.
template <bool kByHw>
void age_region(RegionState& st, const std::vector<HardwareConstants>& hw, const double* shares,
                int year) {
  if constexpr (kByHw) {
    st.hw_failed.setZero();
    st.hw_retired.setZero();
  }
  // Sums in locals: the compiler cannot keep members of `st` in registers across the stores
  // to the cohorts.
  double failed = 0, retired = 0, nameplate = 0;
  double servers_failed = 0, servers_retired = 0;
  bool any_stranded = false;
  Cohort* cs = st.cohorts.data();
  const std::size_t n = st.cohorts.size();
  auto retire = [&](const Cohort& c) {
    const double units = c.installed + c.stranded;
    (hw[static_cast<std::size_t>(c.hardware)].server ? servers_retired : retired) += units;
    if constexpr (kByHw) st.hw_retired(c.hardware) += units;
  };
  // The oldest cohorts usually retire first: they leave by advancing the head, and the others
  // are updated in place. A cohort is gone whole at its lifetime under the step curve, at twice
  // it under Weibull.
  std::size_t lead = st.head;
  // Cohorts gone whole from the front (the oldest first, as the list is ordered).
  while (lead < n &&
         year - cs[lead].vintage >= hw[static_cast<std::size_t>(cs[lead].hardware)].gone_age)
    retire(cs[lead++]);
  std::size_t kept = lead;
  for (std::size_t i = lead; i < n; ++i) {
    Cohort& c = cs[i];
    const HardwareConstants& k = hw[static_cast<std::size_t>(c.hardware)];
    const int age = year - c.vintage;
    if (age >= k.gone_age) {
      retire(c);
      continue;
    }
    double lost = 0;
    if (k.v3) [[unlikely]] {
      if (age >= 1)
        lost =
            age_v3<kByHw>(st, c, k, age, shares, retired, servers_retired, servers_failed, failed);
    } else {
      lost = age >= 1 ? c.installed * k.afr : 0.0;
      failed += lost;
    }
    if constexpr (kByHw) st.hw_failed(c.hardware) += lost;
    // Failed units leave the fleet and free their power: they are not replaced, and count in
    // accelerators_failed (or servers_failed), never again in installed.
    const double installed = c.installed - lost;
    nameplate += installed * k.w_mw;
    any_stranded |= c.stranded > 0;
    if (kept == i) {
      c.installed = installed;
    } else {
      // Field by field into its place: a whole-struct copy right after stores to some of its
      // fields would stall on store forwarding.
      Cohort& d = cs[kept];
      d.hardware = c.hardware;
      d.vintage = c.vintage;
      d.installed = installed;
      d.stranded = c.stranded;
      d.price_usd = c.price_usd;
      d.capex_usd = c.capex_usd;
      d.depreciation_usd = c.depreciation_usd;
      d.charge_usd = c.charge_usd;
      d.bought = c.bought;
    }
    ++kept;
  }
  // Survivors were compacted to [lead, kept): drop the tail left by cohorts gone in the middle;
  // the retired head is passed over. The order of the survivors, by vintage, is unchanged.
  st.cohorts.resize(kept);
  st.head = lead;
  st.failed = failed;
  st.retired = retired;
  st.servers_failed = servers_failed;
  st.servers_retired = servers_retired;
  st.nameplate_mw = nameplate;
  st.any_stranded = any_stranded;
}

//! Installs waiting batches, oldest vintage first, into the free capacity; every type in a
//! batch installs the same fraction. Then sums every cohort for the rows.
//!
//! Step 5 (docs/model.md): the free capacity is F_r = K_r + Lmax_r(t) − Σ n·w, owned online
//! capacity plus what the region may lease, less the nameplate installed after step 2. A batch is
//! the cohorts of one vintage (one year's purchases, of several types); it installs whole when
//! its need Σ stranded · w fits, else every type in it installs the same fraction F_r / need,
//! and younger batches wait behind it. Queue installs run the whole year (f = 1 in step 8).
//! The sums over the cohorts are taken here, after the queue and before step 6, so that this
//! year's purchases can be added to them with their first-year fraction.
template <bool kByHw>
void install_region_queue(RegionState& st, const std::vector<HardwareConstants>& hw) {
  if constexpr (kByHw) {
    st.hw_installed.setZero();
    st.hw_stranded.setZero();
    st.hw_weighted.setZero();
    st.hw_stranded_usd.setZero();
  }
  CohortSums sums;
  double free_mw = st.online_mw + st.lease_limit_mw - st.nameplate_mw;
  Cohort* cs = st.cohorts.data();
  const std::size_t n = st.cohorts.size();
  for (std::size_t i = st.head; i < n && st.any_stranded && free_mw > kEps;) {
    // [i, j): the cohorts of one vintage, the batch.
    std::size_t j = i + 1;
    while (j < n && cs[j].vintage == cs[i].vintage) ++j;
    double need = 0;
    for (std::size_t k = i; k < j; ++k)
      need += cs[k].stranded * hw[static_cast<std::size_t>(cs[k].hardware)].w_mw;
    if (need > 0) {
      // f: the fraction of the batch that fits, the same for every type in it.
      const double f = need <= free_mw ? 1.0 : free_mw / need;
      for (std::size_t k = i; k < j; ++k) {
        if (f == 1.0) {
          cs[k].installed += cs[k].stranded;
          cs[k].stranded = 0;
        } else {
          cs[k].installed += f * cs[k].stranded;
          cs[k].stranded *= 1.0 - f;
        }
      }
      // What the batch took: all of the free capacity when it did not fit, so that a younger
      // batch does not see a remainder made of rounding.
      const double took = f == 1.0 ? need : free_mw;
      st.nameplate_mw += took;
      free_mw -= took;
    }
    i = j;
  }
  for (std::size_t i = st.head; i < n; ++i)
    count<kByHw>(st, sums, cs[i], hw[static_cast<std::size_t>(cs[i].hardware)], 1.0);
  st.sums = sums;
}

//! This year's cohorts, one per type in the mix; they install the same fraction of what they
//! need, the rest waits as one batch.
//!
//! Step 6 for one region (docs/model.md): n_h = IT_r · s_h / price_h(t), with the mix shares s_h
//! renormalised over what the region may buy and is on sale (per_share = IT_r / Σ s). The whole
//! of IT_r is spent (it_spent_usd): under placement "power", place_it_money took out of it_usd
//! the money that could find no power, so what remains fits (unless the overflow "strand" gave
//! it more); under "weights" it buys whatever its power, and what does not fit waits in the
//! queue. Each cohort's capex is booked in full now and depreciates over lifetime_years from
//! this year, installed or waiting (step 10). The installed part runs first_year_fraction of the
//! year (step 8).
template <bool kByHw>
void buy_in_region(RegionState& st, const State& state, const Year& y) {
  const Scenario& s = state.s();
  const auto& hw = state.hardware;
  st.it_spent_usd = st.it_usd;
  const std::size_t first = st.cohorts.size();
  // Dividing by the sum of the shares renormalises the mix over what the region may buy.
  const double per_share = st.it_usd / st.mix_sum;
  double need = 0;
  // The flows in locals, added in the same order: stores to the cohorts could alias members.
  double purchased = st.purchased, servers_purchased = st.servers_purchased;
  double embodied_kg = st.embodied_kg;
  for (const Buy& b : st.buy) {
    const auto h = static_cast<std::size_t>(b.hardware);
    const HardwareConstants& k = hw[h];
    const double price = b.price_usd;
    const double capex = per_share * b.share;
    const double bought = capex / price;
    Cohort& c = st.cohorts.emplace_back();  // fields one by one: no store-forwarding stall
    c.hardware = b.hardware;
    c.vintage = y.year;
    c.installed = bought;  // split below, once the fraction that fits is known
    c.price_usd = price;
    c.capex_usd = capex;
    c.depreciation_usd = capex / k.life;
    if (state.cost_of_capital) [[unlikely]]
      book_capital(state, st, c, k, y.t, bought);
    need += bought * k.w_mw;
    if (k.server) {
      servers_purchased += bought;
    } else {
      purchased += bought;
    }
    embodied_kg += bought * k.kg;
    if constexpr (kByHw) {
      st.hw_purchased(b.hardware) = bought;
      st.hw_capex_usd(b.hardware) = capex;
    }
  }
  st.purchased = purchased;
  st.servers_purchased = servers_purchased;
  st.embodied_kg = embodied_kg;
  // Free power below kEps is rounding left by the sums, as in step 5: nothing installs. Money
  // placed by power fits by construction: a shortfall within rounding is no shortfall.
  const double free_mw = st.online_mw + st.lease_limit_mw - st.nameplate_mw;
  const bool placed = s.capex.placement == Placement::kPower;
  // f: the fraction of this year's purchases that installs (1 when all fit).
  const double f = need <= free_mw || (placed && need <= free_mw + 1e-9 * (1.0 + need)) ? 1.0
                   : free_mw > kEps ? free_mw / need
                                    : 0.0;
  // Every cohort of this year installs the same fraction f; the rest waits as one batch of
  // vintage t, which step 5 of later years installs oldest first.
  st.nameplate_mw += f * need;
  CohortSums sums = st.sums;
  const double first_year_fraction = s.operations.first_year_fraction;
  for (std::size_t i = first; i < st.cohorts.size(); ++i) {
    Cohort& c = st.cohorts[i];
    const double bought = c.installed;
    c.installed = f * bought;
    c.stranded = bought - c.installed;
    count<kByHw>(st, sums, c, hw[static_cast<std::size_t>(c.hardware)], first_year_fraction);
  }
  st.sums = sums;
}

}  // namespace

template <bool kByHw>
void age_fleet(State& state, const Year& y) {
  for (auto& st : state.regions)
    age_region<kByHw>(st, state.hardware, state.constants.retire_share.data(), y.year);
}

template <bool kByHw>
void install_queue(State& state) {
  for (auto& st : state.regions) install_region_queue<kByHw>(st, state.hardware);
}

template <bool kByHw>
void buy_accelerators(State& state, const Year& y) {
  for (auto& st : state.regions) {
    st.purchased = 0;
    st.servers_purchased = 0;
    st.embodied_kg = 0;
    if constexpr (kByHw) {
      st.hw_purchased.setZero();
      st.hw_capex_usd.setZero();
    }
    if (!st.valid_mix || st.it_usd <= 0) continue;
    buy_in_region<kByHw>(st, state, y);
  }
}

// Step 5b (model v3): installed bases kept. After the queue installs and before IT money is
// placed, each open region buys what it is short of each kept type on sale, in hardware-id
// order:
//   Δ = max(0, keep(t) − installed − queued)     (counts after steps 2 and 5)
//   n = min(Δ, F_r / all_in_w), and n ≤ IT_r / price(t) under keep_funding "budget"
// F_r, the free capacity of step 5, and IT_r, the region's own IT share, fall with each
// purchase. Kept units install at once as a cohort of vintage t, like step-6 purchases; their
// cost is capex_keep_usd. A shortfall left shows in the limit: power (no room), budget (no
// money), hardware (not on sale).
namespace {

//! Units of hardware `h` in the region, installed and queued: what an installed base kept in
//! step 5b already holds. A linear pass: a region has a few cohorts.
double held(const RegionState& st, int h) {
  double n = 0;
  for (const Cohort& c : fleet(st)) {
    if (c.hardware == h) n += c.installed + c.stranded;
  }
  return n;
}

//! Step 5b for one open region: its kept types in hardware-id order (Region::keep is sorted),
//! each buying what it is short of within the room left by the types before it. `room` and
//! `money` are recomputed for every type because each purchase raises nameplate_mw and, under
//! keep_funding "budget", lowers it_usd. A shortfall beyond rounding (1e-9 relative) adds its
//! limit, so that a fill exact but for rounding reports nothing. Kept units install at once, as
//! a cohort of vintage t appended at the end of the list (the order by vintage holds), and run
//! first_year_fraction of the year like any purchase of the year.
template <bool kByHw>
void keep_in_region(RegionState& st, const Region& region, const State& state, const Year& y) {
  const Scenario& s = state.s();
  constexpr double kNoLimit = std::numeric_limits<double>::infinity();
  const bool from_budget = s.capex.keep_funding == KeepFunding::kBudget;
  for (const Keep& keep : region.keep) {
    const auto h = static_cast<std::size_t>(keep.hardware);
    const HardwareConstants& k = state.hardware[h];
    // Δ = max(0, keep(t) − installed − queued): the count after steps 2 and 5.
    const double short_by = std::max(0.0, keep.count(y.t) - held(st, keep.hardware));
    if (!(short_by > 0)) continue;
    // Not on sale this year: the shortfall stays, with the limit `hardware`.
    if (!s.hardware[h].on_sale(y.year)) {
      st.limit |= kLimitHardware;
      continue;
    }
    const double price = s.hardware[h].price_usd(y.t);
    // Units the free capacity can power, and units the region's IT money can buy (budget only).
    const double room = std::max(0.0, st.online_mw + st.lease_limit_mw - st.nameplate_mw) / k.w_mw;
    const double money = from_budget ? std::max(0.0, st.it_usd) / price : kNoLimit;
    const double tolerance = 1e-9 * (1.0 + short_by);
    if (short_by - room > tolerance) st.limit |= kLimitPower;
    if (short_by - money > tolerance) st.limit |= kLimitBudget;
    // n = min(Δ, F_r / w, IT_r / price): what it is short of, within room and money.
    const double n = std::min({short_by, room, money});
    if (!(n > 0)) continue;
    const double usd = n * price;
    // Under keep_funding "budget" the purchase comes out of the region's IT share before step 6.
    if (from_budget) st.it_usd = std::max(0.0, st.it_usd - usd);
    Cohort& c = st.cohorts.emplace_back();
    c.hardware = keep.hardware;
    c.vintage = y.year;
    c.installed = n;
    c.price_usd = price;
    c.capex_usd = usd;
    c.depreciation_usd = usd / k.life;
    if (state.cost_of_capital) [[unlikely]]
      book_capital(state, st, c, k, y.t, n);
    st.nameplate_mw += n * k.w_mw;
    st.keep_usd += usd;
    (k.server ? st.kept_servers : st.kept_accelerators) += n;
    st.keep_embodied_kg += n * k.kg;
    if constexpr (kByHw) {
      st.hw_kept(keep.hardware) += n;
      st.hw_keep_usd(keep.hardware) += usd;
    }
    count<kByHw>(st, st.sums, c, k, s.operations.first_year_fraction);
  }
}

}  // namespace

template <bool kByHw>
void keep_installed_bases(State& state, const Year& y) {
  const Scenario& s = state.s();
  for (std::size_t r = 0; r < state.regions.size(); ++r) {
    RegionState& st = state.regions[r];
    st.keep_usd = st.kept_accelerators = st.kept_servers = st.keep_embodied_kg = 0;
    if constexpr (kByHw) {
      st.hw_kept.setZero();
      st.hw_keep_usd.setZero();
    }
    const Region& region = s.regions[r];
    if (!region.keep.empty() && region.is_open(y.year)) keep_in_region<kByHw>(st, region, state, y);
  }
}

//! After steps 5, 5b and 6, with this year's fleet final: the lease of each region (step 6),
//! its PUE (step 8) and the last of its limits.
//!   - Lease L_r = max(0, Σ n·w − K_r): owned capacity fills first, the lease takes the rest and
//!     shrinks as soon as owned capacity grows or retirements free it. The installs never took
//!     more than K_r + Lmax_r, so L_r <= Lmax_r at the time of the installs; a limit that falls
//!     later evicts no one. A region without a lease price leases nothing.
//!   - PUE_r(t) = (K0 · pue + Kb · new_build_pue + L · pue) / (K0 + Kb + L). It is computed only
//!     when the region sets a new_build_pue that differs from pue this year: otherwise PUE_r is
//!     pue itself, not a blend equal to it up to rounding, so the version-2 numbers stay the
//!     same to the last bit.
//!   - Limits: `power` when units of either kind wait at year end; `budget` when the region was
//!     given money (including IT money it gave to the pool) and nothing else bound it.
void settle_leases(State& state, const Year& y) {
  const Scenario& s = state.s();
  for (std::size_t r = 0; r < state.regions.size(); ++r) {
    RegionState& st = state.regions[r];
    const Region& region = s.regions[r];
    // Owned capacity fills first; the lease is the rest, and shrinks as owned capacity frees.
    st.leased_mw =
        region.lease_usd_per_mw_year ? std::max(0.0, st.nameplate_mw - st.online_mw) : 0.0;
    // PUE_r(t): the initial and leased capacity at pue, the capacity built at new_build_pue.
    const double pue = region.pue(y.t);
    st.pue = pue;
    if (region.new_build_pue && (*region.new_build_pue)(y.t) != pue) {
      const double initial = region.initial_it_capacity_mw;
      const double all = initial + st.built_online_mw + st.leased_mw;
      if (all > 0) {
        st.pue =
            ((initial + st.leased_mw) * pue + st.built_online_mw * (*region.new_build_pue)(y.t)) /
            all;
      }
    }
    if (st.sums.stranded > 0 || st.sums.servers_stranded > 0) st.limit |= kLimitPower;
    const bool given = st.it_usd + st.facility_usd + st.other_usd + st.it_excess_usd > kEps;
    if (st.limit == 0 && given) st.limit = kLimitBudget;
  }
}

//! (Declared in model.hpp.) The P of facilities sized to need (docs/model.md, model v3): read in
//! step 3, before this year's purchases, so the cohorts are those left by step 2. `t` indexes the
//! horizon (for keep counts); `year` is the calendar year the cohorts' ages are taken from.
double surviving_nameplate(const State& state, const RegionState& st, const Region& region, int t,
                           int year, int years_ahead) {
  // Step 2 carried forward through years year + 1 … year + years_ahead, as ageing would: in each,
  // a cohort whose age reaches gone_age retires whole; under a Weibull curve its share of the
  // year retires, installed and queued alike; then the installed part loses annual_failure_rate
  // (every age ahead is >= 1). Queued batches do not fail.
  double mw = 0;
  std::vector<double>& kept_units = state.kept_units;  // survivors of each kept hardware
  kept_units.assign(region.keep.size(), 0.0);
  for (const Cohort& c : fleet(st)) {
    const HardwareConstants& k = state.hardware[static_cast<std::size_t>(c.hardware)];
    // Gone whole by the end of year + years_ahead: it needs no capacity then.
    if (year + years_ahead - c.vintage >= k.gone_age) continue;
    double installed = c.installed, stranded = c.stranded;
    if (k.share_at >= 0) {
      for (int j = 1; j <= years_ahead; ++j) {
        // 1 − share and (1 − share) · (1 − afr) of that age, computed once (Constants).
        const auto a = static_cast<std::size_t>(k.share_at + year + j - c.vintage);
        installed *= state.constants.survive_weibull[a];
        stranded *= state.constants.keep_weibull[a];
      }
    } else if (years_ahead > 0) {
      // (1 − afr)^years_ahead, computed once per scenario (Constants::survive).
      installed *= state.constants
                       .survive[static_cast<std::size_t>(c.hardware) * (kMaxConstructionYears + 1) +
                                static_cast<std::size_t>(years_ahead)];
    }
    mw += (installed + stranded) * k.w_mw;
    for (std::size_t i = 0; i < region.keep.size(); ++i) {
      if (region.keep[i].hardware == c.hardware) kept_units[i] += installed + stranded;
    }
  }
  // Under keep_funding "budget" a kept installed base is held at its count of year + years_ahead
  // (the last year of the horizon beyond it) out of the region's money: what it will hold beyond
  // its survivors needs the region's halls too. Funded "separately", it is not the budget's to
  // house (it takes free capacity, or leases, in step 5b).
  if (state.s().capex.keep_funding != KeepFunding::kBudget) return mw;
  const Index last = static_cast<Index>(state.s().horizon.years()) - 1;
  const Index ahead = std::min<Index>(static_cast<Index>(t + years_ahead), last);
  for (std::size_t i = 0; i < region.keep.size(); ++i) {
    const Keep& keep = region.keep[i];
    const double w = state.hardware[static_cast<std::size_t>(keep.hardware)].w_mw;
    mw += std::max(0.0, keep.count(ahead) - kept_units[i]) * w;
  }
  return mw;
}

template void age_fleet<true>(State&, const Year&);
template void age_fleet<false>(State&, const Year&);
template void install_queue<true>(State&);
template void install_queue<false>(State&);
template void buy_accelerators<true>(State&, const Year&);
template void buy_accelerators<false>(State&, const Year&);
template void keep_installed_bases<true>(State&, const Year&);
template void keep_installed_bases<false>(State&, const Year&);

}  // namespace dcplan::engine
