#include "dcplan/results.hpp"

#include <array>

namespace dcplan {

namespace {
using K = ColumnKind;
constexpr std::array kColumns = {
    ColumnInfo{"year", "", K::kKey, false, false, "calendar year"},
    ColumnInfo{"region", "", K::kKey, false, false, "region id, or total"},
    ColumnInfo{"budget_usd", "USD", K::kFlow, true, false,
               "the region's weight share of the year's new budget (carry-over excluded)"},
    ColumnInfo{"capex_it_usd", "USD", K::kFlow, true, false, "IT capex spent on accelerators"},
    ColumnInfo{"capex_facility_usd", "USD", K::kFlow, true, false,
               "facility capex spent on building, power and cooling"},
    ColumnInfo{"capex_other_usd", "USD", K::kFlow, true, false, "other capex, adds no capacity"},
    ColumnInfo{"capex_usd", "USD", K::kFlow, true, false, "total capex spent"},
    ColumnInfo{"carryover_usd", "USD", K::kFlow, true, false,
               "budget no region could absorb, carried to the next year"},
    ColumnInfo{"stranded_capex_usd", "USD", K::kStock, true, false,
               "purchase value of accelerators waiting for power at year end"},
    ColumnInfo{"accelerators_purchased", "count", K::kFlow, false, false,
               "accelerators bought in the year"},
    ColumnInfo{"accelerators_installed", "count", K::kStock, false, false,
               "accelerators installed and powered at year end"},
    ColumnInfo{"accelerators_stranded", "count", K::kStock, false, false,
               "accelerators bought but waiting for power at year end"},
    ColumnInfo{"accelerators_failed", "count", K::kFlow, false, false,
               "accelerators lost to failures in the year"},
    ColumnInfo{"accelerators_retired", "count", K::kFlow, false, false,
               "accelerators retired in the year (at end of life, or by their retirement curve)"},
    ColumnInfo{"it_capacity_mw", "MW", K::kStock, false, false, "online IT capacity at year end"},
    ColumnInfo{"it_capacity_pipeline_mw", "MW", K::kStock, false, false,
               "IT capacity under construction at year end"},
    ColumnInfo{"it_nameplate_mw", "MW", K::kStock, false, false,
               "nameplate all-in power of installed accelerators at year end"},
    ColumnInfo{"it_load_mw", "MW", K::kFlow, false, false, "average IT power draw over the year"},
    ColumnInfo{"pue", "", K::kRatio, false, false, "power usage effectiveness"},
    ColumnInfo{"facility_power_mw", "MW", K::kFlow, false, false,
               "average facility power draw over the year (IT load x PUE)"},
    ColumnInfo{"energy_twh", "TWh", K::kFlow, false, false, "facility energy over the year"},
    ColumnInfo{"peak_pflops", "PFLOP/s", K::kStock, false, false,
               "dense BF16 peak of installed accelerators at year end"},
    ColumnInfo{"delivered_eflop_year", "EFLOP-year", K::kFlow, false, false,
               "compute delivered over the year (utilisation x available)"},
    ColumnInfo{"utilisation", "", K::kRatio, false, false, "average busy fraction"},
    ColumnInfo{"electricity_cost_usd", "USD", K::kFlow, true, false, "energy x power price"},
    ColumnInfo{
        "maintenance_usd", "USD", K::kFlow, true, false,
        "maintenance on facilities online and accelerators not stranded, within their lives"},
    ColumnInfo{"opex_usd", "USD", K::kFlow, true, false, "electricity + lease + maintenance"},
    ColumnInfo{"depreciation_usd", "USD", K::kFlow, true, false,
               "straight-line depreciation: accelerators from purchase, facilities from the year "
               "they come online, other capex from spending"},
    ColumnInfo{"tco_usd", "USD", K::kFlow, true, false,
               "depreciation + opex (capital_charge_usd + opex under finance.capital_charge "
               "\"annuity\")"},
    ColumnInfo{"cost_per_eflop_year_usd", "USD per EFLOP-year", K::kRatio, true, false,
               "TCO per delivered EFLOP-year"},
    ColumnInfo{"discounted_cost_usd", "USD", K::kFlow, true, false,
               "(capex + opex) discounted to the first year"},
    ColumnInfo{"operational_tco2", "t CO2e", K::kFlow, false, false,
               "grid emissions net of renewable supply"},
    ColumnInfo{"embodied_tco2", "t CO2e", K::kFlow, false, false,
               "manufacturing emissions of accelerators bought"},
    ColumnInfo{"it_capacity_leased_mw", "MW", K::kStock, false, false,
               "IT capacity rented from third parties at year end"},
    ColumnInfo{"it_capacity_free_mw", "MW", K::kStock, false, false,
               "owned online plus leased IT capacity that no installed accelerator uses, at year "
               "end (empty halls)"},
    ColumnInfo{"facility_capacity_mw", "MW", K::kStock, false, false,
               "(owned online + leased IT capacity) x PUE: the facility power at full IT load, "
               "what \"a 5 GW campus\" means"},
    ColumnInfo{"lease_usd", "USD", K::kFlow, true, false, "leased MW x lease price (part of opex)"},
    ColumnInfo{"capex_keep_usd", "USD", K::kFlow, true, false,
               "capex on installed bases kept (region key keep, step 5b); part of capex_usd, not "
               "of capex_it_usd (only when a region keeps an installed base)"},
    ColumnInfo{"servers_purchased", "count", K::kFlow, false, false,
               "conventional servers (hardware of kind server) bought in the year, kept or not "
               "(only when the scenario has servers)"},
    ColumnInfo{"servers_installed", "count", K::kStock, false, false,
               "conventional servers installed and powered at year end (only when the scenario "
               "has servers)"},
    ColumnInfo{"servers_stranded", "count", K::kStock, false, false,
               "conventional servers bought but waiting for power at year end (only when the "
               "scenario has servers)"},
    ColumnInfo{"servers_failed", "count", K::kFlow, false, false,
               "conventional servers lost to failures in the year (only when the scenario has "
               "servers)"},
    ColumnInfo{"servers_retired", "count", K::kFlow, false, false,
               "conventional servers retired in the year (only when the scenario has servers)"},
    ColumnInfo{"financing_usd", "USD", K::kFlow, true, false,
               "interest during construction on the facilities coming online this year: "
               "S·((1 + wacc)^c − 1) on facility money S spent c years earlier; capitalised, so "
               "it reaches tco_usd through depreciation or the capital charge, not as capex or "
               "opex (only with a cost-of-capital key)"},
    ColumnInfo{"capital_charge_usd", "USD", K::kFlow, true, false,
               "the annuity of the assets within their book life: CRF(wacc, life) x capitalised "
               "cost, wacc of the year bought (accelerators, other capex) or online "
               "(facilities); tco_usd uses it in place of depreciation_usd under "
               "finance.capital_charge \"annuity\" (only with a cost-of-capital key)"},
    ColumnInfo{"book_value_usd", "USD", K::kStock, true, false,
               "capitalised cost less accumulated straight-line depreciation of the assets "
               "within their book life, at year end; capacity under construction is not yet on "
               "the books (only with a cost-of-capital key)"},
    ColumnInfo{"own_usd_per_mw_year", "USD per MW-year", K::kRatio, true, false,
               "the yearly cost of owning a new MW of IT capacity in the region: facility price "
               "x (1 + wacc)^c with interest during construction x CRF(wacc, "
               "facility_life_years) + maintenance; to set against lease_usd_per_mw_year "
               "(empty in total rows; only with a cost-of-capital key)"},
    ColumnInfo{"cost_per_gpu_hour_usd", "USD per GPU-hour", K::kRatio, true, false,
               "the accelerators' TCO per accelerator-hour delivered: (tco_usd less the "
               "servers' own costs and their share by nameplate of the halls) / (accelerators "
               "installed, year-weighted, x 8,760 h x utilisation); empty at zero (only with a "
               "cost-of-capital key)"},
    ColumnInfo{"embodied_facility_tco2", "t CO2e", K::kFlow, false, false,
               "embodied carbon of the IT capacity coming online (MW x "
               "facility_embodied_tco2_per_mw); apart from embodied_tco2 (only with a "
               "cost-of-capital key)"},
    ColumnInfo{"embodied_amortised_tco2", "t CO2e", K::kFlow, false, false,
               "embodied carbon spread over book lives: units bought within their lifetime x "
               "embodied_kgco2e / lifetime, plus facilities within their life x their embodied "
               "/ facility_life_years (only with a cost-of-capital key)"},
    ColumnInfo{"limit", "", K::kText, false, false,
               "the constraints that bound the region this year, joined by +: closed, grid, cap, "
               "power, hardware, or budget when none held and it spent all it was given "
               "(docs/model.md); the total row shows those of regions given together at least "
               "10% of the year's budget_usd (never closed)"},
    ColumnInfo{"demand_eflop_year", "EFLOP-year", K::kFlow, false, true, "compute demand"},
    ColumnInfo{"unmet_eflop_year", "EFLOP-year", K::kFlow, false, true,
               "demand minus delivered compute"},
    ColumnInfo{"revenue_usd", "USD", K::kFlow, true, true, "delivered compute x price"},
    ColumnInfo{"margin_usd", "USD", K::kFlow, true, true, "revenue - TCO"},
    ColumnInfo{"breakeven_utilisation", "", K::kRatio, false, true,
               "the utilisation at which revenue equals TCO, only electricity varying with it: "
               "(TCO − E1·u) / (price·A − E1); above 1, no utilisation breaks even; empty without "
               "a price or when price·A <= E1; with a cost-of-capital key"},
};
}  // namespace

std::span<const ColumnInfo> result_columns() {
  return kColumns;
}

static_assert(kColumns.size() == 2 + kNumCols, "Col and kColumns must list the same columns");

std::string kind_name(ColumnKind kind) {
  switch (kind) {
    case ColumnKind::kKey:
      return "key";
    case ColumnKind::kStock:
      return "stock";
    case ColumnKind::kFlow:
      return "flow";
    case ColumnKind::kRatio:
      return "ratio";
    case ColumnKind::kText:
      return "text";
  }
  return "";
}

std::string_view limit_name(int bit) {
  static constexpr std::array<std::string_view, kNumLimits> kNames = {
      "closed", "grid", "cap", "power", "hardware", "budget"};
  return kNames.at(static_cast<std::size_t>(bit));
}

std::string limit_text(double flags) {
  if (!(flags > 0)) return {};
  const auto bits = static_cast<unsigned>(flags);
  std::string out;
  for (int b = 0; b < kNumLimits; ++b) {
    if ((bits & (1U << b)) == 0) continue;
    if (!out.empty()) out += '+';
    out += limit_name(b);
  }
  return out;
}

std::string results_markdown() {
  std::string out =
      "# Result columns\n\n"
      "<!-- Generated by `dcplan metrics --markdown`; a test checks that it matches. -->\n\n"
      "`dcplan run` writes a tidy table: one row per year and region, then a row whose region is\n"
      "`total` (with `--by hardware`, also one row per hardware type under each region, with a\n"
      "`hardware` column). Every column carries its unit in its name.\n\n"
      "- **stock**: a value at the end of the year (installed accelerators, capacity).\n"
      "- **flow**: a total over the year (energy, money, purchases). Power columns in MW that are\n"
      "  flows (`it_load_mw`, `facility_power_mw`) are the *average draw* over the year, not a\n"
      "  capacity: energy = average draw x 8,760 h.\n"
      "- **ratio**: recomputed from the totals in `total` rows (PUE = facility power / IT load;\n"
      "  cost per EFLOP-year = TCO / delivered), and empty, never infinite, when the denominator\n"
      "  is zero. In targets and gates, a ratio over a year range is the ratio of the sums.\n"
      "- **text**: words (`limit`); not a metric for targets, gates or sweep summaries.\n\n"
      "In `total` rows stocks and flows are sums over the regions. One exception: with demand and\n"
      "no compute installed at all, the whole demand is unmet and shows in the total row only.\n"
      "Money columns are US dollars; `--currency CODE` converts them at the scenario's\n"
      "`fx_per_usd` of each year and renames them (`capex_usd` becomes `capex_cny`), and\n"
      "`--metrics` accepts either name. Empty cells are empty in csv, table and markdown, and\n"
      "`null` in json.\n\n"
      "| column | unit | kind | meaning |\n| --- | --- | --- | --- |\n";
  for (const auto& c : kColumns) {
    out += "| `" + std::string(c.name) + "` | " + (c.unit.empty() ? "-" : std::string(c.unit)) +
           " | " + kind_name(c.kind) + " | " + std::string(c.description) +
           (c.demand_only ? " (only when the scenario has demand)" : "") + " |\n";
  }
  return out;
}

const ColumnInfo& column_info(Col c) {
  return kColumns[static_cast<std::size_t>(c) + 2];
}

bool column_applies(int c, const Results& res) {
  switch (c) {
    case kCapexKeepUsd:
      return res.has_keep;
    case kServersPurchased:
    case kServersInstalled:
    case kServersStranded:
    case kServersFailed:
    case kServersRetired:
      return res.has_servers;
    case kBreakevenUtilisation:
      return res.has_cost_of_capital && res.has_demand;
    default:
      if (is_cost_of_capital_column(c)) return res.has_cost_of_capital;
      return !column_info(static_cast<Col>(c)).demand_only || res.has_demand;
  }
}

bool is_cost_of_capital_column(int c) {
  return (c >= kFinancingUsd && c <= kEmbodiedAmortisedTco2) || c == kBreakevenUtilisation;
}

int value_column(std::string_view name) {
  for (std::size_t i = 2; i < kColumns.size(); ++i) {
    if (kColumns[i].name == name) return static_cast<int>(i - 2);
  }
  return -1;
}

std::string Results::region_name(Eigen::Index row) const {
  const int r = keys[static_cast<std::size_t>(row)].region;
  return r == RowKey::kTotal ? std::string("total") : region_ids[static_cast<std::size_t>(r)];
}

std::string Results::hardware_name(Eigen::Index row) const {
  const int h = keys[static_cast<std::size_t>(row)].hardware;
  return h == RowKey::kAll ? std::string() : hardware_ids[static_cast<std::size_t>(h)];
}

Eigen::Index Results::find_row(int year, int region, int hardware) const {
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const auto& k = keys[i];
    if (k.year == year && k.region == region && k.hardware == hardware) {
      return static_cast<Eigen::Index>(i);
    }
  }
  return -1;
}

const ColumnInfo* find_column(std::string_view name) {
  for (const auto& c : kColumns) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

}  // namespace dcplan
