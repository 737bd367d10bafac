// dcplan — trajectories: numeric parameters that change over time.
//
// Forms (t a year):
//   constant     v(t) = c
//   series       points (y_i, v_i) interpolated linearly (or held, "step") between points,
//                held flat before the first; after the last held flat or grown:
//                v(t) = v_last · (1 + g)^(t − y_last)
//   exponential  v(t) = base · (1 + rate)^(t − base_year)
//   logistic     v(t) = floor + (cap − floor) / (1 + exp(−steepness · (t − midpoint)))
//   fit          least squares on a history, then the fitted curve:
//                linear       v = a + b·t (ordinary least squares on (1, t))
//                exponential  ln v = ln a + t·ln(1 + r) (least squares on ln v, every v > 0)
//                logistic     cap, midpoint, steepness by Levenberg–Marquardt on v, floor fixed
// Every trajectory is evaluated once over the horizon into an Eigen array.
#pragma once

#include <Eigen/Core>
#include <optional>
#include <utility>
#include <variant>
#include <vector>

#include "dcplan/error.hpp"

namespace dcplan {

using YearPoints = std::vector<std::pair<int, double>>;  //!< (year, value), years ascending

enum class Interp { kLinear, kStep };
enum class FitModel { kLinear, kExponential, kLogistic };

struct SeriesTrajectory {
  YearPoints points;
  Interp interp = Interp::kLinear;
  std::optional<double> then_growth;  //!< yearly growth after the last point; flat if absent
};

struct ExponentialTrajectory {
  double base = 0;
  int base_year = 0;
  double rate = 0;
};

struct LogisticTrajectory {
  double cap = 0;
  double midpoint = 0;
  double steepness = 0;
  double floor = 0;
};

//! v(t) = value_at_base + slope · (t − base_year): the result of a linear fit.
struct LinearTrajectory {
  double value_at_base = 0;
  int base_year = 0;
  double slope = 0;
};

struct FitTrajectory {
  FitModel model = FitModel::kLinear;
  YearPoints history;
  double floor = 0;  //!< logistic only
};

using Trajectory = std::variant<double, SeriesTrajectory, ExponentialTrajectory, LogisticTrajectory,
                                LinearTrajectory, FitTrajectory>;

//! A trajectory that cannot be evaluated (too few points, a fit that does not converge).
class TrajectoryError : public Error {
 public:
  using Error::Error;
};

//! Values for every year first_year..last_year inclusive. Throws TrajectoryError.
[[nodiscard]] Eigen::ArrayXd evaluate(const Trajectory& trajectory, int first_year, int last_year);

//! Value in one year.
[[nodiscard]] double value_at(const Trajectory& trajectory, int year);

//! Fits, exposed for tests and for `fit` trajectories. Each throws TrajectoryError on bad data.
[[nodiscard]] LinearTrajectory fit_linear(const YearPoints& history);
[[nodiscard]] ExponentialTrajectory fit_exponential(const YearPoints& history);
[[nodiscard]] LogisticTrajectory fit_logistic(const YearPoints& history, double floor);

}  // namespace dcplan
