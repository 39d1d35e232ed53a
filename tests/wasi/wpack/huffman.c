/* Huffman codes for deflate: code lengths from symbol frequencies, limited to a maximum length
 * and always complete (zlib rejects incomplete codes), canonical codes from lengths (RFC 1951
 * section 3.2.2), and a canonical decoder that walks one code length at a time. */
#include <stdlib.h>
#include <string.h>

#include "wpack.h"

typedef struct {
  uint32_t freq;
  int symbol;
} Leaf;

static int leaf_order(const void* a, const void* b) {
  const Leaf* x = a;
  const Leaf* y = b;
  if (x->freq != y->freq) return x->freq < y->freq ? -1 : 1;
  return x->symbol - y->symbol; /* ties by symbol: the same tree on every platform */
}

/* Optimal (unlimited) lengths with the two-queue method: leaves sorted by frequency in one
 * queue, merged nodes (created in non-decreasing order) in the other. */
static void tree_lengths(const Leaf* leaves, int n, uint8_t* depth_of_leaf) {
  int total = 2 * n - 1;
  uint32_t* weight = xmalloc(sizeof(uint32_t) * (size_t)total);
  int* parent = xmalloc(sizeof(int) * (size_t)total);
  for (int i = 0; i < n; ++i) weight[i] = leaves[i].freq;
  int next_leaf = 0, next_node = n, created = n;
  for (; created < total; ++created) {
    int pick[2];
    for (int k = 0; k < 2; ++k) {
      int use_leaf = next_leaf < n && (next_node >= created || weight[next_leaf] <= weight[next_node]);
      pick[k] = use_leaf ? next_leaf++ : next_node++;
    }
    weight[created] = weight[pick[0]] + weight[pick[1]];
    parent[pick[0]] = parent[pick[1]] = created;
  }
  /* Depths from the root down: parents are always created after their children. */
  uint8_t* depth = xmalloc((size_t)total);
  depth[total - 1] = 0;
  for (int i = total - 2; i >= 0; --i) depth[i] = (uint8_t)(depth[parent[i]] + 1);
  memcpy(depth_of_leaf, depth, (size_t)n);
  free(depth);
  free(parent);
  free(weight);
}

void huffman_lengths(const uint32_t* freq, int n, int max_bits, uint8_t* lengths) {
  memset(lengths, 0, (size_t)n);
  Leaf* leaves = xmalloc(sizeof(Leaf) * (size_t)n);
  int used = 0;
  for (int s = 0; s < n; ++s) {
    if (freq[s]) leaves[used++] = (Leaf){freq[s], s};
  }
  if (used < 2) {
    /* One symbol still needs a complete code: pair it with a neighbour of length 1. */
    int only = used ? leaves[0].symbol : 0;
    lengths[only] = 1;
    lengths[only ? 0 : 1] = 1;
    free(leaves);
    return;
  }
  qsort(leaves, (size_t)used, sizeof(Leaf), leaf_order);
  uint8_t* depth = xmalloc((size_t)used);
  tree_lengths(leaves, used, depth);

  /* Clamp to max_bits, then restore the Kraft sum to exactly 2^max_bits: lengthen the rarest
   * codes while it is over, shorten the most frequent ones that fit while it is under. */
  uint32_t full = 1u << max_bits, kraft = 0;
  for (int i = 0; i < used; ++i) {
    if (depth[i] > max_bits) depth[i] = (uint8_t)max_bits;
    kraft += full >> depth[i];
  }
  while (kraft > full) {
    int pick = -1;
    for (int i = 0; i < used; ++i) { /* rarest first, so take the first of the longest */
      if (depth[i] < max_bits && (pick < 0 || depth[i] > depth[pick])) pick = i;
    }
    kraft -= full >> (depth[pick] + 1);
    depth[pick]++;
  }
  while (kraft < full) {
    int pick = -1;
    for (int i = used - 1; i >= 0; --i) { /* most frequent first */
      if (depth[i] > 1 && kraft + (full >> depth[i]) <= full) {
        pick = i;
        break;
      }
    }
    kraft += full >> depth[pick];
    depth[pick]--;
  }
  for (int i = 0; i < used; ++i) lengths[leaves[i].symbol] = depth[i];
  free(depth);
  free(leaves);
}

void huffman_codes(const uint8_t* lengths, int n, uint16_t* codes) {
  int count[kMaxCodeBits + 1] = {0};
  for (int s = 0; s < n; ++s) count[lengths[s]]++;
  count[0] = 0;
  int next[kMaxCodeBits + 1] = {0};
  int code = 0;
  for (int bits = 1; bits <= kMaxCodeBits; ++bits) {
    code = (code + count[bits - 1]) << 1;
    next[bits] = code;
  }
  for (int s = 0; s < n; ++s) codes[s] = lengths[s] ? (uint16_t)next[lengths[s]]++ : 0;
}

int huff_build(HuffDecoder* d, const uint8_t* lengths, int n) {
  memset(d->count, 0, sizeof d->count);
  for (int s = 0; s < n; ++s) d->count[lengths[s]]++;
  d->count[0] = 0;
  int left = 1;
  for (int len = 1; len <= kMaxCodeBits; ++len) {
    left = left * 2 - d->count[len];
    if (left < 0) return -1;
  }
  int offset[kMaxCodeBits + 2];
  offset[1] = 0;
  for (int len = 1; len <= kMaxCodeBits; ++len) offset[len + 1] = offset[len] + d->count[len];
  for (int s = 0; s < n; ++s) {
    if (lengths[s]) d->symbol[offset[lengths[s]]++] = (int16_t)s;
  }
  return left > 0;
}

int huff_decode(const HuffDecoder* d, BitReader* r) {
  if (r->count < kMaxCodeBits) br_refill(r);
  uint64_t acc = r->acc;
  int code = 0, first = 0, index = 0;
  for (int len = 1; len <= kMaxCodeBits; ++len) {
    if (len > r->count) die("corrupt deflate stream", "unexpected end of data");
    code |= (int)(acc & 1);
    acc >>= 1;
    int count = d->count[len];
    if (code - first < count) {
      r->acc = acc;
      r->count -= len;
      return d->symbol[index + code - first];
    }
    index += count;
    first = (first + count) << 1;
    code <<= 1;
  }
  return -1;
}
