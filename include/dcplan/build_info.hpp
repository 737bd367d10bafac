// dcplan — what this binary is: its version, the commit it was built from, the compiler and
// the versions of the libraries it was built with (`dcplan --version`, and the provenance of
// every output).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace dcplan::build_info {

//! The release version, e.g. "0.1.0".
[[nodiscard]] const char* version();

//! `git describe --always --dirty` of the source tree at build time, or "unknown" when it was
//! not built from a git checkout (or git was missing).
[[nodiscard]] const char* commit();

//! The compiler that built dcplan_core, e.g. "GCC 12.2.0".
[[nodiscard]] std::string compiler();

//! The libraries dcplan_core was built with, each with its version: Eigen, nlohmann/json, fmt,
//! spdlog, NLopt, Boost.
[[nodiscard]] std::vector<std::pair<std::string, std::string>> libraries();

}  // namespace dcplan::build_info
