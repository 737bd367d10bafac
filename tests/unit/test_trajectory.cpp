// Trajectories against values computed by hand, and fits that recover known parameters.
#include <catch2/catch.hpp>
#include <cmath>

#include "dcplan/trajectory.hpp"

using namespace dcplan;
using Catch::Matchers::WithinRel;

namespace {
std::vector<double> as_vector(const Eigen::ArrayXd& a) {
  return {a.data(), a.data() + a.size()};
}
}  // namespace

TEST_CASE("a constant is the same in every year", "[trajectory]") {
  const auto v = evaluate(Trajectory{4.5}, 2020, 2023);
  REQUIRE(as_vector(v) == std::vector<double>{4.5, 4.5, 4.5, 4.5});
}

TEST_CASE("a linear series interpolates and holds flat outside its points", "[trajectory]") {
  // 10 in 2025, 30 in 2029: +5 a year in between; flat before and after.
  SeriesTrajectory s{{{2025, 10.0}, {2029, 30.0}}, Interp::kLinear, std::nullopt};
  const auto v = evaluate(Trajectory{s}, 2024, 2031);
  REQUIRE(as_vector(v) == std::vector<double>{10, 10, 15, 20, 25, 30, 30, 30});
}

TEST_CASE("a step series holds each point until the next", "[trajectory]") {
  SeriesTrajectory s{{{2025, 10.0}, {2027, 20.0}, {2029, 30.0}}, Interp::kStep, std::nullopt};
  const auto v = evaluate(Trajectory{s}, 2024, 2030);
  REQUIRE(as_vector(v) == std::vector<double>{10, 10, 10, 20, 20, 30, 30});
}

TEST_CASE("then_growth grows the last point every year after it", "[trajectory]") {
  // 100 in 2026, then +10%/yr: 110 in 2027, 121 in 2028, 133.1 in 2029.
  SeriesTrajectory s{{{2025, 50.0}, {2026, 100.0}}, Interp::kLinear, 0.10};
  const auto v = evaluate(Trajectory{s}, 2025, 2029);
  CHECK_THAT(v(0), WithinRel(50.0, 1e-12));
  CHECK_THAT(v(1), WithinRel(100.0, 1e-12));
  CHECK_THAT(v(2), WithinRel(110.0, 1e-12));
  CHECK_THAT(v(3), WithinRel(121.0, 1e-12));
  CHECK_THAT(v(4), WithinRel(133.1, 1e-12));
}

TEST_CASE("exponential: base x (1 + rate)^(t - base_year)", "[trajectory]") {
  const Trajectory t = ExponentialTrajectory{100.0, 2025, 0.10};
  CHECK_THAT(value_at(t, 2025), WithinRel(100.0, 1e-12));
  CHECK_THAT(value_at(t, 2027), WithinRel(121.0, 1e-12));
  CHECK_THAT(value_at(t, 2024), WithinRel(100.0 / 1.1, 1e-12));
}

TEST_CASE("logistic: floor + (cap - floor) / (1 + exp(-k (t - midpoint)))", "[trajectory]") {
  const Trajectory t = LogisticTrajectory{10.0, 2030.0, 0.5, 2.0};
  // At the midpoint: halfway between floor and cap.
  CHECK_THAT(value_at(t, 2030), WithinRel(6.0, 1e-12));
  // Two years later: 2 + 8 / (1 + e^-1) = 2 + 8 x 0.7310585786 = 7.848468629.
  CHECK_THAT(value_at(t, 2032), WithinRel(7.848468629, 1e-9));
  // Far in the past: the floor.
  CHECK_THAT(value_at(t, 1950), WithinRel(2.0, 1e-9));
}

TEST_CASE("a linear fit recovers exact linear data", "[trajectory][fit]") {
  YearPoints h;
  for (int y = 2016; y <= 2024; ++y) h.emplace_back(y, 3.0 + 2.5 * (y - 2016));
  const auto f = fit_linear(h);
  CHECK_THAT(f.slope, WithinRel(2.5, 1e-9));
  CHECK_THAT(f.value_at_base, WithinRel(3.0, 1e-9));
  // Evaluated through a fit trajectory: 2030 is 3 + 2.5 x 14 = 38.
  const Trajectory t = FitTrajectory{FitModel::kLinear, h, 0.0};
  CHECK_THAT(value_at(t, 2030), WithinRel(38.0, 1e-9));
}

TEST_CASE("an exponential fit recovers exact exponential data", "[trajectory][fit]") {
  YearPoints h;
  for (int y = 2018; y <= 2024; ++y) h.emplace_back(y, 5.0 * std::pow(1.07, y - 2018));
  const auto f = fit_exponential(h);
  CHECK(f.base_year == 2018);
  CHECK_THAT(f.base, WithinRel(5.0, 1e-9));
  CHECK_THAT(f.rate, WithinRel(0.07, 1e-9));
}

TEST_CASE("a logistic fit recovers exact logistic data", "[trajectory][fit]") {
  struct Case {
    double cap, midpoint, steepness, floor;
    int first, last;
  };
  const Case cases[] = {
      {100.0, 2026.0, 0.6, 0.0, 2015, 2032},    // the whole S
      {415.0, 2028.5, 0.35, 50.0, 2014, 2031},  // with a floor
      {1.0, 2030.0, 0.8, 0.0, 2022, 2033},      // few points, small values
      {80.0, 2027.0, -0.4, 20.0, 2018, 2035},   // decreasing
  };
  for (const auto& c : cases) {
    YearPoints h;
    const LogisticTrajectory truth{c.cap, c.midpoint, c.steepness, c.floor};
    for (int y = c.first; y <= c.last; ++y) h.emplace_back(y, value_at(Trajectory{truth}, y));
    const auto f = fit_logistic(h, c.floor);
    INFO("cap " << c.cap << " midpoint " << c.midpoint << " steepness " << c.steepness);
    CHECK_THAT(f.cap, WithinRel(c.cap, 1e-6));
    CHECK_THAT(f.midpoint, WithinRel(c.midpoint, 1e-6));
    CHECK_THAT(f.steepness, WithinRel(c.steepness, 1e-6));
    CHECK(f.floor == c.floor);
  }
}

TEST_CASE("fits refuse data they cannot fit", "[trajectory][fit]") {
  CHECK_THROWS_AS(fit_linear({{2020, 1.0}}), TrajectoryError);
  CHECK_THROWS_AS(fit_linear({{2020, 1.0}, {2020, 2.0}}), TrajectoryError);
  CHECK_THROWS_AS(fit_exponential({{2020, 1.0}, {2021, 0.0}}), TrajectoryError);
  CHECK_THROWS_AS(fit_logistic({{2020, 1.0}, {2021, 2.0}}, 0.0), TrajectoryError);
  CHECK_THROWS_AS(fit_logistic({{2020, 1.0}, {2021, 2.0}, {2022, 3.0}}, 5.0), TrajectoryError);
  CHECK_THROWS_AS(fit_logistic({{2020, 2.0}, {2021, 2.0}, {2022, 2.0}}, 0.0), TrajectoryError);
}
