// Trajectories evaluated by year (docs/model.md, "Trajectories"; the forms and their formulas
// are in dcplan/trajectory.hpp), and the least-squares fits of observed history.
//
// Every value is computed directly from the year, never by stepping from the year before, so
// evaluating one year or the whole horizon gives the same bits, and nothing accumulates
// rounding over a long horizon. The loader evaluates every trajectory once over the horizon
// (evaluate) and checks its bounds in every year; the engine reads only those arrays.
#include "dcplan/trajectory.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace dcplan {

namespace {

//! The usual visitor of lambdas for std::visit over the Trajectory variant.
template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

//! A series at `year` (points sorted by year): the first value before the first point; after
//! the last, the last value, times (1 + then_growth)^(years past it) when a growth is given;
//! between points, linear interpolation, or under "step" the value of the last point at or
//! before the year. Throws TrajectoryError for a series without points.
double series_value(const SeriesTrajectory& s, int year) {
  const auto& p = s.points;
  if (p.empty()) throw TrajectoryError("a series needs at least one point");
  // Before the first point: its value (a series does not extrapolate backwards).
  if (year <= p.front().first) return p.front().second;
  if (year >= p.back().first) {
    if (!s.then_growth) return p.back().second;
    return p.back().second * std::pow(1.0 + *s.then_growth, year - p.back().first);
  }
  // First point with year > t; the previous one has year <= t.
  // Binary search: series may have many points (a history of every year).
  auto hi = std::upper_bound(p.begin(), p.end(), year,
                             [](int y, const std::pair<int, double>& q) { return y < q.first; });
  auto lo = hi - 1;
  if (s.interp == Interp::kStep || lo->first == year) return lo->second;
  const double f = static_cast<double>(year - lo->first) / (hi->first - lo->first);
  return lo->second + f * (hi->second - lo->second);
}

//! f + (K − f) / (1 + e^(−k (t − Y))). A large |k (t − Y)| overflows exp to infinity, which
//! gives the floor or the cap, not a NaN.
double logistic_value(const LogisticTrajectory& l, double t) {
  return l.floor + (l.cap - l.floor) / (1.0 + std::exp(-l.steepness * (t - l.midpoint)));
}

//! Throws TrajectoryError when a fit has fewer history points than it has free parameters.
void require_points(const YearPoints& h, std::size_t n, const char* model) {
  if (h.size() < n) {
    throw TrajectoryError(std::string("a ") + model + " fit needs at least " + std::to_string(n) +
                          " history points, found " + std::to_string(h.size()));
  }
}

//! Least squares of y on (1, t − t0); returns (intercept at t0, slope).
Eigen::Vector2d line_fit(const YearPoints& h, int t0, const Eigen::VectorXd& y) {
  Eigen::MatrixXd a(static_cast<Eigen::Index>(h.size()), 2);
  for (std::size_t i = 0; i < h.size(); ++i) {
    a(static_cast<Eigen::Index>(i), 0) = 1.0;
    a(static_cast<Eigen::Index>(i), 1) = h[i].first - t0;
  }
  return a.colPivHouseholderQr().solve(y);
}

//! The values of the history points, as a vector for the solvers.
Eigen::VectorXd values(const YearPoints& h) {
  Eigen::VectorXd y(static_cast<Eigen::Index>(h.size()));
  for (std::size_t i = 0; i < h.size(); ++i) y(static_cast<Eigen::Index>(i)) = h[i].second;
  return y;
}

//! Whether the history has two different years: a line through points of one year has no
//! slope to fit (the least-squares matrix would be singular).
bool distinct_years(const YearPoints& h) {
  for (std::size_t i = 1; i < h.size(); ++i) {
    if (h[i].first == h[0].first) continue;
    return true;
  }
  return false;
}

}  // namespace

//! (Declared in dcplan/trajectory.hpp.) A fit is solved on every call here; evaluate() solves it
//! once for all the years.
double value_at(const Trajectory& trajectory, int year) {
  return std::visit(Overloaded{
                        [](double c) { return c; },
                        [year](const SeriesTrajectory& s) { return series_value(s, year); },
                        [year](const ExponentialTrajectory& e) {
                          // v · (1 + r)^(t − Y), for years before the base year too.
                          return e.base * std::pow(1.0 + e.rate, year - e.base_year);
                        },
                        [year](const LogisticTrajectory& l) { return logistic_value(l, year); },
                        [year](const LinearTrajectory& l) {
                          // A fitted line: value at the base year + slope · years since.
                          return l.value_at_base + l.slope * (year - l.base_year);
                        },
                        [year](const FitTrajectory& f) -> double {
                          switch (f.model) {
                            case FitModel::kLinear:
                              return value_at(fit_linear(f.history), year);
                            case FitModel::kExponential:
                              return value_at(fit_exponential(f.history), year);
                            case FitModel::kLogistic:
                              return value_at(fit_logistic(f.history, f.floor), year);
                          }
                          return 0.0;
                        },
                    },
                    trajectory);
}

//! (Declared in dcplan/trajectory.hpp.) Throws TrajectoryError from a fit that cannot be made;
//! the loader reports it at the trajectory's pointer.
Eigen::ArrayXd evaluate(const Trajectory& trajectory, int first_year, int last_year) {
  const Eigen::Index n = std::max(0, last_year - first_year + 1);
  Eigen::ArrayXd out(n);
  // A fit is solved once, then its closed form evaluated over the years.
  // The fitted trajectory replaces the fit in a copy; other forms are evaluated as they are.
  Trajectory closed = trajectory;
  if (const auto* f = std::get_if<FitTrajectory>(&trajectory)) {
    switch (f->model) {
      case FitModel::kLinear:
        closed = fit_linear(f->history);
        break;
      case FitModel::kExponential:
        closed = fit_exponential(f->history);
        break;
      case FitModel::kLogistic:
        closed = fit_logistic(f->history, f->floor);
        break;
    }
  }
  for (Eigen::Index i = 0; i < n; ++i) {
    out(i) = value_at(closed, first_year + static_cast<int>(i));
  }
  return out;
}

//! (Declared in dcplan/trajectory.hpp.) v on (1, t − t0), t0 the first history year (centred
//! near the data, so the intercept is not extrapolated to year 0 and stays well conditioned).
LinearTrajectory fit_linear(const YearPoints& history) {
  require_points(history, 2, "linear");
  if (!distinct_years(history)) throw TrajectoryError("a linear fit needs two distinct years");
  const int t0 = history.front().first;
  const Eigen::Vector2d c = line_fit(history, t0, values(history));
  return {c(0), t0, c(1)};
}

//! (Declared in dcplan/trajectory.hpp.) ln v on (1, t − t0): ln v = a + b (t − t0) gives
//! v = e^a · (e^b)^(t − t0), so base = e^a and rate = e^b − 1, computed with expm1 so that a
//! small rate keeps its digits. Needs every value > 0 (the logarithm).
ExponentialTrajectory fit_exponential(const YearPoints& history) {
  require_points(history, 2, "exponential");
  if (!distinct_years(history))
    throw TrajectoryError("an exponential fit needs two distinct years");
  Eigen::VectorXd y = values(history);
  for (Eigen::Index i = 0; i < y.size(); ++i) {
    if (!(y(i) > 0)) {
      throw TrajectoryError("an exponential fit needs every history value > 0, found " +
                            std::to_string(y(i)) + " in " +
                            std::to_string(history[static_cast<std::size_t>(i)].first));
    }
    y(i) = std::log(y(i));
  }
  const int t0 = history.front().first;
  // c(0) = ln base at t0, c(1) = ln(1 + rate).
  const Eigen::Vector2d c = line_fit(history, t0, y);
  return {std::exp(c(0)), t0, std::expm1(c(1))};
}

namespace {

//! Least squares of a logistic curve over the history: parameters p = (cap, midpoint − tc,
//! steepness), the years centred on their mean tc for conditioning, the floor fixed.
struct LogisticProblem {
  Eigen::VectorXd t, v;
  double floor = 0, tc = 0;
  [[nodiscard]] Eigen::Index n() const { return t.size(); }

  //! r_i = f + (K − f) / (1 + e^(−k (t_i − tc − m))) − v_i, for p = (K, m, k): the model's value
  //! less the observed one, whose squared sum the fit minimises.
  [[nodiscard]] Eigen::VectorXd residuals(const Eigen::Vector3d& p) const {
    Eigen::VectorXd r(n());
    for (Eigen::Index i = 0; i < n(); ++i) {
      r(i) = floor + (p(0) - floor) / (1.0 + std::exp(-p(2) * (t(i) - tc - p(1)))) - v(i);
    }
    return r;
  }
  //! ∂r_i/∂p, with s = 1 / (1 + e^(−k x)) and x = t_i − tc − m, so ds/d(kx) = s² e^(−k x):
  //!   ∂r/∂K = s,   ∂r/∂m = (K − f) · ds/d(kx) · (−k),   ∂r/∂k = (K − f) · ds/d(kx) · x.
  //! Analytic rather than by finite differences, so the steps do not depend on a difference step.
  [[nodiscard]] Eigen::MatrixXd jacobian(const Eigen::Vector3d& p) const {
    Eigen::MatrixXd j(n(), 3);
    for (Eigen::Index i = 0; i < n(); ++i) {
      const double x = t(i) - tc - p(1);
      const double e = std::exp(-p(2) * x);
      const double s = 1.0 / (1.0 + e);
      const double ds = s * s * e;  // d s / d(k x)
      j(i, 0) = s;
      j(i, 1) = (p(0) - floor) * ds * (-p(2));
      j(i, 2) = (p(0) - floor) * ds * x;
    }
    return j;
  }
};

//! Starting points: for a trial cap K the logit ln((v − f)/(K − v)) is linear in t; its
//! least-squares line gives steepness and midpoint. The trial with the smallest error wins.
Eigen::Vector3d logistic_start(const LogisticProblem& lp, double& best_sse) {
  const Eigen::Index n = lp.n();
  const Eigen::VectorXd& t = lp.t;
  const Eigen::VectorXd& v = lp.v;
  const double floor = lp.floor;
  const double tc = lp.tc;
  const double vmax = v.maxCoeff();
  auto residuals = [&lp](const Eigen::Vector3d& p) { return lp.residuals(p); };
  Eigen::Vector3d best = Eigen::Vector3d::Zero();
  best_sse = std::numeric_limits<double>::infinity();
  // Trial caps from just above the largest value to a hundred times it: the cap is the one
  // parameter the logit line cannot give.
  for (double scale : {1.01, 1.05, 1.2, 1.5, 2.0, 3.0, 5.0, 10.0, 100.0}) {
    const double cap = floor + (vmax - floor) * scale;
    Eigen::VectorXd z(n);
    for (Eigen::Index i = 0; i < n; ++i) z(i) = std::log((v(i) - floor) / (cap - v(i)));
    Eigen::MatrixXd a(n, 2);
    a.col(0).setOnes();
    a.col(1) = t.array() - tc;
    const Eigen::Vector2d c = a.colPivHouseholderQr().solve(z);
    // A flat logit line has no steepness, and no midpoint (−c0/c1) to start from.
    if (!(std::abs(c(1)) > 1e-12)) continue;
    const Eigen::Vector3d p(cap, -c(0) / c(1), c(1));
    const double sse = residuals(p).squaredNorm();
    if (sse < best_sse) {
      best_sse = sse;
      best = p;
    }
  }
  if (!std::isfinite(best_sse)) {
    throw TrajectoryError("a logistic fit needs history values that change over time");
  }
  return best;
}

//! Levenberg–Marquardt with Marquardt's diagonal scaling, from `p`.
//! Levenberg–Marquardt is Gauss–Newton with a damping λ: λ → 0 is a Gauss–Newton step, a large
//! λ a short gradient step. λ falls tenfold after each step that lowers the squared error and
//! rises tenfold after each that does not, so the method takes Gauss–Newton's fast steps near
//! the minimum and stays safe far from it. It stops when the error or the gradient vanishes
//! relative to the data, when a step gains almost nothing, when no damping lowers the error, or
//! after 500 iterations.
Eigen::Vector3d levenberg_marquardt(const LogisticProblem& lp, Eigen::Vector3d p, double sse) {
  const Eigen::VectorXd& v = lp.v;
  auto residuals = [&lp](const Eigen::Vector3d& q) { return lp.residuals(q); };
  auto jacobian = [&lp](const Eigen::Vector3d& q) { return lp.jacobian(q); };
  double lambda = 1e-3;
  const double scale2 = std::max(1.0, v.squaredNorm());
  bool converged = false;
  for (int iter = 0; iter < 500 && !converged; ++iter) {
    const Eigen::MatrixXd j = jacobian(p);
    const Eigen::VectorXd r = residuals(p);
    const Eigen::Matrix3d jtj = j.transpose() * j;
    const Eigen::Vector3d g = j.transpose() * r;
    if (sse <= 1e-30 * scale2 || g.norm() <= 1e-30 * scale2) {
      converged = true;
      break;
    }
    bool improved = false;
    for (int tries = 0; tries < 40; ++tries) {
      Eigen::Matrix3d a = jtj;
      // Marquardt's scaling: damping proportional to each parameter's own curvature, so the
      // cap (in the data's units) and the steepness (per year) are damped alike.
      a.diagonal() += lambda * jtj.diagonal().cwiseMax(1e-12);
      const Eigen::Vector3d step = a.ldlt().solve(-g);
      const Eigen::Vector3d q = p + step;
      const double q_sse = residuals(q).squaredNorm();
      // Accept only a step that lowers the error; otherwise damp more and try again.
      if (std::isfinite(q_sse) && q_sse < sse) {
        const double drop = sse - q_sse;
        p = q;
        sse = q_sse;
        lambda = std::max(lambda / 10.0, 1e-15);
        improved = true;
        if (drop <= 1e-15 * std::max(sse, 1e-300) || step.norm() <= 1e-14 * (1.0 + p.norm())) {
          converged = true;
        }
        break;
      }
      lambda *= 10.0;
    }
    if (!improved) converged = true;  // no step reduces the error: a (local) minimum
  }
  return p;
}

}  // namespace

//! (Declared in dcplan/trajectory.hpp.) The logistic fit docs/model.md describes: cap, midpoint
//! and steepness by least squares (Gauss–Newton, damped as above), the floor fixed. Every value
//! must be above the floor (the starting points take a logarithm of v − floor). Throws
//! TrajectoryError when the result is not a curve above the floor.
LogisticTrajectory fit_logistic(const YearPoints& history, double floor) {
  require_points(history, 3, "logistic");
  LogisticProblem lp;
  const Eigen::Index n = static_cast<Eigen::Index>(history.size());
  lp.t.resize(n);
  lp.v = values(history);
  lp.floor = floor;
  for (Eigen::Index i = 0; i < n; ++i) lp.t(i) = history[static_cast<std::size_t>(i)].first;
  for (Eigen::Index i = 0; i < n; ++i) {
    if (!(lp.v(i) > floor)) {
      throw TrajectoryError("a logistic fit needs every history value above the floor (" +
                            std::to_string(floor) + "), found " + std::to_string(lp.v(i)));
    }
  }
  // With years near 2000 the columns (1, t) of a line fit are nearly collinear; centred, they
  // are far from it, and the midpoint is a small number next to the other parameters.
  lp.tc = lp.t.mean();  // centre the years for conditioning
  double best_sse = 0;
  const Eigen::Vector3d best = logistic_start(lp, best_sse);
  const Eigen::Vector3d p = levenberg_marquardt(lp, best, best_sse);
  if (!p.allFinite() || !(p(0) > floor) || !(p(2) != 0.0)) {
    throw TrajectoryError("the logistic fit did not converge to a curve above the floor");
  }
  return {p(0), p(1) + lp.tc, p(2), floor};
}

}  // namespace dcplan
