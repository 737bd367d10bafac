// libFuzzer target over the whole path from bytes to results: parse, validate, load with
// overrides, run (horizon capped), write csv. Any exception other than dcplan::InputError, any
// sanitizer report, leak or timeout is a finding.
//
// Input: the scenario text; after a first NUL byte, up to four "--set" overrides, one a line.
// The scenario is named scenarios/fuzz-input.json (run from the repository root), so that the
// seeds' includes of catalog/... resolve and the directory rule is exercised.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "dcplan/engine.hpp"
#include "dcplan/error.hpp"
#include "dcplan/io/format.hpp"
#include "dcplan/load.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const auto nul = input.find('\0');
  const std::string text = input.substr(0, nul);
  dcplan::LoadOptions options;
  if (nul != std::string::npos) {
    std::size_t start = nul + 1;
    while (start < input.size() && options.overrides.size() < 4) {
      const auto end = input.find('\n', start);
      options.overrides.push_back(
          input.substr(start, end == std::string::npos ? std::string::npos : end - start));
      if (end == std::string::npos) break;
      start = end + 1;
    }
  }
  try {
    const dcplan::Scenario s =
        dcplan::load_scenario_text(text, "scenarios/fuzz-input.json", options);
    if (s.horizon.years() > 40 || s.regions.size() * s.hardware.size() > 2000) return 0;
    const dcplan::Results r = dcplan::simulate(s, dcplan::EngineOptions{s.hardware.size() < 20});
    dcplan::View view;
    view.by = dcplan::RowsBy::kHardware;
    (void)dcplan::io::format_results(r, view, dcplan::io::Format::kCsv);
  } catch (const dcplan::InputError&) {
    // Rejected input: the expected outcome for most of what the fuzzer writes.
  }
  return 0;
}
