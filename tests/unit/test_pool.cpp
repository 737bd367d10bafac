// The run pool (src/vary/pool.hpp): results in run order whatever the threads, the error of the
// smallest failing run, Interrupted stopping the rest, memory bounded by the ring.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <string>
#include <vector>

#include "dcplan/error.hpp"
#include "vary/pool.hpp"

using namespace dcplan;
using Catch::Matchers::Contains;

namespace {

//! Run i's result: a string and a number that depend on i alone.
struct Result {
  std::string text;
  long long square = 0;
};

}  // namespace

TEST_CASE("pool: results consumed in run order, the same for every thread count", "[pool]") {
  for (const long long count : {0LL, 1LL, 2LL, 7LL, 33LL, 1000LL}) {
    for (const int threads : {1, 2, 3, 8}) {
      std::vector<long long> order;
      std::string all;
      vary::PoolOptions o;
      o.threads = threads;
      long long last_consumed = 0;
      o.consumed = [&](long long n) {
        CHECK(n > last_consumed);
        last_consumed = n;
      };
      vary::for_each_run<Result>(
          count, o, [] { return 0; },
          [](int& /*state*/, long long i, Result& r) {
            r.text = std::to_string(i) + ";";
            r.square = i * i;
          },
          [&](long long i, Result& r) {
            order.push_back(i);
            CHECK(r.square == i * i);
            all += r.text;
          });
      REQUIRE(static_cast<long long>(order.size()) == count);
      for (long long i = 0; i < count; ++i) CHECK(order[static_cast<std::size_t>(i)] == i);
      std::string expected;
      for (long long i = 0; i < count; ++i) expected += std::to_string(i) + ";";
      CHECK(all == expected);
      CHECK(last_consumed == count);
    }
  }
}

TEST_CASE("pool: each worker's state is made once, on its own thread", "[pool]") {
  std::atomic<int> made{0};
  std::vector<double> out(500);
  vary::for_each_index(
      500, 4,
      [&] {
        ++made;
        return std::vector<double>(3, 1.0);  // scratch a worker reuses
      },
      [&](std::vector<double>& scratch, long long i) {
        scratch[0] = static_cast<double>(i);
        out[static_cast<std::size_t>(i)] = scratch[0] * 2;
      });
  CHECK(made.load() == 4);
  for (std::size_t i = 0; i < out.size(); ++i) CHECK(out[i] == 2.0 * static_cast<double>(i));
}

TEST_CASE("pool: the error of the smallest failing run, whatever the threads", "[pool]") {
  for (const int threads : {1, 2, 5}) {
    std::vector<long long> consumed;
    vary::PoolOptions o;
    o.threads = threads;
    try {
      vary::for_each_run<int>(
          2000, o, [] { return 0; },
          [](int& /*state*/, long long i, int& r) {
            // Later runs fail too, and some of them may finish first.
            if (i == 700 || i == 701 || i == 1500)
              throw std::runtime_error("run " + std::to_string(i));
            r = static_cast<int>(i);
          },
          [&](long long i, int& r) {
            CHECK(r == i);
            consumed.push_back(i);
          });
      FAIL("no error");
    } catch (const std::runtime_error& e) {
      CHECK(std::string(e.what()) == "run 700");
    }
    // Every run before the failure was consumed, in order, and none after it.
    REQUIRE(consumed.size() == 700);
    CHECK(consumed.back() == 699);
  }
}

TEST_CASE("pool: in place, every index once and the error of the smallest", "[pool]") {
  for (const long long count : {1LL, 5LL, 1000LL}) {
    for (const int threads : {1, 2, 3, 8}) {
      std::vector<int> hits(static_cast<std::size_t>(count), 0);
      vary::for_each_index(
          count, threads, [] { return 0; },
          [&](int& /*state*/, long long i) { ++hits[static_cast<std::size_t>(i)]; });
      for (const int h : hits) CHECK(h == 1);
    }
  }
  for (const int threads : {1, 2, 5}) {
    std::vector<int> done(2000, 0);
    CHECK_THROWS_WITH(vary::for_each_index(
                          2000, threads, [] { return 0; },
                          [&](int& /*state*/, long long i) {
                            if (i == 700 || i == 701 || i == 1500)
                              throw std::runtime_error("run " + std::to_string(i));
                            done[static_cast<std::size_t>(i)] = 1;
                          }),
                      "run 700");
    // Every index before the failure ran.
    for (std::size_t i = 0; i < 700; ++i) CHECK(done[i] == 1);
  }
}

TEST_CASE("pool: a state that cannot be made is an error of its worker's first run", "[pool]") {
  auto make = []() -> int { throw InputError("", "", "no state"); };
  CHECK_THROWS_WITH(vary::for_each_index(10, 1, make, [](int&, long long) {}),
                    Contains("no state"));
  CHECK_THROWS_WITH(vary::for_each_index(10, 3, make, [](int&, long long) {}),
                    Contains("no state"));
}

TEST_CASE("pool: Interrupted stops the rest promptly", "[pool]") {
  for (const int threads : {1, 2, 4}) {
    std::atomic<long long> computed{0};
    CHECK_THROWS_AS(vary::for_each_index(
                        1000000, threads, [] { return 0; },
                        [&](int& /*state*/, long long i) {
                          ++computed;
                          if (i >= 100) throw Interrupted(2);
                        }),
                    Interrupted);
    // At most a chunk in hand per worker after the first interrupted run.
    CHECK(computed.load() <= 101 + 32 * threads);
  }
}

TEST_CASE("pool: a cancel flag stops it from the caller's thread", "[pool]") {
  for (const int threads : {1, 2}) {
    std::atomic<int> cancel{0};
    std::atomic<long long> computed{0};
    vary::PoolOptions o;
    o.threads = threads;
    o.cancel = &cancel;
    try {
      vary::for_each_run<int>(
          1000000, o, [] { return 0; }, [&](int&, long long, int&) { ++computed; },
          [&](long long i, int&) {
            if (i == 50) cancel = 15;
          });
      FAIL("not interrupted");
    } catch (const Interrupted& e) {
      CHECK(e.signal() == 15);
    }
    CHECK(computed.load() < 1000000);
  }
}

TEST_CASE("pool: workers run at most a ring ahead of the consumer", "[pool]") {
  const int threads = 3;
  std::atomic<long long> computed{0};
  long long consumed = 0;
  long long most_ahead = 0;
  vary::PoolOptions o;
  o.threads = threads;
  vary::for_each_run<int>(
      20000, o, [] { return 0; }, [&](int&, long long, int&) { ++computed; },
      [&](long long, int&) {
        ++consumed;
        most_ahead = std::max(most_ahead, computed.load() - consumed);
      });
  CHECK(most_ahead <= 4 * 32 * threads);
}

TEST_CASE("pool: --jobs and the threads used", "[pool]") {
  CHECK_NOTHROW(vary::check_jobs(0));
  CHECK_NOTHROW(vary::check_jobs(1024));
  CHECK_THROWS_WITH(vary::check_jobs(1025), Contains("expected 0 (every core) to 1024 threads"));
  CHECK_THROWS_WITH(vary::check_jobs(-1, 256), Contains("expected 0 (every core) to 256 threads"));
  CHECK(vary::threads_for(4, 100) == 4);
  CHECK(vary::threads_for(4, 2) == 2);  // no more threads than runs
  CHECK(vary::threads_for(4, 0) == 1);
  CHECK(vary::threads_for(0, 1000) >= 1);
}
