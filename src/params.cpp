#include "params.hpp"

#include <array>

#include "json_io.hpp"

namespace dcplan::params {

namespace {

using S = Scenario;
using Z = std::size_t;
using C = const std::string&;
using B = bool;

Storage traj(Eigen::ArrayXd& a) {
  return {&a, nullptr, nullptr};
}
Storage traj(std::optional<Eigen::ArrayXd>& a, bool create) {
  if (create && !a) a.emplace();
  return {a ? &*a : nullptr, nullptr, nullptr};
}
Storage num(double& d) {
  return {nullptr, &d, nullptr};
}
Storage integer(int& i) {
  return {nullptr, nullptr, &i};
}

Region& region(S& s, Z i) {
  return s.regions[i];
}
Hardware& hw(S& s, Z i) {
  return s.hardware[i];
}

using Sc = Scope;
using Sh = Shape;

// clang-format off
const std::array kTable = {
  // Regions.
  Param{"pue", Sc::kRegion, Sh::kTrajectory, [](S& s, Z i, C, B) { return traj(region(s, i).pue); }},
  Param{"power_price_usd_per_mwh", Sc::kRegion, Sh::kTrajectory, [](S& s, Z i, C, B) { return traj(region(s, i).power_price_usd_per_mwh); }},
  Param{"grid_g_per_kwh", Sc::kRegion, Sh::kTrajectory, [](S& s, Z i, C, B) { return traj(region(s, i).grid_g_per_kwh); }},
  Param{"renewable_share", Sc::kRegion, Sh::kTrajectory, [](S& s, Z i, C, B) { return traj(region(s, i).renewable_share); }},
  Param{"facility_capex_usd_per_mw", Sc::kRegion, Sh::kTrajectory, [](S& s, Z i, C, B) { return traj(region(s, i).facility_capex_usd_per_mw); }},
  Param{"max_new_mw_per_year", Sc::kRegion, Sh::kTrajectory, [](S& s, Z i, C, B create) { return traj(region(s, i).max_new_mw_per_year, create); }},
  Param{"max_total_mw", Sc::kRegion, Sh::kTrajectory, [](S& s, Z i, C, B create) { return traj(region(s, i).max_total_mw, create); }},
  Param{"construction_years", Sc::kRegion, Sh::kInteger, [](S& s, Z i, C, B) { return integer(region(s, i).construction_years); }},
  Param{"initial/it_capacity_mw", Sc::kRegion, Sh::kNumber, [](S& s, Z i, C, B) { return num(region(s, i).initial_it_capacity_mw); }, false, true},
  // Hardware.
  Param{"price_usd", Sc::kHardware, Sh::kTrajectory, [](S& s, Z i, C, B) { return traj(hw(s, i).price_usd); }},
  Param{"bf16_tflops", Sc::kHardware, Sh::kNumber, [](S& s, Z i, C, B) { return num(hw(s, i).bf16_tflops); }},
  Param{"all_in_w", Sc::kHardware, Sh::kNumber, [](S& s, Z i, C, B) { return num(hw(s, i).all_in_w); }, false, true},
  Param{"hbm_gb", Sc::kHardware, Sh::kNumber, [](S& s, Z i, C, B) { return num(hw(s, i).hbm_gb); }},
  Param{"tdp_w", Sc::kHardware, Sh::kNumber, [](S& s, Z i, C, B) { return num(hw(s, i).tdp_w); }},
  Param{"idle_fraction", Sc::kHardware, Sh::kNumber, [](S& s, Z i, C, B) { return num(hw(s, i).idle_fraction); }},
  Param{"annual_failure_rate", Sc::kHardware, Sh::kNumber, [](S& s, Z i, C, B) { return num(hw(s, i).annual_failure_rate); }},
  Param{"embodied_kgco2e", Sc::kHardware, Sh::kNumber, [](S& s, Z i, C, B) { return num(hw(s, i).embodied_kgco2e); }},
  Param{"lifetime_years", Sc::kHardware, Sh::kInteger, [](S& s, Z i, C, B) { return integer(hw(s, i).lifetime_years); }},
  Param{"available", Sc::kHardware, Sh::kInteger, [](S& s, Z i, C, B) { return integer(hw(s, i).available); }, false, true},
  // Exchange rates.
  Param{"", Sc::kCurrency, Sh::kTrajectory, [](S& s, Z, C code, B) { return traj(s.fx_per_usd.at(code)); }},
  // The plan, operations, finance, demand.
  Param{"/capex/budget", Sc::kTop, Sh::kTrajectory, [](S& s, Z, C, B) { return traj(s.capex.budget); }},
  Param{"/capex/split/it", Sc::kTop, Sh::kTrajectory, [](S& s, Z, C, B) { return traj(s.capex.split_it); }, true},
  Param{"/capex/split/facility", Sc::kTop, Sh::kTrajectory, [](S& s, Z, C, B) { return traj(s.capex.split_facility); }, true},
  Param{"/capex/split/other", Sc::kTop, Sh::kTrajectory, [](S& s, Z, C, B) { return traj(s.capex.split_other); }, true},
  Param{"/operations/utilisation", Sc::kTop, Sh::kTrajectory, [](S& s, Z, C, B) { return traj(s.operations.utilisation); }},
  Param{"/operations/max_utilisation", Sc::kTop, Sh::kTrajectory, [](S& s, Z, C, B) { return traj(s.operations.max_utilisation); }},
  Param{"/operations/first_year_fraction", Sc::kTop, Sh::kNumber, [](S& s, Z, C, B) { return num(s.operations.first_year_fraction); }},
  Param{"/finance/discount_rate", Sc::kTop, Sh::kTrajectory, [](S& s, Z, C, B) { return traj(s.finance.discount_rate); }},
  Param{"/finance/maintenance_rate", Sc::kTop, Sh::kTrajectory, [](S& s, Z, C, B) { return traj(s.finance.maintenance_rate); }},
  Param{"/finance/facility_life_years", Sc::kTop, Sh::kInteger, [](S& s, Z, C, B) { return integer(s.finance.facility_life_years); }},
  Param{"/demand/eflop_year", Sc::kTop, Sh::kTrajectory, [](S& s, Z, C, B) { return s.demand ? traj(s.demand->eflop_year) : Storage{}; }},
  Param{"/demand/price_usd_per_eflop_year", Sc::kTop, Sh::kTrajectory, [](S& s, Z, C, B create) { return s.demand ? traj(s.demand->price_usd_per_eflop_year, create) : Storage{}; }},
};
// clang-format on

const Param* find(Scope scope, std::string_view key) {
  for (const auto& p : kTable) {
    if (p.scope == scope && p.key == key) return &p;
  }
  return nullptr;
}

}  // namespace

std::span<const Param> table() {
  return kTable;
}

std::optional<Bound> resolve(const Scenario& s, const std::vector<std::string>& t,
                             std::string& problem) {
  Bound b;
  auto rest = [&](std::size_t from) {
    std::string key;
    for (std::size_t i = from; i < t.size(); ++i) key += (i > from ? "/" : "") + t[i];
    return key;
  };
  if (t.size() >= 3 && (t[0] == "regions" || t[0] == "hardware")) {
    const bool is_region = t[0] == "regions";
    const int i = is_region ? s.region_index(t[1]) : s.hardware_index(t[1]);
    if (i < 0) {
      problem = "the scenario has no " + std::string(is_region ? "region" : "hardware") + " \"" +
                jsonio::excerpt(t[1]) + "\"";
      return std::nullopt;
    }
    b.index = static_cast<std::size_t>(i);
    b.param = find(is_region ? Scope::kRegion : Scope::kHardware, rest(2));
  } else if (t.size() == 2 && t[0] == "fx_per_usd") {
    if (s.fx_per_usd.count(t[1]) == 0 || t[1] == "USD") {
      problem = "the scenario has no rate for " + jsonio::excerpt(t[1]);
      return std::nullopt;
    }
    b.code = t[1];
    b.param = find(Scope::kCurrency, "");
  } else {
    b.param = find(Scope::kTop, "/" + rest(0));
  }
  if (b.param == nullptr) return std::nullopt;
  return b;
}

}  // namespace dcplan::params
