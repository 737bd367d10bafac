// The engine's front: Engine and simulate() of dcplan/engine.hpp, and the yearly loop that calls
// the steps of docs/model.md in order. The steps themselves live in the other files of
// src/engine/ (model.hpp lists which file holds which step); this file holds no arithmetic of
// the model beyond the discount factor.
//
// Determinism: a run is a pure function of the Scenario. The engine keeps no state between runs
// that can change a number (State's buffers keep only their capacity), draws no random numbers
// and visits regions, hardware and cohorts in a fixed order (regions and hardware sorted by id
// by the loader, cohorts by vintage), so the same scenario gives the same bytes on every run,
// in every thread of a sweep, and whether the rows are kept per region or only as totals.
#include "dcplan/engine.hpp"

#include "dcplan/error.hpp"
#include "engine/model.hpp"

namespace dcplan {

using engine::Year;

//! The engine's private half: the State whose buffers (cohort lists, per-year arrays) keep their
//! capacity from one run to the next, so that a sweep's thousands of runs on one Engine allocate
//! almost nothing after the first.
struct Engine::Impl {
  engine::State state;
  bool constants_valid = false;  //!< state.constants were derived whole (not interrupted)

  template <bool kByHw>
  void run(const Scenario& scenario, const EngineOptions& options, Results& out);
};

Engine::Engine() : impl_(std::make_unique<Impl>()) {}
Engine::~Engine() = default;
Engine::Engine(Engine&&) noexcept = default;
Engine& Engine::operator=(Engine&&) noexcept = default;

void Engine::run(const Scenario& scenario, const EngineOptions& options, Results& out) {
  // Constants derived once per sweep rather than once per run: a sweep's runs differ only in
  // the keys it varies, and the runner says when none of them reaches the constants.
  engine::Constants& constants = impl_->state.constants;
  if (!options.constants_unchanged || !impl_->constants_valid || !constants.fits(scenario)) {
    impl_->constants_valid = false;
    engine::derive_constants(constants, scenario);
    impl_->constants_valid = true;
  }
  // Rows by hardware are a separate instantiation, so the common case carries no test for them.
  if (options.by_hardware) {
    impl_->run<true>(scenario, options, out);
  } else {
    impl_->run<false>(scenario, options, out);
  }
}

//! A fresh Engine for one run. The engine's only input errors (numbers that overflow, from
//! check_finite) know no file; they are said of the scenario's file here so that a user sees
//! where the numbers came from. Other exceptions (ModelError from a failed assertion) pass
//! through unchanged.
Results simulate(const Scenario& scenario, const EngineOptions& options) {
  Results out;
  try {
    Engine().run(scenario, options, out);
  } catch (const InputError& e) {
    std::vector<Diagnostic> ds = e.diagnostics();
    for (auto& d : ds) {
      if (d.file.empty()) d.file = scenario.file;
    }
    throw InputError(std::move(ds));
  }
  return out;
}

//! The yearly step of docs/model.md, one call per step.
template <bool kByHw>
void Engine::Impl::run(const Scenario& scenario, const EngineOptions& options, Results& out) {
  // The order of the calls below is the model: each step reads what the steps before it wrote
  // this year. In particular the queue (5) installs before new money is placed (6), so that
  // accelerators already bought take free power first; kept installed bases (5b) take theirs
  // before the IT share is placed; the overflow builds (6) after this year's purchases are placed,
  // so that capacity it brings online at once serves accelerators only from t + 1; utilisation
  // (7) is set once every region's fleet of the year is final, because with demand it depends on
  // the compute available over all regions; the rows (8-12) read the finished year.
  //
  // The discount factor Π(1 + discount_rate) grows from the second year on, by the rate of the
  // year it enters: the first year is undiscounted.
  DCPLAN_ASSERT(scenario.horizon.years() >= 1);
  engine::reset<kByHw>(state, scenario);
  const engine::Layout layout = engine::prepare_rows<kByHw>(state, options, out);
  for (int t = 0; t < scenario.horizon.years(); ++t) {
    Year y;
    y.t = t;
    y.year = scenario.horizon.start + t;
    if (t > 0) state.discount *= 1.0 + scenario.finance.discount_rate(t);
    engine::capacity_online(state, y);                 // 1
    engine::age_fleet<kByHw>(state, y);                // 2
    engine::share_budget(state, y);                    // 3
    engine::build_facilities(state, y);                // 4
    engine::install_queue<kByHw>(state);               // 5
    engine::keep_installed_bases<kByHw>(state, y);     // 5b
    engine::place_it_money(state, y);                  // 6: where IT money goes
    engine::buy_accelerators<kByHw>(state, y);         // 6: purchases and installs
    engine::build_with_overflow(state, y);             // 6: what found no power builds
    engine::settle_leases(state, y);                   // 6, 8: leases, PUE_r, limits
    engine::charge_facilities(state, y);               // 10: facilities in service
    engine::set_utilisation(state, y);                 // 7
    engine::carry_over(state, y);                      // 3 (v3): carry-over by category
    engine::write_rows<kByHw>(state, y, layout, out);  // 8-12, totals, carry-over
  }
  // No infinity, and no NaN outside the cells that are empty by design, ever leaves the engine.
  engine::check_finite(out);
}

}  // namespace dcplan
