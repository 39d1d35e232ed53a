/* Helpers shared by the WASI test programs: they print results in a form that is the same
 * natively and under wasm (errno names instead of strerror texts, no addresses or times). */
#ifndef WASI_TEST_CHECK_H
#define WASI_TEST_CHECK_H
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char* errname(int e) {
  switch (e) {
    case 0: return "OK";
    case ENOENT: return "ENOENT";
    case EEXIST: return "EEXIST";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case EBADF: return "EBADF";
    case EINVAL: return "EINVAL";
    case ENOTEMPTY: return "ENOTEMPTY";
    case ELOOP: return "ELOOP";
    case EPERM: return "EPERM";
    case EACCES: return "EACCES";
    case ESPIPE: return "ESPIPE";
    case EFAULT: return "EFAULT";
    case ENOSYS: return "ENOSYS";
    case ENOTSUP: return "ENOTSUP";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case EXDEV: return "EXDEV";
#ifdef ENOTCAPABLE
    case ENOTCAPABLE: return "ENOTCAPABLE";
#endif
    default: return "E?";
  }
}

/* Prints "label: OK" or "label: ENAME" for a call returning -1 on error. */
#define TRY(label, expr)                                                         \
  do {                                                                           \
    errno = 0;                                                                   \
    long try_r_ = (long)(expr);                                                  \
    printf("%s: %s\n", label, try_r_ == -1 ? errname(errno) : "OK");             \
  } while (0)

/* Fails the program when `cond` is false. */
#define CHECK(cond)                                                              \
  do {                                                                           \
    if (!(cond)) {                                                               \
      printf("CHECK failed at line %d: %s (errno %s)\n", __LINE__, #cond, errname(errno)); \
      exit(99);                                                                  \
    }                                                                            \
  } while (0)

#endif
