#include "dcplan/report/report.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <filesystem>

#include "cli/commands.hpp"
#include "cli/registration.hpp"
#include "dcplan/engine.hpp"
#include "dcplan/io/atomic_file.hpp"
#include "dcplan/load.hpp"
#include "dcplan/provenance.hpp"
#include "dcplan/sensitivity.hpp"
#include "dcplan/targets.hpp"
#include "json_io.hpp"
#include "text.hpp"

namespace dcplan::cli {

namespace {

//! Refuses a --sweep or --sensitivity file made from another scenario than the one drawn: the
//! charts would sit beside numbers they do not belong to. The file's record is its csv sidecar
//! FILE.meta.json (what `-o` writes beside it); a file without one (written to standard output)
//! cannot be checked, and says so. --force draws it anyway, with a warning.
void check_made_from(const char* option, const std::string& file, const Scenario& s, bool force) {
  std::error_code ec;
  const std::string sidecar = file + ".meta.json";
  std::optional<Provenance> rec;
  if (std::filesystem::is_regular_file(sidecar, ec))
    rec = read_provenance(jsonio::read_text(sidecar));
  if (!rec || rec->scenario_sha256.empty()) {
    spdlog::warn(
        "{} {}: no scenario hash recorded (no FILE.meta.json beside it, as -o writes): "
        "cannot check that it was made from {}",
        option, text::terminal_safe(file, 300), text::terminal_safe(s.file, 300));
    return;
  }
  if (rec->scenario_sha256 == s.sha256) return;
  const std::string what = fmt::format(
      "{} was made from another scenario: it records scenario SHA-256 {}, and {} (with this "
      "--set) has {}",
      option, text::terminal_safe(rec->scenario_sha256, 80), text::terminal_safe(s.file, 300),
      s.sha256);
  if (force) {
    spdlog::warn("{}: {}; drawn anyway (--force)", text::terminal_safe(file, 300), what);
    return;
  }
  throw InputError(file, "",
                   what +
                       " (compare the merged documents with dcplan validate "
                       "--merged; --force draws it anyway)");
}

}  // namespace

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
  if (!o.sweep.empty()) {
    check_made_from("--sweep", o.sweep, base, o.force);
    report::SweepFile sweep = report::read_sweep(o.sweep);
    in.fans = std::move(sweep.fans);
    in.pass_rates = std::move(sweep.pass_rates);
  }
  if (!o.sensitivity.empty()) {
    check_made_from("--sensitivity", o.sensitivity, base, o.force);
    in.sensitivity = sensitivity::charts(sensitivity::read_csv(o.sensitivity));
  }
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
  sub->add_flag("--force", o->force,
                "draw a --sweep or --sensitivity file whose recorded scenario (its FILE.meta.json) "
                "is not SCENARIO (by default: exit 2, naming both hashes)");
  add_overrides(sub, o->overrides, "in every scenario");
  add_output(sub, o->output, "the HTML file (written atomically)")->required();
  return {sub, [o] { return report(*o); }};
}

}  // namespace dcplan::cli
