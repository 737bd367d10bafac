// Private to dcplan serve: what the server knows and answers, without HTTP.
//
// A Session loads the scenario once: the file the page edits is read, merged (extends, include)
// and validated at start, and its merged document kept. Each edit list then goes through
// exactly the path of `dcplan run --set`: the edits become "POINTER=VALUE" overrides, applied
// to the merged document by load_scenario_text (the loader's validation, the rules between
// values), and run_view runs the engine in process. The answer carries the numbers `dcplan run
// --set ... --format json` prints (written by the same writer, so equal to the last digit),
// the report's charts (the base dashed beside the edit, as `report --compare` draws them), the
// targets, the warnings and the command line that reproduces it.
//
// An edit is a pointer and a number, never a path or a text: the page cannot name a file to
// read (/extends and /include are refused as --set refuses them) and cannot write one unless
// the server was started with --allow-save.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace dcplan::serve {

//! One edit of the page: a numeric key's JSON pointer and its new value.
struct Edit {
  std::string pointer;
  double value = 0;
};

//! An answer: an HTTP status and a JSON body.
struct Reply {
  int status = 200;
  std::string body;
};

//! The most edits one request may carry; a scenario's whole form rarely needs a tenth.
inline constexpr std::size_t kMaxEdits = 256;
//! The longest pointer an edit may name.
inline constexpr std::size_t kMaxPointerBytes = 512;

struct SessionOptions {
  std::string scenario;                 //!< SCENARIO as the user wrote it
  std::string compare;                  //!< --compare OTHER: the page edits OTHER instead
  std::vector<std::string> allow_dirs;  //!< --allow-dir, for include and extends
  bool allow_save = false;              //!< --allow-save: "save as variant" may write a file
};

//! A request body: {"set": [{"pointer": "/capex/split/it", "value": 0.8}, ...]} and, to save,
//! "name". A Reply (400, 413) when it is not one.
struct Request {
  std::vector<Edit> edits;
  std::string name;
};

//! Parses a request body; on failure `error` holds the reply to send.
[[nodiscard]] bool parse_request(std::string_view body, Request& request, Reply& error);

struct SessionState;  // session.cpp

class Session {
 public:
  //! Loads and validates the scenario (and the base with --compare). Throws InputError.
  explicit Session(SessionOptions options);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  //! The page's form: the file, its title, every numeric key with its bounds, unit and value
  //! (serve/form.hpp), whether saving is allowed. JSON text, made once.
  [[nodiscard]] const std::string& form() const;

  //! The plan with `edits`: 200 with the numbers, charts, targets, warnings and command line;
  //! 400 with the loader's diagnostics when the edits make the scenario invalid. Safe to call
  //! from several threads at once.
  [[nodiscard]] Reply run(const std::vector<Edit>& edits) const;

  //! Writes NAME.json beside the edited scenario: {"extends": its file, the edits as a merge
  //! patch}, loaded before it is written and never over a file that exists. 201 with the file
  //! and its command line; 403 without --allow-save; 400 for a bad name or edits a merge patch
  //! cannot express; 409 when the file exists.
  [[nodiscard]] Reply save(const std::string& name, const std::vector<Edit>& edits) const;

  //! The file the page edits (OTHER with --compare, else SCENARIO).
  [[nodiscard]] const std::string& edited_file() const;

 private:
  std::unique_ptr<const SessionState> state_;
};

}  // namespace dcplan::serve
