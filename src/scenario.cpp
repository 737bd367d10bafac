#include "dcplan/scenario.hpp"

#include <algorithm>

namespace dcplan {

namespace {
template <class T>
int index_of(const std::vector<T>& items, const std::string& id) {
  auto it = std::lower_bound(items.begin(), items.end(), id,
                             [](const T& a, const std::string& b) { return a.id < b; });
  if (it == items.end() || it->id != id) return -1;
  return static_cast<int>(it - items.begin());
}
}  // namespace

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

std::optional<double> Scenario::observed_value(const std::string& metric, int year) const {
  const auto m = observed.find(metric);
  if (m == observed.end()) return std::nullopt;
  const auto v = m->second.find(year);
  if (v == m->second.end()) return std::nullopt;
  return v->second;
}

bool Scenario::uses_cost_of_capital() const {
  if (finance.wacc || finance.capital_keys) return true;
  for (const auto& r : regions) {
    if (r.wacc || r.facility_embodied_tco2_per_mw) return true;
  }
  return false;
}

}  // namespace dcplan
