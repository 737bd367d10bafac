// The option tables: each row well formed, defaults read from the requests' initializers, the
// values a request keeps in another shape applied from their texts.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "dcplan/error.hpp"
#include "dcplan/options.hpp"

using namespace dcplan;
using Catch::Matchers::Contains;

namespace {

//! What must hold of every table: names unique, Python's order listing exactly its keywords,
//! forms and members that go together.
template <class R>
void check_table(const options::Command<R>& command) {
  INFO(command.name);
  std::set<std::string_view> cli, python;
  for (const auto& o : command.options) {
    INFO(std::string(o.cli) + " / " + std::string(o.python));
    CHECK(!(o.cli.empty() && o.python.empty()));
    if (!o.cli.empty()) CHECK(cli.insert(o.cli).second);
    if (!o.python.empty()) CHECK(python.insert(o.python).second);
    const bool output = o.form == options::Form::kOutput || o.form == options::Form::kOutputFlag;
    const bool none = std::holds_alternative<std::monostate>(o.member);
    if (none) CHECK((output || o.form == options::Form::kCallback));
    if (o.form == options::Form::kCallback) CHECK(none);
    if (o.form == options::Form::kOutput) CHECK(o.python.empty());
    if (o.form == options::Form::kOutputFlag) CHECK(o.cli.empty() != o.python.empty());
    if (o.form == options::Form::kScenario) CHECK(o.text != nullptr);
    CHECK(options::help_text(o).find("{default}") == std::string::npos);
    if (!o.excludes.empty()) CHECK(cli.count(o.excludes) == 1);  // registered before it
  }
  const std::set<std::string_view> order(command.python.begin(), command.python.end());
  CHECK(order.size() == command.python.size());
  CHECK(order == python);
}

}  // namespace

TEST_CASE("options: every table is well formed", "[options]") {
  check_table(options::run());
  check_table(options::compare());
  check_table(options::sweep());
  check_table(options::solve());
  check_table(options::optimize());
  check_table(options::sensitivity());
}

TEST_CASE("options: a default is the request member's initializer", "[options]") {
  auto find = [](const auto& command, std::string_view python) {
    for (const auto& o : command.options) {
      if (o.python == python) return o;
    }
    FAIL("no option " << python);
    return command.options.front();
  };
  CHECK(options::default_text(find(options::optimize(), "max_runs")) ==
        std::to_string(OptimizeOptions{}.max_runs));
  CHECK(options::help_text(find(options::optimize(), "max_runs")) ==
        "engine runs per start (default 2000)");
  CHECK(options::default_text(find(options::solve(), "tolerance")) == "1e-6");
  CHECK(options::default_text(find(options::solve(), "grid")) == "16");
  CHECK(options::default_text(find(options::sensitivity(), "method")) == "sobol");
  CHECK(options::default_text(find(options::sweep(), "by")) == "total");
  CHECK(options::default_text(find(options::sweep(), "shard")).empty());
  CHECK(options::default_text(find(options::run(), "by")) == RunRequest{}.by);
}

TEST_CASE("options: values kept in another shape are applied from their text", "[options]") {
  auto custom = [](const auto& command, std::string_view cli) {
    for (const auto& o : command.options) {
      if (o.cli == cli) return std::get<options::Custom<SweepOptions>>(o.member);
    }
    FAIL("no option " << cli);
    return options::Custom<SweepOptions>{};
  };
  SweepOptions o;
  custom(options::sweep(), "--shard").apply(o, "2/5");
  CHECK(o.shard_k == 2);
  CHECK(o.shard_n == 5);
  CHECK(custom(options::sweep(), "--shard").show(o) == "2/5");
  CHECK_THROWS_WITH(custom(options::sweep(), "--shard").apply(o, "5/2"),
                    Contains("expected K/N with 0 <= K < N"));
  custom(options::sweep(), "--by").apply(o, "region");
  CHECK(o.by_region);
}

TEST_CASE("options: completion reads choices and result columns", "[options]") {
  const auto format = options::completion("solve", "--format");
  REQUIRE(format);
  CHECK(format->choices == std::vector<std::string>{"table", "json"});
  const auto jobs = options::completion("solve", "-j");
  REQUIRE(jobs);
  CHECK(jobs->choices.empty());
  CHECK(options::completion("sensitivity", "--metric")->metrics);
  CHECK(!options::completion("catalog", "--year"));
  CHECK(options::tables_json().find("\"max_runs\"") != std::string::npos);
}
