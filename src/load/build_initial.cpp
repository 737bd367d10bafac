// The loader's third pass, continued (src/load/build.cpp holds Builder::build and the order of
// its steps): what a region may install and the assets it starts with — its initial fleet by
// vintage, the capacity it has built, and the installed bases it keeps (model v3) — each
// checked against the hardware the scenario defines and its dates.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "dcplan/error.hpp"
#include "dcplan/schema.hpp"
#include "load/detail.hpp"
#include "text.hpp"

namespace dcplan::loader {

//! What the region may install: all hardware, or its allowed_hardware.
void Builder::allowed_hardware(const Scenario& s, const json& v, Region& r,
                               const std::string& ptr) {
  // Without allowed_hardware a region may install every type.
  r.allowed.assign(s.hardware.size(), true);
  if (const json* allowed = member(v, "allowed_hardware"); allowed != nullptr) {
    r.allowed.assign(s.hardware.size(), false);
    const auto ids = strings(allowed);
    for (std::size_t i = 0; i < ids.size(); ++i) {
      const int hi = s.hardware_index(ids[i]);
      if (hi < 0) {
        unknown_hardware(s, join_ptr(ptr, "allowed_hardware") + "/" + std::to_string(i), ids[i]);
      } else {
        r.allowed[static_cast<std::size_t>(hi)] = true;
      }
    }
  }
}

//! The initial fleet, as cohorts by hardware and vintage (its power is checked with the
//! other rules between values, check_consistency).
void Builder::initial_fleet(const Scenario& s, const json& v, Region& r, const std::string& ptr) {
  if (const json* init = member(v, "initial"); init != nullptr && init->is_object()) {
    const std::string iptr = join_ptr(ptr, "initial");
    if (const json* fleet = member(*init, "fleet"); fleet != nullptr && fleet->is_object()) {
      for (const auto& [hw_id, vintages] : fleet->items()) {
        const std::string fptr = join_ptr(join_ptr(iptr, "fleet"), hw_id);
        const int hi = s.hardware_index(hw_id);
        if (hi < 0) {
          unknown_hardware(s, fptr, hw_id);
          continue;
        }
        if (!r.allowed[static_cast<std::size_t>(hi)]) {
          ctx_.error(fptr,
                     "hardware " + in_quotes(hw_id) + " is not in the region's allowed_hardware");
        }
        if (!vintages.is_object()) continue;
        for (const auto& [year_key, count] : vintages.items()) {
          const auto vintage = parse_year(year_key);
          if (!vintage || !count.is_number()) continue;  // reported by check()
          // A vintage after the horizon start would be a purchase, not an initial fleet.
          if (*vintage > s.horizon.start) {
            ctx_.error(join_ptr(fptr, year_key),
                       "expected an initial vintage <= the horizon start (" +
                           std::to_string(s.horizon.start) + "), found " + year_key);
            continue;
          }
          r.initial_fleet.push_back({hi, *vintage, count.get<double>()});
        }
      }
    }
  }
}

//! Model v3: the year the initial capacity was built, at most the horizon start.
void Builder::initial_built(const Scenario& s, const json& v, Region& r, const std::string& ptr) {
  const json* init = member(v, "initial");
  const json* built = init != nullptr ? member(*init, "built") : nullptr;
  if (built == nullptr || !is_integral(*built)) return;  // its type is checked by check()
  // At or before the horizon start: the initial capacity's book life runs from it (under
  // initial_assets "book").
  r.initial_built = as_int(built->get<double>());
  if (*r.initial_built > s.horizon.start) {
    ctx_.error(join_ptr(join_ptr(ptr, "initial"), "built"),
               "expected a year <= the horizon start (" + std::to_string(s.horizon.start) +
                   "), found " + std::to_string(*r.initial_built));
  }
}

//! Model v3: the installed bases the region keeps (step 5b), by hardware index.
void Builder::keep(const Scenario& s, const json& v, Region& r, const std::string& ptr) {
  const json* keep = member(v, "keep");
  if (keep == nullptr || !keep->is_object()) return;
  const Node& region_node = *field_node(root_, "regions").items;
  const Node& count_node = *field_node(region_node, "keep").items;
  const std::string kptr = join_ptr(ptr, "keep");
  for (const auto& [hw_id, count] : keep->items()) {
    if (count.is_null()) continue;
    const std::string hptr = join_ptr(kptr, hw_id);
    const int hi = s.hardware_index(hw_id);
    if (hi < 0) {
      unknown_hardware(s, hptr, hw_id);
      continue;
    }
    if (!r.allowed[static_cast<std::size_t>(hi)]) {
      ctx_.error(hptr, "hardware " + in_quotes(hw_id) +
                           " is not in the region's allowed_hardware (a region keeps only "
                           "what it may install)");
      continue;
    }
    r.keep.push_back({hi, series(&count, count_node, hptr)});
  }
  // By hardware index (= hardware id): step 5b buys kept types in this order, each within the
  // room the ones before it left, so the order is part of the model.
  std::sort(r.keep.begin(), r.keep.end(),
            [](const Keep& a, const Keep& b) { return a.hardware < b.hardware; });
}

}  // namespace dcplan::loader
