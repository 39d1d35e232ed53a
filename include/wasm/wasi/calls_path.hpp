#pragma once
// The path_* calls. Each resolves its path beneath a directory fd (path_resolver.hpp) and then
// acts on the last component with an *at() syscall that does not follow symlinks.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "wasm/wasi/ctx.hpp"
#include "wasm/wasi/filestat.hpp"
#include "wasm/wasi/guest_memory.hpp"
#include "wasm/wasi/path_resolver.hpp"

namespace wasm::wasi::calls {

namespace detail {

// The directory entry `fd`, which must hold `needed`.
inline FdEntry& directory(WasiCtx& ctx, uint32_t fd, Rights needed) {
  FdEntry& e = ctx.fds.get(fd);
  if (!e.is_dir()) fail(ERRNO_NOTDIR);
  e.require(needed);
  return e;
}

inline ResolvedPath resolve(const FdEntry& dir, const GuestMemory& mem, uint32_t path, uint32_t path_len,
                            bool follow) {
  return resolve_path(dir.host_fd, mem.path(path, path_len), follow);
}

// "name/" must be a directory when it exists.
inline void check_trailing_slash(const ResolvedPath& r) {
  if (!r.trailing_slash) return;
  struct stat st;
  if (::fstatat(r.dir, r.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode)) fail(ERRNO_NOTDIR);
}

inline int host_open_flags(uint32_t oflags, uint32_t fdflags, Rights base, bool trailing_slash) {
  bool read = base & (rights::FD_READ | rights::FD_READDIR);
  bool write = base & (rights::FD_WRITE | rights::FD_DATASYNC | rights::FD_ALLOCATE | rights::FD_FILESTAT_SET_SIZE);
  int flags = O_CLOEXEC | O_NOFOLLOW | (write ? (read ? O_RDWR : O_WRONLY) : O_RDONLY);
  if (oflags & oflags::CREAT) flags |= O_CREAT;
  if (oflags & oflags::EXCL) flags |= O_EXCL;
  if (oflags & oflags::TRUNC) flags |= O_TRUNC;
  if ((oflags & oflags::DIRECTORY) || trailing_slash) flags |= O_DIRECTORY;
  if (fdflags & fdflags::APPEND) flags |= O_APPEND;
  if (fdflags & fdflags::NONBLOCK) flags |= O_NONBLOCK;
  if (fdflags & fdflags::DSYNC) flags |= O_DSYNC;
  if (fdflags & fdflags::SYNC) flags |= O_SYNC;
  if (fdflags & fdflags::RSYNC) flags |= O_RSYNC;
  return flags;
}

}  // namespace detail

inline Errno path_open(WasiCtx& ctx, const GuestMemory& mem, uint32_t fd, uint32_t dirflags, uint32_t path,
                       uint32_t path_len, uint32_t oflags, uint64_t base, uint64_t inheriting, uint32_t fdflags,
                       uint32_t fd_out) {
  Rights needed = rights::PATH_OPEN;
  if (oflags & oflags::CREAT) needed |= rights::PATH_CREATE_FILE;
  if (oflags & oflags::TRUNC) needed |= rights::PATH_FILESTAT_SET_SIZE;
  FdEntry& dir = detail::directory(ctx, fd, needed);
  if ((base & ~dir.inheriting) || (inheriting & ~dir.inheriting)) fail(ERRNO_NOTCAPABLE);
  if (oflags & ~uint32_t(oflags::CREAT | oflags::DIRECTORY | oflags::EXCL | oflags::TRUNC)) fail(ERRNO_INVAL);
  mem.at(fd_out, 4);
  ResolvedPath r = detail::resolve(dir, mem, path, path_len, dirflags & lookupflags::SYMLINK_FOLLOW);
  int flags = detail::host_open_flags(oflags, fdflags, base, r.trailing_slash);
  UniqueFd host(::openat(r.dir, r.name.c_str(), flags, 0666));
  if (!host && errno == EISDIR && (flags & O_ACCMODE) != O_RDONLY && !(oflags & oflags::CREAT)) {
    fail(ERRNO_ISDIR);
  }
  if (!host) fail_host();
  struct stat st;
  check_host(::fstat(host.get(), &st));
  auto e = std::make_unique<FdEntry>();
  e->type = filetype_of(st.st_mode);
  e->possible = rights_for(e->type, host.get());
  e->base = base & e->possible;
  e->inheriting = inheriting;
  e->host_fd = host.release();
  mem.store<uint32_t>(fd_out, ctx.fds.insert(std::move(e)));
  return ERRNO_SUCCESS;
}

inline Errno path_create_directory(WasiCtx& ctx, const GuestMemory& mem, uint32_t fd, uint32_t path,
                                   uint32_t path_len) {
  FdEntry& dir = detail::directory(ctx, fd, rights::PATH_CREATE_DIRECTORY);
  ResolvedPath r = detail::resolve(dir, mem, path, path_len, false);
  check_host(::mkdirat(r.dir, r.name.c_str(), 0777));
  return ERRNO_SUCCESS;
}

inline Errno path_remove_directory(WasiCtx& ctx, const GuestMemory& mem, uint32_t fd, uint32_t path,
                                   uint32_t path_len) {
  FdEntry& dir = detail::directory(ctx, fd, rights::PATH_REMOVE_DIRECTORY);
  ResolvedPath r = detail::resolve(dir, mem, path, path_len, false);
  check_host(::unlinkat(r.dir, r.name.c_str(), AT_REMOVEDIR));
  return ERRNO_SUCCESS;
}

inline Errno path_unlink_file(WasiCtx& ctx, const GuestMemory& mem, uint32_t fd, uint32_t path,
                              uint32_t path_len) {
  FdEntry& dir = detail::directory(ctx, fd, rights::PATH_UNLINK_FILE);
  ResolvedPath r = detail::resolve(dir, mem, path, path_len, false);
  detail::check_trailing_slash(r);
  check_host(::unlinkat(r.dir, r.name.c_str(), 0));
  return ERRNO_SUCCESS;
}

inline Errno path_rename(WasiCtx& ctx, const GuestMemory& mem, uint32_t fd, uint32_t old_path,
                         uint32_t old_len, uint32_t new_fd, uint32_t new_path, uint32_t new_len) {
  FdEntry& from_dir = detail::directory(ctx, fd, rights::PATH_RENAME_SOURCE);
  FdEntry& to_dir = detail::directory(ctx, new_fd, rights::PATH_RENAME_TARGET);
  ResolvedPath from = detail::resolve(from_dir, mem, old_path, old_len, false);
  ResolvedPath to = detail::resolve(to_dir, mem, new_path, new_len, false);
  detail::check_trailing_slash(from);
  if (to.trailing_slash) {
    struct stat st;
    if (::fstatat(from.dir, from.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode)) {
      fail(ERRNO_NOTDIR);
    }
  }
  check_host(::renameat(from.dir, from.name.c_str(), to.dir, to.name.c_str()));
  return ERRNO_SUCCESS;
}

inline Errno path_filestat_get(WasiCtx& ctx, const GuestMemory& mem, uint32_t fd, uint32_t flags, uint32_t path,
                               uint32_t path_len, uint32_t buf) {
  FdEntry& dir = detail::directory(ctx, fd, rights::PATH_FILESTAT_GET);
  mem.at(buf, layout::FILESTAT_SIZE);
  ResolvedPath r = detail::resolve(dir, mem, path, path_len, flags & lookupflags::SYMLINK_FOLLOW);
  struct stat st;
  check_host(::fstatat(r.dir, r.name.c_str(), &st, AT_SYMLINK_NOFOLLOW));
  if (r.trailing_slash && !S_ISDIR(st.st_mode)) fail(ERRNO_NOTDIR);
  write_filestat(mem, buf, st);
  return ERRNO_SUCCESS;
}

inline Errno path_filestat_set_times(WasiCtx& ctx, const GuestMemory& mem, uint32_t fd, uint32_t flags,
                                     uint32_t path, uint32_t path_len, uint64_t atim, uint64_t mtim,
                                     uint32_t fst_flags) {
  FdEntry& dir = detail::directory(ctx, fd, rights::PATH_FILESTAT_SET_TIMES);
  HostTimes t = host_times(atim, mtim, fst_flags);
  ResolvedPath r = detail::resolve(dir, mem, path, path_len, flags & lookupflags::SYMLINK_FOLLOW);
  detail::check_trailing_slash(r);
  check_host(::utimensat(r.dir, r.name.c_str(), t.times, AT_SYMLINK_NOFOLLOW));
  return ERRNO_SUCCESS;
}

inline Errno path_link(WasiCtx& ctx, const GuestMemory& mem, uint32_t old_fd, uint32_t old_flags,
                       uint32_t old_path, uint32_t old_len, uint32_t new_fd, uint32_t new_path, uint32_t new_len) {
  FdEntry& from_dir = detail::directory(ctx, old_fd, rights::PATH_LINK_SOURCE);
  FdEntry& to_dir = detail::directory(ctx, new_fd, rights::PATH_LINK_TARGET);
  ResolvedPath from = detail::resolve(from_dir, mem, old_path, old_len, old_flags & lookupflags::SYMLINK_FOLLOW);
  ResolvedPath to = detail::resolve(to_dir, mem, new_path, new_len, false);
  detail::check_trailing_slash(from);
  if (to.trailing_slash) fail(ERRNO_NOENT);  // as link(2): the new name cannot end in '/'
  check_host(::linkat(from.dir, from.name.c_str(), to.dir, to.name.c_str(), 0));
  return ERRNO_SUCCESS;
}

// The link's contents may not be absolute: following it could never stay in the sandbox, and a
// host program following it later should not be led outside by the guest (as cap-std).
inline Errno path_symlink(WasiCtx& ctx, const GuestMemory& mem, uint32_t old_path, uint32_t old_len, uint32_t fd,
                          uint32_t new_path, uint32_t new_len) {
  FdEntry& dir = detail::directory(ctx, fd, rights::PATH_SYMLINK);
  std::string target = mem.path(old_path, old_len);
  if (!target.empty() && target.front() == '/') fail(ERRNO_PERM);
  ResolvedPath r = detail::resolve(dir, mem, new_path, new_len, false);
  check_host(::symlinkat(target.c_str(), r.dir, r.name.c_str()));
  return ERRNO_SUCCESS;
}

inline Errno path_readlink(WasiCtx& ctx, const GuestMemory& mem, uint32_t fd, uint32_t path, uint32_t path_len,
                           uint32_t buf, uint32_t buf_len, uint32_t bufused) {
  FdEntry& dir = detail::directory(ctx, fd, rights::PATH_READLINK);
  char* out = reinterpret_cast<char*>(mem.at(buf, buf_len));
  mem.at(bufused, 4);
  ResolvedPath r = detail::resolve(dir, mem, path, path_len, false);
  ssize_t n = check_host(::readlinkat(r.dir, r.name.c_str(), out, buf_len));
  mem.store<uint32_t>(bufused, uint32_t(n));
  return ERRNO_SUCCESS;
}

}  // namespace wasm::wasi::calls
