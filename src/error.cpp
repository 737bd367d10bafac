#include "dcplan/error.hpp"

#include <string>
#include <utility>

#include "text.hpp"

namespace dcplan {

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
std::string summary(const std::vector<Diagnostic>& diagnostics) {
  if (diagnostics.empty()) return "invalid input";
  std::string out = diagnostics.front().to_string();
  if (diagnostics.size() > 1) {
    out += " (and " + std::to_string(diagnostics.size() - 1) + " more)";
  }
  return out;
}
}  // namespace

InputError::InputError(std::vector<Diagnostic> diagnostics)
    : Error(summary(diagnostics)), diagnostics_(std::move(diagnostics)) {}

InputError::InputError(std::string file, std::string pointer, std::string message)
    : InputError(
          std::vector<Diagnostic>{{std::move(file), std::move(pointer), std::move(message)}}) {}

namespace detail {
void assert_failed(const char* condition, const char* file, int line) {
  throw ModelError(std::string("internal check failed: ") + condition + " at " + file + ":" +
                   std::to_string(line));
}
}  // namespace detail

}  // namespace dcplan
