/* A trap ends the run with exit status 134 and the trap and a wasm backtrace (with function
 * names) on stderr; output written before the trap has reached stdout. Built with -O0: at -O2
 * clang runs wasm-opt when it finds one, which inlines these calls and drops the name section. */
//! WASM_ONLY
//! CFLAGS: -O0
//! EXIT: 134
//! STDERR_HAS: wasm trap
//! STDERR_HAS: unreachable
//! STDERR_HAS: crash_here
//! STDERR_HAS: call_through
//! STDERR_HAS: main
#include <stdio.h>
#include <unistd.h>

__attribute__((noinline)) void crash_here(int x) {
  if (x > 0) __builtin_trap();
}

__attribute__((noinline)) void call_through(int x) {
  crash_here(x);
  printf("not reached\n");
}

int main(int argc, char** argv) {
  (void)argv;
  write(1, "before the trap\n", 16);
  call_through(argc);
  return 0;
}
