/* String processing: generates text from a vocabulary, then tokenises it into words, counts
 * them in a string-keyed hash map (with strcmp / memcpy / strlen from libc), searches for
 * patterns with a naive scan and with Knuth-Morris-Pratt, capitalises and reverses words in
 * place, and computes edit distances between pairs of words.
 * Usage: strings [ROUNDS] [BYTES] */
#include "common.h"

enum { kBuckets = 1 << 12, kMaxWords = 1 << 16 };

typedef struct {
  char* word;
  uint32_t count;
  int32_t next;
} Entry;

static int32_t buckets[kBuckets];
static Entry entries[kMaxWords];
static uint32_t num_entries;
static char word_store[1 << 20];
static uint32_t store_used;

static uint32_t str_hash(const char* s, uint32_t n) {
  uint32_t h = 2166136261u;
  for (uint32_t i = 0; i < n; ++i) h = (h ^ (uint8_t)s[i]) * 16777619u;
  return h;
}

static void count_word(const char* w, uint32_t n) {
  char tmp[64];
  if (n >= sizeof tmp) n = sizeof tmp - 1;
  memcpy(tmp, w, n);
  tmp[n] = 0;
  uint32_t b = str_hash(tmp, n) & (kBuckets - 1);
  for (int32_t e = buckets[b]; e >= 0; e = entries[e].next) {
    if (strcmp(entries[e].word, tmp) == 0) {
      entries[e].count++;
      return;
    }
  }
  if (num_entries == kMaxWords || store_used + n + 1 > sizeof word_store) return;
  Entry* e = &entries[num_entries];
  e->word = word_store + store_used;
  memcpy(e->word, tmp, n + 1);
  store_used += n + 1;
  e->count = 1;
  e->next = buckets[b];
  buckets[b] = (int32_t)num_entries++;
}

static uint32_t naive_count(const char* text, uint32_t n, const char* pat) {
  uint32_t m = (uint32_t)strlen(pat), hits = 0;
  for (uint32_t i = 0; i + m <= n; ++i) {
    uint32_t k = 0;
    while (k < m && text[i + k] == pat[k]) ++k;
    hits += k == m;
  }
  return hits;
}

static uint32_t kmp_count(const char* text, uint32_t n, const char* pat) {
  uint32_t m = (uint32_t)strlen(pat), hits = 0;
  int32_t fail[64];
  fail[0] = -1;
  for (uint32_t i = 1; i < m; ++i) {
    int32_t k = fail[i - 1];
    while (k >= 0 && pat[k + 1] != pat[i]) k = fail[k];
    fail[i] = pat[k + 1] == pat[i] ? k + 1 : -1;
  }
  int32_t k = -1;
  for (uint32_t i = 0; i < n; ++i) {
    while (k >= 0 && pat[k + 1] != text[i]) k = fail[k];
    if (pat[k + 1] == text[i]) ++k;
    if (k == (int32_t)m - 1) {
      ++hits;
      k = fail[k];
    }
  }
  return hits;
}

static uint32_t edit_distance(const char* a, const char* b) {
  uint32_t n = (uint32_t)strlen(a), m = (uint32_t)strlen(b);
  uint32_t row[65];
  for (uint32_t j = 0; j <= m; ++j) row[j] = j;
  for (uint32_t i = 1; i <= n; ++i) {
    uint32_t diag = row[0];
    row[0] = i;
    for (uint32_t j = 1; j <= m; ++j) {
      uint32_t up = row[j];
      uint32_t best = diag + (a[i - 1] != b[j - 1]);
      if (up + 1 < best) best = up + 1;
      if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
      row[j] = best;
      diag = up;
    }
  }
  return row[m];
}

static int is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

int main(int argc, char** argv) {
  uint32_t rounds = arg_u32(argc, argv, 1, 40);
  uint32_t n = arg_u32(argc, argv, 2, 1u << 19);
  static const char* syll[] = {"ka", "lo", "mi", "ne", "sa", "tu", "ri", "po", "ve", "da", "zu", "fe", "qui", "str", "an", "o"};
  char* text = malloc(n + 64);
  if (!text) return 1;
  uint64_t h = 0;
  for (uint32_t r = 0; r < rounds; ++r) {
    /* Generate: words of 1-5 syllables, separated by spaces and punctuation. */
    uint32_t len = 0;
    while (len < n) {
      uint32_t syllables = 1 + rng_below(5);
      if (rng_below(9) == 0) text[len++] = 'T';
      for (uint32_t s = 0; s < syllables; ++s) {
        const char* p = syll[rng_below(16)];
        size_t l = strlen(p);
        memcpy(text + len, p, l);
        len += (uint32_t)l;
      }
      uint32_t sep = rng_below(12);
      text[len++] = sep == 0 ? '.' : sep == 1 ? ',' : ' ';
      if (sep == 0) text[len++] = '\n';
    }
    text[len] = 0;

    for (uint32_t i = 0; i < kBuckets; ++i) buckets[i] = -1;
    num_entries = store_used = 0;
    for (uint32_t i = 0; i < len;) {
      while (i < len && !is_alpha(text[i])) ++i;
      uint32_t start = i;
      while (i < len && is_alpha(text[i])) ++i;
      if (i > start) count_word(text + start, i - start);
    }
    uint64_t top = 0;
    for (uint32_t e = 0; e < num_entries; ++e)
      if (entries[e].count > 3) top += entries[e].count * (uint64_t)strlen(entries[e].word);
    h = mix64(h, num_entries);
    h = mix64(h, top);

    static const char* patterns[] = {"kalo", "strqui", "an o", "sasasa", "Tmi", "lo. ", "ne, po"};
    for (uint32_t p = 0; p < 7; ++p) {
      h = mix64(h, naive_count(text, len, patterns[p]));
      h = mix64(h, kmp_count(text, len, patterns[p]));
    }

    /* Capitalise every word and reverse the words of odd length, in place. */
    for (uint32_t i = 0; i < len;) {
      while (i < len && !is_alpha(text[i])) ++i;
      uint32_t start = i;
      while (i < len && is_alpha(text[i])) ++i;
      if (i == start) continue;
      if (text[start] >= 'a' && text[start] <= 'z') text[start] = (char)(text[start] - 32);
      if ((i - start) & 1)
        for (uint32_t a = start, b = i - 1; a < b; ++a, --b) {
          char t = text[a];
          text[a] = text[b];
          text[b] = t;
        }
    }
    h = mix64(h, str_hash(text, len));

    uint64_t dist = 0;
    for (uint32_t e = 0; e + 1 < num_entries && e < 3000; ++e)
      dist += edit_distance(entries[e].word, entries[(e * 7 + 1) % num_entries].word);
    h = mix64(h, dist);
  }
  print_checksum("strings", h);
  free(text);
  return 0;
}
