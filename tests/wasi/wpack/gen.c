/* Deterministic test data: the same seed makes the same tree on every platform (a fixed
 * xorshift generator, integer arithmetic only, fixed modification times). The mix is chosen to
 * exercise the compressor: text, records, long runs, incompressible bytes, empty files. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wpack.h"

static uint32_t rng_state;

static uint32_t rng(void) { /* xorshift32 */
  uint32_t x = rng_state;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return rng_state = x;
}

static uint32_t below(uint32_t n) { return rng() % n; }

static const char* const kWords[] = {
    "the",     "of",      "and",     "a",       "to",       "in",      "is",      "that",    "for",
    "it",      "as",      "was",     "with",    "be",       "by",      "on",      "not",     "he",
    "this",    "are",     "or",      "his",     "from",     "at",      "which",   "but",     "have",
    "an",      "had",     "they",    "you",     "were",     "their",   "one",     "all",     "we",
    "can",     "her",     "has",     "there",   "been",     "if",      "more",    "when",    "will",
    "would",   "who",     "so",      "no",      "compress", "window",  "huffman", "symbol",  "length",
    "distance", "block",  "archive", "runtime", "memory",   "module",  "export",  "import",  "table",
    "function", "stack",  "value",   "integer", "float",    "branch",  "loop",    "trap",    "sandbox"};
enum { kWordCount = sizeof kWords / sizeof kWords[0] };

/* Sentences with a skewed word choice (small indexes more often), as in real text. */
static void gen_text(Buf* b, size_t bytes) {
  int column = 0, sentence_start = 1;
  while (b->len < bytes) {
    uint32_t r = below(kWordCount * kWordCount);
    const char* w = kWords[r / kWordCount < r % kWordCount ? r / kWordCount : r % kWordCount];
    size_t n = strlen(w);
    if (column + (int)n > 72) {
      buf_byte(b, '\n');
      column = 0;
    } else if (column) {
      buf_byte(b, ' ');
      ++column;
    }
    buf_put(b, w, n);
    if (sentence_start) b->data[b->len - n] = (uint8_t)(w[0] - 'a' + 'A');
    column += (int)n;
    sentence_start = below(9) == 0;
    if (sentence_start) {
      buf_byte(b, below(4) ? '.' : ',');
      ++column;
    }
  }
  buf_byte(b, '\n');
}

static void gen_csv(Buf* b, size_t rows) {
  char line[128];
  uint32_t balance = 100000;
  for (size_t i = 0; i < rows; ++i) {
    uint32_t delta = below(2000);
    balance = below(2) ? balance + delta : balance - delta;
    /* One generator call per statement: argument evaluation order differs between compilers. */
    const char* word = kWords[below(kWordCount)];
    uint32_t category = below(7);
    int n = snprintf(line, sizeof line, "%zu,%s,%u.%02u,%u\n", i, word, balance / 100, balance % 100, category);
    buf_put(b, line, (size_t)n);
  }
}

static void gen_random(Buf* b, size_t bytes) {
  while (b->len < bytes) buf_byte(b, (uint8_t)(rng() >> 24));
}

static void gen_runs(Buf* b, size_t bytes) { /* runs of 1..600 equal bytes: distance-1 matches */
  while (b->len < bytes) {
    uint8_t v = (uint8_t)below(4);
    for (uint32_t n = 1 + below(600); n > 0 && b->len < bytes; --n) buf_byte(b, v);
  }
}

static void gen_records(Buf* b, size_t count) { /* fixed-size little-endian records */
  for (size_t i = 0; i < count; ++i) {
    buf_le32(b, (uint32_t)i);
    buf_le32(b, (uint32_t)(i * 7919u) & 0xffffu);
    buf_le16(b, (uint16_t)below(100));
    buf_le16(b, 0);
    buf_le32(b, 0x3f800000u + (below(1024) << 8)); /* floats near 1.0 */
  }
}

static void gen_sparse(Buf* b, size_t bytes) { /* mostly zeros, a byte here and there */
  buf_reserve(b, bytes);
  memset(b->data, 0, bytes);
  b->len = bytes;
  for (int i = 0; i < 64; ++i) {
    uint32_t at = below((uint32_t)bytes);
    b->data[at] = (uint8_t)(1 + below(255));
  }
}

static void put(const char* root, const char* rel, const Buf* b) {
  char* path = path_join(root, rel);
  write_file(path, b->data, b->len);
  free(path);
}

static void dir(const char* root, const char* rel) {
  char* path = path_join(root, rel);
  make_dirs(path);
  free(path);
}

static void link_to(const char* root, const char* rel, const char* target) {
  char* path = path_join(root, rel);
  if (symlink(target, path) != 0) die_errno("cannot create link", path);
  free(path);
}

/* Fixed times, deepest entries first so setting a file's time does not disturb its parent's. */
static void fix_times(const char* root) {
  Tree t = {0};
  tree_walk(root, &t);
  for (size_t i = t.len; i-- > 0;) {
    char* path = path_join(root, t.items[i].path);
    time_t when = (time_t)(1600000000 + 86400 * (int64_t)i + 37 * (int64_t)i);
    struct timespec times[2] = {{when, 0}, {when, 0}};
    if (utimensat(AT_FDCWD, path, times, AT_SYMLINK_NOFOLLOW) != 0 && t.items[i].type != ENTRY_SYMLINK) {
      die_errno("cannot set times of", path);
    }
    free(path);
  }
  struct timespec root_times[2] = {{1500000000, 0}, {1500000000, 0}};
  if (utimensat(AT_FDCWD, root, root_times, 0) != 0) die_errno("cannot set times of", root);
  tree_free(&t);
}

void generate_tree(const char* root, uint32_t seed, size_t scale_kib) {
  rng_state = seed ? seed : 1;
  size_t unit = scale_kib * 1024 / 16; /* the sizes below add up to about scale_kib */
  Buf b = {0};
  make_dirs(root);
  dir(root, "text");
  dir(root, "bin");
  dir(root, "deep/a/b/c/d");
  dir(root, "deep/a/empty");
  dir(root, "links");
#define FILE_OF(rel, gen_call) (b.len = 0, gen_call, put(root, rel, &b))
  FILE_OF("text/words.txt", gen_text(&b, 5 * unit));
  FILE_OF("text/with space.txt", gen_text(&b, unit / 4));
  FILE_OF("text/ledger.csv", gen_csv(&b, 2 * unit / 24));
  FILE_OF("text/empty.txt", (void)0);
  FILE_OF("text/one.txt", buf_byte(&b, 'x'));
  FILE_OF("bin/random.bin", gen_random(&b, 3 * unit));
  FILE_OF("bin/runs.bin", gen_runs(&b, 2 * unit));
  FILE_OF("bin/records.bin", gen_records(&b, 2 * unit / 16));
  FILE_OF("bin/sparse.bin", gen_sparse(&b, unit));
  FILE_OF("deep/a/b/c/d/leaf.txt", gen_text(&b, 300));
  FILE_OF("deep/a/b/mixed.bin", (gen_text(&b, unit / 2), gen_random(&b, unit), gen_runs(&b, unit * 2)));
#undef FILE_OF
  link_to(root, "links/words", "../text/words.txt");
  link_to(root, "links/dangling", "no-such-file");
  buf_free(&b);
  fix_times(root);
}
