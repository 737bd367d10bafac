#include <fmt/format.h>
#include <unistd.h>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>

#include "cli/commands.hpp"
#include "dcplan/error.hpp"
#include "dcplan/io/atomic_file.hpp"
#include "dcplan/sweep.hpp"

namespace dcplan::cli {

namespace {

std::atomic<int> g_signal{0};  // set by the handler below; signals are process-wide by nature

extern "C" void on_signal(int sig) {
  g_signal.store(sig);
}

//! "K/N" → (K, N); InputError when malformed.
std::pair<long long, long long> parse_shard(const std::string& text) {
  long long k = -1, n = -1;
  char extra = 0;
  if (std::sscanf(text.c_str(), "%lld/%lld%c", &k, &n, &extra) != 2 || n < 1 || k < 0 || k >= n) {
    throw InputError("--shard", "",
                     "expected K/N with 0 <= K < N (e.g. 0/8), found \"" + text + "\"");
  }
  return {k, n};
}

}  // namespace

int sweep(const SweepCliOptions& o, bool quiet) {
  if (o.metrics == "help") return metrics({});
  SweepOptions so;
  so.scenario = o.scenario;
  so.overrides = o.overrides;
  so.allow_dirs = allow_dirs();
  so.varies = o.varies;
  so.samples = o.samples;
  so.seed = o.seed;
  so.jobs = o.jobs;
  if (!o.shard.empty()) std::tie(so.shard_k, so.shard_n) = parse_shard(o.shard);
  so.metrics = o.metrics;
  so.by_region = o.by == "region";
  so.summary = o.summary;
  so.format = o.format;
  // SIGINT, SIGTERM, SIGHUP, SIGQUIT and SIGPIPE stop the sweep between runs: the temporary
  // output file is removed and the exit code is 128 + the signal.
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE}) sigaction(sig, &sa, nullptr);
  so.cancel = &g_signal;

  // A progress bar only for a person watching: standard error a terminal, not CI, not -q.
  const bool bar = !quiet && ::isatty(STDERR_FILENO) != 0 && std::getenv("CI") == nullptr;
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
  if (o.output.empty() || o.output == "-") {
    run_sweep(so, std::cout, progress);
    std::cout.flush();
  } else {
    io::AtomicFile file(o.output);
    run_sweep(so, file.stream(), progress);
    file.commit();
  }
  return 0;
}

int merge(const MergeOptions& o) {
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

}  // namespace dcplan::cli
