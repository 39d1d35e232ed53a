/* Regular files: create, write, read, pread/pwrite, seek/tell, truncate, append, stat,
 * sync, advise, allocate, close, descriptor renumbering, and their error paths. */
//! SETUP: printf 'existing contents\n' > existing.txt
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#ifdef __wasi__
#include <wasi/api.h>
#endif

#include "check.h"

static void show(const char* path) {
  FILE* f = fopen(path, "rb");
  if (!f) {
    printf("show %s: %s\n", path, errname(errno));
    return;
  }
  char buf[512];
  size_t n = fread(buf, 1, sizeof buf, f);
  fclose(f);
  printf("%s (%zu bytes): [", path, n);
  for (size_t i = 0; i < n; ++i) putchar(buf[i] >= 32 && buf[i] < 127 ? buf[i] : '.');
  printf("]\n");
}

/* Moves descriptor `from` onto `to`, closing `from` (fd_renumber under WASI). */
static int renumber(int from, int to) {
#ifdef __wasi__
  __wasi_errno_t e = __wasi_fd_renumber(from, to);
  if (e) {
    errno = e;
    return -1;
  }
  return 0;
#else
  if (dup2(from, to) < 0) return -1;
  return close(from);
#endif
}

int main(void) {
  int fd = open("data.bin", O_RDWR | O_CREAT | O_TRUNC, 0644);
  CHECK(fd >= 0);
  CHECK(write(fd, "hello, world\n", 13) == 13);
  printf("tell after write: %ld\n", (long)lseek(fd, 0, SEEK_CUR));
  CHECK(lseek(fd, 7, SEEK_SET) == 7);
  char buf[64] = {0};
  CHECK(read(fd, buf, 5) == 5);
  printf("read at 7: %s\n", buf);
  printf("seek end: %ld\n", (long)lseek(fd, 0, SEEK_END));
  printf("seek cur -3: %ld\n", (long)lseek(fd, -3, SEEK_CUR));
  TRY("seek before start", lseek(fd, -100, SEEK_SET));
  TRY("seek bad whence", lseek(fd, 0, 12345));
  CHECK(pwrite(fd, "HELLO", 5, 0) == 5);
  memset(buf, 0, sizeof buf);
  CHECK(pread(fd, buf, 12, 1) == 12);
  printf("pread: %s\n", buf);
  printf("tell after pread/pwrite: %ld\n", (long)lseek(fd, 0, SEEK_CUR));
  /* Scatter/gather. */
  struct iovec iov[3] = {{"ab", 2}, {"", 0}, {"cdef", 4}};
  CHECK(lseek(fd, 0, SEEK_END) == 13);
  CHECK(writev(fd, iov, 3) == 6);
  char a[3] = {0}, b[5] = {0};
  struct iovec rio[2] = {{a, 2}, {b, 4}};
  CHECK(pread(fd, a, 2, 13) == 2);
  CHECK(lseek(fd, 13, SEEK_SET) == 13);
  CHECK(readv(fd, rio, 2) == 6);
  printf("readv: %s %s\n", a, b);
  struct stat st;
  CHECK(fstat(fd, &st) == 0);
  printf("size %ld regular %d dir %d nlink %ld\n", (long)st.st_size, S_ISREG(st.st_mode), S_ISDIR(st.st_mode),
         (long)st.st_nlink);
  CHECK(ftruncate(fd, 5) == 0);
  CHECK(fstat(fd, &st) == 0);
  printf("after truncate: %ld\n", (long)st.st_size);
  CHECK(ftruncate(fd, 10) == 0);
  CHECK(fsync(fd) == 0);
  CHECK(fdatasync(fd) == 0);
  printf("fadvise: %d\n", posix_fadvise(fd, 0, 10, POSIX_FADV_SEQUENTIAL));
  printf("fadvise bad: %s\n", errname(posix_fadvise(fd, 0, 10, 999)));
  printf("fallocate: %d\n", posix_fallocate(fd, 0, 100));
  CHECK(fstat(fd, &st) == 0);
  printf("after fallocate: %ld\n", (long)st.st_size);
  CHECK(ftruncate(fd, 10) == 0);
  /* Set and read back times. */
  struct timespec times[2] = {{1000000000, 5}, {1234567890, 123456789}};
  CHECK(futimens(fd, times) == 0);
  CHECK(fstat(fd, &st) == 0);
  printf("mtime %ld.%09ld atime %ld\n", (long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec, (long)st.st_atim.tv_sec);
  CHECK(close(fd) == 0);
  TRY("close again", close(fd));
  show("data.bin");

  /* O_APPEND, and switching it on later with fcntl. */
  fd = open("existing.txt", O_WRONLY | O_APPEND);
  CHECK(fd >= 0);
  printf("append flag: %d\n", (fcntl(fd, F_GETFL) & O_APPEND) != 0);
  CHECK(write(fd, "appended\n", 9) == 9);
  CHECK(close(fd) == 0);
  fd = open("existing.txt", O_WRONLY);
  CHECK(fd >= 0);
  printf("append flag: %d\n", (fcntl(fd, F_GETFL) & O_APPEND) != 0);
  CHECK(fcntl(fd, F_SETFL, O_APPEND) == 0);
  printf("append flag: %d\n", (fcntl(fd, F_GETFL) & O_APPEND) != 0);
  CHECK(write(fd, "again\n", 6) == 6);
  TRY("read write-only", read(fd, buf, 1));
  CHECK(close(fd) == 0);
  show("existing.txt");

  /* Read-only descriptors refuse writes; O_EXCL, O_TRUNC, O_DIRECTORY on a file. */
  fd = open("existing.txt", O_RDONLY);
  CHECK(fd >= 0);
  TRY("write read-only", write(fd, "x", 1));
  TRY("ftruncate read-only", ftruncate(fd, 0));
  int fd2 = open("second.txt", O_WRONLY | O_CREAT | O_EXCL, 0644);
  CHECK(fd2 >= 0);
  CHECK(write(fd2, "second\n", 7) == 7);
  TRY("renumber", renumber(fd2, fd));
  TRY("write old number", write(fd2, "y", 1));
  CHECK(write(fd, "via renumbered\n", 15) == 15);
  CHECK(close(fd) == 0);
  TRY("renumber bad", renumber(77, 78));
  show("second.txt");
  TRY("open O_EXCL existing", open("second.txt", O_WRONLY | O_CREAT | O_EXCL, 0644));
  TRY("open missing", open("missing.txt", O_RDONLY));
  TRY("open missing dir", open("nodir/x.txt", O_RDONLY | O_CREAT, 0644));
  TRY("open file as dir", open("second.txt", O_RDONLY | O_DIRECTORY));
  TRY("open file/ ", open("second.txt/", O_RDONLY));
  fd = open("second.txt", O_RDWR | O_TRUNC);
  CHECK(fd >= 0);
  CHECK(fstat(fd, &st) == 0);
  printf("truncated size %ld\n", (long)st.st_size);
  CHECK(close(fd) == 0);

  /* stdio over the same calls. */
  FILE* f = fopen("stdio.txt", "w+");
  CHECK(f != NULL);
  for (int i = 0; i < 500; ++i) fprintf(f, "line %d\n", i);
  printf("ftell %ld\n", ftell(f));
  rewind(f);
  int lines = 0;
  while (fgets(buf, sizeof buf, f)) ++lines;
  printf("lines %d\n", lines);
  CHECK(fseek(f, -9, SEEK_END) == 0);
  CHECK(fgets(buf, sizeof buf, f) != NULL);
  printf("last: %s", buf);
  CHECK(fclose(f) == 0);
  TRY("bad fd fstat", fstat(55, &st));
  TRY("bad fd lseek", lseek(55, 0, SEEK_SET));
  TRY("bad fd fsync", fsync(55));
  TRY("bad fd fdatasync", fdatasync(55));
  TRY("bad fd pread", pread(55, buf, 1, 0));
  TRY("bad fd pwrite", pwrite(55, "x", 1, 0));
  TRY("bad fd ftruncate", ftruncate(55, 0));
  TRY("bad fd futimens", futimens(55, times));
  TRY("bad fd F_GETFL", fcntl(55, F_GETFL));
  TRY("bad fd F_SETFL", fcntl(55, F_SETFL, O_APPEND));
  printf("bad fd fadvise: %s\n", errname(posix_fadvise(55, 0, 1, POSIX_FADV_NORMAL)));
  printf("bad fd fallocate: %s\n", errname(posix_fallocate(55, 0, 1)));

  /* Positioned I/O against the descriptor's access mode. */
  fd = open("second.txt", O_RDONLY);
  CHECK(fd >= 0);
  TRY("pwrite read-only", pwrite(fd, "x", 1, 0));
  printf("fallocate read-only: %s\n", errname(posix_fallocate(fd, 0, 1)));
  TRY("futimens read-only (allowed)", futimens(fd, times));
  CHECK(close(fd) == 0);
  fd = open("second.txt", O_WRONLY);
  CHECK(fd >= 0);
  TRY("pread write-only", pread(fd, buf, 1, 0));
  TRY("pwrite write-only", pwrite(fd, "xy", 2, 3));
  TRY("pread negative offset", pread(fd, buf, 1, -1));
  CHECK(close(fd) == 0);
  fd = open(".", O_RDONLY | O_DIRECTORY);
  CHECK(fd >= 0);
  TRY("pread directory", pread(fd, buf, 1, 0));
  TRY("pwrite directory", pwrite(fd, "x", 1, 0));
  CHECK(close(fd) == 0);
  show("second.txt");
  return 0;
}
