/* Memory-heavy: sorting. Quicksort (median of three, insertion sort for short runs) of 32-bit
 * integers, a stable merge sort of key/index records, and an LSD radix sort of 64-bit keys,
 * each checked for order.
 * Usage: sort [ROUNDS] [N] */
#include "common.h"

typedef struct {
  uint32_t key;
  uint32_t index;
} Rec;

static void insertion_sort(uint32_t* a, int32_t n) {
  for (int32_t i = 1; i < n; ++i) {
    uint32_t x = a[i];
    int32_t j = i - 1;
    while (j >= 0 && a[j] > x) {
      a[j + 1] = a[j];
      --j;
    }
    a[j + 1] = x;
  }
}

static void quick_sort(uint32_t* a, int32_t n) {
  while (n > 24) {
    uint32_t x = a[0], y = a[n / 2], z = a[n - 1];
    uint32_t p = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
    int32_t i = 0, j = n - 1;
    for (;;) {
      while (a[i] < p) ++i;
      while (a[j] > p) --j;
      if (i >= j) break;
      uint32_t t = a[i];
      a[i] = a[j];
      a[j] = t;
      ++i;
      --j;
    }
    /* Recurse into the smaller part, loop on the larger. */
    int32_t left = j + 1;
    if (left < n - left) {
      quick_sort(a, left);
      a += left;
      n -= left;
    } else {
      quick_sort(a + left, n - left);
      n = left;
    }
  }
  insertion_sort(a, n);
}

static void merge_sort(Rec* a, Rec* tmp, uint32_t n) {
  if (n < 2) return;
  uint32_t mid = n / 2;
  merge_sort(a, tmp, mid);
  merge_sort(a + mid, tmp, n - mid);
  uint32_t i = 0, j = mid, k = 0;
  while (i < mid && j < n) tmp[k++] = a[j].key < a[i].key ? a[j++] : a[i++];
  while (i < mid) tmp[k++] = a[i++];
  while (j < n) tmp[k++] = a[j++];
  memcpy(a, tmp, n * sizeof(Rec));
}

static void radix_sort(uint64_t* a, uint64_t* tmp, uint32_t n) {
  uint32_t count[256];
  for (int shift = 0; shift < 64; shift += 8) {
    memset(count, 0, sizeof count);
    for (uint32_t i = 0; i < n; ++i) count[(a[i] >> shift) & 255]++;
    uint32_t sum = 0;
    for (int b = 0; b < 256; ++b) {
      uint32_t c = count[b];
      count[b] = sum;
      sum += c;
    }
    for (uint32_t i = 0; i < n; ++i) tmp[count[(a[i] >> shift) & 255]++] = a[i];
    uint64_t* t = a;
    a = tmp;
    tmp = t;
  }
}

int main(int argc, char** argv) {
  uint32_t rounds = arg_u32(argc, argv, 1, 8);
  uint32_t n = arg_u32(argc, argv, 2, 600000);
  uint32_t* a = malloc(n * sizeof(uint32_t));
  Rec* r = malloc(n * sizeof(Rec));
  Rec* rt = malloc(n * sizeof(Rec));
  uint64_t* q = malloc(n * sizeof(uint64_t));
  uint64_t* qt = malloc(n * sizeof(uint64_t));
  if (!a || !r || !rt || !q || !qt) return 1;
  uint64_t h = 0;
  for (uint32_t round = 0; round < rounds; ++round) {
    uint32_t range = round % 2 ? 1000 : UINT32_MAX; /* many duplicates every other round */
    for (uint32_t i = 0; i < n; ++i) {
      a[i] = rng_below(range);
      r[i].key = rng_below(range);
      r[i].index = i;
      q[i] = rng64();
    }
    quick_sort(a, (int32_t)n);
    merge_sort(r, rt, n);
    radix_sort(q, qt, n);
    uint32_t bad = 0;
    for (uint32_t i = 1; i < n; ++i) {
      bad += a[i - 1] > a[i];
      bad += r[i - 1].key > r[i].key || (r[i - 1].key == r[i].key && r[i - 1].index > r[i].index);
      bad += q[i - 1] > q[i];
    }
    h = mix64(h, bad);
    for (uint32_t i = 0; i < n; i += 97) {
      h = mix64(h, a[i]);
      h = mix64(h, r[i].index);
      h = mix64(h, q[i]);
    }
  }
  print_checksum("sort", h);
  free(a);
  free(r);
  free(rt);
  free(q);
  free(qt);
  return 0;
}
