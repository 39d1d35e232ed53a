#pragma once
// add_to_linker: defines every wasi_snapshot_preview1 function on a Linker<T> as a typed host
// function. `get_ctx(T&) -> WasiCtx&` says where the store keeps its WasiCtx:
//
//   wasm::Linker<MyState> linker(engine);
//   wasm::wasi::add_to_linker(linker, [](MyState& s) -> wasm::wasi::WasiCtx& { return s.wasi; });
#include <new>
#include <span>
#include <string_view>

#include "wasm/caller.hpp"
#include "wasm/linker.hpp"
#include "wasm/wasi/calls_fd.hpp"
#include "wasm/wasi/calls_path.hpp"
#include "wasm/wasi/calls_poll.hpp"
#include "wasm/wasi/calls_process.hpp"
#include "wasm/wasi/calls_sock.hpp"

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
