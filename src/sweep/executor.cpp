// The sweep's executor: runs handed to worker threads in chunks, results written in run order
// by one writer (rows, or the summary).
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <limits>
#include <memory>
#include <mutex>
#include <ostream>
#include <sstream>
#include <thread>

#include "dcplan/engine.hpp"
#include "dcplan/error.hpp"
#include "dcplan/io/cells.hpp"
#include "dcplan/io/sqlite_store.hpp"
#include "dcplan/provenance.hpp"
#include "dcplan/sweep.hpp"
#include "io/sweep_file.hpp"
#include "stats.hpp"
#include "sweep/plan.hpp"

namespace dcplan {

using stats::Summary;
using sweep::apply;
using sweep::param_name;
using sweep::Plan;
using sweep::prepare;
using sweep::SeriesGroup;

namespace {

//! One run's output: text rows, or the values for the summary.
struct Slot {
  long long run = 0;
  std::string text;
  std::vector<double> values;
  std::vector<double> params;  //!< the run's parameters (SQLite rows)
  std::string error;
  std::vector<Diagnostic> diagnostics;
  bool ready = false;
};

//! What a thread needs to run the scenario: its engine and its own working copies.
struct Worker {
  explicit Worker(const Plan& p) : ws(p.base), groups(p.groups) {}
  Engine engine;
  Results res;
  Scenario ws;
  std::vector<SeriesGroup> groups;
  std::vector<double> params;
};

//! Runs a whole sweep: `count` runs of this shard, position `pos` being run
//! shard_k + pos * shard_n; results consumed in position order.
class SweepRun {
 public:
  //! `table`: the results go there instead of `out` (collect_sweep).
  SweepRun(const SweepOptions& o, std::ostream& out,
           const std::function<void(const SweepProgress&)>& progress, SweepTable* table = nullptr)
      : o_(o), out_(out), progress_(progress), p_(prepare(o)), table_(table) {
    count_ = p_.total <= o.shard_k ? 0 : (p_.total - o.shard_k + o.shard_n - 1) / o.shard_n;
    jobs_ =
        o.jobs > 0 ? o.jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    // Rows each run reports: total rows, or every region and total.
    if (o.by_region) {
      for (std::size_t r = 0; r < p_.base.regions.size(); ++r)
        regions_.push_back(static_cast<int>(r));
    }
    regions_.push_back(RowKey::kTotal);
    years_ = p_.base.horizon.years();
    per_run_ = static_cast<std::size_t>(years_) * regions_.size() * p_.metrics.size();
    cells_.resize(o.summary ? per_run_ : 0);
    if (table_ != nullptr) {
      begin_table();
    } else if (o.format == "sqlite") {
      store_ = std::make_unique<io::SqliteStore>(o.output, o.append);
    }
  }

  void run() {
    check_grid();
    if (store_) {
      begin_store();
    } else if (!o_.summary && table_ == nullptr) {
      write_header();
    }
    if (jobs_ == 1 || count_ <= 1) {
      run_serial();
    } else {
      run_parallel();
    }
    report(count_, true);
    if (o_.summary) write_summary();
    if (store_) store_->commit();
  }

 private:
  //! Runs a worker takes at once; the reorder buffer holds a few chunks per worker, so that
  //! threads rarely wait for each other (every wake-up is a system call).
  static constexpr long long kChunk = 32;

  [[nodiscard]] std::string region_name(int r) const {
    return r == RowKey::kTotal ? std::string("total")
                               : p_.base.regions[static_cast<std::size_t>(r)].id;
  }

  //! Grid values are checked before a line is written (a grid point's first run: its grid
  //! values are the same for each of its samples), so a value the loader would refuse stops the
  //! sweep with nothing on standard output. Every point of a small grid is checked; a large one
  //! (or one whose keys go through the document, about 0.6 ms a point) has each value of each
  //! varied key checked, the others at their first value. Draws are checked as they are made.
  void check_grid() const {
    Worker w(p_);
    auto check = [&](long long g) { apply(p_, g * p_.samples, w.ws, w.groups, w.params); };
    const long long budget = p_.any_document ? 1000 : 100000;
    if (p_.grid_size <= budget) {
      for (long long g = 0; g < p_.grid_size; ++g) check(g);
      return;
    }
    long long stride = 1;  // the last --vary varies fastest
    for (auto it = p_.grid_bindings.rbegin(); it != p_.grid_bindings.rend(); ++it) {
      const auto n = static_cast<long long>(p_.bindings[*it].spec.values.size());
      for (long long v = 0; v < n; ++v) check(v * stride);
      stride *= n;
    }
  }

  //! The store's meta row and columns: one per varied parameter, one per metric.
  void begin_store() {
    io::StoreSweep sw;
    sw.kind = "sweep";
    sw.sweep_hash = fmt::format("{:016x}", p_.hash);
    sw.runs = p_.total;
    sw.shard_k = o_.shard_k;
    sw.shard_n = o_.shard_n;
    for (const auto& b : p_.bindings) sw.params.push_back(param_name(b.spec));
    sw.columns = p_.metrics;
    (void)store_->begin(sw, make_provenance(o_.command, p_.base.sha256, o_.seed));
  }

  //! The table's names, and room for its rows.
  void begin_table() {
    table_->summary = o_.summary;
    for (const auto& b : p_.bindings) table_->params.push_back(param_name(b.spec));
    table_->metrics = p_.metrics;
    for (int r : regions_) table_->regions.push_back(region_name(r));
    if (o_.summary) return;
    const auto rows =
        static_cast<std::size_t>(count_) * static_cast<std::size_t>(years_) * regions_.size();
    table_->run.reserve(rows);
    table_->year.reserve(rows);
    table_->region.reserve(rows);
    table_->param_values.assign(p_.bindings.size(), {});
    for (auto& v : table_->param_values) v.reserve(rows);
    table_->values.assign(p_.metrics.size(), {});
    for (auto& v : table_->values) v.reserve(rows);
  }

  void write_header() {
    const std::string hash = fmt::format("{:016x}", p_.hash);
    if (o_.format == "csv") {
      out_ << io::sweep_header_line(hash, p_.total, o_.shard_k, o_.shard_n, false);
      out_ << "run";
      for (const auto& b : p_.bindings) out_ << "," << io::csv_field(param_name(b.spec));
      out_ << ",year,region";
      for (int m : p_.metrics) out_ << "," << column_info(static_cast<Col>(m)).name;
      out_ << "\n";
    } else {
      out_ << io::sweep_header_line(hash, p_.total, o_.shard_k, o_.shard_n, true);
    }
  }

  //! One run into its slot: the values for the summary, or its rows as text.
  void compute(long long pos, Worker& w, Slot& slot) const {
    const long long run = o_.shard_k + pos * o_.shard_n;
    try {
      apply(p_, run, w.ws, w.groups, w.params);
      EngineOptions eo;
      eo.region_rows = o_.by_region;
      w.engine.run(w.ws, eo, w.res);
      const int per_year = static_cast<int>(w.res.rows() / years_);
      slot.run = run;
      if (o_.summary || store_ || table_ != nullptr) {
        if (!o_.summary) slot.params = w.params;
        slot.values.resize(per_run_);
        std::size_t k = 0;
        for (int t = 0; t < years_; ++t) {
          for (int r : regions_) {
            for (int m : p_.metrics) slot.values[k++] = w.res.values(row_of(per_year, t, r), m);
          }
        }
      } else if (o_.format == "csv") {
        csv_rows(run, w, per_year, slot.text);
      } else {
        jsonl_rows(run, w, per_year, slot.text);
      }
    } catch (const InputError& e) {
      // The engine's own findings (numbers that overflow) are about the scenario's file.
      slot.diagnostics = e.diagnostics();
      for (auto& d : slot.diagnostics) {
        if (d.file.empty()) d.file = o_.scenario;
        if (d.message.rfind("run ", 0) != 0) d.message = fmt::format("run {}: {}", run, d.message);
      }
      slot.error = "input";
    } catch (const std::exception& e) {
      slot.error = e.what();
    }
  }

  //! Each year's rows: the regions (with --by region), then the total.
  [[nodiscard]] static Eigen::Index row_of(int per_year, int t, int r) {
    return static_cast<Eigen::Index>(t * per_year + (r == RowKey::kTotal ? per_year - 1 : r));
  }

  void csv_rows(long long run, const Worker& w, int per_year, std::string& s) const {
    s.clear();
    std::string prefix = std::to_string(run);
    for (double v : w.params) prefix.append(",").append(io::exact_number(v));
    for (int t = 0; t < years_; ++t) {
      for (int r : regions_) {
        s += prefix;
        s.append(",")
            .append(std::to_string(p_.base.horizon.start + t))
            .append(",")
            .append(region_name(r));
        for (int m : p_.metrics) {
          s += ',';
          s += io::exact_cell(w.res.values(row_of(per_year, t, r), m),
                              column_info(static_cast<Col>(m)));
        }
        s += '\n';
      }
    }
  }

  void jsonl_rows(long long run, const Worker& w, int per_year, std::string& s) const {
    s.clear();
    const std::string prefix = std::to_string(run);
    std::string params_json = "{";
    for (std::size_t i = 0; i < w.params.size(); ++i) {
      params_json += (i ? ",\"" : "\"") + param_name(p_.bindings[i].spec) +
                     "\":" + io::exact_number(w.params[i]);
    }
    params_json += "}";
    for (int t = 0; t < years_; ++t) {
      for (int r : regions_) {
        s += "{\"run\":" + prefix + ",\"params\":" + params_json +
             ",\"year\":" + std::to_string(p_.base.horizon.start + t) + ",\"region\":\"" +
             region_name(r) + "\"";
        for (int m : p_.metrics) {
          const double v = w.res.values(row_of(per_year, t, r), m);
          const ColumnInfo& c = column_info(static_cast<Col>(m));
          s += ",\"" + std::string(c.name) + "\":" + io::json_cell(v, c);
        }
        s += "}\n";
      }
    }
  }

  //! A finished run, in run order: its error stops the sweep; its rows or values are written.
  void consume(Slot& slot) {
    if (!slot.error.empty()) {
      if (!slot.diagnostics.empty()) throw InputError(slot.diagnostics);
      throw ModelError(slot.error);
    }
    if (o_.summary) {
      for (std::size_t k = 0; k < per_run_; ++k) {
        if (!is_empty_cell(slot.values[k])) cells_[k].add(slot.values[k]);
      }
    } else if (table_ != nullptr) {
      std::size_t k = 0;
      for (int t = 0; t < years_; ++t) {
        for (std::size_t r = 0; r < regions_.size(); ++r) {
          table_->run.push_back(slot.run);
          for (std::size_t i = 0; i < slot.params.size(); ++i)
            table_->param_values[i].push_back(slot.params[i]);
          table_->year.push_back(p_.base.horizon.start + t);
          table_->region.push_back(static_cast<int>(r));
          for (auto& column : table_->values) column.push_back(slot.values[k++]);
        }
      }
    } else if (store_) {
      store_->add_run(slot.run, slot.params);
      const std::size_t per_row = p_.metrics.size();
      std::size_t k = 0;
      for (int t = 0; t < years_; ++t) {
        for (int r : regions_) {
          store_->add_row(slot.run, p_.base.horizon.start + t, region_name(r), "", &slot.values[k]);
          k += per_row;
        }
      }
    } else {
      out_ << slot.text;
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

  void check_cancel() const {
    if (o_.cancel != nullptr && o_.cancel->load() != 0) throw Interrupted(o_.cancel->load());
  }

  void run_serial() {
    Worker w(p_);
    Slot slot;
    for (long long pos = 0; pos < count_; ++pos) {
      check_cancel();
      slot.error.clear();
      compute(pos, w, slot);
      consume(slot);
      report(pos + 1, false);
    }
  }

  [[nodiscard]] Slot& slot_at(long long pos) {
    return slots_[static_cast<std::size_t>(pos % static_cast<long long>(slots_.size()))];
  }

  //! A worker thread: takes chunks of consecutive runs (fewer wake-ups than one run at a time),
  //! computes them into slots of its own, hands them over under one lock.
  void worker_loop() {
    Worker w(p_);
    std::vector<Slot> local(static_cast<std::size_t>(kChunk));
    const auto cap = static_cast<long long>(slots_.size());
    while (true) {
      long long first, n;
      {
        std::unique_lock lock(mu_);
        ++idle_workers_;
        cv_work_.wait(lock,
                      [&] { return stop_ || next_pos_ >= count_ || next_pos_ < written_ + cap; });
        --idle_workers_;
        if (stop_ || next_pos_ >= count_) return;
        first = next_pos_;
        n = std::min({kChunk, count_ - next_pos_, written_ + cap - next_pos_});
        next_pos_ += n;
      }
      for (long long i = 0; i < n; ++i) {
        Slot& slot = local[static_cast<std::size_t>(i)];
        slot.error.clear();
        slot.diagnostics.clear();
        compute(first + i, w, slot);
      }
      bool wake_writer;
      {
        std::lock_guard lock(mu_);
        for (long long i = 0; i < n; ++i) {
          Slot& slot = slot_at(first + i);
          std::swap(slot, local[static_cast<std::size_t>(i)]);
          slot.ready = true;
        }
        wake_writer = writer_waiting_ && first == written_;
      }
      if (wake_writer) cv_ready_.notify_one();
    }
  }

  //! The writer (this thread): every ready run from `written_` on, in order. No worker touches
  //! a ready slot, so they are consumed outside the lock.
  void write_in_order() {
    const auto cap = static_cast<long long>(slots_.size());
    while (written_ < count_) {
      check_cancel();
      long long ready = 0;
      {
        std::unique_lock lock(mu_);
        writer_waiting_ = true;
        cv_ready_.wait(lock, [&] { return slot_at(written_).ready; });
        writer_waiting_ = false;
        while (ready < cap && written_ + ready < count_ && slot_at(written_ + ready).ready) ++ready;
      }
      for (long long i = 0; i < ready; ++i) consume(slot_at(written_ + i));
      bool wake_workers;
      {
        std::lock_guard lock(mu_);
        for (long long i = 0; i < ready; ++i) slot_at(written_ + i).ready = false;
        written_ += ready;
        wake_workers = idle_workers_ > 0;
      }
      if (wake_workers) cv_work_.notify_all();
      report(written_, false);
    }
  }

  void run_parallel() {
    const long long capacity = 4 * kChunk * std::max(jobs_, 1);
    slots_.resize(
        static_cast<std::size_t>(std::min<long long>(capacity, std::max<long long>(count_, 1))));
    std::vector<std::thread> workers;
    for (int w = 0; w < jobs_; ++w) workers.emplace_back([this] { worker_loop(); });
    auto finish = [&] {
      {
        std::lock_guard lock(mu_);
        stop_ = true;
      }
      cv_work_.notify_all();
      for (auto& t : workers) t.join();
    };
    try {
      write_in_order();
    } catch (...) {
      finish();
      throw;
    }
    finish();
  }

  //! Every summary cell, year by year, each year's regions, each region's metrics: into the
  //! table, the store, or the csv or jsonl text.
  void write_summary() {
    const bool text = table_ == nullptr && !store_;
    if (text && o_.format == "csv") out_ << io::kSweepSummaryColumns << "\n";
    std::size_t k = 0;
    for (int t = 0; t < years_; ++t) {
      for (std::size_t r = 0; r < regions_.size(); ++r) {
        for (std::size_t m = 0; m < p_.metrics.size(); ++m) {
          summary_row(p_.base.horizon.start + t, r, m, cells_[k++]);
        }
      }
    }
  }

  //! One summary cell: year, the r-th reported region, the m-th metric.
  void summary_row(int year, std::size_t r, std::size_t m, const Summary& c) {
    const double mean = c.n > 0 ? c.mean : std::numeric_limits<double>::quiet_NaN();
    if (table_ != nullptr) {
      table_->year.push_back(year);
      table_->region.push_back(static_cast<int>(r));
      table_->metric.push_back(static_cast<int>(m));
      table_->n.push_back(c.n);
      table_->mean.push_back(mean);
      table_->p5.push_back(c.p5.value());
      table_->p50.push_back(c.p50.value());
      table_->p95.push_back(c.p95.value());
      return;
    }
    const std::string region = region_name(regions_[r]);
    const std::string name(column_info(static_cast<Col>(p_.metrics[m])).name);
    if (store_) {
      store_->add_summary(year, region, name, c.n, mean, c.p5.value(), c.p50.value(),
                          c.p95.value());
    } else if (o_.format == "csv") {
      out_ << year << "," << region << "," << name << "," << c.n << "," << io::exact_number(mean)
           << "," << io::exact_number(c.p5.value()) << "," << io::exact_number(c.p50.value()) << ","
           << io::exact_number(c.p95.value()) << "\n";
    } else {
      auto num = [](double v) {
        return is_empty_cell(v) ? std::string("null") : io::exact_number(v);
      };
      out_ << "{\"year\":" << year << ",\"region\":\"" << region << "\",\"metric\":\"" << name
           << "\",\"n\":" << c.n << ",\"mean\":" << num(mean) << ",\"p5\":" << num(c.p5.value())
           << ",\"p50\":" << num(c.p50.value()) << ",\"p95\":" << num(c.p95.value()) << "}\n";
    }
  }

  const SweepOptions& o_;
  std::ostream& out_;
  const std::function<void(const SweepProgress&)>& progress_;
  Plan p_;
  long long count_ = 0;
  int jobs_ = 1;
  std::vector<int> regions_;  //!< indices into the result regions, RowKey::kTotal for total
  int years_ = 0;
  std::size_t per_run_ = 0;  //!< values a run reports (years × regions × metrics)
  std::vector<Summary> cells_;
  SweepTable* table_ = nullptr;             //!< collect_sweep
  std::unique_ptr<io::SqliteStore> store_;  //!< --format sqlite
  std::chrono::steady_clock::time_point last_report_ = std::chrono::steady_clock::now();
  // The reorder buffer and its hand-over, shared by the workers and the writer.
  std::vector<Slot> slots_;
  std::mutex mu_;
  std::condition_variable cv_work_, cv_ready_;
  int idle_workers_ = 0;         //!< waiting on cv_work_
  bool writer_waiting_ = false;  //!< waiting on cv_ready_
  long long next_pos_ = 0;       //!< next position to hand out
  long long written_ = 0;        //!< positions consumed by the writer
  bool stop_ = false;
};

}  // namespace

void run_sweep(const SweepOptions& o, std::ostream& out,
               const std::function<void(const SweepProgress&)>& progress) {
  SweepRun(o, out, progress).run();
}

SweepTable collect_sweep(const SweepOptions& options,
                         const std::function<void(const SweepProgress&)>& progress) {
  SweepOptions o = options;
  o.format = "csv";  // the csv's sweep hash, so the csv's draws
  o.output.clear();
  o.append = false;
  SweepTable table;
  std::ostringstream unused;
  SweepRun(o, unused, progress, &table).run();
  return table;
}

}  // namespace dcplan
