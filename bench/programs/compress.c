/* Bit manipulation: compression. An LZ77 compressor with a hash-chain match finder writes
 * literals and matches as a bit stream (Elias-gamma lengths), then a decompressor reads it back
 * and the round trip is checked, on generated text with a lot of repetition.
 * Usage: compress [ROUNDS] [BYTES] */
#include "common.h"

enum { kWindow = 1 << 15, kMinMatch = 4, kMaxMatch = 258, kHashBits = 15, kMaxChain = 32 };

typedef struct {
  uint8_t* out;
  uint32_t pos; /* in bits */
} BitWriter;

static void put_bits(BitWriter* w, uint32_t value, uint32_t count) {
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t bit = (value >> i) & 1;
    w->out[w->pos >> 3] |= (uint8_t)(bit << (w->pos & 7));
    w->pos++;
  }
}
/* Elias gamma of v >= 1: (bits - 1) zeros, then v's bits from the top. */
static void put_gamma(BitWriter* w, uint32_t v) {
  uint32_t bits = 32 - (uint32_t)__builtin_clz(v);
  put_bits(w, 0, bits - 1);
  for (uint32_t i = bits; i-- > 0;) put_bits(w, (v >> i) & 1, 1);
}

typedef struct {
  const uint8_t* in;
  uint32_t pos;
} BitReader;

static inline uint32_t get_bit(BitReader* r) {
  uint32_t b = (r->in[r->pos >> 3] >> (r->pos & 7)) & 1;
  r->pos++;
  return b;
}
static uint32_t get_bits(BitReader* r, uint32_t count) {
  uint32_t v = 0;
  for (uint32_t i = 0; i < count; ++i) v |= get_bit(r) << i;
  return v;
}
static uint32_t get_gamma(BitReader* r) {
  uint32_t zeros = 0;
  while (!get_bit(r)) ++zeros;
  uint32_t v = 1;
  while (zeros--) v = (v << 1) | get_bit(r);
  return v;
}

static inline uint32_t hash4(const uint8_t* p) {
  uint32_t x;
  memcpy(&x, p, 4);
  return (x * 2654435761u) >> (32 - kHashBits);
}

/* Returns the compressed size in bits. `out` must be zeroed and large enough. */
static uint32_t compress(const uint8_t* in, uint32_t n, uint8_t* out, int32_t* head, int32_t* prev) {
  BitWriter w = {out, 0};
  for (uint32_t i = 0; i < (1u << kHashBits); ++i) head[i] = -1;
  uint32_t i = 0;
  while (i < n) {
    uint32_t best_len = 0, best_dist = 0;
    if (i + kMinMatch <= n) {
      uint32_t hsh = hash4(in + i);
      int32_t cand = head[hsh];
      uint32_t limit = n - i < kMaxMatch ? n - i : kMaxMatch;
      for (int chain = 0; cand >= 0 && i - (uint32_t)cand <= kWindow && chain < kMaxChain; ++chain) {
        uint32_t len = 0;
        while (len < limit && in[(uint32_t)cand + len] == in[i + len]) ++len;
        if (len > best_len) {
          best_len = len;
          best_dist = i - (uint32_t)cand;
          if (len == limit) break;
        }
        cand = prev[(uint32_t)cand % kWindow];
      }
      prev[i % kWindow] = head[hsh];
      head[hsh] = (int32_t)i;
    }
    if (best_len >= kMinMatch) {
      put_bits(&w, 1, 1);
      put_gamma(&w, best_len - kMinMatch + 1);
      put_bits(&w, best_dist - 1, 15);
      /* Insert the skipped positions into the hash chains. */
      for (uint32_t k = 1; k < best_len && i + k + kMinMatch <= n; ++k) {
        uint32_t hk = hash4(in + i + k);
        prev[(i + k) % kWindow] = head[hk];
        head[hk] = (int32_t)(i + k);
      }
      i += best_len;
    } else {
      put_bits(&w, 0, 1);
      put_bits(&w, in[i], 8);
      ++i;
    }
  }
  return w.pos;
}

static uint32_t decompress(const uint8_t* in, uint32_t bits, uint8_t* out) {
  BitReader r = {in, 0};
  uint32_t n = 0;
  while (r.pos < bits) {
    if (get_bit(&r)) {
      uint32_t len = get_gamma(&r) + kMinMatch - 1;
      uint32_t dist = get_bits(&r, 15) + 1;
      for (uint32_t k = 0; k < len; ++k, ++n) out[n] = out[n - dist];
    } else {
      out[n++] = (uint8_t)get_bits(&r, 8);
    }
  }
  return n;
}

int main(int argc, char** argv) {
  uint32_t rounds = arg_u32(argc, argv, 1, 34);
  uint32_t n = arg_u32(argc, argv, 2, 1u << 20);
  static const char* words[] = {"the ", "quick ", "brown ", "fox ", "jumps ", "over ", "lazy ", "dog ",
                                "wasm ", "runtime ", "compiler ", "register ", "stack ", "memory ", "\n", ", "};
  uint8_t* text = malloc(n);
  uint8_t* packed = malloc(n * 2 + 16);
  uint8_t* back = malloc(n + kMaxMatch);
  int32_t* head = malloc(sizeof(int32_t) << kHashBits);
  int32_t* prev = malloc(sizeof(int32_t) * kWindow);
  if (!text || !packed || !back || !head || !prev) return 1;
  uint64_t h = 0;
  for (uint32_t r = 0; r < rounds; ++r) {
    uint32_t len = 0;
    while (len < n) {
      const char* w = words[rng_below(16)];
      if (rng_below(16) == 0) { /* noise */
        text[len++] = (uint8_t)rng32();
        continue;
      }
      while (*w && len < n) text[len++] = (uint8_t)*w++;
    }
    memset(packed, 0, n * 2 + 16);
    uint32_t bits = compress(text, n, packed, head, prev);
    uint32_t m = decompress(packed, bits, back);
    h = mix64(h, bits);
    h = mix64(h, m == n && memcmp(text, back, n) == 0);
    for (uint32_t i = 0; i < (bits + 7) / 8; i += 61) h = mix64(h, packed[i]);
  }
  print_checksum("compress", h);
  free(text);
  free(packed);
  free(back);
  free(head);
  free(prev);
  return 0;
}
