#include "cli/commands.hpp"
#include "cli/registration.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "dcplan/compare.hpp"
#include "dcplan/io/atomic_file.hpp"
#include "dcplan/load.hpp"
#include "dcplan/results.hpp"
#include "dcplan/schema.hpp"
#include "io/table.hpp"
#include "text.hpp"

namespace dcplan::cli {

namespace fs = std::filesystem;

namespace {

//! True for a gates file: a JSON array whose first item is a gate (a string, or an object with
//! "gate"). Any other array is left to the scenario validator, which says what it expected.
bool is_gates_file(const std::string& file) {
  if (file == "-") return false;
  std::ifstream in(file, std::ios::binary);
  char c = 0;
  while (in.get(c) && (c == ' ' || c == '\n' || c == '\r' || c == '\t')) {
  }
  if (c != '[') return false;
  in.seekg(0);
  const auto doc = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_array() || doc.empty()) return false;
  const auto& first = doc.front();
  return first.is_string() || (first.is_object() && first.contains("gate"));
}

}  // namespace

int validate(const ValidateOptions& o) {
  LoadOptions lo{o.overrides, o.global->allow_dirs};
  int invalid = 0;
  for (const auto& file : o.files) {
    // A gates file (a JSON array, as compare --gates reads) is checked as one.
    if (!o.merged && is_gates_file(file)) {
      try {
        const auto gates = read_gates_file(file);
        std::cout << text::terminal_safe(file, 160) << ": ok (" << gates.size() << " gates)\n";
      } catch (const InputError& e) {
        ++invalid;
        for (const auto& d : e.diagnostics()) std::cerr << "error: " << d.to_string() << "\n";
      }
      continue;
    }
    if (o.merged) io::write_output("-", merged_document(file, lo));
    const auto diagnostics = validate_scenario(file, lo);
    if (diagnostics.empty()) {
      if (!o.merged) std::cout << text::terminal_safe(file, 160) << ": ok\n";
      continue;
    }
    ++invalid;
    for (const auto& d : diagnostics) std::cerr << "error: " << d.to_string() << "\n";
    if (diagnostics.size() >= kMaxDiagnostics) {
      std::cerr << "error: " << text::terminal_safe(file, 160) << ": stopped after "
                << kMaxDiagnostics << " errors\n";
    }
  }
  if (invalid > 0) {
    spdlog::error("{} of {} file(s) invalid", invalid, o.files.size());
    return 2;
  }
  return 0;
}

int metrics(const MetricsOptions& o) {
  if (o.markdown) {
    io::write_output(o.output, results_markdown());
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& c : result_columns()) {
    rows.push_back({std::string(c.name), std::string(c.unit), kind_name(c.kind),
                    std::string(c.description) + (c.demand_only ? " (with demand only)" : "")});
  }
  io::write_output(o.output, io::format_table({"column", "unit", "kind", "meaning"}, rows));
  return 0;
}

int schema(const SchemaOptions& o) {
  io::write_output(o.output, o.markdown ? schema::reference_markdown() : schema::json_schema());
  return 0;
}

namespace {

//! The shipped catalogs: DCPLAN_CATALOG_DIR when set; else beside the binary, where an
//! installed tree keeps them (PREFIX/bin/dcplan and PREFIX/share/dcplan/scenarios/catalog,
//! wherever the tree was installed or copied) or where a build tree at the top of the sources
//! finds them (build/dcplan and scenarios/catalog); else the source tree it was built from.
std::string catalog_dir() {
  if (const char* env = std::getenv("DCPLAN_CATALOG_DIR"); env != nullptr && *env != '\0') {
    return env;
  }
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (const char* rel : {DCPLAN_DATA_FROM_BIN "/scenarios/catalog", "../scenarios/catalog"}) {
      const fs::path dir = (exe.parent_path() / rel).lexically_normal();
      if (fs::is_directory(dir, ec)) return dir.string();
    }
  }
  return DCPLAN_CATALOG_DIR;
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string compact(double v) {
  if (std::abs(v) >= 1e4 && std::abs(v) < 1e15) return fmt::format("{:.0f}", v);
  return fmt::format("{:.4g}", v);
}

}  // namespace

int catalog(const CatalogOptions& o) {
  std::vector<std::string> files = o.includes;
  if (files.empty()) {
    const fs::path dir = catalog_dir();
    if (o.kind == "hardware") {
      files.push_back((dir / "hardware.json").string());
    } else {
      std::error_code ec;
      for (const auto& e : fs::directory_iterator(dir, ec)) {
        const auto name = e.path().filename().string();
        if (name.rfind("regions", 0) == 0 && e.path().extension() == ".json") {
          files.push_back(e.path().string());
        }
      }
      std::sort(files.begin(), files.end());
    }
    if (files.empty()) {
      throw InputError(dir.string(), "", "no catalog files found; pass --include FILE");
    }
  }
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header;
  for (const auto& file : files) {
    // A catalog is a partial scenario: wrap it in one with a one-year horizon and load it,
    // so that it is validated exactly as a scenario including it would be.
    // The wrapper sits in the catalog's directory and includes it by name.
    std::string doc = fmt::format(R"({{"dcplan": 1, "horizon": {{"start": {0}, "end": {0}}},
                                     "include": [{1}]}})",
                                  o.year, json_string(fs::path(file).filename().string()));
    // Only the catalog keys matter here; a full scenario given as catalog keeps its
    // hardware and regions, not its plan.
    const LoadOptions lo{{"/capex=null", "/demand=null", "/targets=null", "/currency=null"},
                         o.global->allow_dirs};
    const Scenario s =
        load_scenario_text(doc, (fs::path(file).parent_path() / "(catalog listing)").string(), lo);
    if (o.kind == "hardware") {
      header = {"id",       "vendor",    "name",           "available", "bf16_tflops",
                "all_in_w", "price_usd", "lifetime_years", "source"};
      for (const auto& h : s.hardware) {
        rows.push_back({h.id, h.vendor, h.name, std::to_string(h.available), compact(h.bf16_tflops),
                        compact(h.all_in_w), compact(h.price_usd(0)),
                        std::to_string(h.lifetime_years), h.source.substr(0, 60)});
      }
    } else {
      header = {"id",          "name",      "country",
                "opens",       "tags",      "pue",
                "usd_per_mwh", "g_per_kwh", "facility_usd_per_mw",
                "catalog"};
      for (const auto& r : s.regions) {
        std::string tags;
        for (const auto& t : r.tags) tags += (tags.empty() ? "#" : " #") + t;
        rows.push_back({r.id, r.name, r.country, r.opens ? std::to_string(*r.opens) : "", tags,
                        compact(r.pue(0)), compact(r.power_price_usd_per_mwh(0)),
                        compact(r.grid_g_per_kwh(0)), compact(r.facility_capex_usd_per_mw(0)),
                        fs::path(file).filename().string()});
      }
    }
  }
  std::cout << io::format_table(header, rows);
  return 0;
}

Command add_validate(CLI::App& app, const Global& g) {
  auto o = std::make_shared<ValidateOptions>();
  o->global = &g;
  auto* sub = app.add_subcommand(
      "validate",
      "Check scenario files (and gates files) and report every problem (up to 50 per file).");
  sub->footer(
      "Examples:\n"
      "  dcplan validate scenarios/alibaba-380b.json\n"
      "  dcplan validate --merged scenarios/alibaba-raised.json > merged.json\n"
      "  dcplan validate scenarios/alibaba-380b.json --set /regions/cn-hangzhou/pue=1.15\n");
  sub->add_option("files", o->files,
                  "scenario files ('-' for standard input); a file holding a JSON array is "
                  "checked as a gates file (compare --gates)")
      ->required();
  add_overrides(sub, o->overrides, "(applied last)");
  sub->add_flag("--merged", o->merged,
                "print the merged document (includes, extends and --set applied)");
  return {sub, [o] { return validate(*o); }};
}

Command add_schema(CLI::App& app, const Global& /*g*/) {
  auto o = std::make_shared<SchemaOptions>();
  auto* sub =
      app.add_subcommand("schema", "Print the JSON Schema (draft 2020-12) of the scenario format.");
  sub->footer(
      "Examples:\n"
      "  dcplan schema > scenario.schema.json\n"
      "  dcplan schema --markdown -o scenario-reference.md\n");
  sub->add_flag("--markdown", o->markdown, "print the scenario reference as markdown instead");
  add_output(sub, o->output);
  return {sub, [o] { return schema(*o); }};
}

Command add_metrics(CLI::App& app, const Global& /*g*/) {
  auto o = std::make_shared<MetricsOptions>();
  auto* sub = app.add_subcommand(
      "metrics",
      "List every result column: its unit, whether a stock, flow or ratio, and meaning.");
  sub->footer(
      "Examples:\n"
      "  dcplan metrics\n"
      "  dcplan metrics --markdown -o results.md\n");
  sub->add_flag("--markdown", o->markdown,
                "print the column reference as markdown (docs/results.md is this output)");
  add_output(sub, o->output);
  return {sub, [o] { return metrics(*o); }};
}

Command add_catalog(CLI::App& app, const Global& g) {
  auto o = std::make_shared<CatalogOptions>();
  o->global = &g;
  auto* sub = app.add_subcommand(
      "catalog", "List catalog entries: accelerators or regions with their key figures.");
  sub->footer(
      "Examples:\n"
      "  dcplan catalog hardware\n"
      "  dcplan catalog regions --include scenarios/catalog/regions-world.json\n");
  sub->add_option("kind", o->kind, "what to list")
      ->required()
      ->check(CLI::IsMember({"hardware", "regions"}));
  sub->add_option("--include", o->includes,
                  "catalog files to read (default: the shipped scenarios/catalog)");
  sub->add_option("--year", o->year, "year at which prices and trajectories are shown")
      ->check(CLI::Range(1900, 2500));
  return {sub, [o] { return catalog(*o); }};
}

}  // namespace dcplan::cli
