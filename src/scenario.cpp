// The lookups of the plain-data Scenario (dcplan/scenario.hpp). The loader sorts hardware and
// regions by id (JSON object keys come sorted), so an id is found by binary search.
#include "dcplan/scenario.hpp"

#include <algorithm>

namespace dcplan {

namespace {
//! The index of the item whose id is `id` in a vector sorted by id, or -1. Precondition: sorted
//! by id, which the loader guarantees.
template <class T>
int index_of(const std::vector<T>& items, const std::string& id) {
  auto it = std::lower_bound(items.begin(), items.end(), id,
                             [](const T& a, const std::string& b) { return a.id < b; });
  if (it == items.end() || it->id != id) return -1;
  return static_cast<int>(it - items.begin());
}
}  // namespace

//! (Declared in dcplan/scenario.hpp.) Lookups in pairs, as the style asks: *_index and find_*
//! return -1 or nullptr for an unknown id; callers that must have one report the error.
int Scenario::hardware_index(const std::string& id) const {
  return index_of(hardware, id);
}
int Scenario::region_index(const std::string& id) const {
  return index_of(regions, id);
}

const Hardware* Scenario::find_hardware(const std::string& id) const {
  const int i = hardware_index(id);
  return i < 0 ? nullptr : &hardware[static_cast<std::size_t>(i)];
}

const Region* Scenario::find_region(const std::string& id) const {
  const int i = region_index(id);
  return i < 0 ? nullptr : &regions[static_cast<std::size_t>(i)];
}

//! (Declared in dcplan/scenario.hpp.) Observed history is of total rows, in the column's unit
//! (money in USD); nothing is interpolated between observed years.
std::optional<double> Scenario::observed_value(const std::string& metric, int year) const {
  const auto m = observed.find(metric);
  if (m == observed.end()) return std::nullopt;
  const auto v = m->second.find(year);
  if (v == m->second.end()) return std::nullopt;
  return v->second;
}

//! (Declared in dcplan/scenario.hpp.) Whether a key of model v3's cost of capital is written:
//! only then are its columns computed and shown, so a scenario that writes none prints exactly
//! what it printed before model v3.
bool Scenario::uses_cost_of_capital() const {
  if (finance.wacc || finance.capital_keys) return true;
  for (const auto& r : regions) {
    if (r.wacc || r.facility_embodied_tco2_per_mw) return true;
  }
  return false;
}

}  // namespace dcplan
