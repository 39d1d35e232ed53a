/* MD5 (RFC 1321). Kept for comparing with md5sum, not for security. */
#include <string.h>

#include "wpack.h"

/* T[i] = floor(2^32 * abs(sin(i + 1))), RFC 1321 section 3.4, written out so the result
 * does not depend on the math library. */
static const uint32_t kT[64] = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee,
    0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be,
    0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa,
    0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed,
    0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c,
    0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05,
    0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039,
    0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1,
    0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
};

static const int kShift[4][4] = {{7, 12, 17, 22}, {5, 9, 14, 20}, {4, 11, 16, 23}, {6, 10, 15, 21}};

static uint32_t md5_rotl(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

void md5_init(Md5* s) {
  static const uint32_t init[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
  memcpy(s->h, init, sizeof init);
  s->fill = 0;
  s->total = 0;
}

static void md5_block(Md5* s, const uint8_t* p) {
  uint32_t x[16];
  for (int i = 0; i < 16; ++i) {
    x[i] = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 | (uint32_t)p[4 * i + 2] << 16 |
           (uint32_t)p[4 * i + 3] << 24;
  }
  uint32_t a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3];
  for (int i = 0; i < 64; ++i) {
    int round = i / 16;
    uint32_t f;
    int k;
    switch (round) {
      case 0:
        f = (b & c) | (~b & d);
        k = i;
        break;
      case 1:
        f = (b & d) | (c & ~d);
        k = (5 * i + 1) % 16;
        break;
      case 2:
        f = b ^ c ^ d;
        k = (3 * i + 5) % 16;
        break;
      default:
        f = c ^ (b | ~d);
        k = (7 * i) % 16;
        break;
    }
    uint32_t t = d;
    d = c;
    c = b;
    b = b + md5_rotl(a + f + kT[i] + x[k], kShift[round][i % 4]);
    a = t;
  }
  s->h[0] += a;
  s->h[1] += b;
  s->h[2] += c;
  s->h[3] += d;
}

void md5_update(Md5* s, const uint8_t* p, size_t n) {
  s->total += n;
  if (s->fill) {
    size_t take = 64 - s->fill < n ? 64 - s->fill : n;
    memcpy(s->block + s->fill, p, take);
    s->fill += take;
    p += take;
    n -= take;
    if (s->fill < 64) return;
    md5_block(s, s->block);
    s->fill = 0;
  }
  for (; n >= 64; p += 64, n -= 64) md5_block(s, p);
  memcpy(s->block, p, n);
  s->fill = n;
}

void md5_final(Md5* s, uint8_t out[16]) {
  uint64_t bits = s->total * 8;
  uint8_t pad[72] = {0x80};
  size_t padlen = s->fill < 56 ? 56 - s->fill : 120 - s->fill;
  for (int i = 0; i < 8; ++i) pad[padlen + (size_t)i] = (uint8_t)(bits >> (8 * i)); /* little-endian */
  md5_update(s, pad, padlen + 8);
  for (int i = 0; i < 4; ++i) {
    out[4 * i] = (uint8_t)s->h[i];
    out[4 * i + 1] = (uint8_t)(s->h[i] >> 8);
    out[4 * i + 2] = (uint8_t)(s->h[i] >> 16);
    out[4 * i + 3] = (uint8_t)(s->h[i] >> 24);
  }
}
