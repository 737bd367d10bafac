#include "dcplan/report/report.hpp"
#include "cli/commands.hpp"
#include "dcplan/engine.hpp"
#include "dcplan/io/atomic_file.hpp"
#include "dcplan/load.hpp"
#include "dcplan/targets.hpp"

namespace dcplan::cli {

int report(const ReportOptions& o) {
  const Scenario base = load_scenario(o.scenario, LoadOptions{o.overrides, allow_dirs()});
  EngineOptions eo;
  eo.by_hardware = true;
  const Results base_results = run_engine(base, eo);
  report::ReportInput in;
  in.scenario = &base;
  in.results = &base_results;
  in.generated_by = std::string("dcplan ") + DCPLAN_VERSION;
  Scenario other;
  Results other_results;
  if (!o.compare.empty()) {
    other = load_scenario(o.compare, LoadOptions{o.overrides, allow_dirs()});
    other_results = run_engine(other, eo);
    in.other = &other;
    in.other_results = &other_results;
    in.targets = check_targets(other, other_results);
  } else {
    in.targets = check_targets(base, base_results);
  }
  if (!o.sweep.empty()) in.fans = report::read_sweep_fans(o.sweep);
  io::write_output(o.output, report::html_report(in));
  return 0;
}

}  // namespace dcplan::cli
