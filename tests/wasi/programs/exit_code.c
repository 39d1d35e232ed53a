/* exit() from deep inside the program: atexit handlers run, buffered output is flushed, and
 * the status reaches the caller. */
//! EXIT: 42
#include <stdio.h>
#include <stdlib.h>

static void handler(void) { printf("atexit handler ran\n"); }

static int depth(int n) {
  if (n == 0) {
    printf("exiting at depth 0 (buffered)");
    exit(42);
  }
  return depth(n - 1) + 1;
}

int main(void) {
  atexit(handler);
  fprintf(stderr, "before exit\n");
  return depth(50);
}
