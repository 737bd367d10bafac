// A sweep's plan: its options, its grid and the values of each run (see plan.hpp).
#include "sweep/plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>
#include <string_view>

#include "dcplan/compare.hpp"
#include "dcplan/error.hpp"
#include "dcplan/view.hpp"
#include "json_io.hpp"
#include "text.hpp"
#include "vary/pool.hpp"

namespace dcplan::sweep {

namespace {

std::uint64_t fnv1a(std::uint64_t h, std::string_view s) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001B3ULL;
  }
  return h;
}

//! A whole year of --ratio's text ("2032"), or nullopt.
std::optional<int> ratio_year(std::string_view text) {
  if (text.empty() || text.size() > 4 ||
      text.find_first_not_of("0123456789") != std::string_view::npos)
    return std::nullopt;
  return std::stoi(std::string(text));
}

}  // namespace

std::vector<std::string> target_columns(const Scenario& s) {
  if (s.targets.empty()) {
    throw InputError("--targets", "",
                     "expected a scenario with targets (its \"targets\" list, as run --check "
                     "reads), found none");
  }
  std::vector<std::string> names;
  std::set<std::string> used;  // lower case: SQLite's column names ignore ASCII case
  auto lower = [](std::string n) {
    for (char& c : n) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return n;
  };
  for (const Target& t : s.targets) {
    const std::string name = "pass:" + text::terminal_safe(t.name, 200);
    std::string unique = name;
    for (int k = 2; !used.insert(lower(unique)).second; ++k)
      unique = fmt::format("{} ({})", name, k);
    names.push_back(unique);
  }
  return names;
}

Ratio parse_ratio(const std::string& text, const Scenario& s) {
  const std::string found = "\"" + jsonio::excerpt(text) + "\"";
  const auto at = text.find('@');
  const auto slash = text.find('/', at == std::string::npos ? 0 : at);
  if (at == std::string::npos || slash == std::string::npos || text.find(',') != std::string::npos)
    throw InputError("--ratio", "",
                     "expected METRIC@YEAR/YEAR (e.g. energy_twh@2032/2022), found " + found);
  Ratio r;
  try {
    r.col =
        parse_metrics(text.substr(0, at), s.demand.has_value(), s.uses_cost_of_capital()).front();
  } catch (const InputError& e) {
    throw InputError("--ratio", "", e.diagnostics().front().message + " in " + found);
  }
  if (column_info(static_cast<Col>(r.col)).kind == ColumnKind::kText) {
    throw InputError("--ratio", "",
                     fmt::format("expected a numeric metric, found the text column {} in {}",
                                 column_info(static_cast<Col>(r.col)).name, found));
  }
  const auto year = ratio_year(std::string_view(text).substr(at + 1, slash - at - 1));
  const auto base = ratio_year(std::string_view(text).substr(slash + 1));
  if (!year || !base)
    throw InputError(
        "--ratio", "",
        "expected METRIC@YEAR/YEAR with whole years (e.g. energy_twh@2032/2022), found " + found);
  // Both years are read from each run's results, which hold the horizon's years only.
  for (const int y : {*year, *base}) {
    if (y < s.horizon.start || y > s.horizon.end) {
      throw InputError(
          "--ratio", "",
          fmt::format("expected years within each run's output, the horizon {} to {}, "
                      "found {} in {} (a ratio reads both years from the run's results)",
                      s.horizon.start, s.horizon.end, y, found));
    }
  }
  r.year = *year;
  r.base_year = *base;
  r.name =
      fmt::format("ratio:{}@{}/{}", column_info(static_cast<Col>(r.col)).name, r.year, r.base_year);
  return r;
}

void values_of(const Plan& p, long long run, std::vector<double>& value) {
  const auto& inputs = p.varied.inputs;
  Rng rng(0x5eed0000ULL ^ p.draws, static_cast<std::uint64_t>(run));
  long long g = run / p.samples;
  value.assign(inputs.size(), 0.0);
  for (auto it = p.grid_inputs.rbegin(); it != p.grid_inputs.rend(); ++it) {
    const auto& spec = inputs[*it].spec;
    const auto n = static_cast<long long>(spec.values.size());
    value[*it] = spec.values[static_cast<std::size_t>(g % n)];
    g /= n;
  }
  // One draw per input: a selector's keys take the same value.
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].spec.is_grid()) value[i] = inputs[i].spec.draw(rng);
  }
}

namespace {

//! --targets and --ratio, checked against the scenario: the pass columns and whether they need
//! region rows, the ratios (each once, in the order given).
void prepare_outcomes(const SweepOptions& o, const Scenario& base, Plan& p) {
  if (o.targets) {
    p.targets = target_columns(base);
    p.region_rows = std::any_of(base.targets.begin(), base.targets.end(),
                                [](const Target& t) { return t.region != "total" || t.share; });
  }
  if (!o.ratios.empty() && !o.summary) {
    throw InputError("--ratio", "",
                     "gives summary rows: use it with --summary (the rows hold both years of "
                     "every run already)");
  }
  for (const auto& text : o.ratios) {
    Ratio r = parse_ratio(text, base);
    const bool seen = std::any_of(p.ratios.begin(), p.ratios.end(),
                                  [&](const Ratio& q) { return q.name == r.name; });
    if (!seen) p.ratios.push_back(std::move(r));
  }
}

}  // namespace

Plan prepare(const SweepOptions& o) {
  Plan p;
  if (o.varies.empty())
    throw InputError("--vary", "", "a sweep needs at least one --vary PTR=SPEC");
  if (o.shard_n < 1 || o.shard_k < 0 || o.shard_k >= o.shard_n) {
    throw InputError(
        "--shard", "",
        fmt::format("expected K/N with 0 <= K < N, found {}/{}", o.shard_k, o.shard_n));
  }
  if (o.samples != -1 && (o.samples < 1 || o.samples > kMaxRuns)) {
    throw InputError("--samples", "", "expected 1 to 1000000000 runs per grid point");
  }
  vary::check_jobs(o.jobs, kMaxJobs);
  if (o.format != "csv" && o.format != "jsonl" && o.format != "sqlite") {
    throw InputError("--format", "", "expected csv, jsonl or sqlite, found \"" + o.format + "\"");
  }
  std::vector<VarySpec> specs;
  for (const auto& v : o.varies) specs.push_back(parse_vary(v));
  p.varied = vary::load_base(o.scenario, {o.overrides, o.allow_dirs, o.scenario_text});
  const Scenario& base = p.varied.base;
  const std::string merged = p.varied.doc.dump(2) + "\n";
  bool any_distribution = false;
  for (const auto& v : specs) {
    (void)vary::bind(p.varied, v);
    if (v.is_grid()) {
      p.grid_inputs.push_back(p.varied.inputs.size() - 1);
      p.grid_size *= static_cast<long long>(v.values.size());
      if (p.grid_size > kMaxRuns)
        throw InputError("--vary", "", "the grid has more than 1e9 points");
    } else {
      any_distribution = true;
    }
  }
  p.samples = o.samples >= 0 ? o.samples : (any_distribution ? 100 : 1);
  if (p.samples < 1) throw InputError("--samples", "", "expected at least 1 sample");
  if (static_cast<double>(p.grid_size) * static_cast<double>(p.samples) >
      static_cast<double>(kMaxRuns)) {
    throw InputError("--samples", "", "more than 1e9 runs");
  }
  p.total = p.grid_size * p.samples;
  p.metrics = o.metrics.empty()
                  ? default_compare_metrics()
                  : parse_metrics(o.metrics, base.demand.has_value(), base.uses_cost_of_capital());
  prepare_outcomes(o, base, p);
  for (const int m : p.metrics) {
    const ColumnInfo& c = column_info(static_cast<Col>(m));
    if (o.summary && c.kind == ColumnKind::kText) {
      throw InputError("--metrics", "",
                       "\"" + std::string(c.name) +
                           "\" is text: --summary gives statistics of numbers (leave it out, or "
                           "drop --summary to see it per run)");
    }
  }
  // The runs are the scenario, the --vary specs, the samples and the seed: their hash seeds the
  // draws, so that what a sweep writes (--metrics, --by, --summary, --targets, --format) never
  // changes which runs it makes: a summary summarises the rows the same sweep writes.
  std::uint64_t h = 0xcbf29ce484222325ULL;
  h = fnv1a(h, merged);
  for (const auto& v : o.varies) h = fnv1a(fnv1a(h, "|vary:"), v);
  h = fnv1a(h, fmt::format("|samples:{}|seed:{}", p.samples, o.seed));
  p.draws = h ^ (o.seed * 0x9E3779B97F4A7C15ULL);
  // The hash names the sweep's output: the runs and every argument that changes what is
  // written, so that merge joins only shards of one output. A store holds the sweep its csv
  // would: the same hash. --ratio adds summary rows only, which are never merged.
  h = fnv1a(h, fmt::format("|metrics:{}|by:{}|summary:{}|{}", o.metrics, o.by_region, o.summary,
                           o.format == "sqlite" ? std::string("csv") : o.format));
  if (o.targets) h = fnv1a(h, "|targets");
  p.hash = h ^ (o.seed * 0x9E3779B97F4A7C15ULL);
  return p;
}

}  // namespace dcplan::sweep
