// dcplan — the options of each command, declared once (issue 28).
//
// A command's request is a plain struct of the library (RunRequest, CompareInputs, SweepOptions,
// SolveOptions, OptimizeOptions, sensitivity::ScenarioOptions). Its option table says, for every
// option, its name on the command line and in Python, its help, its bounds, its choices and the
// member of the request it sets. The default is the member's initializer, read through the
// member, so that it is written once (`int max_runs = 2000;` in search.hpp): the command line's
// help ("{default}" in a help text), Python's signature and the man pages all read it there.
//
// The command line registers its options from these tables (src/cli/options.hpp), Python builds
// its signatures, keyword conversions and docstrings from them (src/python/), the bash
// completion offers their choices, and `dcplan options --json` (a hidden command) writes them
// with what the command line really registered, for tests/python/test_options.py. Adding an
// option to a command is one row here: docs/architecture.md, "Adding an option to a command".
//
// Rows of the command line alone are about output (-o, --format, --append, the provenance
// switches, run's --check and --junit): Python returns objects and writes nothing. Rows of
// Python alone say why where they are declared (optimize's objective, maximize and xtol; sweep's
// progress).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "dcplan/compare.hpp"
#include "dcplan/run_view.hpp"
#include "dcplan/search.hpp"
#include "dcplan/sensitivity.hpp"
#include "dcplan/sweep.hpp"

namespace dcplan::options {

//! A visitor from lambdas, for std::visit over an option's member: the command line binds with it
//! (src/cli/registration.hpp) and Python fills a request with it (src/python/module.cpp).
template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

//! How an option's value is written: what Python takes for it beyond the member's own type, and
//! what the command line leaves to the library.
enum class Form {
  kPlain,       //!< as its member's type: a flag, a whole number, a number, a text or texts
  kScenario,    //!< a scenario file ("-": standard input); Python: a path or a Scenario
  kOverrides,   //!< /pointer=JSON texts; Python: {pointer: value} too
  kRanges,      //!< PTR=LO:HI texts; Python: {pointer: (lo, hi)} too
  kSpecs,       //!< PTR=SPEC texts; Python: {pointer: SPEC}, SPEC a text, a number or numbers
  kNames,       //!< "a,b,c" (result columns); Python: a list too; None: none
  kYears,       //!< A:B, A:, :B or A; Python: a year or a (first, last) pair too; None: all
  kOptional,    //!< a text, empty for none; Python: None for none
  kPath,        //!< a file, empty for none; Python: None, or a str, bytes or os.PathLike path
  kCount,       //!< a count, -1 for the command's own choice; Python: None for that
  kShard,       //!< K/N; Python: a (k, n) pair; None: every run
  kChoice,      //!< one of the choices, which the request keeps in another shape: Python checks
  kCallback,    //!< Python only, no member: a callable (sweep's progress)
  kOutput,      //!< the command line only: how a result is written (a text); no member but
                //!< where the library writes (sweep)
  kOutputFlag,  //!< one side only: how the command line writes a result, or how Python returns
                //!< it (a flag); no member but where the library writes
};

//! The values the library accepts: [lo, hi], or (lo, hi) when `open`.
struct Bounds {
  double lo = 0;
  double hi = 0;
  bool open = false;
};

//! A value the request keeps in another shape than the option's text (sweep's --shard K/N is
//! shard_k and shard_n, --by is by_region). The command line applies it after parsing, so that
//! a bad text is an InputError like any other; Python hands it the same text.
template <class R>
struct Custom {
  void (*apply)(R& request, const std::string& text) = nullptr;
  //! The value as the option writes it (its default's text); nullptr: none.
  std::string (*show)(const R& request) = nullptr;
  bool flag = false;  //!< a flag: applied with "true" when given
};

//! The member an option sets. kNone: none (an output option, a Python callback).
inline constexpr std::monostate kNone{};
template <class R>
using Member =
    std::variant<std::monostate, bool R::*, int R::*, long long R::*, std::uint64_t R::*,
                 double R::*, std::string R::*, std::vector<std::string> R::*, Custom<R>>;

template <class R>
struct Option {
  //! The command line's names as CLI11 takes them ("-j,--jobs", "--max-runs", a positional's
  //! name); empty: Python only.
  std::string_view cli = {};
  std::string_view python = {};  //!< the keyword; empty: the command line only
  std::string_view help = {};    //!< "{default}" stands for the default's text
  //! Every row names it, kNone when there is none: GCC 12 fails (an internal compiler error)
  //! on a default member initializer here.
  Member<R> member;
  Form form = Form::kPlain;
  std::optional<Bounds> bounds = std::nullopt;     //!< what the library accepts (and checks)
  std::optional<Bounds> cli_range = std::nullopt;  //!< what the command line checks (CLI11)
  //! Checked while parsing; offered by the completion. (A span over a static array: GCC 12
  //! fails on a vector's default member initializer in this template.)
  std::span<const std::string_view> choices = {};
  bool required = false;           //!< command line: required; Python: no default
  std::string_view excludes = {};  //!< the command line's name of an option it excludes
  std::optional<std::string> R::*text = nullptr;  //!< kScenario: where Python's Scenario goes
  std::string_view fallback = {};                 //!< kOutput: the command line's default
  bool metrics = false;  //!< its values are result columns (completion offers them)
};

//! A command's options, in the order of its help, and its Python signature.
template <class R>
struct Command {
  std::string_view name;
  std::vector<Option<R>> options;
  //! Python's keywords in the order of the signature (positional calls depend on it).
  std::vector<std::string_view> python;
};

const Command<RunRequest>& run();
const Command<CompareInputs>& compare();
const Command<SweepOptions>& sweep();
const Command<SolveOptions>& solve();
const Command<OptimizeOptions>& optimize();
const Command<dcplan::sensitivity::ScenarioOptions>& sensitivity();

//! An option's default as the command line writes it: "2000", "1e-6", "sobol", "" for none.
template <class R>
[[nodiscard]] std::string default_text(const Option<R>& option);

//! The help with "{default}" replaced by default_text.
template <class R>
[[nodiscard]] std::string help_text(const Option<R>& option);

//! Every table as one JSON document: {"run": {"python": [...], "options": [{"cli", "python",
//! "help", "type", "form", "default", "python_default", "bounds", "cli_range", "choices",
//! "required", "deferred", "excludes", "metrics"}, ...]}, ...}, in the order of the command
//! line. What Python builds its functions from, and what `dcplan options --json` writes.
[[nodiscard]] std::string tables_json();

//! An option of any table, as the completion reads it: its names, its choices, whether its
//! values are result columns. nullptr when `command` has no table or no such option.
struct Completion {
  std::vector<std::string> choices;
  bool metrics = false;
};
[[nodiscard]] std::optional<Completion> completion(std::string_view command, std::string_view name);

}  // namespace dcplan::options
