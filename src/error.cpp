// The error hierarchy of dcplan/error.hpp. Diagnostics carry text from the input (file names,
// pointers built from keys, quoted values), so they are made safe for a terminal where they
// are turned into text, here, rather than trusted to every caller.
#include "dcplan/error.hpp"

#include <string>
#include <utility>

#include "text.hpp"

namespace dcplan {

//! (Declared in dcplan/error.hpp.) "file:line:col: message" for syntax errors, "file: /pointer:
//! message" otherwise; "<input>" when the text came from no file.
std::string Diagnostic::to_string() const {
  // Every part may carry text from the input (a file name from an include, keys in the
  // pointer, quotes in the message): escaped for the terminal and bounded, so a scenario can
  // neither forge a line of its own nor flood the log.
  std::string out = file.empty() ? std::string("<input>") : text::terminal_safe(file, 160);
  if (line > 0) {
    out.append(":").append(std::to_string(line)).append(":").append(std::to_string(column));
  }
  out += ": ";
  if (!pointer.empty()) out += text::terminal_safe(pointer, 120) + ": ";
  out += text::terminal_safe(message, 600);
  return out;
}

namespace {
//! The what() of an InputError: its first diagnostic, and how many more there are (a caller
//! that prints them all reads diagnostics()).
std::string summary(const std::vector<Diagnostic>& diagnostics) {
  if (diagnostics.empty()) return "invalid input";
  std::string out = diagnostics.front().to_string();
  if (diagnostics.size() > 1) {
    out += " (and " + std::to_string(diagnostics.size() - 1) + " more)";
  }
  return out;
}
}  // namespace

//! (Declared in dcplan/error.hpp.) The diagnostics are kept whole for callers that list them;
//! what() holds only the summary.
InputError::InputError(std::vector<Diagnostic> diagnostics)
    : Error(summary(diagnostics)), diagnostics_(std::move(diagnostics)) {}

InputError::InputError(std::string file, std::string pointer, std::string message)
    : InputError(
          std::vector<Diagnostic>{{std::move(file), std::move(pointer), std::move(message)}}) {}

namespace detail {
//! (Declared in dcplan/error.hpp.) Behind DCPLAN_ASSERT, which stays on in release builds: an
//! internal invariant that fails is a bug, reported as ModelError (exit 3) with the condition
//! and the place, never undefined behaviour downstream.
void assert_failed(const char* condition, const char* file, int line) {
  throw ModelError(std::string("internal check failed: ") + condition + " at " + file + ":" +
                   std::to_string(line));
}
}  // namespace detail

}  // namespace dcplan
