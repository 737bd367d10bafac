#include <spdlog/spdlog.h>

#include "cli/commands.hpp"
#include "dcplan/load.hpp"

namespace dcplan::cli {

int run(const RunOptions& o) {
  const Scenario s = load_scenario(o.scenario, LoadOptions{o.overrides});
  spdlog::info("{}: {} hardware, {} regions, {}-{}", o.scenario, s.hardware.size(),
               s.regions.size(), s.horizon.start, s.horizon.end);
  return 0;
}

}  // namespace dcplan::cli
