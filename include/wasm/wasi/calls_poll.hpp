#pragma once
// poll_oneoff: waits until a clock subscription expires or an fd subscription is ready, with
// one host poll(2), then reports every subscription that is ready at that moment (ready fds
// and expired clocks together, as POSIX poll and wasmtime do), in subscription order.
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <vector>

#include "wasm/wasi/calls_process.hpp"
#include "wasm/wasi/ctx.hpp"
#include "wasm/wasi/guest_memory.hpp"

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
