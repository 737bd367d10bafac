#include "dcplan/io/format.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <cmath>

#include "dcplan/error.hpp"
#include "dcplan/schema.hpp"
#include "io/table.hpp"
#include "text.hpp"

namespace dcplan::io {

namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

Format parse_format(const std::string& name) {
  if (name == "table") return Format::kTable;
  if (name == "csv") return Format::kCsv;
  if (name == "json") return Format::kJson;
  if (name == "jsonl") return Format::kJsonl;
  if (name == "md") return Format::kMd;
  throw InputError("--format", "",
                   "expected table, csv, json, jsonl or md, found \"" + name + "\"");
}

RowsBy parse_rows_by(const std::string& name) {
  if (name == "region") return RowsBy::kRegion;
  if (name == "total") return RowsBy::kTotal;
  if (name == "hardware") return RowsBy::kHardware;
  throw InputError("--by", "", "expected region, total or hardware, found \"" + name + "\"");
}

std::vector<int> parse_metrics(const std::string& list, bool has_demand, bool has_cost_of_capital,
                               const std::string& currency) {
  std::vector<int> out;
  std::vector<std::string> known;
  for (int c = 0; c < kNumCols; ++c) known.emplace_back(column_info(static_cast<Col>(c)).name);
  std::size_t start = 0;
  while (start <= list.size()) {
    const auto comma = list.find(',', start);
    std::string name =
        list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    name.erase(0, name.find_first_not_of(' '));
    name.erase(name.find_last_not_of(' ') + 1);
    if (!name.empty()) {
      // Money columns may be named in another currency (capex_cny); match on the USD name.
      int c = value_column(name);
      for (int k = 0; k < kNumCols && c < 0; ++k) {
        if (column_name(column_info(static_cast<Col>(k)), currency) == name) c = k;
      }
      if (c < 0) {
        for (int k = 0; k < kNumCols && currency != "USD"; ++k) {
          known.push_back(column_name(column_info(static_cast<Col>(k)), currency));
        }
        const auto near = schema::nearest(name, known);
        throw InputError("--metrics", "",
                         "unknown metric \"" + name + "\"" +
                             (near.empty() ? std::string(" ('dcplan metrics' lists the columns)")
                                           : "; did you mean \"" + near.front() + "\"?"));
      }
      if (column_info(static_cast<Col>(c)).demand_only && !has_demand) {
        throw InputError("--metrics", "",
                         "the metric \"" + name + "\" exists only when the scenario has demand");
      }
      if (is_cost_of_capital_column(c) && !has_cost_of_capital) {
        throw InputError("--metrics", "",
                         "the metric \"" + name +
                             "\" exists only when the scenario writes a key of the cost of "
                             "capital (finance.wacc, finance.interest_during_construction, "
                             "finance.capital_charge, or a region's wacc or "
                             "facility_embodied_tco2_per_mw)");
      }
      if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (out.empty())
    throw InputError("--metrics", "", "expected a comma-separated list of result columns");
  return out;
}

void parse_years(const std::string& spec, FormatOptions& o) {
  auto year = [&](const std::string& s) -> std::optional<int> {
    if (s.empty()) return std::nullopt;
    if (s.size() > 4 || s.find_first_not_of("0123456789") != std::string::npos) {
      throw InputError("--years", "",
                       "expected A:B with years such as 2025:2030, found \"" + spec + "\"");
    }
    return std::stoi(s);
  };
  const auto colon = spec.find(':');
  if (colon == std::string::npos) {
    o.first_year = o.last_year = year(spec);
    if (!o.first_year) throw InputError("--years", "", "expected A:B, found an empty value");
  } else {
    o.first_year = year(spec.substr(0, colon));
    o.last_year = year(spec.substr(colon + 1));
  }
  if (o.first_year && o.last_year && *o.last_year < *o.first_year) {
    throw InputError("--years", "", "expected A <= B, found \"" + spec + "\"");
  }
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

std::string column_name(const ColumnInfo& c, const std::string& currency) {
  std::string name(c.name);
  if (c.money && currency != "USD") {
    const auto pos = name.rfind("_usd");
    if (pos != std::string::npos) name.replace(pos, 4, std::string("_").append(lower(currency)));
  }
  return name;
}

namespace {

//! The rows and columns a format writes, and their values (money converted to the currency).
struct Selection {
  const Results& res;
  const FormatOptions& o;
  std::vector<int> cols;
  std::vector<std::string> header;
  std::vector<Eigen::Index> rows;
  bool hw = false;

  [[nodiscard]] std::size_t keys() const { return hw ? 3 : 2; }
  [[nodiscard]] int year(Eigen::Index r) const {
    return res.keys[static_cast<std::size_t>(r)].year;
  }
  [[nodiscard]] double fx_for(int year) const {
    if (o.fx.size() == 0) return 1.0;
    const Eigen::Index i = std::clamp<Eigen::Index>(year - o.fx_first_year, 0, o.fx.size() - 1);
    return o.fx(i);
  }
  [[nodiscard]] double value(Eigen::Index r, int c) const {
    const double usd = res.values(r, c);
    if (!column_info(static_cast<Col>(c)).money || o.fx.size() == 0) return usd;
    const double v = usd * fx_for(year(r));
    // The engine checked its own numbers; the conversion is checked here, where it happens.
    if (!std::isfinite(v) && std::isfinite(usd)) {
      throw InputError("--currency", "",
                       fmt::format("{} {} in {} is {:g} USD, which overflows when converted to {} "
                                   "at {:g} per USD (check /fx_per_usd/{})",
                                   column_info(static_cast<Col>(c)).name, res.region_name(r),
                                   year(r), usd, o.currency, fx_for(year(r)), o.currency));
    }
    return v;
  }
};

Selection select(const Results& res, const FormatOptions& o) {
  Selection sel{res,
                o,
                selected_columns(res, o),
                {"year", "region"},
                selected_rows(res, o),
                o.by == RowsBy::kHardware};
  if (sel.hw) sel.header.emplace_back("hardware");
  for (int c : sel.cols) {
    sel.header.push_back(column_name(column_info(static_cast<Col>(c)), o.currency));
  }
  return sel;
}

std::string write_csv(const Selection& sel) {
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
std::string write_json(const Selection& sel, bool lines) {
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
std::vector<std::vector<std::string>> readable_cells(const Selection& sel) {
  std::vector<std::vector<std::string>> cells;
  for (auto r : sel.rows) {
    std::vector<std::string> line = {std::to_string(sel.year(r)), sel.res.region_name(r)};
    if (sel.hw) line.push_back(sel.res.hardware_name(r));
    for (int c : sel.cols) {
      line.push_back(readable(sel.value(r, c), column_info(static_cast<Col>(c)), sel.o.currency));
    }
    cells.push_back(std::move(line));
  }
  return cells;
}

std::string write_md(const Selection& sel) {
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
std::string write_table(const Selection& sel) {
  TableLayout layout;
  const std::size_t keys = sel.keys();
  layout.right = [keys, &sel](std::size_t column, const std::string&, bool) {
    return column >= keys &&
           column_info(static_cast<Col>(sel.cols[column - keys])).kind != ColumnKind::kText;
  };
  for (std::size_t i = 1; i < sel.rows.size() && sel.o.by != RowsBy::kTotal; ++i) {
    if (sel.year(sel.rows[i]) != sel.year(sel.rows[i - 1])) layout.blank_before.push_back(i);
  }
  return aligned_table(sel.header, readable_cells(sel), layout);
}

}  // namespace

std::string format_results(const Results& res, const FormatOptions& o) {
  const Selection sel = select(res, o);
  switch (o.format) {
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

std::vector<Eigen::Index> selected_rows(const Results& res, const FormatOptions& o) {
  std::vector<Eigen::Index> rows;
  for (Eigen::Index r = 0; r < res.rows(); ++r) {
    const auto& k = res.keys[static_cast<std::size_t>(r)];
    if (o.first_year && k.year < *o.first_year) continue;
    if (o.last_year && k.year > *o.last_year) continue;
    if (o.by == RowsBy::kTotal && k.region != RowKey::kTotal) continue;
    if (o.by != RowsBy::kHardware && k.hardware != RowKey::kAll) continue;
    rows.push_back(r);
  }
  return rows;
}

std::vector<int> selected_columns(const Results& res, const FormatOptions& o) {
  if (!o.columns.empty()) return o.columns;
  if (o.format == Format::kTable || o.format == Format::kMd) return default_table_columns();
  std::vector<int> cols;
  for (int c = 0; c < kNumCols; ++c) {
    if (column_applies(c, res)) cols.push_back(c);
  }
  return cols;
}

std::string with_provenance(const std::string& text, Format format, const Provenance& provenance) {
  const std::string meta = provenance_json(provenance);
  switch (format) {
    case Format::kJson: {
      // The rows array as written, indented under "rows".
      std::string rows = text;
      while (!rows.empty() && rows.back() == '\n') rows.pop_back();
      return "{\n\"meta\": " + meta + ",\n\"rows\": " + rows + "\n}\n";
    }
    case Format::kJsonl:
      return "{\"meta\":" + meta + "}\n" + text;
    case Format::kMd:
      return text + "\n<sub>" + text::md_escape(provenance_text(provenance), 4000) + "</sub>\n" +
             provenance_md_record(provenance) + "\n";
    case Format::kCsv:
    case Format::kTable:
      break;
  }
  return text;
}

}  // namespace dcplan::io
