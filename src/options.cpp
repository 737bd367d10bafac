// The option tables of the commands (include/dcplan/options.hpp): one row per option, in the
// order of the command line's help. The defaults are the requests' member initializers.
//
// The rows keep what users already have, oddities included, so that nothing they see changes:
// the command line's help texts and names, Python's keywords and their order. Where the two
// differ (solve's --target is Python's targets=, --targets its scenario_targets=) one row
// holds both names, so that the difference is in one place, visible. Bounds are the library's:
// it checks them itself, with its own messages, before any run (tests/python/test_options.py
// holds its checks to these rows); `cli_range` says where the command line also checks them
// while parsing, with CLI11's message, as it did before the tables.
#include "dcplan/options.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <iterator>
#include <nlohmann/json.hpp>

#include "dcplan/error.hpp"

namespace dcplan::options {

namespace {

using json = nlohmann::ordered_json;

//! [lo, hi].
constexpr Bounds between(double lo, double hi) {
  return {lo, hi, false};
}

//! (lo, hi): a share or a tolerance, which CLI11's Range (closed) cannot say.
constexpr Bounds open_interval(double lo, double hi) {
  return {lo, hi, true};
}

// ---------------------------------------------------------------------------------------------
// Values the requests keep in another shape than their options' texts. Each is applied from
// the text after parsing (on the command line) or from the text Python makes of its value, so
// that both go through the same function and a bad text is an InputError either way.

//! sweep --shard K/N: shard_k and shard_n. (The sweep checks them again, against each other,
//! with its own message: this one speaks of the text.)
void apply_shard(SweepOptions& o, const std::string& text) {
  long long k = -1, n = -1;
  char extra = 0;
  if (std::sscanf(text.c_str(), "%lld/%lld%c", &k, &n, &extra) != 2 || n < 1 || k < 0 || k >= n) {
    throw InputError("--shard", "",
                     "expected K/N with 0 <= K < N (e.g. 0/8), found \"" + text + "\"");
  }
  o.shard_k = k;
  o.shard_n = n;
}

std::string show_shard(const SweepOptions& o) {
  return o.shard_k == 0 && o.shard_n == 1 ? "" : fmt::format("{}/{}", o.shard_k, o.shard_n);
}

//! sweep --by total|region: by_region. The choices are checked before (CLI11's, or Python's).
void apply_sweep_by(SweepOptions& o, const std::string& text) {
  o.by_region = text == "region";
}

std::string show_sweep_by(const SweepOptions& o) {
  return o.by_region ? "region" : "total";
}

//! optimize --maximize METRIC and --minimize METRIC: the objective and its direction in one
//! option (Python has them as objective= and maximize=).
void apply_maximize(OptimizeOptions& o, const std::string& text) {
  o.objective = text;
  o.maximize = true;
}

void apply_minimize(OptimizeOptions& o, const std::string& text) {
  o.objective = text;
  o.maximize = false;
}

//! solve --minimize: the default direction, said on the command line.
void apply_solve_minimize(SolveOptions& o, const std::string& /*text*/) {
  o.maximize = false;
}

// ---------------------------------------------------------------------------------------------
// The tables. Help texts are the command line's; "{default}" is the member's initializer.

constexpr std::string_view kRunFormats[] = {"table", "csv", "json", "jsonl", "md", "sqlite"};
constexpr std::string_view kCompareFormats[] = {"table", "md", "json", "csv", "sqlite"};
constexpr std::string_view kSweepFormats[] = {"csv", "jsonl", "sqlite"};
constexpr std::string_view kSensitivityFormats[] = {"table", "csv", "json", "md", "svg"};
constexpr std::string_view kReportFormats[] = {"table", "json"};
constexpr std::string_view kRowsBy[] = {"region", "total", "hardware"};
constexpr std::string_view kSweepRowsBy[] = {"total", "region"};
constexpr std::string_view kOutputHelp = "write to FILE (atomically) instead of stdout";
constexpr std::string_view kSolutionHelp =
    "write the answer as a scenario (the report goes to stdout): one that extends SCENARIO, or, "
    "where extends would need --allow-dir, the whole scenario merged with the answer applied";
constexpr std::string_view kScenarioOrDash = "scenario file, or - for standard input";
// The threads of solve, optimize and sensitivity: search/parallel.hpp's kMaxJobs, private to
// the library, which checks it.
constexpr Bounds kJobs = between(0, 1024);

Command<RunRequest> make_run() {
  using R = RunRequest;
  return {
      "run",
      {
          {.cli = "scenario",
           .python = "scenario",
           .help = "scenario file ('-' for standard input)",
           .member = &R::scenario,
           .form = Form::kScenario,
           .required = true,
           .text = &R::scenario_text},
          {.cli = "--set",
           .python = "set",
           .help = "override /pointer=JSON (applied last)",
           .member = &R::overrides,
           .form = Form::kOverrides},
          {.cli = "--format",
           .help = "output format",
           .member = kNone,
           .form = Form::kOutput,
           .choices = kRunFormats,
           .fallback = "table"},
          {.cli = "--by",
           .python = "by",
           .help = "rows: region (and total), total only, or per hardware too",
           .member = &R::by,
           .choices = kRowsBy},
          {.cli = "--metrics",
           .python = "metrics",
           .help = "comma-separated result columns to print ('dcplan metrics' lists them)",
           .member = &R::metrics,
           .form = Form::kNames,
           .metrics = true},
          {.cli = "--years",
           .python = "years",
           .help = "years to print, A:B (either side may be empty)",
           .member = &R::years,
           .form = Form::kYears},
          // Python takes None for US dollars; the library takes "" or "USD".
          {.cli = "--currency",
           .python = "currency",
           .help = "convert money columns to CODE (needs fx_per_usd)",
           .member = &R::currency,
           .form = Form::kOptional},
          // The exit status and the JUnit file are the command line's: Python reads targets
          // from the results it returns.
          {.cli = "--check",
           .help = "check the scenario's targets; exit 1 if any fails",
           .member = kNone,
           .form = Form::kOutputFlag},
          {.cli = "--junit",
           .help = "write the target results as JUnit XML to FILE",
           .member = kNone,
           .form = Form::kOutput},
          {.cli = "--provenance",
           .help = "print only what would make the output (version, commit, command, scenario "
                   "SHA-256, time) as JSON, without running",
           .member = kNone,
           .form = Form::kOutputFlag},
          {.cli = "--no-provenance",
           .help = "leave provenance out: json as the bare rows array, no markdown footer, no "
                   "JUnit properties, no csv sidecar (the shapes before 0.2)",
           .member = kNone,
           .form = Form::kOutputFlag},
          {.cli = "-o,--output", .help = kOutputHelp, .member = kNone, .form = Form::kOutput},
      },
      {"scenario", "set", "by", "metrics", "years", "currency"},
  };
}

Command<CompareInputs> make_compare() {
  using R = CompareInputs;
  return {
      "compare",
      {
          {.cli = "base",
           .python = "base",
           .help = "the base scenario",
           .member = &R::base,
           .form = Form::kScenario,
           .required = true,
           .text = &R::base_text},
          {.cli = "other",
           .python = "other",
           .help = "the scenario compared with it",
           .member = &R::other,
           .form = Form::kScenario,
           .required = true,
           .text = &R::other_text},
          {.cli = "--set",
           .python = "set",
           .help = "override /pointer=JSON in OTHER",
           .member = &R::set_other,
           .form = Form::kOverrides},
          {.cli = "--set-base",
           .python = "set_base",
           .help = "override /pointer=JSON in BASE",
           .member = &R::set_base,
           .form = Form::kOverrides},
          {.cli = "--metrics",
           .python = "metrics",
           .help = "columns to compare (default: energy, facility power, peak compute, capex, "
                   "TCO, cost per EFLOP-year, operational emissions)",
           .member = &R::metrics,
           .form = Form::kNames,
           .metrics = true},
          // A text in Python too (run's years= takes a year or a pair: kYears).
          {.cli = "--years",
           .python = "years",
           .help = "years to show, A:B",
           .member = &R::years,
           .form = Form::kOptional},
          {.cli = "--by",
           .python = "by",
           .help = "rows: {default} (default), region or hardware",
           .member = &R::by,
           .choices = kRowsBy},
          {.cli = "--gate", .python = "gates", .help = "a gate", .member = &R::gates},
          {.cli = "--gates",
           .python = "gates_file",
           .help = "a JSON file with a list of gates",
           .member = &R::gates_file,
           .form = Form::kPath},
          {.cli = "--format",
           .help = "{default} (default), md, json, csv, or sqlite (a store, with -o FILE: "
                   "docs/sqlite.md)",
           .member = kNone,
           .form = Form::kOutput,
           .choices = kCompareFormats,
           .fallback = "table"},
          {.cli = "--append",
           .help = "sqlite: add this comparison to the store at -o FILE (another sweep id) "
                   "instead of replacing it",
           .member = kNone,
           .form = Form::kOutputFlag},
          {.cli = "-o,--output", .help = kOutputHelp, .member = kNone, .form = Form::kOutput},
      },
      {"base", "other", "set", "set_base", "by", "metrics", "years", "gates", "gates_file"},
  };
}

Command<SweepOptions> make_sweep() {
  using R = SweepOptions;
  return {
      "sweep",
      {
          {.cli = "scenario",
           .python = "scenario",
           .help = "scenario file",
           .member = &R::scenario,
           .form = Form::kScenario,
           .required = true,
           .text = &R::scenario_text},
          {.cli = "--vary",
           .python = "vary",
           .help =
               "PTR=SPEC or PTR*=SPEC; a selector in PTR (/regions/cn-*/pue, #tag, *) is one input "
               "for every key it matches; .../series/YEAR adds a year",
           .member = &R::varies,
           .form = Form::kSpecs,
           .required = true},
          {.cli = "--set",
           .python = "set",
           .help = "override /pointer=JSON before the sweep",
           .member = &R::overrides,
           .form = Form::kOverrides},
          // -1 lets the sweep choose: 100 with distributions, else 1.
          {.cli = "--samples",
           .python = "samples",
           .help = "runs per grid point",
           .member = &R::samples,
           .form = Form::kCount,
           .bounds = between(1, 1e9),
           .cli_range = between(1, 1e9)},
          {.cli = "--seed",
           .python = "seed",
           .help = "seed of the generators (default {default})",
           .member = &R::seed},
          // The command line has refused 0 since sweep began; Python takes it (every core).
          {.cli = "--jobs",
           .python = "jobs",
           .help = "threads (default: the number of cores)",
           .member = &R::jobs,
           .bounds = between(0, 256),
           .cli_range = between(1, 256)},
          {.cli = "--shard",
           .python = "shard",
           .help = "K/N: only the runs with index = K mod N",
           .member = Custom<R>{&apply_shard, &show_shard},
           .form = Form::kShard},
          {.cli = "--metrics",
           .python = "metrics",
           .help = "columns to report (default: as compare)",
           .member = &R::metrics,
           .form = Form::kNames,
           .metrics = true},
          {.cli = "--by",
           .python = "by",
           .help = "rows: {default} (default) or region",
           .member = Custom<R>{&apply_sweep_by, &show_sweep_by},
           .form = Form::kChoice,
           .choices = kSweepRowsBy},
          {.cli = "--summary",
           .python = "summary",
           .help =
               "per metric and year: n, mean, p5, p50, p95 (percentiles by the P-square estimator)",
           .member = &R::summary},
          {.cli = "--targets",
           .python = "targets",
           .help = "whether each of the scenario's targets holds in each run: a column "
                   "pass:NAME, 1 or 0; with --summary its pass rate (mean) and 90% Wilson "
                   "interval (low, high)",
           .member = &R::targets},
          {.cli = "--ratio",
           .python = "ratios",
           .help = "METRIC@YEAR/YEAR, with --summary: the spread of each run's ratio of the total "
                   "metric in the two years (a row ratio:METRIC@YEAR/YEAR)",
           .member = &R::ratios},
          // Output options that are members: the library writes (run_sweep); Python's sweep
          // returns columns instead.
          {.cli = "--format",
           .help = "{default} (default), jsonl, or sqlite (a store, with -o FILE: docs/sqlite.md)",
           .member = &R::format,
           .form = Form::kOutput,
           .choices = kSweepFormats},
          {.cli = "--append",
           .help = "sqlite: add this sweep to the store at -o FILE (another sweep id) instead of "
                   "replacing it",
           .member = &R::append,
           .form = Form::kOutputFlag},
          {.cli = "-o,--output", .help = kOutputHelp, .member = &R::output, .form = Form::kOutput},
          // A progress report for Python's caller; the command line draws its own bar.
          {.python = "progress",
           .help = "a callable(done, total), called about every 200 ms",
           .member = kNone,
           .form = Form::kCallback},
      },
      {"scenario", "vary", "samples", "seed", "jobs", "summary", "set", "by", "metrics", "shard",
       "progress", "targets", "ratios"},
  };
}

Command<SolveOptions> make_solve() {
  using R = SolveOptions;
  return {
      "solve",
      {
          {.cli = "scenario",
           .python = "scenario",
           .help = kScenarioOrDash,
           .member = &R::scenario,
           .form = Form::kScenario,
           .required = true,
           .text = &R::scenario_text},
          {.cli = "--target",
           .python = "targets",
           .help = "a target that must hold",
           .member = &R::targets},
          {.cli = "--targets",
           .python = "scenario_targets",
           .help = "the scenario's own targets must hold too",
           .member = &R::scenario_targets},
          // Several: the cheapest lever, each solved alone (solve_levers).
          {.cli = "--vary",
           .python = "vary",
           .help = "the input searched: PTR=LO:HI or PTR*=LO:HI (a selector in PTR: one input for "
                   "every key it matches); several: each alone, cheapest first",
           .member = &R::vary,
           .form = Form::kRanges,
           .required = true},
          {.cli = "--minimize",
           .help = "the smallest value (default)",
           .member = Custom<R>{&apply_solve_minimize, nullptr, true}},
          {.cli = "--maximize",
           .python = "maximize",
           .help = "the largest value",
           .member = &R::maximize,
           .excludes = "--minimize"},
          // Checked by the library alone: an open interval.
          {.cli = "--tolerance",
           .python = "tolerance",
           .help = "of the answer, relative to HI - LO (default {default})",
           .member = &R::tolerance,
           .bounds = open_interval(0, 1)},
          {.cli = "--grid",
           .python = "grid",
           .help = "intervals of the coarse grid checked first (default {default})",
           .member = &R::grid,
           .bounds = between(2, 100000),
           .cli_range = between(2, 100000)},
          {.cli = "-j,--jobs",
           .python = "jobs",
           .help = "threads for the grid (default: the number of cores)",
           .member = &R::jobs,
           .bounds = kJobs,
           .cli_range = kJobs},
          {.cli = "--format",
           .help = "output format",
           .member = kNone,
           .form = Form::kOutput,
           .choices = kReportFormats,
           .fallback = "table"},
          {.cli = "--set",
           .python = "set",
           .help = "override /pointer=JSON applied before the search",
           .member = &R::overrides,
           .form = Form::kOverrides},
          {.cli = "-o,--output", .help = kSolutionHelp, .member = kNone, .form = Form::kOutput},
          {.cli = "--cost",
           .python = "cost",
           .help = "with several --vary, what a lever costs: METRIC[@YEAR[:YEAR]][:SELECTOR] at "
                   "its answer (no year: summed over the horizon; default capex_usd)",
           .member = &R::cost,
           .form = Form::kOptional},
      },
      {"scenario", "vary", "targets", "scenario_targets", "maximize", "tolerance", "grid", "jobs",
       "set", "cost"},
  };
}

Command<OptimizeOptions> make_optimize() {
  using R = OptimizeOptions;
  return {
      "optimize",
      {
          {.cli = "scenario",
           .python = "scenario",
           .help = kScenarioOrDash,
           .member = &R::scenario,
           .form = Form::kScenario,
           .required = true,
           .text = &R::scenario_text},
          // The command line names the objective with its direction; Python has them apart.
          {.cli = "--maximize",
           .help = "the metric to maximize",
           .member = Custom<R>{&apply_maximize, nullptr}},
          {.cli = "--minimize",
           .help = "the metric to minimize",
           .member = Custom<R>{&apply_minimize, nullptr},
           .excludes = "--maximize"},
          {.python = "objective",
           .help = "the metric: METRIC[@YEAR[:YEAR]][:SELECTOR] (no year: the horizon's last)",
           .member = &R::objective,
           .required = true},
          {.cli = "--vary",
           .python = "vary",
           .help = "a free parameter PTR=LO:HI (a selector in PTR: one parameter for every key it "
                   "matches)",
           .member = &R::varies,
           .form = Form::kRanges,
           .required = true},
          {.cli = "--subject-to",
           .python = "subject_to",
           .help = "a target that must hold",
           .member = &R::constraints},
          {.cli = "--targets",
           .python = "scenario_targets",
           .help = "the scenario's own targets must hold too",
           .member = &R::scenario_targets},
          {.python = "maximize",
           .help = "maximize the objective (False: minimize it)",
           .member = &R::maximize},
          {.cli = "--starts",
           .python = "starts",
           .help = "starts of the optimiser (default {default}: the middle)",
           .member = &R::starts,
           .bounds = between(1, 10000),
           .cli_range = between(1, 10000)},
          {.cli = "--seed",
           .python = "seed",
           .help = "seed of the extra starts (default {default})",
           .member = &R::seed},
          {.cli = "-j,--jobs",
           .python = "jobs",
           .help = "threads over the starts (default: the number of cores)",
           .member = &R::jobs,
           .bounds = kJobs,
           .cli_range = kJobs},
          {.cli = "--max-runs",
           .python = "max_runs",
           .help = "engine runs per start (default {default})",
           .member = &R::max_runs,
           .bounds = between(10, 1000000),
           .cli_range = between(10, 1000000)},
          // Python only: the command line has not had it (a .cli name would give it --xtol).
          {.python = "xtol",
           .help = "stop when a step changes no parameter by more than this share of its range",
           .member = &R::xtol,
           .bounds = open_interval(0, 1)},
          {.cli = "--format",
           .help = "output format",
           .member = kNone,
           .form = Form::kOutput,
           .choices = kReportFormats,
           .fallback = "table"},
          {.cli = "--set",
           .python = "set",
           .help = "override /pointer=JSON applied before the search",
           .member = &R::overrides,
           .form = Form::kOverrides},
          {.cli = "-o,--output", .help = kSolutionHelp, .member = kNone, .form = Form::kOutput},
      },
      {"scenario", "objective", "vary", "subject_to", "scenario_targets", "maximize", "starts",
       "seed", "jobs", "max_runs", "xtol", "set"},
  };
}

Command<dcplan::sensitivity::ScenarioOptions> make_sensitivity() {
  using R = dcplan::sensitivity::ScenarioOptions;
  return {
      "sensitivity",
      {
          {.cli = "scenario",
           .python = "scenario",
           .help = kScenarioOrDash,
           .member = &R::scenario,
           .form = Form::kScenario,
           .required = true,
           .text = &R::scenario_text},
          {.cli = "--metric",
           .python = "metrics",
           .help = "METRIC[@YEAR[:YEAR]][:SELECTOR]",
           .member = &R::metrics,
           .required = true,
           .metrics = true},
          {.cli = "--vary",
           .python = "vary",
           .help = "an uncertain input PTR=SPEC (a selector in PTR, /regions/cn-*/pue: one input "
                   "for every key it matches)",
           .member = &R::varies,
           .form = Form::kSpecs,
           .required = true},
          // The library checks the method, naming the three.
          {.cli = "--method",
           .python = "method",
           .help = "tornado, morris or sobol (default {default})",
           .member = &R::method},
          // Checked by the library alone, as it always was ("N in 2 to 1000000").
          {.cli = "--samples",
           .python = "samples",
           .help = "Sobol' N (default {default})",
           .member = &R::samples,
           .bounds = between(2, 1000000)},
          {.cli = "--trajectories",
           .python = "trajectories",
           .help = "Morris r (default {default})",
           .member = &R::trajectories,
           .bounds = between(2, 100000),
           .cli_range = between(2, 100000)},
          // Even, too: the library checks that.
          {.cli = "--levels",
           .python = "levels",
           .help = "Morris p, even (default {default})",
           .member = &R::levels,
           .bounds = between(2, 100),
           .cli_range = between(2, 100)},
          {.cli = "--bootstrap",
           .python = "bootstrap",
           .help = "Sobol' resamples for the 95% intervals (default {default})",
           .member = &R::bootstrap,
           .bounds = between(0, 100000),
           .cli_range = between(0, 100000)},
          {.cli = "--seed",
           .python = "seed",
           .help = "seed of the Morris trajectories and the bootstrap",
           .member = &R::seed},
          {.cli = "-j,--jobs",
           .python = "jobs",
           .help = "threads (default: the number of cores)",
           .member = &R::jobs,
           .bounds = kJobs,
           .cli_range = kJobs},
          {.cli = "--format",
           .help = "output format",
           .member = kNone,
           .form = Form::kOutput,
           .choices = kSensitivityFormats,
           .fallback = "table"},
          {.cli = "--set",
           .python = "set",
           .help = "override /pointer=JSON applied before the analysis",
           .member = &R::overrides,
           .form = Form::kOverrides},
          {.cli = "-o,--output", .help = kOutputHelp, .member = kNone, .form = Form::kOutput},
          // How Python returns tornado's result: the command line's table is the wide one, its
          // csv and json the tidy one.
          {.python = "tidy",
           .help = "tornado: the tidy table (a row per input, metric and statistic) in place of "
                   "a row per input",
           .member = kNone,
           .form = Form::kOutputFlag},
      },
      {"scenario", "vary", "metrics", "method", "samples", "trajectories", "levels", "bootstrap",
       "seed", "jobs", "set", "tidy"},
  };
}

// ---------------------------------------------------------------------------------------------
// Reading the tables.

//! A number as a person writes it: the shortest text that reads back, its exponent without
//! padding (1e-6, not 1e-06), as the help texts have always written the defaults.
std::string number_text(double v) {
  std::string s = fmt::format("{}", v);
  const auto e = s.find('e');
  if (e == std::string::npos) return s;
  std::string exponent = s.substr(e + 1);
  const bool negative = exponent.front() == '-';
  if (exponent.front() == '-' || exponent.front() == '+') exponent.erase(0, 1);
  exponent.erase(0, std::min(exponent.find_first_not_of('0'), exponent.size() - 1));
  return s.substr(0, e + 1) + (negative ? "-" : "") + exponent;
}

//! The forms' names in JSON, in the order of the enum.
constexpr const char* kFormNames[] = {"plain", "scenario", "overrides", "ranges", "specs",
                                      "names", "years",    "optional",  "path",   "count",
                                      "shard", "choice",   "callback",  "output", "output_flag"};
static_assert(std::size(kFormNames) == static_cast<std::size_t>(Form::kOutputFlag) + 1);

const char* form_name(Form f) {
  return kFormNames[static_cast<std::size_t>(f)];
}

//! The member's type as the front ends treat it.
template <class R>
const char* type_name(const Option<R>& o) {
  struct Visit {
    const Option<R>& o;
    const char* operator()(std::monostate) const {
      return o.form == Form::kOutputFlag ? "flag" : o.form == Form::kOutput ? "text" : "none";
    }
    const char* operator()(bool R::*) const { return "flag"; }
    const char* operator()(int R::*) const { return "int"; }
    const char* operator()(long long R::*) const { return "int64"; }
    const char* operator()(std::uint64_t R::*) const { return "uint64"; }
    const char* operator()(double R::*) const { return "number"; }
    const char* operator()(std::string R::*) const { return "text"; }
    const char* operator()(std::vector<std::string> R::*) const { return "texts"; }
    const char* operator()(const Custom<R>& c) const { return c.flag ? "flag" : "text"; }
  };
  return std::visit(Visit{o}, o.member);
}

json bounds_json(const std::optional<Bounds>& b) {
  if (!b) return nullptr;
  return {{"lo", b->lo}, {"hi", b->hi}, {"open", b->open}};
}

//! What Python's signature shows as the default: None where the command line's is empty (no
//! value, or -1: the command's own choice), else the value in its type. Python has always
//! written "none" as None, and the test compares the two sides by this rule.
template <class R>
json python_default(const Option<R>& o) {
  if (o.required || o.python.empty() || o.form == Form::kCallback) return nullptr;
  const std::string text = default_text(o);
  const std::string_view type = type_name(o);
  if (type == "flag") return text == "true";
  if (o.form == Form::kCount && text == "-1") return nullptr;
  if (type == "int" || type == "int64") return std::stoll(text);
  if (type == "uint64") return std::stoull(text);
  if (type == "number") return std::stod(text);
  if (text.empty()) return nullptr;
  return text;
}

template <class R>
json option_json(const Option<R>& o) {
  json choices = json::array();
  for (const auto c : o.choices) choices.push_back(std::string(c));
  return {{"cli", std::string(o.cli)},
          {"python", std::string(o.python)},
          {"help", help_text(o)},
          {"type", type_name(o)},
          {"form", form_name(o.form)},
          {"default", default_text(o)},
          {"python_default", python_default(o)},
          {"bounds", bounds_json(o.bounds)},
          {"cli_range", bounds_json(o.cli_range)},
          {"choices", std::move(choices)},
          {"required", o.required},
          // Applied after parsing (Custom): what CLI11 holds is not the request's value.
          {"deferred", std::holds_alternative<Custom<R>>(o.member)},
          {"excludes", std::string(o.excludes)},
          {"metrics", o.metrics}};
}

template <class R>
json command_json(const Command<R>& c) {
  json options = json::array();
  for (const auto& o : c.options) options.push_back(option_json(o));
  json python = json::array();
  for (const auto p : c.python) python.push_back(std::string(p));
  return {{"python", std::move(python)}, {"options", std::move(options)}};
}

//! Whether `name` is one of the names CLI11 knows an option by: "-j,--jobs" is "-j" and
//! "--jobs".
bool named(std::string_view cli, std::string_view name) {
  while (!cli.empty()) {
    const auto comma = cli.find(',');
    if (cli.substr(0, comma) == name) return true;
    if (comma == std::string_view::npos) break;
    cli.remove_prefix(comma + 1);
  }
  return false;
}

template <class R>
std::optional<Completion> completion_of(const Command<R>& c, std::string_view name) {
  for (const auto& o : c.options) {
    if (!named(o.cli, name)) continue;
    Completion out;
    for (const auto v : o.choices) out.choices.emplace_back(v);
    out.metrics = o.metrics;
    return out;
  }
  return std::nullopt;
}

}  // namespace

const Command<RunRequest>& run() {
  static const Command<RunRequest> table = make_run();
  return table;
}

const Command<CompareInputs>& compare() {
  static const Command<CompareInputs> table = make_compare();
  return table;
}

const Command<SweepOptions>& sweep() {
  static const Command<SweepOptions> table = make_sweep();
  return table;
}

const Command<SolveOptions>& solve() {
  static const Command<SolveOptions> table = make_solve();
  return table;
}

const Command<OptimizeOptions>& optimize() {
  static const Command<OptimizeOptions> table = make_optimize();
  return table;
}

const Command<dcplan::sensitivity::ScenarioOptions>& sensitivity() {
  static const Command<dcplan::sensitivity::ScenarioOptions> table = make_sensitivity();
  return table;
}

template <class R>
std::string default_text(const Option<R>& option) {
  struct Visit {
    const Option<R>& o;
    const R defaults{};
    std::string operator()(std::monostate) const {
      return o.form == Form::kOutputFlag ? "false" : std::string(o.fallback);
    }
    std::string operator()(bool R::*m) const { return defaults.*m ? "true" : "false"; }
    std::string operator()(int R::*m) const { return std::to_string(defaults.*m); }
    std::string operator()(long long R::*m) const { return std::to_string(defaults.*m); }
    std::string operator()(std::uint64_t R::*m) const { return std::to_string(defaults.*m); }
    std::string operator()(double R::*m) const { return number_text(defaults.*m); }
    std::string operator()(std::string R::*m) const { return defaults.*m; }
    std::string operator()(std::vector<std::string> R::*m) const {
      std::string out;
      for (const auto& v : defaults.*m) out += (out.empty() ? "" : ",") + v;
      return out;
    }
    std::string operator()(const Custom<R>& c) const {
      if (c.flag) return "false";
      return c.show != nullptr ? c.show(defaults) : std::string();
    }
  };
  return std::visit(Visit{option}, option.member);
}

template <class R>
std::string help_text(const Option<R>& option) {
  std::string out(option.help);
  const std::string_view mark = "{default}";
  for (auto at = out.find(mark); at != std::string::npos; at = out.find(mark, at)) {
    const std::string value = default_text(option);
    out.replace(at, mark.size(), value);
    at += value.size();
  }
  return out;
}

#define DCPLAN_OPTIONS_INSTANTIATE(R)                            \
  template std::string default_text<R>(const Option<R>& option); \
  template std::string help_text<R>(const Option<R>& option);
DCPLAN_OPTIONS_INSTANTIATE(RunRequest)
DCPLAN_OPTIONS_INSTANTIATE(CompareInputs)
DCPLAN_OPTIONS_INSTANTIATE(SweepOptions)
DCPLAN_OPTIONS_INSTANTIATE(SolveOptions)
DCPLAN_OPTIONS_INSTANTIATE(OptimizeOptions)
DCPLAN_OPTIONS_INSTANTIATE(dcplan::sensitivity::ScenarioOptions)
#undef DCPLAN_OPTIONS_INSTANTIATE

std::string tables_json() {
  json doc;
  doc["run"] = command_json(run());
  doc["compare"] = command_json(compare());
  doc["sweep"] = command_json(sweep());
  doc["solve"] = command_json(solve());
  doc["optimize"] = command_json(optimize());
  doc["sensitivity"] = command_json(sensitivity());
  return doc.dump(2) + "\n";
}

std::optional<Completion> completion(std::string_view command, std::string_view name) {
  if (command == "run") return completion_of(run(), name);
  if (command == "compare") return completion_of(compare(), name);
  if (command == "sweep") return completion_of(sweep(), name);
  if (command == "solve") return completion_of(solve(), name);
  if (command == "optimize") return completion_of(optimize(), name);
  if (command == "sensitivity") return completion_of(sensitivity(), name);
  return std::nullopt;
}

}  // namespace dcplan::options
