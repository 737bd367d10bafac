// dcplan — region selectors, used by weights, mixes, targets and gates.
//
// A selector is a region id, a glob (`cn-*`), a tag (`#international`), `*`, or `total`.
// When several selectors match a region the most specific wins: exact id, then tag, then glob,
// then `*`. Two matches of the same rank are an error.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "dcplan/scenario.hpp"

namespace dcplan {

enum class SelectorKind { kExact = 0, kTag = 1, kGlob = 2, kAll = 3, kTotal = 4 };

[[nodiscard]] SelectorKind selector_kind(std::string_view selector);

//! True when the selector matches the region (`total` matches every region).
[[nodiscard]] bool selector_matches(std::string_view selector, const Region& region);

//! Index of the selector that applies to the region, or -1 when none matches.
//! Throws InputError (no file, no pointer) when two selectors of the same rank match.
[[nodiscard]] int resolve_selector(const std::vector<std::string>& selectors, const Region& region);

}  // namespace dcplan
