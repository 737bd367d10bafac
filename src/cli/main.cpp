// dcplan — command-line entry point. Parses arguments (CLI11) and maps outcomes to exit codes:
// 0 success; 1 a target or gate failed; 2 invalid input or usage; 3 internal error.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <csignal>
#include <exception>
#include <iostream>

#include "cli/commands.hpp"
#include "dcplan/error.hpp"
#include "dcplan/io/atomic_file.hpp"

namespace {

constexpr int kExitInput = 2;
constexpr int kExitInternal = 3;

void print_diagnostics(const dcplan::InputError& e) {
  for (const auto& d : e.diagnostics()) std::cerr << "error: " << d.to_string() << "\n";
  if (e.diagnostics().size() >= dcplan::kMaxDiagnostics) {
    std::cerr << "error: stopped after " << dcplan::kMaxDiagnostics << " errors\n";
  }
}

}  // namespace

int main(int argc, char** argv) {
  auto logger = spdlog::stderr_color_mt("dcplan");
  logger->set_pattern("%^%l%$: %v");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::info);

  CLI::App app{
      "dcplan: capacity-planning simulator for AI data centres. Reads a scenario (JSON:\n"
      "capex plan, hardware, regions, targets) and steps it year by year.",
      "dcplan"};
  app.footer(
      "Examples:\n"
      "  dcplan run scenarios/alibaba-380b.json\n"
      "  dcplan validate scenarios/*.json scenarios/examples/*.json\n"
      "  dcplan metrics\n"
      "  dcplan schema > scenario.schema.json\n\n"
      "Exit codes: 0 success; 1 a target or gate failed; 2 invalid input or usage;\n"
      "3 internal error. Results go to standard output or -o; logs to standard error.\n"
      "Run 'dcplan SUBCOMMAND --help' for a subcommand's options and examples.");
  app.set_version_flag("--version", std::string("dcplan ") + DCPLAN_VERSION);
  app.require_subcommand(1);
  int verbose = 0;
  bool quiet = false;
  app.add_flag("-v,--verbose", verbose, "more log output on standard error (-vv: trace)");
  app.add_flag("-q,--quiet", quiet, "only errors on standard error");
  app.add_option("--allow-dir", dcplan::cli::allow_dirs(),
                 "a directory include and extends may also read from (by default only the "
                 "scenario's own directory); repeatable")
      ->allow_extra_args(false);
  app.fallthrough();

  dcplan::cli::ValidateOptions vo;
  auto* validate = app.add_subcommand(
      "validate",
      "Check scenario files (and gates files) and report every problem (up to 50 per file).");
  validate->footer(
      "Examples:\n"
      "  dcplan validate scenarios/alibaba-380b.json\n"
      "  dcplan validate --merged scenarios/alibaba-raised.json > merged.json\n"
      "  dcplan validate scenarios/alibaba-380b.json --set /regions/cn-hangzhou/pue=1.15\n");
  validate
      ->add_option("files", vo.files,
                   "scenario files ('-' for standard input); a file holding a JSON array is "
                   "checked as a gates file (compare --gates)")
      ->required();
  validate->add_option("--set", vo.overrides, "override /pointer=JSON (applied last)")
      ->allow_extra_args(false);
  validate->add_flag("--merged", vo.merged,
                     "print the merged document (includes, extends and --set applied)");

  dcplan::cli::SchemaOptions so;
  auto* schema =
      app.add_subcommand("schema", "Print the JSON Schema (draft 2020-12) of the scenario format.");
  schema->footer(
      "Examples:\n"
      "  dcplan schema > scenario.schema.json\n"
      "  dcplan schema --markdown -o scenario-reference.md\n");
  schema->add_flag("--markdown", so.markdown, "print the scenario reference as markdown instead");
  schema->add_option("-o,--output", so.output, "write to FILE (atomically) instead of stdout");

  dcplan::cli::MetricsOptions mto;
  auto* metrics = app.add_subcommand(
      "metrics",
      "List every result column: its unit, whether a stock, flow or ratio, and meaning.");
  metrics->footer(
      "Examples:\n"
      "  dcplan metrics\n"
      "  dcplan metrics --markdown -o results.md\n");
  metrics->add_flag("--markdown", mto.markdown,
                    "print the column reference as markdown (docs/results.md is this output)");
  metrics->add_option("-o,--output", mto.output, "write to FILE (atomically) instead of stdout");

  dcplan::cli::CatalogOptions co;
  auto* catalog = app.add_subcommand(
      "catalog", "List catalog entries: accelerators or regions with their key figures.");
  catalog->footer(
      "Examples:\n"
      "  dcplan catalog hardware\n"
      "  dcplan catalog regions --include scenarios/catalog/regions-world.json\n");
  catalog->add_option("kind", co.kind, "what to list")
      ->required()
      ->check(CLI::IsMember({"hardware", "regions"}));
  catalog->add_option("--include", co.includes,
                      "catalog files to read (default: the shipped scenarios/catalog)");
  catalog->add_option("--year", co.year, "year at which prices and trajectories are shown")
      ->check(CLI::Range(1900, 2500));

  dcplan::cli::RunOptions ro;
  auto* run =
      app.add_subcommand("run", "Simulate a scenario year by year and print the result table.");
  run->footer(
      "Examples:\n"
      "  dcplan run scenarios/alibaba-380b.json\n"
      "  dcplan run scenarios/alibaba-380b.json --format csv -o results.csv\n"
      "  dcplan run scenarios/examples/minimal.json --set /capex/split/it=0.7 \\\n"
      "      --set /capex/split/facility=0.25 --by total --metrics energy_twh,capex_usd\n"
      "  dcplan run scenarios/alibaba-380b.json --currency CNY --metrics capex_cny --by total\n"
      "  dcplan run scenarios/examples/minimal.json --check --junit targets.xml -o /dev/null\n\n"
      "Columns: 'dcplan metrics' lists every result column with its unit and meaning.\n");
  run->add_option("scenario", ro.scenario, "scenario file ('-' for standard input)")->required();
  run->add_option("--set", ro.overrides, "override /pointer=JSON (applied last); repeatable")
      ->allow_extra_args(false);
  run->add_option("--format", ro.format, "output format")
      ->check(CLI::IsMember({"table", "csv", "json", "jsonl", "md"}));
  run->add_option("--by", ro.by, "rows: region (and total), total only, or per hardware too")
      ->check(CLI::IsMember({"region", "total", "hardware"}));
  run->add_option("--metrics", ro.metrics,
                  "comma-separated result columns to print ('dcplan metrics' lists them)");
  run->add_option("--years", ro.years, "years to print, A:B (either side may be empty)");
  run->add_option("--currency", ro.currency, "convert money columns to CODE (needs fx_per_usd)");
  run->add_flag("--check", ro.check, "check the scenario's targets; exit 1 if any fails");
  run->add_option("--junit", ro.junit, "write the target results as JUnit XML to FILE");
  run->add_option("-o,--output", ro.output, "write to FILE (atomically) instead of stdout");

  dcplan::cli::CompareOptions cmp;
  auto* compare = app.add_subcommand(
      "compare", "Run two scenarios and show their differences; gates fail a pull request.");
  compare->footer(
      "Gates: METRIC[@YEAR[:YEAR]][:SELECTOR] OP VALUE, OP one of <= < >= > ==; VALUE absolute\n"
      "(4e11, compared with OTHER) or relative to BASE (+5%, -10%, 0%). A year range sums; no\n"
      "year means every common year; SELECTOR: total (default), an id, a glob, a #tag or *.\n"
      "Exit 1 when a gate fails, 2 when one is invalid.\n\n"
      "Examples:\n"
      "  dcplan compare scenarios/alibaba-380b.json scenarios/alibaba-raised.json\n"
      "  dcplan compare scenarios/alibaba-380b.json scenarios/alibaba-raised.json \\\n"
      "      --gate 'energy_twh@2032<=+25%' --format md\n"
      "  dcplan compare scenarios/alibaba-380b.json scenarios/alibaba-380b.json \\\n"
      "      --set /capex/budget/series/2026=130000000000 --gates "
      "scenarios/alibaba-380b.gates.json\n"
      "  dcplan compare scenarios/examples/minimal.json scenarios/examples/minimal.json \\\n"
      "      --set /capex/budget=3e9 --by region --metrics energy_twh\n");
  compare->add_option("base", cmp.base, "the base scenario")->required();
  compare->add_option("other", cmp.other, "the scenario compared with it")->required();
  compare->add_option("--set", cmp.overrides, "override /pointer=JSON in OTHER; repeatable")
      ->allow_extra_args(false);
  compare->add_option("--set-base", cmp.set_base, "override /pointer=JSON in BASE; repeatable")
      ->allow_extra_args(false);
  compare->add_option("--metrics", cmp.metrics,
                      "columns to compare (default: energy, facility power, peak compute, capex, "
                      "TCO, cost per EFLOP-year, operational emissions)");
  compare->add_option("--years", cmp.years, "years to show, A:B");
  compare->add_option("--by", cmp.by, "rows: total (default), region or hardware")
      ->check(CLI::IsMember({"region", "total", "hardware"}));
  compare->add_option("--gate", cmp.gates, "a gate; repeatable")->allow_extra_args(false);
  compare->add_option("--gates", cmp.gates_file, "a JSON file with a list of gates");
  compare->add_option("--format", cmp.format, "output format")
      ->check(CLI::IsMember({"table", "md", "json", "csv"}));
  compare->add_option("-o,--output", cmp.output, "write to FILE (atomically) instead of stdout");

  dcplan::cli::SweepCliOptions sw;
  auto* sweep =
      app.add_subcommand("sweep", "Run a scenario over parameter grids and Monte Carlo draws.");
  sweep->footer(
      "SPEC: a range a:b:step, a list a,b,c, or normal(m,s), lognormal(mu,sigma), uniform(a,b),\n"
      "triangular(a,mode,b). PTR=SPEC sets the value (a number, or one year of a series:\n"
      ".../series/2026); PTR*=SPEC multiplies the whole value. Ranges and lists form a grid,\n"
      "each point run --samples times (default 100 with distributions, else 1). Run i draws from\n"
      "a generator seeded by (--seed, i) alone: output does not depend on --jobs or --shard.\n\n"
      "Examples:\n"
      "  dcplan sweep scenarios/alibaba-380b.json --vary /regions/cn-hangzhou/pue=1.1:1.3:0.05\n"
      "  dcplan sweep scenarios/alibaba-380b.json --vary '/capex/budget*=uniform(0.8,1.2)' \\\n"
      "      --samples 1000 --summary -o summary.csv\n"
      "  parallel --quote dcplan sweep scenarios/examples/minimal.json \\\n"
      "      --vary '/capex/budget*=uniform(0.8,1.2)' --samples 20 \\\n"
      "      --shard {}/4 -o out.{}.csv ::: 0 1 2 3\n"
      "  dcplan merge out.*.csv -o out.csv\n");
  sweep->add_option("scenario", sw.scenario, "scenario file")->required();
  sweep->add_option("--vary", sw.varies, "PTR=SPEC or PTR*=SPEC; repeatable")
      ->allow_extra_args(false)
      ->required();
  sweep->add_option("--set", sw.overrides, "override /pointer=JSON before the sweep; repeatable")
      ->allow_extra_args(false);
  sweep->add_option("--samples", sw.samples, "runs per grid point")
      ->check(CLI::Range(1LL, 1000000000LL));
  sweep->add_option("--seed", sw.seed, "seed of the generators (default 1)");
  sweep->add_option("--jobs", sw.jobs, "threads (default: the number of cores)")
      ->check(CLI::Range(1, 256));
  sweep->add_option("--shard", sw.shard, "K/N: only the runs with index = K mod N");
  sweep->add_option("--metrics", sw.metrics, "columns to report (default: as compare)");
  sweep->add_option("--by", sw.by, "rows: total (default) or region")
      ->check(CLI::IsMember({"total", "region"}));
  sweep->add_flag(
      "--summary", sw.summary,
      "per metric and year: n, mean, p5, p50, p95 (percentiles by the P-square estimator)");
  sweep->add_option("--format", sw.format, "csv (default) or jsonl")
      ->check(CLI::IsMember({"csv", "jsonl"}));
  sweep->add_option("-o,--output", sw.output, "write to FILE (atomically) instead of stdout");

  dcplan::cli::MergeOptions mo;
  auto* merge =
      app.add_subcommand("merge", "Merge the shard outputs of one sweep back into run order.");
  merge->footer(
      "Each shard must hold exactly its runs (run i in shard i mod N), in order, every run with\n"
      "the same rows; anything else is an error naming the file and line.\n\n"
      "Examples:\n"
      "  dcplan merge out.0.csv out.1.csv out.2.csv out.3.csv -o out.csv\n");
  merge->add_option("files", mo.files, "shard outputs")->required();
  merge->add_option("-o,--output", mo.output, "write to FILE (atomically) instead of stdout");

  dcplan::cli::ReportOptions rep;
  auto* report = app.add_subcommand("report", "Write a self-contained HTML report with charts.");
  report->footer(
      "The file has everything inline (CSS, SVG charts; no script, font or network) and prints.\n\n"
      "Examples:\n"
      "  dcplan report scenarios/alibaba-380b.json -o report.html\n"
      "  dcplan report scenarios/alibaba-380b.json --compare scenarios/alibaba-raised.json -o "
      "cmp.html\n"
      "  dcplan report scenarios/alibaba-380b.json --sweep summary.csv -o fan.html\n");
  report->add_option("scenario", rep.scenario, "scenario file (the base with --compare)")
      ->required();
  report->add_option("--compare", rep.compare,
                     "a second scenario, drawn against the first (dashed)");
  report->add_option("--sweep", rep.sweep,
                     "a dcplan sweep csv output (rows or --summary): fan charts");
  report->add_option("--set", rep.overrides, "override /pointer=JSON; repeatable")
      ->allow_extra_args(false);
  report->add_option("-o,--output", rep.output, "the HTML file (written atomically)")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitInput;
  }
  if (quiet) {
    spdlog::set_level(spdlog::level::err);
  } else if (verbose >= 2) {
    spdlog::set_level(spdlog::level::trace);
  } else if (verbose == 1) {
    spdlog::set_level(spdlog::level::debug);
  }

  // A signal removes the temporary file of any output being written before the process ends.
  dcplan::io::install_cleanup_handlers();
  try {
    if (*validate) return dcplan::cli::validate(vo);
    if (*schema) return dcplan::cli::schema(so);
    if (*metrics) return dcplan::cli::metrics(mto);
    if (*catalog) return dcplan::cli::catalog(co);
    if (*run) return dcplan::cli::run(ro);
    if (*compare) return dcplan::cli::compare(cmp);
    if (*sweep) return dcplan::cli::sweep(sw, quiet);
    if (*merge) return dcplan::cli::merge(mo);
    if (*report) return dcplan::cli::report(rep);
  } catch (const dcplan::InputError& e) {
    print_diagnostics(e);
    return kExitInput;
  } catch (const dcplan::Interrupted& e) {
    // A closed pipe (dcplan sweep ... | head) is the reader's choice, not news.
    if (e.signal() != SIGPIPE) {
      std::cerr << "interrupted by signal " << e.signal() << "; no output file written\n";
    }
    return 128 + e.signal();
  } catch (const dcplan::ModelError& e) {
    std::cerr << "internal error: " << e.what() << "\n";
    return kExitInternal;
  } catch (const std::bad_alloc&) {
    std::cerr << "internal error: out of memory\n";
    return kExitInternal;
  } catch (const std::exception& e) {
    std::cerr << "internal error: " << e.what() << "\n";
    return kExitInternal;
  }
  return kExitInput;
}
