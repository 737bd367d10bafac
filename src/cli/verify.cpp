// `dcplan verify OUTPUT SCENARIO`: does an output's recorded scenario hash match this scenario
// (with the same --set), and would this binary reproduce it?
#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <limits>
#include <optional>

#include "cli/commands.hpp"
#include "cli/registration.hpp"
#include "dcplan/build_info.hpp"
#include "dcplan/error.hpp"
#include "dcplan/io/sqlite_store.hpp"
#include "dcplan/load.hpp"
#include "dcplan/provenance.hpp"
#include "json_io.hpp"
#include "text.hpp"

namespace dcplan::cli {

namespace {

struct VerifyOptions {
  const Global* global = nullptr;
  std::string output;
  std::string scenario;
  std::vector<std::string> overrides;
  long long sweep = 0;  //!< --sweep: which of a store's sweeps (0: the only one)
};

//! The record of a SQLite store's sweep: --sweep N, or the only one.
std::optional<Provenance> store_provenance(const VerifyOptions& o) {
  const auto records = io::SqliteStore::read_provenance(o.output);
  std::string ids;
  for (const auto& r : records) {
    if (r.sweep == o.sweep || (o.sweep == 0 && records.size() == 1)) return r.provenance;
    ids += (ids.empty() ? "" : ", ") + std::to_string(r.sweep);
  }
  if (records.empty()) return std::nullopt;
  if (o.sweep != 0) {
    throw InputError("--sweep", "",
                     fmt::format("the store has no sweep {} (it holds sweeps {})", o.sweep, ids));
  }
  throw InputError(o.output, "",
                   fmt::format("the store holds {} sweeps ({}): choose one with --sweep N",
                               records.size(), ids));
}

int verify(const VerifyOptions& o) {
  // A csv's provenance is in its sidecar, a store's in its meta table; any other output carries
  // its own.
  std::optional<Provenance> recorded;
  std::error_code ec;
  const bool store =
      std::filesystem::is_regular_file(o.output, ec) && io::SqliteStore::is_sqlite(o.output);
  if (o.sweep != 0 && !store)
    throw InputError("--sweep", "", "applies to a SQLite store only; " + o.output + " is not one");
  if (store) {
    recorded = store_provenance(o);
  } else {
    std::string source = o.output;
    if (std::filesystem::is_regular_file(o.output + ".meta.json", ec))
      source = o.output + ".meta.json";
    recorded = read_provenance(jsonio::read_text(source));
  }
  if (!recorded || recorded->scenario_sha256.empty()) {
    throw InputError(
        o.output, "",
        "no provenance with a scenario hash found (expected a dcplan output: json, "
        "jsonl, md, html, JUnit, a SQLite store, or csv with FILE.meta.json beside it, written "
        "without --no-provenance)");
  }
  const Scenario s = load_scenario(o.scenario, LoadOptions{o.overrides, o.global->allow_dirs});
  const bool same_scenario = s.sha256 == recorded->scenario_sha256;
  auto safe = [](const std::string& x) { return text::terminal_safe(x, 300); };
  std::cout << safe(o.output) << ": made by dcplan " << safe(recorded->version) << " (commit "
            << safe(recorded->commit) << ")"
            << (recorded->time.empty() ? "" : " at " + safe(recorded->time)) << "\n";
  if (!recorded->command.empty()) std::cout << "  command: " << safe(recorded->command) << "\n";
  if (same_scenario) {
    std::cout << "scenario: matches " << safe(o.scenario) << " (SHA-256 " << s.sha256 << ")\n";
  } else {
    std::cout << "scenario: does NOT match " << safe(o.scenario) << ": recorded SHA-256 "
              << safe(recorded->scenario_sha256) << ", this scenario " << s.sha256
              << " (compare the merged documents: dcplan validate --merged)\n";
  }
  const std::string commit = build_info::commit();
  const bool clean = commit != "unknown" && commit.find("-dirty") == std::string::npos;
  std::cout << "binary: this is dcplan " << build_info::version() << " (commit " << commit << "): ";
  if (recorded->version == build_info::version() && recorded->commit == commit && clean) {
    std::cout << (same_scenario ? "it would reproduce the output exactly\n"
                                : "the same code, but another scenario\n");
  } else if (recorded->commit == commit) {
    std::cout << "the same commit label, but built from uncommitted changes or outside git: "
                 "cannot tell whether it would reproduce the output\n";
  } else {
    std::cout << "another version or commit: the numbers may differ\n";
  }
  return same_scenario ? 0 : 1;
}

}  // namespace

Command add_verify(CLI::App& app, const Global& g) {
  auto o = std::make_shared<VerifyOptions>();
  o->global = &g;
  auto* sub = app.add_subcommand(
      "verify",
      "Check that an output's recorded scenario hash matches a scenario file, and whether this "
      "binary would reproduce it.");
  sub->footer(
      "Examples:\n"
      "  dcplan run scenarios/alibaba-380b.json --format json -o out.json\n"
      "  dcplan verify out.json scenarios/alibaba-380b.json\n"
      "  dcplan run scenarios/alibaba-380b.json --format csv -o out.csv --set "
      "/regions/cn-hangzhou/pue=1.2\n"
      "  dcplan verify out.csv scenarios/alibaba-380b.json --set /regions/cn-hangzhou/pue=1.2\n"
      "  dcplan verify mc.sqlite scenarios/examples/minimal.json --sweep 1\n\n"
      "Exit 0 when the scenario matches, 1 when it does not, 2 when OUTPUT records no\n"
      "provenance. Give the same --set as the run: the hash is of the merged document.\n");
  sub->add_option("output", o->output,
                  "a dcplan output (json, jsonl, md, html, JUnit, a SQLite store; csv: its "
                  "FILE.meta.json)")
      ->required();
  sub->add_option("scenario", o->scenario, "the scenario file it should come from")->required();
  add_overrides(sub, o->overrides, "(as in the run)");
  sub->add_option("--sweep", o->sweep,
                  "a SQLite store's sweep to check (meta.sweep); needed when it holds several")
      ->check(CLI::Range(1LL, std::numeric_limits<long long>::max()));
  return {sub, [o] { return verify(*o); }};
}

}  // namespace dcplan::cli
