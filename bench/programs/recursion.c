/* Call-heavy: recursion. Naive Fibonacci, Takeuchi's function, Ackermann's function, and a
 * recursive build/walk of binary trees in a node pool (in the manner of binary-trees).
 * Usage: recursion [FIB_N] */
#include "common.h"

__attribute__((noinline)) static uint32_t fib(uint32_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

__attribute__((noinline)) static int32_t tak(int32_t x, int32_t y, int32_t z) {
  return y < x ? tak(tak(x - 1, y, z), tak(y - 1, z, x), tak(z - 1, x, y)) : z;
}

__attribute__((noinline)) static uint32_t ack(uint32_t m, uint32_t n) {
  if (m == 0) return n + 1;
  if (n == 0) return ack(m - 1, 1);
  return ack(m - 1, ack(m, n - 1));
}

typedef struct {
  int32_t left, right;
  uint32_t value;
} Node;

static Node* pool;
static int32_t pool_next;

__attribute__((noinline)) static int32_t build(uint32_t depth, uint32_t seed) {
  int32_t id = pool_next++;
  pool[id].value = seed * 2654435761u;
  if (depth == 0) {
    pool[id].left = pool[id].right = -1;
  } else {
    pool[id].left = build(depth - 1, seed * 2 + 1);
    pool[id].right = build(depth - 1, seed * 2 + 2);
  }
  return id;
}

__attribute__((noinline)) static uint64_t walk(int32_t id, uint32_t depth) {
  if (id < 0) return 0;
  uint64_t s = pool[id].value ^ depth;
  return s + 3 * walk(pool[id].left, depth + 1) + walk(pool[id].right, depth + 1);
}

int main(int argc, char** argv) {
  uint32_t n = arg_u32(argc, argv, 1, 40);
  uint64_t h = 0;
  h = mix64(h, fib(n));
  /* Recursion depth stays near 1000 frames, within every runtime's default stack. */
  for (uint32_t i = 0; i < n; ++i) {
    h = mix64(h, (uint64_t)tak(18 + (int32_t)(i % 3), 12, 6));
    h = mix64(h, ack(2, 400 + i));
    h = mix64(h, ack(3, 7));
  }
  uint32_t depth = 17;
  pool = malloc(sizeof(Node) * ((size_t)2 << depth));
  if (!pool) return 1;
  for (uint32_t round = 0; round < 8; ++round) {
    pool_next = 0;
    int32_t root = build(depth, round);
    h = mix64(h, walk(root, 0));
    h = mix64(h, (uint64_t)pool_next);
  }
  free(pool);
  print_checksum("recursion", h);
  return 0;
}
