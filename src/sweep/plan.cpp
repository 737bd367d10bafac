// A sweep's plan: its options, its grid and the values of each run (see plan.hpp).
#include "sweep/plan.hpp"

#include <fmt/format.h>

#include <string_view>

#include "dcplan/compare.hpp"
#include "dcplan/error.hpp"
#include "dcplan/view.hpp"
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

}  // namespace

void values_of(const Plan& p, long long run, std::vector<double>& value) {
  const auto& bindings = p.varied.bindings;
  Rng rng(0x5eed0000ULL ^ static_cast<std::uint64_t>(p.hash), static_cast<std::uint64_t>(run));
  long long g = run / p.samples;
  value.assign(bindings.size(), 0.0);
  for (auto it = p.grid_bindings.rbegin(); it != p.grid_bindings.rend(); ++it) {
    const auto& spec = bindings[*it].spec;
    const auto n = static_cast<long long>(spec.values.size());
    value[*it] = spec.values[static_cast<std::size_t>(g % n)];
    g /= n;
  }
  for (std::size_t i = 0; i < bindings.size(); ++i) {
    if (!bindings[i].spec.is_grid()) value[i] = bindings[i].spec.draw(rng);
  }
}

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
      p.grid_bindings.push_back(p.varied.bindings.size() - 1);
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
  for (const int m : p.metrics) {
    const ColumnInfo& c = column_info(static_cast<Col>(m));
    if (o.summary && c.kind == ColumnKind::kText) {
      throw InputError("--metrics", "",
                       "\"" + std::string(c.name) +
                           "\" is text: --summary gives statistics of numbers (leave it out, or "
                           "drop --summary to see it per run)");
    }
  }
  // The hash names the sweep: scenario and every argument that changes its output.
  std::uint64_t h = 0xcbf29ce484222325ULL;
  h = fnv1a(h, merged);
  for (const auto& v : o.varies) h = fnv1a(fnv1a(h, "|vary:"), v);
  // A store holds the sweep its csv would: the same hash, so the same draws.
  h = fnv1a(h, fmt::format("|samples:{}|seed:{}|metrics:{}|by:{}|summary:{}|{}", p.samples, o.seed,
                           o.metrics, o.by_region, o.summary,
                           o.format == "sqlite" ? std::string("csv") : o.format));
  p.hash = h ^ (o.seed * 0x9E3779B97F4A7C15ULL);
  return p;
}

}  // namespace dcplan::sweep
