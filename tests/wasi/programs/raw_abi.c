/* The preview1 ABI called directly (wasm only): bad guest pointers give EFAULT and never a
 * host fault, exact errno values, struct layouts as wasi-libc's api.h has them, fd_readdir
 * cookies and truncated buffers, prestat names, poll_oneoff events, and the calls that answer
 * with an error by design (proc_raise, sockets). */
//! WASM_ONLY
//! SETUP: mkdir d && echo a > d/a && echo bb > d/bb && echo ccc > d/ccc
//! STDIN: x
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

static int failures = 0;

static void expect(const char* label, long got, long want) {
  printf("%-48s %ld %s\n", label, got, got == want ? "ok" : "WRONG");
  if (got != want) {
    printf("  wanted %ld\n", want);
    ++failures;
  }
}

/* Our own imports, so any i32 can be passed as a pointer. */
#define IMPORT(name) __attribute__((import_module("wasi_snapshot_preview1"), import_name(#name)))
IMPORT(fd_write) int32_t raw_fd_write(int32_t, int32_t, int32_t, int32_t);
IMPORT(fd_read) int32_t raw_fd_read(int32_t, int32_t, int32_t, int32_t);
IMPORT(args_get) int32_t raw_args_get(int32_t, int32_t);
IMPORT(args_sizes_get) int32_t raw_args_sizes_get(int32_t, int32_t);
IMPORT(environ_get) int32_t raw_environ_get(int32_t, int32_t);
IMPORT(environ_sizes_get) int32_t raw_environ_sizes_get(int32_t, int32_t);
IMPORT(fd_tell) int32_t raw_fd_tell(int32_t, int32_t);
IMPORT(fd_filestat_get) int32_t raw_fd_filestat_get(int32_t, int32_t);
IMPORT(path_filestat_get) int32_t raw_path_filestat_get(int32_t, int32_t, int32_t, int32_t, int32_t);
IMPORT(path_readlink) int32_t raw_path_readlink(int32_t, int32_t, int32_t, int32_t, int32_t, int32_t);
IMPORT(fd_prestat_get) int32_t raw_fd_prestat_get(int32_t, int32_t);
IMPORT(clock_time_get) int32_t raw_clock_time_get(int32_t, int64_t, int32_t);
IMPORT(clock_res_get) int32_t raw_clock_res_get(int32_t, int32_t);
IMPORT(random_get) int32_t raw_random_get(int32_t, int32_t);
IMPORT(path_open) int32_t raw_path_open(int32_t, int32_t, int32_t, int32_t, int32_t, int64_t, int64_t, int32_t, int32_t);
IMPORT(fd_fdstat_get) int32_t raw_fd_fdstat_get(int32_t, int32_t);
IMPORT(fd_prestat_dir_name) int32_t raw_fd_prestat_dir_name(int32_t, int32_t, int32_t);
IMPORT(poll_oneoff) int32_t raw_poll_oneoff(int32_t, int32_t, int32_t, int32_t);
IMPORT(fd_readdir) int32_t raw_fd_readdir(int32_t, int32_t, int32_t, int64_t, int32_t);
IMPORT(proc_raise) int32_t raw_proc_raise(int32_t);
IMPORT(sock_accept) int32_t raw_sock_accept(int32_t, int32_t, int32_t);
IMPORT(sock_recv) int32_t raw_sock_recv(int32_t, int32_t, int32_t, int32_t, int32_t, int32_t);
IMPORT(sock_send) int32_t raw_sock_send(int32_t, int32_t, int32_t, int32_t, int32_t);
IMPORT(sock_shutdown) int32_t raw_sock_shutdown(int32_t, int32_t);

#define BAD ((int32_t)0xfffffff0)

static uint8_t buf[4096];

int main(void) {
  /* EFAULT for every kind of bad pointer. */
  int32_t iov[2] = {(int32_t)(uintptr_t)"hi\n", 3};
  int32_t n;
  expect("fd_write: iovs out of bounds", raw_fd_write(1, BAD, 1, (int32_t)(uintptr_t)&n), __WASI_ERRNO_FAULT);
  expect("fd_write: nwritten out of bounds", raw_fd_write(1, (int32_t)(uintptr_t)iov, 1, BAD), __WASI_ERRNO_FAULT);
  int32_t bad_iov[2] = {BAD, 100};
  expect("fd_write: buffer out of bounds", raw_fd_write(1, (int32_t)(uintptr_t)bad_iov, 1, (int32_t)(uintptr_t)&n),
         __WASI_ERRNO_FAULT);
  int32_t wrap_iov[2] = {16, -1};
  expect("fd_read: buffer length wraps", raw_fd_read(0, (int32_t)(uintptr_t)wrap_iov, 1, (int32_t)(uintptr_t)&n),
         __WASI_ERRNO_FAULT);
  expect("fd_read: huge iov count", raw_fd_read(0, (int32_t)(uintptr_t)iov, 0x20000000, (int32_t)(uintptr_t)&n),
         __WASI_ERRNO_FAULT);
  expect("args_sizes_get: bad", raw_args_sizes_get(BAD, BAD), __WASI_ERRNO_FAULT);
  expect("args_get: bad", raw_args_get(BAD, BAD), __WASI_ERRNO_FAULT);
  expect("environ_get: bad", raw_environ_get(BAD, 0), __WASI_ERRNO_FAULT);
  expect("environ_sizes_get: bad", raw_environ_sizes_get((int32_t)(uintptr_t)&n, BAD), __WASI_ERRNO_FAULT);
  expect("clock_res_get: bad out", raw_clock_res_get(1, BAD), __WASI_ERRNO_FAULT);
  expect("fd_tell: bad out", raw_fd_tell(0, BAD), __WASI_ERRNO_FAULT);
  expect("fd_tell: bad fd", raw_fd_tell(55, (int32_t)(uintptr_t)buf), __WASI_ERRNO_BADF);
  expect("fd_filestat_get: bad out", raw_fd_filestat_get(0, BAD), __WASI_ERRNO_FAULT);
  expect("fd_prestat_get: bad out", raw_fd_prestat_get(3, BAD), __WASI_ERRNO_FAULT);
  expect("path_filestat_get: bad out", raw_path_filestat_get(3, 0, (int32_t)(uintptr_t)"d", 1, BAD),
         __WASI_ERRNO_FAULT);
  expect("path_readlink: bad buffer", raw_path_readlink(3, (int32_t)(uintptr_t)"d", 1, BAD, 10, (int32_t)(uintptr_t)&n),
         __WASI_ERRNO_FAULT);
  expect("clock_time_get: bad out", raw_clock_time_get(1, 0, BAD), __WASI_ERRNO_FAULT);
  expect("clock_time_get: bad id", raw_clock_time_get(99, 0, (int32_t)(uintptr_t)buf), __WASI_ERRNO_INVAL);
  expect("clock_res_get: bad id", raw_clock_res_get(4, (int32_t)(uintptr_t)buf), __WASI_ERRNO_INVAL);
  expect("random_get: out of bounds", raw_random_get(BAD, 100), __WASI_ERRNO_FAULT);
  expect("random_get: zero bytes", raw_random_get((int32_t)(uintptr_t)buf, 0), 0);
  expect("path_open: path out of bounds", raw_path_open(3, 0, BAD, 100, 0, 0, 0, 0, (int32_t)(uintptr_t)&n),
         __WASI_ERRNO_FAULT);
  expect("path_open: fd out pointer bad",
         raw_path_open(3, 0, (int32_t)(uintptr_t)"d", 1, 0, 0, 0, 0, BAD), __WASI_ERRNO_FAULT);
  expect("fd_fdstat_get: bad", raw_fd_fdstat_get(1, BAD), __WASI_ERRNO_FAULT);
  expect("poll_oneoff: bad", raw_poll_oneoff(BAD, BAD, 1, BAD), __WASI_ERRNO_FAULT);
  expect("poll_oneoff: no subscriptions", raw_poll_oneoff((int32_t)(uintptr_t)buf, (int32_t)(uintptr_t)buf, 0,
                                                          (int32_t)(uintptr_t)&n), __WASI_ERRNO_INVAL);
  expect("fd_readdir: bad buffer", raw_fd_readdir(3, BAD, 100, 0, (int32_t)(uintptr_t)&n), __WASI_ERRNO_FAULT);

  /* Layouts: fdstat of a preopen and of stdout. */
  __wasi_fdstat_t fs;
  expect("fdstat of preopen", __wasi_fd_fdstat_get(3, &fs), 0);
  expect("  filetype directory", fs.fs_filetype, __WASI_FILETYPE_DIRECTORY);
  expect("  can open paths", (fs.fs_rights_base & __WASI_RIGHTS_PATH_OPEN) != 0, 1);
  expect("  cannot read as a file", (fs.fs_rights_base & __WASI_RIGHTS_FD_READ) != 0, 0);
  expect("  inherits read", (fs.fs_rights_inheriting & __WASI_RIGHTS_FD_READ) != 0, 1);
  __wasi_prestat_t ps;
  expect("prestat of preopen", __wasi_fd_prestat_get(3, &ps), 0);
  expect("  tag dir, name length", ps.tag * 100 + (long)ps.u.dir.pr_name_len, 1);
  expect("prestat of stdout", __wasi_fd_prestat_get(1, &ps), __WASI_ERRNO_BADF);
  expect("prestat of fd 4", __wasi_fd_prestat_get(4, &ps), __WASI_ERRNO_BADF);
  memset(buf, '#', 8);
  expect("prestat name, buffer too small", raw_fd_prestat_dir_name(3, (int32_t)(uintptr_t)buf, 0),
         __WASI_ERRNO_NAMETOOLONG);
  expect("prestat name", __wasi_fd_prestat_dir_name(3, buf, 8), 0);
  expect("  is \".\" and not terminated", buf[0] == '.' && buf[1] == '#', 1);

  /* fd_readdir: entries with cookies, a buffer that cuts an entry short, resuming. */
  __wasi_fd_t dir;
  expect("open d", __wasi_path_open(3, 0, "d", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READDIR, 0, 0, &dir), 0);
  __wasi_size_t used;
  expect("readdir all", __wasi_fd_readdir(dir, buf, sizeof buf, 0, &used), 0);
  int entries = 0, names_len = 0;
  for (__wasi_size_t off = 0; off < used;) {
    __wasi_dirent_t d;
    memcpy(&d, buf + off, sizeof d);
    ++entries;
    names_len += (int)d.d_namlen;
    if (d.d_next != (uint64_t)entries) ++failures;
    off += sizeof d + d.d_namlen;
  }
  expect("  5 entries (. .. a bb ccc)", entries, 5);
  expect("  name bytes", names_len, 1 + 2 + 1 + 2 + 3);
  expect("  bytes used", used, 5 * 24 + 9);
  expect("readdir 30-byte buffer", __wasi_fd_readdir(dir, buf, 30, 0, &used), 0);
  expect("  is full (more to come)", used, 30);
  expect("readdir from cookie 5", __wasi_fd_readdir(dir, buf, sizeof buf, 5, &used), 0);
  expect("  nothing left", used, 0);
  expect("readdir from cookie 4", __wasi_fd_readdir(dir, buf, sizeof buf, 4, &used), 0);
  __wasi_dirent_t last;
  memcpy(&last, buf, sizeof last);
  expect("  one entry, next cookie 5", used == sizeof last + last.d_namlen && last.d_next == 5, 1);
  expect("  regular file", last.d_type, __WASI_FILETYPE_REGULAR_FILE);
  expect("readdir on a file", __wasi_fd_readdir(1, buf, sizeof buf, 0, &used), __WASI_ERRNO_NOTDIR);
  expect("read a directory", __wasi_fd_read(dir, &(__wasi_iovec_t){buf, 1}, 1, &used), __WASI_ERRNO_ISDIR);
  expect("write a directory", __wasi_fd_write(dir, &(__wasi_ciovec_t){buf, 1}, 1, &used), __WASI_ERRNO_BADF);
  /* Linux says EINVAL for ftruncate on a directory; preview1 hosts (wasmtime) say EBADF. */
  expect("truncate a directory", __wasi_fd_filestat_set_size(dir, 0), __WASI_ERRNO_BADF);
  expect("allocate in a directory", __wasi_fd_allocate(dir, 0, 1), __WASI_ERRNO_BADF);
  expect("open a directory for writing",
         __wasi_path_open(3, 0, "d", 0, __WASI_RIGHTS_FD_WRITE, 0, 0, &(__wasi_fd_t){0}), __WASI_ERRNO_ISDIR);
  __wasi_fd_t file;
  expect("open d/bb read-only", __wasi_path_open(3, 0, "d/bb", 0, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_FDSTAT_SET_FLAGS | __WASI_RIGHTS_FD_ADVISE |
                                __WASI_RIGHTS_FD_TELL, 0, 0, &file), 0);
  expect("  fdstat rights: no write", __wasi_fd_fdstat_get(file, &fs) == 0 && !(fs.fs_rights_base & __WASI_RIGHTS_FD_WRITE), 1);
  __wasi_filesize_t pos;
  expect("  seek to 1", __wasi_fd_seek(file, 1, __WASI_WHENCE_SET, &pos) == 0 && pos == 1, 1);
  expect("  tell", __wasi_fd_tell(file, &pos) == 0 && pos == 1, 1);
  expect("  bad whence", __wasi_fd_seek(file, 0, 7, &pos), __WASI_ERRNO_INVAL);
  expect("  set sync flag", __wasi_fd_fdstat_set_flags(file, __WASI_FDFLAGS_SYNC), __WASI_ERRNO_NOTSUP);
  expect("  bad advice", __wasi_fd_advise(file, 0, 0, 9), __WASI_ERRNO_INVAL);
  expect("  drop rights", __wasi_fd_fdstat_set_rights(file, __WASI_RIGHTS_FD_READ, 0), 0);
  expect("  seek now not allowed", __wasi_fd_seek(file, 0, __WASI_WHENCE_SET, &pos), __WASI_ERRNO_NOTCAPABLE);
  expect("  regain rights", __wasi_fd_fdstat_set_rights(file, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK, 0),
         __WASI_ERRNO_NOTCAPABLE);
  expect("  renumber onto dir fd", __wasi_fd_renumber(file, dir), 0);
  expect("  old number closed", __wasi_fd_close(file), __WASI_ERRNO_BADF);
  expect("  close renumbered", __wasi_fd_close(dir), 0);
  expect("renumber to a closed fd", __wasi_fd_renumber(0, 50), __WASI_ERRNO_BADF);

  /* poll_oneoff: a clock in the past fires at once, a bad fd reports EBADF in its event, stdin
   * (a file here) is readable with its byte count. */
  __wasi_subscription_t subs[3];
  __wasi_event_t events[3];
  memset(subs, 0, sizeof subs);
  subs[0].userdata = 11;
  subs[0].u.tag = __WASI_EVENTTYPE_CLOCK;
  subs[0].u.u.clock.id = __WASI_CLOCKID_REALTIME;
  subs[0].u.u.clock.timeout = 1;
  subs[0].u.u.clock.flags = __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME;
  expect("poll: absolute clock in the past", __wasi_poll_oneoff(subs, events, 1, &used), 0);
  expect("  one clock event", used == 1 && events[0].userdata == 11 && events[0].type == __WASI_EVENTTYPE_CLOCK &&
                              events[0].error == 0, 1);
  subs[1].userdata = 22;
  subs[1].u.tag = __WASI_EVENTTYPE_FD_READ;
  subs[1].u.u.fd_read.file_descriptor = 99;
  subs[2].userdata = 33;
  subs[2].u.tag = __WASI_EVENTTYPE_FD_READ;
  subs[2].u.u.fd_read.file_descriptor = 0;
  subs[0].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
  subs[0].u.u.clock.timeout = 5000000000ull;  /* 5 s relative: must not be waited for */
  subs[0].u.u.clock.flags = 0;
  expect("poll: bad fd and stdin", __wasi_poll_oneoff(subs, events, 3, &used), 0);
  expect("  two events", used, 2);
  expect("  bad fd: EBADF", events[0].userdata == 22 && events[0].error == __WASI_ERRNO_BADF, 1);
  expect("  stdin readable, 2 bytes", events[1].userdata == 33 && events[1].type == __WASI_EVENTTYPE_FD_READ &&
                                      events[1].fd_readwrite.nbytes == 2, 1);

  /* Every ready subscription is reported: a zero-timeout clock together with a readable stdin
   * and a writable stdout is three events, in subscription order; a clock that has not expired
   * next to a ready fd is not reported. */
  memset(subs, 0, sizeof subs);
  subs[0].userdata = 44;
  subs[0].u.tag = __WASI_EVENTTYPE_FD_READ;
  subs[0].u.u.fd_read.file_descriptor = 0;
  subs[1].userdata = 55;
  subs[1].u.tag = __WASI_EVENTTYPE_CLOCK;
  subs[1].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
  subs[1].u.u.clock.timeout = 0;
  subs[2].userdata = 66;
  subs[2].u.tag = __WASI_EVENTTYPE_FD_WRITE;
  subs[2].u.u.fd_write.file_descriptor = 1;
  expect("poll: zero clock, stdin, stdout", __wasi_poll_oneoff(subs, events, 3, &used), 0);
  expect("  three events", used, 3);
  expect("  stdin readable first", events[0].userdata == 44 && events[0].type == __WASI_EVENTTYPE_FD_READ &&
                                   events[0].error == 0, 1);
  expect("  zero clock expired too", events[1].userdata == 55 && events[1].type == __WASI_EVENTTYPE_CLOCK &&
                                     events[1].error == 0, 1);
  expect("  stdout writable", events[2].userdata == 66 && events[2].type == __WASI_EVENTTYPE_FD_WRITE &&
                              events[2].error == 0, 1);
  subs[1].u.u.clock.id = __WASI_CLOCKID_REALTIME;
  subs[1].u.u.clock.timeout = 1;
  subs[1].u.u.clock.flags = __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME;
  expect("poll: past absolute clock and stdin", __wasi_poll_oneoff(subs, events, 2, &used), 0);
  expect("  both reported", used == 2 && events[0].userdata == 44 && events[1].userdata == 55, 1);
  subs[1].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
  subs[1].u.u.clock.timeout = 5000000000ull;
  subs[1].u.u.clock.flags = 0;
  expect("poll: pending clock and stdin", __wasi_poll_oneoff(subs, events, 2, &used), 0);
  expect("  only stdin", used == 1 && events[0].userdata == 44, 1);
  subs[0].u.u.fd_read.file_descriptor = 77;
  subs[1].u.u.clock.id = 9;
  expect("poll: bad fd, bad clock id, stdout", __wasi_poll_oneoff(subs, events, 3, &used), 0);
  expect("  three events", used, 3);
  expect("  EBADF, EINVAL, ready", events[0].error == __WASI_ERRNO_BADF && events[1].error == __WASI_ERRNO_INVAL &&
                                   events[1].userdata == 55 && events[2].error == 0, 1);
  subs[0].u.tag = 7;
  expect("poll: unknown subscription tag", __wasi_poll_oneoff(subs, events, 1, &used), __WASI_ERRNO_INVAL);

  /* Closed descriptors and contradictory time flags. */
  expect("readdir closed fd", __wasi_fd_readdir(77, buf, sizeof buf, 0, &used), __WASI_ERRNO_BADF);
  expect("prestat name closed fd", __wasi_fd_prestat_dir_name(77, buf, 8), __WASI_ERRNO_BADF);
  expect("readlink closed fd", __wasi_path_readlink(77, "d", buf, sizeof buf, &used), __WASI_ERRNO_BADF);
  expect("sync closed fd", __wasi_fd_sync(77), __WASI_ERRNO_BADF);
  expect("datasync closed fd", __wasi_fd_datasync(77), __WASI_ERRNO_BADF);
  expect("set flags closed fd", __wasi_fd_fdstat_set_flags(77, 0), __WASI_ERRNO_BADF);
  expect("path times: ATIM and ATIM_NOW",
         __wasi_path_filestat_set_times(3, 0, "d", 1, 1, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW),
         __WASI_ERRNO_INVAL);
  expect("fd times: MTIM and MTIM_NOW",
         __wasi_fd_filestat_set_times(1, 1, 1, __WASI_FSTFLAGS_MTIM | __WASI_FSTFLAGS_MTIM_NOW), __WASI_ERRNO_INVAL);

  /* Calls that fail by design. */
  expect("proc_raise", raw_proc_raise(6), __WASI_ERRNO_NOSYS);
  expect("sched_yield", __wasi_sched_yield(), 0);
  expect("sock_accept on stdin", raw_sock_accept(0, 0, (int32_t)(uintptr_t)&n), __WASI_ERRNO_NOTSUP);
  expect("sock_accept on closed fd", raw_sock_accept(40, 0, (int32_t)(uintptr_t)&n), __WASI_ERRNO_BADF);
  expect("sock_recv", raw_sock_recv(0, 0, 0, 0, 0, 0), __WASI_ERRNO_NOTSUP);
  expect("sock_send", raw_sock_send(1, 0, 0, 0, 0), __WASI_ERRNO_NOTSUP);
  expect("sock_shutdown on closed fd", raw_sock_shutdown(40, 0), __WASI_ERRNO_BADF);
  printf("failures: %d\n", failures);
  return failures ? 1 : 0;
}
