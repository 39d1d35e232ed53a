#pragma once
// The fd_* calls: reading, writing, seeking, descriptor flags and rights, file status,
// preopen names, directory listings and the descriptor table itself.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cstdint>
#include <string>

#include "wasm/wasi/ctx.hpp"
#include "wasm/wasi/filestat.hpp"
#include "wasm/wasi/guest_memory.hpp"
#include "wasm/wasi/unique_fd.hpp"

namespace wasm::wasi::calls {

namespace detail {

// A directory fd may not be read as a file; a file without FD_READ was not opened for it.
inline FdEntry& readable(WasiCtx& ctx, uint32_t fd, Rights extra = 0) {
  FdEntry& e = ctx.fds.get(fd);
  if (e.is_dir()) fail(ERRNO_ISDIR);
  e.require(rights::FD_READ, ERRNO_BADF);
  e.require(extra);
  return e;
}
inline FdEntry& writable(WasiCtx& ctx, uint32_t fd, Rights extra = 0) {
  FdEntry& e = ctx.fds.get(fd);
  if (e.is_dir()) fail(ERRNO_BADF);
  e.require(rights::FD_WRITE, ERRNO_BADF);
  e.require(extra);
  return e;
}

inline off_t host_offset(uint64_t offset) {
  if (offset > uint64_t(INT64_MAX)) fail(ERRNO_INVAL);
  return off_t(offset);
}

// Retries a syscall interrupted by a signal.
template <typename F>
auto no_eintr(F&& f) {
  for (;;) {
    auto r = f();
    if (r >= 0 || errno != EINTR) return check_host(r);
  }
}

inline uint16_t fdflags_of(int host_flags) {
  uint16_t f = 0;
  if (host_flags & O_APPEND) f |= fdflags::APPEND;
  if (host_flags & O_NONBLOCK) f |= fdflags::NONBLOCK;
  if ((host_flags & O_SYNC) == O_SYNC) f |= fdflags::SYNC;
  else if (host_flags & O_DSYNC) f |= fdflags::DSYNC;
  return f;
}

// Lists the directory open at `dir`, "." and ".." first (as wasmtime). The ".." of a preopened
// directory is outside the sandbox: it reports the directory's own inode rather than leak one.
inline std::vector<DirEntry> list_directory(int dir, bool is_preopen) {
  int fd = ::openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail_host();
  DIR* d = ::fdopendir(fd);
  if (!d) {
    ::close(fd);
    fail_host();
  }
  std::vector<DirEntry> out;
  struct stat self = {}, st = {};
  ::fstat(fd, &self);
  out.push_back({".", uint64_t(self.st_ino), Filetype::Directory});
  if (is_preopen || ::fstatat(fd, "..", &st, 0) != 0) st = self;
  out.push_back({"..", uint64_t(st.st_ino), Filetype::Directory});
  while (dirent* de = ::readdir(d)) {
    std::string name = de->d_name;
    if (name == "." || name == "..") continue;
    Filetype type = Filetype::Unknown;
    switch (de->d_type) {
      case DT_REG: type = Filetype::RegularFile; break;
      case DT_DIR: type = Filetype::Directory; break;
      case DT_LNK: type = Filetype::SymbolicLink; break;
      case DT_CHR: type = Filetype::CharacterDevice; break;
      case DT_BLK: type = Filetype::BlockDevice; break;
      case DT_SOCK: type = Filetype::SocketStream; break;
      case DT_UNKNOWN:
        if (::fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) type = filetype_of(st.st_mode);
        break;
      default: break;
    }
    out.push_back({std::move(name), uint64_t(de->d_ino), type});
  }
  ::closedir(d);
  return out;
}

}  // namespace detail

inline Errno fd_read(WasiCtx& ctx, const GuestMemory& mem, uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                     uint32_t nread) {
  FdEntry& e = detail::readable(ctx, fd);
  auto v = mem.iovecs(iovs, iovs_len);
  mem.at(nread, 4);
  ssize_t n = detail::no_eintr([&] { return ::readv(e.host_fd, v.data(), int(v.size())); });
  mem.store<uint32_t>(nread, uint32_t(n));
  return ERRNO_SUCCESS;
}

inline Errno fd_pread(WasiCtx& ctx, const GuestMemory& mem, uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                      uint64_t offset, uint32_t nread) {
  FdEntry& e = detail::readable(ctx, fd, rights::FD_SEEK);
  auto v = mem.iovecs(iovs, iovs_len);
  mem.at(nread, 4);
  off_t off = detail::host_offset(offset);
  ssize_t n = detail::no_eintr([&] { return ::preadv(e.host_fd, v.data(), int(v.size()), off); });
  mem.store<uint32_t>(nread, uint32_t(n));
  return ERRNO_SUCCESS;
}

inline Errno fd_write(WasiCtx& ctx, const GuestMemory& mem, uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                      uint32_t nwritten) {
  FdEntry& e = detail::writable(ctx, fd);
  auto v = mem.iovecs(iovs, iovs_len);
  mem.at(nwritten, 4);
  ssize_t n = detail::no_eintr([&] { return ::writev(e.host_fd, v.data(), int(v.size())); });
  mem.store<uint32_t>(nwritten, uint32_t(n));
  return ERRNO_SUCCESS;
}

inline Errno fd_pwrite(WasiCtx& ctx, const GuestMemory& mem, uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                       uint64_t offset, uint32_t nwritten) {
  FdEntry& e = detail::writable(ctx, fd, rights::FD_SEEK);
  auto v = mem.iovecs(iovs, iovs_len);
  mem.at(nwritten, 4);
  off_t off = detail::host_offset(offset);
  ssize_t n = detail::no_eintr([&] { return ::pwritev(e.host_fd, v.data(), int(v.size()), off); });
  mem.store<uint32_t>(nwritten, uint32_t(n));
  return ERRNO_SUCCESS;
}

inline Errno fd_seek(WasiCtx& ctx, const GuestMemory& mem, uint32_t fd, int64_t offset, uint32_t whence,
                     uint32_t newoffset) {
  FdEntry& e = ctx.fds.get(fd);
  int how;
  switch (Whence(whence)) {
    case Whence::Set: how = SEEK_SET; break;
    case Whence::Cur: how = SEEK_CUR; break;
    case Whence::End: how = SEEK_END; break;
    default: fail(ERRNO_INVAL);
  }
  // Asking where we are needs only FD_TELL (wasi-libc's ftell uses fd_seek(0, CUR)).
  e.require(offset == 0 && how == SEEK_CUR ? rights::FD_TELL : rights::FD_SEEK);
  mem.at(newoffset, 8);
  off_t pos = check_host(::lseek(e.host_fd, offset, how));
  mem.store<uint64_t>(newoffset, uint64_t(pos));
  return ERRNO_SUCCESS;
}

inline Errno fd_tell(WasiCtx& ctx, const GuestMemory& mem, uint32_t fd, uint32_t offset_ptr) {
  FdEntry& e = ctx.fds.get(fd);
  e.require(rights::FD_TELL);
  mem.at(offset_ptr, 8);
  off_t pos = check_host(::lseek(e.host_fd, 0, SEEK_CUR));
  mem.store<uint64_t>(offset_ptr, uint64_t(pos));
  return ERRNO_SUCCESS;
}

inline Errno fd_close(WasiCtx& ctx, const GuestMemory&, uint32_t fd) {
  ctx.fds.close(fd);
  return ERRNO_SUCCESS;
}

inline Errno fd_sync(WasiCtx& ctx, const GuestMemory&, uint32_t fd) {
  FdEntry& e = ctx.fds.get(fd);
  e.require(rights::FD_SYNC);
  check_host(::fsync(e.host_fd));
  return ERRNO_SUCCESS;
}

inline Errno fd_datasync(WasiCtx& ctx, const GuestMemory&, uint32_t fd) {
  FdEntry& e = ctx.fds.get(fd);
  e.require(rights::FD_DATASYNC);
  check_host(::fdatasync(e.host_fd));
  return ERRNO_SUCCESS;
}

inline Errno fd_fdstat_get(WasiCtx& ctx, const GuestMemory& mem, uint32_t fd, uint32_t stat_ptr) {
  FdEntry& e = ctx.fds.get(fd);
  mem.at(stat_ptr, layout::FDSTAT_SIZE);
  int flags = check_host(::fcntl(e.host_fd, F_GETFL));
  mem.store<uint64_t>(stat_ptr, 0);
  mem.store<uint8_t>(stat_ptr, uint8_t(e.type));
  mem.store<uint16_t>(stat_ptr + 2, detail::fdflags_of(flags));
  mem.store<uint64_t>(stat_ptr + 8, e.base);
  mem.store<uint64_t>(stat_ptr + 16, e.inheriting);
  return ERRNO_SUCCESS;
}

inline Errno fd_fdstat_set_flags(WasiCtx& ctx, const GuestMemory&, uint32_t fd, uint32_t flags) {
  FdEntry& e = ctx.fds.get(fd);
  e.require(rights::FD_FDSTAT_SET_FLAGS);
  if (flags & ~uint32_t(fdflags::APPEND | fdflags::NONBLOCK | fdflags::DSYNC | fdflags::RSYNC | fdflags::SYNC)) {
    fail(ERRNO_INVAL);
  }
  // Linux cannot change the sync modes of an open file; wasmtime refuses them too.
  if (flags & (fdflags::DSYNC | fdflags::RSYNC | fdflags::SYNC)) fail(ERRNO_NOTSUP);
  int host = check_host(::fcntl(e.host_fd, F_GETFL));
  host &= ~(O_APPEND | O_NONBLOCK);
  if (flags & fdflags::APPEND) host |= O_APPEND;
  if (flags & fdflags::NONBLOCK) host |= O_NONBLOCK;
  check_host(::fcntl(e.host_fd, F_SETFL, host));
  return ERRNO_SUCCESS;
}

// Rights can only be dropped, never gained.
inline Errno fd_fdstat_set_rights(WasiCtx& ctx, const GuestMemory&, uint32_t fd, uint64_t base,
                                  uint64_t inheriting) {
  FdEntry& e = ctx.fds.get(fd);
  if ((base & ~e.base) || (inheriting & ~e.inheriting)) fail(ERRNO_NOTCAPABLE);
  e.base = base;
  e.inheriting = inheriting;
  return ERRNO_SUCCESS;
}

inline Errno fd_filestat_get(WasiCtx& ctx, const GuestMemory& mem, uint32_t fd, uint32_t buf) {
  FdEntry& e = ctx.fds.get(fd);
  e.require(rights::FD_FILESTAT_GET);
  mem.at(buf, layout::FILESTAT_SIZE);
  struct stat st;
  check_host(::fstat(e.host_fd, &st));
  write_filestat(mem, buf, st);
  return ERRNO_SUCCESS;
}

inline Errno fd_filestat_set_size(WasiCtx& ctx, const GuestMemory&, uint32_t fd, uint64_t size) {
  FdEntry& e = ctx.fds.get(fd);
  if (e.is_dir()) fail(ERRNO_BADF);
  e.require(rights::FD_FILESTAT_SET_SIZE, ERRNO_INVAL);  // as ftruncate(2) on a read-only fd
  check_host(::ftruncate(e.host_fd, detail::host_offset(size)));
  return ERRNO_SUCCESS;
}

inline Errno fd_filestat_set_times(WasiCtx& ctx, const GuestMemory&, uint32_t fd, uint64_t atim, uint64_t mtim,
                                   uint32_t flags) {
  FdEntry& e = ctx.fds.get(fd);
  e.require(rights::FD_FILESTAT_SET_TIMES);
  HostTimes t = host_times(atim, mtim, flags);
  check_host(::futimens(e.host_fd, t.times));
  return ERRNO_SUCCESS;
}

inline Errno fd_advise(WasiCtx& ctx, const GuestMemory&, uint32_t fd, uint64_t offset, uint64_t len,
                       uint32_t advice) {
  FdEntry& e = ctx.fds.get(fd);
  static constexpr int kHostAdvice[] = {POSIX_FADV_NORMAL,   POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
                                        POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED,   POSIX_FADV_NOREUSE};
  if (advice >= std::size(kHostAdvice)) fail(ERRNO_INVAL);
  e.require(rights::FD_ADVISE);
  int err = ::posix_fadvise(e.host_fd, detail::host_offset(offset), detail::host_offset(len), kHostAdvice[advice]);
  if (err) fail(from_host_errno(err));
  return ERRNO_SUCCESS;
}

inline Errno fd_allocate(WasiCtx& ctx, const GuestMemory&, uint32_t fd, uint64_t offset, uint64_t len) {
  FdEntry& e = ctx.fds.get(fd);
  if (e.is_dir()) fail(ERRNO_BADF);
  e.require(rights::FD_ALLOCATE, ERRNO_BADF);
  int err = ::posix_fallocate(e.host_fd, detail::host_offset(offset), detail::host_offset(len));
  if (err) fail(from_host_errno(err));
  return ERRNO_SUCCESS;
}

inline Errno fd_prestat_get(WasiCtx& ctx, const GuestMemory& mem, uint32_t fd, uint32_t buf) {
  FdEntry& e = ctx.fds.get(fd);
  if (!e.preopen) fail(ERRNO_BADF);
  mem.at(buf, layout::PRESTAT_SIZE);
  mem.store<uint32_t>(buf, PREOPENTYPE_DIR);  // tag and padding
  mem.store<uint32_t>(buf + 4, uint32_t(e.preopen->size()));
  return ERRNO_SUCCESS;
}

inline Errno fd_prestat_dir_name(WasiCtx& ctx, const GuestMemory& mem, uint32_t fd, uint32_t path,
                                 uint32_t path_len) {
  FdEntry& e = ctx.fds.get(fd);
  if (!e.preopen) fail(ERRNO_BADF);
  if (path_len < e.preopen->size()) fail(ERRNO_NAMETOOLONG);
  mem.write(path, *e.preopen);
  return ERRNO_SUCCESS;
}

// Entries from index `cookie` on, each a 24-byte dirent and its name; the last one is cut
// short when the buffer is full (the guest then asks again from its cookie).
inline Errno fd_readdir(WasiCtx& ctx, const GuestMemory& mem, uint32_t fd, uint32_t buf, uint32_t buf_len,
                        uint64_t cookie, uint32_t bufused) {
  FdEntry& e = ctx.fds.get(fd);
  if (!e.is_dir()) fail(ERRNO_NOTDIR);
  e.require(rights::FD_READDIR);
  uint8_t* out = mem.at(buf, buf_len);
  mem.at(bufused, 4);
  if (cookie == 0 || e.listing.empty()) e.listing = detail::list_directory(e.host_fd, e.preopen.has_value());
  std::string bytes;
  for (uint64_t i = cookie; i < e.listing.size() && bytes.size() < buf_len; ++i) {
    const DirEntry& d = e.listing[i];
    char header[layout::DIRENT_SIZE] = {};
    uint64_t next = i + 1;
    uint32_t namlen = uint32_t(d.name.size());
    std::memcpy(header + 0, &next, 8);
    std::memcpy(header + 8, &d.ino, 8);
    std::memcpy(header + 16, &namlen, 4);
    header[20] = char(d.type);
    bytes.append(header, sizeof header);
    bytes += d.name;
  }
  uint32_t used = uint32_t(std::min<size_t>(bytes.size(), buf_len));
  if (used) std::memcpy(out, bytes.data(), used);
  mem.store<uint32_t>(bufused, used);
  return ERRNO_SUCCESS;
}

inline Errno fd_renumber(WasiCtx& ctx, const GuestMemory&, uint32_t from, uint32_t to) {
  ctx.fds.renumber(from, to);
  return ERRNO_SUCCESS;
}

}  // namespace wasm::wasi::calls
