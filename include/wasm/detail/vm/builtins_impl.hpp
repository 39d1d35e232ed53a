#pragma once
// The builtins (libcalls) that JIT code calls through VMBuiltins; see builtins.def for the
// contract. A builtin that traps records the trap with its caller's pc and frame pointer and
// unwinds to the entry trampoline; it keeps no object with a destructor alive when it does.
#include <vector>

#include "wasm/detail/vm/bulk_memory.hpp"
#include "wasm/detail/env/builtins.hpp"
#include "wasm/detail/vm/const_eval.hpp"
#include "wasm/detail/vm/invoke.hpp"
#include "wasm/detail/jit/trampolines.hpp"
#include "wasm/detail/vm/store_data.hpp"
#include "wasm/detail/vm/wait_queue.hpp"

namespace wasm::detail {

namespace builtin_impl {

inline Instance& instance_of(VMContext* vmctx) { return *Instance::from_vmctx(vmctx); }

// `frame`: the builtin's own frame, whose return address and saved rbp lead back into wasm.
[[noreturn]] inline void trap(VMContext* vmctx, TrapCode code, void* frame) {
  VMStoreContext* sc = &instance_of(vmctx).store->ctx;
  const uintptr_t* f = static_cast<const uintptr_t*>(frame);
  record_trap(sc, code, f[1], f[0]);
  EntryStubs::get().unwind(uintptr_t(frame));
}

// Inside a builtin: trap with the JIT caller's pc (our return address) and frame pointer (the
// rbp our frame saved).
#define WASM_BUILTIN_TRAP(vmctx, code) \
  ::wasm::detail::builtin_impl::trap(vmctx, code, __builtin_frame_address(0))

// The values of element segment `elem` (empty once dropped).
inline std::vector<void*> segment_values(Instance& in, uint32_t elem) {
  std::vector<void*> values;
  if (in.dropped_elems[elem]) return values;
  const ElemSegment& seg = in.info().elements[elem];
  values.reserve(seg.size());
  if (seg.uses_exprs) {
    for (const ConstExpr& e : seg.exprs) values.push_back(eval_const(e, in).ref);
  } else {
    for (uint32_t f : seg.func_indices) values.push_back(in.func_ref(f));
  }
  return values;
}

inline std::optional<TrapCode> do_table_init(Instance& in, uint32_t table, uint32_t elem,
                                             uint64_t dst, uint64_t src, uint64_t len) {
  std::vector<void*> values = segment_values(in, elem);
  return table_init(*in.tables[table], values, dst, src, len);
}

inline std::span<const uint8_t> data_bytes(Instance& in, uint32_t data) {
  if (in.dropped_data[data]) return {};
  return in.info().segment_bytes(in.info().data[data]);
}

inline uint64_t memory_grow(VMContext* v, uint32_t mem, uint64_t delta) {
  Instance& in = instance_of(v);
  Result<uint64_t> old = in.memories[mem]->grow(delta, in.store->limiter);
  return old ? *old : ~uint64_t(0);
}

inline void memory_fill(VMContext* v, uint32_t mem, uint64_t dst, uint32_t byte, uint64_t len) {
  Instance& in = instance_of(v);
  if (auto t = detail::memory_fill(*in.memories[mem]->definition(), dst, uint8_t(byte), len))
    WASM_BUILTIN_TRAP(v, *t);
}

inline void memory_copy(VMContext* v, uint32_t dst_mem, uint32_t src_mem, uint64_t dst,
                        uint64_t src, uint64_t len) {
  Instance& in = instance_of(v);
  if (auto t = detail::memory_copy(*in.memories[dst_mem]->definition(),
                                   *in.memories[src_mem]->definition(), dst, src, len))
    WASM_BUILTIN_TRAP(v, *t);
}

inline void memory_init(VMContext* v, uint32_t mem, uint32_t data, uint64_t dst, uint32_t src,
                        uint32_t len) {
  Instance& in = instance_of(v);
  if (auto t = detail::memory_init(*in.memories[mem]->definition(), data_bytes(in, data), dst, src, len))
    WASM_BUILTIN_TRAP(v, *t);
}

inline void data_drop(VMContext* v, uint32_t data) { instance_of(v).dropped_data[data] = true; }

inline void* table_get(VMContext* v, uint32_t table, uint64_t index) {
  void* value = nullptr;
  if (auto t = detail::table_get(*instance_of(v).tables[table], index, value)) WASM_BUILTIN_TRAP(v, *t);
  return value;
}

inline void table_set(VMContext* v, uint32_t table, uint64_t index, void* value) {
  if (auto t = detail::table_set(*instance_of(v).tables[table], index, value)) WASM_BUILTIN_TRAP(v, *t);
}

inline uint64_t table_grow(VMContext* v, uint32_t table, uint64_t delta, void* init) {
  Instance& in = instance_of(v);
  Result<uint64_t> old = in.tables[table]->grow(delta, init, in.store->limiter);
  return old ? *old : ~uint64_t(0);
}

inline void table_fill(VMContext* v, uint32_t table, uint64_t dst, void* value, uint64_t len) {
  if (auto t = detail::table_fill(*instance_of(v).tables[table], dst, value, len))
    WASM_BUILTIN_TRAP(v, *t);
}

inline void table_copy(VMContext* v, uint32_t dst_table, uint32_t src_table, uint64_t dst,
                       uint64_t src, uint64_t len) {
  Instance& in = instance_of(v);
  if (auto t = detail::table_copy(*in.tables[dst_table], *in.tables[src_table], dst, src, len))
    WASM_BUILTIN_TRAP(v, *t);
}

inline void table_init(VMContext* v, uint32_t table, uint32_t elem, uint64_t dst, uint32_t src,
                       uint32_t len) {
  if (auto t = do_table_init(instance_of(v), table, elem, dst, src, len)) WASM_BUILTIN_TRAP(v, *t);
}

inline void elem_drop(VMContext* v, uint32_t elem) { instance_of(v).dropped_elems[elem] = true; }

inline VMFuncRef* table_lazy_init(VMContext* v, uint32_t table, uint64_t index) {
  std::optional<void*> value = instance_of(v).tables[table]->get(index);
  if (!value) WASM_BUILTIN_TRAP(v, TrapCode::TableOutOfBounds);
  return static_cast<VMFuncRef*>(*value);
}

inline uint32_t func_subtype(VMContext* v, uint32_t actual, uint32_t expected) {
  return instance_of(v).module->engine->types.subtype(actual, expected) ? 1 : 0;
}

inline void raise_trap(VMContext* v, uint32_t code) { WASM_BUILTIN_TRAP(v, TrapCode(code)); }

inline void out_of_fuel(VMContext* v) { WASM_BUILTIN_TRAP(v, TrapCode::OutOfFuel); }

inline void epoch_deadline_reached(VMContext* v) { WASM_BUILTIN_TRAP(v, TrapCode::Interrupt); }

inline uint32_t memory_atomic_wait32(VMContext*, void* addr, uint32_t expected, int64_t timeout) {
  return uint32_t(ParkingLot::get().wait(static_cast<uint32_t*>(addr), expected, timeout));
}

inline uint32_t memory_atomic_wait64(VMContext*, void* addr, uint64_t expected, int64_t timeout) {
  return uint32_t(ParkingLot::get().wait(static_cast<uint64_t*>(addr), expected, timeout));
}

inline uint32_t memory_atomic_notify(VMContext*, void* addr, uint32_t count) {
  return ParkingLot::get().notify(addr, count);
}

#undef WASM_BUILTIN_TRAP

}  // namespace builtin_impl

}  // namespace wasm::detail

#include "wasm/detail/vm/exceptions_unwind.hpp"  // throw_tag, throw_ref

namespace wasm::detail {

// The one builtins table of the process.
inline const VMBuiltins* builtins_table() {
  static const VMBuiltins table = [] {
    VMBuiltins t;
#define WASM_BUILTIN(name, ret, ...) t.name = &builtin_impl::name;
#include "wasm/detail/env/builtins.def"
#undef WASM_BUILTIN
    return t;
  }();
  return &table;
}

}  // namespace wasm::detail
