#pragma once
// Sockets: a guest gets no sockets from us (no preopened sockets), so these answer EBADF for a
// closed descriptor and ENOTSUP for any other one.
#include "wasm/wasi/ctx.hpp"
#include "wasm/wasi/guest_memory.hpp"

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
