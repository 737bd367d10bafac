// Private to dcplan_core: the loader (src/load/), one file per pass. The passes, in order:
//  1. resolution: document.cpp merges extends, include and --set into one document, reading
//     every file through files.cpp, which confines include and extends to their roots;
//  2. the check against the key table (schema.hpp): check.cpp, with the trajectories parsed by
//     trajectories.cpp;
//  3. the Builder, from the checked document to a Scenario: build.cpp (its order of steps, the
//     horizon, currency, hardware, regions), build_capex.cpp (policies, split, weights, mix) and
//     build_targets.cpp (observed history, targets);
//  4. the rules between values (rules.cpp), which the Builder applies last and sweep again.
// entry.cpp holds the entry points of dcplan/load.hpp and of the detail part below, which run
// them in order.
//
// The detail part serves callers inside the library that work on the merged document (sweeps
// vary it): resolve (files, include, extends, --set) once, then validate and build as often as
// needed, without reading or parsing text again. The loader part declares what one pass needs
// from another.
#pragma once

#include <sys/stat.h>

#include <cstddef>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dcplan/error.hpp"
#include "dcplan/load.hpp"
#include "dcplan/scenario.hpp"
#include "dcplan/schema.hpp"
#include "dcplan/trajectory.hpp"
#include "params.hpp"

namespace dcplan::detail {

//! A Scenario with the merged document it was built from (sweeps vary the document).
struct LoadedScenario {
  nlohmann::json document;  //!< merged: extends, includes and overrides applied
  Scenario scenario;
};

//! Loads a scenario file and keeps its merged document. Throws InputError like load_scenario.
[[nodiscard]] LoadedScenario load_with_document(const std::string& path,
                                                const LoadOptions& options);

//! Validates and builds a merged document (the last two passes; no file is read). `file` names
//! it in messages. Throws InputError.
[[nodiscard]] Scenario build_document(const nlohmann::json& document, const std::string& file);

//! The overrides ("POINTER=VALUE" as --set takes them, VALUE JSON or a plain string) as one
//! RFC 7396 merge patch of `document`, the merged scenario they apply to: what a scenario that
//! extends it writes to mean the same (solve's and optimize's answers, dcplan serve's variants).
//! Missing parents become objects. Throws InputError at `where` for an override that reaches
//! into a list, which a merge patch cannot express.
[[nodiscard]] nlohmann::json overrides_patch(const nlohmann::json& document,
                                             const std::vector<std::string>& overrides,
                                             const std::string& where);

}  // namespace dcplan::detail

namespace dcplan::loader {

namespace fs = std::filesystem;
using json = nlohmann::json;
using schema::KeyKind;
using schema::Kind;
using schema::Node;

// ---------------------------------------------------------------------------------------------
// Pieces of messages and of values, shared by every pass (check.cpp).

//! A name from the input between quotes, cut to an excerpt.
std::string in_quotes(std::string_view s);
//! base + "/" + token, the token escaped as RFC 6901 requires.
std::string join_ptr(const std::string& base, std::string_view token);
//! "; did you mean "x"?" for the nearest known name, or "".
std::string suggestion(std::string_view name, const std::vector<std::string>& known);

//! An integer, written as one or as a float without fraction below 1e15.
bool is_integral(const json& v);
//! Clamped to ±1e9 before the cast (a cast out of range is undefined behaviour).
int as_int(double v);
//! Letters, digits, '.', '_', '-', starting with a letter or digit; 1 to 128 characters.
bool valid_id(std::string_view k);
//! A year written as a string ("2030"), not range-checked.
std::optional<int> parse_year(std::string_view k);
//! schema::kFirstYear to schema::kLastYear (1900 to 2500).
bool year_in_range(int y);
//! Three capital letters.
bool valid_currency(std::string_view k);

// ---------------------------------------------------------------------------------------------
// The state of one load, which every pass shares.

//! A directory include and extends may read from, held open: files are opened beneath it, so
//! what the check saw is what is read.
struct Root {
  fs::path lexical;    //!< absolute, as named (symbolic links not followed)
  fs::path canonical;  //!< what the descriptor refers to
  int fd = -1;
  Root() = default;
  Root(const Root&) = delete;
  Root& operator=(const Root&) = delete;
  Root(Root&& o) noexcept;  // files.cpp
  ~Root();                  // files.cpp: closes fd
};

//! Collects diagnostics and knows which file each part of the merged document came from.
//! One per load: passes run one after another on one thread. Diagnostics are bounded at
//! kMaxDiagnostics so that a hostile document of a million bad keys makes a short report.
//! The provenance map answers "which file wrote this pointer": file_for walks up the pointer
//! to the nearest recorded parent, the top being the scenario file itself.
class Context {
 public:
  explicit Context(std::string root_file) : root_file_(std::move(root_file)) {}

  void error(const std::string& pointer, std::string message) {
    if (full()) return;
    diagnostics_.push_back({file_for(pointer), pointer, std::move(message), 0, 0});
  }
  [[nodiscard]] bool full() const { return diagnostics_.size() >= kMaxDiagnostics; }
  [[nodiscard]] bool ok() const { return diagnostics_.empty(); }
  [[nodiscard]] std::vector<Diagnostic>& diagnostics() { return diagnostics_; }

  //! Records that `value`, placed at `pointer`, came from `file`.
  void record(const std::string& pointer, const json& value, const std::string& file) {
    provenance_[pointer] = file;
    if (value.is_object()) {
      for (const auto& [k, v] : value.items()) record(join_ptr(pointer, k), v, file);
    }
  }

  //! Directories include/extends may read from.
  std::vector<Root> roots;
  //! Every trajectory of the document, parsed by the validator, by its pointer.
  std::map<std::string, Trajectory> trajectories;
  //! Files read through include/extends so far, and their bytes (bounded: an include bomb).
  std::size_t files_read = 0;
  std::size_t bytes_read = 0;

  [[nodiscard]] std::string file_for(std::string pointer) const {
    while (true) {
      auto it = provenance_.find(pointer);
      if (it != provenance_.end()) return it->second;
      if (pointer.empty()) return root_file_;
      pointer.resize(pointer.rfind('/'));
    }
  }

 private:
  std::string root_file_;
  std::vector<Diagnostic> diagnostics_;
  std::map<std::string, std::string> provenance_;
};

// ---------------------------------------------------------------------------------------------
// Resolution: extends, include, overrides (files.cpp, document.cpp).

//! One file on the current extends/include chain (the files being resolved, outermost first).
struct ChainEntry {
  std::string key;      //!< the file's identity (device:inode), for cycle detection
  std::string display;  //!< path as the user sees it
};

// files.cpp
std::string identity(const struct stat& st);
json resolve_file(const fs::path& dir, const std::string& name, std::vector<ChainEntry>& chain,
                  Context& ctx, const std::string& from_file, const std::string& from_pointer);
Root open_root(const std::string& name, const std::string& what);

// document.cpp
json resolve_text(const std::string& text, const std::string& display, const fs::path& dir,
                  std::vector<ChainEntry>& chain, Context& ctx);
json merged(const std::string& text, const std::string& display, const LoadOptions& options,
            Context& ctx);

// ---------------------------------------------------------------------------------------------
// Structural validation against the key table (check.cpp, trajectories.cpp).

//! A reporter that may be silent (when re-reading a value already validated).
struct Report {
  Context* ctx;
  void operator()(const std::string& ptr, std::string msg) const {
    if (ctx != nullptr) ctx->error(ptr, std::move(msg));
  }
};

// check.cpp
void check_unknown_keys(const json& obj, const std::vector<std::string>& allowed,
                        const std::string& ptr, const std::string& what, Report report);
void check(const json& v, const Node& n, const std::string& ptr, Context& ctx);

// trajectories.cpp
std::optional<double> number_member(const json& obj, const char* key, const std::string& ptr,
                                    Report report, bool required, bool integer = false);
std::optional<Trajectory> parse_trajectory(const json& v, const Node& node, const std::string& ptr,
                                           Report report);

// ---------------------------------------------------------------------------------------------
// Building the Scenario (meaning checks and trajectory evaluation): build.cpp, build_capex.cpp,
// build_targets.cpp.

const json* member(const json& obj, const char* key);
const Node& field_node(const Node& obj, const char* key);

//! The third pass: from the checked document to a Scenario (build.cpp has the order of its
//! steps). Holds the document and the Context for the length of one build; not reusable.
class Builder {
 public:
  Builder(const json& doc, Context& ctx) : doc_(doc), ctx_(ctx), root_(schema::scenario()) {}

  std::optional<Scenario> build();

 private:
  // Every step reads the checked document and reports into the Context; none throws for a
  // problem of the input, so one build reports all of them.
  // build.cpp: values, the horizon, currency, hardware and regions
  static std::string text(const json& obj, const char* key);
  static std::vector<std::string> strings(const json* v);
  static double number(const json& obj, const Node& obj_node, const char* key);
  Eigen::ArrayXd series(const json* v, const Node& node, const std::string& ptr);
  static std::string fmt_number(double v);
  void read_params(Scenario& s, params::Scope scope, std::size_t index, const std::string& base,
                   const json& obj);
  bool horizon(Scenario& s);
  void currency(Scenario& s);
  void hardware(Scenario& s);
  void kind_and_retirement(Hardware& h, const json& v, const std::string& ptr);
  std::vector<std::string> hardware_ids(const Scenario& s) const;
  std::vector<std::string> region_ids(const Scenario& s) const;
  void unknown_hardware(const Scenario& s, const std::string& ptr, const std::string& id);
  void regions(Scenario& s);
  void allowed_hardware(const Scenario& s, const json& v, Region& r, const std::string& ptr);
  void initial_fleet(const Scenario& s, const json& v, Region& r, const std::string& ptr);
  void initial_built(const Scenario& s, const json& v, Region& r, const std::string& ptr);
  void keep(const Scenario& s, const json& v, Region& r, const std::string& ptr);

  // build_capex.cpp: selectors, policies, the split, weights and the hardware mix
  std::vector<std::string> selectors(const Scenario& s, const json& map, const std::string& ptr);
  int resolve(const std::vector<std::string>& sel, const Region& r, const std::string& ptr);
  void capex(Scenario& s);
  void policies(Scenario& s);
  void v3_policies(Scenario& s);
  bool check_need_split(const json& split);
  static void buyable(Scenario& s);
  [[nodiscard]] const json& capex_section() const;
  void check_split(Scenario& s);
  void region_weights(Scenario& s);
  void hardware_mix(Scenario& s);

  // build_targets.cpp: observed history and targets
  void observed(Scenario& s);
  void targets(Scenario& s);
  [[nodiscard]] bool in_horizon(int y) const { return y >= h_.start && y <= h_.end; }
  static bool col_is_money(const std::string& metric);
  void target_region(const Scenario& s, const Target& target, const std::string& ptr);
  void target_years(const json& t, Target& target, const std::string& ptr);
  void target_bound(const Scenario& s, const json& t, Target& target, const std::string& ptr);

  const json& doc_;
  Context& ctx_;
  const Node& root_;
  Horizon h_;
};

}  // namespace dcplan::loader
