// The results of solve, optimize, sensitivity and compare as JSON (dcplan/result_json.hpp): each
// result's record, written once, and the report `--format json` prints, a projection of it.
//
// Why two shapes and not one: the report is a published format (scripts read `solve --format
// json`), and Python's result objects are another published shape, and the two were already
// different (names, members, the targets' fields) when they were made one. The record holds
// everything; the report picks from it, so a field is converted in one place and each shape
// says only which fields it shows.
#include "dcplan/result_json.hpp"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "dcplan/compare.hpp"
#include "dcplan/results.hpp"
#include "dcplan/search.hpp"
#include "dcplan/sensitivity.hpp"
#include "io/compare_format.hpp"

namespace dcplan {

namespace {

using json = nlohmann::ordered_json;

// ---------------------------------------------------------------------------------------------
// Records: every field, named as its member (Python's dicts), numbers as they are: a NaN or an
// infinity stays one in memory (Python shows it; the report prints null, as JSON must).

json target_record(const TargetResult& t) {
  return {{"name", t.name},           {"metric", t.metric},
          {"region", t.region},       {"first_year", t.first_year},
          {"last_year", t.last_year}, {"op", bound_op(t.kind)},
          {"value", t.value},         {"bound", t.bound},
          {"tolerance", t.tolerance}, {"currency", t.currency},
          {"margin", margin(t)},      {"passed", t.passed},
          {"detail", t.detail}};
}

json target_records(const std::vector<TargetResult>& ts) {
  json out = json::array();
  for (const auto& t : ts) out.push_back(target_record(t));
  return out;
}

json record(const SolveResult& r) {
  json intervals = json::array();
  for (const auto& in : r.intervals) intervals.push_back({in.lo, in.hi});
  return {{"feasible", r.feasible},
          {"value", r.value},
          {"tolerance", r.tolerance},
          {"integer", r.integer},
          {"monotone", r.monotone},
          {"intervals", std::move(intervals)},
          {"at_value", target_records(r.at_value)},
          {"at_lo", target_records(r.at_lo)},
          {"at_hi", target_records(r.at_hi)},
          {"bound_by", r.bound_by},
          {"runs", r.runs},
          {"set_line", r.set_line},
          {"patch", r.patch},
          {"scenario_sha256", r.scenario_sha256},
          {"parameter", r.parameter},
          {"multiply", r.multiply}};
}

//! The cheapest lever: each lever's answer as solve's record, with its cost.
json record(const SolveLevers& r) {
  json levers = json::array();
  for (const auto& l : r.levers) {
    json one = record(l.answer);
    one["cost"] = l.cost;
    levers.push_back(std::move(one));
  }
  return {
      {"cost", r.cost}, {"currency", r.currency}, {"runs", r.runs}, {"levers", std::move(levers)}};
}

json record(const OptimizeResult& r) {
  // Each free parameter with its value, as the report shows them; `values` alone is Python's.
  json parameters = json::array();
  for (std::size_t i = 0; i < r.varies.size() && i < r.values.size(); ++i) {
    parameters.push_back({{"vary", r.varies[i]}, {"value", r.values[i]}});
  }
  return {{"feasible", r.feasible},
          {"objective", r.objective},
          {"objective_text", r.objective_text},
          {"values", r.values},
          {"constraints", target_records(r.constraints)},
          {"bound_by", r.bound_by},
          {"best_start", r.best_start},
          {"runs", r.runs},
          {"set_line", r.set_line},
          {"patch", r.patch},
          {"scenario_sha256", r.scenario_sha256},
          {"direction", r.maximize ? "maximize" : "minimize"},
          {"parameters", std::move(parameters)}};
}

//! "year" holds a metric's year or years as written ("2032", "2025:2027"), as in the csv.
json record(const sensitivity::Analysis& a) {
  json rows = json::array();
  for (const auto& r : a.rows) {
    rows.push_back({{"input", r.input},
                    {"metric", r.metric},
                    {"year", r.years},
                    {"region", r.region},
                    {"statistic", r.statistic},
                    {"value", r.value},
                    {"ci_low", r.ci_low},
                    {"ci_high", r.ci_high}});
  }
  json out = {{"method", a.method},
              {"runs", a.runs},
              {"notes", a.notes},
              {"rows", std::move(rows)},
              {"scenario_sha256", a.scenario_sha256}};
  // Tornado's rows a planner reads (Python's table); the report keeps the tidy rows alone.
  if (a.method == "tornado") {
    json wide = json::array();
    for (const auto& r : sensitivity::tornado_rows(a)) {
      wide.push_back({{"input", r.input},
                      {"metric", r.metric},
                      {"year", r.years},
                      {"region", r.region},
                      {"low", r.low},
                      {"high", r.high},
                      {"swing", r.swing},
                      {"base", r.base}});
    }
    out["tornado"] = std::move(wide);
  }
  return out;
}

//! A joined row; "hardware" only in rows by hardware (null on a region's row over all of it).
json compare_row(const CompareRow& r, bool by_hardware) {
  json j = {{"year", r.year}, {"region", r.region}};
  if (by_hardware) j["hardware"] = r.hardware.empty() ? json() : json(r.hardware);
  j["metric"] = column_info(static_cast<Col>(r.metric)).name;
  j["base"] = r.base;
  j["other"] = r.other;
  j["diff"] = r.diff();
  j["rel_diff"] = r.rel_diff();
  return j;
}

json record(const CompareResult& r) {
  json rows = json::array();
  for (const auto& row : r.rows) rows.push_back(compare_row(row, r.by_hardware));
  json gates = json::array();
  for (const auto& g : r.gates) {
    gates.push_back({{"gate", g.gate.text},
                     {"passed", g.passed},
                     {"first_year", g.first_year},
                     {"last_year", g.last_year},
                     {"base", g.base},
                     {"other", g.other},
                     {"measured", g.measured},
                     {"detail", g.detail}});
  }
  // The files as given, the verdict the table and markdown print too (in plain words).
  return {{"base", r.base_scenario.file},
          {"other", r.other_scenario.file},
          {"by_hardware", r.by_hardware},
          {"rows", std::move(rows)},
          {"gates", std::move(gates)},
          {"passed", r.passed()},
          {"verdict", io::verdict(r.rows, r.gates, false)},
          {"base_sha256", r.base_scenario.sha256},
          {"other_sha256", r.other_scenario.sha256}};
}

// ---------------------------------------------------------------------------------------------
// Reports: which members of the record `--format json` shows, in its order and under its names.

//! One member of a report. A report is a list of these, read top to bottom like the document.
struct Pick {
  const char* key;
  const char* from = nullptr;               //!< the record's member (nullptr: `key`)
  const std::vector<Pick>* each = nullptr;  //!< an array of objects, each picked so
  const char* only_if = nullptr;            //!< shown when this member is `only_if_value`
  bool only_if_value = true;
  bool optional = false;  //!< left out when the record has none
  //! -0 shown as 0: compare's report has always written zero cells so (a -0 of the engine's
  //! would read as a change to a reader of the json).
  bool plus_zero = false;
};

json pick(const json& record, const std::vector<Pick>& picks) {
  json out = json::object();
  for (const auto& p : picks) {
    if (p.only_if != nullptr && record.at(p.only_if).get<bool>() != p.only_if_value) continue;
    const char* from = p.from != nullptr ? p.from : p.key;
    if (p.optional && !record.contains(from)) continue;
    const json& value = record.at(from);
    if (p.each != nullptr) {
      json items = json::array();
      for (const auto& item : value) items.push_back(pick(item, *p.each));
      out[p.key] = std::move(items);
    } else if (p.plus_zero && value.is_number() && value.get<double>() == 0) {
      out[p.key] = 0.0;
    } else {
      out[p.key] = value;
    }
  }
  return out;
}

// Solve's and optimize's reports name the same target fields differently ("target"/"margin",
// "constraint"/"slack"), as their text outputs do.
const std::vector<Pick> kSolveTarget = {
    {.key = "target", .from = "name"},  {.key = "value"}, {.key = "bound"}, {.key = "margin"},
    {.key = "holds", .from = "passed"},
};

// Feasible: the targets at the answer and its --set line; else the ends and what binds.
const std::vector<Pick> kSolveReport = {
    {.key = "parameter"},
    {.key = "multiply"},
    {.key = "feasible"},
    {.key = "value"},
    {.key = "tolerance"},
    {.key = "monotone"},
    {.key = "runs"},
    {.key = "intervals"},
    {.key = "targets", .from = "at_value", .each = &kSolveTarget, .only_if = "feasible"},
    {.key = "set", .from = "set_line", .only_if = "feasible"},
    {.key = "at_lo", .each = &kSolveTarget, .only_if = "feasible", .only_if_value = false},
    {.key = "at_hi", .each = &kSolveTarget, .only_if = "feasible", .only_if_value = false},
    {.key = "bound_by", .only_if = "feasible", .only_if_value = false},
};

// Each lever as solve's report shows its answer, then its cost (null when infeasible).
const std::vector<Pick> kLever = [] {
  std::vector<Pick> picks = kSolveReport;
  picks.push_back({.key = "cost"});
  return picks;
}();

const std::vector<Pick> kLeversReport = {
    {.key = "cost"},
    {.key = "currency"},
    {.key = "runs"},
    {.key = "levers", .each = &kLever},
};

const std::vector<Pick> kConstraint = {
    {.key = "constraint", .from = "name"},
    {.key = "value"},
    {.key = "bound"},
    {.key = "slack", .from = "margin"},
    {.key = "holds", .from = "passed"},
};

const std::vector<Pick> kOptimizeReport = {
    {.key = "objective", .from = "objective_text"},
    {.key = "direction"},
    {.key = "value", .from = "objective"},
    {.key = "feasible"},
    {.key = "runs"},
    {.key = "best_start"},
    {.key = "parameters"},
    {.key = "constraints", .each = &kConstraint},
    {.key = "set", .from = "set_line"},
};

const std::vector<Pick> kSensitivityReport = {
    {.key = "method"},
    {.key = "runs"},
    {.key = "notes"},
    {.key = "rows"},
};

const std::vector<Pick> kCompareRow = {
    {.key = "year"},
    {.key = "region"},
    {.key = "hardware", .optional = true},
    {.key = "metric"},
    {.key = "base", .plus_zero = true},
    {.key = "other", .plus_zero = true},
    {.key = "diff", .plus_zero = true},
    {.key = "rel_diff", .plus_zero = true},
};

const std::vector<Pick> kGate = {
    {.key = "gate"},
    {.key = "passed"},
    {.key = "base", .plus_zero = true},
    {.key = "other", .plus_zero = true},
    {.key = "measured", .plus_zero = true},
    {.key = "detail"},
};

const std::vector<Pick> kCompareReport = {
    {.key = "base"},
    {.key = "other"},
    {.key = "rows", .each = &kCompareRow},
    {.key = "gates", .each = &kGate},
    {.key = "verdict"},
};

//! The record, or the report picked from it.
json shaped(json rec, JsonShape shape, const std::vector<Pick>& report) {
  return shape == JsonShape::kRecord ? rec : pick(rec, report);
}

}  // namespace

json to_json(const SolveResult& r, JsonShape shape) {
  return shaped(record(r), shape, kSolveReport);
}

json to_json(const SolveLevers& r, JsonShape shape) {
  return shaped(record(r), shape, kLeversReport);
}

json to_json(const OptimizeResult& r, JsonShape shape) {
  return shaped(record(r), shape, kOptimizeReport);
}

json to_json(const sensitivity::Analysis& a, JsonShape shape) {
  return shaped(record(a), shape, kSensitivityReport);
}

json to_json(const CompareResult& r, JsonShape shape) {
  return shaped(record(r), shape, kCompareReport);
}

}  // namespace dcplan
