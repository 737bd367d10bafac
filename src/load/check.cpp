// The loader's second pass (the passes in order: src/load/detail.hpp): structural validation
// of the merged document (document.cpp) against the key table (src/schema.cpp): unknown keys,
// with the nearest known key as a suggestion; types, bounds and enumerations; map keys (ids,
// years, currencies, selectors). It parses every trajectory (trajectories.cpp) into
// Context::trajectories, for the Builder (build.cpp), which runs next, to evaluate. It also
// holds the pieces of messages and of values that every pass uses.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dcplan/error.hpp"
#include "dcplan/schema.hpp"
#include "dcplan/trajectory.hpp"
#include "json_io.hpp"
#include "load/detail.hpp"

namespace dcplan::loader {

//! `s` between double quotes, cut to an excerpt: names from a scenario reach messages only
//! bounded (and escaped where printed), so a hostile key cannot flood a CI log.
std::string in_quotes(std::string_view s) {
  return std::string("\"").append(jsonio::excerpt(s)).append("\"");
}

//! The JSON pointer of member `token` under `base`, with "~" and "/" escaped (RFC 6901) so that
//! a key containing "/" cannot be mistaken for two levels.
std::string join_ptr(const std::string& base, std::string_view token) {
  return base + "/" + jsonio::escape_token(token);
}

//! "; did you mean "x"?" with the nearest known name (schema::nearest), or nothing when none is
//! near enough: an unknown name is answered with what would be valid.
std::string suggestion(std::string_view name, const std::vector<std::string>& known) {
  const auto near = schema::nearest(name, known);
  if (near.empty()) return {};
  return "; did you mean " + in_quotes(near.front()) + "?";
}

//! Whether a JSON number is an integer: written as one, or a float with no fraction (2024.0)
//! below 1e15 in magnitude, where a double holds every integer exactly.
bool is_integral(const json& v) {
  if (v.is_number_integer() || v.is_number_unsigned()) return true;
  if (v.is_number_float()) {
    const double d = v.get<double>();
    return std::isfinite(d) && d == std::floor(d) && std::abs(d) < 1e15;
  }
  return false;
}

//! A double from the document as an int. Values out of range were reported by check(); the
//! builder still reads them defensively, and a plain cast would be undefined behaviour.
int as_int(double v) {
  if (!(v > -1e9)) return -1000000000;
  if (!(v < 1e9)) return 1000000000;
  return static_cast<int>(v);
}

//! Ids (regions, hardware) are 1 to 128 of letters, digits, '.', '_' and '-', starting with a
//! letter or digit. Why so narrow: ids become CSV cells, SQLite column names, HTML and SVG
//! text, JSON pointers and words in terminal messages; with no quote, space, slash, markup or
//! control character in them, an id cannot break any of those outputs, and a leading '-' cannot
//! pass for an option.
bool valid_id(std::string_view k) {
  // 128 characters: ample for a name, short enough for messages, tables and column names.
  if (k.empty() || k.size() > 128) return false;
  if (!std::isalnum(static_cast<unsigned char>(k.front()))) return false;
  return std::all_of(k.begin(), k.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
}

//! A year written as a map key ("2030", or negative): at most 5 characters, so the value
//! cannot overflow an int; the range (1900-2500) is checked by the caller.
std::optional<int> parse_year(std::string_view k) {
  if (k.empty() || k.size() > 5) return std::nullopt;
  std::size_t i = k.front() == '-' ? 1 : 0;
  if (i == k.size()) return std::nullopt;
  int v = 0;
  for (; i < k.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(k[i]))) return std::nullopt;
    v = v * 10 + (k[i] - '0');
  }
  return k.front() == '-' ? -v : v;
}

bool year_in_range(int y) {
  return y >= schema::kFirstYear && y <= schema::kLastYear;
}

//! An ISO 4217-like code: three capital letters (CNY, EUR). Not checked against a list: the
//! scenario brings its own exchange rates.
bool valid_currency(std::string_view k) {
  return k.size() == 3 &&
         std::all_of(k.begin(), k.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

//! (Declared in detail.hpp.) For the small objects whose keys are not in the key table as
//! fields (trajectory forms, relative bounds): each unknown key is reported with the list of
//! valid ones and the nearest.
void check_unknown_keys(const json& obj, const std::vector<std::string>& allowed,
                        const std::string& ptr, const std::string& what, Report report) {
  for (const auto& [k, v] : obj.items()) {
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      report(join_ptr(ptr, k), "unknown key " + in_quotes(k) + " in " + what +
                                   " (expected one of: " + list + ")" + suggestion(k, allowed));
    }
  }
}

namespace {

//! Whether a map key is what the map's keys must be (an id, a year, a currency, a selector);
//! reports it when not.
bool valid_key(KeyKind kind, const std::string& k, const std::string& cptr, Context& ctx) {
  switch (kind) {
    case KeyKind::kId:
      if (!valid_id(k)) {
        ctx.error(cptr,
                  "expected an id of letters, digits, '.', '_' or '-' (starting with "
                  "a letter or digit), found " +
                      in_quotes(k));
        return false;
      }
      return true;
    case KeyKind::kYear: {
      const auto y = parse_year(k);
      if (!y || !year_in_range(*y)) {
        ctx.error(cptr, "expected a year (1900 to 2500) as key, found " + in_quotes(k));
        return false;
      }
      return true;
    }
    case KeyKind::kCurrency:
      if (!valid_currency(k)) {
        ctx.error(cptr, "expected a three-letter currency code such as CNY, found " + in_quotes(k));
        return false;
      }
      return true;
    // Any non-empty text is a selector by its form (selector_kind); whether an exact one names
    // a region is the Builder's to check, once the regions are known.
    case KeyKind::kSelector:
      if (k.empty()) {
        ctx.error(cptr, "expected a region selector (id, glob, #tag or *), found \"\"");
        return false;
      }
      return true;
    case KeyKind::kNone:
      return true;
  }
  return true;
}

//! An object of the key table: every member must be a field (else "unknown key" with the
//! nearest field), each is checked recursively, and every required field must be present.
void check_object(const json& v, const Node& n, const std::string& ptr, Context& ctx) {
  for (const auto& [k, child] : v.items()) {
    const schema::Field* f = n.field(k);
    if (f == nullptr) {
      std::vector<std::string> names;
      for (const auto& field : n.fields) names.push_back(field.name);
      ctx.error(join_ptr(ptr, k),
                "unknown key " + in_quotes(k) +
                    (ptr.empty() ? std::string(" at the top level") : " in " + n.description) +
                    suggestion(k, names));
      continue;
    }
    check(child, *f->node, join_ptr(ptr, k), ctx);
  }
  // Missing required fields are reported at the object, after its members.
  for (const auto& f : n.fields) {
    if (f.required && !v.contains(f.name)) {
      ctx.error(ptr, "missing required key " + in_quotes(f.name) + " (" + f.node->description +
                         "; expected " + f.node->expectation() + ")");
    }
  }
}

//! A map (ids, years, currencies or selectors to values of one shape): each key is checked for
//! its kind, then its value against the map's item node.
void check_map(const json& v, const Node& n, const std::string& ptr, Context& ctx) {
  // Ids that differ only in case name one thing wherever case is ignored: a results store's
  // column names (SQLite's ignore case), a case-insensitive file system. Refused in every format.
  // Each id folded to lower case, with its first spelling, to find ids that differ only in case.
  std::map<std::string, std::string> folded;
  for (const auto& [k, child] : v.items()) {
    // A bad key is reported once and its value not checked: one mistake, one message.
    const std::string cptr = join_ptr(ptr, k);
    if (!valid_key(n.key_kind, k, cptr, ctx)) continue;
    if (n.key_kind == KeyKind::kId) {
      std::string key = k;
      for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      const auto [it, fresh] = folded.emplace(key, k);
      if (!fresh) {
        ctx.error(cptr, "the id " + in_quotes(k) + " differs from " + in_quotes(it->second) + " (" +
                            join_ptr(ptr, it->second) +
                            ") only in case; ids must differ in more than case (a results "
                            "store's column names ignore case)");
        continue;
      }
    }
    check(child, *n.items, cptr, ctx);
  }
}

//! A relative target bound: a number or {"times": k, "of_year": y}.
void check_bound(const json& v, const std::string& ptr, Context& ctx) {
  check_unknown_keys(v, {"times", "of_year"}, ptr, "a relative bound", Report{&ctx});
  if (auto t = number_member(v, "times", ptr, Report{&ctx}, true); t && *t < 0) {
    ctx.error(join_ptr(ptr, "times"),
              "expected a factor >= 0, found " + jsonio::excerpt_json(v["times"]));
  }
  (void)number_member(v, "of_year", ptr, Report{&ctx}, true, true);
}

//! [first, last], two years in order.
void check_year_range(const json& v, const std::string& ptr, Context& ctx) {
  for (std::size_t i = 0; i < 2; ++i) {
    if (!schema::year_in_trajectory().in_bounds(v[i].get<double>())) {
      ctx.error(join_ptr(ptr, std::to_string(i)), "expected " +
                                                      schema::year_in_trajectory().expectation() +
                                                      ", found " + jsonio::excerpt_json(v[i]));
      return;
    }
  }
  // [first, last], in order: a range that ends before it starts is a typo.
  if (v[1].get<double>() < v[0].get<double>()) {
    ctx.error(ptr, "expected [first, last] with first <= last, found " + jsonio::excerpt_json(v));
  }
}

}  // namespace

//! (Declared in detail.hpp.) The second pass: checks `v` at `ptr` against node `n` of the key
//! table, recursively, collecting every problem in `ctx` (up to kMaxDiagnostics) rather than
//! stopping at the first, so that one run reports all of them. Types, bounds and enumerations
//! are checked here; values that depend on one another are the Builder's and rules.cpp's.
//! Trajectories are parsed once, here, and kept in ctx.trajectories by pointer for the Builder.
void check(const json& v, const Node& n, const std::string& ptr, Context& ctx) {
  // Past kMaxDiagnostics nothing more is checked: the report is long enough to act on.
  if (ctx.full()) return;
  auto type_error = [&] {
    ctx.error(ptr, "expected " + n.expectation() + ", found " + jsonio::describe(v));
  };
  switch (n.kind) {
    case Kind::kObject:
      if (!v.is_object()) return type_error();
      return check_object(v, n, ptr, ctx);
    case Kind::kMap:
      if (!v.is_object()) return type_error();
      return check_map(v, n, ptr, ctx);
    case Kind::kArray:
      if (!v.is_array()) return type_error();
      for (std::size_t i = 0; i < v.size(); ++i) {
        check(v[i], *n.items, ptr + "/" + std::to_string(i), ctx);
      }
      return;
    case Kind::kNumber:
    case Kind::kInteger: {
      // A value of the wrong type is "expected X, found the string ..."; a number out of bounds
      // or not whole is "expected X, found 7.5": the message quotes the number as written.
      const bool ok = n.kind == Kind::kNumber ? v.is_number() : is_integral(v);
      if (!ok || !n.in_bounds(v.get<double>())) {
        if (!v.is_number()) return type_error();
        ctx.error(ptr, "expected " + n.expectation() + ", found " + jsonio::excerpt_json(v));
      }
      return;
    }
    case Kind::kString:
      if (!v.is_string()) return type_error();
      if (!n.enum_values.empty()) {
        const auto s = v.get<std::string>();
        if (std::find(n.enum_values.begin(), n.enum_values.end(), s) == n.enum_values.end()) {
          ctx.error(ptr, "expected " + n.expectation() +
                             (n.enum_text.empty() ? "" : " (see dcplan schema)") + ", found " +
                             in_quotes(s) + suggestion(s, n.enum_values));
        }
      }
      return;
    case Kind::kBoolean:
      if (!v.is_boolean()) return type_error();
      return;
    case Kind::kStringList:
      if (!v.is_array()) return type_error();
      for (std::size_t i = 0; i < v.size(); ++i) {
        if (!v[i].is_string()) {
          ctx.error(ptr + "/" + std::to_string(i),
                    "expected a string, found " + jsonio::describe(v[i]));
        }
      }
      return;
    case Kind::kTrajectory:
      // A share written "rest" is resolved by the Builder (fill_split_rest), once the other two
      // shares are known.
      if (n.or_rest && v.is_string() && v.get<std::string>() == "rest") return;  // check_split
      // Parsed once, here; the builder evaluates what was parsed.
      if (auto t = parse_trajectory(v, n, ptr, Report{&ctx}))
        ctx.trajectories.emplace(ptr, std::move(*t));
      return;
    // A target's bound: a number, or a ratio of another year's value ({"times", "of_year"}).
    case Kind::kBound:
      if (v.is_number()) return;
      if (!v.is_object()) return type_error();
      return check_bound(v, ptr, ctx);
    case Kind::kYearRange:
      if (!v.is_array() || v.size() != 2 || !is_integral(v[0]) || !is_integral(v[1])) {
        return type_error();
      }
      return check_year_range(v, ptr, ctx);
  }
}

}  // namespace dcplan::loader
