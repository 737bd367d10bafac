#include "dcplan/io/format.hpp"

#include <utility>

#include "dcplan/error.hpp"
#include "io/table.hpp"
#include "text.hpp"

namespace dcplan::io {

Format parse_format(const std::string& name) {
  if (name == "table") return Format::kTable;
  if (name == "csv") return Format::kCsv;
  if (name == "json") return Format::kJson;
  if (name == "jsonl") return Format::kJsonl;
  if (name == "md") return Format::kMd;
  throw InputError("--format", "",
                   "expected table, csv, json, jsonl or md, found \"" + name + "\"");
}

std::vector<int> default_table_columns() {
  return {kCapexUsd,
          kAcceleratorsInstalled,
          kAcceleratorsStranded,
          kItCapacityMw,
          kFacilityPowerMw,
          kEnergyTwh,
          kPeakPflops,
          kTcoUsd,
          kCostPerEflopYearUsd,
          kOperationalTco2,
          kLimit};
}

namespace {

//! What a format writes: the rows and columns of the view (table and md without --metrics:
//! the short set), the header, and the cells as the view shows them.
struct Selected {
  const Results& res;
  View view;
  std::vector<Eigen::Index> rows;
  std::vector<int> cols;
  std::vector<std::string> header{"year", "region"};
  bool hw = false;

  Selected(const Results& results, View shown)
      : res(results), view(std::move(shown)), hw(view.by_hardware()) {
    Selection sel = view.select(res);
    rows = std::move(sel.rows);
    cols = std::move(sel.columns);
    if (hw) header.emplace_back("hardware");
    header.insert(header.end(), sel.names.begin(), sel.names.end());
  }

  [[nodiscard]] std::size_t keys() const { return hw ? 3 : 2; }
  [[nodiscard]] int year(Eigen::Index r) const {
    return res.keys[static_cast<std::size_t>(r)].year;
  }
  //! A cell as the view shows it. In dollars (no --currency) it is the engine's number as is,
  //! read here inline: a writer reads every cell of every row, and View::value out of line,
  //! with its column lookup, cost the run command 4% of its instructions.
  [[nodiscard]] double value(Eigen::Index r, int c) const {
    return view.fx.empty() ? res.values(r, c) : view.value(res, r, c);
  }
};

std::string write_csv(const Selected& sel) {
  std::string out;
  for (std::size_t i = 0; i < sel.header.size(); ++i) out += (i ? "," : "") + sel.header[i];
  out += "\n";
  for (auto r : sel.rows) {
    out += std::to_string(sel.year(r)) + "," + sel.res.region_name(r);
    if (sel.hw) out += "," + sel.res.hardware_name(r);
    for (int c : sel.cols) {
      out.append(",").append(exact_cell(sel.value(r, c), column_info(static_cast<Col>(c))));
    }
    out += "\n";
  }
  return out;
}

//! A JSON array of row objects, or one object a line (`lines`).
std::string write_json(const Selected& sel, bool lines) {
  std::string out;
  if (!lines) out += "[\n";
  for (std::size_t i = 0; i < sel.rows.size(); ++i) {
    const auto r = sel.rows[i];
    std::string obj = "{\"year\":" + std::to_string(sel.year(r)) + ",\"region\":\"" +
                      text::json_escape(sel.res.region_name(r)) + "\"";
    if (sel.hw) {
      const std::string h = sel.res.hardware_name(r);
      obj +=
          ",\"hardware\":" + (h.empty() ? std::string("null") : "\"" + text::json_escape(h) + "\"");
    }
    for (std::size_t j = 0; j < sel.cols.size(); ++j) {
      const double v = sel.value(r, sel.cols[j]);
      obj += ",\"" + sel.header[j + sel.keys()] +
             "\":" + json_cell(v, column_info(static_cast<Col>(sel.cols[j])));
    }
    obj += "}";
    out += lines ? obj + "\n" : "  " + obj + (i + 1 < sel.rows.size() ? ",\n" : "\n");
  }
  if (!lines) out += "]\n";
  return out;
}

//! The cells of the readable formats: numbers with their units.
std::vector<std::vector<std::string>> readable_cells(const Selected& sel) {
  std::vector<std::vector<std::string>> cells;
  for (auto r : sel.rows) {
    std::vector<std::string> line = {std::to_string(sel.year(r)), sel.res.region_name(r)};
    if (sel.hw) line.push_back(sel.res.hardware_name(r));
    for (int c : sel.cols) {
      line.push_back(
          readable(sel.value(r, c), column_info(static_cast<Col>(c)), sel.view.currency));
    }
    cells.push_back(std::move(line));
  }
  return cells;
}

std::string write_md(const Selected& sel) {
  std::string out = "|";
  for (const auto& h : sel.header) out += " " + h + " |";
  out += "\n|";
  for (std::size_t i = 0; i < sel.header.size(); ++i) {
    const bool text =
        i >= sel.keys() &&
        column_info(static_cast<Col>(sel.cols[i - sel.keys()])).kind == ColumnKind::kText;
    out += i < sel.keys() || text ? " --- |" : " ---: |";
  }
  out += "\n";
  for (const auto& line : readable_cells(sel)) {
    out += "|";
    for (const auto& cell : line) out += " " + cell + " |";
    out += "\n";
  }
  return out;
}

//! The aligned table: keys left, values right, a blank line between years (rows by region).
std::string write_table(const Selected& sel) {
  TableLayout layout;
  const std::size_t keys = sel.keys();
  layout.right = [keys, &sel](std::size_t column, const std::string&, bool) {
    return column >= keys &&
           column_info(static_cast<Col>(sel.cols[column - keys])).kind != ColumnKind::kText;
  };
  for (std::size_t i = 1; i < sel.rows.size() && sel.view.by != RowsBy::kTotal; ++i) {
    if (sel.year(sel.rows[i]) != sel.year(sel.rows[i - 1])) layout.blank_before.push_back(i);
  }
  return aligned_table(sel.header, readable_cells(sel), layout);
}

}  // namespace

std::string format_results(const Results& res, const View& view, Format format) {
  View shown = view;
  if (shown.columns.empty() && (format == Format::kTable || format == Format::kMd)) {
    shown.columns = default_table_columns();
  }
  const Selected sel(res, std::move(shown));
  switch (format) {
    case Format::kCsv:
      return write_csv(sel);
    case Format::kJson:
      return write_json(sel, false);
    case Format::kJsonl:
      return write_json(sel, true);
    case Format::kMd:
      return write_md(sel);
    case Format::kTable:
      return write_table(sel);
  }
  return {};
}

}  // namespace dcplan::io
