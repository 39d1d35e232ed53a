/* CRC-32 with the reflected polynomial 0xEDB88320 (RFC 1952 section 8) and Adler-32
 * (RFC 1950 section 9). */
#include "wpack.h"

static uint32_t crc_table[256];
static int crc_ready;

static void crc_init(void) {
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
    crc_table[i] = c;
  }
  crc_ready = 1;
}

uint32_t crc32_update(uint32_t crc, const uint8_t* p, size_t n) {
  if (!crc_ready) crc_init();
  uint32_t c = crc ^ 0xffffffffu;
  for (size_t i = 0; i < n; ++i) c = crc_table[(c ^ p[i]) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

uint32_t adler32_update(uint32_t adler, const uint8_t* p, size_t n) {
  enum { kBase = 65521, kChunk = 5552 }; /* the most bytes before the sums can overflow */
  uint32_t a = adler & 0xffff, b = adler >> 16;
  while (n > 0) {
    size_t take = n < kChunk ? n : kChunk;
    for (size_t i = 0; i < take; ++i) {
      a += p[i];
      b += a;
    }
    a %= kBase;
    b %= kBase;
    p += take;
    n -= take;
  }
  return b << 16 | a;
}
