// The sensitivity file format (tidy csv) written and read back, and the charts of an analysis.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <map>

#include "dcplan/error.hpp"
#include "dcplan/io/cells.hpp"
#include "dcplan/results.hpp"
#include "dcplan/sensitivity.hpp"
#include "io/sweep_file.hpp"
#include "text.hpp"

namespace dcplan::sensitivity {

namespace {

constexpr const char* kHeader = "input,metric,year,region,statistic,value,ci_low,ci_high";

std::string cell(double v) {
  return std::isfinite(v) ? io::exact_number(v) : "";
}

//! The fields of a csv line (quoted fields as sweep writes them).
std::vector<std::string> fields_of(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        out.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        out.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

}  // namespace

std::vector<TornadoRow> tornado_rows(const Analysis& a) {
  std::vector<TornadoRow> out;
  if (a.method != "tornado") return out;
  // input_low and input_high stay in the tidy rows: the --vary spec says them.
  const std::pair<const char*, double TornadoRow::*> fields[] = {{"low", &TornadoRow::low},
                                                                 {"high", &TornadoRow::high},
                                                                 {"swing", &TornadoRow::swing},
                                                                 {"base", &TornadoRow::base}};
  std::map<std::array<std::string, 4>, std::size_t> index;
  for (const auto& r : a.rows) {
    const auto f = std::find_if(std::begin(fields), std::end(fields),
                                [&](const auto& p) { return r.statistic == p.first; });
    if (f == std::end(fields)) continue;
    const auto [it, added] = index.try_emplace({r.input, r.metric, r.years, r.region}, out.size());
    if (added) out.push_back({r.input, r.metric, r.years, r.region});
    out[it->second].*(f->second) = r.value;
  }
  return out;
}

std::string to_csv(const Analysis& a) {
  std::string out = std::string(kHeader) + "\n";
  for (const auto& r : a.rows) {
    out += fmt::format("{},{},{},{},{},{},{},{}\n", io::csv_field(r.input), r.metric, r.years,
                       io::csv_field(r.region), r.statistic, cell(r.value), cell(r.ci_low),
                       cell(r.ci_high));
  }
  return out;
}

Analysis read_csv(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path, "", "cannot read the sensitivity output");
  std::string line;
  if (!std::getline(in, line) || line != kHeader) {
    throw InputError(
        path, "",
        std::string("expected a dcplan sensitivity csv (first line \"") + kHeader + "\")");
  }
  Analysis a;
  for (long long n = 2; std::getline(in, line); ++n) {
    const auto f = fields_of(line);
    auto bad = [&](const std::string& what) {
      throw InputError(path, "", fmt::format("line {}: {}", n, what));
    };
    if (f.size() != 8) bad(fmt::format("expected 8 fields, found {}", f.size()));
    Row r{f[0], f[1], f[2], f[3], f[4], 0, NAN, NAN};
    if (!text::parse_double(f[5], r.value)) bad("the value is not a number");
    if (!f[6].empty() && !text::parse_double(f[6], r.ci_low)) bad("ci_low is not a number");
    if (!f[7].empty() && !text::parse_double(f[7], r.ci_high)) bad("ci_high is not a number");
    if (find_column(r.metric) == nullptr) bad("unknown metric \"" + text::excerpt(r.metric) + "\"");
    a.rows.push_back(std::move(r));
  }
  if (a.rows.empty()) throw InputError(path, "", "no rows");
  const auto has = [&](const char* s) {
    return std::any_of(a.rows.begin(), a.rows.end(),
                       [&](const Row& r) { return r.statistic == s; });
  };
  a.method = has("swing") ? "tornado" : has("ST") ? "sobol" : has("mu_star") ? "morris" : "";
  if (a.method.empty()) throw InputError(path, "", "no statistic of a known method");
  return a;
}

std::vector<report::Tornado> charts(const Analysis& a) {
  std::vector<report::Tornado> out;
  std::vector<std::string> keys;
  const bool tornado = a.method == "tornado", sobol_ = a.method == "sobol";
  const char* lo = tornado ? "low" : sobol_ ? "S1" : "mu_star";
  const char* hi = tornado ? "high" : sobol_ ? "ST" : "sigma";
  for (const auto& r : a.rows) {
    const std::string key = r.metric + "@" + r.years + ":" + r.region;
    if (std::find(keys.begin(), keys.end(), key) != keys.end()) continue;
    keys.push_back(key);
    report::Tornado t;
    t.id = fmt::format("sensitivity-{}", keys.size());
    t.title = fmt::format("{}: {} {} {}",
                          tornado  ? "Tornado"
                          : sobol_ ? "Sobol' indices"
                                   : "Morris",
                          r.metric, r.years, r.region);
    const ColumnInfo* info = find_column(r.metric);
    t.unit = sobol_ || info == nullptr ? "" : std::string(info->unit);
    t.low_name = tornado ? "input at its low end" : sobol_ ? "first order (S1)" : "mu*";
    t.high_name = tornado ? "input at its high end" : sobol_ ? "total (ST)" : "sigma";
    for (const auto& s : a.rows) {
      if (s.metric + "@" + s.years + ":" + s.region != key) continue;
      if (tornado && s.statistic == "base") t.base = s.value;
      if (s.statistic == lo) t.bars.push_back({s.input, s.value, NAN});
      if (s.statistic == hi && !t.bars.empty() && t.bars.back().label == s.input) {
        t.bars.back().high = s.value;
      }
    }
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace dcplan::sensitivity
