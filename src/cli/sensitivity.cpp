#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/registration.hpp"
#include "dcplan/error.hpp"
#include "dcplan/io/atomic_file.hpp"
#include "dcplan/report/svg.hpp"
#include "dcplan/result_json.hpp"
#include "dcplan/sensitivity.hpp"
#include "io/table.hpp"
#include "text.hpp"

namespace dcplan::cli {

namespace {

//! `dcplan sensitivity`: the request (options::sensitivity()) and how its result is written.
struct SensitivityCliOptions {
  const Global* global = nullptr;
  sensitivity::ScenarioOptions o;
  std::string format;
  std::string output;
};

std::vector<std::vector<std::string>> cells(const sensitivity::Analysis& a, bool markdown) {
  std::vector<std::vector<std::string>> rows;
  auto fmt_v = [](double v) { return std::isfinite(v) ? fmt::format("{:.4g}", v) : ""; };
  for (const auto& r : a.rows) {
    const std::string input =
        markdown ? text::md_code(r.input, true) : text::terminal_safe(r.input, 120);
    rows.push_back({input, r.metric, r.years,
                    markdown ? text::md_escape(r.region) : text::terminal_safe(r.region, 60),
                    r.statistic, fmt_v(r.value), fmt_v(r.ci_low), fmt_v(r.ci_high)});
  }
  return rows;
}

std::string as_md(const sensitivity::Analysis& a) {
  std::string out =
      "| input | metric | year | region | statistic | value | ci_low | ci_high |\n"
      "| --- | --- | --- | --- | --- | ---: | ---: | ---: |\n";
  for (const auto& row : cells(a, true)) {
    out += "|";
    for (const auto& c : row) out += " " + c + " |";
    out += "\n";
  }
  return out;
}

//! The chart of the one metric, as a file of its own.
std::string as_svg(const sensitivity::Analysis& a) {
  const auto charts = sensitivity::charts(a);
  return charts.empty() ? std::string()
                        : report::standalone_svg(report::render_tornado(charts.front()));
}

int sensitivity_command(const SensitivityCliOptions& c) {
  sensitivity::ScenarioOptions o = c.o;
  o.allow_dirs = c.global->allow_dirs;
  if (c.format == "svg" && o.metrics.size() > 1) {
    throw InputError("--format", "", "svg draws one chart: give one --metric");
  }
  spdlog::info("sensitivity: {} with {} input(s) and {} metric(s): {} engine runs", o.method,
               o.varies.size(), o.metrics.size(), sensitivity::planned_runs(o));
  const sensitivity::Analysis a = sensitivity::analyse(o);
  for (const auto& n : a.notes) spdlog::warn("{}", text::terminal_safe(n, 400));
  std::string out;
  if (c.format == "csv") out = sensitivity::to_csv(a);
  if (c.format == "md") out = as_md(a);
  if (c.format == "svg") out = as_svg(a);
  if (c.format == "table") {
    out = io::format_table(
        {"input", "metric", "year", "region", "statistic", "value", "ci_low", "ci_high"},
        cells(a, false));
  }
  const Provenance prov = make_provenance(c.global->command, a.scenario_sha256, o.seed);
  out =
      c.format == "json" ? with_provenance(to_json(a), prov) : with_provenance(out, c.format, prov);
  io::write_output(c.output, out);
  write_sidecar(c.output, c.format == "csv", prov);
  return 0;
}

}  // namespace

Command add_sensitivity(CLI::App& app, const Global& g) {
  auto c = std::make_shared<SensitivityCliOptions>();
  c->global = &g;
  auto* sub = app.add_subcommand(
      "sensitivity", "Which inputs move the answer: tornado, Morris or Sobol' indices.");
  sub->footer(
      "SPEC: LO:HI (uniform), a:b:step, a list a,b,c, normal(m,s), lognormal(mu,sigma),\n"
      "uniform(a,b), triangular(a,mode,b), ci90(lo,hi) (a lognormal with 5th and 95th\n"
      "percentiles lo and hi); PTR*=SPEC is a factor on the whole value. Values the format\n"
      "refuses are clipped to what it accepts, integer keys sampled as integers, and both said\n"
      "on standard error. Tornado: 2k + 1 runs; Morris: r (k + 1); Sobol': N (k + 2).\n"
      "Output: input, metric, year, region, statistic, value, ci_low, ci_high.\n\n"
      "Examples:\n"
      "  dcplan sensitivity scenarios/alibaba-380b.json --metric energy_twh@2032 --method tornado "
      "\\\n"
      "      --vary '/capex/budget*=0.8:1.2' --vary /regions/cn-hangzhou/pue=1.1:1.3\n"
      "  dcplan sensitivity scenarios/alibaba-380b.json --metric energy_twh@2032 \\\n"
      "      --metric cost_per_eflop_year_usd@2032 --method sobol --samples 256 \\\n"
      "      --vary '/capex/budget*=ci90(0.8,1.25)' --vary '/hardware/h20/price_usd*=0.7:1.3' \\\n"
      "      --format csv -o sobol.csv\n"
      "  dcplan sensitivity scenarios/examples/minimal.json --metric energy_twh@2030 \\\n"
      "      --method morris --vary /regions/us-east/construction_years=0:3 \\\n"
      "      --vary /hardware/h100/lifetime_years=3:7\n");
  add_options(sub, options::sensitivity(), c->o,
              {{"--format", &c->format}, {"-o,--output", &c->output}});
  return {sub, [c] { return sensitivity_command(*c); }};
}

}  // namespace dcplan::cli
