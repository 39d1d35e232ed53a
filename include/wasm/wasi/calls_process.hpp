#pragma once
// Args, environment, clocks, randomness, proc_raise and sched_yield. (proc_exit is not an
// errno-returning call: add_to_linker.hpp binds it to Error::exit.)
#include <sched.h>
#include <sys/random.h>
#include <time.h>

#include <string>
#include <vector>

#include "wasm/wasi/ctx.hpp"
#include "wasm/wasi/guest_memory.hpp"

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
