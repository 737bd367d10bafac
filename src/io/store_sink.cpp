// A SQLite store as a row sink: a sweep's meta row, its runs and rows, or its summary, committed
// whole (SqliteStore writes a temporary file and renames it into place on commit).
#include "dcplan/io/sqlite_store.hpp"
#include "dcplan/results.hpp"
#include "io/row_sink.hpp"

namespace dcplan::io {

namespace {

class StoreSink final : public RowSink {
 public:
  StoreSink(const std::string& path, bool append) : store_(path, append) {}

  //! The meta row, and a column per varied parameter and per metric.
  void begin(const RowColumns& columns) override {
    c_ = columns;
    StoreSweep sw;
    sw.kind = "sweep";
    sw.sweep_hash = c_.hash;
    sw.runs = c_.runs;
    sw.shard_k = c_.shard_k;
    sw.shard_n = c_.shard_n;
    sw.params = c_.params;
    sw.flags = c_.targets;
    sw.columns = c_.metrics;
    (void)store_.begin(sw, c_.provenance);
  }

  //! The run's parameters once (table runs), then its rows (table results): the store's
  //! columns are the metrics in RowColumns order, so a row's values are passed as they lie.
  void write(RunRows& rows) override {
    store_.add_run(rows.run, rows.params, {}, rows.passes);
    const std::size_t per_row = c_.metrics.size();
    std::size_t k = 0;
    for (int t = 0; t < c_.years; ++t) {
      for (const auto& region : c_.regions) {
        store_.add_row(rows.run, c_.first_year + t, region, "", &rows.values[k]);
        k += per_row;
      }
    }
  }

  //! Table summary names its region and metric (NaN statistics are stored as NULL); the rows
  //! of whole runs, which have no year (pass rates, ratios), go to table run_summary.
  void write_summary(const std::vector<SummaryRow>& rows) override {
    for (const SummaryRow& r : rows) {
      const std::string metric = summary_metric(c_, r);
      if (r.year != SummaryRow::kNoYear) {
        store_.add_summary(r.year, c_.regions[r.region], metric, r.n, r.mean, r.p5, r.p50, r.p95);
        continue;
      }
      const std::string region = r.region == SummaryRow::kNoRegion ? "" : c_.regions[r.region];
      store_.add_run_summary(metric, region, r.n, {r.mean, r.p5, r.p50, r.p95, r.low, r.high});
    }
  }

  //! Indices, the last transaction, the rename into place. Without it the store's destructor
  //! removes the temporary file: a failed sweep leaves the previous store as it was.
  void commit() override { store_.commit(); }

 private:
  SqliteStore store_;
  RowColumns c_;  //!< years, regions and metrics, to name the rows
};

}  // namespace

std::unique_ptr<RowSink> store_sink(const std::string& path, bool append) {
  return std::make_unique<StoreSink>(path, append);
}

}  // namespace dcplan::io
