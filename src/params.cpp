#include "params.hpp"

#include "json_io.hpp"

namespace dcplan::params {

namespace {

//! Walks the format's table and collects every key with storage: `scope` is set when the walk
//! enters a region, a hardware or an exchange rate, `tokens` are the key's tokens under it.
void collect(const schema::Node& n, Scope scope, std::vector<std::string>& tokens,
             std::vector<Param>& out) {
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

const Param* find(Scope scope, std::string_view key) {
  for (const auto& p : table()) {
    if (p.scope == scope && p.key == key) return &p;
  }
  return nullptr;
}

}  // namespace

std::span<const Param> table() {
  static const std::vector<Param> params = [] {
    std::vector<Param> out;
    std::vector<std::string> tokens;
    collect(schema::scenario(), Scope::kTop, tokens, out);
    return out;
  }();
  return params;
}

std::optional<Bound> resolve(const Scenario& s, const std::vector<std::string>& t,
                             std::string& problem) {
  Bound b;
  auto rest = [&](std::size_t from) {
    std::string key;
    for (std::size_t i = from; i < t.size(); ++i) key += (i > from ? "/" : "") + t[i];
    return key;
  };
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
