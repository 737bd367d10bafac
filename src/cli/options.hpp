// The command line's private helpers for registering options with CLI11 (included only by the
// files that register a command).
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.hpp"
