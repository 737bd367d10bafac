// dcplan — the plain-data Scenario: validated, with every trajectory evaluated over the horizon.
//
// Built only by the loader (load.hpp). Time series are Eigen arrays indexed by
// year − horizon.start; per-region tables are (row × year) arrays. Units are the engine's base
// units unless the name says otherwise: power MW, energy MWh, money US dollars, compute
// PFLOP/s, emissions tonnes CO2e.
#pragma once

#include <Eigen/Core>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace dcplan {

struct Horizon {
  int start = 0;
  int end = 0;
  [[nodiscard]] int years() const { return end - start + 1; }
  [[nodiscard]] int index(int year) const { return year - start; }
};

//! How the units of a hardware type leave service (docs/model.md, step 2).
enum class RetirementCurve {
  kStep,     //!< all at lifetime_years (version 2)
  kWeibull,  //!< by a Weibull survival of mean service life lifetime_years, gone at twice it
};

//! What a unit of a hardware type is: counted in accelerators_* or in servers_*.
enum class HardwareKind {
  kAccelerator,  //!< an AI accelerator (default)
  kServer,       //!< a conventional server, one unit
};

struct Hardware {
  std::string id;
  std::string vendor;
  std::string name;
  std::string source;
  int available = 0;             //!< first year on sale
  std::optional<int> last_sale;  //!< last year on sale
  double bf16_tflops = 0;        //!< [TFLOP/s] dense peak per accelerator
  double hbm_gb = 0;             //!< [GB]
  double tdp_w = 0;              //!< [W] board power (informative)
  double all_in_w = 0;           //!< [W] IT power at full load, host and network share included
  double idle_fraction = 0;      //!< draw when idle / all_in_w
  Eigen::ArrayXd price_usd;      //!< [USD] per accelerator, by year
  int lifetime_years = 1;
  double annual_failure_rate = 0;
  double embodied_kgco2e = 0;  //!< [kg CO2e] per accelerator
  // Model v3, the fleet: what a unit is and how a cohort retires.
  HardwareKind kind = HardwareKind::kAccelerator;
  RetirementCurve retirement = RetirementCurve::kStep;
  double retirement_shape = 0;  //!< Weibull shape k, 1 to 20 (0 when not given)

  [[nodiscard]] bool on_sale(int year) const {
    return year >= available && (!last_sale || year <= *last_sale);
  }
};

//! Accelerators of one hardware type and vintage present at the start of the horizon.
struct InitialCohort {
  int hardware = 0;  //!< index into Scenario::hardware
  int vintage = 0;   //!< year bought
  double count = 0;
};

//! An installed base a region holds: the count of one hardware type at the end of each year
//! (docs/model.md, step 5b).
struct Keep {
  int hardware = 0;      //!< index into Scenario::hardware
  Eigen::ArrayXd count;  //!< by year
};

struct Region {
  std::string id;
  std::string name;
  std::string country;
  std::string source;
  std::vector<std::string> tags;
  std::optional<int> opens;                  //!< first year it receives capex; absent: always
  Eigen::ArrayXd pue;                        //!< by year, >= 1
  Eigen::ArrayXd power_price_usd_per_mwh;    //!< by year
  Eigen::ArrayXd grid_g_per_kwh;             //!< by year
  Eigen::ArrayXd renewable_share;            //!< by year
  Eigen::ArrayXd facility_capex_usd_per_mw;  //!< by year
  int construction_years = 0;
  std::optional<Eigen::ArrayXd> max_new_mw_per_year;  //!< by year; absent: no cap
  std::optional<Eigen::ArrayXd> max_total_mw;         //!< by year; absent: no cap
  //! PUE of capacity built within the horizon, by year; absent: `pue`.
  std::optional<Eigen::ArrayXd> new_build_pue;
  //! [USD per MW-year] rented third-party IT capacity, by year; absent: it cannot lease.
  std::optional<Eigen::ArrayXd> lease_usd_per_mw_year;
  //! [MW] most IT capacity it may lease, by year; absent (with a lease price): no limit.
  std::optional<Eigen::ArrayXd> max_lease_mw;
  std::vector<bool> allowed;  //!< per hardware index
  double initial_it_capacity_mw = 0;
  std::vector<InitialCohort> initial_fleet;
  // Model v3, initial assets on the books:
  //! The year the initial capacity was built (initial.built, <= horizon start); absent: the
  //! horizon start. Read under finance.initial_assets "book" only.
  std::optional<int> initial_built;
  std::vector<Keep> keep;  //!< installed bases held (step 5b), by hardware index ascending
  // Model v3, the cost of capital:
  //! The region's cost of capital, by year; absent: finance.wacc, else finance.discount_rate.
  std::optional<Eigen::ArrayXd> wacc;
  //! [t CO2e per MW of IT capacity] embodied in a facility coming online, by year; absent: 0.
  std::optional<Eigen::ArrayXd> facility_embodied_tco2_per_mw;

  [[nodiscard]] bool is_open(int year) const { return !opens || year >= *opens; }
};

//! Where IT money goes (docs/model.md, step 6).
enum class Placement {
  kPower,    //!< where accelerators can be powered (default)
  kWeights,  //!< each region its own share, whatever its power (version 1)
};

//! What becomes of IT money that finds no power (docs/model.md, step 6).
enum class Overflow {
  kFacility,  //!< it builds capacity this year (default)
  kCarry,     //!< it is kept for next year
  kStrand,    //!< it buys accelerators that wait for power (version 1)
};

// Model v3: facilities sized to need, carry-over by category (docs/model.md, step 3).

//! How a region's IT and facility money is divided (capex.facility_sizing).
enum class FacilitySizing {
  kShare,  //!< by capex.split (default, version 2)
  kNeed,   //!< facilities to what the region's IT money will need (split holds only "other")
};

//! What carried-over money becomes (capex.carryover).
enum class Carryover {
  kSplit,     //!< joins next year's budget and is split again (default, version 2)
  kCategory,  //!< IT stays IT, facility stays facility
};

//! Where the money for kept installed bases comes from (docs/model.md, step 5b).
enum class KeepFunding {
  kSeparate,  //!< money outside the budget (default)
  kBudget,    //!< a first call on the region's own IT share
};

struct Capex {
  Eigen::ArrayXd budget;          //!< [scenario currency] by year
  Eigen::ArrayXd fx_per_usd;      //!< scenario currency per USD, by year (1 for USD)
  Eigen::ArrayXd split_it;        //!< by year
  Eigen::ArrayXd split_facility;  //!< by year
  Eigen::ArrayXd split_other;     //!< by year
  //! The share written "rest" (1 minus the other two): 0 it, 1 facility, 2 other; -1 none.
  int split_rest = -1;
  Placement placement = Placement::kPower;
  Overflow overflow = Overflow::kFacility;
  KeepFunding keep_funding = KeepFunding::kSeparate;
  Eigen::ArrayXXd region_weight;     //!< (region × year), selectors resolved
  std::vector<Eigen::ArrayXXd> mix;  //!< per region: (hardware × year) shares, as written
  //! Per region: the hardware it may install (allowed_hardware) with a share in some year,
  //! ascending. Derived from `mix` and `allowed` by the loader, once.
  std::vector<std::vector<int>> buyable;
  // Model v3:
  FacilitySizing facility_sizing = FacilitySizing::kShare;
  Carryover carryover = Carryover::kSplit;
};

struct Operations {
  Eigen::ArrayXd utilisation;
  double first_year_fraction = 0.5;
  Eigen::ArrayXd max_utilisation;
};

struct Demand {
  Eigen::ArrayXd eflop_year;
  std::optional<Eigen::ArrayXd> price_usd_per_eflop_year;
};

//! The initial fleet and capacity in the accounts (finance.initial_assets).
enum class InitialAssets {
  kSunk,  //!< no capex, depreciation or maintenance (default, version 2)
  kBook,  //!< depreciated and maintained from their vintage (fleet) or initial.built (capacity)
};

//! What an asset costs each year of its book life in the total cost of ownership.
enum class CapitalCharge {
  kDepreciation,  //!< straight-line depreciation (default, version 2)
  kAnnuity,       //!< the capital recovery factor at the cost of capital times its cost
};

struct Finance {
  Eigen::ArrayXd discount_rate;
  Eigen::ArrayXd maintenance_rate;
  int facility_life_years = 20;
  InitialAssets initial_assets = InitialAssets::kSunk;  //!< model v3
  // Model v3, the cost of capital (docs/model.md, step 10):
  std::optional<Eigen::ArrayXd> wacc;  //!< by year; absent: discount_rate
  bool interest_during_construction = false;
  CapitalCharge capital_charge = CapitalCharge::kDepreciation;
  //! finance.interest_during_construction or finance.capital_charge is written.
  bool capital_keys = false;
};

enum class BoundKind { kAtLeast, kAtMost, kEquals };

struct Target {
  std::string name;
  std::string metric;
  int first_year = 0;  //!< a single year has first_year == last_year
  int last_year = 0;
  std::string region = "total";
  BoundKind kind = BoundKind::kAtLeast;
  double value = 0;              //!< the bound, or the factor k of {"times": k}
  std::optional<int> of_year;    //!< set for {"times": k, "of_year": y}
  double tolerance = 0;          //!< relative
  std::string currency = "USD";  //!< money metrics converted at each year's rate
  //! The bound is a share of the total: the metric of `region` divided by the same metric of
  //! every region, over the same years (`delivered_eflop_year@2030:cn-*>=40%`). Stock and flow
  //! metrics only, whose total is the sum of the regions.
  bool share = false;
};

struct Scenario {
  std::string name;
  std::string title;
  std::string description;
  std::vector<std::string> sources;
  std::vector<std::string> assumptions;
  std::string file;  //!< the file it was loaded from ("-" for standard input)
  //! SHA-256 of the merged document it was loaded from, as `dcplan validate --merged` prints it
  //! (so `dcplan validate --merged FILE | sha256sum` gives it too): the scenario hash of
  //! provenance records. Empty for a scenario not loaded from a document.
  std::string sha256;
  Horizon horizon;
  std::string currency = "USD";
  std::map<std::string, Eigen::ArrayXd> fx_per_usd;  //!< every currency the scenario defines
  std::vector<Hardware> hardware;                    //!< sorted by id
  std::vector<Region> regions;                       //!< sorted by id
  Capex capex;
  Operations operations;
  std::optional<Demand> demand;
  Finance finance;
  std::vector<Target> targets;
  //! Model v3: observed values of total rows, result column -> year -> value (the column's
  //! unit; money in USD). Ratio bounds use them in place of the modelled base.
  std::map<std::string, std::map<int, double>> observed;

  [[nodiscard]] const Hardware* find_hardware(const std::string& id) const;
  [[nodiscard]] const Region* find_region(const std::string& id) const;
  [[nodiscard]] int hardware_index(const std::string& id) const;  //!< -1 when absent
  [[nodiscard]] int region_index(const std::string& id) const;    //!< -1 when absent
  //! The observed value of `metric` in `year` (total rows), when the scenario records one.
  [[nodiscard]] std::optional<double> observed_value(const std::string& metric, int year) const;
  //! Model v3: whether the scenario writes a key of the cost of capital (finance.wacc,
  //! interest_during_construction or capital_charge; a region's wacc or
  //! facility_embodied_tco2_per_mw). Their result columns apply only then.
  [[nodiscard]] bool uses_cost_of_capital() const;
};

}  // namespace dcplan
