// The loader's fourth pass (the passes in order: src/load/detail.hpp): the rules between values
// of a built Scenario, declared in include/dcplan/load.hpp. fill_split_rest sets the capex
// share written "rest" so that the split sums to 1, and refuses a rest outside [0, 1];
// check_consistency holds the rest: an accelerator has TFLOP/s (model v3: only a "server" may
// have 0), a last sale follows availability, a lease limit has a lease price, an initial fleet
// was on sale in its vintage and fits the initial capacity. The Builder applies them as it
// finishes (build.cpp, build_capex.cpp); sweep applies them again to every run, since it
// changes values after loading.
#include <fmt/format.h>

#include <Eigen/Core>
#include <array>
#include <cmath>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dcplan/error.hpp"
#include "dcplan/load.hpp"
#include "dcplan/scenario.hpp"
#include "json_io.hpp"

namespace dcplan {

//! (Declared in dcplan/load.hpp.) rest = 1 − a − b in every year, where a and b are the other
//! two shares (evaluated trajectories). A rest within 1e-12 of 0 is set to 0, since shares
//! that sum to 1 on paper can leave −1e-17 after subtraction. Returns the first year where the
//! rest leaves [0, 1], or nothing. Called by the Builder and again by sweeps, which may change
//! a or b.
std::optional<Diagnostic> fill_split_rest(Scenario& s) {
  Capex& c = s.capex;
  if (c.split_rest < 0) return std::nullopt;
  static constexpr std::array<const char*, 3> kParts = {"it", "facility", "other"};
  std::array<Eigen::ArrayXd*, 3> parts = {&c.split_it, &c.split_facility, &c.split_other};
  Eigen::ArrayXd& rest = *parts[static_cast<std::size_t>(c.split_rest)];
  const Eigen::ArrayXd& a = *parts[static_cast<std::size_t>((c.split_rest + 1) % 3)];
  const Eigen::ArrayXd& b = *parts[static_cast<std::size_t>((c.split_rest + 2) % 3)];
  // rest = 1 − a − b in every year of the horizon, the other two shares being trajectories.
  rest = 1.0 - a - b;
  for (Eigen::Index y = 0; y < rest.size(); ++y) {
    if (std::abs(rest(y)) <= 1e-12) rest(y) = 0;  // rounding of shares that sum to 1
    if (rest(y) < 0 || rest(y) > 1) {
      const auto name = [&](int k) { return kParts[static_cast<std::size_t>(k % 3)]; };
      return Diagnostic{
          s.file, std::string("/capex/split/") + name(c.split_rest),
          fmt::format("\"rest\" is 1 - {} - {} = {:.6g} in {}; expected a share in [0, 1] (the "
                      "other two shares sum to more than 1)",
                      name(c.split_rest + 1), name(c.split_rest + 2), rest(y), s.horizon.start + y),
          0, 0};
    }
  }
  return std::nullopt;
}

//! (Declared in dcplan/load.hpp.) The rules between values that the key table cannot state,
//! each a Diagnostic with the pointer of the value to change. They hold what the engine
//! assumes: an accelerator computes (TFLOP/s > 0), sale years are in order, a lease limit has a
//! price, and the initial fleet was on sale in its vintage and fits in its initial capacity
//! (else it would start with more nameplate than power, and step 5 would see negative free
//! capacity).
std::vector<Diagnostic> check_consistency(const Scenario& s) {
  // Run for every run of a sweep: no string is built unless a rule is broken.
  std::vector<Diagnostic> out;
  auto error = [&](std::string pointer, std::string message) {
    out.push_back({s.file, std::move(pointer), std::move(message), 0, 0});
  };
  for (const auto& h : s.hardware) {
    // An accelerator without compute would make cost per EFLOP-year and demand shares
    // meaningless; a server (model v3) is counted for power and money only.
    if (h.kind == HardwareKind::kAccelerator && !(h.bf16_tflops > 0)) {
      error("/hardware/" + jsonio::escape_token(h.id) + "/bf16_tflops",
            fmt::format("expected a value > 0 TFLOP/s for an accelerator, found {} (only a "
                        "hardware of kind \"server\" may have 0)",
                        h.bf16_tflops));
    }
    // A last sale before the first year on sale would leave the type never on sale.
    if (h.last_sale && *h.last_sale < h.available) {
      error("/hardware/" + jsonio::escape_token(h.id) + "/last_sale",
            fmt::format("expected a last sale year >= available ({}), found {}", h.available,
                        *h.last_sale));
    }
  }
  for (const auto& r : s.regions) {
    auto initial = [&] { return "/regions/" + jsonio::escape_token(r.id) + "/initial"; };
    if (r.max_lease_mw && !r.lease_usd_per_mw_year) {
      error("/regions/" + jsonio::escape_token(r.id) + "/max_lease_mw",
            "a lease limit without a lease price: set lease_usd_per_mw_year too (without it "
            "the region cannot lease)");
    }
    // The initial fleet's nameplate Σ count · all_in_w [MW], against the initial capacity.
    double fleet_mw = 0;
    for (const auto& c : r.initial_fleet) {
      const auto& h = s.hardware[static_cast<std::size_t>(c.hardware)];
      fleet_mw += c.count * h.all_in_w / 1e6;
      // A unit cannot have been bought before its type was on sale.
      if (c.vintage < h.available) {
        error(initial() + "/fleet/" + jsonio::escape_token(h.id) + "/" + std::to_string(c.vintage),
              fmt::format("a vintage of {} before the hardware is available ({}): {} was not on "
                          "sale then",
                          c.vintage, h.available, h.id));
      }
    }
    // Within 1e-9 relative and absolute: a fleet sized to fill its halls exactly must pass.
    if (fleet_mw > r.initial_it_capacity_mw * (1 + 1e-9) + 1e-9) {
      error(initial(), fmt::format("the initial fleet needs {:.6g} MW of IT power (count x "
                                   "all_in_w), more than the initial it_capacity_mw of {:.6g} MW",
                                   fleet_mw, r.initial_it_capacity_mw));
    }
  }
  return out;
}

}  // namespace dcplan
