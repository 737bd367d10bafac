// Part of the loader's third pass, the Builder (the passes in order: src/load/detail.hpp): the
// capex section. Builder::capex reads model v3's policies, checks the split's shares (they sum
// to 1, or one written "rest" completes the other two through rules.cpp's fill_split_rest;
// under facility_sizing "need" only "other"), reads the placement and overflow policies, then
// resolves the region weights and the hardware mix per region through their selectors, each
// mix summing to 1. Builder::build then derives what each region may buy (buyable).
#include <Eigen/Core>
#include <array>
#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dcplan/error.hpp"
#include "dcplan/load.hpp"
#include "dcplan/scenario.hpp"
#include "dcplan/schema.hpp"
#include "dcplan/selector.hpp"
#include "json_io.hpp"
#include "load/detail.hpp"

namespace dcplan::loader {

//! Resolves selector maps per region; an exact selector must name a region.
//! An exact id that names no region is reported with the nearest id (a typo would otherwise
//! silently give the region nothing); "total" is refused because it is not a region.
std::vector<std::string> Builder::selectors(const Scenario& s, const json& map,
                                            const std::string& ptr) {
  std::vector<std::string> out;
  for (const auto& [k, v] : map.items()) {
    if (k.empty()) continue;
    // A glob or a tag may match no region (it names a family that may be empty); an exact id that
    // names no region is a typo.
    if (selector_kind(k) == SelectorKind::kExact && s.region_index(k) < 0) {
      ctx_.error(join_ptr(ptr, k), "unknown region " + in_quotes(k) +
                                       " (expected a region id, a glob such as cn-*, a #tag "
                                       "or *)" +
                                       suggestion(k, region_ids(s)));
    }
    if (selector_kind(k) == SelectorKind::kTotal) {
      ctx_.error(join_ptr(ptr, k),
                 "\"total\" is not a selector here (expected a region id, a "
                 "glob such as cn-*, a #tag or *)");
    }
    out.push_back(k);
  }
  return out;
}

//! The selector of `sel` that applies to region r by precedence (exact id, then #tag, then
//! glob, then *), or −1 when none does or two of one rank match (reported at `ptr`).
int Builder::resolve(const std::vector<std::string>& sel, const Region& r, const std::string& ptr) {
  try {
    return resolve_selector(sel, r);
  } catch (const InputError& e) {
    ctx_.error(ptr, e.diagnostics().front().message);
    return -1;
  }
}

//! The capex section, in the order its parts depend on one another: model v3's policies first
//! (facility_sizing "need" changes what the split must hold), the split, the placement and
//! overflow, the weights, and the mix (which must cover every region given IT money).
void Builder::capex(Scenario& s) {
  v3_policies(s);
  check_split(s);
  policies(s);
  region_weights(s);
  hardware_mix(s);
}

//! it_placement and it_overflow (their values were checked against the key table).
void Builder::policies(Scenario& s) {
  const json& capex = capex_section();
  const std::string placement = text(capex, "it_placement");
  const std::string overflow = text(capex, "it_overflow");
  if (text(capex, "keep_funding") == "budget") s.capex.keep_funding = KeepFunding::kBudget;
  s.capex.placement = placement == "weights" ? Placement::kWeights : Placement::kPower;
  s.capex.overflow = overflow == "carry"    ? Overflow::kCarry
                     : overflow == "strand" ? Overflow::kStrand
                                            : Overflow::kFacility;
}

//! Model v3's choices: facility_sizing, carryover, finance.initial_assets (their values were
//! checked against the key table).
void Builder::v3_policies(Scenario& s) {
  const json& capex = capex_section();
  // Values were checked against the key table; absent means the default (version 2).
  s.capex.facility_sizing =
      text(capex, "facility_sizing") == "need" ? FacilitySizing::kNeed : FacilitySizing::kShare;
  s.capex.carryover =
      text(capex, "carryover") == "category" ? Carryover::kCategory : Carryover::kSplit;
  const json* finance = member(doc_, "finance");
  s.finance.initial_assets = finance != nullptr && text(*finance, "initial_assets") == "book"
                                 ? InitialAssets::kBook
                                 : InitialAssets::kSunk;
  if (finance != nullptr) {
    const json* idc = member(*finance, "interest_during_construction");
    s.finance.interest_during_construction =
        idc != nullptr && idc->is_boolean() && idc->get<bool>();
    s.finance.capital_charge = text(*finance, "capital_charge") == "annuity"
                                   ? CapitalCharge::kAnnuity
                                   : CapitalCharge::kDepreciation;
    s.finance.capital_keys = idc != nullptr || member(*finance, "capital_charge") != nullptr;
  }
}

//! Under facility_sizing "need", the split holds only "other" (a number): the region's rule
//! divides the rest between IT and facilities. Returns false when the split is not one.
bool Builder::check_need_split(const json& split) {
  bool ok = true;
  for (const char* part : {"it", "facility"}) {
    if (member(split, part) == nullptr) continue;
    ctx_.error(join_ptr("/capex/split", part),
               std::string("expected no \"") + part +
                   "\" share under capex.facility_sizing \"need\" (the region's need divides "
                   "IT and facility money; split holds only \"other\"), found " +
                   jsonio::excerpt_json(split.at(part)));
    ok = false;
  }
  if (const json* other = member(split, "other"); other != nullptr && other->is_string()) {
    ctx_.error("/capex/split/other",
               "expected a share (a number or a trajectory) under capex.facility_sizing "
               "\"need\", found \"rest\" (there is no other share for it to complete)");
    ok = false;
  }
  return ok;
}

//! What each region may buy: allowed there and with a share in some year.
void Builder::buyable(Scenario& s) {
  s.capex.buyable.assign(s.regions.size(), {});
  for (std::size_t r = 0; r < s.regions.size() && r < s.capex.mix.size(); ++r) {
    for (std::size_t h = 0; h < s.hardware.size(); ++h) {
      if (s.regions[r].allowed[h] && (s.capex.mix[r].row(static_cast<Eigen::Index>(h)) > 0).any())
        s.capex.buyable[r].push_back(static_cast<int>(h));
    }
  }
}

//! The capex object of the document (empty when absent).
const json& Builder::capex_section() const {
  static const json empty = json::object();
  const json* c = member(doc_, "capex");
  return (c != nullptr && c->is_object()) ? *c : empty;
}

//! The shares were read with the other parameters (0 where absent): they must sum to 1, or
//! one of them is "rest" and the other two leave it within [0, 1].
void Builder::check_split(Scenario& s) {
  const int years = h_.years();
  const json& capex = capex_section();
  const bool any_budget = (s.capex.budget > 0).any();
  if (s.capex.facility_sizing == FacilitySizing::kNeed) {
    // Model v3: only "other" (0 when absent); IT and facility money are divided by need.
    s.capex.split_rest = -1;
    if (const json* split = member(capex, "split"); split != nullptr && split->is_object())
      (void)check_need_split(*split);
    return;
  }
  if (const json* split = member(capex, "split"); split != nullptr && split->is_object()) {
    static constexpr std::array<const char*, 3> kParts = {"it", "facility", "other"};
    for (const char* part : {"it", "facility"}) {
      if (member(*split, part) == nullptr) {
        ctx_.error("/capex/split", std::string("missing required key \"") + part +
                                       "\" (expected it, facility and other summing to 1; "
                                       "only capex.facility_sizing \"need\" leaves them out)");
      }
    }
    // At most one share may be "rest": with two, the split would have no single answer.
    s.capex.split_rest = -1;
    for (int i = 0; i < 3; ++i) {
      const json* v = member(*split, kParts[static_cast<std::size_t>(i)]);
      if (v == nullptr || !v->is_string() || *v != "rest") continue;
      if (s.capex.split_rest >= 0) {
        ctx_.error(join_ptr("/capex/split", kParts[static_cast<std::size_t>(i)]),
                   std::string("expected at most one share written \"rest\", found two (") +
                       kParts[static_cast<std::size_t>(s.capex.split_rest)] + " and " +
                       kParts[static_cast<std::size_t>(i)] + ")");
        return;
      }
      s.capex.split_rest = i;
    }
    if (s.capex.split_rest >= 0) {
      if (auto d = fill_split_rest(s)) ctx_.error(d->pointer, std::move(d->message));
      return;
    }
    // Without "rest", the three shares must sum to 1 in every year, within 1e-9 for the
    // rounding of written decimals (0.7 + 0.25 + 0.05): the engine gives out exactly the budget
    // and relies on the shares to conserve it.
    const Eigen::ArrayXd sum = s.capex.split_it + s.capex.split_facility + s.capex.split_other;
    for (int i = 0; i < years; ++i) {
      if (std::abs(sum(i) - 1.0) > 1e-9) {
        ctx_.error("/capex/split", "expected it + facility + other = 1 in every year, found " +
                                       fmt_number(sum(i)) + " in " + std::to_string(h_.start + i));
        break;
      }
    }
  } else if (any_budget) {
    // No split is an error only when there is money to split: a scenario of a fleet that only
    // ages needs none.
    ctx_.error("/capex",
               "missing required key \"split\" (the budget is set; expected "
               "{\"it\": a, \"facility\": b, \"other\": c} summing to 1)");
  }
}

//! Weights are evaluated per selector over the horizon (trajectories), then copied to each
//! region the selector resolves to: a region × year table the engine reads without selectors.
//! Region weights by selector, resolved per region; absent means {"*": 1}.
void Builder::region_weights(Scenario& s) {
  const int years = h_.years();
  const auto nr = static_cast<Eigen::Index>(s.regions.size());
  const Node& node = field_node(root_, "capex");
  const json& capex = capex_section();
  s.capex.region_weight = Eigen::ArrayXXd::Zero(nr, years);
  const Node& weight_node = *field_node(node, "region_weights").items;
  if (const json* w = member(capex, "region_weights"); w != nullptr && w->is_object()) {
    // Each selector's weight evaluated once, then given to the regions it resolves to; a region
    // no selector matches keeps weight 0 and gets no money.
    const auto sel = selectors(s, *w, "/capex/region_weights");
    std::vector<Eigen::ArrayXd> values;
    for (const auto& k : sel) {
      values.push_back(series(&w->at(k), weight_node, join_ptr("/capex/region_weights", k)));
    }
    for (Eigen::Index r = 0; r < nr; ++r) {
      const int i = resolve(sel, s.regions[static_cast<std::size_t>(r)], "/capex/region_weights");
      if (i >= 0) s.capex.region_weight.row(r) = values[static_cast<std::size_t>(i)].transpose();
    }
  } else {
    // No weights: every region weighs 1, so open regions share alike.
    s.capex.region_weight.setOnes();
  }
}

//! A mix is a table hardware × year per selector; the sum to 1 is checked in every year within
//! 1e-9. A region given IT budget in some year with no matching selector is an error: its IT
//! money would have nothing to buy. A region that may not install a type keeps the type's share
//! in its table; the engine renormalises over what it may buy (buyable) and is on sale.
//! The hardware mix per region: shares by selector, each summing to 1.
void Builder::hardware_mix(Scenario& s) {
  const int years = h_.years();
  const auto nh = static_cast<Eigen::Index>(s.hardware.size());
  const Node& node = field_node(root_, "capex");
  const json& capex = capex_section();
  const bool any_budget = (s.capex.budget > 0).any();
  s.capex.mix.assign(s.regions.size(), Eigen::ArrayXXd::Zero(nh, years));
  const Node& mix_node = *field_node(node, "hardware_mix").items->items;
  const json* mix = member(capex, "hardware_mix");
  const bool any_it = any_budget && (s.capex.split_it > 0).any();
  if (mix != nullptr && mix->is_object()) {
    const auto sel = selectors(s, *mix, "/capex/hardware_mix");
    std::vector<Eigen::ArrayXXd> tables;
    for (const auto& k : sel) {
      const std::string mptr = join_ptr("/capex/hardware_mix", k);
      Eigen::ArrayXXd t = Eigen::ArrayXXd::Zero(nh, years);
      const json& shares = mix->at(k);
      if (shares.is_object()) {
        for (const auto& [hw_id, share] : shares.items()) {
          const int hi = s.hardware_index(hw_id);
          if (hi < 0) {
            unknown_hardware(s, join_ptr(mptr, hw_id), hw_id);
            continue;
          }
          t.row(hi) = series(&share, mix_node, join_ptr(mptr, hw_id)).transpose();
        }
        // The shares of a selector's mix must sum to 1 in every year (within 1e-9 for written
        // decimals); the engine renormalises only over what a region may buy and is on sale.
        const Eigen::ArrayXd sum = t.colwise().sum().transpose();
        for (int y = 0; y < years && nh > 0; ++y) {
          if (std::abs(sum(y) - 1.0) > 1e-9) {
            ctx_.error(mptr, "expected hardware shares summing to 1 in every year, found " +
                                 fmt_number(sum(y)) + " in " + std::to_string(h_.start + y));
            break;
          }
        }
      }
      tables.push_back(std::move(t));
    }
    for (std::size_t r = 0; r < s.regions.size(); ++r) {
      const int i = resolve(sel, s.regions[r], "/capex/hardware_mix");
      if (i >= 0) {
        // A copy per region: the engine reads a region's table directly, without selectors.
        s.capex.mix[r] = tables[static_cast<std::size_t>(i)];
      } else if (any_it && (s.capex.region_weight.row(static_cast<Eigen::Index>(r)) > 0).any()) {
        ctx_.error("/capex/hardware_mix",
                   "region " + in_quotes(s.regions[r].id) +
                       " receives IT budget but no hardware_mix selector matches it (add its "
                       "id, a glob, a #tag or \"*\")");
      }
    }
  } else if (any_it) {
    ctx_.error("/capex",
               "missing required key \"hardware_mix\" (the IT budget is set; expected "
               "{\"*\": {\"HARDWARE\": 1}})");
  }
}

}  // namespace dcplan::loader
