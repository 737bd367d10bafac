// The loader: include, extends, --set overrides, defaults, selectors, error collection.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "dcplan/load.hpp"
#include "dcplan/selector.hpp"
#include "load/detail.hpp"

using namespace dcplan;
using Catch::Matchers::Contains;
using Catch::Matchers::WithinRel;

namespace {

const std::string kData = std::string(DCPLAN_TEST_DIR) + "/data/";

//! The diagnostics of a failed load; fails the test when the load succeeds.
std::vector<Diagnostic> errors_of(const std::string& path, const LoadOptions& o = {}) {
  try {
    (void)load_scenario(path, o);
  } catch (const InputError& e) {
    return e.diagnostics();
  }
  FAIL("expected " << path << " to be rejected");
  return {};
}

std::string joined(const std::vector<Diagnostic>& ds) {
  std::string out;
  for (const auto& d : ds) out += d.to_string() + "\n";
  return out;
}

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    path = std::filesystem::temp_directory_path() /
           ("dcplan-load-" + std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name) << text;
    return (path / name).string();
  }
};

}  // namespace

TEST_CASE("defaults of the key table fill what a scenario leaves out", "[load]") {
  const Scenario s = load_scenario(kData + "base.json");
  REQUIRE(s.horizon.start == 2025);
  REQUIRE(s.horizon.years() == 6);
  CHECK((s.operations.utilisation == 0.6).all());
  CHECK(s.operations.first_year_fraction == 0.5);
  CHECK((s.operations.max_utilisation == 0.9).all());
  CHECK((s.finance.discount_rate == 0.08).all());
  CHECK((s.finance.maintenance_rate == 0.03).all());
  CHECK(s.finance.facility_life_years == 20);
  CHECK(s.currency == "USD");
  CHECK((s.capex.fx_per_usd == 1.0).all());
  REQUIRE(s.regions.size() == 2);
  CHECK((s.regions[1].renewable_share == 0.0).all());
  CHECK(s.regions[1].construction_years == 0);
  CHECK(!s.regions[1].max_total_mw);
  CHECK(!s.regions[1].opens);
  // No region_weights: every region weighs 1.
  CHECK((s.capex.region_weight == 1.0).all());
  REQUIRE(s.regions[0].initial_fleet.size() == 1);
  CHECK(s.regions[0].initial_fleet[0].count == 40000);
  CHECK(s.regions[0].initial_fleet[0].vintage == 2024);
}

TEST_CASE("extends, then includes in order, then the file's own keys", "[load]") {
  const Scenario s = load_scenario(kData + "with-include.json");
  // From catalog-a via catalog-b; catalog-b's h20 price overrides catalog-a's.
  REQUIRE(s.hardware.size() == 3);
  const Hardware* h20 = s.find_hardware("h20");
  REQUIRE(h20 != nullptr);
  CHECK((h20->price_usd == 13000).all());
  // The file's own key replaces the catalog's constant by a series: 40000 in 2025 down to
  // 30000 in 2027 (35000 in 2026), flat after.
  const Hardware* b200 = s.find_hardware("b200");
  REQUIRE(b200 != nullptr);
  CHECK(b200->price_usd(0) == 40000);
  CHECK(b200->price_usd(1) == 35000);
  CHECK(b200->price_usd(5) == 30000);
  // null deletes the base's region r2.
  REQUIRE(s.regions.size() == 1);
  CHECK(s.regions[0].id == "r1");
  CHECK((s.operations.utilisation == 0.7).all());
  // The base's other keys survive.
  CHECK((s.regions[0].pue == 1.25).all());
}

TEST_CASE("a cycle of extends names the files in it", "[load]") {
  TempDir dir;
  const std::string a = dir.write("a.json", R"({"extends": "b.json", "dcplan": 1})");
  dir.write("b.json", R"({"extends": "c.json"})");
  dir.write("c.json", R"({"include": ["a.json"]})");
  const auto ds = errors_of(a);
  REQUIRE(ds.size() == 1);
  CHECK_THAT(ds[0].message, Contains("cycle"));
  CHECK_THAT(ds[0].message,
             Contains("a.json -> ") && Contains("b.json -> ") && Contains("c.json -> "));
  CHECK(ds[0].pointer == "/include/0");
  CHECK_THAT(ds[0].file, Contains("c.json"));
}

TEST_CASE("a file that extends itself is a cycle", "[load]") {
  TempDir dir;
  const std::string a = dir.write("self.json", R"({"extends": "self.json", "dcplan": 1})");
  const auto ds = errors_of(a);
  REQUIRE(ds.size() == 1);
  CHECK_THAT(ds[0].message, Contains("cycle") && Contains("self.json -> "));
}

TEST_CASE("overrides (--set) apply last to the merged document", "[load][set]") {
  LoadOptions o;
  o.overrides = {"/regions/r1/pue=1.5", "/name=plain text",
                 "/capex/budget={\"series\": "
                 "{\"2025\": 1e9, \"2026\": 3e9}}"};
  const Scenario s = load_scenario(kData + "base.json", o);
  CHECK((s.regions[0].pue == 1.5).all());
  CHECK(s.name == "plain text");
  CHECK(s.capex.budget(0) == 1e9);
  CHECK(s.capex.budget(1) == 3e9);
  CHECK(s.capex.budget(5) == 3e9);

  // A point of a series.
  o.overrides.push_back("/capex/budget/series/2027=5e9");
  const Scenario t = load_scenario(kData + "base.json", o);
  CHECK(t.capex.budget(2) == 5e9);

  // null deletes: the region r2 goes.
  const Scenario u = load_scenario(kData + "base.json", LoadOptions{{"/regions/r2=null"}});
  CHECK(u.regions.size() == 1);
}

TEST_CASE("an override (--set) into a key the format does not define is an error", "[load][set]") {
  auto one = [](const std::string& o) {
    const auto ds = errors_of(kData + "base.json", LoadOptions{{o}});
    REQUIRE(ds.size() == 1);
    return ds[0];
  };
  auto d = one("/regions/r1/peu=1.2");
  CHECK(d.pointer == "/regions/r1/peu");
  CHECK_THAT(d.message, Contains("no key \"peu\"") && Contains("did you mean \"pue\""));
  CHECK_THAT(d.file, Contains("--set"));

  d = one("/capex/budjet=1");
  CHECK(d.pointer == "/capex/budjet");
  CHECK_THAT(d.message, Contains("did you mean \"budget\""));

  d = one("/nothing/here=1");
  CHECK(d.pointer == "/nothing");

  d = one("/horizon/start/x=1");
  CHECK_THAT(d.message, Contains("has no key \"x\""));

  d = one("regions/r1/pue=1.2");
  CHECK_THAT(d.message, Contains("expected /pointer=VALUE"));

  // Into the point of a series that is a number in the document.
  d = one("/capex/budget/series/2027=5e9");
  CHECK_THAT(d.message, Contains("cannot set") && Contains("/capex/budget"));

  // A value of the wrong type is caught by validation, with the override named as the file.
  const auto ds = errors_of(kData + "base.json", LoadOptions{{"/regions/r1/pue=\"high\""}});
  REQUIRE(ds.size() == 1);
  CHECK(ds[0].pointer == "/regions/r1/pue");
  CHECK_THAT(ds[0].file, Contains("--set /regions/r1/pue="));
}

TEST_CASE("region selectors: exact id, then #tag, then glob, then *", "[load][selector]") {
  auto weights = [](const std::string& json) {
    return load_scenario(kData + "base.json", LoadOptions{{"/capex/region_weights=" + json}})
        .capex.region_weight;
  };
  // r1 has tag home, r2 has tag international.
  auto w = weights(R"({"*": 1, "#international": 2, "r*": 4})");
  CHECK(w(0, 0) == 4);  // r1: glob beats *
  CHECK(w(1, 0) == 2);  // r2: tag beats glob
  w = weights(R"({"*": 1, "#international": 2, "r2": 3})");
  CHECK(w(0, 0) == 1);
  CHECK(w(1, 0) == 3);  // exact beats tag
  w = weights(R"({"r1": 5})");
  CHECK(w(0, 0) == 5);
  CHECK(w(1, 0) == 0);  // matched by nothing: weight 0
  // Two globs matching the same region: an error.
  const auto ds =
      errors_of(kData + "base.json", LoadOptions{{R"(/capex/region_weights={"r*": 1, "*1": 2})"}});
  REQUIRE(!ds.empty());
  CHECK_THAT(ds[0].message, Contains("same precedence"));
}

TEST_CASE("a currency budget is converted with its exchange rate", "[load]") {
  LoadOptions o;
  o.overrides = {"/currency=CNY", R"(/fx_per_usd={"CNY": {"series": {"2025": 7.2, "2026": 7.0}}})"};
  const Scenario s = load_scenario(kData + "base.json", o);
  CHECK(s.currency == "CNY");
  CHECK(s.capex.fx_per_usd(0) == 7.2);
  CHECK(s.capex.fx_per_usd(1) == 7.0);
  CHECK(s.fx_per_usd.count("USD") == 1);
}

TEST_CASE("validation reports every error of a file, up to 50", "[load]") {
  TempDir dir;
  // Three independent problems in one file.
  const std::string three = dir.write("three.json", R"({
    "dcplan": 1, "horizon": {"start": 2025, "end": 2030},
    "regions": {"r": {"peu": 1.2, "pue": 0.5, "power_price_usd_per_mwh": 1, "grid_g_per_kwh": 1,
                      "facility_capex_usd_per_mw": "x"}}})");
  const auto ds = errors_of(three);
  CHECK(ds.size() == 3);
  CHECK_THAT(joined(ds), Contains("/regions/r/peu") && Contains("/regions/r/pue") &&
                             Contains("/regions/r/facility_capex_usd_per_mw"));
  // Sixty unknown keys: the first 50 are reported.
  std::string many = R"({"dcplan": 1, "horizon": {"start": 2025, "end": 2030})";
  for (int i = 0; i < 60; ++i) many += ", \"k" + std::to_string(100 + i) + "\": 1";
  many += "}";
  CHECK(errors_of(dir.write("many.json", many)).size() == kMaxDiagnostics);
}

TEST_CASE("load_scenario_text anchors includes at the named file", "[load]") {
  const std::string text = R"({"extends": "base.json", "name": "from text"})";
  const Scenario s = load_scenario_text(text, kData + "inline.json");
  CHECK(s.name == "from text");
  CHECK(s.regions.size() == 2);
}

TEST_CASE("two scenarios loaded side by side do not interfere", "[load]") {
  const Scenario a = load_scenario(kData + "base.json");
  const Scenario b = load_scenario(kData + "base.json", LoadOptions{{"/regions/r1/pue=1.9"}});
  const Scenario c = load_scenario(kData + "base.json");
  CHECK((a.regions[0].pue == 1.25).all());
  CHECK((b.regions[0].pue == 1.9).all());
  CHECK((c.regions[0].pue == 1.25).all());
}

TEST_CASE("overrides as a merge patch of the document they apply to", "[load][set]") {
  const nlohmann::json doc = nlohmann::json::parse(
      R"({"capex": {"budget": {"series": {"2025": 1}}}, "targets": [{"year": 2030}]})");
  const auto patch = detail::overrides_patch(
      doc, {"/capex/budget/series/2027=5e9", "/name=plain text", "/observed/energy_twh/2030=2.5"},
      "-o");
  CHECK(patch == nlohmann::json::parse(R"({"capex": {"budget": {"series": {"2027": 5e9}}},
      "name": "plain text", "observed": {"energy_twh": {"2030": 2.5}}})"));
  // A patch replaces lists whole: an override inside one cannot be expressed.
  try {
    (void)detail::overrides_patch(doc, {"/targets/0/year=2031"}, "save");
    FAIL("expected an error");
  } catch (const InputError& e) {
    CHECK(e.diagnostics().at(0).file == "save");
    CHECK_THAT(e.diagnostics().at(0).message, Contains("reaches into a list"));
  }
}
