// Results as JSON: the record holds every field as it is, the report picks and renames.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "dcplan/compare.hpp"
#include "dcplan/result_json.hpp"
#include "dcplan/search.hpp"

using namespace dcplan;

namespace {

TargetResult target(double value) {
  TargetResult t;
  t.name = "energy_twh@2030>=2.5";
  t.metric = "energy_twh";
  t.region = "total";
  t.first_year = t.last_year = 2030;
  t.value = value;
  t.bound = 2.5;
  t.passed = !std::isnan(value) && value >= 2.5;  // no ordered comparison of a NaN (traps)
  return t;
}

}  // namespace

TEST_CASE("result json: solve's report shows the answer or the ends", "[result_json]") {
  SolveResult r;
  r.parameter = "/capex/budget";
  r.feasible = true;
  r.value = 3e9;
  r.at_value = {target(2.6)};
  r.at_lo = {target(1.0)};
  r.set_line = "--set /capex/budget=3000000000";
  const auto report = to_json(r);
  std::vector<std::string> keys;
  for (const auto& [key, value] : report.items()) keys.push_back(key);
  CHECK(keys == std::vector<std::string>{"parameter", "multiply", "feasible", "value", "tolerance",
                                         "monotone", "runs", "intervals", "targets", "set"});
  CHECK(report["targets"][0]["target"] == "energy_twh@2030>=2.5");
  CHECK(report["targets"][0]["holds"] == true);
  CHECK(!report["targets"][0].contains("metric"));  // the record's, not the report's
  r.feasible = false;
  const auto infeasible = to_json(r);
  CHECK(infeasible.contains("at_lo"));
  CHECK(infeasible.contains("bound_by"));
  CHECK(!infeasible.contains("targets"));
  const auto record = to_json(r, JsonShape::kRecord);
  CHECK(record["at_value"][0]["metric"] == "energy_twh");
  CHECK(record["set_line"] == r.set_line);
}

TEST_CASE("result json: NaN stays in the record, prints null in the report", "[result_json]") {
  OptimizeResult r;
  r.varies = {"/capex/split/it=0.5:0.9"};
  r.values = {0.7};
  r.objective = std::numeric_limits<double>::quiet_NaN();
  r.constraints = {target(std::numeric_limits<double>::quiet_NaN())};
  const auto record = to_json(r, JsonShape::kRecord);
  CHECK(std::isnan(record["objective"].get<double>()));
  const auto report = nlohmann::json::parse(to_json(r).dump());
  CHECK(report["value"].is_null());
  CHECK(report["constraints"][0]["value"].is_null());
  CHECK(report["constraints"][0]["slack"].is_null());  // -infinity: the metric is empty
  CHECK(report["parameters"][0]["vary"] == "/capex/split/it=0.5:0.9");
  CHECK(report["direction"] == "maximize");
}

TEST_CASE("result json: compare's report writes -0 as 0", "[result_json]") {
  CompareResult r;
  CompareRow row;
  row.year = 2030;
  row.region = "total";
  row.metric = kEnergyTwh;
  row.base = -0.0;
  row.other = -0.0;
  r.rows = {row};
  const auto report = to_json(r);
  CHECK(report["rows"][0]["base"].dump() == "0.0");
  CHECK(to_json(r, JsonShape::kRecord)["rows"][0]["base"].dump() == "-0.0");
  CHECK(!report["rows"][0].contains("hardware"));
  CHECK(report["verdict"] == "no differences");
}
