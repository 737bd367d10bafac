// Region selectors (dcplan/selector.hpp): how weights, mixes, targets and gates name regions.
// The precedence (exact id, then #tag, then glob, then *) is the order of SelectorKind's values,
// so resolve_selector compares kinds as ranks. Ids cannot hold * ? [ or # (the loader's
// valid_id), so an id is never mistaken for a glob or a tag.
#include "dcplan/selector.hpp"

#include <fnmatch.h>

#include <algorithm>

#include "dcplan/error.hpp"

namespace dcplan {

//! (Declared in dcplan/selector.hpp.) By its form alone, without a scenario: "total", "*",
//! "#tag", a glob (any of * ? [), else an exact id.
SelectorKind selector_kind(std::string_view s) {
  if (s == "total") return SelectorKind::kTotal;
  if (s == "*") return SelectorKind::kAll;
  if (!s.empty() && s.front() == '#') return SelectorKind::kTag;
  if (s.find_first_of("*?[") != std::string_view::npos) return SelectorKind::kGlob;
  return SelectorKind::kExact;
}

//! (Declared in dcplan/selector.hpp.) Globs use POSIX fnmatch without flags: '*' also matches
//! '.' and '-', so "cn-*" matches every id that starts with "cn-".
bool selector_matches(std::string_view s, const Region& region) {
  switch (selector_kind(s)) {
    case SelectorKind::kTotal:
    case SelectorKind::kAll:
      return true;
    // "#tag" matches the regions whose tags list it, exactly.
    case SelectorKind::kTag: {
      const std::string_view tag = s.substr(1);
      return std::find(region.tags.begin(), region.tags.end(), tag) != region.tags.end();
    }
    case SelectorKind::kGlob:
      return fnmatch(std::string(s).c_str(), region.id.c_str(), 0) == 0;
    case SelectorKind::kExact:
      return s == region.id;
  }
  return false;
}

//! (Declared in dcplan/selector.hpp.) "total" is skipped: it is not a region's selector. Two
//! matches of one rank are an error rather than "the first wins", because which one is first
//! in a JSON object is its key order, not what the author meant.
int resolve_selector(const std::vector<std::string>& selectors, const Region& region) {
  // The lowest rank that matches wins; a second match at that rank is ambiguous.
  int best = -1;
  int best_rank = 99;
  for (std::size_t i = 0; i < selectors.size(); ++i) {
    const auto kind = selector_kind(selectors[i]);
    if (kind == SelectorKind::kTotal || !selector_matches(selectors[i], region)) continue;
    const int rank = static_cast<int>(kind);
    if (rank < best_rank) {
      best = static_cast<int>(i);
      best_rank = rank;
    } else if (rank == best_rank) {
      throw InputError("", "",
                       "region " + region.id + " is matched by both \"" +
                           selectors[static_cast<std::size_t>(best)] + "\" and \"" + selectors[i] +
                           "\" at the same precedence; make one of them more specific");
    }
  }
  return best;
}

}  // namespace dcplan
