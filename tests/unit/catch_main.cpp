// The one translation unit that compiles Catch2's runner. Floating-point exceptions are trapped
// for every test: an invalid operation (0/0, inf − inf), a division by zero or an overflow
// anywhere in the library stops the test with SIGFPE instead of producing a NaN or an infinity
// silently. (Empty cells are quiet NaNs assigned on purpose, which raises nothing.)
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <cfenv>

int main(int argc, char* argv[]) {
  feenableexcept(FE_INVALID | FE_DIVBYZERO | FE_OVERFLOW);
  return Catch::Session().run(argc, argv);
}
