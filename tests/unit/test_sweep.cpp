// Sweep specs, distributions and the generator.
#include <catch2/catch.hpp>
#include <cmath>
#include <sstream>

#include "dcplan/error.hpp"
#include "dcplan/sweep.hpp"
#include "stats.hpp"

using namespace dcplan;
using Catch::Matchers::Contains;

TEST_CASE("distributions have the right mean and variance (100,000 draws, 4 standard errors)",
          "[sweep][stats]") {
  const char* specs[] = {"/x=uniform(2,5)", "/x=normal(10,3)", "/x=lognormal(0.5,0.4)",
                         "/x=triangular(1,2,6)", "/x=triangular(0,0,1)"};
  for (const char* text : specs) {
    const VarySpec v = parse_vary(text);
    const int n = 100000;
    double sum = 0, sum2 = 0;
    std::vector<double> xs(n);
    for (int i = 0; i < n; ++i) {
      Rng rng(7, static_cast<std::uint64_t>(i));
      xs[static_cast<std::size_t>(i)] = v.draw(rng);
      sum += xs[static_cast<std::size_t>(i)];
    }
    const double mean = sum / n;
    for (double x : xs) sum2 += (x - mean) * (x - mean);
    const double var = sum2 / (n - 1);
    // Standard error of the mean: sqrt(var / n); of the variance: sqrt((m4 − var²) / n).
    double m4 = 0;
    for (double x : xs) m4 += std::pow(x - mean, 4);
    m4 /= n;
    INFO(text << ": mean " << mean << " vs " << v.mean() << ", variance " << var << " vs "
              << v.variance());
    CHECK(std::abs(mean - v.mean()) < 4 * std::sqrt(v.variance() / n));
    CHECK(std::abs(var - v.variance()) < 4 * std::sqrt((m4 - var * var) / n));
  }
}

TEST_CASE("uniform draws stay in their support, the generator is a pure function of (seed, run)",
          "[sweep]") {
  const VarySpec u = parse_vary("/x=uniform(0.8,1.2)");
  for (int i = 0; i < 10000; ++i) {
    Rng a(3, static_cast<std::uint64_t>(i));
    Rng b(3, static_cast<std::uint64_t>(i));
    const double x = u.draw(a);
    CHECK(x >= 0.8);
    CHECK(x < 1.2);
    CHECK(x == u.draw(b));
  }
  Rng a(1, 0), b(2, 0), c(1, 1);
  const auto x = a.next();
  CHECK(x != b.next());
  CHECK(x != c.next());
}

TEST_CASE("ranges and lists: sizes and orders as documented", "[sweep]") {
  auto v = parse_vary("/regions/r/pue=1.1:1.3:0.05");
  REQUIRE(v.values.size() == 5);  // 1.1, 1.15, 1.2, 1.25, 1.3: the end is included
  CHECK(v.values.front() == Approx(1.1));
  CHECK(v.values.back() == Approx(1.3));
  CHECK(!v.multiply);
  CHECK(v.is_grid());
  v = parse_vary("/capex/budget*=0.5,1,2");
  CHECK(v.multiply);
  CHECK(v.pointer == "/capex/budget");
  CHECK(v.values == std::vector<double>{0.5, 1, 2});
  v = parse_vary("/x=0:1:0.3");  // 0, 0.3, 0.6, 0.9: 1 is not on the grid
  CHECK(v.values.size() == 4);
  v = parse_vary("/x=7");
  CHECK(v.values.size() == 1);
}

TEST_CASE("invalid specs name the problem", "[sweep]") {
  const std::pair<const char*, const char*> bad[] = {
      {"/x=normal(1)", "normal(m,s) takes 2 numbers, found 1"},
      {"/x=1:0:0.1", "needs a <= b"},
      {"/x=0:1:0", "step > 0"},
      {"/x=uniform(2,1)", "a < b"},
      {"/x=triangular(0,2,1)", "a <= mode <= b"},
      {"/x=normal(0,-1)", "s > 0"},
      {"/x=gamma(1,2)", "unknown distribution"},
      {"/x=1,two", "\"two\" is not a number"},
      {"x=1", "starting with /"},
      {"/x", "PTR=SPEC"},
      {"/x=", "no SPEC"},
      {"/x=1:2", "three numbers"},
  };
  for (const auto& [text, words] : bad) {
    INFO(text);
    try {
      (void)parse_vary(text);
      FAIL("accepted");
    } catch (const InputError& e) {
      CHECK_THAT(e.diagnostics().front().message, Contains(words));
    }
  }
}

namespace {

//! The sweep's output with 1 thread, after checking that 2 and 3 threads give the same bytes.
std::string same_with_1_2_3_threads(SweepOptions o) {
  std::ostringstream one, two, three;
  o.jobs = 1;
  run_sweep(o, one);
  o.jobs = 2;
  run_sweep(o, two);
  o.jobs = 3;
  run_sweep(o, three);
  const std::string text = one.str();
  CHECK(text == two.str());
  CHECK(text == three.str());
  return text;
}

}  // namespace

TEST_CASE("a sweep's rows do not depend on the thread count", "[sweep]") {
  SweepOptions o;
  o.scenario = std::string(DCPLAN_SOURCE_DIR) + "/scenarios/examples/minimal.json";
  o.varies = {"/regions/us-east/pue=1.1,1.3", "/capex/budget*=uniform(0.8,1.2)"};
  o.samples = 7;
  o.seed = 42;
  const std::string text = same_with_1_2_3_threads(o);
  // 2 grid points x 7 samples, 6 years each, plus the header and column lines.
  CHECK(std::count(text.begin(), text.end(), '\n') == 2 + 2 * 7 * 6);
  // Grid point = run / samples: runs 0-6 have pue 1.1, 7-13 pue 1.3.
  CHECK_THAT(text, Contains("\n0,1.1,") && Contains("\n7,1.3,"));
}

TEST_CASE("many runs through a full reorder buffer come out in order", "[sweep]") {
  // 1,500 runs: more than the reorder buffer holds with 3 threads (4 chunks of 32 each), so
  // workers wait for the writer and slots are reused; rows and summary as with one thread.
  SweepOptions o;
  o.scenario = std::string(DCPLAN_SOURCE_DIR) + "/scenarios/examples/minimal.json";
  o.varies = {"/capex/budget*=uniform(0.8,1.2)"};
  o.samples = 1500;
  o.seed = 5;
  for (const bool summary : {false, true}) {
    o.summary = summary;
    INFO("summary " << summary);
    const std::string text = same_with_1_2_3_threads(o);
    if (!summary) CHECK(std::count(text.begin(), text.end(), '\n') == 2 + 1500 * 6);
  }
}

TEST_CASE("the Wilson score interval of a pass rate, at known values", "[sweep][stats]") {
  // (p + z²/2n ± z·sqrt(p(1−p)/n + z²/4n²)) / (1 + z²/n), z = 1.6448536269514722, worked by
  // hand: z² = 2.705543454095413.
  const double z2 = 2.705543454095413;
  // 0 of 10: p = 0, so the centre and the half width are both (z²/20) / (1 + z²/10)
  // = 0.1352771727 / 1.2705543454 = 0.1064710: [0, 0.2129420].
  const stats::Interval none = stats::wilson(0, 10);
  CHECK(none.low == 0);
  CHECK(none.high == Approx(2 * (z2 / 20) / (1 + z2 / 10)).epsilon(1e-12));
  CHECK(none.high == Approx(0.21294).epsilon(1e-4));
  // 10 of 10: the mirror image, [0.7870580, 1].
  const stats::Interval all = stats::wilson(10, 10);
  CHECK(all.high == 1);
  CHECK(all.low == Approx(1 - 2 * (z2 / 20) / (1 + z2 / 10)).epsilon(1e-12));
  // 5 of 10: centred on 0.5; half width z·sqrt(0.025 + z²/400) / (1 + z²/10)
  // = 1.6448536 × sqrt(0.0317638586) / 1.2705543 = 0.2931527 / 1.2705543
  // = 0.2307282...: [0.2692718, 0.7307282].
  const stats::Interval half = stats::wilson(5, 10);
  CHECK(half.low == Approx(0.5 - 0.2307282).epsilon(1e-6));
  CHECK(half.high == Approx(0.5 + 0.2307282).epsilon(1e-6));
  CHECK(half.low + half.high == Approx(1.0).epsilon(1e-15));
  // No runs: no interval.
  CHECK(std::isnan(stats::wilson(0, 0).low));
}
