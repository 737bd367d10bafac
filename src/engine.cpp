#include "dcplan/engine.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <vector>

#include <fmt/format.h>
#include "dcplan/error.hpp"

namespace dcplan {

namespace {

constexpr double kHoursPerYear = 8760.0;
constexpr double kEps = 1e-9;  //!< money [USD] and power [MW] below this are treated as zero
constexpr double kEmpty = std::numeric_limits<double>::quiet_NaN();
constexpr int kMaxConstructionYears = 20;  //!< schema bound on construction_years

using Eigen::ArrayXd;
using Eigen::Index;

//! A ratio, or an empty cell when the denominator is zero.
double ratio(double num, double den) {
  return den > 0 ? num / den : kEmpty;
}

//! A value clamped at zero where rounding left a tiny negative.
double non_negative(double v) {
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
};

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

  //! Adds a cohort whose installed part runs the share `f` of the year: first_year_fraction
  //! for this year's purchases, 1 otherwise. Returns its year-weighted count (installed · f).
  double add(const Cohort& c, const HardwareConstants& k, double f = 1.0) {
    const double weighted = c.installed * f;
    const double weighted_mw = weighted * k.w_mw;
    installed += c.installed;
    stranded += c.stranded;
    nameplate_mw += c.installed * k.w_mw;
    peak_tflops += c.installed * k.tflops;
    avail_tflops += weighted * k.tflops;
    load_idle_mw += weighted_mw * k.idle;
    load_busy_mw += weighted_mw * k.busy;
    stranded_usd += c.stranded * c.price_usd;
    it_depreciation_usd += c.depreciation_usd;
    it_in_service_usd += c.capex_usd;
    return weighted;
  }
};

//! One entry of a region's mix this year: a type it may buy, and its (unnormalised) share.
struct Buy {
  int hardware = 0;
  double share = 0;
};

struct RegionState {
  std::vector<Cohort> cohorts;  //!< by vintage, oldest first; capacity kept between runs
  ArrayXd pipeline;             //!< MW completing in each year index (beyond the horizon too)
  ArrayXd completions;          //!< MW of built capacity completing in each year index
  // Facility and other capex, by year index: depreciation charge per year and gross facility
  // capex. What is within its life is summed in `facility_*_usd`.
  ArrayXd facility_charge, facility_gross;
  double facility_depreciation_usd = 0, facility_in_service_usd = 0;
  double online_mw = 0;
  // This year's budget flows [USD].
  double budget = 0, it = 0, facility = 0, other = 0;
  double facility_spent = 0, it_spent = 0;
  double room_mw = 0;
  double under_construction_mw = 0;  //!< sum of pipeline
  double nameplate_mw = 0;           //!< nameplate of installed accelerators, kept current
  bool any_stranded = false;         //!< a cohort waits for power (after ageing)
  std::vector<int> buyable;          //!< hardware it may buy with a share in some year
  std::vector<Buy> buy;              //!< this year's mix over buyable hardware, unnormalised
  double excess = 0;                 //!< facility money the region could not spend itself
  double it_excess = 0;              //!< IT money the region could not spend (nothing on sale)
  bool valid_mix = false;
  double mix_sum = 0;
  // This year's flows and sums over the cohorts.
  double failed = 0, retired = 0, purchased = 0, embodied_kg = 0;
  CohortSums sums;
  // Per hardware, kept only for rows by hardware.
  ArrayXd hw_installed, hw_stranded, hw_weighted, hw_failed, hw_retired, hw_purchased, hw_capex,
      hw_stranded_usd;
};

}  // namespace

struct Engine::Impl {
  std::vector<RegionState> regions;
  std::vector<HardwareConstants> hw;
  ArrayXd on_sale;  //!< per hardware, this year: 1 when on sale
  ArrayXd weights;  //!< per region, this year (0 when closed)

  template <bool kByHw>
  void run(const Scenario& s, const EngineOptions& o, Results& out);
};

Engine::Engine() : impl_(std::make_unique<Impl>()) {}
Engine::~Engine() = default;
Engine::Engine(Engine&&) noexcept = default;
Engine& Engine::operator=(Engine&&) noexcept = default;

void Engine::run(const Scenario& scenario, const EngineOptions& options, Results& out) {
  // Rows by hardware are a separate instantiation, so the common case carries no test for them.
  if (options.by_hardware) {
    impl_->run<true>(scenario, options, out);
  } else {
    impl_->run<false>(scenario, options, out);
  }
}

Results simulate(const Scenario& scenario, const EngineOptions& options) {
  Results out;
  Engine().run(scenario, options, out);
  return out;
}

template <bool kByHw>
void Engine::Impl::run(const Scenario& s, const EngineOptions& o, Results& out) {
  const int Y = s.horizon.years();
  const Index R = static_cast<Index>(s.regions.size());
  const Index H = static_cast<Index>(s.hardware.size());
  const bool region_rows = o.region_rows || kByHw;
  DCPLAN_ASSERT(Y >= 1);

  hw.resize(static_cast<std::size_t>(H));
  for (Index h = 0; h < H; ++h) {
    const Hardware& x = s.hardware[static_cast<std::size_t>(h)];
    HardwareConstants& k = hw[static_cast<std::size_t>(h)];
    k.w_mw = x.all_in_w / 1e6;
    k.tflops = x.bf16_tflops;
    k.idle = x.idle_fraction;
    k.busy = 1.0 - x.idle_fraction;
    k.afr = x.annual_failure_rate;
    k.kg = x.embodied_kgco2e;
    k.life = x.lifetime_years;
  }
  auto price_usd = [&](Index h, Index t) {
    return s.hardware[static_cast<std::size_t>(h)].price_usd(t);
  };

  // Region state, reset (buffers keep their capacity from earlier runs). The initial fleet is
  // placed as cohorts of its vintages; those already past their lifetime retire in the first
  // year's ageing step.
  const Index years_ext = Y + kMaxConstructionYears + 1;
  regions.resize(static_cast<std::size_t>(R));
  for (Index r = 0; r < R; ++r) {
    RegionState& st = regions[static_cast<std::size_t>(r)];
    const Region& reg = s.regions[static_cast<std::size_t>(r)];
    st.cohorts.clear();
    for (const auto& c : reg.initial_fleet) {
      DCPLAN_ASSERT(c.vintage <= s.horizon.start);
      // Sunk: no capex, so no depreciation or maintenance.
      const Cohort cohort{
          .hardware = c.hardware,
          .vintage = c.vintage,
          .installed = c.count,
          .price_usd = c.vintage == s.horizon.start ? price_usd(c.hardware, 0) : 0.0};
      // Insertion by vintage, stable: initial fleets are short and usually in order.
      auto at = st.cohorts.end();
      while (at != st.cohorts.begin() && (at - 1)->vintage > c.vintage) --at;
      st.cohorts.insert(at, cohort);
    }
    st.pipeline.setZero(years_ext);
    st.completions.setZero(years_ext);
    st.buyable.clear();
    const auto& mix = s.capex.mix[static_cast<std::size_t>(r)];
    for (Index h = 0; h < H; ++h) {
      if (reg.allowed[static_cast<std::size_t>(h)] && (mix.row(h) > 0).any())
        st.buyable.push_back(static_cast<int>(h));
    }
    st.facility_charge.resize(Y);  // written each year before it is read
    st.facility_gross.resize(Y);
    st.facility_depreciation_usd = 0;
    st.facility_in_service_usd = 0;
    st.online_mw = reg.initial_it_capacity_mw;
    st.under_construction_mw = 0;
    if constexpr (kByHw) {
      for (ArrayXd* a : {&st.hw_installed, &st.hw_stranded, &st.hw_weighted, &st.hw_failed,
                         &st.hw_retired, &st.hw_purchased, &st.hw_capex, &st.hw_stranded_usd})
        a->setZero(H);
    }
  }
  weights.setZero(R);
  on_sale.setZero(H);

  // Output layout.
  const Index per_region = kByHw ? H + 1 : 1;
  const Index per_year = region_rows ? (R + 1) * per_region : 1;
  // Ids and row keys are rebuilt only when the layout changes (a sweep reuses them).
  bool same_ids =
      out.region_ids.size() == s.regions.size() && out.hardware_ids.size() == s.hardware.size();
  for (std::size_t i = 0; same_ids && i < s.regions.size(); ++i)
    same_ids = out.region_ids[i] == s.regions[i].id;
  for (std::size_t i = 0; same_ids && i < s.hardware.size(); ++i)
    same_ids = out.hardware_ids[i] == s.hardware[i].id;
  if (!same_ids) {
    out.region_ids.clear();
    for (const auto& r : s.regions) out.region_ids.push_back(r.id);
    out.hardware_ids.clear();
    for (const auto& h : s.hardware) out.hardware_ids.push_back(h.id);
  }
  out.has_demand = s.demand.has_value();
  const bool same_layout = same_ids && out.by_hardware == kByHw &&
                           out.keys.size() == static_cast<std::size_t>(per_year * Y) &&
                           !out.keys.empty() && out.keys.front().year == s.horizon.start &&
                           out.keys.front().region == (region_rows && R > 0 ? 0 : RowKey::kTotal);
  out.by_hardware = kByHw;
  if (!same_layout) {
    out.keys.resize(static_cast<std::size_t>(per_year * Y));
    for (int t = 0; t < Y; ++t) {
      for (Index r = 0; r <= R; ++r) {
        for (Index h = 0; h < per_region; ++h) {
          if (!region_rows && r < R) continue;
          RowKey& k = out.keys[static_cast<std::size_t>(
              region_rows ? t * per_year + r * per_region + h : t)];
          k.year = s.horizon.start + t;
          k.region = r == R ? RowKey::kTotal : static_cast<int>(r);
          k.hardware = h == 0 ? RowKey::kAll : static_cast<int>(h - 1);
        }
      }
    }
  }
  // Every cell of every row is written below; no need to clear.
  out.values.resize(per_year * Y, kNumCols);
  auto row = [&](int t, Index r, Index h = -1) {
    return region_rows ? t * per_year + r * per_region + (h + 1) : Index{t};
  };
  std::array<double, kNumCols> scratch{};  // a region's row when only totals are kept

  double carry = 0;       // USD carried into this year
  double discount = 1.0;  // Π (1 + discount rate) over the years since the first
  const double fyf = s.operations.first_year_fraction;

  for (int t = 0; t < Y; ++t) {
    const int year = s.horizon.start + t;
    if (t > 0) discount *= 1.0 + s.finance.discount_rate(t);

    // 1. Capacity online.
    for (auto& st : regions) {
      st.online_mw += st.pipeline(t);
      st.under_construction_mw -= st.pipeline(t);
      st.pipeline(t) = 0;
    }
    for (Index h = 0; h < H; ++h)
      on_sale(h) = s.hardware[static_cast<std::size_t>(h)].on_sale(year) ? 1.0 : 0.0;

    // 2. Ageing, retirement, failures: one pass over the cohorts, dropping the retired ones and
    // summing the nameplate of what remains. Stranded accelerators retire but never fail.
    for (auto& st : regions) {
      if constexpr (kByHw) {
        st.hw_failed.setZero();
        st.hw_retired.setZero();
      }
      // Sums in locals: the compiler cannot keep members of `st` in registers across the
      // stores to the cohorts.
      double failed = 0, retired = 0, nameplate = 0;
      bool any_stranded = false;
      Cohort* cs = st.cohorts.data();
      const std::size_t n = st.cohorts.size();
      auto retire = [&](const Cohort& c) {
        retired += c.installed + c.stranded;
        if constexpr (kByHw) st.hw_retired(c.hardware) += c.installed + c.stranded;
      };
      // The oldest cohorts usually retire first: they are dropped at the end in one move, and
      // the others are updated in place.
      std::size_t lead = 0;
      while (lead < n &&
             year - cs[lead].vintage >= hw[static_cast<std::size_t>(cs[lead].hardware)].life)
        retire(cs[lead++]);
      std::size_t kept = lead;
      for (std::size_t i = lead; i < n; ++i) {
        Cohort& c = cs[i];
        const HardwareConstants& k = hw[static_cast<std::size_t>(c.hardware)];
        const int age = year - c.vintage;
        if (age >= k.life) {
          retire(c);
          continue;
        }
        const double lost = age >= 1 ? c.installed * k.afr : 0.0;
        if constexpr (kByHw) st.hw_failed(c.hardware) += lost;
        failed += lost;
        const double installed = c.installed - lost;
        nameplate += installed * k.w_mw;
        any_stranded |= c.stranded > 0;
        if (kept == i) {
          c.installed = installed;
        } else {
          // Field by field into its place: a whole-struct copy right after stores to some of
          // its fields would stall on store forwarding.
          Cohort& d = cs[kept];
          d.hardware = c.hardware;
          d.vintage = c.vintage;
          d.installed = installed;
          d.stranded = c.stranded;
          d.price_usd = c.price_usd;
          d.capex_usd = c.capex_usd;
          d.depreciation_usd = c.depreciation_usd;
        }
        ++kept;
      }
      st.cohorts.erase(st.cohorts.begin() + static_cast<std::ptrdiff_t>(kept), st.cohorts.end());
      st.cohorts.erase(st.cohorts.begin(), st.cohorts.begin() + static_cast<std::ptrdiff_t>(lead));
      st.failed = failed;
      st.retired = retired;
      st.nameplate_mw = nameplate;
      st.any_stranded = any_stranded;
    }

    // 3. Budget.
    const double new_usd = s.capex.budget(t) / s.capex.fx_per_usd(t);
    const double available = new_usd + carry;
    double weight_sum = 0;
    for (Index r = 0; r < R; ++r) {
      const bool open = s.regions[static_cast<std::size_t>(r)].is_open(year);
      weights(r) = open ? s.capex.region_weight(r, t) : 0.0;
      weight_sum += weights(r);
    }
    carry = 0;
    double unspent = 0;  // carried to next year
    for (Index r = 0; r < R; ++r) {
      RegionState& st = regions[static_cast<std::size_t>(r)];
      const double share = weight_sum > 0 ? weights(r) / weight_sum : 0.0;
      st.budget = new_usd * share;
      st.it = available * s.capex.split_it(t) * share;
      st.facility = available * s.capex.split_facility(t) * share;
      st.other = available * s.capex.split_other(t) * share;
      st.excess = 0;
      st.it_excess = 0;
      st.facility_spent = 0;
      st.it_spent = 0;
    }
    if (weight_sum <= 0) unspent = available;

    // 4. Facilities, with water-filling of what a region cannot take.
    double pool = 0;
    for (Index r = 0; r < R; ++r) {
      RegionState& st = regions[static_cast<std::size_t>(r)];
      const Region& reg = s.regions[static_cast<std::size_t>(r)];
      const Index done = t + reg.construction_years;
      const Index cap_year = std::min<Index>(done, Y - 1);
      double room = std::numeric_limits<double>::infinity();
      if (reg.max_new_mw_per_year) {
        room = std::min(room, (*reg.max_new_mw_per_year)(cap_year)-st.completions(done));
      }
      if (reg.max_total_mw) {
        room = std::min(room, (*reg.max_total_mw)(t)-st.online_mw - st.under_construction_mw);
      }
      st.room_mw = std::max(0.0, room);
      if (weights(r) <= 0) st.room_mw = 0;
      const double price = reg.facility_capex_usd_per_mw(t);
      const double want_mw = st.facility / price;
      const double take = std::min(want_mw, st.room_mw);
      st.facility_spent = take * price;
      st.room_mw -= take;
      st.excess = std::max(0.0, st.facility - st.facility_spent);
      pool += st.excess;
    }
    for (Index pass = 0; pass <= R && pool > kEps; ++pass) {
      double w_room = 0;
      for (Index r = 0; r < R; ++r) {
        if (regions[static_cast<std::size_t>(r)].room_mw > kEps) w_room += weights(r);
      }
      if (w_room <= 0) break;
      double left = 0;
      for (Index r = 0; r < R; ++r) {
        RegionState& st = regions[static_cast<std::size_t>(r)];
        if (!(st.room_mw > kEps) || weights(r) <= 0) continue;
        const double price = s.regions[static_cast<std::size_t>(r)].facility_capex_usd_per_mw(t);
        const double give = pool * weights(r) / w_room;
        const double take = std::min(give / price, st.room_mw);
        st.facility_spent += take * price;
        st.room_mw -= take;
        left += std::max(0.0, give - take * price);
      }
      pool = left;
    }
    unspent += pool;
    const double facility_unspent = pool;
    for (Index r = 0; r < R; ++r) {
      RegionState& st = regions[static_cast<std::size_t>(r)];
      const Region& reg = s.regions[static_cast<std::size_t>(r)];
      const double mw = st.facility_spent / reg.facility_capex_usd_per_mw(t);
      const Index done = t + reg.construction_years;
      st.completions(done) += mw;
      if (reg.construction_years == 0) {
        st.online_mw += mw;
      } else {
        st.pipeline(done) += mw;
        st.under_construction_mw += mw;
      }
    }

    // 5. Stranded queue: oldest batch (vintage) first, into free capacity; every type in a batch
    // installs the same fraction. After that a cohort's counts are final for the year, so they
    // are summed for the rows here (step 6 adds this year's purchases to the same sums).
    // `f`: the share of the year the installed part runs.
    auto count = [&](RegionState& st, CohortSums& sums, const Cohort& c, double f) {
      const double weighted = sums.add(c, hw[static_cast<std::size_t>(c.hardware)], f);
      if constexpr (kByHw) {
        st.hw_installed(c.hardware) += c.installed;
        st.hw_stranded(c.hardware) += c.stranded;
        st.hw_weighted(c.hardware) += weighted;
        st.hw_stranded_usd(c.hardware) += c.stranded * c.price_usd;
      }
    };
    for (auto& st : regions) {
      if constexpr (kByHw) {
        st.hw_installed.setZero();
        st.hw_stranded.setZero();
        st.hw_weighted.setZero();
        st.hw_stranded_usd.setZero();
      }
      CohortSums sums;
      double free_mw = st.online_mw - st.nameplate_mw;
      Cohort* cs = st.cohorts.data();
      const std::size_t n = st.cohorts.size();
      for (std::size_t i = 0; i < n && st.any_stranded && free_mw > kEps;) {
        std::size_t j = i + 1;
        while (j < n && cs[j].vintage == cs[i].vintage) ++j;
        double need = 0;
        for (std::size_t k = i; k < j; ++k)
          need += cs[k].stranded * hw[static_cast<std::size_t>(cs[k].hardware)].w_mw;
        if (need > 0) {
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
          const double took = f == 1.0 ? need : free_mw;
          st.nameplate_mw += took;
          free_mw -= took;
        }
        i = j;
      }
      for (std::size_t i = 0; i < n; ++i) count(st, sums, cs[i], 1.0);
      st.sums = sums;
    }

    // 6. Accelerators: IT budget by hardware mix; regions with no hardware on sale spill.
    double it_pool = 0;
    double w_valid = 0;
    for (Index r = 0; r < R; ++r) {
      RegionState& st = regions[static_cast<std::size_t>(r)];
      // The mix renormalised over what the region may buy and what is on sale.
      const double* mix = s.capex.mix[static_cast<std::size_t>(r)].col(t).data();
      st.buy.clear();
      st.mix_sum = 0;
      for (const int h : st.buyable) {
        if (mix[h] > 0 && on_sale(h) > 0) {
          st.buy.push_back({h, mix[h]});
          st.mix_sum += mix[h];
        }
      }
      st.valid_mix = st.mix_sum > 0;
      if (!st.valid_mix && st.it > 0) {
        st.it_excess += st.it;
        it_pool += st.it;
        st.it = 0;
      }
      if (st.valid_mix) w_valid += weights(r);
    }
    double it_unspent = 0;
    if (it_pool > 0) {
      if (w_valid > 0) {
        for (Index r = 0; r < R; ++r) {
          RegionState& st = regions[static_cast<std::size_t>(r)];
          if (st.valid_mix) st.it += it_pool * weights(r) / w_valid;
        }
      } else {
        unspent += it_pool;
        it_unspent = it_pool;
      }
    }
    for (auto& st : regions) {
      st.purchased = 0;
      st.embodied_kg = 0;
      if constexpr (kByHw) {
        st.hw_purchased.setZero();
        st.hw_capex.setZero();
      }
      if (!st.valid_mix || st.it <= 0) continue;
      st.it_spent = st.it;
      // This year's cohorts, one per type in the mix; they install the same fraction f of
      // what they need, the rest waits as one batch.
      const std::size_t first = st.cohorts.size();
      const double per_share = st.it / st.mix_sum;
      double need = 0;
      for (const Buy& b : st.buy) {
        const Index h = b.hardware;
        const HardwareConstants& k = hw[static_cast<std::size_t>(h)];
        const double capex = per_share * b.share;
        const double bought = capex / price_usd(h, t);
        Cohort& c = st.cohorts.emplace_back();  // fields one by one: no store-forwarding stall
        c.hardware = static_cast<int>(h);
        c.vintage = year;
        c.installed = bought;  // split below, once the fraction that fits is known
        c.price_usd = price_usd(h, t);
        c.capex_usd = capex;
        c.depreciation_usd = capex / k.life;
        need += bought * k.w_mw;
        st.purchased += bought;
        st.embodied_kg += bought * k.kg;
        if constexpr (kByHw) {
          st.hw_purchased(h) = bought;
          st.hw_capex(h) = capex;
        }
      }
      // Free power below kEps is rounding left by the sums, as in step 5: nothing installs.
      const double free_mw = st.online_mw - st.nameplate_mw;
      const double f = need <= free_mw ? 1.0 : free_mw > kEps ? free_mw / need : 0.0;
      st.nameplate_mw += f * need;
      CohortSums sums = st.sums;
      for (std::size_t i = first; i < st.cohorts.size(); ++i) {
        Cohort& c = st.cohorts[i];
        const double bought = c.installed;
        c.installed = f * bought;
        c.stranded = bought - c.installed;
        count(st, sums, c, fyf);  // this year's purchases
      }
      st.sums = sums;
    }

    // Facility and other capex within the facility life: a running sum while nothing has
    // reached the end of its life, else the sum over the window (exact, no cancellation).
    const int fl = s.finance.facility_life_years;
    for (auto& st : regions) {
      st.facility_charge(t) = (st.facility_spent + st.other) / fl;
      st.facility_gross(t) = st.facility_spent;
      if (t < fl) {
        st.facility_depreciation_usd += st.facility_charge(t);
        st.facility_in_service_usd += st.facility_gross(t);
      } else {
        st.facility_depreciation_usd = st.facility_charge.segment(t - fl + 1, fl).sum();
        st.facility_in_service_usd = st.facility_gross.segment(t - fl + 1, fl).sum();
      }
    }

    // 7. Utilisation; A = compute available at full use, year-weighted [EFLOP-year]. The IT
    // load is linear in u: its two parts were summed with the cohorts, combined below.
    double avail_total = 0;
    for (const auto& st : regions) avail_total += st.sums.avail_tflops / 1e6;
    double u = s.operations.utilisation(t);
    double demand = 0;
    if (s.demand) {
      demand = s.demand->eflop_year(t);
      u = avail_total > 0 ? std::min(s.operations.max_utilisation(t), demand / avail_total) : 0.0;
    }

    // Carry-over: each category's leftover is attributed to the regions in proportion to that
    // category's excess (facility leftovers by facility excess, IT leftovers by IT excess);
    // with no region open, the whole sum by weight, else equally.
    carry = unspent;
    double facility_excess_sum = 0;
    double it_excess_sum = 0;
    for (const auto& st : regions) {
      facility_excess_sum += st.excess;
      it_excess_sum += st.it_excess;
    }
    double share_sum = 0;
    for (Index r = 0; r < R; ++r) share_sum += s.capex.region_weight(r, t);

    // 8-12 per region; each row is added to the total as soon as it is complete.
    const int t_row = t;
    double* tot = &out.values(row(t_row, R), 0);
    std::fill(tot, tot + kNumCols, 0.0);
    for (Index r = 0; r < R; ++r) {
      RegionState& st = regions[static_cast<std::size_t>(r)];
      const Region& reg = s.regions[static_cast<std::size_t>(r)];
      double* v = region_rows ? &out.values(row(t_row, r), 0) : scratch.data();
      const double it_load = st.sums.load_idle_mw + u * st.sums.load_busy_mw;
      const double avail = st.sums.avail_tflops / 1e6;
      const double pue = reg.pue(t);
      const double energy_mwh = it_load * pue * kHoursPerYear;
      const double elec = energy_mwh * reg.power_price_usd_per_mwh(t);
      // IT: every purchase is charged over its lifetime, which is exactly while its cohort is
      // listed (stranded or not, whatever fails).
      const double depreciation = st.sums.it_depreciation_usd + st.facility_depreciation_usd;
      const double maint =
          s.finance.maintenance_rate(t) * (st.sums.it_in_service_usd + st.facility_in_service_usd);
      const double capex = st.it_spent + st.facility_spent + st.other;
      const double grid = reg.grid_g_per_kwh(t) * (1.0 - reg.renewable_share(t));

      v[kBudgetUsd] = st.budget;
      v[kCapexItUsd] = st.it_spent;
      v[kCapexFacilityUsd] = st.facility_spent;
      v[kCapexOtherUsd] = st.other;
      v[kCapexUsd] = capex;
      v[kStrandedCapexUsd] = st.sums.stranded_usd;
      v[kAcceleratorsPurchased] = st.purchased;
      v[kAcceleratorsInstalled] = st.sums.installed;
      v[kAcceleratorsStranded] = st.sums.stranded;
      v[kAcceleratorsFailed] = st.failed;
      v[kAcceleratorsRetired] = st.retired;
      v[kItCapacityMw] = st.online_mw;
      v[kItCapacityPipelineMw] = st.under_construction_mw;
      v[kItNameplateMw] = st.sums.nameplate_mw;
      v[kItLoadMw] = it_load;
      v[kPue] = pue;
      v[kFacilityPowerMw] = it_load * pue;
      v[kEnergyTwh] = energy_mwh / 1e6;
      v[kPeakPflops] = st.sums.peak_tflops / 1e3;
      v[kDeliveredEflopYear] = u * avail;
      v[kUtilisation] = u;
      v[kElectricityCostUsd] = elec;
      v[kMaintenanceUsd] = maint;
      v[kOpexUsd] = elec + maint;
      v[kDepreciationUsd] = depreciation;
      v[kTcoUsd] = depreciation + elec + maint;
      v[kCostPerEflopYearUsd] = ratio(v[kTcoUsd], v[kDeliveredEflopYear]);
      v[kDiscountedCostUsd] = (capex + elec + maint) / discount;
      v[kOperationalTco2] = energy_mwh * grid / 1e3;
      v[kEmbodiedTco2] = st.embodied_kg / 1e3;
      if (s.demand) {
        const double d = avail_total > 0 ? demand * avail / avail_total : 0.0;
        v[kDemandEflopYear] = d;
        v[kUnmetEflopYear] = non_negative(d - v[kDeliveredEflopYear]);
        if (s.demand->price_usd_per_eflop_year) {
          v[kRevenueUsd] = v[kDeliveredEflopYear] * (*s.demand->price_usd_per_eflop_year)(t);
          v[kMarginUsd] = v[kRevenueUsd] - v[kTcoUsd];
        } else {
          v[kRevenueUsd] = kEmpty;
          v[kMarginUsd] = kEmpty;
        }
      } else {
        v[kDemandEflopYear] = kEmpty;
        v[kUnmetEflopYear] = kEmpty;
        v[kRevenueUsd] = kEmpty;
        v[kMarginUsd] = kEmpty;
      }
      if (weight_sum <= 0) {
        // No region open: the whole sum, and the new budget, by weight (else equally).
        const double share =
            share_sum > 0 ? s.capex.region_weight(r, t) / share_sum : 1.0 / static_cast<double>(R);
        v[kCarryoverUsd] = carry * share;
        v[kBudgetUsd] = new_usd * share;
      } else {
        v[kCarryoverUsd] =
            (facility_excess_sum > 0 ? facility_unspent * st.excess / facility_excess_sum : 0.0) +
            (it_excess_sum > 0 ? it_unspent * st.it_excess / it_excess_sum : 0.0);
      }
      using Row = Eigen::Array<double, 1, kNumCols>;
      Eigen::Map<Row>(tot) += Eigen::Map<const Row>(v);

      if constexpr (kByHw) {
        for (Index h = 0; h < H; ++h) {
          const HardwareConstants& k = hw[static_cast<std::size_t>(h)];
          auto hv = out.values.row(row(t_row, r, h));
          hv.setConstant(kEmpty);
          const double weighted = st.hw_weighted(h);
          const double hw_load = weighted * k.w_mw * (k.idle + k.busy * u);
          const double hw_energy = hw_load * pue * kHoursPerYear;
          hv(kCapexItUsd) = st.hw_capex(h);
          hv(kStrandedCapexUsd) = st.hw_stranded_usd(h);
          hv(kAcceleratorsPurchased) = st.hw_purchased(h);
          hv(kAcceleratorsInstalled) = st.hw_installed(h);
          hv(kAcceleratorsStranded) = st.hw_stranded(h);
          hv(kAcceleratorsFailed) = st.hw_failed(h);
          hv(kAcceleratorsRetired) = st.hw_retired(h);
          hv(kItNameplateMw) = st.hw_installed(h) * k.w_mw;
          hv(kItLoadMw) = hw_load;
          hv(kPue) = pue;
          hv(kFacilityPowerMw) = hw_load * pue;
          hv(kEnergyTwh) = hw_energy / 1e6;
          hv(kPeakPflops) = st.hw_installed(h) * k.tflops / 1e3;
          hv(kDeliveredEflopYear) = u * weighted * k.tflops / 1e6;
          hv(kUtilisation) = u;
          hv(kElectricityCostUsd) = hw_energy * reg.power_price_usd_per_mwh(t);
          hv(kOperationalTco2) = hw_energy * grid / 1e3;
          hv(kEmbodiedTco2) = st.hw_purchased(h) * k.kg / 1e3;
        }
      }
    }

    // Totals: every ratio column is recomputed from the sums, and the columns that do not
    // apply are emptied.
    if (R == 0) {
      // No region at all: the budget is still the year's budget, and all of it carries over.
      tot[kBudgetUsd] = new_usd;
      tot[kCarryoverUsd] = carry;
    }
    tot[kPue] = ratio(tot[kFacilityPowerMw], tot[kItLoadMw]);
    tot[kUtilisation] = avail_total > 0 ? u : kEmpty;
    tot[kCostPerEflopYearUsd] = ratio(tot[kTcoUsd], tot[kDeliveredEflopYear]);
    if (s.demand && !(avail_total > 0)) {
      // No compute at all: the whole demand is unmet. It belongs to no region, so it shows in
      // the total row only (the one exception to totals = sum of regions).
      tot[kDemandEflopYear] = demand;
      tot[kUnmetEflopYear] = demand;
    }
    if (!s.demand) {
      tot[kDemandEflopYear] = tot[kUnmetEflopYear] = tot[kRevenueUsd] = tot[kMarginUsd] = kEmpty;
    } else if (!s.demand->price_usd_per_eflop_year) {
      tot[kRevenueUsd] = tot[kMarginUsd] = kEmpty;
    }
    if constexpr (kByHw) {
      for (Index h = 0; h < H; ++h) {
        auto hv = out.values.row(row(t_row, R, h));
        hv.setZero();
        for (Index r = 0; r < R; ++r)
          hv += out.values.row(row(t_row, r, h))
                    .isNaN()
                    .select(0.0, out.values.row(row(t_row, r, h)));
        const auto& sample = out.values.row(row(t_row, 0 < R ? 0 : R, h));
        for (int c = 0; c < kNumCols; ++c) {
          if (R > 0 && is_empty_cell(sample(c))) hv(c) = kEmpty;
        }
        hv(kPue) = ratio(hv(kFacilityPowerMw), hv(kItLoadMw));
        hv(kUtilisation) = avail_total > 0 ? u : kEmpty;
      }
    }
  }

  // No infinity, and no NaN outside the cells that are empty by design, ever leaves the engine:
  // numbers that large (a budget of 1e300 or a price of 1e-300) are an input problem.
  // The total rows suffice: every extensive column of a total is a sum over the regions, and an
  // infinity or NaN in any region survives the sum.
  for (Eigen::Index row_i = 0; row_i < out.values.rows(); ++row_i) {
    const auto& key = out.keys[static_cast<std::size_t>(row_i)];
    if (key.region != RowKey::kTotal || key.hardware != RowKey::kAll) continue;
    for (int c = 0; c < kNumCols; ++c) {
      const double x = out.values(row_i, c);
      if (std::isfinite(x)) continue;
      const auto& info = column_info(static_cast<Col>(c));
      if (std::isnan(x) && (info.kind == ColumnKind::kRatio || info.demand_only)) continue;
      throw InputError("", "",
                       fmt::format("the numbers overflow: {} is {} in {} for {} (expected finite "
                                   "values; check very large budgets or very small prices)",
                                   info.name, x, out.keys[static_cast<std::size_t>(row_i)].year,
                                   out.region_name(row_i)));
    }
  }
}

}  // namespace dcplan
