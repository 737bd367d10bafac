// `dcplan verify OUTPUT SCENARIO`: does an output's recorded scenario hash match this scenario
// (with the same --set), and would this binary reproduce it?
#include <fmt/format.h>

#include <filesystem>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "dcplan/build_info.hpp"
#include "dcplan/error.hpp"
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
};

int verify(const VerifyOptions& o) {
  // A csv's provenance is in its sidecar; any other output carries its own.
  std::string source = o.output;
  std::error_code ec;
  if (std::filesystem::is_regular_file(o.output + ".meta.json", ec))
    source = o.output + ".meta.json";
  const auto recorded = read_provenance(jsonio::read_text(source));
  if (!recorded || recorded->scenario_sha256.empty()) {
    throw InputError(
        o.output, "",
        "no provenance with a scenario hash found (expected a dcplan output: json, "
        "jsonl, md, html, JUnit, or csv with FILE.meta.json beside it, written without "
        "--no-provenance)");
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
      "  dcplan verify out.csv scenarios/alibaba-380b.json --set /regions/cn-hangzhou/pue=1.2\n\n"
      "Exit 0 when the scenario matches, 1 when it does not, 2 when OUTPUT records no\n"
      "provenance. Give the same --set as the run: the hash is of the merged document.\n");
  sub->add_option("output", o->output,
                  "a dcplan output (json, jsonl, md, html, JUnit; csv: its FILE.meta.json)")
      ->required();
  sub->add_option("scenario", o->scenario, "the scenario file it should come from")->required();
  add_overrides(sub, o->overrides, "(as in the run)");
  return {sub, [o] { return verify(*o); }};
}

}  // namespace dcplan::cli
