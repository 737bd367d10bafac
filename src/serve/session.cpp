#include "serve/session.hpp"

#include <spdlog/spdlog.h>

#include <cctype>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <utility>

#include "dcplan/diagnose.hpp"
#include "dcplan/engine.hpp"
#include "dcplan/error.hpp"
#include "dcplan/io/atomic_file.hpp"
#include "dcplan/io/cells.hpp"
#include "dcplan/io/format.hpp"
#include "dcplan/load.hpp"
#include "dcplan/provenance.hpp"
#include "dcplan/report/report.hpp"
#include "dcplan/run_view.hpp"
#include "dcplan/search.hpp"
#include "dcplan/targets.hpp"
#include "dcplan/view.hpp"
#include "load/detail.hpp"
#include "serve/form.hpp"
#include "text.hpp"

namespace dcplan::serve {

namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

//! JSON text; a scenario's strings are valid UTF-8 (the loader's parser checks), and anything
//! else would be replaced rather than end the answer.
std::string dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Reply error_reply(int status, const std::string& message) {
  return {status, dump({{"error", message}})};
}

//! The loader's diagnostics, each as `dcplan run` prints it after "error: ".
Reply invalid(const InputError& e) {
  json list = json::array();
  for (const auto& d : e.diagnostics()) {
    list.push_back({{"file", d.file},
                    {"pointer", d.pointer},
                    {"message", d.message},
                    {"text", d.to_string()}});
  }
  return {400, dump({{"error", "the scenario is not valid with these edits"},
                     {"diagnostics", std::move(list)}})};
}

//! The edits as --set takes them. A value is written as the shortest decimal that reads back
//! as the same double, so the command line reproduces the page's number exactly.
std::vector<std::string> overrides_of(const std::vector<Edit>& edits) {
  std::vector<std::string> out;
  out.reserve(edits.size());
  for (const auto& e : edits) out.push_back(e.pointer + "=" + io::exact_number(e.value));
  return out;
}

//! `run FILE --set O...`: the arguments that reproduce a view.
std::vector<std::string> run_args(const std::string& file,
                                  const std::vector<std::string>& overrides) {
  std::vector<std::string> args = {"run", file};
  for (const auto& o : overrides) args.insert(args.end(), {"--set", o});
  return args;
}

//! `dcplan [--allow-dir D]... ARGS...`, shell-quoted.
std::string command_line(const SessionOptions& o, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"dcplan"};
  for (const auto& d : o.allow_dirs) argv.insert(argv.end(), {"--allow-dir", d});
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<const char*> ptrs;
  ptrs.reserve(argv.size());
  for (const auto& a : argv) ptrs.push_back(a.c_str());
  return shell_command(static_cast<int>(ptrs.size()), ptrs.data());
}

//! A chart as an SVG document of its own namespace: the page parses it as XML (a chart that is
//! not well-formed is refused there rather than read leniently as HTML).
std::string svg_element(const std::string& svg) {
  std::string out = svg;
  const auto open = out.find("<svg ");
  if (open != std::string::npos) out.insert(open + 5, "xmlns=\"http://www.w3.org/2000/svg\" ");
  return out;
}

json targets_json(const std::vector<TargetResult>& targets) {
  json out = json::array();
  for (const auto& t : targets) {
    out.push_back({{"name", t.name},
                   {"passed", t.passed},
                   {"what", t.what},
                   {"required", t.required},
                   {"value", std::isfinite(t.value) ? json(t.value) : json(nullptr)},
                   {"detail", t.detail}});
  }
  return out;
}

//! A request body's edit list.
bool parse_edits(const json& set, std::vector<Edit>& edits, Reply& error) {
  if (!set.is_array()) {
    error = error_reply(400, "expected \"set\": [{\"pointer\": \"/...\", \"value\": number}]");
    return false;
  }
  if (set.size() > kMaxEdits) {
    error = error_reply(413, "at most " + std::to_string(kMaxEdits) + " edits in one request");
    return false;
  }
  for (const auto& e : set) {
    const auto p = e.is_object() ? e.find("pointer") : e.end();
    const auto v = e.is_object() ? e.find("value") : e.end();
    if (!e.is_object() || e.size() != 2 || p == e.end() || v == e.end() || !p->is_string() ||
        !v->is_number()) {
      error = error_reply(400, "an edit is {\"pointer\": \"/...\", \"value\": number}");
      return false;
    }
    const std::string ptr = p->get<std::string>();
    const double value = v->get<double>();
    // A pointer is data, not a path: '/'-separated tokens, no '=' (it would split the --set
    // text elsewhere), no control characters, bounded.
    bool printable = true;
    for (const char c : ptr) printable = printable && static_cast<unsigned char>(c) >= 0x20;
    if (ptr.empty() || ptr.front() != '/' || ptr.size() > kMaxPointerBytes ||
        ptr.find('=') != std::string::npos || !printable || !std::isfinite(value)) {
      error = error_reply(400, "an edit names a JSON pointer (\"/capex/budget\", at most " +
                                   std::to_string(kMaxPointerBytes) +
                                   " bytes, no '=') and a finite number");
      return false;
    }
    edits.push_back({ptr, value});
  }
  return true;
}

//! A variant's name: 1 to 64 letters, digits, '-' or '_', starting with a letter or digit. No
//! dot and no slash: it cannot climb out of the scenario's directory, hide itself or pick an
//! extension.
bool valid_name(const std::string& name) {
  if (name.empty() || name.size() > 64 || !std::isalnum(static_cast<unsigned char>(name[0]))) {
    return false;
  }
  for (const char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return true;
}

}  // namespace

bool parse_request(std::string_view body, Request& request, Reply& error) {
  const json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    error = error_reply(400, "the request body is not a JSON object");
    return false;
  }
  for (const auto& [key, value] : doc.items()) {
    if (key == "name" && value.is_string()) {
      request.name = value.get<std::string>();
    } else if (key != "set") {
      error = error_reply(400, "unknown or invalid key \"" + text::excerpt(key) + "\"");
      return false;
    }
  }
  const auto set = doc.find("set");
  return set == doc.end() || parse_edits(*set, request.edits, error);
}

struct SessionState {
  SessionOptions options;
  std::string file;    //!< the file the page edits
  std::string merged;  //!< its merged document, loaded once
  json document;       //!< the same, parsed (the form, the merge patch of a variant)
  Scenario base;       //!< drawn dashed
  Results base_results;
  std::string form;
};

namespace {

std::string form_text(const SessionState& st, const Scenario& edited) {
  json limits = {{"edits", kMaxEdits}, {"pointer_bytes", kMaxPointerBytes}};
  json j = {{"file", st.file},
            {"base_file", st.options.compare.empty() ? "" : st.options.scenario},
            {"name", edited.name},
            {"title", edited.title},
            {"horizon", {edited.horizon.start, edited.horizon.end}},
            {"allow_save", st.options.allow_save},
            {"limits", std::move(limits)},
            {"groups", form_json(form_fields(st.document))}};
  // The base's total rows, as `dcplan run --by total --format json` writes them: the page marks
  // the cells an edit changed.
  ViewRequest by_total;
  by_total.by = "total";
  const View totals = make_view(by_total, st.base);
  j["base_totals"] = json::parse(io::format_results(st.base_results, totals, io::Format::kJson));
  return dump(j);
}

}  // namespace

Session::Session(SessionOptions options) {
  if (options.scenario == "-" || options.compare == "-") {
    throw InputError("serve", "", "serve reads a scenario file, not standard input");
  }
  auto st = std::make_unique<SessionState>();
  st->file = options.compare.empty() ? options.scenario : options.compare;
  const LoadOptions lo{{}, options.allow_dirs};
  const Scenario edited = load_scenario(st->file, lo, st->merged);
  st->base = options.compare.empty() ? edited : load_scenario(options.scenario, lo);
  EngineOptions eo;
  eo.by_hardware = true;  // the accelerators chart draws each generation
  st->base_results = simulate(st->base, eo);
  st->document = json::parse(st->merged);
  st->options = std::move(options);
  st->form = form_text(*st, edited);
  state_ = std::move(st);
}

Session::~Session() = default;

const std::string& Session::form() const {
  return state_->form;
}

const std::string& Session::edited_file() const {
  return state_->file;
}

namespace {

//! The answer for a scenario loaded with its edits: the numbers of `dcplan run --format json`
//! (io::format_results, the writer `run` uses, over run_view's view), then what the page draws.
std::string answer(const SessionState& st, const Scenario& s,
                   const std::vector<std::string>& overrides) {
  const RunResult r = run_view(s, ViewRequest{});
  EngineOptions eo;
  eo.by_hardware = true;
  const Results charted = simulate(s, eo);
  report::ReportInput in;
  in.scenario = &st.base;
  in.results = &st.base_results;
  in.other = &s;
  in.other_results = &charted;
  in.targets = check_targets(s, r.results);
  json charts = json::array();
  for (const auto& c : report::plan_charts(in)) {
    charts.push_back(
        {{"id", c.id}, {"title", c.title}, {"svg", svg_element(report::render_svg(c))}});
  }
  std::vector<std::string> warnings = run_warnings(r.results);
  for (auto& w : observed_warnings(s, r.results)) warnings.push_back(std::move(w));
  const json j = {{"command", command_line(st.options, run_args(st.file, overrides))},
                  {"scenario_sha256", s.sha256},
                  {"targets", targets_json(in.targets)},
                  {"warnings", warnings},
                  {"charts", std::move(charts)}};
  // The rows are spliced in as the writer wrote them: the digits `dcplan run` prints.
  std::string body = dump(j);
  body.pop_back();
  return body + ",\"rows\":" + io::format_results(r.results, r.view, io::Format::kJson) + "}";
}

}  // namespace

Reply Session::run(const std::vector<Edit>& edits) const {
  const SessionState& st = *state_;
  const std::vector<std::string> overrides = overrides_of(edits);
  try {
    const Scenario s =
        load_scenario_text(st.merged, st.file, LoadOptions{overrides, st.options.allow_dirs});
    return {200, answer(st, s, overrides)};
  } catch (const InputError& e) {
    return invalid(e);
  }
}

Reply Session::save(const std::string& name, const std::vector<Edit>& edits) const {
  const SessionState& st = *state_;
  if (!st.options.allow_save) {
    return error_reply(403, "saving is off: start dcplan serve with --allow-save");
  }
  if (!valid_name(name)) {
    return error_reply(400,
                       "a variant's name is 1 to 64 letters, digits, '-' or '_', starting with a "
                       "letter or digit");
  }
  const std::string out = (fs::path(st.file).parent_path() / (name + ".json")).string();
  const std::vector<std::string> overrides = overrides_of(edits);
  const std::string note =
      "saved by dcplan serve: " + command_line(st.options, run_args(st.file, overrides));
  try {
    const json patch = detail::overrides_patch(st.document, overrides, "save");
    const std::string text = extending_scenario(st.file, out, patch.dump(2), note);
    // Loaded as `dcplan run` will load it, before anything is written: an invalid variant never
    // reaches the disk.
    (void)load_scenario_text(text, out, LoadOptions{{}, st.options.allow_dirs});
    if (!io::write_new(out, text)) {
      return error_reply(409, text::excerpt(name) + ".json exists: choose another name");
    }
  } catch (const InputError& e) {
    return invalid(e);
  }
  spdlog::info("wrote {}", text::terminal_safe(out, 300));
  return {201, dump({{"file", out}, {"command", command_line(st.options, {"run", out})}})};
}

}  // namespace dcplan::serve
