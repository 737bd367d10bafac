// Specs of --vary (ranges, lists, distributions) and the generator runs draw from.
#include "dcplan/sweep.hpp"

#include <fmt/format.h>
#include <sys/stat.h>
#include <algorithm>
#include <atomic>
#include <boost/math/special_functions/erf.hpp>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <fstream>
#include <limits>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <thread>

#include "dcplan/compare.hpp"
#include "dcplan/engine.hpp"
#include "dcplan/error.hpp"
#include "dcplan/load.hpp"
#include "dcplan/schema.hpp"
#include "dcplan/trajectory.hpp"
#include "json_io.hpp"
#include "sweep/plan.hpp"
#include "text.hpp"

namespace dcplan {

using sweep::kMaxGridValues;

namespace {

std::uint64_t splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

[[noreturn]] void bad_vary(const std::string& text, const std::string& what) {
  throw InputError("--vary", "", "invalid --vary \"" + jsonio::excerpt(text) + "\": " + what);
}

double parse_number(const std::string& text, const std::string& s) {
  double v = 0;
  if (!text::parse_double(s, v)) bad_vary(text, "\"" + jsonio::excerpt(s) + "\" is not a number");
  return v;
}

std::vector<double> parse_numbers(const std::string& text, const std::string& list) {
  std::vector<double> out;
  for (std::string item : text::split(list, ',')) {
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    out.push_back(parse_number(text, item));
  }
  return out;
}

}  // namespace

// ----------------------------------------------------------------------------------------------
// Random numbers and distributions.

Rng::Rng(std::uint64_t seed, std::uint64_t stream) {
  std::uint64_t x = seed;
  const std::uint64_t a = splitmix64(x);
  std::uint64_t y = stream ^ a;
  for (auto& s : s_) s = splitmix64(y);
}

std::uint64_t Rng::next() {
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double Rng::uniform() {
  return static_cast<double>(next() >> 11) * 0x1.0p-53;
}

double Rng::normal() {
  // Box-Muller, one value per pair of uniforms; 1 - u keeps the logarithm finite.
  const double u1 = 1.0 - uniform();
  const double u2 = uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

double VarySpec::draw(Rng& rng) const {
  switch (kind) {
    case SpecKind::kNormal:
      return a + b * rng.normal();
    case SpecKind::kLognormal:
      return std::exp(a + b * rng.normal());
    case SpecKind::kUniform:
      return a + (b - a) * rng.uniform();
    case SpecKind::kTriangular: {
      // Inverse CDF with a = low, b = mode, c = high.
      const double u = rng.uniform();
      const double f = (b - a) / (c - a);
      return u < f ? a + std::sqrt(u * (c - a) * (b - a))
                   : c - std::sqrt((1 - u) * (c - a) * (c - b));
    }
    case SpecKind::kRange:
    case SpecKind::kList:
      break;
  }
  return 0;
}

double VarySpec::quantile(double u) const {
  switch (kind) {
    case SpecKind::kNormal:
      return a + b * std::sqrt(2.0) * boost::math::erf_inv(2 * u - 1);
    case SpecKind::kLognormal:
      return std::exp(a + b * std::sqrt(2.0) * boost::math::erf_inv(2 * u - 1));
    case SpecKind::kUniform:
      return a + (b - a) * u;
    case SpecKind::kTriangular: {
      const double f = (b - a) / (c - a);
      return u < f ? a + std::sqrt(u * (c - a) * (b - a))
                   : c - std::sqrt((1 - u) * (c - a) * (c - b));
    }
    case SpecKind::kRange:
    case SpecKind::kList: {
      const auto n = static_cast<double>(values.size());
      return values[static_cast<std::size_t>(std::min(n - 1, std::floor(u * n)))];
    }
  }
  return 0;
}

double VarySpec::mean() const {
  switch (kind) {
    case SpecKind::kNormal:
      return a;
    case SpecKind::kLognormal:
      return std::exp(a + b * b / 2);
    case SpecKind::kUniform:
      return (a + b) / 2;
    case SpecKind::kTriangular:
      return (a + b + c) / 3;
    default:
      return 0;
  }
}

double VarySpec::variance() const {
  switch (kind) {
    case SpecKind::kNormal:
      return b * b;
    case SpecKind::kLognormal:
      return (std::exp(b * b) - 1) * std::exp(2 * a + b * b);
    case SpecKind::kUniform:
      return (b - a) * (b - a) / 12;
    case SpecKind::kTriangular:
      return (a * a + b * b + c * c - a * b - a * c - b * c) / 18;
    default:
      return 0;
  }
}

//! A distribution NAME(args...) into `v` (the text for messages).
void parse_distribution(const std::string& text, const std::string& spec, std::size_t paren,
                        VarySpec& v) {
  if (spec.back() != ')') bad_vary(text, "a distribution ends with ')'");
  const std::string name = spec.substr(0, paren);
  const auto args = parse_numbers(text, spec.substr(paren + 1, spec.size() - paren - 2));
  auto need = [&](std::size_t n, const char* form) {
    if (args.size() != n) {
      bad_vary(text, fmt::format("{} takes {} numbers, found {}", form, n, args.size()));
    }
  };
  if (name == "normal") {
    need(2, "normal(m,s)");
    v.kind = SpecKind::kNormal;
    if (!(args[1] > 0)) bad_vary(text, "normal(m,s) needs s > 0");
  } else if (name == "lognormal") {
    need(2, "lognormal(mu,sigma)");
    v.kind = SpecKind::kLognormal;
    if (!(args[1] > 0)) bad_vary(text, "lognormal(mu,sigma) needs sigma > 0");
  } else if (name == "ci90") {
    // A lognormal whose 5th and 95th percentiles are lo and hi (the way Epoch AI writes an
    // uncertain input): mu = (ln lo + ln hi) / 2, sigma = (ln hi - ln lo) / (2 z_0.95).
    need(2, "ci90(lo,hi)");
    if (!(args[0] > 0 && args[0] < args[1])) bad_vary(text, "ci90(lo,hi) needs 0 < lo < hi");
    constexpr double kZ95 = 1.6448536269514722;
    v.kind = SpecKind::kLognormal;
    v.a = 0.5 * (std::log(args[0]) + std::log(args[1]));
    v.b = (std::log(args[1]) - std::log(args[0])) / (2 * kZ95);
    return;
  } else if (name == "uniform") {
    need(2, "uniform(a,b)");
    v.kind = SpecKind::kUniform;
    if (!(args[0] < args[1])) bad_vary(text, "uniform(a,b) needs a < b");
  } else if (name == "triangular") {
    need(3, "triangular(a,mode,b)");
    v.kind = SpecKind::kTriangular;
    if (!(args[0] <= args[1] && args[1] <= args[2] && args[0] < args[2])) {
      bad_vary(text, "triangular(a,mode,b) needs a <= mode <= b and a < b");
    }
  } else {
    bad_vary(text, "unknown distribution \"" + jsonio::excerpt(name) +
                       "\" (expected normal, lognormal, ci90, uniform or triangular)");
  }
  v.a = args[0];
  v.b = args[1];
  v.c = args.size() > 2 ? args[2] : 0;
}

VarySpec parse_vary(const std::string& text) {
  VarySpec v;
  v.text = text;
  const auto eq = text.find('=');
  if (eq == std::string::npos) bad_vary(text, "expected PTR=SPEC or PTR*=SPEC");
  std::string ptr = text.substr(0, eq);
  if (!ptr.empty() && ptr.back() == '*') {
    v.multiply = true;
    ptr.pop_back();
  }
  if (ptr.empty() || ptr.front() != '/')
    bad_vary(text, "expected a JSON pointer starting with / before =");
  v.pointer = ptr;
  std::string spec = text.substr(eq + 1);
  spec.erase(0, spec.find_first_not_of(' '));
  spec.erase(spec.find_last_not_of(' ') + 1);
  if (spec.empty()) bad_vary(text, "no SPEC after = (expected a:b:step, a,b,c or a distribution)");
  const auto paren = spec.find('(');
  if (paren != std::string::npos) {
    parse_distribution(text, spec, paren, v);
    return v;
  }
  if (spec.find(':') != std::string::npos) {
    const std::vector<std::string> parts = text::split(spec, ':');
    if (parts.size() != 3) bad_vary(text, "a range is a:b:step, three numbers");
    const double a = parse_number(text, parts[0]);
    const double b = parse_number(text, parts[1]);
    const double step = parse_number(text, parts[2]);
    if (!(step > 0)) bad_vary(text, "a range needs step > 0");
    if (b < a) bad_vary(text, "a range a:b:step needs a <= b");
    const double count = std::floor((b - a) / step * (1 + 1e-12) + 1e-9) + 1;
    if (count > kMaxGridValues) bad_vary(text, "a range of more than 1,000,000 values");
    v.kind = SpecKind::kRange;
    for (long long i = 0; i < static_cast<long long>(count); ++i)
      v.values.push_back(a + static_cast<double>(i) * step);
    return v;
  }
  v.kind = SpecKind::kList;
  v.values = parse_numbers(text, spec);
  return v;
}

}  // namespace dcplan
