#include "dcplan/engine.hpp"

#include "dcplan/error.hpp"
#include "engine/model.hpp"

namespace dcplan {

using engine::Year;

struct Engine::Impl {
  engine::State state;

  template <bool kByHw>
  void run(const Scenario& scenario, const EngineOptions& options, Results& out);
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
