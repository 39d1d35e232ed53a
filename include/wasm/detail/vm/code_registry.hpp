#pragma once
// The address ranges of all live JIT code, so that the signal handler can tell our faults from
// others and trap backtraces can map return addresses to modules.
//
// Lookups happen inside the signal handler, so they take no lock and allocate nothing: readers
// search an immutable sorted snapshot. A writer (a module being loaded or freed) publishes a new
// snapshot and frees the old one once no reader is left; it waits for readers, never the
// other way round.
#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "wasm/detail/base/pthread_lock.hpp"

namespace wasm::detail {

class CodeRegistry {
 public:
  static CodeRegistry& get() {
    // Never destroyed: a signal handler may still look up code while the process exits.
    static CodeRegistry* registry = new CodeRegistry;
    return *registry;
  }

  void add(uintptr_t begin, uintptr_t end, const void* owner) {
    update([&](std::vector<Range>& ranges) {
      auto at = std::lower_bound(ranges.begin(), ranges.end(), begin,
                                 [](const Range& r, uintptr_t b) { return r.begin < b; });
      ranges.insert(at, Range{begin, end, owner});
    });
  }
  void remove(uintptr_t begin) {
    update([&](std::vector<Range>& ranges) {
      std::erase_if(ranges, [&](const Range& r) { return r.begin == begin; });
    });
  }

  // The owner of the code containing pc, or null. Async-signal-safe.
  const void* lookup(uintptr_t pc) const {
    // seq_cst pairs with update(): either the writer sees this reader and waits, or this
    // reader sees the writer's new snapshot.
    readers_.fetch_add(1);
    const Snapshot* s = current_.load();
    const void* owner = nullptr;
    if (s) {
      const Range* end = s->ranges + s->count;
      const Range* it = std::upper_bound(s->ranges, end, pc,
                                         [](uintptr_t p, const Range& r) { return p < r.begin; });
      if (it != s->ranges && pc < (it - 1)->end) owner = (it - 1)->owner;
    }
    readers_.fetch_sub(1);
    return owner;
  }
  bool contains(uintptr_t pc) const { return lookup(pc) != nullptr; }

 private:
  struct Range {
    uintptr_t begin;
    uintptr_t end;
    const void* owner;
  };
  struct Snapshot {
    std::vector<Range> storage;
    const Range* ranges;
    size_t count;
  };

  CodeRegistry() = default;

  template <typename Edit>
  void update(Edit edit) {
    PthreadLock lock(&writer_);
    const Snapshot* old = current_.load();
    auto next = std::make_unique<Snapshot>(Snapshot{old ? old->storage : std::vector<Range>{}, nullptr, 0});
    edit(next->storage);
    next->ranges = next->storage.data();
    next->count = next->storage.size();
    current_.store(next.release());
    // Readers are a binary search long; one that started before the store may still use `old`.
    while (readers_.load() != 0) sched_yield();
    delete old;
  }

  std::atomic<const Snapshot*> current_{nullptr};
  mutable std::atomic<uint32_t> readers_{0};
  pthread_mutex_t writer_ = PTHREAD_MUTEX_INITIALIZER;
};

}  // namespace wasm::detail
