#include "search/evaluator.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>

#include "dcplan/compare.hpp"
#include "dcplan/diagnose.hpp"
#include "dcplan/error.hpp"
#include "dcplan/io/cells.hpp"
#include "dcplan/selector.hpp"
#include "dcplan/targets.hpp"
#include "json_io.hpp"
#include "load/detail.hpp"
#include "sha256.hpp"
#include "text.hpp"
#include "vary/metric.hpp"

namespace dcplan {

SearchRange parse_range(const std::string& text, const char* option) {
  SearchRange r;
  r.text = text;
  const auto eq = text.find('=');
  auto bad = [&](const std::string& what) {
    throw InputError(option, "",
                     "invalid range \"" + jsonio::excerpt(text) + "\": " + what +
                         " (expected PTR=LO:HI or PTR*=LO:HI, e.g. /capex/budget*=0.5:2)");
  };
  if (eq == std::string::npos || eq == 0) bad("no '='");
  r.multiply = text[eq - 1] == '*';
  r.pointer = text.substr(0, r.multiply ? eq - 1 : eq);
  if (r.pointer.empty() || r.pointer.front() != '/') bad("the pointer must start with '/'");
  const std::string spec = text.substr(eq + 1);
  const auto colon = spec.find(':');
  if (colon == std::string::npos || spec.find(':', colon + 1) != std::string::npos) {
    bad("expected two numbers LO:HI");
  }
  if (!text::parse_double(spec.substr(0, colon), r.lo) ||
      !text::parse_double(spec.substr(colon + 1), r.hi) || !std::isfinite(r.lo) ||
      !std::isfinite(r.hi)) {
    bad("LO and HI must be finite numbers");
  }
  if (!(r.lo < r.hi)) bad("LO must be less than HI");
  return r;
}

double margin(const TargetResult& t) {
  if (is_empty_cell(t.value) || is_empty_cell(t.bound)) {
    return -std::numeric_limits<double>::infinity();
  }
  const double slack = t.tolerance * std::abs(t.bound);
  switch (t.kind) {
    case BoundKind::kAtLeast:
      return t.value - (t.bound - slack);
    case BoundKind::kAtMost:
      return (t.bound + slack) - t.value;
    case BoundKind::kEquals:
      return slack - std::abs(t.value - t.bound);
  }
  return 0;
}

namespace search {

using json = nlohmann::json;

Problem prepare(const std::string& scenario, const LoadOptions& load,
                const std::vector<SearchRange>& ranges, std::vector<Target> targets) {
  Problem p{vary::load_base(scenario, load), ranges, std::move(targets), {}};
  for (const auto& r : ranges) {
    const vary::Input& in =
        vary::bind(p.varied, vary::list_spec(r.pointer, r.multiply, {r.lo, r.hi}));
    p.integer.push_back(!in.spec.multiply && in.node->kind == schema::Kind::kInteger);
  }
  for (const auto& t : p.targets) vary::check_target(p.varied.base, t);
  // Both ends, once: a value the format refuses is an input error now, not halfway.
  Evaluator e(p);
  for (const bool high : {false, true}) {
    std::vector<double> v;
    for (const auto& r : ranges) v.push_back(high ? r.hi : r.lo);
    (void)e.run(v);
  }
  return p;
}

Evaluator::Evaluator(const Problem& problem)
    : p_(problem), runner_(problem.varied, problem.cancel) {}

const Results& Evaluator::run(const std::vector<double>& values, long long number) {
  EngineOptions eo;
  eo.region_rows = !p_.totals_only;
  const Results& res = runner_.run(number, values, eo);
  // The targets searched for, in place of the scenario's own (the engine does not read them).
  runner_.scenario().targets = p_.targets;
  ++runs_;
  return res;
}

std::vector<TargetResult> Evaluator::targets(bool with_text) const {
  return check_targets(runner_.scenario(), runner_.results(), with_text);
}

double Evaluator::worst_margin() const {
  double worst = std::numeric_limits<double>::infinity();
  for (const auto& t : targets(false)) worst = std::min(worst, margin(t));
  return worst;
}

std::string json_number(double v, bool integer) {
  if (integer) return fmt::format("{}", static_cast<long long>(std::llround(v)));
  return io::exact_number(v);
}

namespace {

//! One key's value in the answer, written into `doc` (the patch); returns the pointer written.
//! A factor is applied to the trajectory as the scenario writes it. A point the series does not
//! write is added to it; one added to a constant writes the whole series the run had.
std::string answer_value(const Problem& p, const vary::Binding& b, double x, json& doc) {
  const SearchRange& r = p.ranges[b.input];
  const json* field = b.series_year ? vary::document_value(p.varied.doc, b.field_pointer) : nullptr;
  const bool integer = p.integer[b.input];
  if (field != nullptr && field->is_number()) {
    const json::json_pointer at(b.field_pointer);
    if (!doc.contains(at) || !doc.at(at).is_object()) {
      doc[at] = json{{"series", json{{std::to_string(p.varied.base.horizon.start), *field}}}};
    }
    const double v = r.multiply ? b.series_base * x : x;
    doc[at]["series"][std::to_string(*b.series_year)] = json::parse(json_number(v, integer));
    return b.field_pointer;
  }
  json value;
  if (!r.multiply) {
    value = json::parse(json_number(x, integer));
  } else if (b.series_year && !vary::document_value(p.varied.doc, b.spec.pointer)) {
    value = json::parse(json_number(b.series_base * x, false));  // a point the series lacks
  } else {
    value = p.varied.doc.at(json::json_pointer(b.spec.pointer));
    vary::scale_trajectory(value, x);
  }
  doc[json::json_pointer(b.spec.pointer)] = value;
  return b.spec.pointer;
}

}  // namespace

void write_answer(const Problem& p, const std::vector<std::string>& overrides,
                  const std::vector<double>& values, std::string& set_line, std::string& patch) {
  json doc = detail::overrides_patch(p.varied.doc, overrides, "-o");
  // Each key a range reaches (a selector's every key) at its value, in the order of the ranges.
  std::vector<std::string> written;
  for (const vary::Binding& b : p.varied.bindings) {
    const std::string pointer = answer_value(p, b, values[b.input], doc);
    if (std::find(written.begin(), written.end(), pointer) == written.end())
      written.push_back(pointer);
  }
  set_line.clear();
  for (const auto& pointer : written) {
    const std::string text = doc.at(json::json_pointer(pointer)).dump();
    const bool plain = std::all_of(text.begin(), text.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '+';
    });
    const std::string arg = pointer + "=" + text;
    set_line +=
        std::string(set_line.empty() ? "" : " ") + "--set " +
        (plain && arg.find_first_of(" '\"$`\\") == std::string::npos ? arg : "'" + arg + "'");
  }
  patch = doc.dump(2);
}

std::vector<std::string> what_bound_targets(const Problem& p, const Evaluator& e) {
  std::vector<std::string> out;
  const Scenario& s = e.scenario();
  const Results& res = e.results();
  for (const auto& t : p.targets) {
    const bool one_region = s.find_region(t.region) != nullptr;
    const std::string bound = what_bound(res, t.last_year, one_region ? t.region : "total");
    if (bound.empty()) continue;
    std::string detail;
    for (std::size_t r = 0; r < s.regions.size(); ++r) {
      const Region& region = s.regions[r];
      if (!(one_region ? region.id == t.region
                       : selector_matches(t.region, region) || t.region == "total")) {
        continue;
      }
      const auto row = res.find_row(t.last_year, static_cast<int>(r));
      const auto flags = row < 0 ? 0U : static_cast<unsigned>(res.values(row, kLimit));
      const Eigen::Index y = t.last_year - s.horizon.start;
      if ((flags & kLimitGrid) != 0 && region.max_new_mw_per_year) {
        detail += fmt::format(
            "; {}: max_new_mw_per_year {:.4g} MW a year with {}-year "
            "construction",
            region.id, (*region.max_new_mw_per_year)(y), region.construction_years);
      }
      if ((flags & kLimitCap) != 0 && region.max_total_mw) {
        detail += fmt::format("; {}: max_total_mw {:.4g} MW", region.id, (*region.max_total_mw)(y));
      }
    }
    out.push_back(fmt::format("{}: in {} bound by {}{}", t.name, t.last_year, bound, detail));
  }
  return out;
}

}  // namespace search

}  // namespace dcplan

namespace dcplan {

std::string extending_scenario(const std::string& scenario, const std::string& output,
                               const std::string& patch, const std::string& note) {
  namespace fs = std::filesystem;
  if (scenario == "-") {
    throw InputError("-o", "",
                     "a scenario read from standard input cannot be extended: give its file");
  }
  const fs::path base = fs::absolute(scenario).lexically_normal();
  fs::path dir = fs::absolute(output).lexically_normal().parent_path();
  const std::string rel = base.lexically_relative(dir).generic_string();
  nlohmann::ordered_json doc;
  doc["extends"] = rel.empty() ? base.generic_string() : rel;
  doc["description"] = note;
  const auto values = nlohmann::ordered_json::parse(patch);
  for (const auto& [k, v] : values.items()) doc[k] = v;
  return doc.dump(2) + "\n";
}

bool extends_beneath(const std::string& scenario, const std::string& output) {
  namespace fs = std::filesystem;
  const fs::path base = fs::absolute(scenario).lexically_normal();
  const fs::path dir = fs::absolute(output).lexically_normal().parent_path();
  const fs::path rel = base.lexically_relative(dir);
  return !rel.empty() && *rel.begin() != "..";
}

std::string standalone_scenario(const std::string& scenario, const LoadOptions& load,
                                const std::string& sha256, const std::string& patch,
                                const std::string& note) {
  if (scenario == "-") {
    throw InputError("-o", "",
                     "a scenario read from standard input cannot be read again to be written "
                     "whole: give its file");
  }
  // Read again: the search kept its document in its own form. Its hash tells whether these are
  // still the files the search read.
  const std::string merged = merged_document(scenario, load);
  if (sha256_hex(merged) != sha256) {
    throw InputError("-o", "",
                     "the scenario's files changed while the search ran (its merged document's "
                     "SHA-256 differs): nothing written; run the search again");
  }
  nlohmann::json doc = nlohmann::json::parse(merged);
  // The answer as extends would apply it; its pointers reach into objects only (write_answer).
  doc.merge_patch(nlohmann::json::parse(patch));
  const auto own = doc.find("description");
  doc["description"] = own != doc.end() && own->is_string() && !own->get<std::string>().empty()
                           ? note + " The scenario's own description: " + own->get<std::string>()
                           : note;
  return doc.dump(2) + "\n";
}

}  // namespace dcplan
