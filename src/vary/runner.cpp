// One thread's runs of a varied scenario (see runner.hpp).
#include "vary/runner.hpp"

#include "dcplan/error.hpp"

namespace dcplan::vary {

Runner::Runner(const Varied& varied, const std::atomic<int>* cancel)
    : varied_(varied), cancel_(cancel), working_(varied) {}

void Runner::set(long long run, const std::vector<double>& values) {
  apply(varied_, run, values, working_);
}

const Results& Runner::run(long long run, const std::vector<double>& values,
                           const EngineOptions& options) {
  // Read before each run, not during one: a run takes a fraction of a millisecond, so a request
  // is honoured within one run.
  if (cancel_ != nullptr && cancel_->load() != 0) throw Interrupted(cancel_->load());
  set(run, values);
  engine_.run(working_.scenario, options, res_);
  return res_;
}

}  // namespace dcplan::vary
