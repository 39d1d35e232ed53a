/* The DEFLATE compressor (RFC 1951): LZ77 tokens cut into blocks, each block sent in whichever
 * of the three encodings (stored, fixed Huffman, dynamic Huffman) costs the fewest bits. */
#include <stdlib.h>
#include <string.h>

#include "wpack.h"

enum { kBlockTokens = 16384, kStoredMax = 65535, kLitLen = 286, kDist = 30, kEob = 256 };

typedef struct {
  uint8_t lit_len[288];
  uint8_t dist_len[32];
  uint16_t lit_code[288];
  uint16_t dist_code[32];
} Codes;

typedef struct {
  uint8_t symbol; /* 0..18 */
  uint8_t extra;  /* repeat count minus the base, for 16, 17, 18 */
} ClItem;

typedef struct {
  Codes codes;
  int hlit, hdist, hclen;
  ClItem items[kLitLen + kDist];
  int nitems;
  uint8_t cl_len[19];
  uint16_t cl_code[19];
} DynamicHeader;

static void fixed_codes(Codes* c) {
  for (int s = 0; s < 288; ++s) c->lit_len[s] = s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8;
  for (int s = 0; s < 32; ++s) c->dist_len[s] = 5;
  huffman_codes(c->lit_len, 288, c->lit_code);
  huffman_codes(c->dist_len, 32, c->dist_code);
}

static void count_symbols(const Token* t, size_t n, uint32_t* lit_freq, uint32_t* dist_freq) {
  memset(lit_freq, 0, sizeof(uint32_t) * kLitLen);
  memset(dist_freq, 0, sizeof(uint32_t) * kDist);
  for (size_t i = 0; i < n; ++i) {
    if (t[i].len) {
      lit_freq[257 + length_code(t[i].len)]++;
      dist_freq[dist_code(t[i].dist)]++;
    } else {
      lit_freq[t[i].dist]++;
    }
  }
  lit_freq[kEob] = 1;
}

/* Bits for the tokens and the end of block under `c`, headers excluded. */
static uint64_t token_bits(const Token* t, size_t n, const Codes* c) {
  uint64_t bits = c->lit_len[kEob];
  for (size_t i = 0; i < n; ++i) {
    if (t[i].len) {
      int lc = length_code(t[i].len), dc = dist_code(t[i].dist);
      bits += c->lit_len[257 + lc] + kLengthExtra[lc] + c->dist_len[dc] + kDistExtra[dc];
    } else {
      bits += c->lit_len[t[i].dist];
    }
  }
  return bits;
}

/* Run-length codes for the code lengths (symbols 16, 17, 18 of section 3.2.7). The literal and
 * distance lengths form one sequence, so runs may cross from one to the other. */
static void run_length_items(DynamicHeader* h) {
  uint8_t seq[kLitLen + kDist];
  int total = h->hlit + h->hdist;
  memcpy(seq, h->codes.lit_len, (size_t)h->hlit);
  memcpy(seq + h->hlit, h->codes.dist_len, (size_t)h->hdist);
  h->nitems = 0;
  for (int i = 0; i < total;) {
    int v = seq[i], run = 1;
    while (i + run < total && seq[i + run] == v) ++run;
    i += run;
    if (v == 0) {
      while (run >= 11) {
        int r = run < 138 ? run : 138;
        h->items[h->nitems++] = (ClItem){18, (uint8_t)(r - 11)};
        run -= r;
      }
      if (run >= 3) {
        h->items[h->nitems++] = (ClItem){17, (uint8_t)(run - 3)};
        run = 0;
      }
    } else {
      h->items[h->nitems++] = (ClItem){(uint8_t)v, 0};
      --run;
      while (run >= 3) {
        int r = run < 6 ? run : 6;
        h->items[h->nitems++] = (ClItem){16, (uint8_t)(r - 3)};
        run -= r;
      }
    }
    for (; run > 0; --run) h->items[h->nitems++] = (ClItem){(uint8_t)v, 0};
  }
}

static const uint8_t kClExtraBits[19] = {[16] = 2, [17] = 3, [18] = 7};

/* Builds the dynamic codes for a block and returns the header's size in bits. */
static uint64_t plan_dynamic(const Token* t, size_t n, DynamicHeader* h) {
  uint32_t lit_freq[kLitLen], dist_freq[kDist];
  count_symbols(t, n, lit_freq, dist_freq);
  memset(&h->codes, 0, sizeof h->codes);
  huffman_lengths(lit_freq, kLitLen, 15, h->codes.lit_len);
  huffman_lengths(dist_freq, kDist, 15, h->codes.dist_len);
  huffman_codes(h->codes.lit_len, kLitLen, h->codes.lit_code);
  huffman_codes(h->codes.dist_len, kDist, h->codes.dist_code);
  h->hlit = kLitLen;
  while (h->hlit > 257 && !h->codes.lit_len[h->hlit - 1]) --h->hlit;
  h->hdist = kDist;
  while (h->hdist > 1 && !h->codes.dist_len[h->hdist - 1]) --h->hdist;
  run_length_items(h);

  uint32_t cl_freq[19] = {0};
  for (int i = 0; i < h->nitems; ++i) cl_freq[h->items[i].symbol]++;
  huffman_lengths(cl_freq, 19, 7, h->cl_len);
  huffman_codes(h->cl_len, 19, h->cl_code);
  h->hclen = 19;
  while (h->hclen > 4 && !h->cl_len[kCodeLengthOrder[h->hclen - 1]]) --h->hclen;

  uint64_t bits = 5 + 5 + 4 + 3 * (uint64_t)h->hclen;
  for (int i = 0; i < h->nitems; ++i) bits += h->cl_len[h->items[i].symbol] + kClExtraBits[h->items[i].symbol];
  return bits;
}

static void write_dynamic_header(BitWriter* w, const DynamicHeader* h) {
  bw_put(w, (uint32_t)(h->hlit - 257), 5);
  bw_put(w, (uint32_t)(h->hdist - 1), 5);
  bw_put(w, (uint32_t)(h->hclen - 4), 4);
  for (int i = 0; i < h->hclen; ++i) bw_put(w, h->cl_len[kCodeLengthOrder[i]], 3);
  for (int i = 0; i < h->nitems; ++i) {
    int s = h->items[i].symbol;
    bw_put_reversed(w, h->cl_code[s], h->cl_len[s]);
    if (kClExtraBits[s]) bw_put(w, h->items[i].extra, kClExtraBits[s]);
  }
}

static void write_tokens(BitWriter* w, const Token* t, size_t n, const Codes* c) {
  for (size_t i = 0; i < n; ++i) {
    if (t[i].len) {
      int lc = length_code(t[i].len), dc = dist_code(t[i].dist);
      bw_put_reversed(w, c->lit_code[257 + lc], c->lit_len[257 + lc]);
      if (kLengthExtra[lc]) bw_put(w, (uint32_t)(t[i].len - kLengthBase[lc]), kLengthExtra[lc]);
      bw_put_reversed(w, c->dist_code[dc], c->dist_len[dc]);
      if (kDistExtra[dc]) bw_put(w, (uint32_t)(t[i].dist - kDistBase[dc]), kDistExtra[dc]);
    } else {
      bw_put_reversed(w, c->lit_code[t[i].dist], c->lit_len[t[i].dist]);
    }
  }
  bw_put_reversed(w, c->lit_code[kEob], c->lit_len[kEob]);
}

/* Stored blocks hold at most 65535 bytes each, so one logical block may become several. */
static void write_stored(BitWriter* w, const uint8_t* data, size_t n, int final) {
  do {
    size_t take = n < kStoredMax ? n : kStoredMax;
    int last = final && take == n;
    bw_put(w, (uint32_t)last, 1);
    bw_put(w, 0, 2);
    bw_align(w);
    buf_le16(w->out, (uint16_t)take);
    buf_le16(w->out, (uint16_t)~take);
    buf_put(w->out, data, take);
    data += take;
    n -= take;
  } while (n > 0);
}

static uint64_t stored_bits(size_t n, int bit_offset) {
  uint64_t blocks = n ? (n + kStoredMax - 1) / kStoredMax : 1;
  uint64_t first_pad = (uint64_t)((8 - (bit_offset + 3) % 8) % 8);
  return 3 + first_pad + (blocks - 1) * 8 + blocks * 32 + (uint64_t)n * 8;
}

static void write_block(BitWriter* w, const uint8_t* raw, size_t raw_len, const Token* t, size_t n, int final) {
  static Codes fixed;
  static int fixed_ready;
  if (!fixed_ready) {
    fixed_codes(&fixed);
    fixed_ready = 1;
  }
  DynamicHeader* dyn = xmalloc(sizeof *dyn);
  uint64_t dynamic_cost = plan_dynamic(t, n, dyn) + token_bits(t, n, &dyn->codes);
  uint64_t fixed_cost = token_bits(t, n, &fixed);
  uint64_t stored_cost = stored_bits(raw_len, w->count);
  if (stored_cost < fixed_cost && stored_cost < dynamic_cost) {
    write_stored(w, raw, raw_len, final);
  } else if (fixed_cost <= dynamic_cost) {
    bw_put(w, (uint32_t)final, 1);
    bw_put(w, 1, 2);
    write_tokens(w, t, n, &fixed);
  } else {
    bw_put(w, (uint32_t)final, 1);
    bw_put(w, 2, 2);
    write_dynamic_header(w, dyn);
    write_tokens(w, t, n, &dyn->codes);
  }
  free(dyn);
}

void deflate_compress(const uint8_t* data, size_t n, int level, Buf* out) {
  BitWriter w;
  bw_init(&w, out);
  if (level == 0) {
    write_stored(&w, data, n, 1);
    return;
  }
  size_t ntokens = 0;
  Token* tokens = lz77_parse(data, 0, n, lz77_params(level), &ntokens);
  size_t pos = 0, i = 0;
  do {
    size_t take = ntokens - i < kBlockTokens ? ntokens - i : kBlockTokens;
    size_t raw_len = 0;
    for (size_t k = i; k < i + take; ++k) raw_len += tokens[k].len ? tokens[k].len : 1;
    write_block(&w, data + pos, raw_len, tokens + i, take, i + take == ntokens);
    pos += raw_len;
    i += take;
  } while (i < ntokens);
  bw_align(&w);
  free(tokens);
}
