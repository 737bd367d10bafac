// The parameter table (params.hpp), derived once from the key table of src/schema.cpp: every
// node that names its storage in a Scenario (Node::bind) becomes a Param. The loader reads every
// numeric key through it, and sweeps (and the studies built on their binding) bind their
// pointers through it, so a key declared once in schema.cpp is reachable from all of them.
#include "params.hpp"

#include "json_io.hpp"

namespace dcplan::params {

namespace {

//! Walks the format's table and collects every key with storage: `scope` is set when the walk
//! enters a region, a hardware or an exchange rate, `tokens` are the key's tokens under it.
//! A depth-first walk, so the table's order is the key table's order: the loader reads and
//! reports in that order on every run.
void collect(const schema::Node& n, Scope scope, std::vector<std::string>& tokens,
             std::vector<Param>& out) {
  // A node with storage is a parameter; its key is its tokens under its scope ("/capex/budget"
  // at the top, "pue" or "initial/it_capacity_mw" under a region).
  if (n.bind != nullptr) {
    Param p;
    p.tokens = tokens;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      p.key += (i > 0 || scope == Scope::kTop ? "/" : "") + tokens[i];
    }
    p.scope = scope;
    p.shape = n.kind == schema::Kind::kTrajectory ? Shape::kTrajectory
              : n.kind == schema::Kind::kInteger  ? Shape::kInteger
                                                  : Shape::kNumber;
    p.node = &n;
    p.at = n.bind;
    p.split = p.key.starts_with("/capex/split/");
    p.rules = n.cross_checked;
    out.push_back(std::move(p));
    return;
  }
  if (n.kind == schema::Kind::kObject) {
    for (const auto& f : n.fields) {
      tokens.push_back(f.name);
      collect(*f.node, scope, tokens, out);
      tokens.pop_back();
    }
    // Only the maps directly under the top open a scope; other maps (weights, mixes, targets)
    // hold no parameter with storage.
  } else if (n.kind == schema::Kind::kMap && scope == Scope::kTop && tokens.size() == 1) {
    // The maps of the document's top: /regions/{id}, /hardware/{id}, /fx_per_usd/{code}.
    const Scope inner = tokens[0] == "regions"      ? Scope::kRegion
                        : tokens[0] == "hardware"   ? Scope::kHardware
                        : tokens[0] == "fx_per_usd" ? Scope::kCurrency
                                                    : Scope::kTop;
    if (inner == Scope::kTop) return;
    std::vector<std::string> under;
    collect(*n.items, inner, under, out);
  }
}

//! A linear search of the table (a few dozen entries), done once per bound pointer, not per run.
const Param* find(Scope scope, std::string_view key) {
  for (const auto& p : table()) {
    if (p.scope == scope && p.key == key) return &p;
  }
  return nullptr;
}

}  // namespace

//! (Declared in params.hpp.) Built on first use, thread-safely (a function-local static), and
//! never changed: threads of a sweep read it at once.
std::span<const Param> table() {
  static const std::vector<Param> params = [] {
    std::vector<Param> out;
    std::vector<std::string> tokens;
    collect(schema::scenario(), Scope::kTop, tokens, out);
    return out;
  }();
  return params;
}

//! (Declared in params.hpp.) /regions/ID/KEY and /hardware/ID/KEY name one region's or type's
//! parameter (the id must exist in `s`), /fx_per_usd/CODE one exchange rate (USD is fixed at 1
//! and cannot be varied), anything else a top-level key.
std::optional<Bound> resolve(const Scenario& s, const std::vector<std::string>& t,
                             std::string& problem) {
  Bound b;
  auto rest = [&](std::size_t from) {
    std::string key;
    for (std::size_t i = from; i < t.size(); ++i) key += (i > from ? "/" : "") + t[i];
    return key;
  };
  // /regions/ID/KEY... or /hardware/ID/KEY...: the id must name one, the rest is the key.
  if (t.size() >= 3 && (t[0] == "regions" || t[0] == "hardware")) {
    const bool is_region = t[0] == "regions";
    const int i = is_region ? s.region_index(t[1]) : s.hardware_index(t[1]);
    if (i < 0) {
      problem = "the scenario has no " + std::string(is_region ? "region" : "hardware") + " \"" +
                jsonio::excerpt(t[1]) + "\"";
      return std::nullopt;
    }
    b.index = static_cast<std::size_t>(i);
    b.param = find(is_region ? Scope::kRegion : Scope::kHardware, rest(2));
  } else if (t.size() == 2 && t[0] == "fx_per_usd") {
    // USD is 1 by definition, and a currency the scenario does not define has no storage.
    if (s.fx_per_usd.count(t[1]) == 0 || t[1] == "USD") {
      problem = "the scenario has no rate for " + jsonio::excerpt(t[1]);
      return std::nullopt;
    }
    b.code = t[1];
    b.param = find(Scope::kCurrency, "");
  } else {
    b.param = find(Scope::kTop, "/" + rest(0));
  }
  if (b.param == nullptr) return std::nullopt;
  return b;
}

}  // namespace dcplan::params
