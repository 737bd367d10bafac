// dcplan — the discrete-time engine: the yearly step and the run over the horizon.
//
// For each year t, in this order (docs/model.md, "The yearly step", has every equation):
//   1. capacity online    pipeline completing in t joins the online IT capacity [MW]
//   2. ageing             cohorts age one year; age >= lifetime retires; cohorts aged >= 1 lose
//                         annual_failure_rate of their count (stranded batches retire, never fail)
//   3. budget             B(t)/fx(t) + carry-over [USD], split it/facility/other, shared over the
//                         open regions by weight
//   4. facilities         MW = share / facility_capex_usd_per_mw(t), online after
//                         construction_years; what breaks max_new_mw_per_year or max_total_mw is
//                         pooled and water-filled over the regions with room, by weight; the rest
//                         carries over
//   5. stranded queue     waiting accelerators install oldest batch first into free capacity
//                         (online MW − nameplate of installed accelerators)
//   6. accelerators       IT share / price_usd(t) by the renormalised hardware mix; every type
//                         installs the same fraction of what fits; the rest queues as one batch
//   7. utilisation        u(t), or min(max_utilisation, D/A) with demand
//   8. power and energy   P_IT = Σ n·all_in_w·(idle + (1 − idle)·u)·f, f = first_year_fraction for
//                         this year's step-6 installs, 1 otherwise; P = P_IT·PUE; E = P·8760 h
//   9. compute            peak = Σ n·bf16 [PFLOP/s]; A = Σ n·bf16·f [EFLOP-year]; delivered = u·A
//  10. finance            straight-line depreciation (IT over lifetime, facility and other over
//                         facility_life_years), electricity E·price, maintenance = rate × gross IT
//                         and facility capex within its life; TCO = depreciation + opex
//  11. carbon             operational = E·grid·(1 − renewable); embodied = bought·embodied_kgco2e
//  12. demand             region demand D·A_r/A; unmet, revenue, margin
// The initial fleet and capacity are sunk: no capex, depreciation or maintenance.
#pragma once

#include <memory>

#include "dcplan/results.hpp"
#include "dcplan/scenario.hpp"

namespace dcplan {

struct EngineOptions {
  bool by_hardware = false;  //!< add a row per (region, hardware)
  bool region_rows = true;   //!< false: only the total rows (what a sweep reads; less to write)
  //! The scenario's hardware, mixes, placement, facility sizing and horizon are those of the
  //! last run on this Engine: what it derives from them alone (each region's mix, prices and MW
  //! per dollar by year, the retirement curves) is reused rather than derived again. Set by a
  //! sweep's runner when no varied key reaches them; wrong when set otherwise. Ignored on an
  //! Engine's first run, and when the scenario's number of regions, hardware or years differs.
  bool constants_unchanged = false;
};

//! Runs scenarios. Holds only scratch buffers, reused from one run to the next (a sweep keeps
//! one Engine per thread); it knows nothing of files or formats. Not thread-safe: one per thread.
class Engine {
 public:
  Engine();
  ~Engine();
  Engine(Engine&&) noexcept;
  Engine& operator=(Engine&&) noexcept;

  //! Simulates the scenario over its horizon into `out` (resized as needed).
  void run(const Scenario& scenario, const EngineOptions& options, Results& out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

//! Convenience: a fresh engine, one run. The engine's own findings (numbers that overflow) are
//! said of the scenario's file.
[[nodiscard]] Results simulate(const Scenario& scenario, const EngineOptions& options = {});

}  // namespace dcplan
