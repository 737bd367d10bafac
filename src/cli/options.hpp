// The command line's private helpers for registering options with CLI11 (included only by the
// files that register a command): the options several commands share, declared once.
#pragma once

#include <CLI/CLI.hpp>
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

}  // namespace dcplan::cli
