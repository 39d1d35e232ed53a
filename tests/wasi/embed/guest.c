/* The guest of embedding.cpp: echoes stdin upper-cased to stdout, its args and $X to stderr,
 * writes data/out.txt in the preopen named "data", and exits with status 3. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv) {
  int c;
  while ((c = getchar()) != EOF) putchar(toupper(c));
  fprintf(stderr, "argc=%d argv[1]=%s X=%s\n", argc, argc > 1 ? argv[1] : "-", getenv("X") ? getenv("X") : "-");
  FILE* f = fopen("data/out.txt", "w");
  if (!f) return 10;
  fputs("written by the guest\n", f);
  fclose(f);
  return 3;
}
