#include "dcplan/report/report.hpp"
#include "cli/commands.hpp"
#include "cli/registration.hpp"
#include "dcplan/engine.hpp"
#include "dcplan/io/atomic_file.hpp"
#include "dcplan/load.hpp"
#include "dcplan/provenance.hpp"
#include "dcplan/sensitivity.hpp"
#include "dcplan/targets.hpp"

namespace dcplan::cli {

int report(const ReportOptions& o) {
  const Scenario base = load_scenario(o.scenario, LoadOptions{o.overrides, o.global->allow_dirs});
  EngineOptions eo;
  eo.by_hardware = true;
  const Results base_results = simulate(base, eo);
  report::ReportInput in;
  in.scenario = &base;
  in.results = &base_results;
  in.provenance = make_provenance(o.global->command, base.sha256);
  Scenario other;
  Results other_results;
  if (!o.compare.empty()) {
    other = load_scenario(o.compare, LoadOptions{o.overrides, o.global->allow_dirs});
    other_results = simulate(other, eo);
    in.other = &other;
    in.other_results = &other_results;
    in.targets = check_targets(other, other_results);
  } else {
    in.targets = check_targets(base, base_results);
  }
  if (!o.sweep.empty()) in.fans = report::read_sweep_fans(o.sweep);
  if (!o.sensitivity.empty())
    in.sensitivity = sensitivity::charts(sensitivity::read_csv(o.sensitivity));
  io::write_output(o.output, report::html_report(in));
  return 0;
}

Command add_report(CLI::App& app, const Global& g) {
  auto o = std::make_shared<ReportOptions>();
  o->global = &g;
  auto* sub = app.add_subcommand("report", "Write a self-contained HTML report with charts.");
  sub->footer(
      "The file has everything inline (CSS, SVG charts; no script, font or network) and prints.\n\n"
      "Examples:\n"
      "  dcplan report scenarios/alibaba-380b.json -o report.html\n"
      "  dcplan report scenarios/alibaba-380b.json --compare scenarios/alibaba-raised.json -o "
      "cmp.html\n"
      "  dcplan report scenarios/alibaba-380b.json --sweep summary.csv -o fan.html\n"
      "  dcplan solve scenarios/examples/minimal.json --target 'energy_twh@2030>=2.5' \\\n"
      "      --vary /capex/budget=1e9:1e10 -o solved.json && \\\n"
      "    dcplan report scenarios/examples/minimal.json --solution solved.json -o solved.html\n");
  sub->add_option("scenario", o->scenario, "scenario file (the base with --compare)")->required();
  auto* cmp = sub->add_option("--compare", o->compare,
                              "a second scenario, drawn against the first (dashed)");
  sub->add_option("--solution", o->compare,
                  "the scenario solve or optimize wrote (-o): the solved plan against the "
                  "original, as --compare draws it")
      ->excludes(cmp);
  sub->add_option("--sweep", o->sweep, "a dcplan sweep csv output (rows or --summary): fan charts");
  sub->add_option("--sensitivity", o->sensitivity,
                  "a dcplan sensitivity csv output: its tornado, Sobol' or Morris charts");
  add_overrides(sub, o->overrides, "in every scenario");
  add_output(sub, o->output, "the HTML file (written atomically)")->required();
  return {sub, [o] { return report(*o); }};
}

}  // namespace dcplan::cli
