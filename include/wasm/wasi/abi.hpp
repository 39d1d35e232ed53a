#pragma once
// The wasi_snapshot_preview1 ABI: constants and struct layouts, as fixed by the witx files
// (wasi-libc's wasi/api.h is the C rendering). Guest structs are little-endian and written
// field by field at these offsets, never memcpy'd from host structs.
#include <cstdint>

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
