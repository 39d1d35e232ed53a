/* Arguments, environment and the exit status of main. */
//! ARGS: one "two words" 3 --flag=x
//! ENV: GREETING=hello
//! ENV: EMPTY=
//! ENV: PATHISH=/a/b:/c
//! EXIT: 5
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char** environ;

int main(int argc, char** argv) {
  printf("argc=%d\n", argc);
  for (int i = 1; i < argc; ++i) printf("argv[%d]=[%s]\n", i, argv[i]);
  printf("argv[argc]=%s\n", argv[argc] == NULL ? "NULL" : "set");
  int n = 0;
  for (char** e = environ; *e; ++e) {
    printf("env: %s\n", *e);
    ++n;
  }
  printf("envc=%d\n", n);
  const char* g = getenv("GREETING");
  printf("GREETING=%s\n", g ? g : "(unset)");
  const char* m = getenv("MISSING");
  printf("MISSING=%s\n", m ? m : "(unset)");
  printf("EMPTY=[%s]\n", getenv("EMPTY") ? getenv("EMPTY") : "(unset)");
  return 5;
}
