#include "dcplan/engine.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
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
using Eigen::ArrayXXd;
using Eigen::Index;

//! A ratio, or an empty cell when the denominator is zero.
double ratio(double num, double den) {
  return den > 0 ? num / den : kEmpty;
}

//! A value clamped at zero where rounding left a tiny negative.
double non_negative(double v) {
  return v < 0 && v > -1e-6 * (1 + std::abs(v)) ? 0.0 : v;
}

struct RegionState {
  ArrayXXd fleet;        //!< installed accelerators, hardware × age
  ArrayXXd queue;        //!< stranded accelerators, hardware × age
  ArrayXd new_installs;  //!< installed in step 6 of this year, per hardware
  ArrayXd installed;     //!< installed at year end, per hardware
  ArrayXd stranded;      //!< waiting for power at year end, per hardware
  ArrayXd purchased;     //!< bought this year, per hardware
  ArrayXd failed;        //!< per hardware, this year
  ArrayXd retired;       //!< per hardware, this year
  ArrayXd capex_it_hw;   //!< per hardware, this year
  ArrayXd pipeline;      //!< MW completing in each year index (beyond the horizon too)
  ArrayXd completions;   //!< MW of built capacity completing in each year index
  ArrayXd depreciation;  //!< scheduled depreciation by year index [USD]
  ArrayXd in_service;    //!< gross IT + facility capex within its life by year index [USD]
  double online_mw = 0;
  // This year's budget flows [USD].
  double budget = 0, it = 0, facility = 0, other = 0;
  double facility_spent = 0, it_spent = 0;
  double room_mw = 0;
  double under_construction_mw = 0;  //!< sum of pipeline
  double nameplate_mw = 0;           //!< nameplate of installed accelerators, kept current
  ArrayXd eff_mix;                   //!< this year's mix over buyable hardware, unnormalised
  double excess = 0;                 //!< money the region could not spend itself
  bool valid_mix = false;
  double mix_sum = 0;
};

}  // namespace

struct Engine::Impl {
  std::vector<RegionState> regions;
  ArrayXd w_mw, tflops, idle, afr, kg;  //!< per hardware: all_in_w in MW, BF16, ...
  std::vector<int> life;
  // Scratch per hardware for the outputs of one region (no allocation in the year loop).
  ArrayXd weighted, draw_mw;
  ArrayXXd allowed;          //!< hardware × region: 1 where the region may install the hardware
  ArrayXXd prices;           //!< hardware × year: price_usd
  ArrayXXd initial_retired;  //!< region × hardware: initial cohorts past their lifetime
  std::vector<std::pair<int, ArrayXd>> life_groups;  //!< lifetime → 0/1 mask over hardware
  ArrayXd on_sale;                                   //!< per hardware, this year: 1 when on sale
  ArrayXd weights;                                   //!< per region, this year (0 when closed)

  void run(const Scenario& s, const EngineOptions& o, Results& out);
};

Engine::Engine() : impl_(std::make_unique<Impl>()) {}
Engine::~Engine() = default;
Engine::Engine(Engine&&) noexcept = default;
Engine& Engine::operator=(Engine&&) noexcept = default;

void Engine::run(const Scenario& scenario, const EngineOptions& options, Results& out) {
  impl_->run(scenario, options, out);
}

Results simulate(const Scenario& scenario, const EngineOptions& options) {
  Results out;
  Engine().run(scenario, options, out);
  return out;
}

void Engine::Impl::run(const Scenario& s, const EngineOptions& o, Results& out) {
  const int Y = s.horizon.years();
  const Index R = static_cast<Index>(s.regions.size());
  const Index H = static_cast<Index>(s.hardware.size());
  DCPLAN_ASSERT(Y >= 1);

  // Per-hardware constants.
  w_mw.resize(H);
  tflops.resize(H);
  idle.resize(H);
  afr.resize(H);
  kg.resize(H);
  life.resize(static_cast<std::size_t>(H));
  int max_life = 1;
  for (Index h = 0; h < H; ++h) {
    const Hardware& hw = s.hardware[static_cast<std::size_t>(h)];
    w_mw(h) = hw.all_in_w / 1e6;
    tflops(h) = hw.bf16_tflops;
    idle(h) = hw.idle_fraction;
    afr(h) = hw.annual_failure_rate;
    kg(h) = hw.embodied_kgco2e;
    life[static_cast<std::size_t>(h)] = hw.lifetime_years;
    max_life = std::max(max_life, hw.lifetime_years);
  }
  const Index A = max_life + 1;  // ages 0..max_life; age max_life always retires
  life_groups.clear();
  for (Index h = 0; h < H; ++h) {
    const Index l = life[static_cast<std::size_t>(h)];
    auto g = std::find_if(life_groups.begin(), life_groups.end(),
                          [&](const auto& x) { return x.first == l; });
    if (g == life_groups.end()) {
      life_groups.emplace_back(static_cast<int>(l), ArrayXd::Zero(H));
      g = life_groups.end() - 1;
    }
    g->second(h) = 1.0;
  }

  const Index years_ext = Y + kMaxConstructionYears + 1;

  // Region state, reset (buffers keep their capacity from earlier runs).
  regions.resize(static_cast<std::size_t>(R));
  for (Index r = 0; r < R; ++r) {
    RegionState& st = regions[static_cast<std::size_t>(r)];
    const Region& reg = s.regions[static_cast<std::size_t>(r)];
    st.fleet.setZero(H, A);
    st.queue.setZero(H, A);
    st.new_installs.setZero(H);
    st.installed.setZero(H);
    st.stranded.setZero(H);
    st.purchased.setZero(H);
    st.failed.setZero(H);
    st.retired.setZero(H);
    st.capex_it_hw.setZero(H);
    st.pipeline.setZero(years_ext);
    st.completions.setZero(years_ext);
    st.depreciation.setZero(Y);
    st.in_service.setZero(Y);
    st.online_mw = reg.initial_it_capacity_mw;
    st.under_construction_mw = 0;
    st.eff_mix.setZero(H);
  }
  weights.setZero(R);
  weighted.setZero(H);
  draw_mw.setZero(H);
  on_sale.setZero(H);
  allowed.setZero(H, R);
  prices.resize(H, Y);
  for (Index h = 0; h < H; ++h)
    prices.row(h) = s.hardware[static_cast<std::size_t>(h)].price_usd.transpose();
  for (Index r = 0; r < R; ++r) {
    for (Index h = 0; h < H; ++h) {
      allowed(h, r) =
          s.regions[static_cast<std::size_t>(r)].allowed[static_cast<std::size_t>(h)] ? 1.0 : 0.0;
    }
  }
  std::array<bool, kNumCols> ratio_col{};
  for (int c = 0; c < kNumCols; ++c)
    ratio_col[static_cast<std::size_t>(c)] =
        column_info(static_cast<Col>(c)).kind == ColumnKind::kRatio;

  // Output layout.
  const Index per_region = o.by_hardware ? H + 1 : 1;
  const Index per_year = (R + 1) * per_region;
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
  const bool same_layout = same_ids && out.by_hardware == o.by_hardware &&
                           out.keys.size() == static_cast<std::size_t>(per_year * Y) &&
                           !out.keys.empty() && out.keys.front().year == s.horizon.start;
  out.by_hardware = o.by_hardware;
  if (!same_layout) {
    out.keys.resize(static_cast<std::size_t>(per_year * Y));
    for (int t = 0; t < Y; ++t) {
      for (Index r = 0; r <= R; ++r) {
        for (Index h = 0; h < per_region; ++h) {
          RowKey& k = out.keys[static_cast<std::size_t>(t * per_year + r * per_region + h)];
          k.year = s.horizon.start + t;
          k.region = r == R ? RowKey::kTotal : static_cast<int>(r);
          k.hardware = h == 0 ? RowKey::kAll : static_cast<int>(h - 1);
        }
      }
    }
  }
  // Every cell of every row is written below; no need to clear.
  out.values.resize(per_year * Y, kNumCols);
  auto row = [&](int t, Index r, Index h = -1) { return t * per_year + r * per_region + (h + 1); };

  // The initial fleet, placed at its age in the first year. Cohorts already past their
  // lifetime retire in the first year.
  initial_retired.setZero(std::max<Index>(R, 1), std::max<Index>(H, 1));
  for (Index r = 0; r < R; ++r) {
    RegionState& st = regions[static_cast<std::size_t>(r)];
    for (const auto& c : s.regions[static_cast<std::size_t>(r)].initial_fleet) {
      const int age = s.horizon.start - c.vintage;
      if (age >= life[static_cast<std::size_t>(c.hardware)]) {
        initial_retired(r, c.hardware) += c.count;
      } else {
        st.fleet(c.hardware, age) += c.count;
      }
    }
  }

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

    // 2. Ageing, retirement, failures.
    for (Index r = 0; r < R; ++r) {
      RegionState& st = regions[static_cast<std::size_t>(r)];
      // One fused pass over (age, hardware): column shift, retirement at age >= lifetime,
      // failures of the survivors aged 1..lifetime-1, nameplate of what remains. The fleet is
      // column-major (hardware × age), so a column is one age.
      double* f = st.fleet.data();
      double* q = st.queue.data();
      if (t > 0) {
        // The last column is always empty here, since age max_life retires.
        std::memmove(f + H, f, sizeof(double) * static_cast<std::size_t>(H * (A - 1)));
        std::memmove(q + H, q, sizeof(double) * static_cast<std::size_t>(H * (A - 1)));
        std::fill(f, f + H, 0.0);
        std::fill(q, q + H, 0.0);
        st.retired.setZero();
      } else {
        st.retired = initial_retired.row(r).head(H).transpose();
      }
      st.failed.setZero();
      double nameplate = 0;
      for (Index a = 0; a < A; ++a) {
        for (Index h = 0; h < H; ++h) {
          const Index k = a * H + h;
          if (a >= life[static_cast<std::size_t>(h)]) {
            st.retired(h) += f[k] + q[k];
            f[k] = 0;
            q[k] = 0;
          } else if (a >= 1 && f[k] > 0) {
            const double lost = f[k] * afr(h);
            st.failed(h) += lost;
            f[k] -= lost;
          }
          nameplate += f[k] * w_mw(h);
        }
      }
      st.nameplate_mw = nameplate;
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

    // 5. Stranded queue: oldest batch first, into free capacity.
    for (auto& st : regions) {
      double free_mw = st.online_mw - st.nameplate_mw;
      for (Index a = A - 1; a >= 0 && free_mw > kEps; --a) {
        const double need = (st.queue.col(a) * w_mw).sum();
        if (need <= 0) continue;
        if (need <= free_mw) {
          st.fleet.col(a) += st.queue.col(a);
          st.queue.col(a).setZero();
          free_mw -= need;
          st.nameplate_mw += need;
        } else {
          const double f = free_mw / need;
          st.fleet.col(a) += f * st.queue.col(a);
          st.queue.col(a) *= 1.0 - f;
          st.nameplate_mw += free_mw;
          free_mw = 0;
        }
      }
    }

    // 6. Accelerators: IT budget by hardware mix; regions with no hardware on sale spill.
    double it_pool = 0;
    double w_valid = 0;
    for (Index r = 0; r < R; ++r) {
      RegionState& st = regions[static_cast<std::size_t>(r)];
      st.eff_mix = s.capex.mix[static_cast<std::size_t>(r)].col(t) * allowed.col(r) * on_sale;
      st.mix_sum = st.eff_mix.sum();
      st.valid_mix = st.mix_sum > 0;
      if (!st.valid_mix && st.it > 0) {
        st.excess += st.it;
        it_pool += st.it;
        st.it = 0;
      }
      if (st.valid_mix) w_valid += weights(r);
    }
    if (it_pool > 0) {
      if (w_valid > 0) {
        for (Index r = 0; r < R; ++r) {
          RegionState& st = regions[static_cast<std::size_t>(r)];
          if (st.valid_mix) st.it += it_pool * weights(r) / w_valid;
        }
      } else {
        unspent += it_pool;
      }
    }
    for (Index r = 0; r < R; ++r) {
      RegionState& st = regions[static_cast<std::size_t>(r)];
      st.purchased.setZero();
      st.new_installs.setZero();
      st.capex_it_hw.setZero();
      if (!st.valid_mix || st.it <= 0) continue;
      st.capex_it_hw = (st.it / st.mix_sum) * st.eff_mix;
      st.purchased = st.capex_it_hw / prices.col(t);
      st.it_spent = st.it;
      const double free_mw = st.online_mw - st.nameplate_mw;
      const double need = (st.purchased * w_mw).sum();
      const double f = need <= free_mw ? 1.0 : std::max(0.0, free_mw) / need;
      st.nameplate_mw += f * need;
      st.new_installs = f * st.purchased;
      st.fleet.col(0) += st.new_installs;
      st.queue.col(0) += st.purchased - st.new_installs;
      // Depreciation and maintenance schedules: each purchase over its lifetime (hardware
      // grouped by lifetime, so one segment update per distinct lifetime).
      for (const auto& [l, mask] : life_groups) {
        const double c = (st.capex_it_hw * mask).sum();
        if (c <= 0) continue;
        const Index n = std::min<Index>(l, Y - t);
        st.depreciation.segment(t, n) += c / l;
        st.in_service.segment(t, n) += c;
      }
    }

    // Facility and other capex schedules: over the facility life.
    const int fl = s.finance.facility_life_years;
    for (auto& st : regions) {
      const Index n = std::min<Index>(fl, Y - t);
      st.depreciation.segment(t, n) += (st.facility_spent + st.other) / fl;
      st.in_service.segment(t, n) += st.facility_spent;
    }

    // 7. Utilisation; A = compute available at full use, year-weighted [EFLOP-year].
    double avail_total = 0;
    for (auto& st : regions) {
      st.installed.setZero();
      st.stranded.setZero();
      const double* f = st.fleet.data();
      const double* q = st.queue.data();
      for (Index a = 0; a < A; ++a) {
        for (Index h = 0; h < H; ++h) {
          st.installed(h) += f[a * H + h];
          st.stranded(h) += q[a * H + h];
        }
      }
      double avail = 0;
      for (Index h = 0; h < H; ++h)
        avail += (st.installed(h) - (1.0 - fyf) * st.new_installs(h)) * tflops(h);
      avail_total += avail / 1e6;
    }
    double u = s.operations.utilisation(t);
    double demand = 0;
    if (s.demand) {
      demand = s.demand->eflop_year(t);
      u = avail_total > 0 ? std::min(s.operations.max_utilisation(t), demand / avail_total) : 0.0;
    }

    // 8-12 per region, with the totals.
    const int t_row = t;
    for (Index r = 0; r < R; ++r) {
      RegionState& st = regions[static_cast<std::size_t>(r)];
      const Region& reg = s.regions[static_cast<std::size_t>(r)];
      auto v = out.values.row(row(t_row, r));
      const ArrayXd& installed = st.installed;
      const ArrayXd& stranded = st.stranded;
      double it_load = 0, avail = 0, installed_sum = 0, stranded_sum = 0, nameplate = 0, peak = 0,
             purchased_sum = 0, embodied_kg = 0;
      for (Index h = 0; h < H; ++h) {
        weighted(h) = installed(h) - (1.0 - fyf) * st.new_installs(h);
        draw_mw(h) = weighted(h) * w_mw(h) * (idle(h) + (1.0 - idle(h)) * u);
        it_load += draw_mw(h);
        avail += weighted(h) * tflops(h);
        installed_sum += installed(h);
        stranded_sum += stranded(h);
        nameplate += installed(h) * w_mw(h);
        peak += installed(h) * tflops(h);
        purchased_sum += st.purchased(h);
        embodied_kg += st.purchased(h) * kg(h);
      }
      avail /= 1e6;
      const double pue = reg.pue(t);
      const double energy_mwh = it_load * pue * kHoursPerYear;
      double stranded_value = 0;
      if (stranded_sum > 0) {
        for (Index a = 0; a < A && a <= t; ++a) {
          const double* q = st.queue.data() + a * H;
          for (Index h = 0; h < H; ++h) stranded_value += q[h] * prices(h, t - a);
        }
      }
      const double elec = energy_mwh * reg.power_price_usd_per_mwh(t);
      const double maint = s.finance.maintenance_rate(t) * st.in_service(t);
      const double capex = st.it_spent + st.facility_spent + st.other;
      const double grid = reg.grid_g_per_kwh(t) * (1.0 - reg.renewable_share(t));

      v(kBudgetUsd) = st.budget;
      v(kCapexItUsd) = st.it_spent;
      v(kCapexFacilityUsd) = st.facility_spent;
      v(kCapexOtherUsd) = st.other;
      v(kCapexUsd) = capex;
      v(kStrandedCapexUsd) = stranded_value;
      v(kAcceleratorsPurchased) = purchased_sum;
      v(kAcceleratorsInstalled) = installed_sum;
      v(kAcceleratorsStranded) = stranded_sum;
      v(kAcceleratorsFailed) = st.failed.sum();
      v(kAcceleratorsRetired) = st.retired.sum();
      v(kItCapacityMw) = st.online_mw;
      v(kItCapacityPipelineMw) = st.under_construction_mw;
      v(kItNameplateMw) = nameplate;
      v(kItLoadMw) = it_load;
      v(kPue) = pue;
      v(kFacilityPowerMw) = it_load * pue;
      v(kEnergyTwh) = energy_mwh / 1e6;
      v(kPeakPflops) = peak / 1e3;
      v(kDeliveredEflopYear) = u * avail;
      v(kUtilisation) = u;
      v(kElectricityCostUsd) = elec;
      v(kMaintenanceUsd) = maint;
      v(kOpexUsd) = elec + maint;
      v(kDepreciationUsd) = st.depreciation(t);
      v(kTcoUsd) = st.depreciation(t) + elec + maint;
      v(kCostPerEflopYearUsd) = ratio(v(kTcoUsd), v(kDeliveredEflopYear));
      v(kDiscountedCostUsd) = (capex + elec + maint) / discount;
      v(kOperationalTco2) = energy_mwh * grid / 1e3;
      v(kEmbodiedTco2) = embodied_kg / 1e3;
      if (s.demand) {
        const double d = avail_total > 0 ? demand * avail / avail_total : 0.0;
        v(kDemandEflopYear) = d;
        v(kUnmetEflopYear) = non_negative(d - v(kDeliveredEflopYear));
        if (s.demand->price_usd_per_eflop_year) {
          v(kRevenueUsd) = v(kDeliveredEflopYear) * (*s.demand->price_usd_per_eflop_year)(t);
          v(kMarginUsd) = v(kRevenueUsd) - v(kTcoUsd);
        } else {
          v(kRevenueUsd) = kEmpty;
          v(kMarginUsd) = kEmpty;
        }
      } else {
        v(kDemandEflopYear) = kEmpty;
        v(kUnmetEflopYear) = kEmpty;
        v(kRevenueUsd) = kEmpty;
        v(kMarginUsd) = kEmpty;
      }

      if (o.by_hardware) {
        for (Index h = 0; h < H; ++h) {
          auto hv = out.values.row(row(t_row, r, h));
          hv.setConstant(kEmpty);
          const double hw_load = draw_mw(h);
          const double hw_energy = hw_load * pue * kHoursPerYear;
          double hw_stranded_value = 0;
          for (Index a = 0; a < A && a <= t && stranded(h) > 0; ++a) {
            hw_stranded_value += st.queue(h, a) * prices(h, t - a);
          }
          hv(kCapexItUsd) = st.capex_it_hw(h);
          hv(kStrandedCapexUsd) = hw_stranded_value;
          hv(kAcceleratorsPurchased) = st.purchased(h);
          hv(kAcceleratorsInstalled) = installed(h);
          hv(kAcceleratorsStranded) = stranded(h);
          hv(kAcceleratorsFailed) = st.failed(h);
          hv(kAcceleratorsRetired) = st.retired(h);
          hv(kItNameplateMw) = installed(h) * w_mw(h);
          hv(kItLoadMw) = hw_load;
          hv(kPue) = pue;
          hv(kFacilityPowerMw) = hw_load * pue;
          hv(kEnergyTwh) = hw_energy / 1e6;
          hv(kPeakPflops) = installed(h) * tflops(h) / 1e3;
          hv(kDeliveredEflopYear) = u * weighted(h) * tflops(h) / 1e6;
          hv(kUtilisation) = u;
          hv(kElectricityCostUsd) = hw_energy * reg.power_price_usd_per_mwh(t);
          hv(kOperationalTco2) = hw_energy * grid / 1e3;
          hv(kEmbodiedTco2) = st.purchased(h) * kg(h) / 1e3;
        }
      }
    }

    // Carry-over: attributed to regions in proportion to the excess each could not spend;
    // with none (no region open), by weight, else equally.
    carry = unspent;
    double excess_sum = 0;
    for (const auto& st : regions) excess_sum += st.excess;
    double share_sum = 0;
    for (Index r = 0; r < R; ++r) share_sum += s.capex.region_weight(r, t);
    for (Index r = 0; r < R; ++r) {
      double share;
      if (excess_sum > 0) {
        share = regions[static_cast<std::size_t>(r)].excess / excess_sum;
      } else if (share_sum > 0) {
        share = s.capex.region_weight(r, t) / share_sum;
      } else {
        share = 1.0 / static_cast<double>(R);
      }
      out.values(row(t_row, r), kCarryoverUsd) = carry * share;
      if (weight_sum <= 0) {
        // No region open: the new budget is attributed like the carry-over.
        out.values(row(t_row, r), kBudgetUsd) = new_usd * share;
      }
    }

    // Totals: sums over regions; ratios recomputed.
    auto tot = out.values.row(row(t_row, R));
    tot.setZero();
    for (Index r = 0; r < R; ++r) {
      auto v = out.values.row(row(t_row, r));
      for (int c = 0; c < kNumCols; ++c) {
        if (!ratio_col[static_cast<std::size_t>(c)]) tot(c) += v(c);
      }
    }
    if (R == 0) tot(kCarryoverUsd) = carry;
    tot(kPue) = ratio(tot(kFacilityPowerMw), tot(kItLoadMw));
    tot(kUtilisation) = avail_total > 0 ? u : kEmpty;
    tot(kCostPerEflopYearUsd) = ratio(tot(kTcoUsd), tot(kDeliveredEflopYear));
    if (!s.demand) {
      tot(kDemandEflopYear) = tot(kUnmetEflopYear) = tot(kRevenueUsd) = tot(kMarginUsd) = kEmpty;
    } else if (!s.demand->price_usd_per_eflop_year) {
      tot(kRevenueUsd) = tot(kMarginUsd) = kEmpty;
    }
    if (o.by_hardware) {
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
