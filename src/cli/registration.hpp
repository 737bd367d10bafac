// The command line's private helpers for registering options with CLI11 (included only by the
// files that register a command): the options of a command's table (dcplan/options.hpp), and
// those of the commands without one, declared once.
#pragma once

#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "cli/commands.hpp"
#include "dcplan/options.hpp"

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

//! Where an option of the command line alone (an output option: options::Form::kOutput or
//! kOutputFlag) is stored: a variable of the command's own.
using OutputStorage = std::variant<std::string*, bool*>;

namespace detail {

//! The option as CLI11 holds it, bound to its member (or to `deferred`, or to `output`).
template <class R>
CLI::Option* bind(CLI::App* sub, const options::Option<R>& o, R& request, Deferred* deferred,
                  const OutputStorage* output) {
  const std::string name(o.cli);
  const std::string help = options::help_text(o);
  return std::visit(options::Overloaded{
                        [&](std::monostate) -> CLI::Option* {
                          if (output == nullptr) throw std::logic_error("no storage for " + name);
                          if (auto* flag = std::get_if<bool*>(output)) {
                            **flag = false;
                            return sub->add_flag(name, **flag, help);
                          }
                          std::string& text = *std::get<std::string*>(*output);
                          text = std::string(o.fallback);
                          return sub->add_option(name, text, help);
                        },
                        [&](bool R::*m) { return sub->add_flag(name, request.*m, help); },
                        [&](std::uint64_t R::*m) { return add_seed(sub, request.*m, help); },
                        [&](std::vector<std::string> R::*m) {
                          return sub->add_option(name, request.*m, help + "; repeatable")
                              ->allow_extra_args(false);
                        },
                        [&](const options::Custom<R>& c) {
                          if (deferred == nullptr)
                            throw std::logic_error("no deferred storage for " + name);
                          return c.flag ? sub->add_flag(name, deferred->flags[name], help)
                                        : sub->add_option(name, deferred->texts[name], help);
                        },
                        [&](auto m) { return sub->add_option(name, request.*m, help); },
                    },
                    o.member);
}

}  // namespace detail

//! Registers the options of `command`'s table that the command line has, in the table's order,
//! bound to `request`'s members; output options to the storage `outputs` names for them (each
//! set to its table default), options in another shape to `deferred`. Their checks are the
//! table's: ranges and choices while parsing, required, excluded.
template <class R>
void add_options(CLI::App* sub, const options::Command<R>& command, R& request,
                 std::initializer_list<std::pair<std::string_view, OutputStorage>> outputs,
                 Deferred* deferred = nullptr) {
  for (const auto& o : command.options) {
    if (o.cli.empty()) continue;  // Python only
    const OutputStorage* output = nullptr;
    for (const auto& [name, storage] : outputs) {
      if (name == o.cli) output = &storage;
    }
    CLI::Option* opt = detail::bind(sub, o, request, deferred, output);
    if (o.cli_range) {
      opt->check(CLI::Range(static_cast<long long>(o.cli_range->lo),
                            static_cast<long long>(o.cli_range->hi)));
    }
    if (!o.choices.empty()) {
      opt->check(CLI::IsMember(std::vector<std::string>(o.choices.begin(), o.choices.end())));
    }
    if (o.required) opt->required();
    if (!o.excludes.empty()) opt->excludes(sub->get_option(std::string(o.excludes)));
  }
}

//! The options `deferred` holds, applied to `request` (those given: a flag set, a text not
//! empty). Throws InputError for a bad text (--shard 3/2).
template <class R>
void apply_deferred(const options::Command<R>& command, const Deferred& deferred, R& request) {
  for (const auto& o : command.options) {
    const auto* custom = std::get_if<options::Custom<R>>(&o.member);
    if (custom == nullptr || o.cli.empty()) continue;
    if (custom->flag) {
      const auto it = deferred.flags.find(o.cli);
      if (it != deferred.flags.end() && it->second) custom->apply(request, "true");
    } else {
      const auto it = deferred.texts.find(o.cli);
      if (it != deferred.texts.end() && !it->second.empty()) custom->apply(request, it->second);
    }
  }
}

}  // namespace dcplan::cli
