#include "dcplan/error.hpp"

#include <string>
#include <utility>

namespace dcplan {

std::string Diagnostic::to_string() const {
  std::string out = file.empty() ? std::string("<input>") : file;
  if (line > 0) {
    out.append(":").append(std::to_string(line)).append(":").append(std::to_string(column));
  }
  out += ": ";
  // A pointer carries keys from the input: bounded like every other quote of it.
  if (!pointer.empty())
    out += (pointer.size() > 120 ? pointer.substr(0, 117) + "..." : pointer) + ": ";
  out += message;
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
