// The loader's first pass, resolution (the passes in order: src/load/detail.hpp): the merged
// document, from extends, include and --set. A file's `extends` base (itself fully resolved),
// then each of its includes in order, then its own keys are applied one over the other as
// RFC 7396 merge patches; the files are read through files.cpp, confined to their roots. Then
// each --set override is applied to the merged document, and nulls are removed. Every part of
// the document is recorded with the file (or --set) it came from, for messages. check.cpp
// checks the result.
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "dcplan/error.hpp"
#include "dcplan/load.hpp"
#include "dcplan/schema.hpp"
#include "json_io.hpp"
#include "load/detail.hpp"

namespace dcplan::loader {

json resolve_text(const std::string& text, const std::string& display, const fs::path& dir,
                  std::vector<ChainEntry>& chain, Context& ctx) {
  json doc = jsonio::parse(text, display);
  if (!doc.is_object()) {
    throw InputError(
        display, "",
        "expected a JSON object (a scenario or catalog), found " + jsonio::describe(doc));
  }
  json result = json::object();
  if (auto it = doc.find("extends"); it != doc.end() && !it->is_null()) {
    if (!it->is_string() || it->get<std::string>().empty()) {
      throw InputError(display, "/extends",
                       "expected the path of a scenario file, found " + jsonio::describe(*it));
    }
    result = resolve_file(dir, it->get<std::string>(), chain, ctx, display, "/extends");
  }
  if (auto it = doc.find("include"); it != doc.end() && !it->is_null()) {
    if (!it->is_array()) {
      throw InputError(display, "/include",
                       "expected an array of file paths, found " + jsonio::describe(*it));
    }
    for (std::size_t i = 0; i < it->size(); ++i) {
      const json& item = (*it)[i];
      const std::string ptr = "/include/" + std::to_string(i);
      if (!item.is_string() || item.get<std::string>().empty()) {
        throw InputError(display, ptr, "expected a file path, found " + jsonio::describe(item));
      }
      result.merge_patch(resolve_file(dir, item.get<std::string>(), chain, ctx, display, ptr));
    }
  }
  doc.erase("extends");
  doc.erase("include");
  ctx.record("", doc, display);
  result.merge_patch(doc);
  return result;
}

namespace {

//! The schema node for a pointer, or an InputError naming the first key the format lacks.
void check_override_pointer(const std::vector<std::string>& tokens, const std::string& text) {
  const Node* n = &schema::scenario();
  std::string so_far;
  for (const auto& t : tokens) {
    if (n->kind == Kind::kObject) {
      const schema::Field* f = n->field(t);
      if (f == nullptr) {
        std::vector<std::string> names;
        for (const auto& field : n->fields) names.push_back(field.name);
        throw InputError(
            "--set " + jsonio::excerpt(text), join_ptr(so_far, t),
            "the scenario format has no key " + in_quotes(t) +
                (so_far.empty() ? std::string(" at the top level") : " under " + so_far) +
                suggestion(t, names));
      }
      n = f->node.get();
    } else if (n->kind == Kind::kMap || n->kind == Kind::kArray) {
      n = n->items.get();
    } else if (n->kind == Kind::kTrajectory || n->kind == Kind::kBound ||
               n->kind == Kind::kStringList || n->kind == Kind::kYearRange) {
      return;  // inner shape checked by the validator
    } else {
      throw InputError("--set " + jsonio::excerpt(text), join_ptr(so_far, t),
                       so_far + " is " + n->expectation() + " and has no key " + in_quotes(t));
    }
    so_far = join_ptr(so_far, t);
  }
}

void strip_nulls(json& v) {
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end();) {
      if (it->is_null()) {
        it = v.erase(it);
      } else {
        strip_nulls(*it);
        ++it;
      }
    }
  } else if (v.is_array()) {
    for (auto& e : v) strip_nulls(e);
  }
}

void apply_override(json& doc, const std::string& text, Context& ctx) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || text.empty() || text.front() != '/') {
    throw InputError(
        "--set " + jsonio::excerpt(text), "",
        "expected /pointer=VALUE (e.g. /regions/cn-hangzhou/pue=1.15), found " + in_quotes(text));
  }
  const std::string ptr = text.substr(0, eq);
  const std::string raw = text.substr(eq + 1);
  const auto tokens = jsonio::split_pointer(ptr);
  if (tokens.empty()) {
    throw InputError("--set " + jsonio::excerpt(text), "", "cannot replace the whole document");
  }
  if (tokens.front() == "extends" || tokens.front() == "include") {
    throw InputError("--set " + jsonio::excerpt(text), "/" + tokens.front(),
                     "extends and include are resolved before --set applies; write a scenario "
                     "that extends this one instead");
  }
  check_override_pointer(tokens, text);
  json value = json::parse(raw, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) value = raw;  // a plain string
  // Create missing parents as objects, but refuse to descend into a non-object.
  json* cur = &doc;
  std::string so_far;
  for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
    const auto& t = tokens[i];
    if (cur->is_array()) {
      const auto idx = std::strtoul(t.c_str(), nullptr, 10);
      if (t.empty() || t.find_first_not_of("0123456789") != std::string::npos ||
          idx >= cur->size()) {
        throw InputError("--set " + jsonio::excerpt(text), join_ptr(so_far, t),
                         "expected an index into the array " + so_far + " (0 to " +
                             std::to_string(cur->size()) + "), found " + in_quotes(t));
      }
      cur = &(*cur)[idx];
    } else {
      if (cur->is_null()) *cur = json::object();
      if (!cur->is_object()) {
        throw InputError("--set " + jsonio::excerpt(text), so_far,
                         "cannot set " + ptr + ": " + (so_far.empty() ? "/" : so_far) + " is " +
                             jsonio::describe(*cur) + ", not an object");
      }
      cur = &(*cur)[t];
    }
    so_far = join_ptr(so_far, t);
  }
  const auto& last = tokens.back();
  if (cur->is_array()) {
    const auto idx = std::strtoul(last.c_str(), nullptr, 10);
    if (last == "-") {
      cur->push_back(value);
    } else if (last.empty() || last.find_first_not_of("0123456789") != std::string::npos ||
               idx >= cur->size()) {
      throw InputError("--set " + jsonio::excerpt(text), ptr,
                       "expected an index into the array " + so_far + ", found " + in_quotes(last));
    } else {
      (*cur)[idx] = value;
    }
  } else {
    if (cur->is_null()) *cur = json::object();
    if (!cur->is_object()) {
      throw InputError("--set " + jsonio::excerpt(text), so_far,
                       "cannot set " + ptr + ": " + so_far + " is " + jsonio::describe(*cur) +
                           ", not an object");
    }
    (*cur)[last] = value;
  }
  ctx.record(ptr, value, "--set " + jsonio::excerpt(text));
}
}  // namespace

json merged(const std::string& text, const std::string& display, const LoadOptions& options,
            Context& ctx) {
  std::vector<ChainEntry> chain;
  struct stat st {};
  chain.push_back(
      {display != "-" && ::stat(display.c_str(), &st) == 0 ? identity(st) : display, display});
  const fs::path dir = display == "-" ? fs::path(".") : fs::path(display).parent_path();
  ctx.roots.push_back(open_root(dir.empty() ? std::string(".") : dir.string(), display));
  for (const auto& extra : options.allow_dirs) ctx.roots.push_back(open_root(extra, "--allow-dir"));
  json doc = resolve_text(text, display, dir, chain, ctx);
  for (const auto& o : options.overrides) apply_override(doc, o, ctx);
  strip_nulls(doc);
  return doc;
}

}  // namespace dcplan::loader
