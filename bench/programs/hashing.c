/* Bit manipulation: hashing. CRC-32 (bitwise and table-driven), FNV-1a, a 32-bit
 * multiply-rotate hash in the style of MurmurHash3, a 64-bit mixer, and popcount / leading and
 * trailing zero counts, over a buffer of pseudo-random bytes.
 * Usage: hashing [ROUNDS] [BYTES] */
#include "common.h"

static uint32_t crc_table[256];

static void crc_init(void) {
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
    crc_table[i] = c;
  }
}

static uint32_t crc32_bitwise(const uint8_t* p, uint32_t n) {
  uint32_t c = 0xFFFFFFFFu;
  for (uint32_t i = 0; i < n; ++i) {
    c ^= p[i];
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
  }
  return ~c;
}

static uint32_t crc32_table(const uint8_t* p, uint32_t n) {
  uint32_t c = 0xFFFFFFFFu;
  for (uint32_t i = 0; i < n; ++i) c = crc_table[(c ^ p[i]) & 255] ^ (c >> 8);
  return ~c;
}

static uint64_t fnv1a(const uint8_t* p, uint32_t n) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (uint32_t i = 0; i < n; ++i) h = (h ^ p[i]) * 0x100000001B3ull;
  return h;
}

static inline uint32_t rotl32(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }
static inline uint64_t rotl64(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

static uint32_t murmur_like(const uint8_t* p, uint32_t n, uint32_t seed) {
  uint32_t h = seed;
  uint32_t blocks = n / 4;
  for (uint32_t i = 0; i < blocks; ++i) {
    uint32_t k;
    memcpy(&k, p + 4 * i, 4);
    k *= 0xCC9E2D51u;
    k = rotl32(k, 15);
    k *= 0x1B873593u;
    h ^= k;
    h = rotl32(h, 13);
    h = h * 5 + 0xE6546B64u;
  }
  h ^= n;
  h ^= h >> 16;
  h *= 0x85EBCA6Bu;
  h ^= h >> 13;
  h *= 0xC2B2AE35u;
  return h ^ (h >> 16);
}

static uint64_t wide_mix(const uint8_t* p, uint32_t n) {
  uint64_t a = 0x9E3779B97F4A7C15ull, b = 0xD6E8FEB86659FD93ull;
  for (uint32_t i = 0; i + 16 <= n; i += 16) {
    uint64_t x, y;
    memcpy(&x, p + i, 8);
    memcpy(&y, p + i + 8, 8);
    a = rotl64(a ^ (x * 0xA0761D6478BD642Full), 31) * 0xE7037ED1A0B428DBull;
    b = rotl64(b + (y ^ 0x8EBC6AF09C88C6E3ull), 29) * 0x589965CC75374CC3ull;
    a ^= b >> 17;
  }
  return a ^ rotl64(b, 23);
}

static uint64_t bit_counts(const uint8_t* p, uint32_t n) {
  uint64_t pop = 0, lz = 0, tz = 0;
  for (uint32_t i = 0; i + 8 <= n; i += 8) {
    uint64_t x;
    memcpy(&x, p + i, 8);
    pop += (uint64_t)__builtin_popcountll(x);
    uint32_t lo = (uint32_t)x;
    if (lo) {
      lz += (uint64_t)__builtin_clz(lo);
      tz += (uint64_t)__builtin_ctz(lo);
    }
    /* Bit reversal of the high half by swaps. */
    uint32_t v = (uint32_t)(x >> 32);
    v = ((v >> 1) & 0x55555555u) | ((v & 0x55555555u) << 1);
    v = ((v >> 2) & 0x33333333u) | ((v & 0x33333333u) << 2);
    v = ((v >> 4) & 0x0F0F0F0Fu) | ((v & 0x0F0F0F0Fu) << 4);
    v = ((v >> 8) & 0x00FF00FFu) | ((v & 0x00FF00FFu) << 8);
    v = (v >> 16) | (v << 16);
    tz += v & 0xFFFF;
  }
  return pop * 1000003 + lz * 1009 + tz;
}

int main(int argc, char** argv) {
  uint32_t rounds = arg_u32(argc, argv, 1, 150);
  uint32_t n = arg_u32(argc, argv, 2, 1u << 20);
  uint8_t* buf = malloc(n);
  if (!buf) return 1;
  for (uint32_t i = 0; i < n; ++i) buf[i] = (uint8_t)(rng32() >> 24);
  crc_init();
  uint64_t h = 0;
  for (uint32_t r = 0; r < rounds; ++r) {
    buf[r % n] ^= (uint8_t)r;
    if (r % 4 == 0) h = mix64(h, crc32_bitwise(buf, n / 2));
    h = mix64(h, crc32_table(buf, n));
    h = mix64(h, fnv1a(buf, n));
    h = mix64(h, murmur_like(buf, n, r));
    h = mix64(h, wide_mix(buf, n));
    h = mix64(h, bit_counts(buf, n));
  }
  print_checksum("hashing", h);
  free(buf);
  return 0;
}
