/* LZ77 for deflate: hash chains over the last 32 KiB (three-byte hashes, newest candidates
 * first), with one step of lazy evaluation at the higher levels: a match is only taken when the
 * next position does not start a longer one. */
#include <stdlib.h>
#include <string.h>

#include "wpack.h"

enum { kWindow = 32768, kHashBits = 15, kMinMatch = 3, kMaxMatch = 258, kTooFar = 4096 };

Lz77Params lz77_params(int level) {
  static const Lz77Params table[10] = {
      {0, 0, 0},     {4, 8, 0},     {8, 16, 0},     {16, 32, 0},     {16, 32, 1},
      {32, 64, 1},   {128, 128, 1}, {256, 192, 1},  {512, 258, 1},  {1024, 258, 1},
  };
  return table[level < 0 ? 6 : level > 9 ? 9 : level];
}

typedef struct {
  const uint8_t* data;
  size_t n;
  int32_t* head; /* newest position per hash, or -1 */
  int32_t* prev; /* the previous position with the same hash, by position mod the window */
  Lz77Params p;
} Matcher;

static uint32_t hash3(const uint8_t* s) {
  uint32_t v = (uint32_t)s[0] << 16 | (uint32_t)s[1] << 8 | s[2];
  return (v * 2654435761u) >> (32 - kHashBits);
}

static void insert(Matcher* m, size_t pos) {
  if (pos + kMinMatch > m->n) return;
  uint32_t h = hash3(m->data + pos);
  m->prev[pos & (kWindow - 1)] = m->head[h];
  m->head[h] = (int32_t)pos;
}

/* The longest earlier match for `pos` (0 if none of at least kMinMatch). */
static int find(const Matcher* m, size_t pos, int* dist) {
  if (pos + kMinMatch > m->n) return 0;
  size_t limit = m->n - pos < kMaxMatch ? m->n - pos : kMaxMatch;
  const uint8_t* here = m->data + pos;
  int best = 0, chain = m->p.max_chain;
  int32_t cand = m->head[hash3(here)];
  while (cand >= 0 && pos - (size_t)cand <= kWindow && chain-- > 0) {
    const uint8_t* there = m->data + cand;
    if (there[best] == here[best] && there[0] == here[0]) {
      size_t len = 0;
      while (len < limit && there[len] == here[len]) ++len;
      if ((int)len > best) {
        best = (int)len;
        *dist = (int)(pos - (size_t)cand);
        if (best >= m->p.nice_len || len == limit) break;
      }
    }
    int32_t next = m->prev[cand & (kWindow - 1)];
    if (next >= cand) break; /* chains only go back in time */
    cand = next;
  }
  if (best < kMinMatch || (best == kMinMatch && *dist > kTooFar)) return 0; /* not worth it */
  return best;
}

typedef struct {
  Token* items;
  size_t len;
  size_t cap;
} TokenList;

static void emit(TokenList* t, int len, int dist_or_byte) {
  if (t->len == t->cap) {
    t->cap = t->cap ? t->cap * 2 : 4096;
    t->items = xrealloc(t->items, t->cap * sizeof(Token));
  }
  t->items[t->len++] = (Token){(uint16_t)len, (uint16_t)dist_or_byte};
}

Token* lz77_parse(const uint8_t* data, size_t start, size_t end, Lz77Params p, size_t* ntokens) {
  Matcher m = {data, end, xmalloc(sizeof(int32_t) << kHashBits), xmalloc(sizeof(int32_t) * kWindow), p};
  memset(m.head, 0xff, sizeof(int32_t) << kHashBits);
  size_t history = start > kWindow ? start - kWindow : 0;
  for (size_t i = history; i < start; ++i) insert(&m, i);

  TokenList out = {0};
  size_t pos = start;
  int pending = 0, pending_len = 0, pending_dist = 0; /* a match at pos - 1 waiting for lazy check */
  while (pos < end) {
    int dist = 0;
    int len = find(&m, pos, &dist);
    insert(&m, pos);
    if (pending) {
      if (len > pending_len) { /* the later match wins: the earlier byte goes out alone */
        emit(&out, 0, data[pos - 1]);
        pending_len = len;
        pending_dist = dist;
        ++pos;
        continue;
      }
      emit(&out, pending_len, pending_dist);
      size_t stop = pos - 1 + (size_t)pending_len;
      for (size_t i = pos + 1; i < stop; ++i) insert(&m, i);
      pos = stop;
      pending = 0;
      continue;
    }
    if (len && p.lazy && len < p.nice_len) {
      pending = 1;
      pending_len = len;
      pending_dist = dist;
      ++pos;
      continue;
    }
    if (len) {
      emit(&out, len, dist);
      for (size_t i = pos + 1; i < pos + (size_t)len; ++i) insert(&m, i);
      pos += (size_t)len;
    } else {
      emit(&out, 0, data[pos]);
      ++pos;
    }
  }
  if (pending) emit(&out, pending_len, pending_dist);
  free(m.head);
  free(m.prev);
  *ntokens = out.len;
  return out.items;
}
