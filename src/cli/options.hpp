// The command line's private helpers for registering options with CLI11 (included only by the
// files that register a command): the options several commands share, declared once.
#pragma once

#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.hpp"

namespace dcplan::cli {

//! -o,--output FILE: written atomically; standard output when absent.
inline CLI::Option* add_output(CLI::App* sub, std::string& output,
                               const char* help = "write to FILE (atomically) instead of stdout") {
  return sub->add_option("-o,--output", output, help);
}

//! --set /pointer=JSON, repeatable; `where` says what it applies to ("applied last", ...).
inline CLI::Option* add_overrides(CLI::App* sub, std::vector<std::string>& overrides,
                                  const std::string& where, const char* name = "--set") {
  return sub->add_option(name, overrides, "override /pointer=JSON " + where + "; repeatable")
      ->allow_extra_args(false);
}

//! --seed N: a decimal integer in 0..2^64-1. CLI11 alone clamps -1, 2^64 and 1e23 to 2^64-1 in
//! silence; each is refused here, naming the range.
inline CLI::Option* add_seed(CLI::App* sub, std::uint64_t& seed, const std::string& help) {
  static const CLI::Validator kUint64(
      [](std::string& s) -> std::string {
        std::uint64_t v = 0;
        const char* end = s.data() + s.size();
        const auto [ptr, ec] = std::from_chars(s.data(), end, v);
        if (s.empty() || ec != std::errc() || ptr != end)
          return "expected an integer in 0..18446744073709551615, found '" + s + "'";
        return {};
      },
      "UINT64");
  return sub->add_option("--seed", seed, help)->check(kUint64);
}

}  // namespace dcplan::cli
