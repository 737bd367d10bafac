#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
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

//! A table to print: its header, which columns hold numbers (right-aligned in markdown), rows.
struct Cells {
  std::vector<std::string> header;
  std::vector<bool> number;
  std::vector<std::vector<std::string>> rows;
};

std::string shown(double v) {
  return std::isfinite(v) ? fmt::format("{:.4g}", v) : "";
}

//! An input (from --vary) and a region (from the scenario), escaped for the format.
std::string input_cell(const std::string& input, bool markdown) {
  return markdown ? text::md_code(input, true) : text::terminal_safe(input, 120);
}
std::string region_cell(const std::string& region, bool markdown) {
  return markdown ? text::md_escape(region) : text::terminal_safe(region, 60);
}

//! The tidy rows as they are: a row per input, metric and statistic (Morris, Sobol').
Cells tidy_cells(const sensitivity::Analysis& a, bool markdown) {
  Cells c{{"input", "metric", "year", "region", "statistic", "value", "ci_low", "ci_high"},
          {false, false, false, false, false, true, true, true},
          {}};
  for (const auto& r : a.rows) {
    c.rows.push_back({input_cell(r.input, markdown), r.metric, r.years,
                      region_cell(r.region, markdown), r.statistic, shown(r.value), shown(r.ci_low),
                      shown(r.ci_high)});
  }
  return c;
}

//! Tornado: a row per input, largest swing first; per metric too when several were asked (one
//! metric is the command line's own, so its columns would only repeat it).
Cells tornado_cells(const sensitivity::Analysis& a, bool markdown) {
  const auto rows = sensitivity::tornado_rows(a);
  const auto same_metric = [&](const sensitivity::TornadoRow& r) {
    return r.metric == rows.front().metric && r.years == rows.front().years &&
           r.region == rows.front().region;
  };
  const bool several = !std::all_of(rows.begin(), rows.end(), same_metric);
  Cells c;
  c.header = {"input"};
  if (several) c.header.insert(c.header.end(), {"metric", "year", "region"});
  c.header.insert(c.header.end(), {"low", "high", "swing", "base"});
  for (const auto& h : c.header)
    c.number.push_back(h == "low" || h == "high" || h == "swing" || h == "base");
  for (const auto& r : rows) {
    std::vector<std::string> row = {input_cell(r.input, markdown)};
    if (several) row.insert(row.end(), {r.metric, r.years, region_cell(r.region, markdown)});
    row.insert(row.end(), {shown(r.low), shown(r.high), shown(r.swing), shown(r.base)});
    c.rows.push_back(std::move(row));
  }
  return c;
}

Cells cells(const sensitivity::Analysis& a, bool markdown) {
  return a.method == "tornado" ? tornado_cells(a, markdown) : tidy_cells(a, markdown);
}

std::string as_md(const Cells& c) {
  std::string out = "|", rule = "|";
  for (std::size_t i = 0; i < c.header.size(); ++i) {
    out += " " + c.header[i] + " |";
    rule += c.number[i] ? " ---: |" : " --- |";
  }
  out += "\n" + rule + "\n";
  for (const auto& row : c.rows) {
    out += "|";
    for (const auto& cell : row) out += " " + cell + " |";
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
  if (c.format == "md") out = as_md(cells(a, true));
  if (c.format == "svg") out = as_svg(a);
  if (c.format == "table") {
    const Cells t = cells(a, false);
    out = io::format_table(t.header, t.rows);
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
      "Output (csv, json): input, metric, year, region, statistic, value, ci_low, ci_high;\n"
      "tornado's table and md: a row per input (and metric, when several), largest swing\n"
      "first: input, low, high, swing, base (the metric at the input's ends, their\n"
      "difference, and at the scenario's own values).\n\n"
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
