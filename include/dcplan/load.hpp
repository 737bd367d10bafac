// dcplan — loading scenarios: JSON files → validated Scenario.
//
// A document is built as: the `extends` base (itself fully resolved), then each `include` in
// order, then the file's own keys, each applied over the last as an RFC 7396 merge patch.
// `--set /pointer=VALUE` overrides apply last. The merged document is validated against the key
// table (schema.hpp), then checked for meaning (ids, shares, horizon, targets), then built into
// a Scenario with every trajectory evaluated over the horizon.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dcplan/error.hpp"
#include "dcplan/scenario.hpp"

namespace dcplan {

struct LoadOptions {
  //! Overrides "POINTER=VALUE", applied in order to the merged document. VALUE is JSON, or a
  //! plain string when it is not valid JSON.
  std::vector<std::string> overrides{};
  //! Directories include and extends may read from besides the scenario's own (--allow-dir).
  std::vector<std::string> allow_dirs{};
  //! The scenario's text, when the caller holds it (a Python Scenario keeps its merged
  //! document): read instead of the file, whose path then only names it in messages and anchors
  //! include and extends.
  std::optional<std::string> text{};
};

//! Loads and validates a scenario file ("-" for standard input). Throws InputError carrying
//! every problem found (up to kMaxDiagnostics).
[[nodiscard]] Scenario load_scenario(const std::string& path, const LoadOptions& options = {});

//! load_scenario that also gives the merged document, as merged_document prints it (the text
//! Scenario::sha256 hashes): loaded again through LoadOptions::text it is the same scenario,
//! whatever happened to the files since.
[[nodiscard]] Scenario load_scenario(const std::string& path, const LoadOptions& options,
                                     std::string& merged);

//! The same from text; `file` names it in messages and anchors relative include paths.
[[nodiscard]] Scenario load_scenario_text(const std::string& text, const std::string& file,
                                          const LoadOptions& options = {});

//! Every problem of a scenario file (empty when valid), up to kMaxDiagnostics.
[[nodiscard]] std::vector<Diagnostic> validate_scenario(const std::string& path,
                                                        const LoadOptions& options = {});

//! The rules between values of a built scenario (the initial fleet fits its capacity and was on
//! sale in its vintage; a last sale follows availability). The loader applies them; sweep,
//! which changes values after loading, applies them again to every run. Empty when all hold.
[[nodiscard]] std::vector<Diagnostic> check_consistency(const Scenario& scenario);

//! Sets the capex share written "rest" (Capex::split_rest) to 1 minus the other two in every
//! year; a rest within 1e-12 of 0 is 0. A diagnostic when it falls outside [0, 1] in some year.
//! The loader applies it, and sweep again for every run that varies a share.
[[nodiscard]] std::optional<Diagnostic> fill_split_rest(Scenario& scenario);

//! The merged document (includes, `extends` and overrides applied) as pretty JSON text.
//! Throws InputError when a file cannot be read or parsed, or an override is invalid.
[[nodiscard]] std::string merged_document(const std::string& path, const LoadOptions& options = {});

}  // namespace dcplan
