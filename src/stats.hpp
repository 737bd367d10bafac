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

//! The q-quantile of a sample (sorted in place), linear between order statistics.
inline double quantile(std::vector<double>& xs, double q) {
  std::sort(xs.begin(), xs.end());
  const double r = q * static_cast<double>(xs.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(r));
  const auto hi = std::min(lo + 1, xs.size() - 1);
  return xs[lo] + (r - static_cast<double>(lo)) * (xs[hi] - xs[lo]);
}

}  // namespace dcplan::stats
