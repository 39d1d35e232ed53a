/* A WASI command for the README demo: greets its arguments, shows an environment variable,
 * and lists the directory it was given with --dir.
 *
 *   clang-14 --target=wasm32-wasi --sysroot=/usr -O2 -o hello.wasm hello.c
 *   wasmpp run --dir .::. --env USER=you hello.wasm World
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int by_name(const void* a, const void* b) { return strcmp(*(char* const*)a, *(char* const*)b); }

int main(int argc, char** argv) {
  printf("Hello, %s! (from WebAssembly, via WASI)\n", argc > 1 ? argv[1] : "world");
  const char* user = getenv("USER");
  printf("USER is %s\n", user ? user : "not set (try --env USER=you)");
  time_t now = time(NULL);
  printf("the host clock says %s", ctime(&now));

  DIR* dir = opendir(".");
  if (!dir) {
    printf("no directory to list (try --dir .::.)\n");
    return 0;
  }
  char* names[64];
  int n = 0;
  struct dirent* e;
  while ((e = readdir(dir)) && n < 64) {
    if (e->d_name[0] != '.') names[n++] = strdup(e->d_name);
  }
  closedir(dir);
  qsort(names, (size_t)n, sizeof names[0], by_name);
  printf("files in the preopened directory:\n");
  for (int i = 0; i < n; ++i) {
    printf("  %s\n", names[i]);
    free(names[i]);
  }
  return 0;
}
