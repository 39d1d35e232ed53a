/* Bit streams in deflate order: data elements are packed starting with the least significant
 * bit of each byte; Huffman codes go most significant bit first (RFC 1951 section 3.1.1). */
#include "wpack.h"

void bw_init(BitWriter* w, Buf* out) {
  w->out = out;
  w->acc = 0;
  w->count = 0;
}

void bw_put(BitWriter* w, uint32_t bits, int n) {
  w->acc |= ((uint64_t)bits & ((1ull << n) - 1)) << w->count;
  w->count += n;
  while (w->count >= 8) {
    buf_byte(w->out, (uint8_t)w->acc);
    w->acc >>= 8;
    w->count -= 8;
  }
}

void bw_put_reversed(BitWriter* w, uint32_t code, int n) {
  uint32_t rev = 0;
  for (int i = 0; i < n; ++i) rev |= ((code >> i) & 1) << (n - 1 - i);
  bw_put(w, rev, n);
}

void bw_align(BitWriter* w) {
  if (w->count) bw_put(w, 0, 8 - w->count);
}

void br_init(BitReader* r, const uint8_t* data, size_t len) {
  r->data = data;
  r->len = len;
  r->pos = 0;
  r->acc = 0;
  r->count = 0;
}

void br_refill(BitReader* r) {
  while (r->count <= 56 && r->pos < r->len) {
    r->acc |= (uint64_t)r->data[r->pos++] << r->count;
    r->count += 8;
  }
}

uint32_t br_bits(BitReader* r, int n) {
  while (r->count < n) {
    if (r->pos >= r->len) die("corrupt deflate stream", "unexpected end of data");
    r->acc |= (uint64_t)r->data[r->pos++] << r->count;
    r->count += 8;
  }
  uint32_t v = (uint32_t)(r->acc & ((1ull << n) - 1));
  r->acc >>= n;
  r->count -= n;
  return v;
}

void br_align(BitReader* r) {
  r->acc >>= r->count % 8;
  r->count -= r->count % 8;
}

size_t br_byte_pos(const BitReader* r) { return r->pos - (size_t)(r->count / 8); }
