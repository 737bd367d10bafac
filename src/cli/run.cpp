#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <filesystem>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "dcplan/diagnose.hpp"
#include "dcplan/engine.hpp"
#include "dcplan/io/atomic_file.hpp"
#include "dcplan/io/format.hpp"
#include "dcplan/io/sqlite_store.hpp"
#include "dcplan/load.hpp"
#include "dcplan/provenance.hpp"
#include "dcplan/targets.hpp"
#include "io/table.hpp"
#include "text.hpp"

namespace dcplan::cli {

std::string with_meta(const std::string& text, const std::string& format, const Provenance& prov,
                      const std::string& extra) {
  std::string meta = provenance_json(prov);
  if (!extra.empty()) meta.insert(meta.size() - 1, "," + extra);
  if (format == "json" && !text.empty() && text.front() == '{') {
    return "{\n  \"meta\": " + meta + "," + text.substr(1);
  }
  return format == "md" ? io::with_provenance(text, io::Format::kMd, prov) : text;
}

void write_sidecar(const std::string& output, bool csv, const Provenance& prov) {
  if (!csv || output.empty() || output == "-") return;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(output, ec)) return;  // a device or a pipe: no sidecar
  io::write_output(output + ".meta.json", provenance_json(prov) + "\n");
}

namespace {

//! `run --format sqlite`: the rows --by and --years select, every column or --metrics, as
//! run 0 of a store.
void write_store(const std::string& path, const Results& res, const io::FormatOptions& fo,
                 const Provenance& prov) {
  io::StoreSweep sw;
  sw.kind = "run";
  sw.runs = 1;
  sw.columns = io::selected_columns(res, fo);  // fo.format is csv: every column that applies
  io::SqliteStore store(path, false);
  (void)store.begin(sw, prov);
  store.add_run(0, {});
  store.add_rows(0, res, io::selected_rows(res, fo));
  store.commit();
}

}  // namespace

int run(const RunOptions& o) {
  if (o.metrics == "help") return metrics({});
  // Check every option before any work, so that a usage error never leaves output behind.
  io::FormatOptions fo;
  const bool sqlite = o.format == "sqlite";
  fo.format = sqlite ? io::Format::kCsv : io::parse_format(o.format);
  if (sqlite && (o.output.empty() || o.output == "-")) {
    throw InputError("--format", "", "sqlite needs a file: give -o FILE");
  }
  if (sqlite && !o.currency.empty() && o.currency != "USD") {
    throw InputError("--currency", "", "a store keeps US dollars: use --currency with csv or json");
  }
  fo.by = io::parse_rows_by(o.by);
  if (!o.years.empty()) io::parse_years(o.years, fo);

  const Scenario s = load_scenario(o.scenario, LoadOptions{o.overrides, o.global->allow_dirs});
  if (!o.currency.empty() && o.currency != "USD") {
    auto it = s.fx_per_usd.find(o.currency);
    if (it == s.fx_per_usd.end()) {
      std::string known;
      for (const auto& [code, fx] : s.fx_per_usd) known += (known.empty() ? "" : ", ") + code;
      throw InputError("--currency", "",
                       "the scenario has no exchange rate for \"" + o.currency +
                           "\" (expected one of: " + known + "; add /fx_per_usd/" + o.currency +
                           ")");
    }
    fo.currency = o.currency;
    fo.fx = it->second;
    fo.fx_first_year = s.horizon.start;
  }
  if (!o.metrics.empty()) {
    fo.columns =
        io::parse_metrics(o.metrics, s.demand.has_value(), s.uses_cost_of_capital(), fo.currency);
  }
  // Years outside the horizon are an error, whichever end: nothing is clipped silently.
  if ((fo.first_year && (*fo.first_year < s.horizon.start || *fo.first_year > s.horizon.end)) ||
      (fo.last_year && (*fo.last_year < s.horizon.start || *fo.last_year > s.horizon.end))) {
    throw InputError("--years", "",
                     fmt::format("expected years within the horizon {}-{}, found {}",
                                 s.horizon.start, s.horizon.end, o.years));
  }

  const Provenance prov = make_provenance(o.global->command, s.sha256);
  if (o.provenance) {
    io::write_output(o.output, provenance_json(prov) + "\n");
    return 0;
  }
  EngineOptions eo;
  eo.by_hardware = fo.by == io::RowsBy::kHardware;
  const Results results = simulate(s, eo);
  if (sqlite) {
    write_store(o.output, results, fo, prov);
  } else {
    const std::string text = io::format_results(results, fo);
    io::write_output(o.output, o.no_provenance ? text : io::with_provenance(text, fo.format, prov));
    if (!o.no_provenance) write_sidecar(o.output, fo.format == io::Format::kCsv, prov);
  }
  auto warnings = run_warnings(results);
  for (auto& w : observed_warnings(s, results)) warnings.push_back(std::move(w));
  for (const auto& w : warnings) {
    spdlog::warn("{}: {}", text::terminal_safe(o.scenario, 160), text::terminal_safe(w, 600));
  }

  if (!o.check && o.junit.empty()) return 0;
  const auto checked = check_targets(s, results);
  if (!o.junit.empty()) {
    io::write_output(o.junit, junit_xml(s, checked, o.no_provenance ? nullptr : &prov));
  }
  int failed = 0;
  for (const auto& t : checked) failed += t.passed ? 0 : 1;
  if (o.check) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& t : checked) {
      rows.push_back(
          {t.passed ? "PASS" : "FAIL", t.name, t.what, t.required, fmt::format("{:.6g}", t.value)});
    }
    std::cerr << io::format_table({"result", "target", "metric", "required", "actual"}, rows);
    if (checked.empty()) {
      spdlog::warn("{}: --check: the scenario has no targets",
                   text::terminal_safe(o.scenario, 160));
    }
    if (failed > 0) {
      spdlog::error("{} of {} target(s) failed", failed, checked.size());
      for (const auto& t : checked) {
        if (!t.passed) {
          // Why: the constraints that bound the target's region in its (last) year.
          const std::string bound = what_bound(results, t.last_year, t.region);
          spdlog::error("{}: {}{}", text::terminal_safe(t.name, 200),
                        text::terminal_safe(t.detail, 400),
                        bound.empty() ? std::string()
                                      : fmt::format("; in {} bound by {}", t.last_year,
                                                    text::terminal_safe(bound, 400)));
        }
      }
      return 1;
    }
  }
  return 0;
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
  sub->add_option("scenario", o->scenario, "scenario file ('-' for standard input)")->required();
  add_overrides(sub, o->overrides, "(applied last)");
  sub->add_option("--format", o->format, "output format")
      ->check(CLI::IsMember({"table", "csv", "json", "jsonl", "md", "sqlite"}));
  sub->add_option("--by", o->by, "rows: region (and total), total only, or per hardware too")
      ->check(CLI::IsMember({"region", "total", "hardware"}));
  sub->add_option("--metrics", o->metrics,
                  "comma-separated result columns to print ('dcplan metrics' lists them)");
  sub->add_option("--years", o->years, "years to print, A:B (either side may be empty)");
  sub->add_option("--currency", o->currency, "convert money columns to CODE (needs fx_per_usd)");
  sub->add_flag("--check", o->check, "check the scenario's targets; exit 1 if any fails");
  sub->add_option("--junit", o->junit, "write the target results as JUnit XML to FILE");
  sub->add_flag("--provenance", o->provenance,
                "print only what would make the output (version, commit, command, scenario "
                "SHA-256, time) as JSON, without running");
  sub->add_flag("--no-provenance", o->no_provenance,
                "leave provenance out: json as the bare rows array, no markdown footer, no JUnit "
                "properties, no csv sidecar (the shapes before 0.2)");
  add_output(sub, o->output);
  return {sub, [o] { return run(*o); }};
}

}  // namespace dcplan::cli
