// The methods of dcplan/sensitivity.hpp on a plain function of the unit cube.
#include <algorithm>
#include <boost/random/sobol.hpp>
#include <cmath>
#include <limits>
#include <numeric>

#include "dcplan/error.hpp"
#include "dcplan/sensitivity.hpp"
#include "dcplan/sweep.hpp"

namespace dcplan::sensitivity {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

//! The first n points of the d-dimensional Sobol' sequence (Joe and Kuo's directions, as Boost
//! ships them; the initial zero point skipped), kept inside (0, 1) so that every inverse CDF is
//! finite.
Eigen::MatrixXd sobol_points(long long n, int d) {
  boost::random::sobol gen(static_cast<std::size_t>(d));
  Eigen::MatrixXd q(n, d);
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = 0; j < d; ++j) {
      const double u = std::ldexp(static_cast<double>(gen()), -64);
      q(i, j) = std::clamp(u, 1e-12, 1.0 - 1e-12);
    }
  }
  return q;
}

//! The indices of one output from its runs, over the rows `rows` of A (a bootstrap resample, or
//! all of them).
struct Indices {
  std::vector<double> first, total;
};

Indices indices(const Eigen::VectorXd& fa, const Eigen::VectorXd& fb,
                const std::vector<Eigen::VectorXd>& fab, const std::vector<Eigen::Index>& rows) {
  const auto n = static_cast<double>(rows.size());
  double mean = 0;
  for (const auto j : rows) mean += fa(j) + fb(j);
  mean /= 2 * n;
  double var = 0;
  for (const auto j : rows)
    var += (fa(j) - mean) * (fa(j) - mean) + (fb(j) - mean) * (fb(j) - mean);
  var /= 2 * n;
  Indices out;
  for (const auto& f : fab) {
    double vi = 0, vt = 0;
    for (const auto j : rows) {
      vi += fb(j) * (f(j) - fa(j));
      vt += (fa(j) - f(j)) * (fa(j) - f(j));
    }
    out.first.push_back(var > 0 ? vi / n / var : kNaN);
    out.total.push_back(var > 0 ? vt / (2 * n) / var : kNaN);
  }
  return out;
}

//! The q-quantile of v (sorted in place), by linear interpolation.
double quantile(std::vector<double>& v, double q) {
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const auto i = static_cast<std::size_t>(pos);
  const double frac = pos - static_cast<double>(i);
  return i + 1 < v.size() ? v[i] * (1 - frac) + v[i + 1] * frac : v[i];
}

}  // namespace

SobolResult sobol(int k, int m, long long n, const Model& f, std::uint64_t seed, int bootstrap,
                  const std::atomic<int>* cancel) {
  if (k < 1 || n < 2)
    throw InputError("--samples", "", "Sobol' needs at least one input and N >= 2");
  const Eigen::MatrixXd q = sobol_points(n, 2 * k);
  // The runs: A, B, then A_B^i for each input, one batch.
  Eigen::MatrixXd x(n * (k + 2), k);
  x.topRows(n) = q.leftCols(k);
  x.middleRows(n, n) = q.rightCols(k);
  for (int i = 0; i < k; ++i) {
    auto ab = x.middleRows(n * (2 + i), n);
    ab = q.leftCols(k);
    ab.col(i) = q.col(k + i);
  }
  Eigen::MatrixXd y(x.rows(), m);
  f(x, y);
  SobolResult r;
  r.runs = x.rows();
  r.first.resize(k, m);
  r.total.resize(k, m);
  r.first_lo.resize(k, m);
  r.first_hi.resize(k, m);
  r.total_lo.resize(k, m);
  r.total_hi.resize(k, m);
  r.variance.resize(m);
  std::vector<Eigen::Index> all(static_cast<std::size_t>(n));
  std::iota(all.begin(), all.end(), Eigen::Index{0});
  for (int c = 0; c < m; ++c) {
    const Eigen::VectorXd fa = y.col(c).head(n), fb = y.col(c).segment(n, n);
    std::vector<Eigen::VectorXd> fab;
    for (int i = 0; i < k; ++i) fab.emplace_back(y.col(c).segment(n * (2 + i), n));
    const Indices point = indices(fa, fb, fab, all);
    Eigen::VectorXd both(2 * n);
    both << fa, fb;
    r.variance(c) = (both.array() - both.mean()).square().mean();
    // Bootstrap: the same resamples for every output (one generator per output, same seed).
    Rng rng(seed, 0xb0075ULL);
    std::vector<std::vector<double>> s1(static_cast<std::size_t>(k)),
        st(static_cast<std::size_t>(k));
    std::vector<Eigen::Index> rows(static_cast<std::size_t>(n));
    for (int b = 0; b < bootstrap; ++b) {
      if (cancel != nullptr && cancel->load() != 0) throw Interrupted(cancel->load());
      for (auto& j : rows) j = static_cast<Eigen::Index>(rng.uniform() * static_cast<double>(n));
      const Indices boot = indices(fa, fb, fab, rows);
      for (int i = 0; i < k; ++i) {
        s1[static_cast<std::size_t>(i)].push_back(boot.first[static_cast<std::size_t>(i)]);
        st[static_cast<std::size_t>(i)].push_back(boot.total[static_cast<std::size_t>(i)]);
      }
    }
    for (int i = 0; i < k; ++i) {
      const auto ui = static_cast<std::size_t>(i);
      r.first(i, c) = point.first[ui];
      r.total(i, c) = point.total[ui];
      const bool ci = bootstrap > 1 && std::isfinite(point.first[ui]);
      r.first_lo(i, c) = ci ? quantile(s1[ui], 0.025) : kNaN;
      r.first_hi(i, c) = ci ? quantile(s1[ui], 0.975) : kNaN;
      r.total_lo(i, c) = ci ? quantile(st[ui], 0.025) : kNaN;
      r.total_hi(i, c) = ci ? quantile(st[ui], 0.975) : kNaN;
    }
  }
  return r;
}

MorrisResult morris(int k, int m, int r, int levels, const Model& f, std::uint64_t seed) {
  if (k < 1 || r < 2 || levels < 2 || levels % 2 != 0) {
    throw InputError("--trajectories", "",
                     "Morris needs at least one input, r >= 2 trajectories and an even number "
                     "of levels p >= 2");
  }
  const double delta = levels / (2.0 * (levels - 1));
  const int starts = levels / 2;  // base levels 0, 1/(p-1), ..., 1 - delta
  Eigen::MatrixXd x(static_cast<Eigen::Index>(r) * (k + 1), k);
  std::vector<std::vector<int>> order(static_cast<std::size_t>(r));
  Rng rng(seed, 0x40441500ULL);
  for (int t = 0; t < r; ++t) {
    const Eigen::Index row0 = static_cast<Eigen::Index>(t) * (k + 1);
    for (int i = 0; i < k; ++i) {
      const int level = std::min(starts - 1, static_cast<int>(rng.uniform() * starts));
      x(row0, i) = static_cast<double>(level) / (levels - 1);
    }
    auto& perm = order[static_cast<std::size_t>(t)];
    perm.resize(static_cast<std::size_t>(k));
    std::iota(perm.begin(), perm.end(), 0);
    for (int i = k - 1; i > 0; --i) {  // Fisher-Yates
      const int j = std::min(i, static_cast<int>(rng.uniform() * (i + 1)));
      std::swap(perm[static_cast<std::size_t>(i)], perm[static_cast<std::size_t>(j)]);
    }
    for (int s = 1; s <= k; ++s) {
      x.row(row0 + s) = x.row(row0 + s - 1);
      x(row0 + s, perm[static_cast<std::size_t>(s - 1)]) += delta;
    }
  }
  Eigen::MatrixXd y(x.rows(), m);
  f(x, y);
  MorrisResult out;
  out.runs = x.rows();
  out.mu = Eigen::MatrixXd::Zero(k, m);
  out.mu_star = Eigen::MatrixXd::Zero(k, m);
  out.sigma = Eigen::MatrixXd::Zero(k, m);
  Eigen::MatrixXd effects(static_cast<Eigen::Index>(r) * k, m);
  for (int t = 0; t < r; ++t) {
    const Eigen::Index row0 = static_cast<Eigen::Index>(t) * (k + 1);
    for (int s = 1; s <= k; ++s) {
      const int i = order[static_cast<std::size_t>(t)][static_cast<std::size_t>(s - 1)];
      effects.row(static_cast<Eigen::Index>(i) * r + t) =
          (y.row(row0 + s) - y.row(row0 + s - 1)) / delta;
    }
  }
  for (int i = 0; i < k; ++i) {
    const auto ee = effects.middleRows(static_cast<Eigen::Index>(i) * r, r);
    out.mu.row(i) = ee.colwise().mean();
    out.mu_star.row(i) = ee.cwiseAbs().colwise().mean();
    out.sigma.row(i) =
        ((ee.rowwise() - out.mu.row(i)).array().square().colwise().sum() / (r - 1)).sqrt();
  }
  return out;
}

}  // namespace dcplan::sensitivity
