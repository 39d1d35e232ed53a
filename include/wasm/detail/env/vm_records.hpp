#pragma once
// The records that live inside a VMContext (or that it points at) and that JIT code reads
// through VMOffsets displacements. Their layout is stated in env/vmctx_layout.def; the
// static_asserts at the end, generated from that file, keep these structs identical to it.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "wasm/detail/env/vmoffsets.hpp"

namespace wasm::detail {

static_assert(sizeof(void*) == 8, "the VMContext layout is written for x86-64");

// Opaque here: a VMContext is a block of VMOffsets::size() bytes reached only by offsets.
struct VMContext;

// The first field of every VMContext: "wasm" in memory order.
inline constexpr uint32_t kVMContextMagic =
    uint32_t('w') | uint32_t('a') << 8 | uint32_t('s') << 16 | uint32_t('m') << 24;

// Whether a callee/caller context pointer is an instance's VMContext rather than a host
// function's context (which starts with a magic of its own).
inline bool is_instance_vmctx(const void* ctx) {
  return *static_cast<const uint32_t*>(ctx) == kVMContextMagic;
}

struct VMMemoryDefinition {
  uint8_t* base = nullptr;
  uint64_t current_length = 0;  // bytes
};

struct VMTableDefinition {
  void* base = nullptr;
  uint64_t current_elements = 0;
};

// A global's value, of any type; JIT code reads and writes it in place at offset 0.
struct alignas(16) VMGlobalDefinition {
  unsigned char storage[16] = {};

  template <typename T>
  T get() const {
    static_assert(std::is_trivially_copyable_v<T> && sizeof(T) <= sizeof(storage));
    T value;
    std::memcpy(&value, storage, sizeof(T));
    return value;
  }
  template <typename T>
  void set(const T& value) {
    static_assert(std::is_trivially_copyable_v<T> && sizeof(T) <= sizeof(storage));
    std::memcpy(storage, &value, sizeof(T));
  }
};

struct VMFunctionImport {
  void* code = nullptr;
  VMContext* vmctx = nullptr;
};

struct VMTableImport {
  VMTableDefinition* from = nullptr;
  VMContext* vmctx = nullptr;
};

struct VMMemoryImport {
  VMMemoryDefinition* from = nullptr;
  VMContext* vmctx = nullptr;
};

struct VMGlobalImport {
  VMGlobalDefinition* from = nullptr;
};

struct VMFuncRef {
  void* code = nullptr;
  VMContext* vmctx = nullptr;
  uint32_t type_id = 0;  // engine-wide shared signature id
  uint32_t padding = 0;
};

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

// Displacements JIT code uses, from the one layout table (env/vmctx_layout.def); the struct
// above is checked against it here, where it is complete.
namespace store_ctx {
inline constexpr uint32_t kStackLimit = vmlayout::VMStoreContext::stack_limit;
inline constexpr uint32_t kFuelConsumed = vmlayout::VMStoreContext::fuel_consumed;
inline constexpr uint32_t kEpochDeadline = vmlayout::VMStoreContext::epoch_deadline;
inline constexpr uint32_t kEpochCounter = vmlayout::VMStoreContext::epoch_counter;
inline constexpr uint32_t kTrapCode = vmlayout::VMStoreContext::trap_code;
}  // namespace store_ctx

// The prefix fields are a u32 and three pointers.
static_assert(region_info(VMRegion::magic).element_size == sizeof(kVMContextMagic));
static_assert(region_info(VMRegion::store_context).element_size == sizeof(VMStoreContext*));
static_assert(region_info(VMRegion::builtins).element_size == sizeof(void*));
static_assert(region_info(VMRegion::type_ids).element_size == sizeof(const uint32_t*));

#define WASM_VM_RECORD(Record, size, align)                                             \
  static_assert(sizeof(Record) == (size) && alignof(Record) == (align),                 \
                #Record ": size or alignment differs from vmctx_layout.def");           \
  static_assert(std::is_standard_layout_v<Record> && std::is_trivially_copyable_v<Record>, \
                #Record ": JIT code needs a plain C layout");
#define WASM_VM_FIELD(Record, field, offset, size)                                   \
  static_assert(offsetof(Record, field) == (offset) && sizeof(Record::field) == (size), \
                #Record "::" #field ": offset or size differs from vmctx_layout.def");
#include "wasm/detail/env/vmctx_layout.def"

}  // namespace wasm::detail
