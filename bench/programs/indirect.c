/* Call-heavy: indirect calls through function pointers. "Shapes" with a table of methods (a
 * hand-made vtable) and a pipeline of integer filters chosen by the data, so every call site
 * is an indirect call (call_indirect in wasm).
 * Usage: indirect [ROUNDS] */
#include "common.h"

typedef struct Shape Shape;
typedef struct {
  int64_t (*area)(const Shape*);
  int64_t (*perimeter)(const Shape*);
  void (*scale)(Shape*, int32_t);
} ShapeVtbl;
struct Shape {
  const ShapeVtbl* vt;
  int32_t a, b, c;
};

static int64_t rect_area(const Shape* s) { return (int64_t)s->a * s->b; }
static int64_t rect_perimeter(const Shape* s) { return 2 * ((int64_t)s->a + s->b); }
static void rect_scale(Shape* s, int32_t k) { s->a = (s->a * k) % 1000 + 1; s->b = (s->b * k) % 1000 + 1; }
static int64_t circle_area(const Shape* s) { return (int64_t)s->a * s->a * 355 / 113; }
static int64_t circle_perimeter(const Shape* s) { return (int64_t)s->a * 710 / 113; }
static void circle_scale(Shape* s, int32_t k) { s->a = (s->a * k) % 997 + 1; }
static int64_t tri_area(const Shape* s) { return ((int64_t)s->a * s->b) / 2 + s->c; }
static int64_t tri_perimeter(const Shape* s) { return (int64_t)s->a + s->b + s->c; }
static void tri_scale(Shape* s, int32_t k) { s->a = (s->a + k) % 991 + 1; s->c = (s->c ^ k) & 1023; }

static const ShapeVtbl kVtbls[3] = {
    {rect_area, rect_perimeter, rect_scale},
    {circle_area, circle_perimeter, circle_scale},
    {tri_area, tri_perimeter, tri_scale},
};

typedef uint32_t (*Filter)(uint32_t, uint32_t);
static uint32_t f_add(uint32_t x, uint32_t y) { return x + y; }
static uint32_t f_xor(uint32_t x, uint32_t y) { return x ^ (y * 0x9E3779B9u); }
static uint32_t f_rot(uint32_t x, uint32_t y) { return (x << (y & 31)) | (x >> ((32 - (y & 31)) & 31)); }
static uint32_t f_mul(uint32_t x, uint32_t y) { return x * (y | 1); }
static uint32_t f_sub(uint32_t x, uint32_t y) { return y - x; }
static uint32_t f_min(uint32_t x, uint32_t y) { return (x < y ? x : y) + 0x1234567u; }
static uint32_t f_shr(uint32_t x, uint32_t y) { return x ^ (x >> ((y & 15) + 1)); }
static uint32_t f_not(uint32_t x, uint32_t y) { return ~x + (y & 255); }
static const Filter kFilters[8] = {f_add, f_xor, f_rot, f_mul, f_sub, f_min, f_shr, f_not};

typedef int (*Compare)(const void*, const void*);
static int cmp_u32(const void* a, const void* b) {
  uint32_t x = *(const uint32_t*)a, y = *(const uint32_t*)b;
  return (x > y) - (x < y);
}

/* A heap sort that takes its comparison as a pointer, like qsort. */
static void heap_sort(uint32_t* a, uint32_t n, Compare cmp) {
  for (uint32_t start = n / 2; start-- > 0;) {
    uint32_t root = start;
    for (uint32_t child; (child = 2 * root + 1) < n; root = child) {
      if (child + 1 < n && cmp(&a[child], &a[child + 1]) < 0) ++child;
      if (cmp(&a[root], &a[child]) >= 0) break;
      uint32_t t = a[root]; a[root] = a[child]; a[child] = t;
    }
  }
  for (uint32_t end = n; end-- > 1;) {
    uint32_t t = a[0]; a[0] = a[end]; a[end] = t;
    uint32_t root = 0;
    for (uint32_t child; (child = 2 * root + 1) < end; root = child) {
      if (child + 1 < end && cmp(&a[child], &a[child + 1]) < 0) ++child;
      if (cmp(&a[root], &a[child]) >= 0) break;
      t = a[root]; a[root] = a[child]; a[child] = t;
    }
  }
}

int main(int argc, char** argv) {
  uint32_t rounds = arg_u32(argc, argv, 1, 6400);
  enum { kShapes = 4096, kProgram = 64, kSort = 20000 };
  static Shape shapes[kShapes];
  static uint8_t program[kProgram];
  static uint32_t arr[kSort];
  for (uint32_t i = 0; i < kShapes; ++i) {
    shapes[i].vt = &kVtbls[rng_below(3)];
    shapes[i].a = 1 + (int32_t)rng_below(500);
    shapes[i].b = 1 + (int32_t)rng_below(500);
    shapes[i].c = (int32_t)rng_below(100);
  }
  for (uint32_t i = 0; i < kProgram; ++i) program[i] = (uint8_t)rng_below(8);
  uint64_t h = 0;
  for (uint32_t r = 0; r < rounds; ++r) {
    int64_t total = 0;
    for (uint32_t i = 0; i < kShapes; ++i) {
      Shape* s = &shapes[i];
      total += s->vt->area(s) - s->vt->perimeter(s);
      if ((i + r) % 5 == 0) s->vt->scale(s, (int32_t)(r % 7) + 2);
    }
    h = mix64(h, (uint64_t)total);
    uint32_t x = r * 2654435761u;
    for (uint32_t i = 0; i < kShapes; ++i) {
      Filter f = kFilters[(program[i % kProgram] + (x & 7)) & 7];
      x = f(x, i);
    }
    h = mix64(h, x);
    if (r % 20 == 0) {
      for (uint32_t i = 0; i < kSort; ++i) arr[i] = rng32();
      heap_sort(arr, kSort, cmp_u32);
      for (uint32_t i = 0; i < kSort; i += 257) h = mix64(h, arr[i]);
    }
  }
  print_checksum("indirect", h);
  return 0;
}
