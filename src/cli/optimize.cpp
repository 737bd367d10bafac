#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/registration.hpp"
#include "dcplan/error.hpp"
#include "dcplan/io/atomic_file.hpp"
#include "dcplan/io/cells.hpp"
#include "dcplan/result_json.hpp"
#include "dcplan/search.hpp"
#include "io/table.hpp"
#include "text.hpp"

namespace dcplan::cli {

namespace {

//! `dcplan optimize`: the request (options::optimize()) and how its result is written.
struct OptimizeCliOptions {
  const Global* global = nullptr;
  OptimizeOptions request;
  Deferred deferred;  //!< --maximize METRIC or --minimize METRIC: the objective and its direction
  std::string format;
  std::string output;
};

std::string num(double v) {
  return fmt::format("{:.6g}", v);
}

std::string as_text(const OptimizeOptions& oo, const OptimizeResult& r) {
  std::string out;
  out += fmt::format("{} {} = {} ({}; {} engine runs, best of {} start{})\n",
                     oo.maximize ? "maximum of" : "minimum of",
                     text::terminal_safe(r.objective_text, 200), num(r.objective),
                     r.feasible ? "every constraint holds" : "INFEASIBLE: a constraint fails",
                     r.runs, oo.starts, oo.starts == 1 ? "" : "s");
  std::vector<std::vector<std::string>> params;
  for (std::size_t i = 0; i < oo.varies.size(); ++i) {
    params.push_back({text::terminal_safe(oo.varies[i], 200), io::exact_number(r.values[i])});
  }
  out += "\n" + io::format_table({"parameter", "value"}, params);
  if (!r.constraints.empty()) out += "\n" + targets_table(r.constraints, "constraint", "slack");
  if (!r.bound_by.empty()) out += "\nwhat binds:\n" + terminal_lines(r.bound_by);
  out += "\n" + text::terminal_safe(r.set_line, 4000) + "\n";
  return out;
}

int optimize_command(const OptimizeCliOptions& o) {
  OptimizeOptions oo = o.request;
  apply_deferred(options::optimize(), o.deferred, oo);
  oo.allow_dirs = o.global->allow_dirs;
  if (oo.objective.empty()) {
    throw InputError("--maximize", "",
                     "no objective (expected --maximize METRIC[@YEARS][:SELECTOR] or --minimize)");
  }
  // A progress line only for a person watching: standard error a terminal, not CI, not -q.
  if (!o.global->quiet && ::isatty(STDERR_FILENO) != 0 && std::getenv("CI") == nullptr &&
      oo.starts > 1) {
    oo.progress = [](int done, int total) {
      std::fprintf(stderr, "\roptimize: %d of %d starts done", done, total);
      if (done == total) std::fputs("\r\033[K", stderr);
      std::fflush(stderr);
    };
  }
  const auto t0 = std::chrono::steady_clock::now();
  const OptimizeResult r = optimize(oo);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  // Standard output is the answer alone, the same on every run and thread count; the time goes
  // to the log.
  spdlog::info("optimize: {} engine runs in {:.2f} s", r.runs, seconds);
  if (!o.output.empty()) {
    write_solution({"optimize", oo.scenario, oo.overrides, oo.allow_dirs, r.scenario_sha256,
                    r.set_line, r.patch},
                   o.output);
  }
  const Provenance prov = make_provenance(o.global->command, r.scenario_sha256, oo.seed);
  const std::string report =
      o.format == "json" ? with_provenance(to_json(r), prov) : as_text(oo, r);
  std::fputs(report.c_str(), stdout);
  return r.feasible ? 0 : 1;
}

}  // namespace

Command add_optimize(CLI::App& app, const Global& g) {
  auto o = std::make_shared<OptimizeCliOptions>();
  o->global = &g;
  auto* sub = app.add_subcommand(
      "optimize", "Find the inputs that give the best value of a metric, subject to targets.");
  sub->footer(
      "OBJECTIVE: METRIC[@YEAR[:YEAR]][:SELECTOR] (no year: the horizon's last; a range sums).\n"
      "RANGE: PTR=LO:HI or PTR*=LO:HI (a factor on the whole value), one per free parameter.\n"
      "CONSTRAINT: a target, METRIC@YEAR[:YEAR][:SELECTOR] OP VALUE (OP >= <= ==; VALUE a number\n"
      "or KxYEAR). Method: NLopt's COBYLA in the box of the ranges, from its middle, and from\n"
      "--starts - 1 seeded points more; the best start wins. Shares that must sum to 1: write\n"
      "one of them \"rest\" (--set /capex/split/facility=rest) and vary the others. Exit 1 when\n"
      "no start meets the constraints.\n\n"
      "Examples:\n"
      "  dcplan optimize scenarios/alibaba-380b.json --maximize peak_pflops@2032 \\\n"
      "      --vary /capex/region_weights/cn-hangzhou=0.5:4 \\\n"
      "      --vary '/capex/region_weights/#international=0.1:2' \\\n"
      "      --subject-to 'capex_usd@2025:2027>=52.7e9'\n"
      "  dcplan optimize scenarios/examples/minimal.json --minimize cost_per_eflop_year_usd@2030 "
      "\\\n"
      "      --vary /capex/split/it=0.5:0.9 --set /capex/split/facility=rest \\\n"
      "      --subject-to 'energy_twh@2030>=1.5'\n");
  add_options(sub, options::optimize(), o->request,
              {{"--format", &o->format}, {"-o,--output", &o->output}}, &o->deferred);
  return {sub, [o] { return optimize_command(*o); }};
}

}  // namespace dcplan::cli
