// SHA-256 as FIPS 180-4 specifies it, written out here so that the scenario hash of provenance
// records needs no cryptographic library (a dependency for one function). The CLI and Python
// tests check it against Python's hashlib on merged documents. It hashes a whole string in
// memory: a merged scenario document is at most a few megabytes.
#include "sha256.hpp"

#include <array>
#include <cstdint>

namespace dcplan {

namespace {

// K: the first 32 bits of the fractional parts of the cube roots of the first 64 primes
// (FIPS 180-4, 4.2.2).
constexpr std::array<std::uint32_t, 64> kRound = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

//! ROTR^n(x), for 0 < n < 32 (n = 0 would shift by 32, which is undefined).
constexpr std::uint32_t rotr(std::uint32_t x, int n) {
  return (x >> n) | (x << (32 - n));
}

//! One 64-byte block into the hash state (FIPS 180-4, 6.2.2): the message schedule W from the
//! block read big-endian, 64 rounds over the working variables a..h (h is named k here, since
//! h is the state), then the state plus the result. All arithmetic is modulo 2^32, which
//! unsigned 32-bit overflow gives.
void compress(std::array<std::uint32_t, 8>& h, const unsigned char* block) {
  std::array<std::uint32_t, 64> w{};
  for (int i = 0; i < 16; ++i) {
    w[i] = static_cast<std::uint32_t>(block[4 * i]) << 24 |
           static_cast<std::uint32_t>(block[4 * i + 1]) << 16 |
           static_cast<std::uint32_t>(block[4 * i + 2]) << 8 |
           static_cast<std::uint32_t>(block[4 * i + 3]);
  }
  // W_16..W_63 from the block's sixteen words: σ0 and σ1 of FIPS 180-4, 4.1.2.
  for (int i = 16; i < 64; ++i) {
    const std::uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
    const std::uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
  for (int i = 0; i < 64; ++i) {
    // T1 = h + Σ1(e) + Ch(e, f, g) + K_i + W_i;  T2 = Σ0(a) + Maj(a, b, c).
    const std::uint32_t t1 =
        k + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + kRound[i] + w[i];
    const std::uint32_t t2 =
        (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    k = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  h[0] += a;
  h[1] += b;
  h[2] += c;
  h[3] += d;
  h[4] += e;
  h[5] += f;
  h[6] += g;
  h[7] += k;
}

}  // namespace

//! (Declared in sha256.hpp.) The whole blocks are compressed straight from the input; only the
//! tail (fewer than 64 bytes) is copied, into one or two padded blocks.
std::string sha256_hex(std::string_view bytes) {
  // H(0): the first 32 bits of the fractional parts of the square roots of the first 8 primes.
  std::array<std::uint32_t, 8> h = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  std::size_t n = bytes.size();
  std::size_t i = 0;
  for (; i + 64 <= n; i += 64) compress(h, p + i);
  // The last block(s): the rest, 0x80, zeros, the length in bits (big-endian).
  std::array<unsigned char, 128> tail{};
  const std::size_t rest = n - i;
  for (std::size_t j = 0; j < rest; ++j) tail[j] = p[i + j];
  tail[rest] = 0x80;
  // The padding needs the 0x80 byte and 8 bytes of length after the rest: one block when they
  // fit in 64 bytes, else two.
  const std::size_t blocks = rest + 1 + 8 <= 64 ? 1 : 2;
  const std::uint64_t bits = static_cast<std::uint64_t>(n) * 8;
  // The message length in bits, big-endian, in the last 8 bytes of the last block.
  for (int j = 0; j < 8; ++j) {
    tail[blocks * 64 - 1 - static_cast<std::size_t>(j)] =
        static_cast<unsigned char>(bits >> (8 * j));
  }
  for (std::size_t b = 0; b < blocks; ++b) compress(h, tail.data() + 64 * b);
  // Lower-case hex, as sha256sum prints it, so the two can be compared as text.
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(64);
  // The digest: the eight state words, big-endian, as hex.
  for (const std::uint32_t x : h) {
    for (int s = 28; s >= 0; s -= 4) out += kHex[(x >> s) & 0xf];
  }
  return out;
}

}  // namespace dcplan
