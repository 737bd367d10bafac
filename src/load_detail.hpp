// Private to dcplan_core: the loader's passes for callers inside the library that work on the
// merged document (sweeps vary it): resolve (files, include, extends, --set) once, then
// validate and build as often as needed, without reading or parsing text again.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "dcplan/load.hpp"

namespace dcplan::detail {

struct LoadedScenario {
  nlohmann::json document;  //!< merged: extends, includes and overrides applied
  Scenario scenario;
};

//! Loads a scenario file and keeps its merged document. Throws InputError like load_scenario.
[[nodiscard]] LoadedScenario load_with_document(const std::string& path,
                                                const LoadOptions& options);

//! Validates and builds a merged document (the last two passes; no file is read). `file` names
//! it in messages. Throws InputError.
[[nodiscard]] Scenario build_document(const nlohmann::json& document, const std::string& file);

}  // namespace dcplan::detail
