/* wpack: a small archiver written for the WASI tests. It packs a directory tree into one
 * archive file, compressing each file with LZ77 + canonical Huffman codes (a deflate-like
 * format of its own), records SHA-256 and CRC-32 checksums, and unpacks, lists and verifies
 * archives; base64 encoding and hashing are available on their own.
 *
 * The test runs `wpack demo`, which generates input files, packs, lists, unpacks and verifies
 * them, all through ordinary file and directory calls; the wasm build must produce exactly the
 * native build's output and leave byte-identical files (archive included).
 *
 *   wpack pack ARCHIVE DIR      wpack unpack ARCHIVE DIR    wpack list ARCHIVE
 *   wpack hash FILE...          wpack b64enc IN OUT         wpack b64dec IN OUT
 *   wpack demo
 */
//! ARGS: demo
//! STDIN: This line arrives on stdin and is packed as input/stdin.txt.
//! STDIN: A second line, to be sure several lines survive the trip.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------------------------------------ */
/* Errors and growable buffers                                                                */

static void die(const char* what, const char* detail) {
  fprintf(stderr, "wpack: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
  exit(2);
}

static void* xmalloc(size_t n) {
  void* p = malloc(n ? n : 1);
  if (!p) die("out of memory", NULL);
  return p;
}

static void* xrealloc(void* p, size_t n) {
  p = realloc(p, n ? n : 1);
  if (!p) die("out of memory", NULL);
  return p;
}

typedef struct {
  uint8_t* data;
  size_t len;
  size_t cap;
} Buf;

static void buf_reserve(Buf* b, size_t extra) {
  if (b->len + extra <= b->cap) return;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->len + extra) cap *= 2;
  b->data = xrealloc(b->data, cap);
  b->cap = cap;
}

static void buf_put(Buf* b, const void* p, size_t n) {
  buf_reserve(b, n);
  if (n) memcpy(b->data + b->len, p, n);
  b->len += n;
}

static void buf_byte(Buf* b, uint8_t v) { buf_put(b, &v, 1); }

static void buf_u16(Buf* b, uint16_t v) {
  uint8_t x[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
  buf_put(b, x, 2);
}

static void buf_u32(Buf* b, uint32_t v) {
  uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
  buf_put(b, x, 4);
}

static void buf_u64(Buf* b, uint64_t v) {
  buf_u32(b, (uint32_t)v);
  buf_u32(b, (uint32_t)(v >> 32));
}

static void buf_free(Buf* b) {
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

/* A cursor over bytes being parsed; running off the end is a corrupt archive. */
typedef struct {
  const uint8_t* data;
  size_t len;
  size_t pos;
} Reader;

static const uint8_t* rd_take(Reader* r, size_t n) {
  if (n > r->len - r->pos) die("corrupt archive", "truncated");
  const uint8_t* p = r->data + r->pos;
  r->pos += n;
  return p;
}

static uint8_t rd_u8(Reader* r) { return *rd_take(r, 1); }

static uint16_t rd_u16(Reader* r) {
  const uint8_t* p = rd_take(r, 2);
  return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd_u32(Reader* r) {
  const uint8_t* p = rd_take(r, 4);
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd_u64(Reader* r) {
  uint64_t lo = rd_u32(r);
  uint64_t hi = rd_u32(r);
  return lo | hi << 32;
}

/* ------------------------------------------------------------------------------------------ */
/* Whole-file I/O with plain read/write (short reads and writes handled)                     */

static int read_file(const char* path, Buf* out) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -1;
  uint8_t chunk[8192];
  for (;;) {
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n < 0) {
      if (errno == EINTR) continue;
      close(fd);
      return -1;
    }
    if (n == 0) break;
    buf_put(out, chunk, (size_t)n);
  }
  close(fd);
  return 0;
}

static void write_file(const char* path, const uint8_t* data, size_t len) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) die("cannot create", path);
  size_t done = 0;
  while (done < len) {
    ssize_t n = write(fd, data + done, len - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      die("cannot write", path);
    }
    done += (size_t)n;
  }
  if (fsync(fd) != 0) die("cannot sync", path);
  if (close(fd) != 0) die("cannot close", path);
}

static void read_stream(int fd, Buf* out) {
  uint8_t chunk[4096];
  for (;;) {
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n <= 0) break;
    buf_put(out, chunk, (size_t)n);
  }
}

/* ------------------------------------------------------------------------------------------ */
/* SHA-256 (FIPS 180-4)                                                                       */

typedef struct {
  uint32_t h[8];
  uint8_t block[64];
  size_t fill;
  uint64_t total;
} Sha256;

static const uint32_t kSha256K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

static void sha256_init(Sha256* s) {
  static const uint32_t init[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  memcpy(s->h, init, sizeof init);
  s->fill = 0;
  s->total = 0;
}

static void sha256_block(Sha256* s, const uint8_t* p) {
  uint32_t w[64];
  for (int i = 0; i < 16; ++i) {
    w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
  }
  for (int i = 16; i < 64; ++i) {
    uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
    uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  uint32_t a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3];
  uint32_t e = s->h[4], f = s->h[5], g = s->h[6], h = s->h[7];
  for (int i = 0; i < 64; ++i) {
    uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + kSha256K[i] + w[i];
    uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    h = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  s->h[0] += a;
  s->h[1] += b;
  s->h[2] += c;
  s->h[3] += d;
  s->h[4] += e;
  s->h[5] += f;
  s->h[6] += g;
  s->h[7] += h;
}

static void sha256_update(Sha256* s, const uint8_t* p, size_t n) {
  s->total += n;
  while (n > 0) {
    size_t take = 64 - s->fill < n ? 64 - s->fill : n;
    memcpy(s->block + s->fill, p, take);
    s->fill += take;
    p += take;
    n -= take;
    if (s->fill == 64) {
      sha256_block(s, s->block);
      s->fill = 0;
    }
  }
}

static void sha256_final(Sha256* s, uint8_t out[32]) {
  uint64_t bits = s->total * 8;
  uint8_t pad = 0x80;
  sha256_update(s, &pad, 1);
  uint8_t zero = 0;
  while (s->fill != 56) sha256_update(s, &zero, 1);
  uint8_t len[8];
  for (int i = 0; i < 8; ++i) len[i] = (uint8_t)(bits >> (56 - 8 * i));
  sha256_update(s, len, 8);
  for (int i = 0; i < 8; ++i) {
    out[4 * i] = (uint8_t)(s->h[i] >> 24);
    out[4 * i + 1] = (uint8_t)(s->h[i] >> 16);
    out[4 * i + 2] = (uint8_t)(s->h[i] >> 8);
    out[4 * i + 3] = (uint8_t)s->h[i];
  }
}

static void sha256(const uint8_t* p, size_t n, uint8_t out[32]) {
  Sha256 s;
  sha256_init(&s);
  sha256_update(&s, p, n);
  sha256_final(&s, out);
}

static void hex(const uint8_t* p, size_t n, char* out) {
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = digits[p[i] >> 4];
    out[2 * i + 1] = digits[p[i] & 15];
  }
  out[2 * n] = 0;
}

/* ------------------------------------------------------------------------------------------ */
/* CRC-32 (the zlib polynomial)                                                               */

static uint32_t crc_table[256];

static void crc32_init(void) {
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
    crc_table[i] = c;
  }
}

static uint32_t crc32(const uint8_t* p, size_t n) {
  uint32_t c = 0xffffffffu;
  for (size_t i = 0; i < n; ++i) c = crc_table[(c ^ p[i]) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

/* ------------------------------------------------------------------------------------------ */
/* Base64 (RFC 4648, with padding; the decoder skips line breaks)                             */

static const char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void base64_encode(const uint8_t* p, size_t n, Buf* out, int wrap) {
  size_t col = 0;
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = (uint32_t)p[i] << 16;
    if (i + 1 < n) v |= (uint32_t)p[i + 1] << 8;
    if (i + 2 < n) v |= p[i + 2];
    char q[4] = {kB64[v >> 18], kB64[(v >> 12) & 63], i + 1 < n ? kB64[(v >> 6) & 63] : '=',
                 i + 2 < n ? kB64[v & 63] : '='};
    buf_put(out, q, 4);
    col += 4;
    if (wrap && col >= 76) {
      buf_byte(out, '\n');
      col = 0;
    }
  }
  if (wrap && col) buf_byte(out, '\n');
}

static int b64_value(uint8_t c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

/* Returns 0, or -1 on a character that is not base64. */
static int base64_decode(const uint8_t* p, size_t n, Buf* out) {
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < n; ++i) {
    if (p[i] == '\n' || p[i] == '\r') continue;
    if (p[i] == '=') break;
    int v = b64_value(p[i]);
    if (v < 0) return -1;
    acc = acc << 6 | (uint32_t)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      buf_byte(out, (uint8_t)(acc >> bits));
    }
  }
  return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Bit streams, least significant bit first                                                   */

typedef struct {
  Buf* out;
  uint64_t acc;
  int count;
} BitWriter;

static void bw_put(BitWriter* w, uint32_t bits, int n) {
  w->acc |= (uint64_t)bits << w->count;
  w->count += n;
  while (w->count >= 8) {
    buf_byte(w->out, (uint8_t)w->acc);
    w->acc >>= 8;
    w->count -= 8;
  }
}

static void bw_flush(BitWriter* w) {
  if (w->count > 0) buf_byte(w->out, (uint8_t)w->acc);
  w->acc = 0;
  w->count = 0;
}

typedef struct {
  const uint8_t* data;
  size_t len;
  size_t pos;  /* in bits */
} BitReader;

static uint32_t br_bit(BitReader* r) {
  if (r->pos >= r->len * 8) die("corrupt data", "bit stream ends early");
  uint32_t b = (r->data[r->pos >> 3] >> (r->pos & 7)) & 1;
  r->pos++;
  return b;
}

static uint32_t br_bits(BitReader* r, int n) {
  uint32_t v = 0;
  for (int i = 0; i < n; ++i) v |= br_bit(r) << i;
  return v;
}

static void br_align(BitReader* r) { r->pos = (r->pos + 7) & ~(size_t)7; }

/* ------------------------------------------------------------------------------------------ */
/* Huffman codes: lengths from frequencies (limited to 15 bits), canonical codes, decoding     */

enum { kMaxBits = 15, kLitLenSymbols = 286, kDistSymbols = 30, kEndOfBlock = 256 };

typedef struct {
  uint32_t freq;
  int left, right; /* children, -1 for leaves */
  int symbol;
} HuffNode;

/* Depths of the leaves under `node`. */
static void assign_depths(const HuffNode* nodes, int node, int depth, uint8_t* lengths) {
  if (nodes[node].left < 0) {
    lengths[nodes[node].symbol] = (uint8_t)(depth ? depth : 1);
    return;
  }
  assign_depths(nodes, nodes[node].left, depth + 1, lengths);
  assign_depths(nodes, nodes[node].right, depth + 1, lengths);
}

/* Index of the live node with the smallest frequency (ties: lowest index, for determinism). */
static int take_smallest(HuffNode* nodes, int* live, int* nlive) {
  int best = 0;
  for (int i = 1; i < *nlive; ++i) {
    if (nodes[live[i]].freq < nodes[live[best]].freq ||
        (nodes[live[i]].freq == nodes[live[best]].freq && live[i] < live[best])) {
      best = i;
    }
  }
  int node = live[best];
  live[best] = live[--*nlive];
  return node;
}

/* Code lengths for `n` symbols; symbols with zero frequency get length 0. Frequencies are
 * flattened and the tree rebuilt until no code is longer than kMaxBits. */
static void huffman_lengths(const uint32_t* freq_in, int n, uint8_t* lengths) {
  uint32_t* freq = xmalloc(sizeof(uint32_t) * (size_t)n);
  memcpy(freq, freq_in, sizeof(uint32_t) * (size_t)n);
  HuffNode* nodes = xmalloc(sizeof(HuffNode) * (size_t)(2 * n));
  int* live = xmalloc(sizeof(int) * (size_t)n);
  for (;;) {
    memset(lengths, 0, (size_t)n);
    int count = 0, nlive = 0;
    for (int s = 0; s < n; ++s) {
      if (!freq[s]) continue;
      nodes[count] = (HuffNode){freq[s], -1, -1, s};
      live[nlive++] = count++;
    }
    if (count == 0) break;
    while (nlive > 1) {
      int a = take_smallest(nodes, live, &nlive);
      int b = take_smallest(nodes, live, &nlive);
      nodes[count] = (HuffNode){nodes[a].freq + nodes[b].freq, a, b, -1};
      live[nlive++] = count++;
    }
    assign_depths(nodes, live[0], 0, lengths);
    int longest = 0;
    for (int s = 0; s < n; ++s) longest = lengths[s] > longest ? lengths[s] : longest;
    if (longest <= kMaxBits) break;
    for (int s = 0; s < n; ++s) {
      if (freq[s]) freq[s] = freq[s] / 2 + 1;
    }
  }
  free(live);
  free(nodes);
  free(freq);
}

/* Canonical codes, bit-reversed so they can be written least significant bit first. */
static void canonical_codes(const uint8_t* lengths, int n, uint16_t* codes) {
  int count[kMaxBits + 1] = {0};
  for (int s = 0; s < n; ++s) count[lengths[s]]++;
  count[0] = 0;
  int next[kMaxBits + 2] = {0};
  int code = 0;
  for (int bits = 1; bits <= kMaxBits; ++bits) {
    code = (code + count[bits - 1]) << 1;
    next[bits] = code;
  }
  for (int s = 0; s < n; ++s) {
    int len = lengths[s];
    if (!len) {
      codes[s] = 0;
      continue;
    }
    int c = next[len]++;
    int rev = 0;
    for (int i = 0; i < len; ++i) rev |= ((c >> i) & 1) << (len - 1 - i);
    codes[s] = (uint16_t)rev;
  }
}

/* A canonical decoder: how many codes of each length, and the symbols in code order. */
typedef struct {
  int count[kMaxBits + 1];
  int symbols[kLitLenSymbols];
} Decoder;

static void decoder_build(Decoder* d, const uint8_t* lengths, int n) {
  memset(d->count, 0, sizeof d->count);
  for (int s = 0; s < n; ++s) d->count[lengths[s]]++;
  d->count[0] = 0;
  int offset[kMaxBits + 2];
  offset[1] = 0;
  for (int len = 1; len <= kMaxBits; ++len) offset[len + 1] = offset[len] + d->count[len];
  for (int s = 0; s < n; ++s) {
    if (lengths[s]) d->symbols[offset[lengths[s]]++] = s;
  }
}

/* Reads one symbol, one bit at a time: a canonical code of length `len` is `first` plus an
 * index into the symbols of that length. */
static int decoder_read(const Decoder* d, BitReader* r) {
  int code = 0, first = 0, index = 0;
  for (int len = 1; len <= kMaxBits; ++len) {
    code |= (int)br_bit(r);
    int count = d->count[len];
    if (code - first < count) return d->symbols[index + code - first];
    index += count;
    first = (first + count) << 1;
    code <<= 1;
  }
  die("corrupt data", "bad Huffman code");
  return -1;
}

/* ------------------------------------------------------------------------------------------ */
/* Length and distance symbols (the deflate tables)                                           */

static const uint16_t kLenBase[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                      31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
static const uint8_t kLenExtra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                      2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const uint16_t kDistBase[30] = {1,   2,   3,   4,   5,   7,    9,    13,   17,   25,   33,   49,   65,    97,    129,
                                       193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
static const uint8_t kDistExtra[30] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                       6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

static int length_symbol(int len) {
  int i = 28;
  while (kLenBase[i] > len) --i;
  return i;
}

static int distance_symbol(int dist) {
  int i = 29;
  while (kDistBase[i] > dist) --i;
  return i;
}

/* ------------------------------------------------------------------------------------------ */
/* LZ77 matching with hash chains over a 32 KiB window                                        */

enum { kWindow = 32768, kMinMatch = 3, kMaxMatch = 258, kHashBits = 15, kMaxChain = 96 };

typedef struct {
  uint16_t len;   /* 0: a literal */
  uint16_t dist;  /* or the literal byte */
} Token;

typedef struct {
  int32_t* head;  /* last position with each hash */
  int32_t* prev;  /* previous position with the same hash, per position */
} Matcher;

static uint32_t hash3(const uint8_t* p) {
  return ((uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2]) * 2654435761u >> (32 - kHashBits);
}

static void matcher_insert(Matcher* m, const uint8_t* data, size_t pos, size_t end) {
  if (pos + kMinMatch > end) return;
  uint32_t h = hash3(data + pos);
  m->prev[pos] = m->head[h];
  m->head[h] = (int32_t)pos;
}

/* The longest match for `pos` among earlier positions in the window. */
static int matcher_find(const Matcher* m, const uint8_t* data, size_t pos, size_t end, int* dist) {
  if (pos + kMinMatch > end) return 0;
  int best = 0;
  int limit = (int)(end - pos < kMaxMatch ? end - pos : kMaxMatch);
  int32_t cand = m->head[hash3(data + pos)];
  for (int chain = 0; cand >= 0 && chain < kMaxChain; ++chain, cand = m->prev[cand]) {
    if (pos - (size_t)cand > kWindow - 1) break;
    const uint8_t* a = data + cand;
    const uint8_t* b = data + pos;
    if (a[best] != b[best]) continue;
    int len = 0;
    while (len < limit && a[len] == b[len]) ++len;
    if (len > best) {
      best = len;
      *dist = (int)(pos - (size_t)cand);
      if (len == limit) break;
    }
  }
  return best >= kMinMatch ? best : 0;
}

/* Turns data[0..n) into tokens, with one step of lazy matching. */
static Token* lz77_tokens(const uint8_t* data, size_t n, size_t* ntokens) {
  Matcher m;
  m.head = xmalloc(sizeof(int32_t) << kHashBits);
  m.prev = xmalloc(sizeof(int32_t) * (n ? n : 1));
  for (size_t i = 0; i < (1u << kHashBits); ++i) m.head[i] = -1;
  Token* tokens = xmalloc(sizeof(Token) * (n + 1));
  size_t count = 0;
  size_t pos = 0;
  while (pos < n) {
    int dist = 0;
    int len = matcher_find(&m, data, pos, n, &dist);
    if (len && pos + 1 < n) {
      /* A longer match one byte later wins: emit a literal now. */
      matcher_insert(&m, data, pos, n);
      int dist2 = 0;
      int len2 = matcher_find(&m, data, pos + 1, n, &dist2);
      if (len2 > len) {
        tokens[count++] = (Token){0, data[pos]};
        pos += 1;
        len = len2;
        dist = dist2;
      } else {
        /* Undo nothing: pos is already inserted; the loop below skips it. */
        tokens[count++] = (Token){(uint16_t)len, (uint16_t)dist};
        for (size_t i = pos + 1; i < pos + (size_t)len; ++i) matcher_insert(&m, data, i, n);
        pos += (size_t)len;
        continue;
      }
    }
    if (len) {
      tokens[count++] = (Token){(uint16_t)len, (uint16_t)dist};
      for (size_t i = pos; i < pos + (size_t)len; ++i) matcher_insert(&m, data, i, n);
      pos += (size_t)len;
    } else {
      tokens[count++] = (Token){0, data[pos]};
      matcher_insert(&m, data, pos, n);
      pos += 1;
    }
  }
  free(m.head);
  free(m.prev);
  *ntokens = count;
  return tokens;
}

/* ------------------------------------------------------------------------------------------ */
/* The compressed format: blocks of up to 64 KiB of input, each
 *   u32 input length, u8 type (0 stored, 1 Huffman), then the payload:
 *   stored:  the bytes;
 *   Huffman: 286 litlen + 30 distance code lengths, 4 bits each, then the tokens as codes
 *            (with deflate's extra bits), the end-of-block symbol, padding to a byte.
 * An input length of 0 ends the stream. */

enum { kBlockSize = 65536 };

static void compress_block(const uint8_t* data, size_t n, Buf* out) {
  size_t ntokens;
  Token* tokens = lz77_tokens(data, n, &ntokens);
  uint32_t litfreq[kLitLenSymbols] = {0};
  uint32_t distfreq[kDistSymbols] = {0};
  for (size_t i = 0; i < ntokens; ++i) {
    if (tokens[i].len == 0) {
      litfreq[tokens[i].dist]++;
    } else {
      litfreq[257 + length_symbol(tokens[i].len)]++;
      distfreq[distance_symbol(tokens[i].dist)]++;
    }
  }
  litfreq[kEndOfBlock]++;
  uint8_t litlen[kLitLenSymbols], distlen[kDistSymbols];
  uint16_t litcode[kLitLenSymbols], distcode[kDistSymbols];
  huffman_lengths(litfreq, kLitLenSymbols, litlen);
  huffman_lengths(distfreq, kDistSymbols, distlen);
  canonical_codes(litlen, kLitLenSymbols, litcode);
  canonical_codes(distlen, kDistSymbols, distcode);

  Buf coded = {0};
  BitWriter w = {&coded, 0, 0};
  for (int s = 0; s < kLitLenSymbols; ++s) bw_put(&w, litlen[s], 4);
  for (int s = 0; s < kDistSymbols; ++s) bw_put(&w, distlen[s], 4);
  for (size_t i = 0; i < ntokens; ++i) {
    Token t = tokens[i];
    if (t.len == 0) {
      bw_put(&w, litcode[t.dist], litlen[t.dist]);
      continue;
    }
    int ls = length_symbol(t.len);
    bw_put(&w, litcode[257 + ls], litlen[257 + ls]);
    bw_put(&w, (uint32_t)(t.len - kLenBase[ls]), kLenExtra[ls]);
    int ds = distance_symbol(t.dist);
    bw_put(&w, distcode[ds], distlen[ds]);
    bw_put(&w, (uint32_t)(t.dist - kDistBase[ds]), kDistExtra[ds]);
  }
  bw_put(&w, litcode[kEndOfBlock], litlen[kEndOfBlock]);
  bw_flush(&w);
  free(tokens);

  buf_u32(out, (uint32_t)n);
  if (coded.len < n) {
    buf_byte(out, 1);
    buf_put(out, coded.data, coded.len);
  } else {
    buf_byte(out, 0);  /* incompressible: store */
    buf_put(out, data, n);
  }
  buf_free(&coded);
}

static void compress(const uint8_t* data, size_t n, Buf* out) {
  for (size_t pos = 0; pos < n; pos += kBlockSize) {
    size_t len = n - pos < kBlockSize ? n - pos : kBlockSize;
    compress_block(data + pos, len, out);
  }
  buf_u32(out, 0);
}

static void decompress(const uint8_t* data, size_t n, Buf* out) {
  Reader r = {data, n, 0};
  static Decoder lit, dist;
  for (;;) {
    uint32_t len = rd_u32(&r);
    if (len == 0) break;
    if (len > kBlockSize) die("corrupt data", "block too large");
    uint8_t type = rd_u8(&r);
    if (type == 0) {
      buf_put(out, rd_take(&r, len), len);
      continue;
    }
    if (type != 1) die("corrupt data", "unknown block type");
    BitReader br = {r.data + r.pos, r.len - r.pos, 0};
    uint8_t litlen[kLitLenSymbols], distlen[kDistSymbols];
    for (int s = 0; s < kLitLenSymbols; ++s) litlen[s] = (uint8_t)br_bits(&br, 4);
    for (int s = 0; s < kDistSymbols; ++s) distlen[s] = (uint8_t)br_bits(&br, 4);
    decoder_build(&lit, litlen, kLitLenSymbols);
    decoder_build(&dist, distlen, kDistSymbols);
    size_t start = out->len;
    for (;;) {
      int sym = decoder_read(&lit, &br);
      if (sym < 256) {
        buf_byte(out, (uint8_t)sym);
        continue;
      }
      if (sym == kEndOfBlock) break;
      int ls = sym - 257;
      if (ls >= 29) die("corrupt data", "bad length symbol");
      size_t mlen = kLenBase[ls] + br_bits(&br, kLenExtra[ls]);
      int ds = decoder_read(&dist, &br);
      if (ds >= 30) die("corrupt data", "bad distance symbol");
      size_t mdist = kDistBase[ds] + br_bits(&br, kDistExtra[ds]);
      if (mdist > out->len - start) die("corrupt data", "distance before block start");
      buf_reserve(out, mlen);
      for (size_t i = 0; i < mlen; ++i) {
        out->data[out->len] = out->data[out->len - mdist];
        out->len++;
      }
    }
    if (out->len - start != len) die("corrupt data", "block length mismatch");
    br_align(&br);
    r.pos += br.pos / 8;
  }
}

/* ------------------------------------------------------------------------------------------ */
/* Directory walking (names sorted, so archives do not depend on readdir order)              */

typedef struct {
  char** items;
  size_t count;
  size_t cap;
} StrList;

static void list_push(StrList* l, const char* s) {
  if (l->count == l->cap) {
    l->cap = l->cap ? l->cap * 2 : 16;
    l->items = xrealloc(l->items, sizeof(char*) * l->cap);
  }
  l->items[l->count] = xmalloc(strlen(s) + 1);
  strcpy(l->items[l->count], s);
  l->count++;
}

static void list_free(StrList* l) {
  for (size_t i = 0; i < l->count; ++i) free(l->items[i]);
  free(l->items);
  memset(l, 0, sizeof *l);
}

static int cmp_str(const void* a, const void* b) { return strcmp(*(char* const*)a, *(char* const*)b); }

static char* join(const char* a, const char* b) {
  char* s = xmalloc(strlen(a) + strlen(b) + 2);
  sprintf(s, "%s/%s", a, b);
  return s;
}

/* Appends the paths under `root` (relative to it, directories before their contents). */
static void walk(const char* root, const char* rel, StrList* out) {
  char* path = rel[0] ? join(root, rel) : join(root, ".");
  DIR* d = opendir(path);
  if (!d) die("cannot open directory", path);
  StrList names = {0};
  struct dirent* e;
  while ((e = readdir(d))) {
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) list_push(&names, e->d_name);
  }
  closedir(d);
  qsort(names.items, names.count, sizeof(char*), cmp_str);
  for (size_t i = 0; i < names.count; ++i) {
    char* child_rel = rel[0] ? join(rel, names.items[i]) : strdup(names.items[i]);
    char* child = join(root, child_rel);
    struct stat st;
    if (lstat(child, &st) != 0) die("cannot stat", child);
    if (S_ISDIR(st.st_mode)) {
      char* marked = xmalloc(strlen(child_rel) + 2);
      sprintf(marked, "%s/", child_rel);
      list_push(out, marked);
      free(marked);
      walk(root, child_rel, out);
    } else if (S_ISREG(st.st_mode)) {
      list_push(out, child_rel);
    }
    free(child);
    free(child_rel);
  }
  list_free(&names);
  free(path);
}

/* ------------------------------------------------------------------------------------------ */
/* The archive: "WPK1", u32 entry count, then per entry
 *   u16 name length, name, u8 kind (0 file, 1 directory), and for files:
 *   u64 size, u64 compressed size, 32-byte SHA-256 of the contents, u32 CRC-32 of the
 *   compressed bytes, the compressed bytes. */

typedef struct {
  uint64_t files, dirs, bytes_in, bytes_out;
} PackStats;

static PackStats pack(const char* archive, const char* root) {
  StrList paths = {0};
  walk(root, "", &paths);
  Buf out = {0};
  buf_put(&out, "WPK1", 4);
  buf_u32(&out, (uint32_t)paths.count);
  PackStats st = {0, 0, 0, 0};
  for (size_t i = 0; i < paths.count; ++i) {
    const char* name = paths.items[i];
    size_t nlen = strlen(name);
    int is_dir = nlen && name[nlen - 1] == '/';
    buf_u16(&out, (uint16_t)(is_dir ? nlen - 1 : nlen));
    buf_put(&out, name, is_dir ? nlen - 1 : nlen);
    buf_byte(&out, (uint8_t)is_dir);
    if (is_dir) {
      st.dirs++;
      continue;
    }
    char* path = join(root, name);
    Buf data = {0};
    if (read_file(path, &data) != 0) die("cannot read", path);
    Buf packed = {0};
    compress(data.data, data.len, &packed);
    uint8_t digest[32];
    sha256(data.data, data.len, digest);
    buf_u64(&out, data.len);
    buf_u64(&out, packed.len);
    buf_put(&out, digest, 32);
    buf_u32(&out, crc32(packed.data, packed.len));
    buf_put(&out, packed.data, packed.len);
    st.files++;
    st.bytes_in += data.len;
    st.bytes_out += packed.len;
    buf_free(&data);
    buf_free(&packed);
    free(path);
  }
  write_file(archive, out.data, out.len);
  buf_free(&out);
  list_free(&paths);
  return st;
}

typedef void (*EntryFn)(void* ctx, const char* name, int is_dir, const uint8_t* digest, uint64_t size,
                        const uint8_t* packed, uint64_t packed_len);

static void for_each_entry(const char* archive, EntryFn fn, void* ctx) {
  Buf a = {0};
  if (read_file(archive, &a) != 0) die("cannot read", archive);
  Reader r = {a.data, a.len, 0};
  if (memcmp(rd_take(&r, 4), "WPK1", 4) != 0) die("not a wpack archive", archive);
  uint32_t count = rd_u32(&r);
  for (uint32_t i = 0; i < count; ++i) {
    uint16_t nlen = rd_u16(&r);
    char* name = xmalloc((size_t)nlen + 1); /* not on the stack: wasm32 stacks are 64 KiB */
    memcpy(name, rd_take(&r, nlen), nlen);
    name[nlen] = 0;
    if (strstr(name, "..") || name[0] == '/') die("unsafe name in archive", name);
    int is_dir = rd_u8(&r);
    if (is_dir) {
      fn(ctx, name, 1, NULL, 0, NULL, 0);
      free(name);
      continue;
    }
    uint64_t size = rd_u64(&r);
    uint64_t plen = rd_u64(&r);
    const uint8_t* digest = rd_take(&r, 32);
    uint32_t crc = rd_u32(&r);
    const uint8_t* packed = rd_take(&r, (size_t)plen);
    if (crc32(packed, (size_t)plen) != crc) die("CRC mismatch", name);
    fn(ctx, name, 0, digest, size, packed, plen);
    free(name);
  }
  buf_free(&a);
}

static void list_entry(void* ctx, const char* name, int is_dir, const uint8_t* digest, uint64_t size,
                       const uint8_t* packed, uint64_t packed_len) {
  (void)ctx;
  (void)packed;
  if (is_dir) {
    printf("  %-28s %10s\n", name, "<dir>");
    return;
  }
  char h[65];
  hex(digest, 32, h);
  unsigned permille = size ? (unsigned)(packed_len * 1000 / size) : 0;
  printf("  %-28s %10llu -> %8llu (%3u.%u%%)  %.16s\n", name, (unsigned long long)size,
         (unsigned long long)packed_len, permille / 10, permille % 10, h);
}

static void unpack_entry(void* ctx, const char* name, int is_dir, const uint8_t* digest, uint64_t size,
                         const uint8_t* packed, uint64_t packed_len) {
  const char* dest = ctx;
  char* path = join(dest, name);
  if (is_dir) {
    if (mkdir(path, 0755) != 0 && errno != EEXIST) die("cannot create directory", path);
    free(path);
    return;
  }
  Buf data = {0};
  decompress(packed, (size_t)packed_len, &data);
  uint8_t check[32];
  sha256(data.data, data.len, check);
  if (data.len != size || memcmp(check, digest, 32) != 0) die("checksum mismatch", name);
  write_file(path, data.data, data.len);
  buf_free(&data);
  free(path);
}

/* ------------------------------------------------------------------------------------------ */
/* Deterministic test data                                                                    */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rng(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (uint32_t)(rng_state >> 16);
}

static const char* kWords[] = {"the",   "quick",   "brown",  "fox",     "jumps",  "over",   "lazy",   "dog",
                               "wasm",  "module",  "memory", "table",   "global", "import", "export", "stack",
                               "frame", "compile", "trap",   "sandbox", "file",   "path",   "clock",  "random"};

static void gen_text(Buf* b, size_t words) {
  for (size_t i = 0; i < words; ++i) {
    const char* w = kWords[rng() % (sizeof kWords / sizeof kWords[0])];
    buf_put(b, w, strlen(w));
    buf_byte(b, (i % 13 == 12) ? '\n' : ' ');
  }
}

static void make_dir(const char* path) {
  if (mkdir(path, 0755) != 0) die("cannot create directory", path);
}

static void generate_inputs(const Buf* stdin_data) {
  make_dir("input");
  make_dir("input/sub");
  make_dir("input/sub/deeper");
  make_dir("input/empty-dir");
  Buf b = {0};
  gen_text(&b, 40000);
  write_file("input/words.txt", b.data, b.len);
  buf_free(&b);
  for (int i = 0; i < 150000; ++i) buf_byte(&b, (uint8_t)rng());
  write_file("input/random.bin", b.data, b.len);
  buf_free(&b);
  for (int i = 0; i < 5000; ++i) buf_put(&b, "abcabcabd", 9);
  write_file("input/sub/pattern.txt", b.data, b.len);
  buf_free(&b);
  write_file("input/sub/empty.txt", NULL, 0);
  for (int i = 0; i < 3000; ++i) {
    char line[64];
    int n = snprintf(line, sizeof line, "%d\t%u\t%d\n", i, rng() % 1000, i * i);
    buf_put(&b, line, (size_t)n);
  }
  write_file("input/sub/deeper/table.tsv", b.data, b.len);
  buf_free(&b);
  write_file("input/stdin.txt", stdin_data->data, stdin_data->len);
  buf_byte(&b, 'x');
  write_file("input/one-byte", b.data, b.len);
  buf_free(&b);
}

/* Byte-compares two trees of the same shape. */
static int compare_trees(const char* a, const char* b) {
  StrList pa = {0}, pb = {0};
  walk(a, "", &pa);
  walk(b, "", &pb);
  int diffs = 0;
  if (pa.count != pb.count) {
    printf("tree sizes differ: %zu vs %zu\n", pa.count, pb.count);
    diffs++;
  }
  for (size_t i = 0; i < pa.count && i < pb.count; ++i) {
    if (strcmp(pa.items[i], pb.items[i]) != 0) {
      printf("names differ: %s vs %s\n", pa.items[i], pb.items[i]);
      diffs++;
      continue;
    }
    size_t len = strlen(pa.items[i]);
    if (len && pa.items[i][len - 1] == '/') continue;
    char* x = join(a, pa.items[i]);
    char* y = join(b, pb.items[i]);
    Buf bx = {0}, by = {0};
    if (read_file(x, &bx) || read_file(y, &by) || bx.len != by.len || memcmp(bx.data, by.data, bx.len)) {
      printf("contents differ: %s\n", pa.items[i]);
      diffs++;
    }
    buf_free(&bx);
    buf_free(&by);
    free(x);
    free(y);
  }
  list_free(&pa);
  list_free(&pb);
  return diffs;
}

static void print_hash(const char* path) {
  Buf b = {0};
  if (read_file(path, &b) != 0) {
    printf("%s: cannot read\n", path);
    return;
  }
  uint8_t d[32];
  sha256(b.data, b.len, d);
  char h[65];
  hex(d, 32, h);
  Buf enc = {0};
  base64_encode(d, 32, &enc, 0);
  printf("%s  %s  %.*s\n", h, path, (int)enc.len, (const char*)enc.data);
  buf_free(&enc);
  buf_free(&b);
}

static void b64_file(const char* in, const char* out, int encode) {
  Buf b = {0}, r = {0};
  if (read_file(in, &b) != 0) die("cannot read", in);
  if (encode) base64_encode(b.data, b.len, &r, 1);
  else if (base64_decode(b.data, b.len, &r) != 0) die("not base64", in);
  write_file(out, r.data, r.len);
  buf_free(&b);
  buf_free(&r);
}

/* Known answers, so a broken build fails loudly rather than consistently. */
static void self_test(void) {
  uint8_t d[32];
  char h[65];
  sha256((const uint8_t*)"abc", 3, d);
  hex(d, 32, h);
  if (strcmp(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") != 0) die("sha256 self-test", h);
  sha256((const uint8_t*)"", 0, d);
  hex(d, 32, h);
  if (strcmp(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") != 0) die("sha256 self-test", h);
  if (crc32((const uint8_t*)"123456789", 9) != 0xcbf43926u) die("crc32 self-test", NULL);
  Buf e = {0};
  base64_encode((const uint8_t*)"foobar", 6, &e, 0);
  if (e.len != 8 || memcmp(e.data, "Zm9vYmFy", 8) != 0) die("base64 self-test", NULL);
  buf_free(&e);
  printf("self-test: sha256, crc32, base64 ok\n");
}

static int demo(void) {
  self_test();
  Buf in = {0};
  read_stream(0, &in);
  generate_inputs(&in);
  buf_free(&in);
  PackStats st = pack("archive.wpk", "input");
  printf("packed %llu files and %llu directories: %llu -> %llu bytes\n", (unsigned long long)st.files,
         (unsigned long long)st.dirs, (unsigned long long)st.bytes_in, (unsigned long long)st.bytes_out);
  printf("archive contents:\n");
  for_each_entry("archive.wpk", list_entry, NULL);
  make_dir("output");
  for_each_entry("archive.wpk", unpack_entry, "output");
  int diffs = compare_trees("input", "output");
  printf("unpacked tree matches the input: %s\n", diffs ? "NO" : "yes");
  b64_file("archive.wpk", "archive.b64", 1);
  b64_file("archive.b64", "archive.copy", 0);
  print_hash("archive.wpk");
  print_hash("archive.copy");
  print_hash("input/words.txt");
  print_hash("output/words.txt");
  struct stat sa, sb;
  if (stat("archive.b64", &sa) == 0 && stat("archive.wpk", &sb) == 0) {
    printf("base64 size %lld for %lld bytes\n", (long long)sa.st_size, (long long)sb.st_size);
  }
  if (unlink("archive.copy") != 0) die("cannot remove", "archive.copy");
  return diffs ? 1 : 0;
}

int main(int argc, char** argv) {
  crc32_init();
  if (argc >= 2 && strcmp(argv[1], "demo") == 0) return demo();
  if (argc == 4 && strcmp(argv[1], "pack") == 0) {
    PackStats st = pack(argv[2], argv[3]);
    printf("%llu files, %llu -> %llu bytes\n", (unsigned long long)st.files, (unsigned long long)st.bytes_in,
           (unsigned long long)st.bytes_out);
    return 0;
  }
  if (argc == 4 && strcmp(argv[1], "unpack") == 0) {
    if (mkdir(argv[3], 0755) != 0 && errno != EEXIST) die("cannot create directory", argv[3]);
    for_each_entry(argv[2], unpack_entry, argv[3]);
    return 0;
  }
  if (argc == 3 && strcmp(argv[1], "list") == 0) {
    for_each_entry(argv[2], list_entry, NULL);
    return 0;
  }
  if (argc >= 3 && strcmp(argv[1], "hash") == 0) {
    for (int i = 2; i < argc; ++i) print_hash(argv[i]);
    return 0;
  }
  if (argc == 4 && (strcmp(argv[1], "b64enc") == 0 || strcmp(argv[1], "b64dec") == 0)) {
    b64_file(argv[2], argv[3], argv[1][3] == 'e');
    return 0;
  }
  fprintf(stderr, "usage: wpack demo | pack ARCHIVE DIR | unpack ARCHIVE DIR | list ARCHIVE | hash FILE... |"
                  " b64enc IN OUT | b64dec IN OUT\n");
  return 2;
}
