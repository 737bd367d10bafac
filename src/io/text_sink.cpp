// The sweep's text files as row sinks: csv and jsonl (the format is io/sweep_file.hpp's). A run's
// rows are formatted by encode on the worker that ran it; write only copies the text out, in
// run order.
#include <ostream>

#include "dcplan/io/cells.hpp"
#include "dcplan/results.hpp"
#include "io/row_sink.hpp"
#include "io/sweep_file.hpp"
#include "text.hpp"

namespace dcplan::io {

std::string summary_metric(const RowColumns& c, const SummaryRow& row) {
  const std::size_t m = row.metric, metrics = c.metrics.size(), targets = c.targets.size();
  if (m < metrics) return std::string(column_info(static_cast<Col>(c.metrics[m])).name);
  return m < metrics + targets ? c.targets[m - metrics] : c.ratios[m - metrics - targets];
}

namespace {

//! What both text formats keep of the columns: the names and the column of each metric, looked
//! up once rather than for every cell.
class TextSink : public RowSink {
 public:
  explicit TextSink(std::ostream& out) : out_(out) {}

  //! Keeps a copy of the columns: encode reads them from every worker while the sweep runs.
  void begin(const RowColumns& columns) override {
    c_ = columns;
    for (const int m : c_.metrics) info_.push_back(&column_info(static_cast<Col>(m)));
  }
  //! The text encode made on the worker: the one writing thread only copies it out.
  void write(RunRows& rows) override { out_ << rows.text; }

 protected:
  std::ostream& out_;
  RowColumns c_;
  std::vector<const ColumnInfo*> info_;  //!< per metric
};

//! `run,<parameters>,year,region,<metrics>`: a header line and the column line, then the rows.
class CsvSink final : public TextSink {
 public:
  using TextSink::TextSink;

  void begin(const RowColumns& columns) override {
    TextSink::begin(columns);
    // A summary has no header line; its column line comes with it, after the last run, so
    // that a sweep that fails prints nothing.
    if (c_.summary) return;
    out_ << sweep_header_line(c_.hash, c_.runs, c_.shard_k, c_.shard_n, false);
    out_ << "run";
    for (const auto& p : c_.params) out_ << "," << csv_field(p);
    // A target's name may hold a comma or a quote (never a newline: terminal_safe escaped it).
    for (const auto& t : c_.targets) out_ << "," << csv_field(t);
    out_ << ",year,region";
    for (const ColumnInfo* c : info_) out_ << "," << c->name;
    out_ << "\n";
  }

  //! Region ids are checked by the loader (letters, digits, '.', '_', '-'), so they go out
  //! unquoted; a parameter's name may hold a comma and is quoted once, in the column line.
  void encode(RunRows& rows) const override {
    std::string& s = rows.text;
    s.clear();
    // The run and its parameters begin each of its rows: made once per run.
    std::string prefix = std::to_string(rows.run);
    for (double v : rows.params) prefix.append(",").append(exact_number(v));
    for (const std::uint8_t pass : rows.passes) prefix.append(pass != 0 ? ",1" : ",0");
    std::size_t k = 0;
    for (int t = 0; t < c_.years; ++t) {
      for (const auto& region : c_.regions) {
        s += prefix;
        s.append(",").append(std::to_string(c_.first_year + t)).append(",").append(region);
        for (const ColumnInfo* c : info_) {
          s += ',';
          s += exact_cell(rows.values[k++], *c);
        }
        s += '\n';
      }
    }
  }

  //! The column line, then a line per cell; an empty mean or percentile (no values) is "".
  //! With --targets two more columns, low and high, the pass rates' intervals; the rows of whole
  //! runs (pass rates, ratios) have an empty year, and a pass rate an empty region.
  void write_summary(const std::vector<SummaryRow>& rows) override {
    const bool targets = !c_.targets.empty();
    out_ << kSweepSummaryColumns << (targets ? kSweepSummaryIntervalColumns : "") << "\n";
    for (const SummaryRow& r : rows) {
      if (r.year != SummaryRow::kNoYear) out_ << r.year;
      out_ << "," << (r.region == SummaryRow::kNoRegion ? "" : c_.regions[r.region]) << ","
           << csv_field(summary_metric(c_, r)) << "," << r.n << "," << exact_number(r.mean) << ","
           << exact_number(r.p5) << "," << exact_number(r.p50) << "," << exact_number(r.p95);
      if (targets) out_ << "," << exact_number(r.low) << "," << exact_number(r.high);
      out_ << "\n";
    }
  }
};

//! A header line, then an object per row: run, params, year, region and the metrics.
class JsonlSink final : public TextSink {
 public:
  using TextSink::TextSink;

  //! The header line (merge reads it), except for a summary, which has none.
  void begin(const RowColumns& columns) override {
    TextSink::begin(columns);
    if (!c_.summary) out_ << sweep_header_line(c_.hash, c_.runs, c_.shard_k, c_.shard_n, true);
  }

  //! Names are written as they are: region ids are checked by the loader, and a parameter is a
  //! pointer to a key the format knows (ids, key names, years), nothing a JSON string escapes.
  void encode(RunRows& rows) const override {
    std::string& s = rows.text;
    s.clear();
    const std::string prefix = std::to_string(rows.run);
    std::string run_json = "{";  // the parameters, then the pass columns
    for (std::size_t i = 0; i < rows.params.size(); ++i) {
      run_json += (i ? ",\"" : "\"") + c_.params[i] + "\":" + exact_number(rows.params[i]);
    }
    run_json += "}";
    // The pass columns follow the parameters, as in the csv; a target's name is escaped.
    for (std::size_t i = 0; i < rows.passes.size(); ++i) {
      run_json +=
          ",\"" + text::json_escape(c_.targets[i]) + (rows.passes[i] != 0 ? "\":true" : "\":false");
    }
    // Every row repeats the run's parameters, as the csv does, so that each line stands alone.
    std::size_t k = 0;
    for (int t = 0; t < c_.years; ++t) {
      for (const auto& region : c_.regions) {
        s += "{\"run\":" + prefix + ",\"params\":" + run_json +
             ",\"year\":" + std::to_string(c_.first_year + t) + ",\"region\":\"" + region + "\"";
        for (const ColumnInfo* c : info_) {
          s += ",\"" + std::string(c->name) + "\":" + json_cell(rows.values[k++], *c);
        }
        s += "}\n";
      }
    }
  }

  //! A line per cell; an empty mean or percentile (no values) is null, as are the year and
  //! region a row of whole runs lacks; with --targets every line has low and high.
  void write_summary(const std::vector<SummaryRow>& rows) override {
    auto num = [](double v) { return is_empty_cell(v) ? std::string("null") : exact_number(v); };
    for (const SummaryRow& r : rows) {
      out_ << "{\"year\":" << (r.year == SummaryRow::kNoYear ? "null" : std::to_string(r.year))
           << ",\"region\":"
           << (r.region == SummaryRow::kNoRegion ? "null" : "\"" + c_.regions[r.region] + "\"")
           << ",\"metric\":\"" << text::json_escape(summary_metric(c_, r)) << "\",\"n\":" << r.n
           << ",\"mean\":" << num(r.mean) << ",\"p5\":" << num(r.p5) << ",\"p50\":" << num(r.p50)
           << ",\"p95\":" << num(r.p95);
      if (!c_.targets.empty()) out_ << ",\"low\":" << num(r.low) << ",\"high\":" << num(r.high);
      out_ << "}\n";
    }
  }
};

}  // namespace

std::unique_ptr<RowSink> csv_sink(std::ostream& out) {
  return std::make_unique<CsvSink>(out);
}

std::unique_ptr<RowSink> jsonl_sink(std::ostream& out) {
  return std::make_unique<JsonlSink>(out);
}

}  // namespace dcplan::io
