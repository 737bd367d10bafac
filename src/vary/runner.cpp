// One thread's runs of a varied scenario (see runner.hpp).
#include "vary/runner.hpp"

#include "dcplan/error.hpp"

namespace dcplan::vary {

namespace {

//! Whether a varied key may change what the engine derives from the scenario alone
//! (EngineOptions::constants_unchanged: the hardware's prices, power, dates and failure rates,
//! the mixes, placement, sizing and horizon; not the region weights). Conservative: a key set
//! through the document builds the whole scenario again, and every key of a hardware type counts,
//! whatever it is.
bool reaches_constants(const Binding& b) {
  // A region weight set directly changes capex.region_weight alone, which the engine reads per
  // year (steps 3 and 6) and derive_constants does not.
  if (b.weight) return false;
  const std::string& p = b.spec.pointer;
  return b.via_document || b.bound.param == nullptr ||
         b.bound.param->scope == params::Scope::kHardware || p.rfind("/hardware", 0) == 0 ||
         p.find("mix") != std::string::npos || p.rfind("/horizon", 0) == 0;
}

}  // namespace

Runner::Runner(const Varied& varied, const std::atomic<int>* cancel)
    : varied_(varied), cancel_(cancel), working_(varied) {
  constants_fixed_ = !varied.any_document;
  for (const Binding& b : varied.bindings)
    constants_fixed_ = constants_fixed_ && !reaches_constants(b);
}

void Runner::set(long long run, const std::vector<double>& values) {
  apply(varied_, run, values, working_);
}

const Results& Runner::run(long long run, const std::vector<double>& values,
                           const EngineOptions& options) {
  // Read before each run, not during one: a run takes a fraction of a millisecond, so a request
  // is honoured within one run.
  if (cancel_ != nullptr && cancel_->load() != 0) throw Interrupted(cancel_->load());
  set(run, values);
  EngineOptions eo = options;
  eo.constants_unchanged = constants_fixed_;
  engine_.run(working_.scenario, eo, res_);
  return res_;
}

}  // namespace dcplan::vary
