#pragma once
// How a WASI call fails: the implementation throws WasiError{errno} from wherever it notices the
// problem (a bad guest pointer, a host syscall failing, a missing right), and the binding in
// add_to_linker.hpp turns it into the call's return value. This keeps every call a straight
// line instead of a ladder of error checks; no exception leaves the host function.
#include <cerrno>

#include "wasm/wasi/abi.hpp"

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
