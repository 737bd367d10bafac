// The dcplan command line: options structs filled by CLI11 and the functions that run them.
// Each returns the process exit code (0 ok, 1 a target or gate failed); errors are exceptions.
#pragma once

#include <cstdint>

#include <string>
#include <vector>
#include "dcplan/engine.hpp"

namespace dcplan::cli {

//! --allow-dir: directories include/extends may read besides the scenario's own. Set once by
//! main from the command line before any command runs.
std::vector<std::string>& allow_dirs();

//! simulate(), with an input problem found while running (numbers that overflow) reported
//! against the scenario's file.
Results run_engine(const Scenario& scenario, const EngineOptions& options);

struct ValidateOptions {
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
  std::string kind;  //!< hardware | regions
  std::vector<std::string> includes;
  int year = 2025;
};

struct RunOptions {
  std::string scenario;
  std::vector<std::string> overrides;
  std::string format = "table";
  std::string by = "region";
  std::string metrics;
  std::string years;
  std::string currency;
  bool check = false;
  std::string junit;
  std::string output;
};

struct CompareOptions {
  std::string base;
  std::string other;
  std::vector<std::string> overrides;  //!< applied to OTHER
  std::vector<std::string> set_base;   //!< applied to BASE
  std::string metrics;
  std::string years;
  std::string by = "total";
  std::vector<std::string> gates;
  std::string gates_file;
  std::string format = "table";
  std::string output;
};

struct SweepCliOptions {
  std::string scenario;
  std::vector<std::string> overrides;
  std::vector<std::string> varies;
  long long samples = -1;
  std::uint64_t seed = 1;
  int jobs = 0;
  std::string shard;
  std::string metrics;
  std::string by = "total";
  bool summary = false;
  std::string format = "csv";
  std::string output;
};

struct MergeOptions {
  std::vector<std::string> files;
  std::string output;
};

struct ReportOptions {
  std::string scenario;
  std::vector<std::string> overrides;
  std::string compare;
  std::string sweep;
  std::string output;
};

int validate(const ValidateOptions& o);
int report(const ReportOptions& o);
int sweep(const SweepCliOptions& o, bool quiet);
int merge(const MergeOptions& o);
int compare(const CompareOptions& o);
int schema(const SchemaOptions& o);
int metrics(const MetricsOptions& o);
int catalog(const CatalogOptions& o);
int run(const RunOptions& o);

}  // namespace dcplan::cli
