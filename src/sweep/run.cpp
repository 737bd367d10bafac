// The sweep's executor: runs handed to worker threads in chunks, results written in run order
// by one writer (rows, or the summary).
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <ostream>
#include <thread>

#include "dcplan/engine.hpp"
#include "dcplan/error.hpp"
#include "dcplan/io/format.hpp"
#include "dcplan/sweep.hpp"
#include "sweep/file_format.hpp"
#include "sweep/plan.hpp"
#include "sweep/stats.hpp"

namespace dcplan {

using sweep::apply;
using sweep::param_name;
using sweep::Plan;
using sweep::prepare;
using sweep::SeriesGroup;
using sweep::Summary;

namespace {

//! One run's output: text rows, or the values for the summary.
struct Slot {
  std::string text;
  std::vector<double> values;
  std::string error;
  std::vector<Diagnostic> diagnostics;
  bool ready = false;
};

}  // namespace

void run_sweep(const SweepOptions& o, std::ostream& out,
               const std::function<void(const SweepProgress&)>& progress) {
  Plan p = prepare(o);
  const long long count =
      p.total <= o.shard_k ? 0 : (p.total - o.shard_k + o.shard_n - 1) / o.shard_n;
  // Every grid point is checked before a line is written (its first run: grid values are the
  // same for each of its samples), so a value the loader would refuse stops the sweep with
  // nothing on standard output. Draws are checked as they are made.
  {
    Scenario ws = p.base;
    auto groups = p.groups;
    std::vector<double> params;
    const long long points = std::min<long long>(p.grid_size, 100000);
    for (long long g = 0; g < points; ++g) apply(p, g * p.samples, ws, groups, params);
  }
  const int jobs = o.jobs > 0 ? o.jobs : std::max(1u, std::thread::hardware_concurrency());

  // Rows each run reports: total rows, or every region and total.
  std::vector<int> regions;  // indices into the result regions, RowKey::kTotal for total
  if (o.by_region) {
    for (std::size_t r = 0; r < p.base.regions.size(); ++r) regions.push_back(static_cast<int>(r));
  }
  regions.push_back(RowKey::kTotal);
  const int years = p.base.horizon.years();
  const std::size_t per_run = static_cast<std::size_t>(years) * regions.size() * p.metrics.size();
  auto region_name = [&](int r) {
    return r == RowKey::kTotal ? std::string("total")
                               : p.base.regions[static_cast<std::size_t>(r)].id;
  };

  if (!o.summary) {
    if (o.format == "csv") {
      out << sweep::header_line(fmt::format("{:016x}", p.hash), p.total, o.shard_k, o.shard_n,
                                false);
      out << "run";
      for (const auto& b : p.bindings) out << "," << sweep::csv_field(param_name(b.spec));
      out << ",year,region";
      for (int m : p.metrics) out << "," << column_info(static_cast<Col>(m)).name;
      out << "\n";
    } else {
      out << sweep::header_line(fmt::format("{:016x}", p.hash), p.total, o.shard_k, o.shard_n,
                                true);
    }
  }

  std::vector<Summary> cells(o.summary ? per_run : 0);
  // Work: run `pos`-th index of this shard = shard_k + pos * shard_n.
  // Runs a worker takes at once, and the reorder buffer: room for a few chunks per worker, so
  // that threads rarely wait for each other (every wake-up is a system call).
  constexpr long long kChunk = 32;
  const long long capacity = 4 * kChunk * std::max(jobs, 1);
  std::vector<Slot> slots(
      static_cast<std::size_t>(std::min<long long>(capacity, std::max<long long>(count, 1))));
  std::mutex mu;
  std::condition_variable cv_work, cv_ready;
  int idle_workers = 0;         // waiting on cv_work
  bool writer_waiting = false;  // waiting on cv_ready
  long long next_pos = 0;       // next position to hand out
  long long written = 0;        // positions consumed by the writer
  bool stop = false;

  auto compute = [&](long long pos, Engine& engine, Results& res, Scenario& ws,
                     std::vector<SeriesGroup>& groups, std::vector<double>& params, Slot& slot) {
    const long long run = o.shard_k + pos * o.shard_n;
    try {
      apply(p, run, ws, groups, params);
      EngineOptions eo;
      eo.region_rows = o.by_region;
      engine.run(ws, eo, res);
      // Each year's rows: the regions (with --by region), then the total.
      const int per_year = static_cast<int>(res.rows() / years);
      auto row_of = [&](int t, int r) {
        return static_cast<Eigen::Index>(t * per_year + (r == RowKey::kTotal ? per_year - 1 : r));
      };
      if (o.summary) {
        slot.values.resize(per_run);
        std::size_t k = 0;
        for (int t = 0; t < years; ++t) {
          for (int r : regions) {
            for (int m : p.metrics) slot.values[k++] = res.values(row_of(t, r), m);
          }
        }
      } else {
        std::string& s = slot.text;
        s.clear();
        std::string prefix = std::to_string(run);
        if (o.format == "csv") {
          for (double v : params) prefix.append(",").append(io::exact_number(v));
          for (int t = 0; t < years; ++t) {
            for (int r : regions) {
              s += prefix;
              s.append(",")
                  .append(std::to_string(p.base.horizon.start + t))
                  .append(",")
                  .append(region_name(r));
              for (int m : p.metrics) {
                s += ',';
                s += io::exact_number(res.values(row_of(t, r), m));
              }
              s += '\n';
            }
          }
        } else {
          std::string params_json = "{";
          for (std::size_t i = 0; i < params.size(); ++i) {
            params_json += (i ? ",\"" : "\"") + param_name(p.bindings[i].spec) +
                           "\":" + io::exact_number(params[i]);
          }
          params_json += "}";
          for (int t = 0; t < years; ++t) {
            for (int r : regions) {
              s += "{\"run\":" + prefix + ",\"params\":" + params_json +
                   ",\"year\":" + std::to_string(p.base.horizon.start + t) + ",\"region\":\"" +
                   region_name(r) + "\"";
              for (int m : p.metrics) {
                const double v = res.values(row_of(t, r), m);
                s += ",\"" + std::string(column_info(static_cast<Col>(m)).name) +
                     "\":" + (is_empty_cell(v) ? std::string("null") : io::exact_number(v));
              }
              s += "}\n";
            }
          }
        }
      }
    } catch (const InputError& e) {
      // The engine's own findings (numbers that overflow) are about the scenario's file.
      slot.diagnostics = e.diagnostics();
      for (auto& d : slot.diagnostics) {
        if (d.file.empty()) d.file = o.scenario;
        if (d.message.rfind("run ", 0) != 0) d.message = fmt::format("run {}: {}", run, d.message);
      }
      slot.error = "input";
    } catch (const std::exception& e) {
      slot.error = e.what();
    }
  };

  auto consume = [&](Slot& slot) {
    if (!slot.error.empty()) {
      if (!slot.diagnostics.empty()) throw InputError(slot.diagnostics);
      throw ModelError(slot.error);
    }
    if (o.summary) {
      for (std::size_t k = 0; k < per_run; ++k) {
        if (!is_empty_cell(slot.values[k])) cells[k].add(slot.values[k]);
      }
    } else {
      out << slot.text;
    }
  };

  auto last_report = std::chrono::steady_clock::now();
  auto report = [&](long long done, bool force) {
    if (!progress) return;
    const auto now = std::chrono::steady_clock::now();
    if (force || now - last_report > std::chrono::milliseconds(200)) {
      last_report = now;
      progress({done, count});
    }
  };

  if (jobs == 1 || count <= 1) {
    Engine engine;
    Results res;
    Scenario ws = p.base;
    auto groups = p.groups;
    std::vector<double> params;
    Slot slot;
    for (long long pos = 0; pos < count; ++pos) {
      if (o.cancel != nullptr && o.cancel->load() != 0) throw Interrupted(o.cancel->load());
      slot.error.clear();
      compute(pos, engine, res, ws, groups, params, slot);
      consume(slot);
      report(pos + 1, false);
    }
  } else {
    std::vector<std::thread> workers;
    const auto cap = static_cast<long long>(slots.size());
    for (int w = 0; w < jobs; ++w) {
      workers.emplace_back([&] {
        Engine engine;
        Results res;
        Scenario ws = p.base;
        auto groups = p.groups;
        std::vector<double> params;
        std::vector<Slot> local(static_cast<std::size_t>(kChunk));
        while (true) {
          // Take a chunk of consecutive runs: fewer wake-ups than one run at a time.
          long long first, n;
          {
            std::unique_lock lock(mu);
            ++idle_workers;
            cv_work.wait(lock,
                         [&] { return stop || next_pos >= count || next_pos < written + cap; });
            --idle_workers;
            if (stop || next_pos >= count) return;
            first = next_pos;
            n = std::min({kChunk, count - next_pos, written + cap - next_pos});
            next_pos += n;
          }
          for (long long i = 0; i < n; ++i) {
            Slot& slot = local[static_cast<std::size_t>(i)];
            slot.error.clear();
            slot.diagnostics.clear();
            compute(first + i, engine, res, ws, groups, params, slot);
          }
          bool wake_writer;
          {
            // The whole chunk under one lock.
            std::lock_guard lock(mu);
            for (long long i = 0; i < n; ++i) {
              Slot& slot = slots[static_cast<std::size_t>((first + i) % cap)];
              std::swap(slot, local[static_cast<std::size_t>(i)]);
              slot.ready = true;
            }
            wake_writer = writer_waiting && first == written;
          }
          if (wake_writer) cv_ready.notify_one();
        }
      });
    }
    auto finish = [&] {
      {
        std::lock_guard lock(mu);
        stop = true;
      }
      cv_work.notify_all();
      for (auto& t : workers) t.join();
    };
    try {
      while (written < count) {
        if (o.cancel != nullptr && o.cancel->load() != 0) throw Interrupted(o.cancel->load());
        // Every ready run from `written` on, in order. No worker touches a ready slot, so they
        // are consumed outside the lock.
        auto slot_at = [&](long long pos) -> Slot& {
          return slots[static_cast<std::size_t>(pos % cap)];
        };
        long long ready = 0;
        {
          std::unique_lock lock(mu);
          writer_waiting = true;
          cv_ready.wait(lock, [&] { return slot_at(written).ready; });
          writer_waiting = false;
          while (ready < cap && written + ready < count && slot_at(written + ready).ready) ++ready;
        }
        for (long long i = 0; i < ready; ++i) consume(slot_at(written + i));
        bool wake_workers;
        {
          std::lock_guard lock(mu);
          for (long long i = 0; i < ready; ++i) slot_at(written + i).ready = false;
          written += ready;
          wake_workers = idle_workers > 0;
        }
        if (wake_workers) cv_work.notify_all();
        report(written, false);
      }
    } catch (...) {
      finish();
      throw;
    }
    finish();
  }
  report(count, true);

  if (o.summary) {
    if (o.format == "csv") {
      out << sweep::kSummaryColumns << "\n";
    }
    std::size_t k = 0;
    for (int t = 0; t < years; ++t) {
      for (int r : regions) {
        for (int m : p.metrics) {
          const Summary& c = cells[k++];
          const std::string name(column_info(static_cast<Col>(m)).name);
          const double mean = c.n > 0 ? c.mean : std::numeric_limits<double>::quiet_NaN();
          if (o.format == "csv") {
            out << p.base.horizon.start + t << "," << region_name(r) << "," << name << "," << c.n
                << "," << io::exact_number(mean) << "," << io::exact_number(c.p5.value()) << ","
                << io::exact_number(c.p50.value()) << "," << io::exact_number(c.p95.value())
                << "\n";
          } else {
            auto num = [](double v) {
              return is_empty_cell(v) ? std::string("null") : io::exact_number(v);
            };
            out << "{\"year\":" << p.base.horizon.start + t << ",\"region\":\"" << region_name(r)
                << "\",\"metric\":\"" << name << "\",\"n\":" << c.n << ",\"mean\":" << num(mean)
                << ",\"p5\":" << num(c.p5.value()) << ",\"p50\":" << num(c.p50.value())
                << ",\"p95\":" << num(c.p95.value()) << "}\n";
          }
        }
      }
    }
  }
}

}  // namespace dcplan
