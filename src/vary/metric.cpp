// What a study reads from each run (see metric.hpp).
#include "vary/metric.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "dcplan/compare.hpp"
#include "dcplan/error.hpp"
#include "dcplan/selector.hpp"
#include "text.hpp"

namespace dcplan::vary {

// Checked before any run: read on a year outside the horizon or over no region, a metric is
// empty, which a search would take for a target that is never met.
void check_target(const Scenario& s, const Target& t, const char* option) {
  auto bad = [&](const std::string& what) {
    throw InputError(option, "", "\"" + text::excerpt(t.name) + "\": " + what);
  };
  for (const int y : {t.first_year, t.last_year}) {
    if (y < s.horizon.start || y > s.horizon.end) {
      bad(fmt::format("{} is outside the horizon {}-{}", y, s.horizon.start, s.horizon.end));
    }
  }
  if (t.of_year && unobserved_base_year(s, t)) {
    bad(fmt::format(
        "the base year {} is outside the horizon {}-{} and has no observed value "
        "(/observed/{}/{}, total rows only)",
        *t.of_year, s.horizon.start, s.horizon.end, t.metric, *unobserved_base_year(s, t)));
  }
  if (t.region == "total") return;
  const bool any = std::any_of(s.regions.begin(), s.regions.end(),
                               [&](const Region& r) { return selector_matches(t.region, r); });
  if (!any) bad("the selector \"" + text::excerpt(t.region) + "\" matches no region");
}

Metric parse_metric(const std::string& raw, const Scenario& s, const char* option) {
  std::string text = raw;
  if (text.find('@') == std::string::npos) {
    const auto colon = text.find(':');
    const std::string at = "@" + std::to_string(s.horizon.end);
    text = colon == std::string::npos ? text + at : text.substr(0, colon) + at + text.substr(colon);
  }
  // The target grammar with a bound that is never used, so that METRIC@YEARS:SELECTOR reads the
  // same in --target, --maximize and --metric.
  const Target t = parse_target(text + ">=0", option);
  Metric m;
  m.col = value_column(t.metric);
  m.first = t.first_year;
  m.last = t.last_year;
  m.selector = t.region;
  m.text = text;
  check_target(s, t, option);
  return m;
}

double Metric::read(const Scenario& s, const Results& res) const {
  return read_metric(s, res, col, selector, first, last, "USD");
}

}  // namespace dcplan::vary
