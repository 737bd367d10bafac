#include "dcplan/run_view.hpp"

#include "dcplan/engine.hpp"

namespace dcplan {

RunResult run_view(const Scenario& scenario, const ViewRequest& request) {
  RunResult out;
  out.view = make_view(request, scenario);
  EngineOptions options;
  options.by_hardware = out.view.by_hardware();
  out.results = simulate(scenario, options);
  return out;
}

}  // namespace dcplan
