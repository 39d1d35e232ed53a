#pragma once
// The parking lot behind memory.atomic.wait32/wait64 and memory.atomic.notify: waiters queue
// per host address, in one of a fixed number of buckets chosen by hashing the address; each
// bucket has one mutex, one condition variable and its waiters in arrival order.
//
// One lot for the whole process: a shared memory can be used from several engines' stores at
// once, and a host address names one location whoever waits on it.
//
// No wake-up is lost: a waiter compares the memory with the expected value while holding its
// bucket's lock, and a notifier takes the same lock, so a store followed by a notify on
// another thread either happens before the comparison (the waiter sees the new value and
// returns "not-equal") or finds the waiter queued.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace wasm::detail {

enum class WaitResult : uint32_t { Ok = 0, NotEqual = 1, TimedOut = 2 };

class ParkingLot {
 public:
  static ParkingLot& get() {
    static ParkingLot lot;
    return lot;
  }

  // Waits on `address` (naturally aligned, inside a live memory) if it holds `expected`, for at
  // most `timeout_ns` nanoseconds (negative, or more than a century: no limit; a deadline that
  // far would overflow the clock).
  template <typename T>
  WaitResult wait(T* address, T expected, int64_t timeout_ns) {
    static_assert(sizeof(T) == 4 || sizeof(T) == 8);
    Bucket& b = bucket_for(address);
    std::unique_lock<std::mutex> lock(b.mutex);
    if (std::atomic_ref<T>(*address).load(std::memory_order_seq_cst) != expected)
      return WaitResult::NotEqual;
    Waiter self{address};
    b.append(&self);
    if (timeout_ns < 0 || timeout_ns > kNoLimitAbove) {
      b.cv.wait(lock, [&] { return self.notified; });
      return WaitResult::Ok;
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::nanoseconds(timeout_ns);
    if (b.cv.wait_until(lock, deadline, [&] { return self.notified; })) return WaitResult::Ok;
    b.remove(&self);
    return WaitResult::TimedOut;
  }

  // Wakes up to `count` waiters on `address`, oldest first; returns how many it woke.
  uint32_t notify(const void* address, uint32_t count) {
    if (count == 0) return 0;
    Bucket& b = bucket_for(address);
    uint32_t woken = 0;
    {
      std::lock_guard<std::mutex> lock(b.mutex);
      for (Waiter* w = b.head; w && woken < count;) {
        Waiter* next = w->next;
        if (w->address == address) {
          b.remove(w);
          w->notified = true;
          ++woken;
        }
        w = next;
      }
    }
    if (woken) b.cv.notify_all();  // waiters of other addresses in the bucket sleep on
    return woken;
  }

  // How many threads wait on `address` now (for tests).
  uint32_t waiters(const void* address) {
    Bucket& b = bucket_for(address);
    std::lock_guard<std::mutex> lock(b.mutex);
    uint32_t n = 0;
    for (Waiter* w = b.head; w; w = w->next) n += w->address == address;
    return n;
  }

 private:
  struct Waiter {
    const void* address;
    bool notified = false;
    Waiter* prev = nullptr;
    Waiter* next = nullptr;
  };

  struct Bucket {
    std::mutex mutex;
    std::condition_variable cv;
    Waiter* head = nullptr;
    Waiter* tail = nullptr;

    void append(Waiter* w) {
      w->prev = tail;
      if (tail) tail->next = w;
      else head = w;
      tail = w;
    }
    void remove(Waiter* w) {
      if (w->prev) w->prev->next = w->next;
      else head = w->next;
      if (w->next) w->next->prev = w->prev;
      else tail = w->prev;
      w->prev = w->next = nullptr;
    }
  };

  static constexpr size_t kBuckets = 64;
  static constexpr int64_t kNoLimitAbove = int64_t(1) << 62;  // ns: about 146 years

  Bucket& bucket_for(const void* address) {
    // Addresses of waited-on words are at least 4-aligned; mix the bits above that.
    uint64_t h = uint64_t(reinterpret_cast<uintptr_t>(address)) >> 2;
    h *= 0x9E3779B97F4A7C15ull;
    return buckets_[h >> 58];  // top 6 bits: 64 buckets
  }

  Bucket buckets_[kBuckets];
};

}  // namespace wasm::detail
