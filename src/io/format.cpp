#include "dcplan/io/format.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <cmath>

#include "dcplan/error.hpp"
#include "dcplan/schema.hpp"
#include "text.hpp"

namespace dcplan::io {

namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string sig(double raw, int digits = 3) {
  // Three significant digits without exponent for the magnitudes a table shows. The value is
  // first cut to 12 significant digits and nudged away from zero by far less than those, so
  // that halves round up whatever their binary form: 4545 and 4545.000000000001 MW both read
  // 4.55 GW (binary 4.545 is 4.5449999..., which printf rounds down).
  double v = raw;
  if (!text::parse_double(fmt::format("{:.12g}", raw), v)) v = raw;
  v *= 1 + 1e-12;
  const double a = std::abs(v);
  int decimals = 0;
  if (a > 0 && a < 1000)
    decimals = std::max(0, digits - 1 - static_cast<int>(std::floor(std::log10(a))));
  decimals = std::min(decimals, 6);
  std::string out = fmt::format("{:.{}f}", v, decimals);
  if (out == "-0" || out.rfind("-0.", 0) == 0) {
    if (std::all_of(out.begin() + 1, out.end(), [](char c) { return c == '0' || c == '.'; })) {
      out.erase(0, 1);
    }
  }
  return out;
}

std::string scaled(double v, const char* const* names, const double* factors, int n,
                   const std::string& prefix = "") {
  const double a = std::abs(v);
  if (a == 0) return prefix + "0";
  for (int i = 0; i < n; ++i) {
    if (a >= factors[i] || i == n - 1) {
      const std::string num = sig(v / factors[i]);
      return prefix + num + (names[i][0] != '\0' ? std::string(" ") + names[i] : std::string());
    }
  }
  return sig(v);
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

std::vector<int> parse_metrics(const std::string& list, bool has_demand,
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
          kOperationalTco2};
}

std::string exact_number(double v) {
  if (is_empty_cell(v)) return "";
  if (v == 0) return "0";  // also -0
  return fmt::format("{}", v);
}

std::string column_name(const ColumnInfo& c, const std::string& currency) {
  std::string name(c.name);
  if (c.money && currency != "USD") {
    const auto pos = name.rfind("_usd");
    if (pos != std::string::npos) name.replace(pos, 4, std::string("_").append(lower(currency)));
  }
  return name;
}

std::string readable(double v, const ColumnInfo& c, const std::string& currency) {
  if (is_empty_cell(v)) return "";
  const std::string unit(c.unit);
  if (c.money) {
    if (std::abs(v) < 0.5) return currency == "USD" ? "US$0" : currency + " 0";
    static const char* const names[] = {"tn", "bn", "m", "k", ""};
    static const double f[] = {1e12, 1e9, 1e6, 1e3, 1};
    const std::string prefix = currency == "USD" ? "US$" : currency + " ";
    std::string out = scaled(std::abs(v), names, f, 5, prefix);
    if (c.name == "cost_per_eflop_year_usd") out += "/EFLOP-yr";
    return v < 0 && sig(v) != "0" ? "-" + out : out;
  }
  if (unit == "MW") {
    static const char* const names[] = {"GW", "MW", "kW"};
    static const double f[] = {1e3, 1, 1e-3};
    return scaled(v, names, f, 3);
  }
  if (unit == "TWh") {
    static const char* const names[] = {"TWh", "GWh", "MWh"};
    static const double f[] = {1, 1e-3, 1e-6};
    return scaled(v, names, f, 3);
  }
  if (unit == "PFLOP/s") {
    static const char* const names[] = {"ZFLOP/s", "EFLOP/s", "PFLOP/s"};
    static const double f[] = {1e6, 1e3, 1};
    return scaled(v, names, f, 3);
  }
  if (unit == "t CO2e") {
    static const char* const names[] = {"Mt", "kt", "t"};
    static const double f[] = {1e6, 1e3, 1};
    return scaled(v, names, f, 3);
  }
  if (unit == "count") {
    static const char* const names[] = {"m", "k", ""};
    static const double f[] = {1e6, 1e3, 1};
    return scaled(v, names, f, 3);
  }
  if (unit == "EFLOP-year") return sig(v) + " EFLOP-yr";
  return sig(v);
}

std::string format_results(const Results& res, const FormatOptions& o) {
  std::vector<int> cols = o.columns;
  if (cols.empty()) {
    if (o.format == Format::kTable || o.format == Format::kMd) {
      cols = default_table_columns();
    } else {
      for (int c = 0; c < kNumCols; ++c) {
        if (!column_info(static_cast<Col>(c)).demand_only || res.has_demand) cols.push_back(c);
      }
    }
  }
  const bool hw = o.by == RowsBy::kHardware;
  std::vector<std::string> header = {"year", "region"};
  if (hw) header.emplace_back("hardware");
  for (int c : cols) header.push_back(column_name(column_info(static_cast<Col>(c)), o.currency));

  auto fx_for = [&](int year) {
    if (o.fx.size() == 0) return 1.0;
    const Eigen::Index i = std::clamp<Eigen::Index>(year - o.fx_first_year, 0, o.fx.size() - 1);
    return o.fx(i);
  };
  auto value = [&](Eigen::Index r, int c) {
    const double usd = res.values(r, c);
    if (!column_info(static_cast<Col>(c)).money || o.fx.size() == 0) return usd;
    const int year = res.keys[static_cast<std::size_t>(r)].year;
    const double v = usd * fx_for(year);
    // The engine checked its own numbers; the conversion is checked here, where it happens.
    if (!std::isfinite(v) && std::isfinite(usd)) {
      throw InputError("--currency", "",
                       fmt::format("{} {} in {} is {:g} USD, which overflows when converted to {} "
                                   "at {:g} per USD (check /fx_per_usd/{})",
                                   column_info(static_cast<Col>(c)).name, res.region_name(r), year,
                                   usd, o.currency, fx_for(year), o.currency));
    }
    return v;
  };

  std::vector<Eigen::Index> rows;
  for (Eigen::Index r = 0; r < res.rows(); ++r) {
    const auto& k = res.keys[static_cast<std::size_t>(r)];
    if (o.first_year && k.year < *o.first_year) continue;
    if (o.last_year && k.year > *o.last_year) continue;
    if (o.by == RowsBy::kTotal && k.region != RowKey::kTotal) continue;
    if (!hw && k.hardware != RowKey::kAll) continue;
    rows.push_back(r);
  }

  std::string out;
  switch (o.format) {
    case Format::kCsv: {
      for (std::size_t i = 0; i < header.size(); ++i) out += (i ? "," : "") + header[i];
      out += "\n";
      for (auto r : rows) {
        out +=
            std::to_string(res.keys[static_cast<std::size_t>(r)].year) + "," + res.region_name(r);
        if (hw) out += "," + res.hardware_name(r);
        for (int c : cols) out.append(",").append(exact_number(value(r, c)));
        out += "\n";
      }
      return out;
    }
    case Format::kJson:
    case Format::kJsonl: {
      const bool lines = o.format == Format::kJsonl;
      if (!lines) out += "[\n";
      for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto r = rows[i];
        std::string obj =
            "{\"year\":" + std::to_string(res.keys[static_cast<std::size_t>(r)].year) +
            ",\"region\":\"" + text::json_escape(res.region_name(r)) + "\"";
        if (hw) {
          const std::string h = res.hardware_name(r);
          obj += ",\"hardware\":" +
                 (h.empty() ? std::string("null") : "\"" + text::json_escape(h) + "\"");
        }
        for (std::size_t j = 0; j < cols.size(); ++j) {
          const double v = value(r, cols[j]);
          obj += ",\"" + header[j + (hw ? 3 : 2)] +
                 "\":" + (is_empty_cell(v) ? "null" : exact_number(v));
        }
        obj += "}";
        if (lines) {
          out += obj + "\n";
        } else {
          out += "  " + obj + (i + 1 < rows.size() ? ",\n" : "\n");
        }
      }
      if (!lines) out += "]\n";
      return out;
    }
    case Format::kTable:
    case Format::kMd: {
      std::vector<std::vector<std::string>> cells;
      for (auto r : rows) {
        std::vector<std::string> line = {std::to_string(res.keys[static_cast<std::size_t>(r)].year),
                                         res.region_name(r)};
        if (hw) line.push_back(res.hardware_name(r));
        for (int c : cols)
          line.push_back(readable(value(r, c), column_info(static_cast<Col>(c)), o.currency));
        cells.push_back(std::move(line));
      }
      if (o.format == Format::kMd) {
        out += "|";
        for (const auto& h : header) out += " " + h + " |";
        out += "\n|";
        for (std::size_t i = 0; i < header.size(); ++i)
          out += i < (hw ? 3u : 2u) ? " --- |" : " ---: |";
        out += "\n";
        for (const auto& line : cells) {
          out += "|";
          for (const auto& cell : line) out += " " + cell + " |";
          out += "\n";
        }
        return out;
      }
      std::vector<std::size_t> width(header.size());
      for (std::size_t i = 0; i < header.size(); ++i) width[i] = header[i].size();
      for (const auto& line : cells) {
        for (std::size_t i = 0; i < line.size(); ++i) width[i] = std::max(width[i], line[i].size());
      }
      const std::size_t keys = hw ? 3 : 2;
      auto emit = [&](const std::vector<std::string>& line) {
        std::string l;
        for (std::size_t i = 0; i < line.size(); ++i) {
          const std::string pad(width[i] - line[i].size(), ' ');
          if (i) l += "  ";
          l += i < keys ? line[i] + pad : pad + line[i];
        }
        while (!l.empty() && l.back() == ' ') l.pop_back();
        out += l + "\n";
      };
      emit(header);
      std::vector<std::string> rule;
      for (auto w : width) rule.emplace_back(w, '-');
      emit(rule);
      int last_year = 0;
      for (std::size_t i = 0; i < cells.size(); ++i) {
        const int y = res.keys[static_cast<std::size_t>(rows[i])].year;
        if (i > 0 && y != last_year && o.by != RowsBy::kTotal) out += "\n";
        last_year = y;
        emit(cells[i]);
      }
      return out;
    }
  }
  return out;
}

}  // namespace dcplan::io
