// The loader's entry points, those of include/dcplan/load.hpp and detail.hpp's detail part:
// each runs the passes in order (src/load/detail.hpp): resolution (files.cpp, document.cpp),
// the check against the key table (check.cpp, trajectories.cpp), the Builder (build.cpp) and the
// rules between values (rules.cpp), and hashes the merged document.
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dcplan/error.hpp"
#include "dcplan/load.hpp"
#include "dcplan/schema.hpp"
#include "json_io.hpp"
#include "load/detail.hpp"
#include "sha256.hpp"
#include "text.hpp"

namespace dcplan {

namespace {

using loader::Builder;
using loader::check;
using loader::Context;
using loader::json;
using loader::merged;

//! The scenario's text: the one the caller holds, or the file's.
std::string scenario_text(const std::string& path, const LoadOptions& options) {
  return options.text ? *options.text : jsonio::read_text(path);
}

//! The last two passes: validate the merged document against the key table, then build.
Scenario validate_and_build(const json& doc, const std::string& file, Context& ctx) {
  check(doc, schema::scenario(), "", ctx);
  Builder builder(doc, ctx);
  auto s = builder.build();
  if (!ctx.ok() || !s) {
    if (ctx.ok()) ctx.error("", "the scenario could not be built");
    throw InputError(std::move(ctx.diagnostics()));
  }
  s->file = file;
  spdlog::debug("loaded {}: {} hardware, {} regions, {}-{}", text::terminal_safe(file, 160),
                s->hardware.size(), s->regions.size(), s->horizon.start, s->horizon.end);
  return std::move(*s);
}

}  // namespace

Scenario load_scenario_text(const std::string& text, const std::string& file,
                            const LoadOptions& options) {
  Context ctx(file);
  const json doc = merged(text, file, options, ctx);
  Scenario s = validate_and_build(doc, file, ctx);
  s.sha256 = sha256_hex(doc.dump(2) + "\n");  // merged_document's text
  return s;
}

namespace detail {

LoadedScenario load_with_document(const std::string& path, const LoadOptions& options) {
  Context ctx(path);
  LoadedScenario out;
  out.document = merged(scenario_text(path, options), path, options, ctx);
  out.scenario = validate_and_build(out.document, path, ctx);
  out.scenario.sha256 = sha256_hex(out.document.dump(2) + "\n");
  return out;
}

Scenario build_document(const json& document, const std::string& file) {
  Context ctx(file);
  return validate_and_build(document, file, ctx);
}

}  // namespace detail

Scenario load_scenario(const std::string& path, const LoadOptions& options) {
  return load_scenario_text(scenario_text(path, options), path, options);
}

Scenario load_scenario(const std::string& path, const LoadOptions& options, std::string& text) {
  Context ctx(path);
  const json doc = merged(scenario_text(path, options), path, options, ctx);
  Scenario s = validate_and_build(doc, path, ctx);
  text = doc.dump(2) + "\n";
  s.sha256 = sha256_hex(text);
  return s;
}

std::vector<Diagnostic> validate_scenario(const std::string& path, const LoadOptions& options) {
  try {
    (void)load_scenario(path, options);
    return {};
  } catch (const InputError& e) {
    return e.diagnostics();
  }
}

std::string merged_document(const std::string& path, const LoadOptions& options) {
  Context ctx(path);
  return merged(scenario_text(path, options), path, options, ctx).dump(2) + "\n";
}

}  // namespace dcplan
