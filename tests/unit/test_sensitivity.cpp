// Sensitivity methods on functions whose indices are known.
#include <catch2/catch.hpp>

#include <cmath>

#include "dcplan/sensitivity.hpp"
#include "scenario_file.hpp"

using namespace dcplan;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

namespace {

constexpr double kPi = 3.14159265358979323846;

//! Ishigami (a = 7, b = 0.1) on x_i uniform in [-pi, pi].
void ishigami(const Eigen::MatrixXd& u, Eigen::MatrixXd& y) {
  for (Eigen::Index j = 0; j < u.rows(); ++j) {
    const double x1 = -kPi + 2 * kPi * u(j, 0), x2 = -kPi + 2 * kPi * u(j, 1),
                 x3 = -kPi + 2 * kPi * u(j, 2);
    y(j, 0) = std::sin(x1) + 7 * std::sin(x2) * std::sin(x2) + 0.1 * std::pow(x3, 4) * std::sin(x1);
  }
}

}  // namespace

TEST_CASE("Sobol' indices of the Ishigami function", "[sensitivity]") {
  // Analytical (Ishigami and Homma 1990; Sobol' and Levitan 1999): S = 0.3139, 0.4424, 0;
  // ST = 0.5576, 0.4424, 0.2437.
  const auto r = sensitivity::sobol(3, 1, 1 << 14, ishigami, 1);
  CHECK(r.runs == (1 << 14) * 5);
  const double s[] = {0.3139, 0.4424, 0.0}, st[] = {0.5576, 0.4424, 0.2437};
  for (int i = 0; i < 3; ++i) {
    INFO("input " << i);
    CHECK_THAT(r.first(i, 0), WithinAbs(s[i], 0.02));
    CHECK_THAT(r.total(i, 0), WithinAbs(st[i], 0.02));
    CHECK(r.first_lo(i, 0) <= r.first(i, 0));
    CHECK(r.first(i, 0) <= r.first_hi(i, 0));
    CHECK(r.total_hi(i, 0) - r.total_lo(i, 0) < 0.1);
  }
  // The analytical variance: a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2 = 13.845.
  CHECK_THAT(r.variance(0), WithinAbs(13.845, 0.15));
  // The same seed, the same numbers.
  const auto again = sensitivity::sobol(3, 1, 1 << 14, ishigami, 1);
  CHECK(again.first == r.first);
  CHECK(again.total_lo == r.total_lo);
}

TEST_CASE("Sobol' indices of the Sobol'-G function", "[sensitivity]") {
  // g(x) = prod (|4 x_i - 2| + a_i) / (1 + a_i). V_i = 1 / (3 (1 + a_i)^2), V = prod(1 + V_i) -
  // 1, S_i = V_i / V, ST_i = V_i prod_{j != i} (1 + V_j) / V (Saltelli et al. 2010).
  const double a[] = {0, 1, 4.5, 9, 99, 99};
  auto g = [&](const Eigen::MatrixXd& u, Eigen::MatrixXd& y) {
    for (Eigen::Index j = 0; j < u.rows(); ++j) {
      double p = 1;
      for (int i = 0; i < 6; ++i) p *= (std::abs(4 * u(j, i) - 2) + a[i]) / (1 + a[i]);
      y(j, 0) = p;
    }
  };
  double v[6], all = 1;
  for (int i = 0; i < 6; ++i) {
    v[i] = 1 / (3 * (1 + a[i]) * (1 + a[i]));
    all *= 1 + v[i];
  }
  const double var = all - 1;
  const auto r = sensitivity::sobol(6, 1, 1 << 14, g, 7);
  for (int i = 0; i < 6; ++i) {
    INFO("input " << i);
    CHECK_THAT(r.first(i, 0), WithinAbs(v[i] / var, 0.02));
    CHECK_THAT(r.total(i, 0), WithinAbs(v[i] * all / (1 + v[i]) / var, 0.02));
  }
}

TEST_CASE("Morris: a linear function's effects are its coefficients, interactions show in sigma",
          "[sensitivity]") {
  // f = 3 x0 - 2 x1 + 0.5 x2: every elementary effect of x_i is its coefficient.
  auto linear = [](const Eigen::MatrixXd& u, Eigen::MatrixXd& y) {
    y.col(0) = 3 * u.col(0) - 2 * u.col(1) + 0.5 * u.col(2);
    y.col(1) = u.col(2);
  };
  const auto r = sensitivity::morris(3, 2, 20, 4, linear, 3);
  CHECK(r.runs == 20 * 4);
  const double c[] = {3, -2, 0.5};
  for (int i = 0; i < 3; ++i) {
    CHECK_THAT(r.mu(i, 0), WithinAbs(c[i], 1e-9));
    CHECK_THAT(r.mu_star(i, 0), WithinAbs(std::abs(c[i]), 1e-9));
    CHECK_THAT(r.sigma(i, 0), WithinAbs(0.0, 1e-9));
  }
  CHECK_THAT(r.mu_star(0, 1), WithinAbs(0.0, 1e-12));  // the second output ignores x0
  // f = x0 x1 + x2: the effect of x0 depends on x1 and the reverse: sigma > 0 for them, 0 for x2.
  auto product = [](const Eigen::MatrixXd& u, Eigen::MatrixXd& y) {
    y.col(0) = u.col(0).cwiseProduct(u.col(1)) + u.col(2);
  };
  const auto p = sensitivity::morris(3, 1, 20, 4, product, 3);
  CHECK(p.sigma(0, 0) > 0.1);
  CHECK(p.sigma(1, 0) > 0.1);
  CHECK_THAT(p.sigma(2, 0), WithinAbs(0.0, 1e-9));
  CHECK_THAT(p.mu(2, 0), WithinAbs(1.0, 1e-9));
}

TEST_CASE("tornado on a one-region scenario, by hand", "[sensitivity]") {
  // 1,000 MW free, all the budget on 1 kW accelerators at US$10,000 in 2025, drawing 0.7 of their
  // power for half the year: energy = B x 1e-7 MW x 0.7 x 0.5 x PUE x 8,760 h = B x PUE x 3.066e-4
  // MWh. Base: US$100 m, PUE 1.25: 38,325 MWh. Budget 50 m to 200 m: 19,162.5 to 76,650 MWh
  // (swing 57,487.5); PUE 1.1 to 1.5: 33,726 to 45,990 MWh (swing 12,264). The budget first.
  const std::string path = test::write_scenario("linear.json", test::kLinear);
  sensitivity::ScenarioOptions o;
  o.scenario = path;
  o.method = "tornado";
  o.metrics = {"energy_twh@2025"};
  o.varies = {"/regions/r/pue=1.1:1.5", "/capex/budget=5e7:2e8"};
  const auto a = sensitivity::analyse(o);
  CHECK(a.runs == 5);  // 2 k + 1
  REQUIRE(a.rows.size() == 12);
  auto value = [&](std::size_t i, const char* stat) {
    for (std::size_t j = i * 6; j < i * 6 + 6; ++j) {
      if (a.rows[j].statistic == stat) return a.rows[j].value;
    }
    return -1.0;
  };
  CHECK(a.rows[0].input == "/capex/budget");  // the largest swing first
  CHECK_THAT(value(0, "base"), WithinRel(0.038325, 1e-12));
  CHECK_THAT(value(0, "low"), WithinRel(0.0191625, 1e-12));
  CHECK_THAT(value(0, "high"), WithinRel(0.07665, 1e-12));
  CHECK_THAT(value(0, "swing"), WithinRel(0.0574875, 1e-12));
  CHECK(a.rows[6].input == "/regions/r/pue");
  CHECK_THAT(value(1, "low"), WithinRel(0.033726, 1e-12));
  CHECK_THAT(value(1, "high"), WithinRel(0.04599, 1e-12));
  CHECK_THAT(value(1, "swing"), WithinRel(0.012264, 1e-12));
  // The same numbers a row per input, as the table prints them.
  const auto wide = sensitivity::tornado_rows(a);
  REQUIRE(wide.size() == 2);
  CHECK((wide[0].input == "/capex/budget" && wide[0].metric == "energy_twh" &&
         wide[0].years == "2025" && wide[0].region == "total"));
  CHECK_THAT(wide[0].low, WithinRel(0.0191625, 1e-12));
  CHECK_THAT(wide[0].high, WithinRel(0.07665, 1e-12));
  CHECK_THAT(wide[0].swing, WithinRel(0.0574875, 1e-12));
  CHECK_THAT(wide[0].base, WithinRel(0.038325, 1e-12));
  CHECK(wide[1].input == "/regions/r/pue");
  CHECK_THAT(wide[1].low, WithinRel(0.033726, 1e-12));
  CHECK_THAT(wide[1].high, WithinRel(0.04599, 1e-12));
  CHECK_THAT(wide[1].swing, WithinRel(0.012264, 1e-12));
  CHECK_THAT(wide[1].base, WithinRel(0.038325, 1e-12));
  // Two metrics: a row per input and metric, each metric's by its own swings. The IT share is 1,
  // so capex is the budget (US$50 m to 200 m about a base of 100 m) and the PUE moves none of it.
  o.metrics = {"energy_twh@2025", "capex_usd@2025"};
  const auto two = sensitivity::tornado_rows(sensitivity::analyse(o));
  REQUIRE(two.size() == 4);
  CHECK((two[2].input == "/capex/budget" && two[2].metric == "capex_usd"));
  CHECK_THAT(two[2].low, WithinRel(5e7, 1e-12));
  CHECK_THAT(two[2].high, WithinRel(2e8, 1e-12));
  CHECK_THAT(two[2].swing, WithinRel(1.5e8, 1e-12));
  CHECK_THAT(two[2].base, WithinRel(1e8, 1e-12));
  CHECK((two[3].input == "/regions/r/pue" && two[3].metric == "capex_usd" && two[3].swing == 0));
  // Other methods have no such rows.
  sensitivity::Analysis morris = a;
  morris.method = "morris";
  CHECK(sensitivity::tornado_rows(morris).empty());
  o.metrics = {"energy_twh@2025"};
  // A PUE range reaching below 1 is clipped, and said; the low end is then PUE 1.
  o.varies = {"/regions/r/pue=0.9:1.5"};
  const auto clipped = sensitivity::analyse(o);
  REQUIRE(clipped.notes.size() == 1);
  CHECK_THAT(clipped.notes[0], Catch::Matchers::Contains("clipped"));
  CHECK_THAT(clipped.rows[4].value, WithinRel(1.0, 1e-12));  // input_low
}
