#pragma once
// VMStoreContext: the per-Store state that JIT code and the trampolines read and write.
// Every VMContext points at its Store's VMStoreContext (VMOffsets::store_context()).
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "wasm/detail/env/vm_records.hpp"

namespace wasm::detail {

// Raw frames captured at a trap (return addresses of wasm frames, innermost first), copied
// without allocating so that the signal handler can fill it too.
struct TrapBacktrace {
  static constexpr size_t kMaxFrames = 64;
  uintptr_t pcs[kMaxFrames];
  uint32_t count = 0;
  bool truncated = false;
};

struct VMStoreContext {
  // Read by JIT code (displacements below are part of the ABI).
  uintptr_t stack_limit = 0;     // function prologues trap when rsp drops below this; 0 while
                                 // no wasm of the store runs (enter_wasm)
  int64_t fuel_consumed = 0;     // counts up; a value >= 0 means the fuel is used up
  uint64_t epoch_deadline = ~uint64_t(0);
  const std::atomic<uint64_t>* epoch_counter = nullptr;  // the Engine's epoch

  // Set when a trap unwinds to the entry trampoline; the host side reads and clears it.
  uint32_t trap_code = 0;  // 0 = none, else 1 + TrapCode
  uint32_t padding = 0;
  uintptr_t trap_pc = 0;
  uintptr_t trap_fp = 0;
  TrapBacktrace backtrace;

  // The Store that owns this context (type-erased), for builtins and host functions.
  void* store = nullptr;
};

namespace store_ctx {
inline constexpr uint32_t kStackLimit = offsetof(VMStoreContext, stack_limit);
inline constexpr uint32_t kFuelConsumed = offsetof(VMStoreContext, fuel_consumed);
inline constexpr uint32_t kEpochDeadline = offsetof(VMStoreContext, epoch_deadline);
inline constexpr uint32_t kEpochCounter = offsetof(VMStoreContext, epoch_counter);
inline constexpr uint32_t kTrapCode = offsetof(VMStoreContext, trap_code);
}  // namespace store_ctx

}  // namespace wasm::detail
