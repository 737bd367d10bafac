#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <cmath>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "dcplan/compare.hpp"
#include "dcplan/engine.hpp"
#include "dcplan/io/atomic_file.hpp"
#include "dcplan/io/format.hpp"
#include "dcplan/load.hpp"
#include "io/table.hpp"
#include "text.hpp"

namespace dcplan::cli {

namespace {

std::string percent(double rel) {
  if (std::isnan(rel)) return "";
  if (rel == 0) return "0%";
  return fmt::format("{:+.2f}%", rel * 100);
}

//! One line: the gates' outcome and the largest change. In markdown (`md`) the gate texts are
//! code spans and the region is escaped; everything else is dcplan's own words.
std::string verdict(const std::vector<CompareRow>& rows, const std::vector<GateResult>& gates,
                    bool md) {
  std::size_t changed = 0;
  const CompareRow* largest = nullptr;
  for (const auto& r : rows) {
    if (!r.changed()) continue;
    ++changed;
    const double rel = std::abs(r.rel_diff());
    if (!std::isnan(rel) && (largest == nullptr || rel > std::abs(largest->rel_diff())))
      largest = &r;
  }
  std::string out;
  if (!gates.empty()) {
    std::size_t failed = 0;
    std::string names;
    for (const auto& g : gates) {
      if (g.passed) continue;
      ++failed;
      names += (names.empty() ? "" : ", ") +
               (md ? text::md_code(g.gate.text, false) : text::terminal_safe(g.gate.text, 200));
    }
    out = failed == 0
              ? fmt::format("PASS: all {} gate(s) passed", gates.size())
              : fmt::format("FAIL: {} of {} gate(s) failed ({})", failed, gates.size(), names);
    out += "; ";
  }
  if (changed == 0) return out + "no differences";
  out += fmt::format("{} of {} values changed", changed, rows.size());
  if (largest != nullptr) {
    out += fmt::format("; largest change {} {} {} {}",
                       column_info(static_cast<Col>(largest->metric)).name, largest->year,
                       md ? text::md_escape(largest->region) : largest->region,
                       percent(largest->rel_diff()));
  }
  return out;
}

}  // namespace

namespace {

//! What every writer of a comparison reads.
struct Compared {
  const CompareOptions& o;
  std::vector<CompareRow> rows;
  std::vector<GateResult> gates;
  bool hw = false;  //!< rows by hardware
  std::string summary;
};

std::string compare_csv(const Compared& c) {
  const auto& rows = c.rows;
  const bool hw = c.hw;
  std::string out;
  out = hw ? "year,region,hardware,metric,base,other,diff,rel_diff\n"
           : "year,region,metric,base,other,diff,rel_diff\n";
  for (const auto& r : rows) {
    out += std::to_string(r.year) + "," + r.region + (hw ? "," + r.hardware : "") + "," +
           std::string(column_info(static_cast<Col>(r.metric)).name) + "," +
           io::exact_number(r.base) + "," + io::exact_number(r.other) + "," +
           io::exact_number(r.diff()) + "," + io::exact_number(r.rel_diff()) + "\n";
  }
  return out;
}

std::string compare_json(const Compared& c) {
  const auto& o = c.o;
  const auto& rows = c.rows;
  const auto& gate_results = c.gates;
  const bool hw = c.hw;
  const std::string& summary = c.summary;
  std::string out;
  nlohmann::ordered_json doc;
  doc["base"] = o.base;
  doc["other"] = o.other;
  auto num = [](double v) {
    return std::isnan(v) ? nlohmann::ordered_json() : nlohmann::ordered_json(v == 0 ? 0.0 : v);
  };
  doc["rows"] = nlohmann::ordered_json::array();
  for (const auto& r : rows) {
    nlohmann::ordered_json j = {{"year", r.year}, {"region", r.region}};
    if (hw)
      j["hardware"] =
          r.hardware.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(r.hardware);
    j["metric"] = column_info(static_cast<Col>(r.metric)).name;
    j["base"] = num(r.base);
    j["other"] = num(r.other);
    j["diff"] = num(r.diff());
    j["rel_diff"] = num(r.rel_diff());
    doc["rows"].push_back(j);
  }
  doc["gates"] = nlohmann::ordered_json::array();
  for (const auto& g : gate_results) {
    doc["gates"].push_back({{"gate", g.gate.text},
                            {"passed", g.passed},
                            {"base", num(g.base)},
                            {"other", num(g.other)},
                            {"measured", num(g.measured)},
                            {"detail", g.detail}});
  }
  doc["verdict"] = summary;
  out = doc.dump(2) + "\n";
  return out;
}

//! The aligned table, or the markdown for a pull-request comment.
std::string compare_md_or_table(const Compared& c) {
  const auto& o = c.o;
  const auto& rows = c.rows;
  const auto& gate_results = c.gates;
  const bool hw = c.hw;
  const std::string& summary = c.summary;
  std::string out;
  const bool md = o.format == "md";
  std::vector<std::string> header = {"year", "region"};
  if (hw) header.emplace_back("hardware");
  for (const char* h : {"metric", "base", "other", "diff", "rel_diff", "changed"})
    header.emplace_back(h);
  std::vector<std::vector<std::string>> cells;
  for (const auto& r : rows) {
    const auto& info = column_info(static_cast<Col>(r.metric));
    std::vector<std::string> line = {std::to_string(r.year), r.region};
    if (hw) line.push_back(r.hardware);
    line.emplace_back(info.name);
    line.push_back(r.in_base ? io::readable(r.base, info, "USD") : "(missing)");
    line.push_back(r.in_other ? io::readable(r.other, info, "USD") : "(missing)");
    line.push_back(std::isnan(r.diff()) ? "" : io::readable(r.diff(), info, "USD"));
    line.push_back(percent(r.rel_diff()));
    line.emplace_back(r.changed() ? "*" : "");
    cells.push_back(std::move(line));
  }
  if (md) {
    // Meant for a pull-request comment: every text from the input (file names, gate text,
    // region and hardware ids) is escaped and bounded; gate text sits in a code span that
    // cannot be closed early. Only dcplan's own words and numbers are markdown.
    out = fmt::format("**dcplan compare** {} → {}: {}\n\n", text::md_code(o.base, false),
                      text::md_code(o.other, false), summary);
    if (!gate_results.empty()) {
      out += "| gate | result | detail |\n| --- | --- | --- |\n";
      for (const auto& g : gate_results) {
        out += fmt::format("| {} | {} | {} |\n", text::md_code(g.gate.text, true),
                           g.passed ? "pass" : "**FAIL**", text::md_escape(g.detail, 400));
      }
      out += "\n";
    }
    for (auto& line : cells) {
      line[1] = text::md_escape(line[1]);
      if (hw) line[2] = text::md_escape(line[2]);
    }
    out += "|";
    for (const auto& h : header) out += " " + h + " |";
    out += "\n|";
    for (std::size_t i = 0; i < header.size(); ++i)
      out += i < header.size() - 6 + 1 ? " --- |" : " ---: |";
    out += "\n";
    for (const auto& line : cells) {
      const bool changed = !line.back().empty();
      out += "|";
      for (std::size_t i = 0; i < line.size(); ++i) {
        const bool emphasise = changed && i + 1 < line.size() && i + 5 >= line.size();
        out += " " + (emphasise && !line[i].empty() ? "**" + line[i] + "**" : line[i]) + " |";
      }
      out += "\n";
    }
  } else {
    out = io::format_table(header, cells);
    if (!gate_results.empty()) {
      std::vector<std::vector<std::string>> g_rows;
      for (const auto& g : gate_results) {
        g_rows.push_back({g.passed ? "PASS" : "FAIL", g.gate.text, g.detail});
      }
      out += "\n" + io::format_table({"result", "gate", "detail"}, g_rows);
    }
    out += "\n" + summary + "\n";
  }
  return out;
}

}  // namespace

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
  EngineOptions eo;
  eo.by_hardware = by == io::RowsBy::kHardware;
  const Results base = run_engine(base_s, eo);
  const Results other = run_engine(other_s, eo);

  Compared c{o, {}, evaluate_gates(gates, base_s, base, other_s, other), eo.by_hardware, {}};
  for (auto& r : compare_results(base, other, metrics, by == io::RowsBy::kTotal, eo.by_hardware)) {
    if (years.first_year && r.year < *years.first_year) continue;
    if (years.last_year && r.year > *years.last_year) continue;
    c.rows.push_back(std::move(r));
  }
  c.summary = verdict(c.rows, c.gates, o.format == "md");
  const std::string out = o.format == "csv"    ? compare_csv(c)
                          : o.format == "json" ? compare_json(c)
                                               : compare_md_or_table(c);
  const auto& gate_results = c.gates;
  io::write_output(o.output, out);
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
      "      --gate 'energy_twh@2032<=+25%' --format md\n"
      "  dcplan compare scenarios/alibaba-380b.json scenarios/alibaba-380b.json \\\n"
      "      --set /capex/budget/series/2026=130000000000 --gates "
      "scenarios/alibaba-380b.gates.json\n"
      "  dcplan compare scenarios/examples/minimal.json scenarios/examples/minimal.json \\\n"
      "      --set /capex/budget=3e9 --by region --metrics energy_twh\n");
  sub->add_option("base", o->base, "the base scenario")->required();
  sub->add_option("other", o->other, "the scenario compared with it")->required();
  sub->add_option("--set", o->overrides, "override /pointer=JSON in OTHER; repeatable")
      ->allow_extra_args(false);
  sub->add_option("--set-base", o->set_base, "override /pointer=JSON in BASE; repeatable")
      ->allow_extra_args(false);
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
  sub->add_option("-o,--output", o->output, "write to FILE (atomically) instead of stdout");
  return {sub, [o] { return compare(*o); }};
}

}  // namespace dcplan::cli
