// Private to dcplan_core: the statistics of sweeps: the P-square quantile estimator, a summary
// cell (n, mean, p5, p50, p95) fed in run order, and the quantile of a sample. Beside the
// studies, not in src/sweep: the sweep's summary and the report's fan charts both stand on it.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace dcplan::stats {

//! P-square estimate of one quantile (Jain & Chlamtac, 1985), fed in run order.
class P2 {
 public:
  explicit P2(double q) : q_(q) {}
  void add(double x) {
    if (n_ < 5) {
      h_[n_++] = x;
      if (n_ == 5) {
        std::sort(h_, h_ + 5);
        for (int i = 0; i < 5; ++i) pos_[i] = i + 1;
        want_[0] = 1;
        want_[1] = 1 + 2 * q_;
        want_[2] = 1 + 4 * q_;
        want_[3] = 3 + 2 * q_;
        want_[4] = 5;
        inc_[0] = 0;
        inc_[1] = q_ / 2;
        inc_[2] = q_;
        inc_[3] = (1 + q_) / 2;
        inc_[4] = 1;
      }
      return;
    }
    ++n_;
    int k;
    if (x < h_[0]) {
      h_[0] = x;
      k = 0;
    } else if (x >= h_[4]) {
      h_[4] = x;
      k = 3;
    } else {
      k = 0;
      while (k < 3 && x >= h_[k + 1]) ++k;
    }
    for (int i = k + 1; i < 5; ++i) pos_[i] += 1;
    for (int i = 0; i < 5; ++i) want_[i] += inc_[i];
    for (int i = 1; i < 4; ++i) {
      const double d = want_[i] - pos_[i];
      if ((d >= 1 && pos_[i + 1] - pos_[i] > 1) || (d <= -1 && pos_[i - 1] - pos_[i] < -1)) {
        const int s = d > 0 ? 1 : -1;
        const double hp =
            h_[i] +
            s / (pos_[i + 1] - pos_[i - 1]) *
                ((pos_[i] - pos_[i - 1] + s) * (h_[i + 1] - h_[i]) / (pos_[i + 1] - pos_[i]) +
                 (pos_[i + 1] - pos_[i] - s) * (h_[i] - h_[i - 1]) / (pos_[i] - pos_[i - 1]));
        if (h_[i - 1] < hp && hp < h_[i + 1]) {
          h_[i] = hp;
        } else {
          h_[i] = h_[i] + s * (h_[i + s] - h_[i]) / (pos_[i + s] - pos_[i]);
        }
        pos_[i] += s;
      }
    }
  }
  [[nodiscard]] double value() const {
    if (n_ == 0) return std::numeric_limits<double>::quiet_NaN();
    if (n_ < 5) {
      double tmp[5];
      for (int i = 0; i < n_; ++i) {
        int j = i;
        for (; j > 0 && tmp[j - 1] > h_[i]; --j) tmp[j] = tmp[j - 1];
        tmp[j] = h_[i];
      }
      // Linear interpolation between order statistics.
      const double r = q_ * (n_ - 1);
      const int lo = static_cast<int>(std::floor(r));
      const int hi = std::min(lo + 1, n_ - 1);
      return tmp[lo] + (r - lo) * (tmp[hi] - tmp[lo]);
    }
    return h_[2];
  }

 private:
  double q_;
  int n_ = 0;
  double h_[5] = {};
  double pos_[5] = {};
  double want_[5] = {};
  double inc_[5] = {};
};

//! n, mean and the 5th, 50th and 95th percentiles of values fed in run order, in flat memory.
struct Summary {
  long long n = 0;
  double mean = 0;
  P2 p5{0.05}, p50{0.5}, p95{0.95};
  void add(double x) {
    ++n;
    mean += (x - mean) / static_cast<double>(n);
    p5.add(x);
    p50.add(x);
    p95.add(x);
  }
};

//! The normal quantile of 0.95: a two-sided 90% interval.
inline constexpr double kZ90 = 1.6448536269514722;

//! An interval [low, high].
struct Interval {
  double low = 0, high = 0;
};

//! The Wilson score interval of a proportion, `passes` of `n` trials, at normal quantile `z`:
//! (p + z²/2n ± z·sqrt(p(1−p)/n + z²/4n²)) / (1 + z²/n), p = passes / n. Unlike p ±
//! z·sqrt(p(1−p)/n) it stays within [0, 1] and is not empty at 0 or n passes, where a planner's
//! sweeps often are. NaN for n = 0.
inline Interval wilson(long long passes, long long n, double z = kZ90) {
  if (n <= 0) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    return {nan, nan};
  }
  const auto nn = static_cast<double>(n);
  const double p = static_cast<double>(passes) / nn;
  const double z2 = z * z;
  const double centre = (p + z2 / (2 * nn)) / (1 + z2 / nn);
  const double half = z / (1 + z2 / nn) * std::sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn));
  // Clamped: at 0 or n passes one end is 0 or 1 exactly, not a rounding away from it.
  return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

//! The q-quantile of a sample (sorted in place), linear between order statistics.
inline double quantile(std::vector<double>& xs, double q) {
  std::sort(xs.begin(), xs.end());
  const double r = q * static_cast<double>(xs.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(r));
  const auto hi = std::min(lo + 1, xs.size() - 1);
  return xs[lo] + (r - static_cast<double>(lo)) * (xs[hi] - xs[lo]);
}

}  // namespace dcplan::stats
