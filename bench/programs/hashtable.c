/* Memory-heavy: an open-addressing hash table (linear probing, tombstones, growth by rehash)
 * with 64-bit keys, driven by a random mix of inserts, lookups and deletes over a key range
 * larger than the cache.
 * Usage: hashtable [OPERATIONS] [KEY_RANGE] */
#include "common.h"

enum { EMPTY = 0, FULL = 1, DELETED = 2 };

typedef struct {
  uint64_t* keys;
  uint32_t* values;
  uint8_t* state;
  uint32_t cap; /* power of two */
  uint32_t used; /* FULL + DELETED */
  uint32_t size; /* FULL */
} Table;

static uint32_t hash_key(uint64_t k) {
  k ^= k >> 33;
  k *= 0xC2B2AE3D27D4EB4Full;
  k ^= k >> 29;
  return (uint32_t)k;
}

static void table_init(Table* t, uint32_t cap) {
  t->keys = calloc(cap, sizeof(uint64_t));
  t->values = calloc(cap, sizeof(uint32_t));
  t->state = calloc(cap, 1);
  if (!t->keys || !t->values || !t->state) exit(1);
  t->cap = cap;
  t->used = t->size = 0;
}

static void table_free(Table* t) {
  free(t->keys);
  free(t->values);
  free(t->state);
}

static void table_put(Table* t, uint64_t k, uint32_t v);

static void table_rehash(Table* t, uint32_t cap) {
  Table old = *t;
  table_init(t, cap);
  for (uint32_t i = 0; i < old.cap; ++i)
    if (old.state[i] == FULL) table_put(t, old.keys[i], old.values[i]);
  table_free(&old);
}

static void table_put(Table* t, uint64_t k, uint32_t v) {
  if ((t->used + 1) * 4 > t->cap * 3) table_rehash(t, t->size * 2 > t->cap / 2 ? t->cap * 2 : t->cap);
  uint32_t mask = t->cap - 1, i = hash_key(k) & mask, tomb = UINT32_MAX;
  for (;;) {
    if (t->state[i] == EMPTY) break;
    if (t->state[i] == DELETED) {
      if (tomb == UINT32_MAX) tomb = i;
    } else if (t->keys[i] == k) {
      t->values[i] = v;
      return;
    }
    i = (i + 1) & mask;
  }
  if (tomb != UINT32_MAX) {
    i = tomb;
  } else {
    t->used++;
  }
  t->state[i] = FULL;
  t->keys[i] = k;
  t->values[i] = v;
  t->size++;
}

static int table_find(const Table* t, uint64_t k, uint32_t* out) {
  uint32_t mask = t->cap - 1, i = hash_key(k) & mask;
  while (t->state[i] != EMPTY) {
    if (t->state[i] == FULL && t->keys[i] == k) {
      *out = t->values[i];
      return 1;
    }
    i = (i + 1) & mask;
  }
  return 0;
}

static int table_erase(Table* t, uint64_t k) {
  uint32_t mask = t->cap - 1, i = hash_key(k) & mask;
  while (t->state[i] != EMPTY) {
    if (t->state[i] == FULL && t->keys[i] == k) {
      t->state[i] = DELETED;
      t->size--;
      return 1;
    }
    i = (i + 1) & mask;
  }
  return 0;
}

int main(int argc, char** argv) {
  uint32_t ops = arg_u32(argc, argv, 1, 11000000);
  uint32_t range = arg_u32(argc, argv, 2, 1500000);
  Table t;
  table_init(&t, 1024);
  uint64_t h = 0, found = 0, erased = 0;
  for (uint32_t i = 0; i < ops; ++i) {
    uint32_t r = rng32();
    uint64_t key = ((uint64_t)rng_below(range) << 20) * 0x9E3779B97F4A7C15ull + 1;
    uint32_t v;
    switch (r & 7) {
      case 0: case 1: case 2:
        table_put(&t, key, i);
        break;
      case 3:
        erased += (uint64_t)table_erase(&t, key);
        break;
      default:
        if (table_find(&t, key, &v)) {
          found++;
          h = mix64(h, v);
        }
    }
  }
  h = mix64(h, found);
  h = mix64(h, erased);
  h = mix64(h, t.size);
  h = mix64(h, t.cap);
  print_checksum("hashtable", h);
  table_free(&t);
  return 0;
}
