// Loads a scenario with the installed library, runs it, prints the last year's total energy.
#include <cstdio>
#include <exception>

#include "dcplan/build_info.hpp"
#include "dcplan/engine.hpp"
#include "dcplan/load.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: consumer SCENARIO\n");
    return 2;
  }
  try {
    const dcplan::Scenario s = dcplan::load_scenario(argv[1]);
    const dcplan::Results r = dcplan::simulate(s);
    const Eigen::Index last = r.rows() - 1;  // the last year's total row
    std::printf("dcplan %s (%s): %s %d energy_twh %.6g\n", dcplan::build_info::version(),
                dcplan::build_info::commit(), s.name.c_str(), s.horizon.end,
                r.values(last, dcplan::kEnergyTwh));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "consumer: %s\n", e.what());
    return 1;
  }
  return 0;
}
