#include "dcplan/selector.hpp"

#include <fnmatch.h>

#include <algorithm>

#include "dcplan/error.hpp"

namespace dcplan {

SelectorKind selector_kind(std::string_view s) {
  if (s == "total") return SelectorKind::kTotal;
  if (s == "*") return SelectorKind::kAll;
  if (!s.empty() && s.front() == '#') return SelectorKind::kTag;
  if (s.find_first_of("*?[") != std::string_view::npos) return SelectorKind::kGlob;
  return SelectorKind::kExact;
}

bool selector_matches(std::string_view s, const Region& region) {
  switch (selector_kind(s)) {
    case SelectorKind::kTotal:
    case SelectorKind::kAll:
      return true;
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

int resolve_selector(const std::vector<std::string>& selectors, const Region& region) {
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
