/* The sandbox (wasm only: natively these paths would work). A guest reaches only its preopened
 * directory: "..", absolute paths and symlinks leading outside fail with EPERM (wasmtime's
 * answer), symlink loops with ELOOP; nothing outside is created or read. */
//! WASM_ONLY
//! SETUP: mkdir -p sub/deeper && echo inside > sub/inside.txt
//! SETUP: ln -s ../outside/secret escape-rel && ln -s "$OUTSIDE/secret" escape-abs && ln -s .. up
//! SETUP: ln -s ../../outside sub/deep-escape && ln -s ../inside.txt sub/deeper/ok-link && ln -s self-loop self-loop
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

#include "check.h"

static int failures = 0;

/* Checks a raw preview1 call's errno. */
static void expect(const char* label, __wasi_errno_t got, __wasi_errno_t want) {
  printf("%-44s %2d %s\n", label, got, got == want ? "ok" : "WRONG");
  if (got != want) {
    printf("  wanted %d\n", want);
    ++failures;
  }
}

static __wasi_errno_t open_at(const char* path, __wasi_lookupflags_t follow, __wasi_oflags_t oflags) {
  __wasi_fd_t fd;
  __wasi_errno_t e = __wasi_path_open(3, follow, path, oflags,
                                      __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0, 0, &fd);
  if (e == 0) __wasi_fd_close(fd);
  return e;
}

int main(void) {
  const __wasi_lookupflags_t F = __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW;
  expect("inside: sub/inside.txt", open_at("sub/inside.txt", F, 0), 0);
  expect("inside: sub/deeper/../inside.txt", open_at("sub/deeper/../inside.txt", F, 0), 0);
  expect("inside: relative link sub/deeper/ok-link", open_at("sub/deeper/ok-link", F, 0), 0);
  expect("inside: ./sub/./deeper/..//inside.txt", open_at("./sub/./deeper/..//inside.txt", F, 0), 0);
  expect("..", open_at("..", F, 0), __WASI_ERRNO_PERM);
  expect("../outside/secret", open_at("../outside/secret", F, 0), __WASI_ERRNO_PERM);
  expect("sub/../../outside/secret", open_at("sub/../../outside/secret", F, 0), __WASI_ERRNO_PERM);
  expect("absolute /etc/passwd", open_at("/etc/passwd", F, 0), __WASI_ERRNO_PERM);
  expect("symlink ../outside/secret", open_at("escape-rel", F, 0), __WASI_ERRNO_PERM);
  expect("symlink to absolute path", open_at("escape-abs", F, 0), __WASI_ERRNO_PERM);
  expect("symlink .. then name", open_at("up/outside/secret", F, 0), __WASI_ERRNO_PERM);
  expect("symlink in subdir ../../outside", open_at("sub/deep-escape/secret", F, 0), __WASI_ERRNO_PERM);
  expect("escaping symlink, nofollow", open_at("escape-abs", 0, 0), __WASI_ERRNO_LOOP);
  expect("symlink loop", open_at("self-loop", F, 0), __WASI_ERRNO_LOOP);
  expect("create through escaping symlink", open_at("sub/deep-escape/new", F, __WASI_OFLAGS_CREAT), __WASI_ERRNO_PERM);
  expect("mkdir ../x", __wasi_path_create_directory(3, "../made-outside"), __WASI_ERRNO_PERM);
  expect("unlink ../outside/secret", __wasi_path_unlink_file(3, "../outside/secret"), __WASI_ERRNO_PERM);
  expect("rename out", __wasi_path_rename(3, "sub/inside.txt", 3, "../stolen"), __WASI_ERRNO_PERM);
  expect("link out", __wasi_path_link(3, 0, "sub/inside.txt", 3, "up/linked"), __WASI_ERRNO_PERM);
  expect("symlink with absolute target", __wasi_path_symlink("/etc/passwd", 3, "abs-link"), __WASI_ERRNO_PERM);
  expect("symlink with relative target", __wasi_path_symlink("../outside", 3, "rel-link"), 0);
  expect("...which cannot be followed", open_at("rel-link/secret", F, 0), __WASI_ERRNO_PERM);
  __wasi_filestat_t st;
  expect("stat ../outside", __wasi_path_filestat_get(3, F, "../outside", &st), __WASI_ERRNO_PERM);
  expect("stat escaping link, nofollow", __wasi_path_filestat_get(3, 0, "escape-abs", &st), 0);
  printf("  it is a symlink: %d\n", st.filetype == __WASI_FILETYPE_SYMBOLIC_LINK);
  expect("stat escaping link, follow", __wasi_path_filestat_get(3, F, "escape-abs", &st), __WASI_ERRNO_PERM);
  char buf[128];
  __wasi_size_t used;
  expect("readlink of escaping link", __wasi_path_readlink(3, "escape-rel", (uint8_t*)buf, sizeof buf, &used), 0);
  printf("  target: %.*s\n", (int)used, buf);
  expect("set times via escaping link",
         __wasi_path_filestat_set_times(3, F, "escape-rel", 0, 0, __WASI_FSTFLAGS_MTIM_NOW), __WASI_ERRNO_PERM);
  expect("rmdir ..", __wasi_path_remove_directory(3, ".."), __WASI_ERRNO_PERM);
  expect("empty path", open_at("", F, 0), __WASI_ERRNO_NOENT);
  expect("path on a file fd", __wasi_path_create_directory(0, "x"), __WASI_ERRNO_NOTDIR);
  expect("path on a closed fd", __wasi_path_create_directory(77, "x"), __WASI_ERRNO_BADF);

  /* Through wasi-libc: its own path handling ends in the same places. */
  TRY("libc open ../outside/secret", open("../outside/secret", O_RDONLY));
  TRY("libc open escape-abs", open("escape-abs", O_RDONLY));
  TRY("libc opendir up/", opendir("up/") ? 0 : -1);
  TRY("libc stat sub/deep-escape/secret", stat("sub/deep-escape/secret", &(struct stat){0}));
  TRY("libc open sub/inside.txt", close(open("sub/inside.txt", O_RDONLY)));

  /* Nothing was made outside. */
  printf("failures: %d\n", failures);
  return failures ? 1 : 0;
}
