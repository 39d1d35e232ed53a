#pragma once
// Conversions shared by the fd_* and path_* calls: host stat -> preview1 filestat, and the
// (timestamp, fstflags) pairs of the set_times calls -> utimensat's timespecs.
#include <sys/stat.h>

#include "wasm/wasi/fd_table.hpp"
#include "wasm/wasi/guest_memory.hpp"

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
