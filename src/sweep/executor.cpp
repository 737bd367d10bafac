// The sweep's executor: its runs on the pool (vary/pool.hpp), results written in run order by
// one writer on the caller's thread, through a row sink chosen once (rows, or the summary).
#include <fmt/format.h>

#include <chrono>
#include <limits>
#include <memory>
#include <ostream>

#include "dcplan/engine.hpp"
#include "dcplan/error.hpp"
#include "dcplan/provenance.hpp"
#include "dcplan/sweep.hpp"
#include "dcplan/targets.hpp"
#include "io/row_sink.hpp"
#include "stats.hpp"
#include "sweep/plan.hpp"
#include "vary/binding.hpp"
#include "vary/pool.hpp"
#include "vary/runner.hpp"

namespace dcplan {

using stats::Summary;
using sweep::Plan;
using sweep::prepare;
using sweep::values_of;
using vary::param_name;

namespace {

//! One run's output: its rows (encoded by the sink), or the values for the summary.
struct Slot {
  io::RunRows rows;
};

//! What a thread needs to run the scenario: its runner (a working copy and an engine) and the
//! values of its run.
struct Worker {
  explicit Worker(const Plan& p) : runner(p.varied) {}
  vary::Runner runner;
  std::vector<double> params;
};

//! Runs a whole sweep: `count` runs of this shard, position `pos` being run
//! shard_k + pos * shard_n; results consumed in position order.
class SweepRun {
 public:
  //! Prepares the sweep: its specs and scenario read and checked, nothing written yet.
  SweepRun(const SweepOptions& o, const std::function<void(const SweepProgress&)>& progress)
      : o_(o), progress_(progress), p_(prepare(o)) {
    count_ = p_.total <= o.shard_k ? 0 : (p_.total - o.shard_k + o.shard_n - 1) / o.shard_n;
    // Rows each run reports: total rows, or every region and total.
    if (o.by_region) {
      for (std::size_t r = 0; r < base().regions.size(); ++r)
        regions_.push_back(static_cast<int>(r));
    }
    regions_.push_back(RowKey::kTotal);
    years_ = base().horizon.years();
    per_run_ = static_cast<std::size_t>(years_) * regions_.size() * p_.metrics.size();
    cells_.resize(o.summary ? per_run_ : 0);
    passes_.assign(o.summary ? p_.targets.size() : 0, 0);
    ratio_cells_.resize(p_.ratios.size());
  }

  //! Runs the sweep, every row (or the summary) written through `sink`.
  void run(io::RowSink& sink) {
    sink_ = &sink;
    check_grid();
    sink.begin(columns());
    // Positions on the pool; their results consumed in position order, which is run order.
    vary::PoolOptions pool;
    pool.threads = vary::threads_for(o_.jobs, count_);
    pool.cancel = o_.cancel;
    pool.consumed = [this](long long done) { report(done, false); };
    vary::for_each_run<Slot>(
        count_, pool, [this] { return Worker(p_); },
        [this](Worker& w, long long pos, Slot& slot) { compute(pos, w, slot); },
        [this](long long /*pos*/, Slot& slot) { consume(slot); });
    report(count_, true);
    if (o_.summary) write_summary();
    sink.commit();
  }

 private:
  [[nodiscard]] const Scenario& base() const { return p_.varied.base; }
  [[nodiscard]] const std::vector<vary::Input>& inputs() const { return p_.varied.inputs; }

  [[nodiscard]] std::string region_name(int r) const {
    return r == RowKey::kTotal ? std::string("total")
                               : base().regions[static_cast<std::size_t>(r)].id;
  }

  //! Grid values are checked before a line is written (a grid point's first run: its grid
  //! values are the same for each of its samples), so a value the loader would refuse stops the
  //! sweep with nothing on standard output. Every point of a small grid is checked; a large one
  //! (or one whose keys go through the document, about 0.6 ms a point) has each value of each
  //! varied key checked, the others at their first value. Draws are checked as they are made.
  void check_grid() const {
    Worker w(p_);
    auto check = [&](long long g) {
      const long long run = g * p_.samples;
      values_of(p_, run, w.params);
      w.runner.set(run, w.params);
    };
    const long long budget = p_.varied.any_document ? 1000 : 100000;
    if (p_.grid_size <= budget) {
      for (long long g = 0; g < p_.grid_size; ++g) check(g);
      return;
    }
    long long stride = 1;  // the last --vary varies fastest
    for (auto it = p_.grid_inputs.rbegin(); it != p_.grid_inputs.rend(); ++it) {
      const auto n = static_cast<long long>(inputs()[*it].spec.values.size());
      for (long long v = 0; v < n; ++v) check(v * stride);
      stride *= n;
    }
  }

  //! What every row holds: the sweep's header, its varied parameters, years, regions, metrics.
  [[nodiscard]] io::RowColumns columns() const {
    io::RowColumns c;
    c.hash = fmt::format("{:016x}", p_.hash);
    c.runs = p_.total;
    c.shard_k = o_.shard_k;
    c.shard_n = o_.shard_n;
    c.count = count_;
    // One column per --vary, named as written (a selector's keys share it).
    for (const auto& in : inputs()) c.params.push_back(param_name(in.spec));
    c.first_year = base().horizon.start;
    c.years = years_;
    for (int r : regions_) c.regions.push_back(region_name(r));
    c.metrics = p_.metrics;
    c.targets = p_.targets;
    for (const auto& r : p_.ratios) c.ratios.push_back(r.name);
    c.summary = o_.summary;
    c.provenance = make_provenance(o_.command, base().sha256, o_.seed);
    return c;
  }

  //! One run into its slot: its values (years × regions × metrics), and unless they are for
  //! the summary, its rows encoded by the sink on this worker. Its error is rethrown in run
  //! order, when the writer reaches it.
  void compute(long long pos, Worker& w, Slot& slot) const {
    const long long run = o_.shard_k + pos * o_.shard_n;
    try {
      values_of(p_, run, w.params);
      EngineOptions eo;
      // A target on a region reads region rows, which a sweep by total otherwise leaves out.
      eo.region_rows = o_.by_region || p_.region_rows;
      const Results& res = w.runner.run(run, w.params, eo);
      const int per_year = static_cast<int>(res.rows() / years_);
      io::RunRows& rows = slot.rows;
      rows.run = run;
      rows.values.resize(per_run_);
      std::size_t k = 0;
      for (int t = 0; t < years_; ++t) {
        for (int r : regions_) {
          for (int m : p_.metrics) rows.values[k++] = res.values(row_of(per_year, t, r), m);
        }
      }
      outcomes(w, res, per_year, rows);
      if (!o_.summary) {
        rows.params = w.params;
        sink_->encode(rows);
      }
    } catch (const InputError& e) {
      // The engine's own findings (numbers that overflow) are about the scenario's file.
      std::vector<Diagnostic> diagnostics = e.diagnostics();
      for (auto& d : diagnostics) {
        if (d.file.empty()) d.file = o_.scenario;
        if (d.message.rfind("run ", 0) != 0) d.message = fmt::format("run {}: {}", run, d.message);
      }
      throw InputError(std::move(diagnostics));
    } catch (const std::exception& e) {
      throw ModelError(e.what());
    }
  }

  //! What a run says as a whole: whether each target holds (the numbers only, as solve checks
  //! them: the working copy is the run's scenario, with its varied values), and each --ratio,
  //! empty when either year's total is empty or the base is 0.
  void outcomes(const Worker& w, const Results& res, int per_year, io::RunRows& rows) const {
    rows.passes.clear();
    if (!p_.targets.empty()) {
      for (const TargetResult& t : check_targets(w.runner.scenario(), res, false))
        rows.passes.push_back(t.passed ? 1 : 0);
    }
    rows.ratios.clear();
    const int start = base().horizon.start;
    for (const sweep::Ratio& r : p_.ratios) {
      const double v = res.values(row_of(per_year, r.year - start, RowKey::kTotal), r.col);
      const double b = res.values(row_of(per_year, r.base_year - start, RowKey::kTotal), r.col);
      const bool empty = is_empty_cell(v) || is_empty_cell(b) || b == 0;
      rows.ratios.push_back(empty ? std::numeric_limits<double>::quiet_NaN() : v / b);
    }
  }

  //! Each year's rows: the regions (with --by region), then the total.
  [[nodiscard]] static Eigen::Index row_of(int per_year, int t, int r) {
    return static_cast<Eigen::Index>(t * per_year + (r == RowKey::kTotal ? per_year - 1 : r));
  }

  //! A finished run, in run order: its rows or values are written.
  void consume(Slot& slot) {
    if (o_.summary) {
      const std::vector<double>& values = slot.rows.values;
      for (std::size_t k = 0; k < per_run_; ++k) {
        if (!is_empty_cell(values[k])) cells_[k].add(values[k]);
      }
      for (std::size_t i = 0; i < passes_.size(); ++i) passes_[i] += slot.rows.passes[i];
      for (std::size_t i = 0; i < ratio_cells_.size(); ++i) {
        if (!is_empty_cell(slot.rows.ratios[i])) ratio_cells_[i].add(slot.rows.ratios[i]);
      }
    } else {
      sink_->write(slot.rows);
    }
  }

  void report(long long done, bool force) {
    if (!progress_) return;
    const auto now = std::chrono::steady_clock::now();
    if (force || now - last_report_ > std::chrono::milliseconds(200)) {
      last_report_ = now;
      progress_({done, count_});
    }
  }

  //! Every summary cell, year by year, each year's regions, each region's metrics, to the sink.
  void write_summary() {
    std::vector<io::SummaryRow> rows;
    rows.reserve(cells_.size());
    std::size_t k = 0;
    for (int t = 0; t < years_; ++t) {
      for (std::size_t r = 0; r < regions_.size(); ++r) {
        for (std::size_t m = 0; m < p_.metrics.size(); ++m) {
          const Summary& c = cells_[k++];
          const double mean = c.n > 0 ? c.mean : std::numeric_limits<double>::quiet_NaN();
          rows.push_back({base().horizon.start + t, r, m, c.n, mean, c.p5.value(), c.p50.value(),
                          c.p95.value()});
        }
      }
    }
    whole_run_rows(rows);
    sink_->write_summary(rows);
  }

  //! After the cells, what has no year: each target's pass rate over the runs (the mean of its
  //! 1s and 0s) with its 90% Wilson interval, then each --ratio's statistics (the total's).
  void whole_run_rows(std::vector<io::SummaryRow>& rows) const {
    constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
    std::size_t m = p_.metrics.size();
    for (const long long passes : passes_) {
      io::SummaryRow row{io::SummaryRow::kNoYear, io::SummaryRow::kNoRegion, m++, count_};
      row.mean = count_ > 0 ? static_cast<double>(passes) / static_cast<double>(count_) : kNaN;
      row.p5 = row.p50 = row.p95 = kNaN;
      const stats::Interval ci = stats::wilson(passes, count_);
      row.low = ci.low;
      row.high = ci.high;
      rows.push_back(row);
    }
    for (const Summary& c : ratio_cells_) {
      rows.push_back({io::SummaryRow::kNoYear, regions_.size() - 1, m++, c.n,
                      c.n > 0 ? c.mean : kNaN, c.p5.value(), c.p50.value(), c.p95.value()});
    }
  }

  const SweepOptions& o_;
  const std::function<void(const SweepProgress&)>& progress_;
  Plan p_;
  long long count_ = 0;
  std::vector<int> regions_;  //!< indices into the result regions, RowKey::kTotal for total
  int years_ = 0;
  std::size_t per_run_ = 0;  //!< values a run reports (years × regions × metrics)
  std::vector<Summary> cells_;
  std::vector<long long> passes_;     //!< --summary: per target, the runs it holds in
  std::vector<Summary> ratio_cells_;  //!< --summary: per --ratio
  io::RowSink* sink_ = nullptr;       //!< where every row goes, set by run
  std::chrono::steady_clock::time_point last_report_ = std::chrono::steady_clock::now();
};

//! The sink of --format, chosen once: every row of the sweep is written through it.
std::unique_ptr<io::RowSink> format_sink(const SweepOptions& o, std::ostream& out) {
  if (o.format == "sqlite") return io::store_sink(o.output, o.append);  // its own file (-o)
  if (o.format == "jsonl") return io::jsonl_sink(out);
  return io::csv_sink(out);
}

}  // namespace

void run_sweep(const SweepOptions& o, std::ostream& out,
               const std::function<void(const SweepProgress&)>& progress) {
  // Prepared before the sink is made: a bad spec or scenario is reported before a store opens.
  SweepRun sweep(o, progress);
  sweep.run(*format_sink(o, out));
}

SweepTable collect_sweep(const SweepOptions& options,
                         const std::function<void(const SweepProgress&)>& progress) {
  SweepOptions o = options;
  // The sweep's hash (and so its draws) names its format; Python's columns are the csv's runs.
  o.format = "csv";
  SweepTable table;
  SweepRun sweep(o, progress);
  sweep.run(*io::column_sink(table));
  return table;
}

}  // namespace dcplan
