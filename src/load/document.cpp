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

//! (Declared in detail.hpp.) One file's document, resolved: its extends base, then each include
//! in order, then its own keys, each applied over the one before as an RFC 7396 merge patch (a
//! later value replaces an earlier one, objects merge key by key, null deletes). `dir` is the
//! file's directory: include and extends are relative to the file that names them, not to the
//! working directory. The order is the documented precedence: a file's own keys win over what
//! it includes, and its includes over what it extends. Throws InputError for a file that is not
//! a JSON object, a malformed extends or include, or anything resolve_file refuses.
json resolve_text(const std::string& text, const std::string& display, const fs::path& dir,
                  std::vector<ChainEntry>& chain, Context& ctx) {
  json doc = jsonio::parse(text, display);
  if (!doc.is_object()) {
    throw InputError(
        display, "",
        "expected a JSON object (a scenario or catalog), found " + jsonio::describe(doc));
  }
  json result = json::object();
  // The base first: everything else in this file patches it.
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
      // Each include patches what came before it: a later include wins over an earlier one.
      result.merge_patch(resolve_file(dir, item.get<std::string>(), chain, ctx, display, ptr));
    }
  }
  // Resolved: extends and include are not part of the merged document, which is what is
  // validated, hashed into provenance and printed by validate --merged.
  doc.erase("extends");
  doc.erase("include");
  // Every key of this file is recorded as coming from it, over what an included file recorded
  // for the same pointer: messages name the file that wrote the value that is used.
  ctx.record("", doc, display);
  result.merge_patch(doc);
  return result;
}

namespace {

//! The schema node for a pointer, or an InputError naming the first key the format lacks.
//! Checked before the override is applied, so that a typo in --set is refused at once, with the
//! nearest key of the format, before it changes the document.
void check_override_pointer(const std::vector<std::string>& tokens, const std::string& text) {
  const Node* n = &schema::scenario();
  std::string so_far;
  for (const auto& t : tokens) {
    // Objects by field name; maps and arrays by their item, whatever the key.
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

//! Removes null members of objects everywhere, after the overrides: a null written in a file or
//! with --set (/x=null) deletes a key, as in a merge patch, so an optional key set to null
//! reads as absent.
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

//! Applies one --set /pointer=VALUE to the merged document. VALUE is parsed as JSON, and taken
//! as a plain string when it is not JSON (so /name=test needs no quotes). Missing parents are
//! created as objects; an array element is addressed by an index within the array, or "-"
//! appends. extends and include cannot be set: they were resolved before overrides apply, so
//! setting them could not read a file, and silently not reading one would mislead. The pointer
//! is recorded as coming from "--set ..." for messages. Throws InputError.
void apply_override(json& doc, const std::string& text, Context& ctx) {
  // The first '=' ends the pointer: everything after it, '=' included, is the value.
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
  // The value is not checked here: the whole merged document is checked against the key table
  // after every override is applied, with this pointer recorded as coming from --set.
  json value = json::parse(raw, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) value = raw;  // a plain string
  // Create missing parents as objects, but refuse to descend into a non-object.
  json* cur = &doc;
  std::string so_far;
  for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
    const auto& t = tokens[i];
    // An index must exist: --set changes an array's items but does not grow it (except with "-"
    // as the last token).
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
    // "-" is RFC 6901's "past the last element": append.
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

//! (Declared in detail.hpp.) The first pass: the merged document of the scenario `text` named
//! `display` ("-" for standard input), with --set applied and nulls removed. The scenario's
//! directory (the working directory for standard input) and each --allow-dir are opened as the
//! roots include and extends are confined to; opening a root that does not exist is an error,
//! never a root that would contain everything. The scenario itself is the chain's first entry,
//! by identity when it is a file, so that an include of it is a cycle.
json merged(const std::string& text, const std::string& display, const LoadOptions& options,
            Context& ctx) {
  std::vector<ChainEntry> chain;
  struct stat st {};
  // Standard input has no device:inode: its name stands in (an include always names a file,
  // never standard input, so it cannot close a cycle through it).
  chain.push_back(
      {display != "-" && ::stat(display.c_str(), &st) == 0 ? identity(st) : display, display});
  const fs::path dir = display == "-" ? fs::path(".") : fs::path(display).parent_path();
  ctx.roots.push_back(open_root(dir.empty() ? std::string(".") : dir.string(), display));
  for (const auto& extra : options.allow_dirs) ctx.roots.push_back(open_root(extra, "--allow-dir"));
  json doc = resolve_text(text, display, dir, chain, ctx);
  // Overrides apply after every file is merged, in the order given: a later --set wins, and a
  // --set wins over every file.
  for (const auto& o : options.overrides) apply_override(doc, o, ctx);
  strip_nulls(doc);
  return doc;
}

}  // namespace dcplan::loader

namespace dcplan::detail {

nlohmann::json overrides_patch(const nlohmann::json& document,
                               const std::vector<std::string>& overrides,
                               const std::string& where) {
  using loader::json;
  json patch = json::object();
  for (const auto& o : overrides) {
    const auto eq = o.find('=');
    if (eq == std::string::npos) continue;
    const std::string pointer = o.substr(0, eq);
    // As apply_override reads it: JSON, or a plain string when it is not JSON.
    json value = json::parse(o.substr(eq + 1), nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded()) value = o.substr(eq + 1);
    const auto tokens = jsonio::split_pointer(pointer);
    if (tokens.empty()) continue;
    // A merge patch reaches into objects only; an object built here for a parent the document
    // lacks (never an array, whatever its key looks like).
    const json* in_doc = &document;
    json* at = &patch;
    for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
      if (in_doc != nullptr) {
        const auto it = in_doc->is_object() ? in_doc->find(tokens[i]) : in_doc->end();
        in_doc = in_doc->is_object() && it != in_doc->end() ? &*it : nullptr;
        if (in_doc != nullptr && in_doc->is_array()) {
          throw InputError(where, pointer,
                           "--set " + jsonio::excerpt(pointer) +
                               " reaches into a list, which a scenario that extends another "
                               "cannot express (JSON merge patch): write the scenario by hand");
        }
      }
      json& next = (*at)[tokens[i]];
      if (!next.is_object()) next = json::object();
      at = &next;
    }
    (*at)[tokens.back()] = std::move(value);
  }
  return patch;
}

}  // namespace dcplan::detail
