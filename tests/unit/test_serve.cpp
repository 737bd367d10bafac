// dcplan serve without HTTP: the guard's decisions, the form walked from the key table, the
// session's answers against the command line's path, and variants written only when allowed.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "dcplan/io/atomic_file.hpp"
#include "dcplan/io/format.hpp"
#include "dcplan/load.hpp"
#include "dcplan/run_view.hpp"
#include "serve/form.hpp"
#include "serve/guard.hpp"
#include "serve/session.hpp"

using namespace dcplan;
using namespace dcplan::serve;
using Catch::Matchers::Contains;
using nlohmann::json;

namespace {

const std::string kMinimal = std::string(DCPLAN_SOURCE_DIR) + "/scenarios/examples/minimal.json";

//! A request as the page sends one, to the right address, with the token.
RequestHead page_request(const Guard& g, const std::string& method = "POST") {
  RequestHead r;
  r.method = method;
  r.path = "/api/run";
  r.host = "127.0.0.1:8787";
  r.origin = "http://127.0.0.1:8787";
  r.token = g.token();
  r.content_type = "application/json";
  r.content_length = "20";
  return r;
}

std::filesystem::path scratch_dir(const std::string& name) {
  const auto d = std::filesystem::temp_directory_path() / ("dcplan-serve-" + name);
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  std::filesystem::copy_file(kMinimal, d / "minimal.json");
  return d;
}

}  // namespace

TEST_CASE("guard: the page's requests pass, everything else is refused", "[serve][guard]") {
  const Guard g("127.0.0.1", 8787, random_token());
  CHECK(g.check(page_request(g)).status == 0);
  RequestHead r = page_request(g);
  r.host = "evil.example:8787";  // DNS rebinding: the attacker's name
  CHECK(g.check(r).status == 403);
  r = page_request(g);
  r.origin = "http://evil.example";
  CHECK(g.check(r).status == 403);
  r.origin = "null";
  CHECK(g.check(r).status == 403);
  r = page_request(g);
  r.token = std::string(64, '0');
  CHECK(g.check(r).status == 401);
  r.token.clear();
  CHECK(g.check(r).status == 401);
  r = page_request(g);
  r.content_type = "text/plain";
  CHECK(g.check(r).status == 415);
  r.content_type = "Application/JSON; charset=utf-8";
  CHECK(g.check(r).status == 0);
  r.content_length = std::to_string(kMaxBodyBytes + 1);
  CHECK(g.check(r).status == 413);
  r.content_length = "99999999999999999999999";
  CHECK(g.check(r).status == 413);
  r.content_length = "12x";
  CHECK(g.check(r).status == 400);
  r.content_length.clear();
  CHECK(g.check(r).status == 411);
  r = page_request(g);
  r.chunked = true;
  CHECK(g.check(r).status == 411);
  r = page_request(g);
  r.method = "DELETE";
  CHECK(g.check(r).status == 405);
  // The page itself: no token needed, the Host still checked.
  RequestHead page;
  page.method = "GET";
  page.path = "/";
  page.host = "localhost:8787";
  CHECK(g.check(page).status == 0);
  page.host = "localhost:8788";
  CHECK(g.check(page).status == 403);
}

TEST_CASE("guard: the Host names this server", "[serve][guard]") {
  const Guard local("127.0.0.1", 8787, "t");
  CHECK(local.host_allowed("127.0.0.1:8787"));
  CHECK(local.host_allowed("LOCALHOST:8787"));
  CHECK(local.host_allowed("[::1]:8787"));
  CHECK(!local.host_allowed("127.0.0.1"));
  CHECK(!local.host_allowed("10.0.0.1:8787"));
  CHECK(!local.host_allowed("attacker.example:8787"));
  const Guard any("0.0.0.0", 9000, "t");
  CHECK(any.host_allowed("192.168.1.20:9000"));
  CHECK(any.host_allowed("[fe80::1]:9000"));
  CHECK(!any.host_allowed("192.168.1.20:9001"));
  CHECK(!any.host_allowed("rebound.example:9000"));
  const Guard named("myhost.lan", 80, "t");
  CHECK(named.host_allowed("myhost.lan:80"));
  CHECK(!named.host_allowed("127.0.0.1:80"));
}

TEST_CASE("guard: tokens, base64, hashes, loopback", "[serve][guard]") {
  const std::string a = random_token(), b = random_token();
  CHECK(a.size() == 64);
  CHECK(a.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(a != b);
  CHECK(same_token(a, a));
  CHECK(!same_token(a, b));
  CHECK(!same_token(a, a.substr(1)));
  CHECK(base64("") == "");
  CHECK(base64("f") == "Zg==");
  CHECK(base64("fo") == "Zm8=");
  CHECK(base64("foo") == "Zm9v");
  CHECK(base64("foobar") == "Zm9vYmFy");
  // The SHA-256 of the empty string, as a CSP source (RFC 6234 / CSP3 examples).
  CHECK(csp_hash("") == "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='");
  CHECK(is_loopback("127.0.0.1"));
  CHECK(is_loopback("127.1.2.3"));
  CHECK(is_loopback("::1"));
  CHECK(is_loopback("[::1]"));
  CHECK(is_loopback("localhost"));
  CHECK(!is_loopback("0.0.0.0"));
  CHECK(!is_loopback("192.168.0.1"));
  CHECK(!is_loopback("localhost.example"));
}

TEST_CASE("form: every numeric key, with the key table's bounds", "[serve][form]") {
  const json doc = json::parse(R"({
    "dcplan": 1, "name": "n", "horizon": {"start": 2025, "end": 2030},
    "regions": {"r": {"pue": {"series": {"2025": 1.2, "2030": 1.1}, "then_growth": 0.01},
                      "power_price_usd_per_mwh": {"exponential": {"base": 80, "base_year": 2025,
                                                                  "rate": 0.02}},
                      "construction_years": 2}},
    "capex": {"budget": 1e9, "split": {"it": 0.7, "facility": "rest", "other": 0.05}},
    "targets": [{"name": "t", "metric": "energy_twh", "year": 2030,
                 "at_least": {"times": 2, "of_year": 2025}, "years": [2026, 2027]}]})");
  const auto groups = form_fields(doc);
  std::map<std::string, Field> by;
  std::vector<std::string> order;
  for (const auto& g : groups) {
    order.push_back(g.group + "/" + g.item);
    for (const auto& f : g.fields) by[f.pointer] = f;
  }
  CHECK(order == std::vector<std::string>{"horizon/", "regions/r", "capex/", "targets/0"});
  CHECK(by.count("/dcplan") == 0);
  CHECK(by.count("/capex/split/facility") == 0);  // "rest" is no number
  const Field& pue = by.at("/regions/r/pue/series/2030");
  CHECK(pue.key == "/regions/{id}/pue");
  CHECK(pue.value == 1.1);
  CHECK(pue.minimum == 1.0);
  CHECK(!pue.maximum);
  CHECK(by.at("/regions/r/pue/then_growth").minimum == -1.0);
  CHECK(by.at("/regions/r/pue/then_growth").exclusive_minimum);
  CHECK(by.at("/regions/r/power_price_usd_per_mwh/exponential/base_year").integer);
  CHECK(by.at("/regions/r/construction_years").integer);
  CHECK(by.at("/regions/r/construction_years").maximum == 20.0);
  CHECK(by.at("/capex/split/it").maximum == 1.0);
  CHECK(by.at("/capex/split/it").unit.empty());
  CHECK(by.at("/capex/budget").unit == "currency");
  CHECK(by.at("/targets/0/at_least/times").minimum == 0.0);
  CHECK(by.at("/targets/0/years/1").value == 2027);
  CHECK(by.at("/horizon/end").integer);
  const json j = form_json(groups);
  CHECK(j.at(1).at("item") == "r");
}

TEST_CASE("session: the numbers of dcplan run --set, the loader's diagnostics",
          "[serve][session]") {
  const Session session(SessionOptions{kMinimal, "", {}, false});
  const json form = json::parse(session.form());
  CHECK(form.at("file") == kMinimal);
  CHECK(form.at("allow_save") == false);
  CHECK(form.at("base_totals").size() == 6);

  const std::vector<Edit> edits = {{"/capex/split/it", 0.6}, {"/capex/split/facility", 0.35}};
  const Reply good = session.run(edits);
  REQUIRE(good.status == 200);
  const json answer = json::parse(good.body);
  // The command line's path: --set on the file, run_view, the json writer.
  const Scenario s = load_scenario(
      kMinimal, LoadOptions{{"/capex/split/it=0.6", "/capex/split/facility=0.35"}, {}});
  const RunResult r = run_view(s, ViewRequest{});
  CHECK(answer.at("rows") == json::parse(io::format_results(r.results, r.view, io::Format::kJson)));
  CHECK(good.body.find(io::format_results(r.results, r.view, io::Format::kJson)) !=
        std::string::npos);
  CHECK(answer.at("scenario_sha256") == s.sha256);
  CHECK(answer.at("command") ==
        "dcplan run " + kMinimal + " --set /capex/split/it=0.6 --set /capex/split/facility=0.35");
  CHECK(answer.at("charts").size() >= 5);

  const Reply bad = session.run({{"/capex/split/it", 1.5}});
  CHECK(bad.status == 400);
  CHECK_THAT(bad.body, Contains("/capex/split/it"));
  const Reply path = session.run({{"/extends", 1}});
  CHECK(path.status == 400);
  CHECK_THAT(path.body, Contains("extends and include are resolved before --set applies"));
}

TEST_CASE("session: request bodies are pointers and numbers", "[serve][session]") {
  Request r;
  Reply error;
  CHECK(parse_request(R"({"set": [{"pointer": "/capex/budget", "value": 2e9}]})", r, error));
  CHECK(r.edits.size() == 1);
  CHECK(r.edits[0].value == 2e9);
  for (const char* body :
       {"", "[]", R"({"set": 1})", R"({"set": [{"pointer": "/a", "value": "1"}]})",
        R"({"set": [{"pointer": "a", "value": 1}]})",
        R"({"set": [{"pointer": "/a=b", "value": 1}]})",
        R"({"set": [{"pointer": "/a", "value": 1, "x": 2}]})", R"({"file": "/etc/passwd"})"}) {
    Request q;
    INFO(body);
    CHECK(!parse_request(body, q, error));
    CHECK(error.status == 400);
  }
  json many = {{"set", json::array()}};
  for (std::size_t i = 0; i <= kMaxEdits; ++i) {
    many["set"].push_back({{"pointer", "/capex/budget"}, {"value", 1}});
  }
  Request q;
  CHECK(!parse_request(many.dump(), q, error));
  CHECK(error.status == 413);
}

TEST_CASE("session: variants only with --allow-save, never over a file", "[serve][session]") {
  const auto d = scratch_dir("save");
  const std::string scenario = (d / "minimal.json").string();
  const std::vector<Edit> edits = {{"/capex/budget", 3e9}};
  CHECK(Session(SessionOptions{scenario, "", {}, false}).save("v", edits).status == 403);
  CHECK(!std::filesystem::exists(d / "v.json"));

  const Session session(SessionOptions{scenario, "", {}, true});
  CHECK(session.save("../v", edits).status == 400);
  CHECK(session.save(".v", edits).status == 400);
  CHECK(session.save("v", {{"/capex/budget", -1}}).status == 400);
  CHECK(std::distance(std::filesystem::directory_iterator(d), {}) == 1);
  const Reply saved = session.save("v", edits);
  CHECK(saved.status == 201);
  const Scenario v = load_scenario((d / "v.json").string());
  CHECK(v.capex.budget(0) == 3e9);
  CHECK(session.save("v", {{"/capex/budget", 4e9}}).status == 409);
  CHECK(load_scenario((d / "v.json").string()).capex.budget(0) == 3e9);
  std::filesystem::remove_all(d);
}

TEST_CASE("write_new: whole or nothing, never over anything", "[serve][io]") {
  const auto d = scratch_dir("write-new");
  const std::string path = (d / "new.json").string();
  CHECK(io::write_new(path, "{}\n"));
  CHECK(!io::write_new(path, "other\n"));
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(text == "{}\n");
  // A dangling link is not followed.
  std::filesystem::create_symlink(d / "target.json", d / "link.json");
  CHECK(!io::write_new((d / "link.json").string(), "x"));
  CHECK(!std::filesystem::exists(d / "target.json"));
  std::filesystem::remove_all(d);
}
