// What this binary is (dcplan/build_info.hpp), for `dcplan --version` and every provenance
// record. commit() is not here: tools/cmake/commit.cmake writes it into
// build/generated/commit.cpp at every build, and rewrites that file only when the commit
// changes, so that a new commit recompiles one small file rather than this one.
#include "dcplan/build_info.hpp"

#include <fmt/format.h>
#include <spdlog/version.h>

#include <Eigen/Core>
#include <boost/version.hpp>
#include <nlohmann/json.hpp>
#include <nlopt.hpp>

namespace dcplan::build_info {

//! (Declared in dcplan/build_info.hpp.) DCPLAN_VERSION is defined by CMake from the project's
//! version.
const char* version() {
  return DCPLAN_VERSION;
}

//! (Declared in dcplan/build_info.hpp.) From the compiler's own macros; clang is tested first
//! because it also defines __GNUC__.
std::string compiler() {
#if defined(__clang__)
  return fmt::format("clang {}.{}.{}", __clang_major__, __clang_minor__, __clang_patchlevel__);
#elif defined(__GNUC__)
  return fmt::format("GCC {}.{}.{}", __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__);
#else
  return "unknown";
#endif
}

//! (Declared in dcplan/build_info.hpp.) The versions of the headers compiled in, except NLopt,
//! whose version is asked of the library linked at run time.
std::vector<std::pair<std::string, std::string>> libraries() {
  int major = 0, minor = 0, bugfix = 0;
  nlopt::version(major, minor, bugfix);
  return {
      {"Eigen",
       fmt::format("{}.{}.{}", EIGEN_WORLD_VERSION, EIGEN_MAJOR_VERSION, EIGEN_MINOR_VERSION)},
      {"nlohmann/json", fmt::format("{}.{}.{}", NLOHMANN_JSON_VERSION_MAJOR,
                                    NLOHMANN_JSON_VERSION_MINOR, NLOHMANN_JSON_VERSION_PATCH)},
      {"fmt",
       fmt::format("{}.{}.{}", FMT_VERSION / 10000, FMT_VERSION / 100 % 100, FMT_VERSION % 100)},
      {"spdlog", fmt::format("{}.{}.{}", SPDLOG_VER_MAJOR, SPDLOG_VER_MINOR, SPDLOG_VER_PATCH)},
      {"NLopt", fmt::format("{}.{}.{}", major, minor, bugfix)},
      {"Boost", fmt::format("{}.{}.{}", BOOST_VERSION / 100000, BOOST_VERSION / 100 % 1000,
                            BOOST_VERSION % 100)},
  };
}

}  // namespace dcplan::build_info
