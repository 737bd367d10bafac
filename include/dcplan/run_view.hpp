// dcplan — the `run` use case: a loaded scenario, the view a user asked for checked against it,
// and the engine's results. It reads no file: the caller loads the scenario. The command line's
// `run` (src/cli/run.cpp) and Python's dcplan.run both call it, so that both make the same
// checks, with the same messages, and show the same cells.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dcplan/results.hpp"
#include "dcplan/view.hpp"

namespace dcplan {

//! What `dcplan run` and dcplan.run are asked (options::run() declares their options): a
//! scenario, and the view of its results, as a ViewRequest whose defaults it keeps.
struct RunRequest : ViewRequest {
  std::string scenario;  //!< the file ("-": standard input)
  //! The scenario's text when held in memory (LoadOptions::text); `scenario` then names it.
  std::optional<std::string> scenario_text;
  std::vector<std::string> overrides;
  std::vector<std::string> allow_dirs;
};

struct RunResult {
  View view;        //!< the checked view: what a writer or Python shows (View::select)
  Results results;  //!< every row and column the engine wrote
};

//! make_view(request, scenario), then the engine over the scenario, with a row per hardware
//! when the view shows them. Throws InputError for an invalid request, before the engine runs.
[[nodiscard]] RunResult run_view(const Scenario& scenario, const ViewRequest& request);

}  // namespace dcplan
