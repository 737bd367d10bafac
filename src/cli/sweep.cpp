#include <fmt/format.h>
#include <unistd.h>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <optional>

#include "cli/commands.hpp"
#include "cli/registration.hpp"
#include "dcplan/error.hpp"
#include "dcplan/io/atomic_file.hpp"
#include "dcplan/io/sqlite_store.hpp"
#include "dcplan/load.hpp"
#include "dcplan/provenance.hpp"
#include "dcplan/sweep.hpp"

namespace dcplan::cli {

namespace {

std::atomic<int> g_signal{0};  // set by the handler below; signals are process-wide by nature

extern "C" void on_signal(int sig) {
  g_signal.store(sig);
}

}  // namespace

int sweep(const SweepCliOptions& o) {
  if (o.request.metrics == "help") return metrics({});
  SweepOptions so = o.request;
  so.allow_dirs = o.global->allow_dirs;
  apply_deferred(options::sweep(), o.deferred, so);  // --shard K/N and --by
  so.command = o.global->command;
  if (so.append && so.format != "sqlite") {
    throw InputError("--append", "",
                     "adds a sweep to an SQLite store: use it with --format sqlite");
  }
  // SIGINT, SIGTERM, SIGHUP, SIGQUIT and SIGPIPE stop the sweep between runs: the temporary
  // output file is removed and the exit code is 128 + the signal.
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE}) sigaction(sig, &sa, nullptr);
  so.cancel = &g_signal;

  // A progress bar only for a person watching: standard error a terminal, not CI, not -q.
  const bool bar = !o.global->quiet && ::isatty(STDERR_FILENO) != 0 && std::getenv("CI") == nullptr;
  const auto start = std::chrono::steady_clock::now();
  std::function<void(const SweepProgress&)> progress;
  if (bar) {
    progress = [start](const SweepProgress& p) {
      const double secs =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      const double rate = secs > 0 ? static_cast<double>(p.done) / secs : 0;
      const double left = rate > 0 ? static_cast<double>(p.total - p.done) / rate : 0;
      const int width = 30;
      const int filled = p.total > 0 ? static_cast<int>(width * p.done / p.total) : width;
      std::cerr << fmt::format("\r[{}{}] {}/{} runs  {:.0f} runs/s  {:.0f} s left ",
                               std::string(static_cast<std::size_t>(filled), '#'),
                               std::string(static_cast<std::size_t>(width - filled), ' '), p.done,
                               p.total, rate, left)
                << (p.done == p.total ? "\n" : "") << std::flush;
    };
  }
  if (so.format == "sqlite") {
    run_sweep(so, std::cout, progress);  // the store writes its own file (-o), atomically
  } else if (so.output.empty() || so.output == "-") {
    run_sweep(so, std::cout, progress);
    std::cout.flush();
  } else {
    io::AtomicFile file(so.output);
    run_sweep(so, file.stream(), progress);
    file.commit();
    // A csv's record is its sidecar FILE.meta.json, as for run and sensitivity: the scenario's
    // hash (its merged document with --set, loaded once more) lets `report --sweep` and
    // `verify` tell which scenario the file was made from.
    if (so.format == "csv") {
      const Scenario base = load_scenario(so.scenario, LoadOptions{so.overrides, so.allow_dirs});
      write_sidecar(so.output, true, make_provenance(so.command, base.sha256, so.seed));
    }
  }
  return 0;
}

int merge(const MergeOptions& o) {
  // SQLite stores merge into a store; text shards into text.
  std::size_t stores = 0;
  for (const auto& f : o.files) stores += io::SqliteStore::is_sqlite(f) ? 1 : 0;
  if (stores > 0) {
    if (stores != o.files.size()) {
      throw InputError("merge", "", "cannot merge SQLite stores with csv or jsonl shards");
    }
    io::SqliteStore::merge(o.files, o.output);
    return 0;
  }
  if (o.output.empty() || o.output == "-") {
    merge_sweeps(o.files, std::cout);
    std::cout.flush();
  } else {
    io::AtomicFile file(o.output);
    merge_sweeps(o.files, file.stream());
    file.commit();
  }
  return 0;
}

Command add_sweep(CLI::App& app, const Global& g) {
  auto o = std::make_shared<SweepCliOptions>();
  o->global = &g;
  auto* sub =
      app.add_subcommand("sweep", "Run a scenario over parameter grids and Monte Carlo draws.");
  sub->footer(
      "SPEC: a range a:b:step, a list a,b,c, or normal(m,s), lognormal(mu,sigma), uniform(a,b),\n"
      "triangular(a,mode,b), ci90(lo,hi) (a lognormal with 5th and 95th percentiles lo and hi).\n"
      "PTR=SPEC sets the value (a number, or one year of a series:\n"
      ".../series/2026); PTR*=SPEC multiplies the whole value. Ranges and lists form a grid,\n"
      "each point run --samples times (default 100 with distributions, else 1). Run i draws from\n"
      "a generator seeded by (--seed, i) alone: output does not depend on --jobs or --shard.\n"
      "--targets adds a column pass:NAME (1 or 0) per scenario target; with --summary, a row\n"
      "per target: its pass rate (mean) and 90% Wilson interval (low, high), no year or region.\n"
      "--ratio METRIC@YEAR/YEAR adds a summary row of each run's ratio of the two years' "
      "totals.\n\n"
      "Examples:\n"
      "  dcplan sweep scenarios/alibaba-380b.json --vary /regions/cn-hangzhou/pue=1.1:1.3:0.05\n"
      "  dcplan sweep scenarios/alibaba-380b.json --vary '/capex/budget*=uniform(0.8,1.2)' \\\n"
      "      --samples 1000 --summary -o summary.csv\n"
      "  parallel --quote dcplan sweep scenarios/examples/minimal.json \\\n"
      "      --vary '/capex/budget*=uniform(0.8,1.2)' --samples 20 \\\n"
      "      --shard {}/4 -o out.{}.csv ::: 0 1 2 3\n"
      "  dcplan merge out.*.csv -o out.csv\n"
      "  dcplan sweep scenarios/examples/minimal.json --vary '/capex/budget*=uniform(0.8,1.2)' \\\n"
      "      --samples 200 --format sqlite -o mc.sqlite\n"
      "  sqlite3 mc.sqlite \"SELECT year, AVG(energy_twh) FROM results GROUP BY year\"\n"
      "  dcplan sweep scenarios/examples/minimal.json --vary '/capex/budget*=ci90(0.8,1.25)' \\\n"
      "      --samples 200 --targets --summary --ratio energy_twh@2030/2025\n"
      "  for k in 0 1; do dcplan sweep scenarios/examples/minimal.json --samples 20 \\\n"
      "      --vary '/capex/budget*=uniform(0.8,1.2)' --shard $k/2 --format sqlite -o s.$k.sqlite; "
      "done\n");
  add_options(sub, options::sweep(), o->request, {}, &o->deferred);
  return {sub, [o] { return sweep(*o); }};
}

Command add_merge(CLI::App& app, const Global& /*g*/) {
  auto o = std::make_shared<MergeOptions>();
  auto* sub =
      app.add_subcommand("merge", "Merge the shard outputs of one sweep back into run order.");
  sub->footer(
      "Each shard must hold exactly its runs (run i in shard i mod N), in order, every run with\n"
      "the same rows; anything else is an error naming the file and line.\n\n"
      "Examples:\n"
      "  dcplan merge out.0.csv out.1.csv out.2.csv out.3.csv -o out.csv\n"
      "  dcplan merge s.0.sqlite s.1.sqlite -o s.sqlite\n");
  sub->add_option("files", o->files, "shard outputs")->required();
  add_output(sub, o->output);
  return {sub, [o] { return merge(*o); }};
}

}  // namespace dcplan::cli
