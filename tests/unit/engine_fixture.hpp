// Helpers for engine tests: tiny scenarios written as JSON, loaded through the real loader.
#pragma once

#include <string>

#include "dcplan/engine.hpp"
#include "dcplan/load.hpp"

namespace dcplan::test {

//! One region "r", one accelerator "gpu": 1,000 W all-in, 1,000 TFLOPS, US$10,000, 5 years,
//! idle 0.25, no failures; PUE 1.25; no budget. `patch` is merged over it (RFC 7396).
inline const char* kTinyBase = R"({
  "dcplan": 1,
  "horizon": {"start": 2025, "end": 2029},
  "hardware": {"gpu": {"available": 2020, "bf16_tflops": 1000, "all_in_w": 1000,
                       "price_usd": 10000, "lifetime_years": 5, "idle_fraction": 0.25}},
  "regions": {"r": {"pue": 1.25, "power_price_usd_per_mwh": 100, "grid_g_per_kwh": 500,
                    "facility_capex_usd_per_mw": 1.0e7}},
  "capex": {"split": {"it": 1, "facility": 0, "other": 0}, "hardware_mix": {"*": {"gpu": 1}}},
  "operations": {"utilisation": 0.6}
})";

//! Loads kTinyBase with overrides "/pointer=JSON" applied.
inline Scenario tiny(std::vector<std::string> overrides = {}) {
  return load_scenario_text(kTinyBase, "tiny.json", LoadOptions{std::move(overrides), {}});
}

//! The same with version-1 placement: IT money spent where its weight puts it, whatever the
//! power, and accelerators that find none wait in the queue (the tests of stranding).
inline Scenario tiny_v1(std::vector<std::string> overrides = {}) {
  overrides.insert(overrides.begin(),
                   {"/capex/it_placement=\"weights\"", "/capex/it_overflow=\"strand\""});
  return tiny(std::move(overrides));
}

//! The value of a column in a year for a region ("total" or an id).
inline double at(const Results& res, int year, const std::string& region, Col c) {
  int r = RowKey::kTotal;
  if (region != "total") {
    for (std::size_t i = 0; i < res.region_ids.size(); ++i) {
      if (res.region_ids[i] == region) r = static_cast<int>(i);
    }
  }
  const auto row = res.find_row(year, r);
  if (row < 0) throw std::runtime_error("no row " + std::to_string(year) + " " + region);
  return res.values(row, c);
}

}  // namespace dcplan::test
