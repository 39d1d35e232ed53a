/* The DEFLATE decompressor (RFC 1951 section 3.2). Everything a corrupt stream can get wrong
 * is checked and reported by name: reserved block types, stored lengths that disagree, code
 * length sets that are over-subscribed or incomplete, repeats with nothing to repeat, symbols
 * and distances out of range, and running out of input. */
#include <string.h>

#include "wpack.h"

static _Noreturn void corrupt(const char* why) { die("corrupt deflate stream", why); }

static void inflate_stored(BitReader* r, Buf* out) {
  br_align(r);
  uint32_t len = br_bits(r, 16);
  uint32_t nlen = br_bits(r, 16);
  if ((len ^ 0xffff) != nlen) corrupt("stored block length check failed");
  /* Whole bytes may still sit in the bit buffer; take those first. */
  while (len > 0 && r->count >= 8) {
    buf_byte(out, (uint8_t)br_bits(r, 8));
    --len;
  }
  if (len > r->len - r->pos) corrupt("unexpected end of data");
  buf_put(out, r->data + r->pos, len);
  r->pos += len;
}

static void build_or_fail(HuffDecoder* d, const uint8_t* lengths, int n, const char* what) {
  int status = huff_build(d, lengths, n);
  if (status < 0) corrupt(what);
  /* An incomplete code is allowed only when it has a single code (RFC 1951 permits one
   * distance code; zlib accepts a lone code of length 1 in either table). */
  if (status > 0) {
    int used = 0;
    for (int len = 1; len <= kMaxCodeBits; ++len) used += d->count[len];
    if (used != 1 || d->count[1] != 1) corrupt(what);
  }
}

static void fixed_decoders(HuffDecoder* lit, HuffDecoder* dist) {
  uint8_t lengths[288];
  for (int s = 0; s < 288; ++s) lengths[s] = s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8;
  huff_build(lit, lengths, 288);
  for (int s = 0; s < 30; ++s) lengths[s] = 5;
  huff_build(dist, lengths, 30);
}

static void dynamic_decoders(BitReader* r, HuffDecoder* lit, HuffDecoder* dist) {
  int hlit = (int)br_bits(r, 5) + 257;
  int hdist = (int)br_bits(r, 5) + 1;
  int hclen = (int)br_bits(r, 4) + 4;
  if (hlit > 286 || hdist > 30) corrupt("too many length or distance symbols");
  uint8_t cl_len[19] = {0};
  for (int i = 0; i < hclen; ++i) cl_len[kCodeLengthOrder[i]] = (uint8_t)br_bits(r, 3);
  HuffDecoder cl;
  if (huff_build(&cl, cl_len, 19) != 0) corrupt("bad code length code");

  uint8_t lengths[286 + 30];
  int total = hlit + hdist;
  for (int i = 0; i < total;) {
    int sym = huff_decode(&cl, r);
    if (sym < 0) corrupt("bad code length symbol");
    if (sym < 16) {
      lengths[i++] = (uint8_t)sym;
      continue;
    }
    int value = 0, repeat;
    if (sym == 16) {
      if (i == 0) corrupt("repeat with no previous length");
      value = lengths[i - 1];
      repeat = 3 + (int)br_bits(r, 2);
    } else if (sym == 17) {
      repeat = 3 + (int)br_bits(r, 3);
    } else {
      repeat = 11 + (int)br_bits(r, 7);
    }
    if (i + repeat > total) corrupt("code lengths repeat past the end");
    memset(lengths + i, value, (size_t)repeat);
    i += repeat;
  }
  if (lengths[256] == 0) corrupt("no end-of-block code");
  build_or_fail(lit, lengths, hlit, "bad literal/length code lengths");
  build_or_fail(dist, lengths + hlit, hdist, "bad distance code lengths");
}

/* `start` is where this stream's output begins in `out`: no distance may reach before it. */
static void inflate_codes(BitReader* r, const HuffDecoder* lit, const HuffDecoder* dist, Buf* out, size_t start) {
  for (;;) {
    int sym = huff_decode(lit, r);
    if (sym < 0) corrupt("bad literal/length code");
    if (sym < 256) {
      buf_byte(out, (uint8_t)sym);
      continue;
    }
    if (sym == 256) return;
    sym -= 257;
    if (sym >= 29) corrupt("invalid length symbol");
    size_t len = kLengthBase[sym] + br_bits(r, kLengthExtra[sym]);
    int dsym = huff_decode(dist, r);
    if (dsym < 0) corrupt("bad distance code");
    if (dsym >= 30) corrupt("invalid distance symbol");
    size_t d = kDistBase[dsym] + br_bits(r, kDistExtra[dsym]);
    if (d > out->len - start) corrupt("distance too far back");
    buf_reserve(out, len);
    uint8_t* dst = out->data + out->len;
    const uint8_t* src = dst - d;
    for (size_t k = 0; k < len; ++k) dst[k] = src[k]; /* byte by byte: copies may overlap */
    out->len += len;
  }
}

size_t inflate_data(const uint8_t* data, size_t n, Buf* out) {
  BitReader r;
  br_init(&r, data, n);
  size_t start = out->len;
  int final;
  do {
    final = (int)br_bits(&r, 1);
    int type = (int)br_bits(&r, 2);
    if (type == 0) {
      inflate_stored(&r, out);
    } else if (type == 1 || type == 2) {
      HuffDecoder lit, dist;
      if (type == 1) {
        fixed_decoders(&lit, &dist);
      } else {
        dynamic_decoders(&r, &lit, &dist);
      }
      inflate_codes(&r, &lit, &dist, out, start);
    } else {
      corrupt("reserved block type");
    }
  } while (!final);
  br_align(&r);
  return br_byte_pos(&r);
}
