// The loader's entry points, those of include/dcplan/load.hpp and detail.hpp's detail part:
// each runs the passes in order (src/load/detail.hpp): resolution (files.cpp, document.cpp),
// the check against the key table (check.cpp, trajectories.cpp), the Builder (build.cpp) and the
// rules between values (rules.cpp), and hashes the merged document.
//
// The scenario hash (Scenario::sha256, the provenance record's) is SHA-256 of the merged
// document as `dcplan validate --merged` prints it: dump(2) and a newline. Every entry point
// hashes exactly that text, so `dcplan validate --merged FILE | sha256sum` gives the same hash,
// and two scenarios split differently into files but equal once merged hash the same.
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
//! Throws InputError with every diagnostic collected by the check and the Builder (at most
//! kMaxDiagnostics), so that a user fixes a scenario in one round rather than one error at a
//! time. The file name is escaped for the debug log: it may come from an untrusted path.
Scenario validate_and_build(const json& doc, const std::string& file, Context& ctx) {
  check(doc, schema::scenario(), "", ctx);
  Builder builder(doc, ctx);
  auto s = builder.build();
  if (!ctx.ok() || !s) {
    // A build that stopped without saying why (a bug, not a finding) still reports something.
    if (ctx.ok()) ctx.error("", "the scenario could not be built");
    throw InputError(std::move(ctx.diagnostics()));
  }
  // The file name is set here, after the build, so a scenario built from a document in memory
  // (a sweep) names the file it came from.
  s->file = file;
  spdlog::debug("loaded {}: {} hardware, {} regions, {}-{}", text::terminal_safe(file, 160),
                s->hardware.size(), s->regions.size(), s->horizon.start, s->horizon.end);
  return std::move(*s);
}

}  // namespace

//! (Declared in dcplan/load.hpp.) `file` names the text in messages, and its directory is the
//! root its include and extends are confined to.
Scenario load_scenario_text(const std::string& text, const std::string& file,
                            const LoadOptions& options) {
  Context ctx(file);
  const json doc = merged(text, file, options, ctx);
  Scenario s = validate_and_build(doc, file, ctx);
  s.sha256 = sha256_hex(doc.dump(2) + "\n");  // merged_document's text
  return s;
}

namespace detail {

//! (Declared in detail.hpp.) Keeps the merged document beside the Scenario, so that a sweep can
//! change values in it and build again (build_document) without reading any file again.
LoadedScenario load_with_document(const std::string& path, const LoadOptions& options) {
  Context ctx(path);
  LoadedScenario out;
  out.document = merged(scenario_text(path, options), path, options, ctx);
  out.scenario = validate_and_build(out.document, path, ctx);
  out.scenario.sha256 = sha256_hex(out.document.dump(2) + "\n");
  return out;
}

//! (Declared in detail.hpp.) The last passes only: a fresh Context, so no root and no file is
//! involved; a trajectory is parsed again from the document.
Scenario build_document(const json& document, const std::string& file) {
  Context ctx(file);
  return validate_and_build(document, file, ctx);
}

}  // namespace detail

Scenario load_scenario(const std::string& path, const LoadOptions& options) {
  return load_scenario_text(scenario_text(path, options), path, options);
}

//! (Declared in dcplan/load.hpp.) Also returns the merged document's text, the one that is hashed.
Scenario load_scenario(const std::string& path, const LoadOptions& options, std::string& text) {
  Context ctx(path);
  const json doc = merged(scenario_text(path, options), path, options, ctx);
  Scenario s = validate_and_build(doc, path, ctx);
  text = doc.dump(2) + "\n";
  s.sha256 = sha256_hex(text);
  return s;
}

//! (Declared in dcplan/load.hpp.) The diagnostics of a full load, empty when the scenario is
//! valid; a ModelError still propagates (it is a bug, not a finding about the input).
std::vector<Diagnostic> validate_scenario(const std::string& path, const LoadOptions& options) {
  try {
    (void)load_scenario(path, options);
    return {};
  } catch (const InputError& e) {
    return e.diagnostics();
  }
}

//! (Declared in dcplan/load.hpp.) The first pass only: extends, include and --set resolved,
//! nothing validated, as `dcplan validate --merged` prints it.
std::string merged_document(const std::string& path, const LoadOptions& options) {
  Context ctx(path);
  return merged(scenario_text(path, options), path, options, ctx).dump(2) + "\n";
}

}  // namespace dcplan
