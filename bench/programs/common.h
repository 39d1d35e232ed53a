/* Shared helpers for the benchmark programs: a deterministic PRNG, checksum mixing and argv
 * parsing. Every program must print the same bytes natively (gcc) and as wasm32-wasi (clang),
 * so only fixed-width integer types are used for anything that reaches the checksum. */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t bench_rng_state = 0x243F6A8885A308D3ull;

/* splitmix64 */
static inline uint64_t rng64(void) {
  uint64_t z = (bench_rng_state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
static inline uint32_t rng32(void) { return (uint32_t)(rng64() >> 32); }
/* Uniform in [0, n) (n > 0), with a negligible bias that does not matter here. */
static inline uint32_t rng_below(uint32_t n) { return (uint32_t)(((uint64_t)rng32() * n) >> 32); }
/* A double in [-1, 1) built from 53 random bits: exact on every platform. */
static inline double rng_unit(void) { return (double)(rng64() >> 11) * (1.0 / 4503599627370496.0) - 1.0; }

static inline uint64_t mix64(uint64_t h, uint64_t v) {
  h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
  return h * 0xFF51AFD7ED558CCDull;
}
static inline uint64_t mix_double(uint64_t h, double d) {
  uint64_t bits;
  memcpy(&bits, &d, sizeof bits);
  return mix64(h, bits);
}
static inline uint64_t mix_float(uint64_t h, float f) {
  uint32_t bits;
  memcpy(&bits, &f, sizeof bits);
  return mix64(h, bits);
}

/* argv[i] as a positive count, or `def` when absent. */
static inline uint32_t arg_u32(int argc, char** argv, int i, uint32_t def) {
  if (argc > i) {
    long long v = strtoll(argv[i], NULL, 10);
    if (v > 0 && v < 4000000000ll) return (uint32_t)v;
  }
  return def;
}

static inline void print_checksum(const char* name, uint64_t h) {
  printf("%s checksum %016llx\n", name, (unsigned long long)h);
}
#endif
