// Writing a comparison of two runs: csv, json, markdown (for a pull-request comment) or an
// aligned table; every text from the input escaped for its format.
#include "io/compare_format.hpp"

#include <fmt/format.h>

#include <cmath>

#include "dcplan/io/cells.hpp"
#include "io/table.hpp"
#include "text.hpp"

namespace dcplan::io {

namespace {

std::string percent(double rel) {
  if (std::isnan(rel)) return "";
  if (rel == 0) return "0%";
  return fmt::format("{:+.2f}%", rel * 100);
}

}  // namespace

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

namespace {

std::string compare_csv(const Comparison& c) {
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

//! The aligned table, or the markdown for a pull-request comment.
std::string compare_md_or_table(const Comparison& c) {
  const auto& rows = c.rows;
  const auto& gate_results = c.gates;
  const bool hw = c.hw;
  const std::string summary = verdict(c.rows, c.gates, c.format == "md");
  std::string out;
  const bool md = c.format == "md";
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
    out = fmt::format("**dcplan compare** {} → {}: {}\n\n", text::md_code(c.base_file, false),
                      text::md_code(c.other_file, false), summary);
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

std::string format_comparison(const Comparison& c) {
  if (c.format == "csv") return compare_csv(c);
  return compare_md_or_table(c);
}

}  // namespace dcplan::io
