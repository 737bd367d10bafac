// The row sinks of src/io/row_sink.hpp: each format's rows from the same runs, a summary, and a
// store that exists only once committed.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <limits>
#include <sstream>

#include "dcplan/io/sqlite_store.hpp"
#include "dcplan/results.hpp"
#include "dcplan/sweep.hpp"
#include "io/row_sink.hpp"

using namespace dcplan;

namespace {

constexpr double kEmpty = std::numeric_limits<double>::quiet_NaN();

//! Two years, a region and the total, two metrics (a number and the text column `limit`).
io::RowColumns two_by_two(bool summary) {
  io::RowColumns c;
  c.hash = "0123456789abcdef";
  c.runs = 4;
  c.shard_k = 1;
  c.shard_n = 2;
  c.count = 2;
  c.params = {"/capex/budget*", "/a,b"};
  c.first_year = 2030;
  c.years = 2;
  c.regions = {"cn-x", "total"};
  c.metrics = {static_cast<int>(Col::kEnergyTwh), static_cast<int>(Col::kLimit)};
  c.summary = summary;
  c.provenance = make_provenance("dcplan sweep test", "", 1);
  return c;
}

//! Run 3: energy 1.5, 2, 2.5 and empty; limit 0 (none) everywhere.
io::RunRows run_three() {
  io::RunRows r;
  r.run = 3;
  r.params = {0.9, 2};
  r.values = {1.5, 0, 2, 0, 2.5, 0, kEmpty, 0};
  return r;
}

//! Writes run 3 through a sink made by `make`, encoded first as the sweep's workers do.
std::string written(std::unique_ptr<io::RowSink> (*make)(std::ostream&)) {
  std::ostringstream out;
  const auto sink = make(out);
  sink->begin(two_by_two(false));
  io::RunRows rows = run_three();
  sink->encode(rows);
  sink->write(rows);
  sink->commit();
  return out.str();
}

std::string first_line(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

}  // namespace

TEST_CASE("the csv sink writes the header, the column line and a row per year and region",
          "[io][sweep]") {
  const std::string csv = written(io::csv_sink);
  CHECK(first_line(csv).rfind("# dcplan-sweep v1 hash=0123456789abcdef runs=4 shard=1/2 ", 0) == 0);
  CHECK(csv.substr(csv.find('\n') + 1) ==
        "run,/capex/budget*,\"/a,b\",year,region,energy_twh,limit\n"
        "3,0.9,2,2030,cn-x,1.5,\n"
        "3,0.9,2,2030,total,2,\n"
        "3,0.9,2,2031,cn-x,2.5,\n"
        "3,0.9,2,2031,total,,\n");
}

TEST_CASE("the jsonl sink writes the header and an object per year and region", "[io][sweep]") {
  const std::string jsonl = written(io::jsonl_sink);
  CHECK(first_line(jsonl).rfind(
            R"({"dcplan_sweep":{"version":1,"hash":"0123456789abcdef","runs":4,"shard":"1/2",)",
            0) == 0);
  const std::string rows = jsonl.substr(jsonl.find('\n') + 1);
  CHECK(first_line(rows) ==
        R"({"run":3,"params":{"/capex/budget*":0.9,"/a,b":2},"year":2030,"region":"cn-x",)"
        R"("energy_twh":1.5,"limit":""})");
  CHECK(rows.find(R"("year":2031,"region":"total","energy_twh":null,"limit":""})") !=
        std::string::npos);
}

TEST_CASE("a summary is written whole after the last run, nothing before", "[io][sweep]") {
  const std::vector<io::SummaryRow> rows = {{2030, 1, 0, 10, 1.25, 1, 1.5, 2},
                                            {2030, 1, 1, 0, kEmpty, kEmpty, kEmpty, kEmpty}};
  std::ostringstream csv, jsonl;
  const auto c = io::csv_sink(csv);
  const auto j = io::jsonl_sink(jsonl);
  c->begin(two_by_two(true));
  j->begin(two_by_two(true));
  // A sweep that fails before its summary prints nothing.
  CHECK(csv.str().empty());
  CHECK(jsonl.str().empty());
  c->write_summary(rows);
  j->write_summary(rows);
  CHECK(csv.str() ==
        "year,region,metric,n,mean,p5,p50,p95\n"
        "2030,total,energy_twh,10,1.25,1,1.5,2\n"
        "2030,total,limit,0,,,,\n");
  CHECK(jsonl.str() ==
        "{\"year\":2030,\"region\":\"total\",\"metric\":\"energy_twh\",\"n\":10,\"mean\":1.25,"
        "\"p5\":1,\"p50\":1.5,\"p95\":2}\n"
        "{\"year\":2030,\"region\":\"total\",\"metric\":\"limit\",\"n\":0,\"mean\":null,"
        "\"p5\":null,\"p50\":null,\"p95\":null}\n");
}

TEST_CASE("the column sink holds a column per key, parameter and metric", "[io][sweep]") {
  SweepTable t;
  const auto sink = io::column_sink(t);
  sink->begin(two_by_two(false));
  io::RunRows rows = run_three();
  sink->encode(rows);
  sink->write(rows);
  sink->commit();
  CHECK_FALSE(t.summary);
  CHECK(t.params == std::vector<std::string>{"/capex/budget*", "/a,b"});
  CHECK(t.regions == std::vector<std::string>{"cn-x", "total"});
  CHECK(t.run == std::vector<long long>{3, 3, 3, 3});
  CHECK(t.year == std::vector<int>{2030, 2030, 2031, 2031});
  CHECK(t.region == std::vector<int>{0, 1, 0, 1});
  CHECK(t.param_values[1] == std::vector<double>{2, 2, 2, 2});
  REQUIRE(t.values.size() == 2);
  CHECK(t.values[0][2] == 2.5);
  CHECK(std::isnan(t.values[0][3]));
}

TEST_CASE("a store exists only once committed", "[io][sweep]") {
  char dir_template[] = "/tmp/dcplan-row-sink-XXXXXX";
  REQUIRE(::mkdtemp(dir_template) != nullptr);
  const std::filesystem::path dir(dir_template);
  const std::string path = (dir / "s.sqlite").string();
  {
    const auto sink = io::store_sink(path, false);
    sink->begin(two_by_two(false));
    io::RunRows rows = run_three();
    sink->write(rows);
    // Abandoned, as by a run that throws: no file, and no temporary left beside it.
  }
  CHECK(std::filesystem::is_empty(dir));
  {
    const auto sink = io::store_sink(path, false);
    sink->begin(two_by_two(false));
    io::RunRows rows = run_three();
    sink->write(rows);
    sink->commit();
  }
  const auto records = io::SqliteStore::read_provenance(path);
  REQUIRE(records.size() == 1);
  CHECK(records[0].kind == "sweep");
  CHECK(records[0].provenance.command == "dcplan sweep test");
  std::filesystem::remove_all(dir);
}
