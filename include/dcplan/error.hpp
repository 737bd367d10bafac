// dcplan — errors.
//
// One small hierarchy: dcplan::Error → InputError (the user's input is wrong; exit 2) and
// ModelError (the model hit a state it cannot continue from; exit 3). Inside the library errors
// are exceptions; only the command line turns them into exit codes.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace dcplan {

//! One problem in the input: where it is and what is wrong.
struct Diagnostic {
  std::string file;     //!< file the offending value came from ("" when not from a file)
  std::string pointer;  //!< JSON pointer into the document ("" for the whole document)
  std::string message;  //!< what was expected and what was found
  int line = 0;         //!< 1-based line for syntax errors, 0 otherwise
  int column = 0;       //!< 1-based column for syntax errors, 0 otherwise

  //! "file:line:col: message" or "file: /pointer: message".
  [[nodiscard]] std::string to_string() const;
};

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

//! Invalid input: a scenario file, an override, a command-line value.
class InputError : public Error {
 public:
  explicit InputError(std::vector<Diagnostic> diagnostics);
  InputError(std::string file, std::string pointer, std::string message);

  [[nodiscard]] const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }

 private:
  std::vector<Diagnostic> diagnostics_;
};

//! The model reached a state it cannot continue from (a bug or an unsupported case).
class ModelError : public Error {
 public:
  using Error::Error;
};

//! A long operation stopped on request (SIGINT, SIGTERM); exit code 128 + signal.
class Interrupted : public Error {
 public:
  explicit Interrupted(int signal) : Error("interrupted"), signal_(signal) {}
  [[nodiscard]] int signal() const { return signal_; }

 private:
  int signal_;
};

//! At most this many diagnostics are collected for one file.
inline constexpr std::size_t kMaxDiagnostics = 50;

//! Always-on internal assertion: throws ModelError naming the condition and place.
#define DCPLAN_ASSERT(cond)                                                  \
  do {                                                                       \
    if (!(cond)) ::dcplan::detail::assert_failed(#cond, __FILE__, __LINE__); \
  } while (false)

namespace detail {
[[noreturn]] void assert_failed(const char* condition, const char* file, int line);
}  // namespace detail

}  // namespace dcplan
