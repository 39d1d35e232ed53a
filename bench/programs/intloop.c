/* Integer loops: Collatz chain lengths, modular exponentiation (64-bit multiply and remainder),
 * Euclid's gcd and an integer square root by Newton's method.
 * Usage: intloop [N]   (N: Collatz range; the other loops scale with it) */
#include "common.h"

static uint64_t modpow(uint64_t base, uint64_t exp, uint64_t mod) {
  uint64_t r = 1;
  base %= mod;
  while (exp) {
    if (exp & 1) r = r * base % mod;
    base = base * base % mod;
    exp >>= 1;
  }
  return r;
}

static uint32_t gcd(uint32_t a, uint32_t b) {
  while (b) {
    uint32_t t = a % b;
    a = b;
    b = t;
  }
  return a;
}

static uint32_t isqrt(uint64_t n) {
  if (n < 2) return (uint32_t)n;
  uint64_t x = n, y = (x + 1) / 2;
  while (y < x) {
    x = y;
    y = (x + n / x) / 2;
  }
  return (uint32_t)x;
}

int main(int argc, char** argv) {
  uint32_t n = arg_u32(argc, argv, 1, 2800000);
  uint64_t h = 0;

  uint32_t best = 0, best_i = 0;
  for (uint32_t i = 1; i < n; ++i) {
    uint64_t x = i;
    uint32_t steps = 0;
    while (x != 1) {
      x = (x & 1) ? 3 * x + 1 : x >> 1;
      ++steps;
    }
    if (steps > best) {
      best = steps;
      best_i = i;
    }
    h += steps;
  }
  h = mix64(h, best);
  h = mix64(h, best_i);

  uint64_t acc = 0;
  for (uint32_t i = 0; i < n / 10; ++i) acc += modpow(i + 2, (uint64_t)i * 7919 + 13, 1000000007ull);
  h = mix64(h, acc);

  uint64_t g = 0;
  uint32_t side = isqrt(n) * 2;
  for (uint32_t a = 1; a < side; ++a)
    for (uint32_t b = 1; b < side; b += 3) g += gcd(a * 2654435761u >> 8, b);
  h = mix64(h, g);

  uint64_t s = 0;
  for (uint32_t i = 0; i < n / 4; ++i) s += isqrt((uint64_t)i * i * 31 + i);
  h = mix64(h, s);

  print_checksum("intloop", h);
  return 0;
}
