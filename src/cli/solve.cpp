#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cmath>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/registration.hpp"
#include "dcplan/io/atomic_file.hpp"
#include "dcplan/io/cells.hpp"
#include "dcplan/result_json.hpp"
#include "dcplan/search.hpp"
#include "io/table.hpp"
#include "text.hpp"

namespace dcplan::cli {

namespace {

//! `dcplan solve`: the request (options::solve()) and how its result is written.
struct SolveCliOptions {
  const Global* global = nullptr;
  SolveOptions request;
  Deferred deferred;  //!< --minimize
  std::string format;
  std::string output;
};

std::string num(double v) {
  return fmt::format("{:.6g}", v);
}

std::string as_text(const SolveOptions& o, const SearchRange& range, const SolveResult& r) {
  const std::string what =
      text::terminal_safe(range.pointer, 200) + (range.multiply ? " (a factor)" : "");
  std::string out;
  if (!r.feasible) {
    out +=
        fmt::format("infeasible: no value of {} in [{}, {}] meets every target ({} engine runs)\n",
                    what, num(range.lo), num(range.hi), r.runs);
    out += fmt::format("\nat {}:\n{}", num(range.lo), targets_table(r.at_lo, "target", "margin"));
    out += fmt::format("\nat {}:\n{}", num(range.hi), targets_table(r.at_hi, "target", "margin"));
    if (!r.bound_by.empty()) {
      out += fmt::format("\nwhat binds at {}:\n{}", num(r.value), terminal_lines(r.bound_by));
    }
    return out;
  }
  out += fmt::format(
      "{} {} = {} ({}; {} engine runs)\n", o.maximize ? "largest" : "smallest", what,
      io::exact_number(r.value),
      r.integer ? "an integer key: exact" : fmt::format("within {:.3g}", r.tolerance), r.runs);
  if (!r.monotone || r.intervals.size() > 1) {
    std::string list;
    for (const auto& in : r.intervals) {
      list += fmt::format("{}[{}, {}]", list.empty() ? "" : ", ", num(in.lo), num(in.hi));
    }
    out += fmt::format(
        "not monotone: the targets hold on {} (a grid of values, each change refined)\n", list);
  }
  out += "\n" + targets_table(r.at_value, "target", "margin");
  out += "\n" + text::terminal_safe(r.set_line, 2000) + "\n";
  return out;
}

//! The levers side by side, cheapest first, then each one's --set line or why it failed.
std::string as_text(const SolveOptions& o, const SolveLevers& r) {
  const std::string unit = r.currency.empty() ? "" : " (" + r.currency + ")";
  std::string out = fmt::format(
      "{} lever{}, each alone, cheapest first; cost: {}{} at each answer ({} engine runs)\n\n",
      r.levers.size(), r.levers.size() == 1 ? "" : "s", text::terminal_safe(r.cost, 200), unit,
      r.runs);
  std::vector<std::vector<std::string>> rows;
  for (std::size_t i = 0; i < r.levers.size(); ++i) {
    const SolveResult& a = r.levers[i].answer;
    const std::string what =
        text::terminal_safe(a.parameter, 200) + (a.multiply ? " (a factor)" : "");
    rows.push_back({std::to_string(i + 1), what,
                    a.feasible ? io::exact_number(a.value) : "infeasible",
                    std::isfinite(r.levers[i].cost) ? num(r.levers[i].cost) : "-"});
  }
  out += io::format_table(
      {"", "lever", o.maximize ? "largest value" : "smallest value", "cost" + unit}, rows);
  out += "\n";
  for (std::size_t i = 0; i < r.levers.size(); ++i) {
    const SolveResult& a = r.levers[i].answer;
    if (a.feasible) {
      out += fmt::format("{}. {}\n", i + 1, text::terminal_safe(a.set_line, 2000));
    } else {
      out +=
          fmt::format("{}. no value meets every target{}\n", i + 1,
                      a.bound_by.empty() ? "" : fmt::format("; what binds at {}:", num(a.value)));
      out += terminal_lines(a.bound_by, "   ");
    }
  }
  return out;
}

//! Several --vary (or a --cost): the cheapest lever. -o writes the cheapest answer.
int levers_command(const SolveCliOptions& o, const SolveOptions& so) {
  const SolveLevers r = solve_levers(so);
  const std::string sha = r.levers.empty() ? "" : r.levers.front().answer.scenario_sha256;
  const Provenance prov = make_provenance(o.global->command, sha);
  const std::string report =
      o.format == "json" ? with_provenance(to_json(r), prov) : as_text(so, r);
  const bool feasible = !r.levers.empty() && r.levers.front().answer.feasible;
  if (!o.output.empty() && feasible) {
    const SolveResult& best = r.levers.front().answer;
    write_solution({"solve", so.scenario, so.overrides, so.allow_dirs, best.scenario_sha256,
                    best.set_line, best.patch},
                   o.output);
  }
  std::fputs(report.c_str(), stdout);
  return feasible ? 0 : 1;
}

int solve_command(const SolveCliOptions& o) {
  SolveOptions so = o.request;
  apply_deferred(options::solve(), o.deferred, so);
  so.allow_dirs = o.global->allow_dirs;
  if (so.vary.size() > 1 || !so.cost.empty()) return levers_command(o, so);
  const SearchRange range = parse_range(so.vary.at(0));
  const SolveResult r = solve(so);
  const Provenance prov = make_provenance(o.global->command, r.scenario_sha256);
  const std::string report =
      o.format == "json" ? with_provenance(to_json(r), prov) : as_text(so, range, r);
  if (!o.output.empty() && r.feasible) {
    write_solution(
        {"solve", so.scenario, so.overrides, so.allow_dirs, r.scenario_sha256, r.set_line, r.patch},
        o.output);
  }
  std::fputs(report.c_str(), stdout);
  return r.feasible ? 0 : 1;
}

}  // namespace

std::string targets_table(const std::vector<TargetResult>& ts, const char* what,
                          const char* slack) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& t : ts) {
    const double m = margin(t);
    rows.push_back({t.passed ? "holds" : "FAILS", t.name, num(t.value),
                    fmt::format("{} {}", bound_op(t.kind), num(t.bound)),
                    std::isinf(m) ? (m < 0 ? "-inf" : "+inf") : fmt::format("{:+.4g}", m)});
  }
  return io::format_table({"", what, "value", "required", slack}, rows);
}

std::string terminal_lines(const std::vector<std::string>& lines, const std::string& indent) {
  std::string out;
  for (const auto& line : lines) out += indent + text::terminal_safe(line, 2000) + "\n";
  return out;
}

void write_solution(const Solution& s, const std::string& output) {
  if (extends_beneath(s.scenario, output)) {
    io::write_output(output, extending_scenario(s.scenario, output, s.patch,
                                                "dcplan " + s.command + ": " + s.set_line));
    return;
  }
  std::string overrides;
  for (const auto& o : s.overrides) overrides += " --set " + o;
  const std::string note = fmt::format(
      "dcplan {}: {}, applied to {}{} merged into one self-contained file (its extends, includes "
      "and --set applied).",
      s.command, s.set_line, s.scenario, overrides.empty() ? "" : " with" + overrides);
  io::write_output(output, standalone_scenario(s.scenario, {s.overrides, s.allow_dirs, {}},
                                               s.sha256, s.patch, note));
  spdlog::info(
      "{}: the whole scenario with the answer applied, which runs from anywhere (a file there "
      "that extends {} would need --allow-dir)",
      text::terminal_safe(output, 300), text::terminal_safe(s.scenario, 300));
}

Command add_solve(CLI::App& app, const Global& g) {
  auto o = std::make_shared<SolveCliOptions>();
  o->global = &g;
  auto* sub = app.add_subcommand(
      "solve", "Find the smallest (or largest) value of one input at which every target holds.");
  // The grid's size in the help is the table's default (--grid; the member's initializer).
  sub->footer(fmt::format(
      "TARGET: METRIC@YEAR[:YEAR][:SELECTOR] OP VALUE, OP one of >= <= ==, VALUE a number or\n"
      "KxYEAR (K times the same metric in YEAR). RANGE: PTR=LO:HI sets the value, PTR*=LO:HI\n"
      "multiplies the whole value (a trajectory, every year). A grid of {} values first shows\n"
      "where the targets hold; bisection then refines every change to the tolerance. Exit 1\n"
      "when no value in the range meets the targets (the constraints that bind are named).\n"
      "Several --vary: each lever solved alone, listed cheapest first by --cost (default:\n"
      "capex_usd summed over the horizon, in the scenario's currency).\n\n"
      "Examples:\n"
      "  dcplan solve scenarios/alibaba-380b.json --targets --vary /capex/budget/then_growth=0:2\n"
      "  dcplan solve scenarios/examples/campus-5gw.json \\\n"
      "      --target 'facility_capacity_mw@2030>=4000' --vary '/capex/budget*=0.1:1'\n"
      "  dcplan solve scenarios/examples/minimal.json --target 'energy_twh@2030>=2.5' \\\n"
      "      --vary /capex/budget=1e9:1e10 -o solved.json\n"
      "  dcplan solve scenarios/alibaba-380b.json --target 'energy_twh@2032>=10x2022' \\\n"
      "      --vary /capex/budget/then_growth=0:1.5 --vary '/capex/budget*=1:20'\n",
      SolveOptions{}.grid + 1));
  add_options(sub, options::solve(), o->request,
              {{"--format", &o->format}, {"-o,--output", &o->output}}, &o->deferred);
  return {sub, [o] { return solve_command(*o); }};
}

}  // namespace dcplan::cli
