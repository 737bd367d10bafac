// The dcplan command line: options structs filled by CLI11 and the functions that run them.
// Each returns the process exit code (0 ok, 1 a target or gate failed); errors are exceptions.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <map>

#include "dcplan/compare.hpp"
#include "dcplan/engine.hpp"
#include "dcplan/provenance.hpp"
#include "dcplan/run_view.hpp"
#include "dcplan/sweep.hpp"
#include "dcplan/targets.hpp"

namespace CLI {
class App;
}

namespace dcplan::cli {

//! The options of the top-level command, which every subcommand may use.
struct Global {
  std::vector<std::string> allow_dirs;  //!< --allow-dir: include/extends may also read there
  int verbose = 0;
  bool quiet = false;
  std::string command;  //!< the command line, shell-quoted (provenance)
};

//! A subcommand: its CLI11 app (parsed when chosen) and what runs it. Each command's file
//! registers its own (add_run in run.cpp, ...): its options, help and examples live with it.
struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

//! csv written to a regular file (-o FILE) gets its provenance beside it, in FILE.meta.json, so
//! that the csv stays a plain table (run.cpp).
void write_sidecar(const std::string& output, bool csv, const Provenance& prov);

//! The texts of the options a request keeps in another shape (options::Custom), held while
//! CLI11 parses and applied to the request afterwards (apply_deferred in cli/options.hpp), so
//! that a bad text is an InputError of the command, as any other.
struct Deferred {
  std::map<std::string, std::string, std::less<>> texts;
  std::map<std::string, bool, std::less<>> flags;
};

struct ValidateOptions {
  const Global* global = nullptr;
  std::vector<std::string> files;
  std::vector<std::string> overrides;
  bool merged = false;
};

struct SchemaOptions {
  bool markdown = false;
  std::string output;
};

struct MetricsOptions {
  bool markdown = false;
  std::string output;
};

struct CatalogOptions {
  const Global* global = nullptr;
  std::string kind;  //!< hardware | regions
  std::vector<std::string> includes;
  int year = 2025;
};

//! `dcplan run`: the request (options::run()) and what the command line does with its result.
struct RunOptions {
  const Global* global = nullptr;
  RunRequest request;
  std::string format;
  bool check = false;
  std::string junit;
  std::string output;
  bool provenance = false;     //!< print only the provenance block
  bool no_provenance = false;  //!< outputs as before provenance (json: the bare rows array)
};

//! `dcplan compare`: the request (options::compare()) and how its result is written.
struct CompareOptions {
  const Global* global = nullptr;
  CompareInputs request;
  std::string format;
  std::string output;
  bool append = false;  //!< sqlite: add to the store at `output`
};

//! `dcplan sweep`: the request (options::sweep()), its writing included (the library writes).
struct SweepCliOptions {
  const Global* global = nullptr;
  SweepOptions request;
  Deferred deferred;  //!< --shard and --by, applied after parsing
};

struct MergeOptions {
  std::vector<std::string> files;
  std::string output;
};

struct ReportOptions {
  const Global* global = nullptr;
  std::string scenario;
  std::vector<std::string> overrides;
  std::string compare;
  std::string sweep;
  std::string sensitivity;
  std::string output;
  bool force = false;  //!< draw --sweep and --sensitivity files made from another scenario
};

Command add_validate(CLI::App& app, const Global& g);
Command add_schema(CLI::App& app, const Global& g);
Command add_metrics(CLI::App& app, const Global& g);
Command add_catalog(CLI::App& app, const Global& g);
Command add_run(CLI::App& app, const Global& g);
Command add_compare(CLI::App& app, const Global& g);
Command add_sweep(CLI::App& app, const Global& g);
Command add_merge(CLI::App& app, const Global& g);
Command add_report(CLI::App& app, const Global& g);
Command add_solve(CLI::App& app, const Global& g);
//! Targets with their values, bounds and margins, as a table (solve: "target"/"margin";
//! optimize: "constraint"/"slack").
std::string targets_table(const std::vector<TargetResult>& ts, const char* what, const char* slack);
//! Lines of a report (what binds), each escaped for the terminal on a line of its own after
//! `indent`: a newline inside one (a target's name) is shown as \n, never starts a line.
std::string terminal_lines(const std::vector<std::string>& lines, const std::string& indent = "");
//! An answer of solve or optimize for -o FILE, and the search it came from.
struct Solution {
  std::string command;  //!< "solve" or "optimize"
  std::string scenario;
  std::vector<std::string> overrides;  //!< the search's --set
  std::vector<std::string> allow_dirs;
  std::string sha256;  //!< of the scenario searched (its merged document, overrides applied)
  std::string set_line, patch;
};
//! Writes the answer as a scenario: beside SCENARIO (where the path to it stays beneath FILE's
//! directory) one that extends it; elsewhere, where extends would need --allow-dir, one that
//! holds the merged document with the answer applied and runs from anywhere. Its description
//! says where it came from.
void write_solution(const Solution& s, const std::string& output);
Command add_optimize(CLI::App& app, const Global& g);
Command add_sensitivity(CLI::App& app, const Global& g);
Command add_verify(CLI::App& app, const Global& g);      // verify.cpp
Command add_man(CLI::App& app, const Global& g);         // docs.cpp
Command add_completion(CLI::App& app, const Global& g);  // docs.cpp
//! `dcplan options --json`, hidden: the option tables and what CLI11 registered (docs.cpp).
Command add_options_dump(CLI::App& app, const Global& g);
Command add_serve(CLI::App& app, const Global& g);  // serve.cpp, with cpp-httplib

int validate(const ValidateOptions& o);
int report(const ReportOptions& o);
int sweep(const SweepCliOptions& o);
int merge(const MergeOptions& o);
int compare(const CompareOptions& o);
int schema(const SchemaOptions& o);
int metrics(const MetricsOptions& o);
int catalog(const CatalogOptions& o);
int run(const RunOptions& o);

}  // namespace dcplan::cli
