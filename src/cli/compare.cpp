#include <spdlog/spdlog.h>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/registration.hpp"
#include "dcplan/compare.hpp"
#include "dcplan/engine.hpp"
#include "dcplan/error.hpp"
#include "dcplan/io/atomic_file.hpp"
#include "dcplan/io/sqlite_store.hpp"
#include "dcplan/result_json.hpp"
#include "dcplan/view.hpp"
#include "io/compare_format.hpp"
#include "text.hpp"

namespace dcplan::cli {

namespace {

//! `compare --format sqlite`: run 0 the base, run 1 the other (their rows --by and --years
//! select, the compared metrics), the joined rows and the gates: docs/sqlite.md.
void write_comparison_store(const std::string& path, bool append, const CompareResult& r,
                            const Provenance& prov) {
  io::StoreSweep sw;
  sw.kind = "compare";
  sw.runs = 2;
  sw.labels = {"side", "file"};
  sw.base_sha256 = r.base_scenario.sha256;
  sw.columns = r.metrics;
  io::SqliteStore store(path, append);
  (void)store.begin(sw, prov);
  View view;
  view.by = r.by_hardware ? RowsBy::kHardware : (r.total_only ? RowsBy::kTotal : RowsBy::kRegion);
  view.first_year = r.first_year;
  view.last_year = r.last_year;
  store.add_run(0, {}, {"base", r.base_scenario.file});
  store.add_rows(0, r.base, view.select(r.base).rows);
  store.add_run(1, {}, {"other", r.other_scenario.file});
  store.add_rows(1, r.other, view.select(r.other).rows);
  store.add_comparison(r.rows, r.gates);
  store.commit();
}

}  // namespace

int compare(const CompareOptions& o) {
  if (o.request.metrics == "help") return metrics({});
  const bool sqlite = o.format == "sqlite";
  if (o.format != "csv" && o.format != "json" && o.format != "md" && o.format != "table" &&
      !sqlite) {
    throw InputError("--format", "",
                     "expected table, md, json, csv or sqlite, found \"" + o.format + "\"");
  }
  if (sqlite && (o.output.empty() || o.output == "-")) {
    throw InputError("--format", "", "sqlite needs a file: give -o FILE");
  }
  if (o.append && !sqlite) {
    throw InputError("--append", "",
                     "adds a comparison to an SQLite store: use it with --format sqlite");
  }
  CompareInputs in = o.request;
  in.allow_dirs = o.global->allow_dirs;
  const CompareResult r = compare_scenarios(in);
  const Provenance prov = make_provenance(o.global->command, r.other_scenario.sha256);
  if (sqlite) {
    write_comparison_store(o.output, o.append, r, prov);
  } else {
    // json records both scenarios: scenario_sha256 is OTHER's, base_sha256 BASE's.
    const io::Comparison c{in.base, in.other, o.format, r.rows, r.gates, r.by_hardware};
    const std::string out =
        o.format == "json"
            ? with_provenance(to_json(r), prov, {{"base_sha256", r.base_scenario.sha256}})
            : with_provenance(io::format_comparison(c), o.format, prov);
    io::write_output(o.output, out);
    write_sidecar(o.output, o.format == "csv", prov);
  }
  const auto& gate_results = r.gates;
  if (o.format == "csv" || sqlite) {
    for (const auto& g : gate_results) {
      std::cerr << (g.passed ? "PASS " : "FAIL ") << text::terminal_safe(g.gate.text, 200) << ": "
                << text::terminal_safe(g.detail, 400) << "\n";
    }
  }
  for (const auto& g : gate_results) {
    if (!g.passed) {
      spdlog::error("gate failed: {}: {}", text::terminal_safe(g.gate.text, 200),
                    text::terminal_safe(g.detail, 400));
    }
  }
  return r.passed() ? 0 : 1;
}

Command add_compare(CLI::App& app, const Global& g) {
  auto o = std::make_shared<CompareOptions>();
  o->global = &g;
  auto* sub = app.add_subcommand(
      "compare", "Run two scenarios and show their differences; gates fail a pull request.");
  sub->footer(
      "Gates: METRIC[@YEAR[:YEAR]][:SELECTOR] OP VALUE, OP one of <= < >= > ==; VALUE absolute\n"
      "(4e11, compared with OTHER) or relative to BASE (+5%, -10%, 0%). A year range sums; no\n"
      "year means every common year; SELECTOR: total (default), an id, a glob, a #tag or *.\n"
      "Exit 1 when a gate fails, 2 when one is invalid.\n\n"
      "Examples:\n"
      "  dcplan compare scenarios/alibaba-380b.json scenarios/alibaba-raised.json\n"
      "  dcplan compare scenarios/alibaba-380b.json scenarios/alibaba-raised.json \\\n"
      "      --gate 'energy_twh@2032<=+30%' --format md\n"
      "  dcplan compare scenarios/alibaba-380b.json scenarios/alibaba-380b.json \\\n"
      "      --set /capex/budget/series/2026=130000000000 --gates "
      "scenarios/gates/alibaba-380b.json\n"
      "  dcplan compare scenarios/examples/minimal.json scenarios/examples/minimal.json \\\n"
      "      --set /capex/budget=3e9 --by region --metrics energy_twh\n"
      "  dcplan compare scenarios/alibaba-380b.json scenarios/alibaba-raised.json \\\n"
      "      --gate 'energy_twh@2032<=+30%' --format sqlite -o ci.sqlite --append\n"
      "  sqlite3 ci.sqlite \"SELECT sweep, gate, passed, measured FROM gates\"\n");
  add_options(sub, options::compare(), o->request,
              {{"--format", &o->format}, {"--append", &o->append}, {"-o,--output", &o->output}});
  return {sub, [o] { return compare(*o); }};
}

}  // namespace dcplan::cli
