#include <spdlog/spdlog.h>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "dcplan/compare.hpp"
#include "dcplan/engine.hpp"
#include "dcplan/io/atomic_file.hpp"
#include "dcplan/io/format.hpp"
#include "dcplan/load.hpp"
#include "io/compare_format.hpp"
#include "text.hpp"

namespace dcplan::cli {

int compare(const CompareOptions& o) {
  if (o.metrics == "help") return metrics({});
  // Everything that can be wrong with the command line is checked before the runs.
  std::vector<Gate> gates;
  for (const auto& g : o.gates) gates.push_back(parse_gate(g));
  if (!o.gates_file.empty()) {
    auto more = read_gates_file(o.gates_file);
    gates.insert(gates.end(), more.begin(), more.end());
  }
  const io::RowsBy by = io::parse_rows_by(o.by);
  io::FormatOptions years;
  if (!o.years.empty()) io::parse_years(o.years, years);
  if (o.format != "csv" && o.format != "json" && o.format != "md" && o.format != "table") {
    throw InputError("--format", "", "expected table, md, json or csv, found \"" + o.format + "\"");
  }

  const Scenario base_s = load_scenario(o.base, LoadOptions{o.set_base, o.global->allow_dirs});
  const Scenario other_s = load_scenario(o.other, LoadOptions{o.overrides, o.global->allow_dirs});
  const bool demand = base_s.demand.has_value() || other_s.demand.has_value();
  const std::vector<int> metrics =
      o.metrics.empty() ? default_compare_metrics() : io::parse_metrics(o.metrics, demand);
  for (const int m : metrics) {
    if (column_info(static_cast<Col>(m)).kind == ColumnKind::kText) {
      throw InputError("--metrics", "",
                       "\"" + std::string(column_info(static_cast<Col>(m)).name) +
                           "\" is text: compare shows differences of numbers (see it with "
                           "dcplan run on each scenario)");
    }
  }
  EngineOptions eo;
  eo.by_hardware = by == io::RowsBy::kHardware;
  const Results base = run_engine(base_s, eo);
  const Results other = run_engine(other_s, eo);

  io::Comparison c{
      o.base,        o.other, o.format, {}, evaluate_gates(gates, base_s, base, other_s, other),
      eo.by_hardware};
  for (auto& r : compare_results(base, other, metrics, by == io::RowsBy::kTotal, eo.by_hardware)) {
    if (years.first_year && r.year < *years.first_year) continue;
    if (years.last_year && r.year > *years.last_year) continue;
    c.rows.push_back(std::move(r));
  }
  const Provenance prov = make_provenance(o.global->command, other_s.sha256);
  const std::string out = with_meta(io::format_comparison(c), o.format, prov,
                                    "\"base_sha256\":\"" + base_s.sha256 + "\"");
  const auto& gate_results = c.gates;
  io::write_output(o.output, out);
  write_sidecar(o.output, o.format == "csv", prov);
  if (o.format == "csv") {
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
  for (const auto& g : gate_results) {
    if (!g.passed) return 1;
  }
  return 0;
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
      "scenarios/alibaba-380b.gates.json\n"
      "  dcplan compare scenarios/examples/minimal.json scenarios/examples/minimal.json \\\n"
      "      --set /capex/budget=3e9 --by region --metrics energy_twh\n");
  sub->add_option("base", o->base, "the base scenario")->required();
  sub->add_option("other", o->other, "the scenario compared with it")->required();
  add_overrides(sub, o->overrides, "in OTHER");
  add_overrides(sub, o->set_base, "in BASE", "--set-base");
  sub->add_option("--metrics", o->metrics,
                  "columns to compare (default: energy, facility power, peak compute, capex, "
                  "TCO, cost per EFLOP-year, operational emissions)");
  sub->add_option("--years", o->years, "years to show, A:B");
  sub->add_option("--by", o->by, "rows: total (default), region or hardware")
      ->check(CLI::IsMember({"region", "total", "hardware"}));
  sub->add_option("--gate", o->gates, "a gate; repeatable")->allow_extra_args(false);
  sub->add_option("--gates", o->gates_file, "a JSON file with a list of gates");
  sub->add_option("--format", o->format, "output format")
      ->check(CLI::IsMember({"table", "md", "json", "csv"}));
  add_output(sub, o->output);
  return {sub, [o] { return compare(*o); }};
}

}  // namespace dcplan::cli
