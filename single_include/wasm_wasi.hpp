#pragma once
// wasmpp's WASI (preview 1) support, as a single header beside single_include/wasm.hpp.
//
// GENERATED FILE, do not edit: it is include/wasm/wasi/wasi.hpp with every wasmpp header that
// wasm.hpp does not hold inlined. Regenerate with `python3 single_include/amalgamate.py`.
#include "wasm.hpp"
// ---- begin include/wasm/wasi/wasi.hpp ----
// WASI preview1 (wasi_snapshot_preview1) for wasmpp: WasiCtxBuilder configures what a guest
// sees (args, env, stdio, preopened directories); add_to_linker defines the calls on a Linker.
// ---- begin include/wasm/wasi/add_to_linker.hpp ----
// add_to_linker: defines every wasi_snapshot_preview1 function on a Linker<T> as a typed host
// function. `get_ctx(T&) -> WasiCtx&` says where the store keeps its WasiCtx:
//
//   wasm::Linker<MyState> linker(engine);
//   wasm::wasi::add_to_linker(linker, [](MyState& s) -> wasm::wasi::WasiCtx& { return s.wasi; });

// ---- begin include/wasm/wasi/calls_fd.hpp ----
// The fd_* calls: reading, writing, seeking, descriptor flags and rights, file status,
// preopen names, directory listings and the descriptor table itself.
#include <dirent.h>
#include <sys/stat.h>
#include <sys/uio.h>


// ---- begin include/wasm/wasi/ctx.hpp ----
// WasiCtx: the state of one WASI guest (args, environment, descriptor table, clocks), and
// WasiCtxBuilder, which an embedder uses to say what the guest may see:
//
//   auto ctx = wasm::wasi::WasiCtxBuilder()
//                  .args({"prog", "x"}).env("HOME", "/")
//                  .inherit_stdio()
//                  .preopened_dir("/tmp/scratch", ".")
//                  .build();                    // Result<WasiCtx>


// ---- begin include/wasm/wasi/fd_table.hpp ----
// The guest's descriptor table: each WASI fd names a host fd together with what the guest may
// do with it (rights), its file type, and for preopened directories the name the guest sees.


// ---- begin include/wasm/wasi/errors.hpp ----
// How a WASI call fails: the implementation throws WasiError{errno} from wherever it notices the
// problem (a bad guest pointer, a host syscall failing, a missing right), and the binding in
// add_to_linker.hpp turns it into the call's return value. This keeps every call a straight
// line instead of a ladder of error checks; no exception leaves the host function.

// ---- begin include/wasm/wasi/abi.hpp ----
// The wasi_snapshot_preview1 ABI: constants and struct layouts, as fixed by the witx files
// (wasi-libc's wasi/api.h is the C rendering). Guest structs are little-endian and written
// field by field at these offsets, never memcpy'd from host structs.

namespace wasm::wasi {

using Errno = uint16_t;

// Named ERRNO_* (as api.h's __WASI_ERRNO_*) because the E* names are <cerrno> macros.
namespace errno_ {
#define WASMPP_WASI_ERRNOS(X)                                                                     \
  X(SUCCESS, 0) X(2BIG, 1) X(ACCES, 2) X(ADDRINUSE, 3) X(ADDRNOTAVAIL, 4) X(AFNOSUPPORT, 5)       \
  X(AGAIN, 6) X(ALREADY, 7) X(BADF, 8) X(BADMSG, 9) X(BUSY, 10) X(CANCELED, 11) X(CHILD, 12)      \
  X(CONNABORTED, 13) X(CONNREFUSED, 14) X(CONNRESET, 15) X(DEADLK, 16) X(DESTADDRREQ, 17)         \
  X(DOM, 18) X(DQUOT, 19) X(EXIST, 20) X(FAULT, 21) X(FBIG, 22) X(HOSTUNREACH, 23) X(IDRM, 24)    \
  X(ILSEQ, 25) X(INPROGRESS, 26) X(INTR, 27) X(INVAL, 28) X(IO, 29) X(ISCONN, 30) X(ISDIR, 31)    \
  X(LOOP, 32) X(MFILE, 33) X(MLINK, 34) X(MSGSIZE, 35) X(MULTIHOP, 36) X(NAMETOOLONG, 37)         \
  X(NETDOWN, 38) X(NETRESET, 39) X(NETUNREACH, 40) X(NFILE, 41) X(NOBUFS, 42) X(NODEV, 43)        \
  X(NOENT, 44) X(NOEXEC, 45) X(NOLCK, 46) X(NOLINK, 47) X(NOMEM, 48) X(NOMSG, 49)                 \
  X(NOPROTOOPT, 50) X(NOSPC, 51) X(NOSYS, 52) X(NOTCONN, 53) X(NOTDIR, 54) X(NOTEMPTY, 55)        \
  X(NOTRECOVERABLE, 56) X(NOTSOCK, 57) X(NOTSUP, 58) X(NOTTY, 59) X(NXIO, 60) X(OVERFLOW, 61)     \
  X(OWNERDEAD, 62) X(PERM, 63) X(PIPE, 64) X(PROTO, 65) X(PROTONOSUPPORT, 66) X(PROTOTYPE, 67)    \
  X(RANGE, 68) X(ROFS, 69) X(SPIPE, 70) X(SRCH, 71) X(STALE, 72) X(TIMEDOUT, 73) X(TXTBSY, 74)    \
  X(XDEV, 75) X(NOTCAPABLE, 76)
#define WASMPP_WASI_ERRNO_CONST(name, value) inline constexpr Errno ERRNO_##name = value;
WASMPP_WASI_ERRNOS(WASMPP_WASI_ERRNO_CONST)
#undef WASMPP_WASI_ERRNO_CONST
}  // namespace errno_
using namespace errno_;

enum class Filetype : uint8_t {
  Unknown = 0,
  BlockDevice = 1,
  CharacterDevice = 2,
  Directory = 3,
  RegularFile = 4,
  SocketDgram = 5,
  SocketStream = 6,
  SymbolicLink = 7,
};

using Rights = uint64_t;
namespace rights {
inline constexpr Rights FD_DATASYNC = 1ull << 0;
inline constexpr Rights FD_READ = 1ull << 1;
inline constexpr Rights FD_SEEK = 1ull << 2;
inline constexpr Rights FD_FDSTAT_SET_FLAGS = 1ull << 3;
inline constexpr Rights FD_SYNC = 1ull << 4;
inline constexpr Rights FD_TELL = 1ull << 5;
inline constexpr Rights FD_WRITE = 1ull << 6;
inline constexpr Rights FD_ADVISE = 1ull << 7;
inline constexpr Rights FD_ALLOCATE = 1ull << 8;
inline constexpr Rights PATH_CREATE_DIRECTORY = 1ull << 9;
inline constexpr Rights PATH_CREATE_FILE = 1ull << 10;
inline constexpr Rights PATH_LINK_SOURCE = 1ull << 11;
inline constexpr Rights PATH_LINK_TARGET = 1ull << 12;
inline constexpr Rights PATH_OPEN = 1ull << 13;
inline constexpr Rights FD_READDIR = 1ull << 14;
inline constexpr Rights PATH_READLINK = 1ull << 15;
inline constexpr Rights PATH_RENAME_SOURCE = 1ull << 16;
inline constexpr Rights PATH_RENAME_TARGET = 1ull << 17;
inline constexpr Rights PATH_FILESTAT_GET = 1ull << 18;
inline constexpr Rights PATH_FILESTAT_SET_SIZE = 1ull << 19;
inline constexpr Rights PATH_FILESTAT_SET_TIMES = 1ull << 20;
inline constexpr Rights FD_FILESTAT_GET = 1ull << 21;
inline constexpr Rights FD_FILESTAT_SET_SIZE = 1ull << 22;
inline constexpr Rights FD_FILESTAT_SET_TIMES = 1ull << 23;
inline constexpr Rights PATH_SYMLINK = 1ull << 24;
inline constexpr Rights PATH_REMOVE_DIRECTORY = 1ull << 25;
inline constexpr Rights PATH_UNLINK_FILE = 1ull << 26;
inline constexpr Rights POLL_FD_READWRITE = 1ull << 27;
inline constexpr Rights SOCK_SHUTDOWN = 1ull << 28;
inline constexpr Rights SOCK_ACCEPT = 1ull << 29;
inline constexpr Rights ALL = (1ull << 30) - 1;

// What makes sense on each kind of descriptor (an fd never reports more than these).
inline constexpr Rights REGULAR_FILE = FD_DATASYNC | FD_READ | FD_SEEK | FD_FDSTAT_SET_FLAGS | FD_SYNC |
                                       FD_TELL | FD_WRITE | FD_ADVISE | FD_ALLOCATE | FD_FILESTAT_GET |
                                       FD_FILESTAT_SET_SIZE | FD_FILESTAT_SET_TIMES | POLL_FD_READWRITE;
inline constexpr Rights DIRECTORY = FD_FDSTAT_SET_FLAGS | FD_SYNC | FD_ADVISE | PATH_CREATE_DIRECTORY |
                                    PATH_CREATE_FILE | PATH_LINK_SOURCE | PATH_LINK_TARGET | PATH_OPEN |
                                    FD_READDIR | PATH_READLINK | PATH_RENAME_SOURCE | PATH_RENAME_TARGET |
                                    PATH_FILESTAT_GET | PATH_FILESTAT_SET_SIZE | PATH_FILESTAT_SET_TIMES |
                                    FD_FILESTAT_GET | FD_FILESTAT_SET_TIMES | PATH_SYMLINK |
                                    PATH_REMOVE_DIRECTORY | PATH_UNLINK_FILE | POLL_FD_READWRITE;
// A terminal must not claim seek/tell: wasi-libc's isatty() looks for exactly that.
inline constexpr Rights TTY = FD_READ | FD_FDSTAT_SET_FLAGS | FD_WRITE | FD_FILESTAT_GET | POLL_FD_READWRITE;
inline constexpr Rights STREAM = TTY;  // pipes, sockets, other character devices
}  // namespace rights

namespace fdflags {
inline constexpr uint16_t APPEND = 1 << 0;
inline constexpr uint16_t DSYNC = 1 << 1;
inline constexpr uint16_t NONBLOCK = 1 << 2;
inline constexpr uint16_t RSYNC = 1 << 3;
inline constexpr uint16_t SYNC = 1 << 4;
}  // namespace fdflags

namespace oflags {
inline constexpr uint16_t CREAT = 1 << 0;
inline constexpr uint16_t DIRECTORY = 1 << 1;
inline constexpr uint16_t EXCL = 1 << 2;
inline constexpr uint16_t TRUNC = 1 << 3;
}  // namespace oflags

namespace lookupflags {
inline constexpr uint32_t SYMLINK_FOLLOW = 1 << 0;
}

namespace fstflags {
inline constexpr uint16_t ATIM = 1 << 0;
inline constexpr uint16_t ATIM_NOW = 1 << 1;
inline constexpr uint16_t MTIM = 1 << 2;
inline constexpr uint16_t MTIM_NOW = 1 << 3;
}  // namespace fstflags

enum class ClockId : uint32_t { Realtime = 0, Monotonic = 1, ProcessCputime = 2, ThreadCputime = 3 };

enum class Whence : uint8_t { Set = 0, Cur = 1, End = 2 };

enum class EventType : uint8_t { Clock = 0, FdRead = 1, FdWrite = 2 };
inline constexpr uint16_t SUBSCRIPTION_CLOCK_ABSTIME = 1 << 0;
inline constexpr uint16_t EVENT_FD_READWRITE_HANGUP = 1 << 0;

inline constexpr uint8_t PREOPENTYPE_DIR = 0;

// Struct sizes and field offsets (api.h's _Static_asserts).
namespace layout {
inline constexpr uint32_t IOVEC_SIZE = 8;  // buf u32 @0, buf_len u32 @4
inline constexpr uint32_t FDSTAT_SIZE = 24;  // filetype u8 @0, flags u16 @2, base u64 @8, inheriting u64 @16
inline constexpr uint32_t FILESTAT_SIZE = 64;  // dev @0 ino @8 filetype u8 @16 nlink @24 size @32 atim @40 mtim @48 ctim @56
inline constexpr uint32_t PRESTAT_SIZE = 8;  // tag u8 @0, name_len u32 @4
inline constexpr uint32_t DIRENT_SIZE = 24;  // d_next @0 d_ino @8 d_namlen u32 @16 d_type u8 @20
inline constexpr uint32_t SUBSCRIPTION_SIZE = 48;  // userdata @0, tag u8 @8, clock {id u32 @16, timeout @24, precision @32, flags u16 @40} | fd u32 @16
inline constexpr uint32_t EVENT_SIZE = 32;  // userdata @0, error u16 @8, type u8 @10, nbytes u64 @16, flags u16 @24
}  // namespace layout

}  // namespace wasm::wasi
// ---- end include/wasm/wasi/abi.hpp ----

namespace wasm::wasi {

struct WasiError {
  Errno code;
};

[[noreturn]] inline void fail(Errno code) { throw WasiError{code}; }

// The preview1 errno for a host (Linux) errno.
inline Errno from_host_errno(int e) {
  switch (e) {
    case 0: return ERRNO_SUCCESS;
    case E2BIG: return ERRNO_2BIG;
    case EACCES: return ERRNO_ACCES;
    case EADDRINUSE: return ERRNO_ADDRINUSE;
    case EADDRNOTAVAIL: return ERRNO_ADDRNOTAVAIL;
    case EAFNOSUPPORT: return ERRNO_AFNOSUPPORT;
    case EAGAIN: return ERRNO_AGAIN;
    case EALREADY: return ERRNO_ALREADY;
    case EBADF: return ERRNO_BADF;
    case EBADMSG: return ERRNO_BADMSG;
    case EBUSY: return ERRNO_BUSY;
    case ECANCELED: return ERRNO_CANCELED;
    case ECHILD: return ERRNO_CHILD;
    case ECONNABORTED: return ERRNO_CONNABORTED;
    case ECONNREFUSED: return ERRNO_CONNREFUSED;
    case ECONNRESET: return ERRNO_CONNRESET;
    case EDEADLK: return ERRNO_DEADLK;
    case EDESTADDRREQ: return ERRNO_DESTADDRREQ;
    case EDOM: return ERRNO_DOM;
    case EDQUOT: return ERRNO_DQUOT;
    case EEXIST: return ERRNO_EXIST;
    case EFAULT: return ERRNO_FAULT;
    case EFBIG: return ERRNO_FBIG;
    case EHOSTUNREACH: return ERRNO_HOSTUNREACH;
    case EIDRM: return ERRNO_IDRM;
    case EILSEQ: return ERRNO_ILSEQ;
    case EINPROGRESS: return ERRNO_INPROGRESS;
    case EINTR: return ERRNO_INTR;
    case EINVAL: return ERRNO_INVAL;
    case EIO: return ERRNO_IO;
    case EISCONN: return ERRNO_ISCONN;
    case EISDIR: return ERRNO_ISDIR;
    case ELOOP: return ERRNO_LOOP;
    case EMFILE: return ERRNO_MFILE;
    case EMLINK: return ERRNO_MLINK;
    case EMSGSIZE: return ERRNO_MSGSIZE;
    case EMULTIHOP: return ERRNO_MULTIHOP;
    case ENAMETOOLONG: return ERRNO_NAMETOOLONG;
    case ENETDOWN: return ERRNO_NETDOWN;
    case ENETRESET: return ERRNO_NETRESET;
    case ENETUNREACH: return ERRNO_NETUNREACH;
    case ENFILE: return ERRNO_NFILE;
    case ENOBUFS: return ERRNO_NOBUFS;
    case ENODEV: return ERRNO_NODEV;
    case ENOENT: return ERRNO_NOENT;
    case ENOEXEC: return ERRNO_NOEXEC;
    case ENOLCK: return ERRNO_NOLCK;
    case ENOLINK: return ERRNO_NOLINK;
    case ENOMEM: return ERRNO_NOMEM;
    case ENOMSG: return ERRNO_NOMSG;
    case ENOPROTOOPT: return ERRNO_NOPROTOOPT;
    case ENOSPC: return ERRNO_NOSPC;
    case ENOSYS: return ERRNO_NOSYS;
    case ENOTCONN: return ERRNO_NOTCONN;
    case ENOTDIR: return ERRNO_NOTDIR;
    case ENOTEMPTY: return ERRNO_NOTEMPTY;
    case ENOTRECOVERABLE: return ERRNO_NOTRECOVERABLE;
    case ENOTSOCK: return ERRNO_NOTSOCK;
    case ENOTSUP: return ERRNO_NOTSUP;  // == EOPNOTSUPP on Linux
    case ENOTTY: return ERRNO_NOTTY;
    case ENXIO: return ERRNO_NXIO;
    case EOVERFLOW: return ERRNO_OVERFLOW;
    case EOWNERDEAD: return ERRNO_OWNERDEAD;
    case EPERM: return ERRNO_PERM;
    case EPIPE: return ERRNO_PIPE;
    case EPROTO: return ERRNO_PROTO;
    case EPROTONOSUPPORT: return ERRNO_PROTONOSUPPORT;
    case EPROTOTYPE: return ERRNO_PROTOTYPE;
    case ERANGE: return ERRNO_RANGE;
    case EROFS: return ERRNO_ROFS;
    case ESPIPE: return ERRNO_SPIPE;
    case ESRCH: return ERRNO_SRCH;
    case ESTALE: return ERRNO_STALE;
    case ETIMEDOUT: return ERRNO_TIMEDOUT;
    case ETXTBSY: return ERRNO_TXTBSY;
    case EXDEV: return ERRNO_XDEV;
    default: return ERRNO_IO;
  }
}

// Throws the preview1 form of the current host errno.
[[noreturn]] inline void fail_host() { fail(from_host_errno(errno)); }

// `result` of a syscall, or the failure it reports with -1.
template <typename R>
R check_host(R result) {
  if (result == R(-1)) fail_host();
  return result;
}

}  // namespace wasm::wasi
// ---- end include/wasm/wasi/errors.hpp ----

namespace wasm::wasi {

// One entry of a directory listing kept for fd_readdir's cookies.
struct DirEntry {
  std::string name;
  uint64_t ino = 0;
  Filetype type = Filetype::Unknown;
};

struct FdEntry {
  FdEntry() = default;
  FdEntry(const FdEntry&) = delete;
  FdEntry& operator=(const FdEntry&) = delete;
  ~FdEntry() {
    if (owned && host_fd >= 0) ::close(host_fd);
  }

  int host_fd = -1;
  bool owned = true;  // false for inherited stdio: the host keeps its own
  Filetype type = Filetype::Unknown;
  Rights base = 0;
  Rights inheriting = 0;
  Rights possible = rights::ALL;       // what an fd of this kind could hold (rights_for)
  std::optional<std::string> preopen;  // the guest's name for a preopened directory
  std::vector<DirEntry> listing;       // fd_readdir's snapshot, taken at cookie 0

  bool is_dir() const { return type == Filetype::Directory; }

  // Fails with `err` when a right in `needed` was withheld from this fd. Rights its kind of file
  // never has are not checked here: the host call then fails as natively (ESPIPE, EISDIR...).
  void require(Rights needed, Errno err = ERRNO_NOTCAPABLE) const {
    if (needed & ~base & possible) fail(err);
  }
};

// The WASI file type of a host stat.
inline Filetype filetype_of(mode_t mode) {
  if (S_ISREG(mode)) return Filetype::RegularFile;
  if (S_ISDIR(mode)) return Filetype::Directory;
  if (S_ISCHR(mode)) return Filetype::CharacterDevice;
  if (S_ISBLK(mode)) return Filetype::BlockDevice;
  if (S_ISLNK(mode)) return Filetype::SymbolicLink;
  if (S_ISSOCK(mode)) return Filetype::SocketStream;
  return Filetype::Unknown;  // FIFOs have no preview1 type
}

// The rights an fd of this kind can have at most.
inline Rights rights_for(Filetype type, int host_fd) {
  switch (type) {
    case Filetype::RegularFile: return rights::REGULAR_FILE;
    case Filetype::Directory: return rights::DIRECTORY;
    case Filetype::CharacterDevice: return isatty(host_fd) ? rights::TTY : rights::STREAM | rights::FD_SEEK | rights::FD_TELL;
    case Filetype::BlockDevice: return rights::REGULAR_FILE;
    default: return rights::STREAM;
  }
}

class FdTable {
 public:
  // The entry for `fd`, or EBADF.
  FdEntry& get(uint32_t fd) const {
    auto it = entries_.find(fd);
    if (it == entries_.end()) fail(ERRNO_BADF);
    return *it->second;
  }
  bool contains(uint32_t fd) const { return entries_.count(fd) != 0; }

  // Adds `entry` at the lowest free descriptor, as POSIX open does.
  uint32_t insert(std::unique_ptr<FdEntry> entry) {
    uint32_t fd = 0;
    for (const auto& [used, e] : entries_) {
      if (used != fd) break;
      ++fd;
    }
    if (fd > kMaxFd) fail(ERRNO_MFILE);
    entries_[fd] = std::move(entry);
    return fd;
  }
  void insert_at(uint32_t fd, std::unique_ptr<FdEntry> entry) { entries_[fd] = std::move(entry); }

  void close(uint32_t fd) {
    get(fd);
    entries_.erase(fd);
  }

  // Moves `from` onto `to` (closing what `to` was); both must be open.
  void renumber(uint32_t from, uint32_t to) {
    get(from);
    get(to);
    if (from == to) return;
    entries_[to] = std::move(entries_[from]);
    entries_.erase(from);
  }

 private:
  static constexpr uint32_t kMaxFd = 1u << 20;
  std::map<uint32_t, std::unique_ptr<FdEntry>> entries_;
};

}  // namespace wasm::wasi
// ---- end include/wasm/wasi/fd_table.hpp ----

extern char** environ;

namespace wasm::wasi {

class WasiCtx {
 public:
  std::vector<std::string> args;
  std::vector<std::string> env;  // "KEY=VALUE"
  FdTable fds;
};

class WasiCtxBuilder {
 public:
  WasiCtxBuilder& args(std::vector<std::string> list) {
    args_ = std::move(list);
    return *this;
  }
  WasiCtxBuilder& arg(std::string a) {
    args_.push_back(std::move(a));
    return *this;
  }
  WasiCtxBuilder& env(const std::string& key, const std::string& value) {
    env_.push_back(key + "=" + value);
    return *this;
  }
  WasiCtxBuilder& inherit_env() {
    for (char** e = environ; e && *e; ++e) env_.emplace_back(*e);
    return *this;
  }

  // Standard streams: the host's own (inherit), a host fd (taken over when `own`), or a file.
  WasiCtxBuilder& inherit_stdio() {
    for (int i = 0; i < 3; ++i) stdio_[i] = Stdio{i, false, {}, 0};
    return *this;
  }
  WasiCtxBuilder& stdin_fd(int fd, bool own) { return set_stdio(0, Stdio{fd, own, {}, 0}); }
  WasiCtxBuilder& stdout_fd(int fd, bool own) { return set_stdio(1, Stdio{fd, own, {}, 0}); }
  WasiCtxBuilder& stderr_fd(int fd, bool own) { return set_stdio(2, Stdio{fd, own, {}, 0}); }
  WasiCtxBuilder& stdin_file(std::string path) { return set_stdio(0, Stdio{-1, true, std::move(path), O_RDONLY}); }
  WasiCtxBuilder& stdout_file(std::string path) {
    return set_stdio(1, Stdio{-1, true, std::move(path), O_WRONLY | O_CREAT | O_TRUNC});
  }
  WasiCtxBuilder& stderr_file(std::string path) {
    return set_stdio(2, Stdio{-1, true, std::move(path), O_WRONLY | O_CREAT | O_TRUNC});
  }

  // Gives the guest the host directory `host_path` under the name `guest_path`.
  WasiCtxBuilder& preopened_dir(std::string host_path, std::string guest_path) {
    preopens_.emplace_back(std::move(host_path), std::move(guest_path));
    return *this;
  }

  Result<WasiCtx> build() {
    WasiCtx ctx;
    ctx.args = args_;
    ctx.env = env_;
    for (uint32_t i = 0; i < 3; ++i) {
      if (!stdio_[i]) continue;
      Stdio& s = *stdio_[i];
      int fd = s.fd;
      if (!s.path.empty()) {
        fd = ::open(s.path.c_str(), s.flags | O_CLOEXEC, 0666);
        if (fd < 0) return Error(ErrorKind::Resource, "cannot open " + s.path + ": " + std::strerror(errno));
      }
      struct stat st;
      if (::fstat(fd, &st) != 0) continue;  // a closed host stream stays closed for the guest
      auto e = std::make_unique<FdEntry>();
      e->host_fd = fd;
      e->owned = s.own || !s.path.empty();
      e->type = filetype_of(st.st_mode);
      e->base = e->possible = rights_for(e->type, fd);
      e->inheriting = 0;
      ctx.fds.insert_at(i, std::move(e));
    }
    uint32_t next = 3;
    for (const auto& [host, guest] : preopens_) {
      int fd = ::open(host.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (fd < 0) return Error(ErrorKind::Resource, "cannot open directory " + host + ": " + std::strerror(errno));
      auto e = std::make_unique<FdEntry>();
      e->host_fd = fd;
      e->type = Filetype::Directory;
      e->base = e->possible = rights::DIRECTORY;
      e->inheriting = rights::ALL;
      e->preopen = guest;
      ctx.fds.insert_at(next++, std::move(e));
    }
    return ctx;
  }

 private:
  struct Stdio {
    int fd;
    bool own;
    std::string path;
    int flags;
  };
  WasiCtxBuilder& set_stdio(int i, Stdio s) {
    stdio_[i] = std::move(s);
    return *this;
  }

  std::vector<std::string> args_;
  std::vector<std::string> env_;
  std::optional<Stdio> stdio_[3];
  std::vector<std::pair<std::string, std::string>> preopens_;
};

}  // namespace wasm::wasi
// ---- end include/wasm/wasi/ctx.hpp ----
// ---- begin include/wasm/wasi/filestat.hpp ----
// Conversions shared by the fd_* and path_* calls: host stat -> preview1 filestat, and the
// (timestamp, fstflags) pairs of the set_times calls -> utimensat's timespecs.

// ---- begin include/wasm/wasi/guest_memory.hpp ----
// GuestMemory: the calling instance's linear memory as WASI sees it. Every guest pointer and
// length goes through here and is checked against the memory's current size; one that does
// not fit fails the call with EFAULT (it never reaches the host as a raw pointer).
#include <climits>


namespace wasm::wasi {

class GuestMemory {
 public:
  explicit GuestMemory(std::span<uint8_t> bytes) : bytes_(bytes) {}

  // The guest bytes [ptr, ptr + len), or EFAULT.
  uint8_t* at(uint32_t ptr, uint64_t len) const {
    if (uint64_t(ptr) + len > bytes_.size()) fail(ERRNO_FAULT);
    return bytes_.data() + ptr;
  }

  // Little-endian scalars (x86-64 hosts only, like the JIT, so a memcpy is the conversion).
  template <typename V>
  V load(uint32_t ptr) const {
    static_assert(std::is_trivially_copyable_v<V>);
    V v;
    std::memcpy(&v, at(ptr, sizeof v), sizeof v);
    return v;
  }
  template <typename V>
  void store(uint32_t ptr, V v) const {
    static_assert(std::is_trivially_copyable_v<V>);
    std::memcpy(at(ptr, sizeof v), &v, sizeof v);
  }

  void write(uint32_t ptr, std::string_view bytes) const {
    if (!bytes.empty()) std::memcpy(at(ptr, bytes.size()), bytes.data(), bytes.size());
  }

  // A guest string (no terminator in WASI); an embedded NUL could truncate it on its way to
  // the host, so it is refused.
  std::string path(uint32_t ptr, uint32_t len) const {
    std::string s(reinterpret_cast<const char*>(at(ptr, len)), len);
    if (s.find('\0') != std::string::npos) fail(ERRNO_ILSEQ);
    return s;
  }

  // A guest iovec array as host iovecs pointing into the memory, each one checked. At most
  // IOV_MAX of them are used: a shorter read or write is allowed by the ABI.
  std::vector<iovec> iovecs(uint32_t iovs, uint32_t count) const {
    at(iovs, uint64_t(count) * layout::IOVEC_SIZE);
    if (count > IOV_MAX) count = IOV_MAX;
    std::vector<iovec> out(count);
    for (uint32_t i = 0; i < count; ++i) {
      uint32_t buf = load<uint32_t>(iovs + i * layout::IOVEC_SIZE);
      uint32_t len = load<uint32_t>(iovs + i * layout::IOVEC_SIZE + 4);
      out[i] = {at(buf, len), len};
    }
    return out;
  }

  size_t size() const { return bytes_.size(); }

 private:
  std::span<uint8_t> bytes_;
};

}  // namespace wasm::wasi
// ---- end include/wasm/wasi/guest_memory.hpp ----

namespace wasm::wasi {

inline uint64_t timespec_ns(const timespec& ts) { return uint64_t(ts.tv_sec) * 1000000000u + uint64_t(ts.tv_nsec); }

inline void write_filestat(const GuestMemory& mem, uint32_t ptr, const struct stat& st) {
  mem.at(ptr, layout::FILESTAT_SIZE);
  mem.store<uint64_t>(ptr + 0, uint64_t(st.st_dev));
  mem.store<uint64_t>(ptr + 8, uint64_t(st.st_ino));
  mem.store<uint64_t>(ptr + 16, 0);  // filetype byte and padding
  mem.store<uint8_t>(ptr + 16, uint8_t(filetype_of(st.st_mode)));
  mem.store<uint64_t>(ptr + 24, uint64_t(st.st_nlink));
  mem.store<uint64_t>(ptr + 32, uint64_t(st.st_size));
  mem.store<uint64_t>(ptr + 40, timespec_ns(st.st_atim));
  mem.store<uint64_t>(ptr + 48, timespec_ns(st.st_mtim));
  mem.store<uint64_t>(ptr + 56, timespec_ns(st.st_ctim));
}

// times[0] = access, times[1] = modification, for utimensat/futimens.
struct HostTimes {
  timespec times[2];
};

inline timespec one_time(uint64_t ns, bool set, bool now) {
  if (set && now) fail(ERRNO_INVAL);
  if (now) return {0, UTIME_NOW};
  if (set) return {time_t(ns / 1000000000u), long(ns % 1000000000u)};
  return {0, UTIME_OMIT};
}

inline HostTimes host_times(uint64_t atim, uint64_t mtim, uint32_t flags) {
  if (flags & ~uint32_t(fstflags::ATIM | fstflags::ATIM_NOW | fstflags::MTIM | fstflags::MTIM_NOW)) fail(ERRNO_INVAL);
  return {{one_time(atim, flags & fstflags::ATIM, flags & fstflags::ATIM_NOW),
           one_time(mtim, flags & fstflags::MTIM, flags & fstflags::MTIM_NOW)}};
}

}  // namespace wasm::wasi
// ---- end include/wasm/wasi/filestat.hpp ----
// ---- begin include/wasm/wasi/unique_fd.hpp ----
// UniqueFd: a host file descriptor closed when it goes out of scope.


namespace wasm::wasi {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  explicit operator bool() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

}  // namespace wasm::wasi
// ---- end include/wasm/wasi/unique_fd.hpp ----

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
// ---- end include/wasm/wasi/calls_fd.hpp ----
// ---- begin include/wasm/wasi/calls_path.hpp ----
// The path_* calls. Each resolves its path beneath a directory fd (path_resolver.hpp) and then
// acts on the last component with an *at() syscall that does not follow symlinks.


// ---- begin include/wasm/wasi/path_resolver.hpp ----
// Sandboxed path resolution. A guest path is resolved one component at a time beneath a
// directory fd: each directory is opened with openat(O_PATH | O_NOFOLLOW | O_DIRECTORY), `..`
// pops our own stack of opened directories (the host never sees a `..`), and symbolic links are
// read with readlinkat and spliced into the remaining path by us. So neither `..`, an absolute
// path, nor a symlink (even one swapped in while we walk) can lead outside the base directory:
// those fail with EPERM, as in wasmtime (cap-std's "not permitted").
//
// The result is the directory holding the last component and that component's name; the calls
// then use the *at() syscalls on it with NOFOLLOW semantics, so the final step cannot escape
// either.



namespace wasm::wasi {

struct ResolvedPath {
  std::vector<UniqueFd> opened;  // directories walked through (kept for `..`)
  int dir = -1;                  // the directory holding `name`
  std::string name;              // a plain name, or "." for `dir` itself
  bool trailing_slash = false;   // the path ended in '/': it must name a directory
};

namespace detail {

inline constexpr int kMaxSymlinks = 40;  // as Linux's ELOOP limit

// The target of symlink `name` in `dir`, or nothing when it is not a symlink (or is missing:
// the operation itself then reports that).
inline std::optional<std::string> read_symlink(int dir, const std::string& name) {
  std::string buf(256, '\0');
  for (;;) {
    ssize_t n = ::readlinkat(dir, name.c_str(), buf.data(), buf.size());
    if (n < 0) return std::nullopt;
    if (size_t(n) < buf.size()) {
      buf.resize(size_t(n));
      return buf;
    }
    buf.resize(buf.size() * 2);
  }
}

inline void split_components(std::string_view path, std::deque<std::string>& out, bool at_front) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) parts.emplace_back(path.substr(i, j - i));
    i = j + 1;
  }
  if (at_front) out.insert(out.begin(), parts.begin(), parts.end());
  else out.insert(out.end(), parts.begin(), parts.end());
}

}  // namespace detail

// Resolves `path` beneath `base`; a final symlink is followed when `follow_final` is set (or
// the path ends in '/').
inline ResolvedPath resolve_path(int base, std::string_view path, bool follow_final) {
  if (path.empty()) fail(ERRNO_NOENT);
  if (path.front() == '/') fail(ERRNO_PERM);
  ResolvedPath r;
  r.trailing_slash = path.back() == '/';
  std::deque<std::string> todo;
  detail::split_components(path, todo, false);
  auto current = [&] { return r.opened.empty() ? base : r.opened.back().get(); };
  int symlinks = 0;
  auto splice = [&](const std::string& target) {
    if (++symlinks > detail::kMaxSymlinks) fail(ERRNO_LOOP);
    if (target.empty()) fail(ERRNO_NOENT);
    if (target.front() == '/') fail(ERRNO_PERM);
    if (todo.empty() && target.back() == '/') r.trailing_slash = true;
    detail::split_components(target, todo, true);
  };

  r.name = ".";  // a path of only "." and ".." components names the directory reached
  while (!todo.empty()) {
    std::string comp = std::move(todo.front());
    todo.pop_front();
    bool last = todo.empty();
    if (comp == ".") {
      r.name = ".";
      continue;
    }
    if (comp == "..") {
      if (r.opened.empty()) fail(ERRNO_PERM);
      r.opened.pop_back();
      r.name = ".";
      continue;
    }
    if (last) {
      if (follow_final || r.trailing_slash) {
        if (auto target = detail::read_symlink(current(), comp)) {
          splice(*target);
          continue;
        }
      }
      r.name = std::move(comp);
      break;
    }
    int fd = ::openat(current(), comp.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0) {
      r.opened.emplace_back(fd);
      continue;
    }
    int err = errno;
    if (err == ELOOP || err == ENOTDIR) {
      if (auto target = detail::read_symlink(current(), comp)) {
        splice(*target);
        continue;
      }
    }
    fail(from_host_errno(err));
  }
  r.dir = current();
  return r;
}

}  // namespace wasm::wasi
// ---- end include/wasm/wasi/path_resolver.hpp ----

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
// ---- end include/wasm/wasi/calls_path.hpp ----
// ---- begin include/wasm/wasi/calls_poll.hpp ----
// poll_oneoff: waits until a clock subscription expires or an fd subscription is ready, with
// one host poll(2), then reports every subscription that is ready at that moment (ready fds
// and expired clocks together, as POSIX poll and wasmtime do), in subscription order.
#include <poll.h>
#include <sys/ioctl.h>


// ---- begin include/wasm/wasi/calls_process.hpp ----
// Args, environment, clocks, randomness, proc_raise and sched_yield. (proc_exit is not an
// errno-returning call: add_to_linker.hpp binds it to Error::exit.)
#include <sys/random.h>



namespace wasm::wasi::calls {

namespace detail {

// Writes `strings` as WASI does: an array of pointers at `ptrs`, the NUL-terminated strings
// one after another at `buf`.
inline Errno write_string_list(const GuestMemory& mem, const std::vector<std::string>& strings, uint32_t ptrs,
                               uint32_t buf) {
  uint64_t total = 0;
  for (const std::string& s : strings) total += s.size() + 1;
  mem.at(ptrs, uint64_t(strings.size()) * 4);
  mem.at(buf, total);
  for (const std::string& s : strings) {
    mem.store<uint32_t>(ptrs, buf);
    mem.write(buf, std::string_view(s.c_str(), s.size() + 1));
    ptrs += 4;
    buf += uint32_t(s.size() + 1);
  }
  return ERRNO_SUCCESS;
}

inline Errno write_list_sizes(const GuestMemory& mem, const std::vector<std::string>& strings, uint32_t count_ptr,
                              uint32_t size_ptr) {
  uint64_t total = 0;
  for (const std::string& s : strings) total += s.size() + 1;
  mem.store<uint32_t>(count_ptr, uint32_t(strings.size()));
  mem.store<uint32_t>(size_ptr, uint32_t(total));
  return ERRNO_SUCCESS;
}

inline clockid_t host_clock(uint32_t id) {
  switch (ClockId(id)) {
    case ClockId::Realtime: return CLOCK_REALTIME;
    case ClockId::Monotonic: return CLOCK_MONOTONIC;
    case ClockId::ProcessCputime: return CLOCK_PROCESS_CPUTIME_ID;
    case ClockId::ThreadCputime: return CLOCK_THREAD_CPUTIME_ID;
  }
  fail(ERRNO_INVAL);
}

inline uint64_t to_ns(const timespec& ts) { return uint64_t(ts.tv_sec) * 1000000000u + uint64_t(ts.tv_nsec); }

}  // namespace detail

inline Errno args_get(WasiCtx& ctx, const GuestMemory& mem, uint32_t argv, uint32_t argv_buf) {
  return detail::write_string_list(mem, ctx.args, argv, argv_buf);
}
inline Errno args_sizes_get(WasiCtx& ctx, const GuestMemory& mem, uint32_t argc_ptr, uint32_t size_ptr) {
  return detail::write_list_sizes(mem, ctx.args, argc_ptr, size_ptr);
}
inline Errno environ_get(WasiCtx& ctx, const GuestMemory& mem, uint32_t environ_ptr, uint32_t buf) {
  return detail::write_string_list(mem, ctx.env, environ_ptr, buf);
}
inline Errno environ_sizes_get(WasiCtx& ctx, const GuestMemory& mem, uint32_t count_ptr, uint32_t size_ptr) {
  return detail::write_list_sizes(mem, ctx.env, count_ptr, size_ptr);
}

inline Errno clock_res_get(WasiCtx&, const GuestMemory& mem, uint32_t id, uint32_t res_ptr) {
  timespec ts;
  check_host(::clock_getres(detail::host_clock(id), &ts));
  mem.store<uint64_t>(res_ptr, detail::to_ns(ts));
  return ERRNO_SUCCESS;
}
inline Errno clock_time_get(WasiCtx&, const GuestMemory& mem, uint32_t id, uint64_t /*precision*/,
                            uint32_t time_ptr) {
  timespec ts;
  check_host(::clock_gettime(detail::host_clock(id), &ts));
  mem.store<uint64_t>(time_ptr, detail::to_ns(ts));
  return ERRNO_SUCCESS;
}

inline Errno random_get(WasiCtx&, const GuestMemory& mem, uint32_t buf, uint32_t len) {
  uint8_t* p = mem.at(buf, len);
  for (uint32_t done = 0; done < len;) {
    ssize_t n = ::getrandom(p + done, len - done, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail_host();
    }
    done += uint32_t(n);
  }
  return ERRNO_SUCCESS;
}

// Signals do not exist for a WASI guest; wasmtime does not implement this either.
inline Errno proc_raise(WasiCtx&, const GuestMemory&, uint32_t /*signal*/) { return ERRNO_NOSYS; }

inline Errno sched_yield(WasiCtx&, const GuestMemory&) {
  ::sched_yield();
  return ERRNO_SUCCESS;
}

}  // namespace wasm::wasi::calls
// ---- end include/wasm/wasi/calls_process.hpp ----

namespace wasm::wasi::calls {

namespace detail {

struct Event {
  uint32_t index = 0;  // of the subscription, to report in order
  uint64_t userdata = 0;
  Errno error = ERRNO_SUCCESS;
  EventType type = EventType::Clock;
  uint64_t nbytes = 0;
  uint16_t flags = 0;
};

inline void write_event(const GuestMemory& mem, uint32_t ptr, const Event& ev) {
  uint8_t bytes[layout::EVENT_SIZE] = {};
  std::memcpy(bytes + 0, &ev.userdata, 8);
  std::memcpy(bytes + 8, &ev.error, 2);
  bytes[10] = uint8_t(ev.type);
  std::memcpy(bytes + 16, &ev.nbytes, 8);
  std::memcpy(bytes + 24, &ev.flags, 2);
  mem.write(ptr, std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

// Bytes that can be read from `fd` without blocking, when the host can tell.
inline uint64_t readable_bytes(int fd) {
  struct stat st;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    off_t pos = ::lseek(fd, 0, SEEK_CUR);
    return pos >= 0 && st.st_size > pos ? uint64_t(st.st_size - pos) : 0;
  }
  int n = 0;
  return ::ioctl(fd, FIONREAD, &n) == 0 && n > 0 ? uint64_t(n) : 0;
}

}  // namespace detail

inline Errno poll_oneoff(WasiCtx& ctx, const GuestMemory& mem, uint32_t in, uint32_t out, uint32_t nsubscriptions,
                         uint32_t nevents_ptr) {
  if (nsubscriptions == 0) fail(ERRNO_INVAL);
  mem.at(in, uint64_t(nsubscriptions) * layout::SUBSCRIPTION_SIZE);
  mem.at(out, uint64_t(nsubscriptions) * layout::EVENT_SIZE);
  mem.at(nevents_ptr, 4);

  std::vector<detail::Event> events;          // immediate results (bad fds, bad clocks)
  std::vector<pollfd> fds;
  std::vector<detail::Event> fd_events;       // parallel to `fds`
  struct Clock {
    uint32_t index;
    uint64_t userdata;
    uint64_t deadline_ns;  // on CLOCK_MONOTONIC
  };
  std::vector<Clock> clocks;
  timespec now_mono;
  ::clock_gettime(CLOCK_MONOTONIC, &now_mono);
  uint64_t now = detail::to_ns(now_mono);

  for (uint32_t i = 0; i < nsubscriptions; ++i) {
    uint32_t sub = in + i * layout::SUBSCRIPTION_SIZE;
    uint64_t userdata = mem.load<uint64_t>(sub);
    uint8_t tag = mem.load<uint8_t>(sub + 8);
    if (tag == uint8_t(EventType::Clock)) {
      uint32_t id = mem.load<uint32_t>(sub + 16);
      uint64_t timeout = mem.load<uint64_t>(sub + 24);
      uint16_t flags = mem.load<uint16_t>(sub + 40);
      timespec t;
      clockid_t host;
      try {
        host = detail::host_clock(id);
      } catch (const WasiError& e) {
        events.push_back({i, userdata, e.code, EventType::Clock, 0, 0});
        continue;
      }
      uint64_t relative = timeout;
      if (flags & SUBSCRIPTION_CLOCK_ABSTIME) {
        ::clock_gettime(host, &t);
        uint64_t clock_now = detail::to_ns(t);
        relative = timeout > clock_now ? timeout - clock_now : 0;
      }
      clocks.push_back({i, userdata, now + std::min<uint64_t>(relative, UINT64_MAX - now)});
    } else if (tag == uint8_t(EventType::FdRead) || tag == uint8_t(EventType::FdWrite)) {
      uint32_t fd = mem.load<uint32_t>(sub + 16);
      EventType type = EventType(tag);
      if (!ctx.fds.contains(fd)) {
        events.push_back({i, userdata, ERRNO_BADF, type, 0, 0});
        continue;
      }
      FdEntry& e = ctx.fds.get(fd);
      short what = type == EventType::FdRead ? POLLIN : POLLOUT;
      fds.push_back({e.host_fd, what, 0});
      fd_events.push_back({i, userdata, ERRNO_SUCCESS, type, 0, 0});
    } else {
      fail(ERRNO_INVAL);
    }
  }

  // Wait only when nothing is reportable yet.
  int timeout_ms = -1;
  if (!events.empty()) {
    timeout_ms = 0;
  } else if (!clocks.empty()) {
    uint64_t first = std::min_element(clocks.begin(), clocks.end(), [](auto& a, auto& b) {
                       return a.deadline_ns < b.deadline_ns;
                     })->deadline_ns;
    uint64_t wait_ns = first > now ? first - now : 0;
    timeout_ms = int(std::min<uint64_t>((wait_ns + 999999) / 1000000, INT32_MAX));
  }
  for (;;) {
    int n = ::poll(fds.data(), nfds_t(fds.size()), timeout_ms);
    if (n >= 0) break;
    if (errno != EINTR) fail_host();
  }

  for (size_t i = 0; i < fds.size(); ++i) {
    short re = fds[i].revents;
    if (!re) continue;
    detail::Event ev = fd_events[i];
    if (re & POLLNVAL) {
      ev.error = ERRNO_BADF;
    } else if (re & POLLERR) {
      ev.error = ERRNO_IO;
    } else {
      if (re & POLLHUP) ev.flags |= EVENT_FD_READWRITE_HANGUP;
      if (ev.type == EventType::FdRead) ev.nbytes = detail::readable_bytes(fds[i].fd);
    }
    events.push_back(ev);
  }
  // Expired clocks are reported even when fds are ready too: a zero timeout next to a ready
  // fd is two events, not one.
  ::clock_gettime(CLOCK_MONOTONIC, &now_mono);
  now = detail::to_ns(now_mono);
  for (const Clock& c : clocks) {
    if (c.deadline_ns <= now) events.push_back({c.index, c.userdata, ERRNO_SUCCESS, EventType::Clock, 0, 0});
  }
  std::stable_sort(events.begin(), events.end(), [](auto& a, auto& b) { return a.index < b.index; });
  for (size_t i = 0; i < events.size(); ++i) detail::write_event(mem, out + uint32_t(i) * layout::EVENT_SIZE, events[i]);
  mem.store<uint32_t>(nevents_ptr, uint32_t(events.size()));
  return ERRNO_SUCCESS;
}

}  // namespace wasm::wasi::calls
// ---- end include/wasm/wasi/calls_poll.hpp ----
// ---- begin include/wasm/wasi/calls_sock.hpp ----
// Sockets: a guest gets no sockets from us (no preopened sockets), so these answer EBADF for a
// closed descriptor and ENOTSUP for any other one.

namespace wasm::wasi::calls {

inline Errno sock_accept(WasiCtx& ctx, const GuestMemory&, uint32_t fd, uint32_t /*flags*/, uint32_t /*fd_out*/) {
  ctx.fds.get(fd);
  return ERRNO_NOTSUP;
}
inline Errno sock_recv(WasiCtx& ctx, const GuestMemory&, uint32_t fd, uint32_t /*ri_data*/, uint32_t /*ri_len*/,
                       uint32_t /*ri_flags*/, uint32_t /*ro_datalen*/, uint32_t /*ro_flags*/) {
  ctx.fds.get(fd);
  return ERRNO_NOTSUP;
}
inline Errno sock_send(WasiCtx& ctx, const GuestMemory&, uint32_t fd, uint32_t /*si_data*/, uint32_t /*si_len*/,
                       uint32_t /*si_flags*/, uint32_t /*so_datalen*/) {
  ctx.fds.get(fd);
  return ERRNO_NOTSUP;
}
inline Errno sock_shutdown(WasiCtx& ctx, const GuestMemory&, uint32_t fd, uint32_t /*how*/) {
  ctx.fds.get(fd);
  return ERRNO_NOTSUP;
}

}  // namespace wasm::wasi::calls
// ---- end include/wasm/wasi/calls_sock.hpp ----

namespace wasm::wasi {

inline constexpr std::string_view kModule = "wasi_snapshot_preview1";

// Every errno-returning call, by its import name.
#define WASMPP_WASI_CALLS(X)                                                                      \
  X(args_get) X(args_sizes_get) X(environ_get) X(environ_sizes_get) X(clock_res_get)              \
  X(clock_time_get) X(random_get) X(proc_raise) X(sched_yield) X(fd_advise) X(fd_allocate)        \
  X(fd_close) X(fd_datasync) X(fd_fdstat_get) X(fd_fdstat_set_flags) X(fd_fdstat_set_rights)      \
  X(fd_filestat_get) X(fd_filestat_set_size) X(fd_filestat_set_times) X(fd_pread)                 \
  X(fd_prestat_get) X(fd_prestat_dir_name) X(fd_pwrite) X(fd_read) X(fd_readdir) X(fd_renumber)   \
  X(fd_seek) X(fd_sync) X(fd_tell) X(fd_write) X(path_create_directory) X(path_filestat_get)      \
  X(path_filestat_set_times) X(path_link) X(path_open) X(path_readlink) X(path_remove_directory)  \
  X(path_rename) X(path_symlink) X(path_unlink_file) X(poll_oneoff) X(sock_accept) X(sock_recv)   \
  X(sock_send) X(sock_shutdown)

namespace detail {

// The caller's exported "memory"; a module without one gets EFAULT for every pointer.
template <typename T>
std::span<uint8_t> caller_memory(Caller<T>& caller) {
  std::optional<Memory> mem = caller.get_memory("memory");
  return mem ? mem->data(caller) : std::span<uint8_t>();
}

// Turns `Errno call(WasiCtx&, const GuestMemory&, Params...)` into the host function
// `int32_t (Caller<T>&, Params...)`, where a thrown WasiError becomes the returned errno.
template <typename T, typename GetCtx, auto Call>
struct Binding;

template <typename T, typename GetCtx, typename... Params, Errno (*Call)(WasiCtx&, const GuestMemory&, Params...)>
struct Binding<T, GetCtx, Call> {
  static auto make(GetCtx get_ctx) {
    return [get_ctx](Caller<T>& caller, Params... params) -> int32_t {
      try {
        GuestMemory mem(caller_memory(caller));
        return int32_t(Call(get_ctx(caller.data()), mem, params...));
      } catch (const WasiError& e) {
        return int32_t(e.code);
      } catch (const std::bad_alloc&) {
        return int32_t(ERRNO_NOMEM);
      }
    };
  }
};

}  // namespace detail

template <typename T, typename GetCtx>
Result<void> add_to_linker(Linker<T>& linker, GetCtx get_ctx) {
#define WASMPP_WASI_DEFINE(name)                                                                     \
  if (auto r = linker.func_wrap(kModule, #name, detail::Binding<T, GetCtx, &calls::name>::make(get_ctx)); !r) { \
    return r;                                                                                        \
  }
  WASMPP_WASI_CALLS(WASMPP_WASI_DEFINE)
#undef WASMPP_WASI_DEFINE
  // proc_exit ends the wasm call with a distinct Exit result (not a trap) carrying the code.
  return linker.func_wrap(kModule, "proc_exit", [](Caller<T>&, int32_t code) -> Result<void> {
    return Error::exit(code);
  });
}

}  // namespace wasm::wasi
// ---- end include/wasm/wasi/add_to_linker.hpp ----
// ---- end include/wasm/wasi/wasi.hpp ----
