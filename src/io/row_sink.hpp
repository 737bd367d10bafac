// Private to dcplan_core: where a study's rows go. A study (the sweep) computes its rows and hands
// them to a RowSink chosen once, before the first run; it never asks which format it writes.
// Sinks: the sweep's csv and jsonl files (io/sweep_file.hpp, text_sink.cpp), a SQLite store
// (store_sink.cpp, over SqliteStore), and columns in memory for Python (column_sink.cpp).
//
// Calls, in order: begin (the columns), then for each run encode (on any worker thread) and
// write (in run order, on one thread), or with a summary write_summary once after the last run;
// then commit. A sink that writes a file makes it visible only on commit: a study that throws
// leaves nothing half-written there (a stream it was handed is the caller's to discard).
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "dcplan/provenance.hpp"

namespace dcplan {
struct SweepTable;
}  // namespace dcplan

namespace dcplan::io {

//! What every row holds, told once before the first run. Rows: run, the varied parameters,
//! year, region, the metrics; a summary: year, region, metric and the statistics.
struct RowColumns {
  std::string hash;    //!< the sweep's hash, 16 hexadecimal digits
  long long runs = 0;  //!< runs of the whole sweep (every shard)
  long long shard_k = 0, shard_n = 1;
  long long count = 0;              //!< runs this shard writes
  std::vector<std::string> params;  //!< the varied parameters, named as in the csv header
  int first_year = 0;
  int years = 0;
  std::vector<std::string> regions;  //!< each year's rows: these regions ("total" last)
  std::vector<int> metrics;          //!< the value columns (Col), in --metrics order
  //! --targets: a pass column per target ("pass:NAME", unique, safe for a terminal), in the rows
  //! after the parameters; in a summary, a row per target.
  std::vector<std::string> targets;
  std::vector<std::string> ratios;  //!< --ratio: a summary row each ("ratio:METRIC@A/B")
  bool summary = false;             //!< statistics instead of rows: write_summary, not write
  Provenance provenance;            //!< what made the rows (the store's meta row)
};

//! One run's rows: for each year, for each region, the metrics' values.
struct RunRows {
  long long run = 0;
  std::vector<double> params;        //!< the run's value of each varied parameter
  std::vector<std::uint8_t> passes;  //!< per target (RowColumns::targets): 1 when it holds
  std::vector<double> values;        //!< years × regions × metrics, in that order (NaN: empty)
  std::vector<double> ratios;        //!< per --ratio: the run's ratio (NaN: empty)
  std::string text;                  //!< what encode made of them, for a sink that writes text
};

//! One cell of a summary: a year, region and metric over every run; or, after them, a
//! statistic of whole runs, which has no year: a target's pass rate (no region either) or a
//! --ratio (the total's).
struct SummaryRow {
  static constexpr int kNoYear = 0;
  static constexpr std::size_t kNoRegion = static_cast<std::size_t>(-1);
  int year = 0;            //!< kNoYear: a whole run's
  std::size_t region = 0;  //!< index into RowColumns::regions, or kNoRegion
  //! Index into RowColumns::metrics, then (counting on) targets, then ratios.
  std::size_t metric = 0;
  long long n = 0;
  double mean = 0, p5 = 0, p50 = 0, p95 = 0;  //!< NaN without values
  //! A pass rate's 90% Wilson interval; NaN otherwise.
  double low = std::numeric_limits<double>::quiet_NaN();
  double high = std::numeric_limits<double>::quiet_NaN();
};

//! A summary row's metric as written: a metric's name, a pass column's or a ratio's.
[[nodiscard]] std::string summary_metric(const RowColumns& columns, const SummaryRow& row);

class RowSink {
 public:
  RowSink() = default;
  RowSink(const RowSink&) = delete;
  RowSink& operator=(const RowSink&) = delete;
  virtual ~RowSink() = default;

  //! Before the first run (a file's header, a store's meta row).
  virtual void begin(const RowColumns& columns) = 0;
  //! Readies a run's rows for write, from any worker thread at once: it reads only what begin
  //! stored. Text sinks format here, so that formatting runs on every worker, not only on the
  //! one thread that writes.
  virtual void encode(RunRows& /*rows*/) const {}
  //! A run's rows, in run order, on one thread.
  virtual void write(RunRows& rows) = 0;
  //! The whole summary after the last run (RowColumns::summary): every year, each year's
  //! regions, each region's metrics.
  virtual void write_summary(const std::vector<SummaryRow>& rows) = 0;
  //! The output is complete (a store is renamed into place).
  virtual void commit() {}
};

//! The sweep's csv (io/sweep_file.hpp) on `out`.
[[nodiscard]] std::unique_ptr<RowSink> csv_sink(std::ostream& out);
//! The sweep's jsonl (io/sweep_file.hpp) on `out`.
[[nodiscard]] std::unique_ptr<RowSink> jsonl_sink(std::ostream& out);
//! A SQLite store at `path` (SqliteStore, opened now: its errors come before any run's).
[[nodiscard]] std::unique_ptr<RowSink> store_sink(const std::string& path, bool append);
//! Columns in memory, in `table` (collect_sweep, dcplan.sweep in Python).
[[nodiscard]] std::unique_ptr<RowSink> column_sink(SweepTable& table);

}  // namespace dcplan::io
