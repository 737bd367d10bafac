// Columns in memory as a row sink: a sweep's rows or summary in a SweepTable, one vector per
// column, which Python hands to NumPy without a copy (dcplan.sweep).
#include "dcplan/sweep.hpp"
#include "io/row_sink.hpp"

namespace dcplan::io {

namespace {

class ColumnSink final : public RowSink {
 public:
  explicit ColumnSink(SweepTable& table) : t_(table) {}

  //! The table's names, and room for its rows (count × years × regions).
  void begin(const RowColumns& columns) override {
    regions_ = columns.regions.size();
    years_ = columns.years;
    first_year_ = columns.first_year;
    t_.summary = columns.summary;
    t_.params = columns.params;
    t_.metrics = columns.metrics;
    t_.regions = columns.regions;
    t_.targets = columns.targets;
    t_.ratios = columns.ratios;
    if (columns.summary) return;
    const auto rows = static_cast<std::size_t>(columns.count) *
                      static_cast<std::size_t>(columns.years) * regions_;
    t_.run.reserve(rows);
    t_.year.reserve(rows);
    t_.region.reserve(rows);
    t_.param_values.assign(columns.params.size(), {});
    for (auto& v : t_.param_values) v.reserve(rows);
    t_.passes.assign(columns.targets.size(), {});
    for (auto& v : t_.passes) v.reserve(rows);
    t_.values.assign(columns.metrics.size(), {});
    for (auto& v : t_.values) v.reserve(rows);
  }

  //! A row per year and region: the keys and parameters repeated, each metric to its column
  //! (the run's values lie year by year, region by region, metric by metric).
  void write(RunRows& rows) override {
    std::size_t k = 0;
    for (int t = 0; t < years_; ++t) {
      for (std::size_t r = 0; r < regions_; ++r) {
        t_.run.push_back(rows.run);
        for (std::size_t i = 0; i < rows.params.size(); ++i)
          t_.param_values[i].push_back(rows.params[i]);
        for (std::size_t i = 0; i < rows.passes.size(); ++i) t_.passes[i].push_back(rows.passes[i]);
        t_.year.push_back(first_year_ + t);
        t_.region.push_back(static_cast<int>(r));
        for (auto& column : t_.values) column.push_back(rows.values[k++]);
      }
    }
  }

  //! Region and metric as codes into the table's names, as the rows' regions are; the
  //! interval columns only with --targets, as in the csv.
  void write_summary(const std::vector<SummaryRow>& rows) override {
    const bool targets = !t_.targets.empty();
    for (const SummaryRow& r : rows) {
      t_.year.push_back(r.year == SummaryRow::kNoYear ? SweepTable::kNoYear : r.year);
      t_.region.push_back(r.region == SummaryRow::kNoRegion ? SweepTable::kNoRegion
                                                            : static_cast<int>(r.region));
      if (targets) {
        t_.low.push_back(r.low);
        t_.high.push_back(r.high);
      }
      t_.metric.push_back(static_cast<int>(r.metric));
      t_.n.push_back(r.n);
      t_.mean.push_back(r.mean);
      t_.p5.push_back(r.p5);
      t_.p50.push_back(r.p50);
      t_.p95.push_back(r.p95);
    }
  }

 private:
  SweepTable& t_;  //!< the caller's: filled in place, moved to Python without a copy
  std::size_t regions_ = 0;
  int years_ = 0;
  int first_year_ = 0;
};

}  // namespace

std::unique_ptr<RowSink> column_sink(SweepTable& table) {
  return std::make_unique<ColumnSink>(table);
}

}  // namespace dcplan::io
