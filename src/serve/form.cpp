#include "serve/form.hpp"

#include <map>
#include <nlohmann/json.hpp>
#include <utility>

#include "dcplan/schema.hpp"
#include "json_io.hpp"

namespace dcplan::serve {

namespace {

using json = nlohmann::json;
using schema::Kind;
using schema::Node;

//! The reference's placeholder for the keys of a map.
std::string placeholder(schema::KeyKind kind) {
  switch (kind) {
    case schema::KeyKind::kId:
      return "{id}";
    case schema::KeyKind::kYear:
      return "{year}";
    case schema::KeyKind::kSelector:
      return "{selector}";
    case schema::KeyKind::kCurrency:
      return "{currency}";
    case schema::KeyKind::kNone:
      break;
  }
  return "{key}";
}

//! Walks a merged document beside the key table and collects its numeric values. The bounds
//! given to the inner numbers of a trajectory or a target bound are the JSON Schema's
//! (src/schema.cpp): a series point has the key's, a growth rate and a year theirs, the
//! parameters of a logistic or a fit none. The loader checks the evaluated trajectory anyway:
//! a field's bounds guide the planner, the loader's answer is the rule.
class Walker {
 public:
  std::vector<FieldGroup> groups;

  void walk(const Node& n, const json& v, const std::string& ptr, const std::string& key) {
    switch (n.kind) {
      case Kind::kObject:
        for (const auto& f : n.fields) {
          const auto it = v.find(f.name);
          if (it != v.end()) walk(*f.node, *it, child(ptr, f.name), key + "/" + f.name);
        }
        break;
      case Kind::kMap:
        for (const auto& [k, item] : v.items()) {
          walk(*n.items, item, child(ptr, k), key + "/" + placeholder(n.key_kind));
        }
        break;
      case Kind::kArray:
        for (std::size_t i = 0; i < v.size(); ++i) {
          walk(*n.items, v[i], child(ptr, std::to_string(i)), key + "/{i}");
        }
        break;
      case Kind::kNumber:
      case Kind::kInteger:
        add(n, v, ptr, key, &n);
        break;
      case Kind::kTrajectory:
        trajectory(n, v, ptr, key);
        break;
      case Kind::kBound:
        bound(n, v, ptr, key);
        break;
      case Kind::kYearRange:
        for (std::size_t i = 0; i < v.size() && i < 2; ++i) {
          add(n, v[i], child(ptr, std::to_string(i)), key, &schema::year_in_trajectory(), true);
        }
        break;
      default:
        break;  // strings, booleans, lists of strings: not numbers
    }
  }

 private:
  static std::string child(const std::string& ptr, const std::string& token) {
    return ptr + "/" + jsonio::escape_token(token);
  }

  //! A trajectory by its points: a number, or the numbers of its series, exponential, logistic
  //! or fit. "rest" (a share written as the rest of the split) is no number.
  void trajectory(const Node& n, const json& v, const std::string& ptr, const std::string& key) {
    if (v.is_number()) return add(n, v, ptr, key, &n);
    if (!v.is_object()) return;
    if (const auto s = v.find("series"); s != v.end() && s->is_object()) {
      for (const auto& [year, x] : s->items())
        add(n, x, child(child(ptr, "series"), year), key, &n);
      if (const auto g = v.find("then_growth"); g != v.end()) {
        add(n, *g, child(ptr, "then_growth"), key, &schema::growth_rate());
      }
    }
    const auto part = [&](const char* kind, const char* name, const Node* bounds, bool integer) {
      const auto body = v.find(kind);
      if (body == v.end() || !body->is_object()) return;
      if (const auto x = body->find(name); x != body->end()) {
        add(n, *x, child(child(ptr, kind), name), key, bounds, integer);
      }
    };
    part("exponential", "base", nullptr, false);
    part("exponential", "base_year", &schema::year_in_trajectory(), true);
    part("exponential", "rate", &schema::growth_rate(), false);
    for (const char* name : {"cap", "midpoint", "steepness", "floor"}) {
      part("logistic", name, nullptr, false);
    }
    if (const auto fit = v.find("fit"); fit != v.end() && fit->is_object()) {
      if (const auto h = fit->find("history"); h != fit->end() && h->is_object()) {
        const std::string at = child(child(ptr, "fit"), "history");
        for (const auto& [year, x] : h->items()) add(n, x, child(at, year), key, nullptr);
      }
      part("fit", "floor", nullptr, false);
    }
  }

  //! A target's bound: a number, or k times the metric of a year.
  void bound(const Node& n, const json& v, const std::string& ptr, const std::string& key) {
    if (v.is_number()) return add(n, v, ptr, key, nullptr);
    if (!v.is_object()) return;
    static const Node kTimes = [] {
      Node t;
      t.minimum = 0;
      return t;
    }();
    if (const auto t = v.find("times"); t != v.end()) add(n, *t, child(ptr, "times"), key, &kTimes);
    if (const auto y = v.find("of_year"); y != v.end()) {
      add(n, *y, child(ptr, "of_year"), key, &schema::year_in_trajectory(), true);
    }
  }

  //! One field: `n` describes it (unit, description), `bounds` bounds it (none when null).
  void add(const Node& n, const json& v, const std::string& ptr, const std::string& key,
           const Node* bounds, bool integer = false) {
    // A pointer holding '=' cannot be written as --set POINTER=VALUE: the form offers only what
    // the command line can reproduce.
    if (!v.is_number() || ptr == "/dcplan" || ptr.find('=') != std::string::npos) return;
    Field f;
    f.pointer = ptr;
    f.key = key;
    f.unit = n.unit;
    f.description = n.description;
    if (bounds != nullptr) {
      f.minimum = bounds->minimum;
      f.maximum = bounds->maximum;
      f.exclusive_minimum = bounds->exclusive_minimum;
      f.exclusive_maximum = bounds->exclusive_maximum;
    }
    f.integer = integer || n.kind == Kind::kInteger;
    f.value = v.get<double>();
    group_of(ptr).fields.push_back(std::move(f));
  }

  //! The group of a pointer: its top-level key, and for a map or a list (regions, targets) the
  //! id or index below it.
  FieldGroup& group_of(const std::string& ptr) {
    const auto tokens = jsonio::split_pointer(ptr);
    const schema::Field* top = schema::scenario().field(tokens.at(0));
    const bool has_items =
        top != nullptr && (top->node->kind == Kind::kMap || top->node->kind == Kind::kArray);
    const std::string item = has_items && tokens.size() > 1 ? tokens[1] : "";
    const auto [it, added] = index_.try_emplace({tokens[0], item}, groups.size());
    if (added) groups.push_back({tokens[0], item, {}});
    return groups[it->second];
  }

  std::map<std::pair<std::string, std::string>, std::size_t> index_;
};

}  // namespace

std::vector<FieldGroup> form_fields(const nlohmann::json& document) {
  Walker w;
  w.walk(schema::scenario(), document, "", "");
  return std::move(w.groups);
}

nlohmann::json form_json(const std::vector<FieldGroup>& groups) {
  json out = json::array();
  for (const auto& g : groups) {
    json fields = json::array();
    for (const auto& f : g.fields) {
      json j = {{"pointer", f.pointer},         {"key", f.key},         {"unit", f.unit},
                {"description", f.description}, {"integer", f.integer}, {"value", f.value}};
      if (f.minimum) j["min"] = {{"value", *f.minimum}, {"exclusive", f.exclusive_minimum}};
      if (f.maximum) j["max"] = {{"value", *f.maximum}, {"exclusive", f.exclusive_maximum}};
      fields.push_back(std::move(j));
    }
    out.push_back({{"group", g.group}, {"item", g.item}, {"fields", std::move(fields)}});
  }
  return out;
}

}  // namespace dcplan::serve
