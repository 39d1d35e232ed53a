/* Whole files and positioned I/O. Reads and writes loop over short counts: WASI hosts may
 * return fewer bytes than asked, and pipes do natively. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "wpack.h"

void read_fd(int fd, Buf* out) {
  for (;;) {
    buf_reserve(out, 65536);
    ssize_t n = read(fd, out->data + out->len, out->cap - out->len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) die_errno("cannot read", "input");
    if (n == 0) return;
    out->len += (size_t)n;
  }
}

void read_file(const char* path, Buf* out) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) die_errno("cannot open", path);
  /* Sequential whole-file reads: tell the host (fd_advise under WASI). */
  (void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  read_fd(fd, out);
  close(fd);
}

void write_all(int fd, const uint8_t* data, size_t len, const char* path) {
  while (len > 0) {
    ssize_t n = write(fd, data, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) die_errno("cannot write", path);
    data += n;
    len -= (size_t)n;
  }
}

void write_file(const char* path, const uint8_t* data, size_t len) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) die_errno("cannot create", path);
  write_all(fd, data, len, path);
  if (close(fd) != 0) die_errno("cannot close", path);
}

void pread_all(int fd, uint8_t* data, size_t len, uint64_t offset, const char* path) {
  while (len > 0) {
    ssize_t n = pread(fd, data, len, (off_t)offset);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) die_errno("cannot read", path);
    if (n == 0) die("truncated archive", path);
    data += n;
    len -= (size_t)n;
    offset += (uint64_t)n;
  }
}

void pwrite_all(int fd, const uint8_t* data, size_t len, uint64_t offset, const char* path) {
  while (len > 0) {
    ssize_t n = pwrite(fd, data, len, (off_t)offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) die_errno("cannot write", path);
    data += n;
    len -= (size_t)n;
    offset += (uint64_t)n;
  }
}
