// The `run` use case, shared by the command line's `dcplan run` and Python's dcplan.run, so
// that both check the same options against the scenario, in the same order, and return the
// same numbers.
#include "dcplan/run_view.hpp"

#include "dcplan/engine.hpp"

namespace dcplan {

//! (Declared in dcplan/run_view.hpp.) The view is made, and so checked, before the engine runs:
//! a bad --metrics, --years or --currency throws InputError without a simulation. The engine
//! writes rows by hardware only when the view shows them; a writer then selects its rows and
//! columns through the view.
RunResult run_view(const Scenario& scenario, const ViewRequest& request) {
  RunResult out;
  out.view = make_view(request, scenario);
  EngineOptions options;
  options.by_hardware = out.view.by_hardware();
  out.results = simulate(scenario, options);
  return out;
}

}  // namespace dcplan
