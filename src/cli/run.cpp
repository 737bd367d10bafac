#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <optional>

#include "cli/commands.hpp"
#include "cli/registration.hpp"
#include "dcplan/diagnose.hpp"
#include "dcplan/io/atomic_file.hpp"
#include "dcplan/io/format.hpp"
#include "dcplan/io/sqlite_store.hpp"
#include "dcplan/load.hpp"
#include "dcplan/provenance.hpp"
#include "dcplan/run_view.hpp"
#include "dcplan/targets.hpp"
#include "io/table.hpp"
#include "text.hpp"

namespace dcplan::cli {

void write_sidecar(const std::string& output, bool csv, const Provenance& prov) {
  if (!csv || output.empty() || output == "-") return;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(output, ec)) return;  // a device or a pipe: no sidecar
  io::write_output(output + ".meta.json", provenance_json(prov) + "\n");
}

namespace {

//! `run --format sqlite`: the rows and columns of the view (every column that applies, or
//! --metrics), as run 0 of a store.
void write_store(const std::string& path, const RunResult& r, const Provenance& prov) {
  const Selection sel = r.view.select(r.results);
  io::StoreSweep sw;
  sw.kind = "run";
  sw.runs = 1;
  sw.columns = sel.columns;
  io::SqliteStore store(path, false);
  (void)store.begin(sw, prov);
  store.add_run(0, {});
  store.add_rows(0, r.results, sel.rows);
  store.commit();
}

//! The format --format names, checked with what it asks of -o and --currency; none for sqlite
//! (a store, write_store).
std::optional<io::Format> output_format(const RunOptions& o) {
  if (o.format != "sqlite") return io::parse_format(o.format);
  if (o.output.empty() || o.output == "-") {
    throw InputError("--format", "", "sqlite needs a file: give -o FILE");
  }
  if (!o.request.currency.empty() && o.request.currency != "USD") {
    throw InputError("--currency", "", "a store keeps US dollars: use --currency with csv or json");
  }
  return std::nullopt;
}

void write_results(const RunOptions& o, const RunResult& r, std::optional<io::Format> format,
                   const Provenance& prov) {
  if (!format) {
    write_store(o.output, r, prov);
    return;
  }
  const std::string text = io::format_results(r.results, r.view, *format);
  io::write_output(o.output, o.no_provenance ? text : with_provenance(text, o.format, prov));
  if (!o.no_provenance) write_sidecar(o.output, *format == io::Format::kCsv, prov);
}

void warn(const RunOptions& o, const Scenario& s, const Results& results) {
  auto warnings = run_warnings(results);
  for (auto& w : observed_warnings(s, results)) warnings.push_back(std::move(w));
  for (const auto& w : warnings) {
    spdlog::warn("{}: {}", text::terminal_safe(o.request.scenario, 160),
                 text::terminal_safe(w, 600));
  }
}

//! --check's report of the targets that failed, with what bound each target's region.
void print_failures(const std::vector<TargetResult>& checked, const Results& results) {
  std::size_t failed = 0;
  for (const auto& t : checked) failed += t.passed ? 0 : 1;
  spdlog::error("{} of {} target(s) failed", failed, checked.size());
  for (const auto& t : checked) {
    if (t.passed) continue;
    // Why: the constraints that bound the target's region in its (last) year.
    const std::string bound = what_bound(results, t.last_year, t.region);
    spdlog::error("{}: {}{}", text::terminal_safe(t.name, 200), text::terminal_safe(t.detail, 400),
                  bound.empty() ? std::string()
                                : fmt::format("; in {} bound by {}", t.last_year,
                                              text::terminal_safe(bound, 400)));
  }
}

//! --check and --junit: the scenario's targets against the results; 1 when one fails (--check).
int check(const RunOptions& o, const Scenario& s, const Results& results, const Provenance& prov) {
  const auto checked = check_targets(s, results);
  if (!o.junit.empty()) {
    io::write_output(o.junit, junit_xml(s, checked, o.no_provenance ? nullptr : &prov));
  }
  if (!o.check) return 0;
  std::vector<std::vector<std::string>> rows;
  for (const auto& t : checked) {
    rows.push_back(
        {t.passed ? "PASS" : "FAIL", t.name, t.what, t.required, fmt::format("{:.6g}", t.value)});
  }
  std::cerr << io::format_table({"result", "target", "metric", "required", "actual"}, rows);
  if (checked.empty()) {
    spdlog::warn("{}: --check: the scenario has no targets",
                 text::terminal_safe(o.request.scenario, 160));
  }
  const bool failed =
      std::any_of(checked.begin(), checked.end(), [](const TargetResult& t) { return !t.passed; });
  if (!failed) return 0;
  print_failures(checked, results);
  return 1;
}

}  // namespace

int run(const RunOptions& o) {
  if (o.request.metrics == "help") return metrics({});
  // Check every option before any work, so that a usage error never leaves output behind.
  const std::optional<io::Format> format = output_format(o);
  const ViewRequest& request = o.request;
  (void)parse_view(request);  // --by and the form of --years, before the scenario is read
  const Scenario s =
      load_scenario(o.request.scenario, LoadOptions{o.request.overrides, o.global->allow_dirs});
  if (o.provenance) {
    (void)make_view(request, s);  // the checks run_view makes, without the run
    io::write_output(o.output,
                     provenance_json(make_provenance(o.global->command, s.sha256)) + "\n");
    return 0;
  }
  const RunResult r = run_view(s, request);
  const Provenance prov = make_provenance(o.global->command, s.sha256);
  write_results(o, r, format, prov);
  warn(o, s, r.results);
  if (!o.check && o.junit.empty()) return 0;
  return check(o, s, r.results, prov);
}

Command add_run(CLI::App& app, const Global& g) {
  auto o = std::make_shared<RunOptions>();
  o->global = &g;
  auto* sub =
      app.add_subcommand("run", "Simulate a scenario year by year and print the result table.");
  sub->footer(
      "Examples:\n"
      "  dcplan run scenarios/alibaba-380b.json\n"
      "  dcplan run scenarios/alibaba-380b.json --format csv -o results.csv\n"
      "  dcplan run scenarios/examples/minimal.json --set /capex/split/it=0.7 \\\n"
      "      --set /capex/split/facility=0.25 --by total --metrics energy_twh,capex_usd\n"
      "  dcplan run scenarios/alibaba-380b.json --currency CNY --metrics capex_cny --by total\n"
      "  dcplan run scenarios/examples/minimal.json --check --junit targets.xml -o /dev/null\n\n"
      "Columns: 'dcplan metrics' lists every result column with its unit and meaning.\n");
  add_options(sub, options::run(), o->request,
              {{"--format", &o->format},
               {"--check", &o->check},
               {"--junit", &o->junit},
               {"--provenance", &o->provenance},
               {"--no-provenance", &o->no_provenance},
               {"-o,--output", &o->output}});
  return {sub, [o] { return run(*o); }};
}

}  // namespace dcplan::cli
