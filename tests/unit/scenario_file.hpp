// Helpers for tests of commands that read a scenario file (solve, optimize, sensitivity).
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace dcplan::test {

//! A scenario file in this test process's temporary directory.
inline std::string write_scenario(const std::string& name, const std::string& text) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("dcplan-unit-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = dir / name;
  std::ofstream(path) << text;
  return path.string();
}

//! One region with 1,000 MW free, accelerators of 1 kW at US$10,000, idle 0.25, utilisation
//! 0.6, PUE 1.25; a budget of US$100 m, all on accelerators, in 2025. A dollar buys 1e-7 MW of
//! nameplate drawing 0.7 of it for half of 2025: energy = B x PUE x 3.066e-4 MWh.
inline const char* kLinear = R"({"dcplan": 1, "horizon": {"start": 2025, "end": 2026},
  "hardware": {"gpu": {"available": 2020, "bf16_tflops": 1000, "all_in_w": 1000,
                       "price_usd": 10000, "lifetime_years": 5, "idle_fraction": 0.25}},
  "regions": {"r": {"pue": 1.25, "power_price_usd_per_mwh": 100, "grid_g_per_kwh": 500,
                    "facility_capex_usd_per_mw": 1e7, "initial": {"it_capacity_mw": 1000}}},
  "capex": {"budget": 1e8, "split": {"it": 1, "facility": 0, "other": 0},
            "hardware_mix": {"*": {"gpu": 1}}},
  "operations": {"utilisation": 0.6}})";

}  // namespace dcplan::test
