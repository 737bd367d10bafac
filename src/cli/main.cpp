// dcplan — command-line entry point. Parses arguments (CLI11) and maps outcomes to exit codes:
// 0 success; 1 a target or gate failed; 2 invalid input or usage; 3 internal error.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <csignal>
#include <exception>
#include <functional>
#include <iostream>

#include "cli/commands.hpp"
#include "dcplan/build_info.hpp"
#include "dcplan/error.hpp"
#include "dcplan/io/atomic_file.hpp"
#include "dcplan/provenance.hpp"
#include "text.hpp"

namespace {

constexpr int kExitInput = 2;
constexpr int kExitInternal = 3;

void print_diagnostics(const dcplan::InputError& e) {
  for (const auto& d : e.diagnostics()) std::cerr << "error: " << d.to_string() << "\n";
  if (e.diagnostics().size() >= dcplan::kMaxDiagnostics) {
    std::cerr << "error: stopped after " << dcplan::kMaxDiagnostics << " errors\n";
  }
}

//! Runs a command and maps its outcome to the exit code: its own (0, or 1 when a target or gate
//! failed); 2 for invalid input; 128 + the signal when interrupted; 3 for an internal error.
int exit_code_of(const std::function<int()>& run) {
  try {
    return run();
  } catch (const dcplan::InputError& e) {
    print_diagnostics(e);
    return kExitInput;
  } catch (const dcplan::Interrupted& e) {
    // A closed pipe (dcplan sweep ... | head) is the reader's choice, not news.
    if (e.signal() != SIGPIPE) {
      std::cerr << "interrupted by signal " << e.signal() << "; no output file written\n";
    }
    return 128 + e.signal();
  } catch (const dcplan::ModelError& e) {
    std::cerr << "internal error: " << dcplan::text::terminal_safe(e.what(), 600) << "\n";
    return kExitInternal;
  } catch (const std::bad_alloc&) {
    std::cerr << "internal error: out of memory\n";
    return kExitInternal;
  } catch (const std::exception& e) {
    std::cerr << "internal error: " << dcplan::text::terminal_safe(e.what(), 600) << "\n";
    return kExitInternal;
  }
}

//! Log level from -q, -v, -vv.
void set_log_level(const dcplan::cli::Global& global) {
  if (global.quiet) {
    spdlog::set_level(spdlog::level::err);
  } else if (global.verbose >= 2) {
    spdlog::set_level(spdlog::level::trace);
  } else if (global.verbose == 1) {
    spdlog::set_level(spdlog::level::debug);
  }
}

}  // namespace

namespace {

//! `dcplan --version`: the version, the commit, the compiler, the libraries.
std::string version_text() {
  namespace bi = dcplan::build_info;
  std::string libs;
  auto add = [&](const std::string& name, const std::string& version) {
    libs += (libs.empty() ? "" : ", ") + name + " " + version;
  };
  for (const auto& [name, version] : bi::libraries()) add(name, version);
  add("CLI11", CLI11_VERSION);
  return std::string("dcplan ") + bi::version() + "\ncommit: " + bi::commit() +
         "\ncompiler: " + bi::compiler() + "\nlibraries: " + libs;
}

}  // namespace

int main(int argc, char** argv) {
  auto logger = spdlog::stderr_color_mt("dcplan");
  logger->set_pattern("%^%l%$: %v");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::info);

  CLI::App app{
      "dcplan: capacity-planning simulator for AI data centres. Reads a scenario (JSON:\n"
      "capex plan, hardware, regions, targets) and steps it year by year.",
      "dcplan"};
  app.footer(
      "Examples:\n"
      "  dcplan run scenarios/alibaba-380b.json\n"
      "  dcplan validate scenarios/*.json scenarios/examples/*.json\n"
      "  dcplan metrics\n"
      "  dcplan schema > scenario.schema.json\n\n"
      "Exit codes: 0 success; 1 a target or gate failed; 2 invalid input or usage;\n"
      "3 internal error. Results go to standard output or -o; logs to standard error.\n"
      "Run 'dcplan SUBCOMMAND --help' for a subcommand's options and examples.");
  app.set_version_flag("--version", version_text());
  app.require_subcommand(1);

  dcplan::cli::Global global;
  global.command = dcplan::shell_command(argc, argv);
  app.add_flag("-v,--verbose", global.verbose, "more log output on standard error (-vv: trace)");
  app.add_flag("-q,--quiet", global.quiet, "only errors on standard error");
  app.add_option("--allow-dir", global.allow_dirs,
                 "a directory include and extends may also read from (by default only the "
                 "scenario's own directory); repeatable")
      ->allow_extra_args(false);
  app.fallthrough();
  std::vector<dcplan::cli::Command> commands = {
      dcplan::cli::add_validate(app, global), dcplan::cli::add_schema(app, global),
      dcplan::cli::add_metrics(app, global),  dcplan::cli::add_catalog(app, global),
      dcplan::cli::add_run(app, global),      dcplan::cli::add_compare(app, global),
      dcplan::cli::add_sweep(app, global),    dcplan::cli::add_merge(app, global),
      dcplan::cli::add_report(app, global),   dcplan::cli::add_solve(app, global),
      dcplan::cli::add_optimize(app, global), dcplan::cli::add_sensitivity(app, global),
      dcplan::cli::add_verify(app, global)};
#ifdef DCPLAN_SERVE
  commands.push_back(dcplan::cli::add_serve(app, global));  // built with cpp-httplib
#endif
  commands.push_back(dcplan::cli::add_man(app, global));
  commands.push_back(dcplan::cli::add_completion(app, global));
  commands.push_back(dcplan::cli::add_options_dump(app, global));

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitInput;
  }
  set_log_level(global);

  // A signal removes the temporary file of any output being written before the process ends.
  dcplan::io::install_cleanup_handlers();
  for (const auto& c : commands) {
    if (*c.app) return exit_code_of(c.run);
  }
  return kExitInput;
}
