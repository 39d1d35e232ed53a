/* Standard streams: stdin line by line, stdout and stderr, buffering, exit() with a status. */
//! STDIN: first line
//! STDIN: second line with more words
//! STDIN: 12345
//! EXIT: 7
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>

#include "check.h"

int main(void) {
  char line[256];
  int n = 0;
  long total = 0;
  while (fgets(line, sizeof line, stdin)) {
    ++n;
    total += (long)strlen(line);
    printf("line %d: %s", n, line);
  }
  printf("lines=%d bytes=%ld eof=%d\n", n, total, feof(stdin));
  fprintf(stderr, "to stderr: %d\n", n);
  /* Streams are not terminals here; F_GETFL works on all three. */
  printf("isatty: %d %d %d\n", isatty(0), isatty(1), isatty(2));
  CHECK(fcntl(1, F_GETFL) != -1);
  /* Unbuffered write(2) interleaved with stdio after a flush. */
  fflush(stdout);
  CHECK(write(1, "raw write\n", 10) == 10);
  CHECK(write(2, "raw stderr\n", 11) == 11);
  /* Reading at EOF gives 0, writing to a bad descriptor fails. */
  CHECK(read(0, line, sizeof line) == 0);
  TRY("write to fd 42", write(42, "x", 1));
  TRY("read from fd 42", read(42, line, 1));
  for (int i = 0; i < 1000; ++i) printf("%d%c", i * i, i % 20 == 19 ? '\n' : ' ');
  exit(7);
}
