// `dcplan serve`: a live page over a scenario (src/serve/). Built when cpp-httplib is found.
#include <spawn.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>

#include <iostream>
#include <thread>

#include "cli/commands.hpp"
#include "cli/registration.hpp"
#include "serve/server.hpp"
#include "serve/session.hpp"
#include "text.hpp"

extern char** environ;

namespace dcplan::cli {

namespace {

struct ServeOptions {
  const Global* global = nullptr;
  serve::SessionOptions session;
  serve::ServerOptions server;
  bool open = false;
};

//! --open: the desktop's browser, through xdg-open. While xdg-open runs, its command line (the
//! URL and its token) is visible to other users of this machine.
void open_browser(const std::string& url) {
  std::string program = "xdg-open";
  std::string arg = url;
  char* argv[] = {program.data(), arg.data(), nullptr};
  pid_t pid = 0;
  if (posix_spawnp(&pid, program.c_str(), nullptr, nullptr, argv, environ) != 0) {
    spdlog::warn("--open: cannot run xdg-open; open the URL above yourself");
    return;
  }
  std::thread([pid] { ::waitpid(pid, nullptr, 0); }).detach();
}

int serve_command(ServeOptions& o) {
  o.session.allow_dirs = o.global->allow_dirs;
  const serve::Session session(o.session);
  serve::serve_forever(session, o.server, [&](const std::string& url, int port) {
    std::cout << "dcplan serve: " << text::terminal_safe(session.edited_file(), 300) << " on "
              << text::terminal_safe(o.server.host, 100) << " port " << port << " (Ctrl-C stops)\n"
              << url << std::endl;
    if (o.open) open_browser(url);
  });
  return 0;
}

}  // namespace

Command add_serve(CLI::App& app, const Global& g) {
  auto o = std::make_shared<ServeOptions>();
  o->global = &g;
  auto* sub = app.add_subcommand(
      "serve", "Serve a live page: edit a scenario's numbers, watch the plan's charts move.");
  sub->footer(
      "Prints the page's URL, with a token that every request must carry. The page edits every\n"
      "numeric key, re-runs the plan on each edit, draws the report's charts against the base\n"
      "(dashed) and shows the `dcplan run --set ...` line that reproduces the view; the URL\n"
      "keeps the edits. Listens on 127.0.0.1 only, unless --allow-remote; writes nothing\n"
      "unless --allow-save. docs/serve.md has the security model.\n\n"
      "Examples:\n"
      "  dcplan serve scenarios/alibaba-380b.json\n"
      "  dcplan serve scenarios/examples/minimal.json --port 0 --open\n"
      "  dcplan serve scenarios/alibaba-380b.json --compare scenarios/alibaba-raised.json\n"
      "  dcplan serve scenarios/examples/minimal.json --allow-save\n");
  sub->add_option("scenario", o->session.scenario, "the scenario file (the base with --compare)")
      ->required();
  sub->add_option("--compare", o->session.compare,
                  "edit OTHER instead, drawn against SCENARIO as report --compare draws it");
  sub->add_option("--port", o->server.port, "the port to listen on (0: any free port)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  sub->add_option("--host", o->server.host,
                  "the address to listen on (a loopback address unless --allow-remote)")
      ->capture_default_str();
  sub->add_flag("--allow-remote", o->server.allow_remote,
                "allow a --host other machines can reach (plain HTTP; the token guards it)");
  sub->add_flag("--allow-save", o->session.allow_save,
                "let the page write NAME.json, a variant that extends the scenario, beside it");
  sub->add_flag("--open", o->open, "open the page in the desktop's browser (xdg-open)");
  return {sub, [o] { return serve_command(*o); }};
}

}  // namespace dcplan::cli
