#pragma once
// A hand-built runtime for testing compiled code without Store/Instance: decodes, validates
// and compiles a module, builds its VMContext by hand (memories, tables, globals, func refs,
// imports, builtins) and calls compiled functions through plain function pointers per the ABI.
// Traps come back through a test-only raise_trap that longjmps to the caller (only JIT
// frames are skipped, no C++ ones).
//
//   JitInstance inst(wat_bytes);
//   REQUIRE(inst.ok());
//   auto r = inst.call<int32_t>(inst.export_index("f"), int32_t(5));  // CallResult<int32_t>
//   CHECK(r.value == 8);
#include <signal.h>
#include <sys/mman.h>

#include <setjmp.h>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <type_traits>
#include <string>
#include <vector>

#include "wasm/detail/binary/decoder.hpp"
#include "wasm/detail/binary/validator.hpp"
#include "wasm/detail/jit/baseline_tier.hpp"
#include "wasm/detail/env/builtins.hpp"
#include "wasm/detail/jit/trampolines.hpp"
#include "wasm/detail/env/vm_records.hpp"

namespace wasm::test::jit {

using namespace wasm::detail;
using namespace wasm::detail::jit;

template <typename R>
struct CallResult {
  std::optional<TrapCode> trap;
  std::conditional_t<std::is_void_v<R>, char, R> value{};
  bool trapped() const { return trap.has_value(); }
};

struct TestMemory {
  uint8_t* base = nullptr;
  size_t reserved = 0;
  uint64_t max_pages = 65536;
  VMMemoryDefinition* def = nullptr;  // in the owning VMContext
};

struct TestTable {
  std::vector<uintptr_t> slots;  // funcref: 0 = lazy, else VMFuncRef* | 1; externref: raw
  std::vector<VMFuncRef*> lazy;  // what a lazy funcref slot resolves to
  bool funcref = true;
  uint64_t max = 0xFFFFFFFF;
  VMTableDefinition* def = nullptr;
};

class JitInstance;

namespace harness_detail {

inline thread_local sigjmp_buf* trap_target = nullptr;

constexpr size_t kHeader = 16;  // JitInstance* stored just before the VMContext

inline JitInstance& instance_of(VMContext* vmctx) {
  JitInstance* inst;
  std::memcpy(&inst, reinterpret_cast<uint8_t*>(vmctx) - kHeader, sizeof(inst));
  return *inst;
}

[[noreturn]] inline void trap(TrapCode code) { siglongjmp(*trap_target, int(code) + 1); }

// A fault while a test call is running is an out-of-bounds access hitting the guard region
// (the harness has no other way to fault): it becomes a MemoryOutOfBounds trap. Other faults
// go to the handler that was installed before (the runtime's, in the unit-test program).
inline struct sigaction previous_segv, previous_bus;

inline void on_fault(int sig, siginfo_t* info, void* context) {
  if (trap_target) trap(TrapCode::MemoryOutOfBounds);
  struct sigaction& prev = sig == SIGSEGV ? previous_segv : previous_bus;
  if (prev.sa_flags & SA_SIGINFO) {
    prev.sa_sigaction(sig, info, context);
  } else if (prev.sa_handler != SIG_DFL && prev.sa_handler != SIG_IGN) {
    prev.sa_handler(sig);
  } else {
    sigaction(sig, &prev, nullptr);
    raise(sig);
  }
}

inline void install_fault_handler() {
  static bool installed = [] {
    struct sigaction sa {};
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, &previous_segv);
    sigaction(SIGBUS, &sa, &previous_bus);
    return true;
  }();
  (void)installed;
}

// Canonical signature ids: the index of the first structurally equal type, offset so that
// ids of different modules built from the same type list agree.
inline uint32_t type_id_of(const std::vector<FuncType>& types, uint32_t index) {
  for (uint32_t i = 0; i < index; ++i)
    if (types[i] == types[index]) return 1000 + i;
  return 1000 + index;
}

}  // namespace harness_detail

class JitInstance {
 public:
  // Another instance's export an import resolves to, or a host function (raw ABI pointer).
  struct ImportDef {
    JitInstance* from = nullptr;
    uint32_t index = 0;       // the exporter's index (function, memory, table or global)
    const void* host = nullptr;  // function imports: a host function following the ABI
  };

  explicit JitInstance(std::span<const uint8_t> bytes, const CompileOptions& options = {},
                       std::vector<ImportDef> imports = {}, unsigned threads = 1,
                       std::span<const CompilerTier* const> tiers = {})
      : options_(options) {
    auto decoded = decode_module(bytes, options.features);
    if (!decoded) {
      error_ = decoded.error().to_string();
      return;
    }
    module_ = std::move(*decoded);
    if (auto v = validate_module(module_, options.features); !v) {
      error_ = v.error().to_string();
      return;
    }
    auto compiled = tiers.empty() ? compile_module(module_, options, threads)
                                  : compile_module(module_, options, tiers, threads);
    if (!compiled) {
      error_ = compiled.error().to_string();
      return;
    }
    compiled_ = std::move(*compiled);
    build(std::move(imports));
  }
  ~JitInstance() {
    for (TestMemory& m : memories_) munmap(m.base, m.reserved);
  }
  JitInstance(const JitInstance&) = delete;
  JitInstance& operator=(const JitInstance&) = delete;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  const ModuleInfo& module() const { return module_; }
  const CompiledModule& compiled() const { return compiled_; }
  VMContext* vmctx() const { return reinterpret_cast<VMContext*>(vmctx_mem_.get() + harness_detail::kHeader); }
  VMStoreContext& store() { return store_; }
  const VMOffsets& offsets() const { return *offsets_; }

  uint32_t export_index(const std::string& name) const {
    for (const Export& e : module_.exports)
      if (e.name == name) return e.index;
    throw std::runtime_error("no export " + name);
  }
  const void* code(uint32_t func_index) const { return compiled_.function_entry(func_index); }
  const void* code(const std::string& name) const { return code(export_index(name)); }

  TestMemory& memory(uint32_t index = 0) { return *memory_ptrs_.at(index); }
  uint8_t* memory_base(uint32_t index = 0) { return memory(index).def->base; }
  VMGlobalDefinition& global(uint32_t index) { return *global_ptrs_.at(index); }
  TestTable& table(uint32_t index) { return *table_ptrs_.at(index); }
  VMFuncRef* func_ref(uint32_t func_index) {
    return reinterpret_cast<VMFuncRef*>(bytes_at(offsets_->func_ref(func_index)));
  }

  // Calls a function whose results are R (void, one scalar, or ValRaw* for 2+ results where
  // the caller passes the area as the first argument after the contexts).
  template <typename R, typename... Args>
  CallResult<R> call_code(const void* code, Args... args) {
    // Compiled code keeps only rbp, r14 and r15 for its caller (jit/abi.hpp), so C++ reaches
    // it through the runtime's entry trampoline, which saves the rest.
    using Fn = R (*)(const VMFuncRef*, VMContext*, Args...);
    VMFuncRef target;
    target.code = const_cast<void*>(code);
    target.vmctx = vmctx();
    harness_detail::install_fault_handler();
    sigjmp_buf env;
    sigjmp_buf* saved = harness_detail::trap_target;
    harness_detail::trap_target = &env;
    // The result lives in memory that is not modified between sigsetjmp and a longjmp back,
    // so nothing the compiler keeps in registers can be clobbered.
    auto result = std::make_unique<CallResult<R>>();
    Fn fn = reinterpret_cast<Fn>(const_cast<void*>(EntryStubs::get().wasm_entry()));
    if (int t = sigsetjmp(env, 1); t != 0) {
      result->trap = TrapCode(t - 1);
    } else if constexpr (std::is_void_v<R>) {
      fn(&target, vmctx(), args...);
    } else {
      result->value = fn(&target, vmctx(), args...);
    }
    harness_detail::trap_target = saved;
    return std::move(*result);
  }
  template <typename R, typename... Args>
  CallResult<R> call(const std::string& name, Args... args) {
    return call_code<R>(code(name), args...);
  }

  // Builtins, as the runtime will provide them (simplified).
  static VMBuiltins make_builtins();

 private:
  uint8_t* bytes_at(uint32_t offset) const { return vmctx_mem_.get() + harness_detail::kHeader + offset; }

  void build(std::vector<ImportDef> imports) {
    using harness_detail::type_id_of;
    offsets_.emplace(shape_of(module_));
    size_t size = offsets_->size() + harness_detail::kHeader;
    vmctx_mem_.reset(static_cast<uint8_t*>(::operator new[](size, std::align_val_t(16))));
    std::memset(vmctx_mem_.get(), 0, size);
    JitInstance* self = this;
    std::memcpy(vmctx_mem_.get(), &self, sizeof(self));

    builtins_ = make_builtins();
    store_.stack_limit = uintptr_t(__builtin_frame_address(0)) - 1024 * 1024;
    for (uint32_t i = 0; i < module_.types.size(); ++i)
      type_ids_.push_back(type_id_of(module_.types, i));

    auto put = [&](uint32_t offset, const auto& value) {
      std::memcpy(bytes_at(offset), &value, sizeof(value));
    };
    put(VMOffsets::magic(), kVMContextMagic);
    put(VMOffsets::store_context(), &store_);
    put(VMOffsets::builtins(), &builtins_);
    put(VMOffsets::type_ids(), type_ids_.data());

    // Imports, in order of the import section.
    uint32_t fi = 0, mi = 0, ti = 0, gi = 0;
    size_t next_import = 0;
    for (const Import& imp : module_.imports) {
      ImportDef def = next_import < imports.size() ? imports[next_import] : ImportDef{};
      ++next_import;
      switch (imp.kind) {
        case ExternKind::Func: {
          VMFunctionImport fimp;
          if (def.from) {
            fimp.code = const_cast<void*>(def.from->code(def.index));
            fimp.vmctx = def.from->vmctx();
          } else {
            fimp.code = const_cast<void*>(def.host);
            fimp.vmctx = vmctx();
          }
          put(offsets_->imported_function(fi), fimp);
          VMFuncRef ref{fimp.code, fimp.vmctx, type_id_of(module_.types, imp.type_index), 0};
          put(offsets_->func_ref(fi), ref);
          ++fi;
          break;
        }
        case ExternKind::Memory:
          memory_ptrs_.push_back(&def.from->memory(def.index));
          put(offsets_->imported_memory(mi++),
              VMMemoryImport{def.from->memory(def.index).def, def.from->vmctx()});
          break;
        case ExternKind::Table:
          table_ptrs_.push_back(&def.from->table(def.index));
          put(offsets_->imported_table(ti++),
              VMTableImport{def.from->table(def.index).def, def.from->vmctx()});
          break;
        case ExternKind::Global:
          global_ptrs_.push_back(&def.from->global(def.index));
          put(offsets_->imported_global(gi++), VMGlobalImport{&def.from->global(def.index)});
          break;
        default: break;
      }
    }
    // Defined functions.
    for (uint32_t f = module_.num_imported_funcs; f < module_.func_types.size(); ++f) {
      VMFuncRef ref{const_cast<void*>(code(f)), vmctx(), type_id_of(module_.types, module_.func_types[f]), 0};
      put(offsets_->func_ref(f), ref);
    }
    // Memories: 4 GiB + guard reserved, the current size readable and writable.
    memories_.reserve(module_.memories.size());
    for (uint32_t m = module_.num_imported_memories; m < module_.memories.size(); ++m) {
      TestMemory mem;
      mem.reserved = (size_t(8) << 30) + 65536;
      void* p = mmap(nullptr, mem.reserved, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
      if (p == MAP_FAILED) throw std::runtime_error("mmap");
      mem.base = static_cast<uint8_t*>(p);
      uint64_t pages = module_.memories[m].limits.min;
      if (module_.memories[m].limits.max) mem.max_pages = *module_.memories[m].limits.max;
      if (pages) mprotect(mem.base, pages * 65536, PROT_READ | PROT_WRITE);
      mem.def = reinterpret_cast<VMMemoryDefinition*>(bytes_at(offsets_->memory(m - module_.num_imported_memories)));
      mem.def->base = mem.base;
      mem.def->current_length = pages * 65536;
      memories_.push_back(mem);
      memory_ptrs_.push_back(&memories_.back());
    }
    // Tables.
    tables_.reserve(module_.tables.size());
    for (uint32_t t = module_.num_imported_tables; t < module_.tables.size(); ++t) {
      TestTable table;
      table.funcref = module_.tables[t].element == ValType::FuncRef;
      table.slots.assign(module_.tables[t].limits.min, table.funcref ? 0 : 0);
      table.lazy.assign(module_.tables[t].limits.min, nullptr);
      if (module_.tables[t].limits.max) table.max = *module_.tables[t].limits.max;
      table.def = reinterpret_cast<VMTableDefinition*>(bytes_at(offsets_->table(t - module_.num_imported_tables)));
      tables_.push_back(std::move(table));
      table_ptrs_.push_back(&tables_.back());
      sync_table(tables_.back());
    }
    // Globals (constant initialisers only).
    for (uint32_t g = module_.num_imported_globals; g < module_.globals.size(); ++g) {
      auto* def = reinterpret_cast<VMGlobalDefinition*>(bytes_at(offsets_->global(g - module_.num_imported_globals)));
      const ConstExpr& init = module_.global_inits[g - module_.num_imported_globals];
      if (!init.code.empty()) {
        const Instruction& ins = init.code[0];
        if (ins.op == Op::RefFunc) def->set<void*>(func_ref(ins.index));
        else def->set<uint64_t>(ins.bits);
      }
      global_ptrs_.push_back(def);
    }
    // Active segments with constant offsets.
    for (const ElemSegment& seg : module_.elements) {
      if (seg.mode != SegmentMode::Active) continue;
      TestTable& t = table(seg.table);
      uint32_t at = uint32_t(seg.offset.code.at(0).bits);
      for (size_t i = 0; i < seg.size(); ++i) {
        VMFuncRef* ref = nullptr;
        if (!seg.uses_exprs) ref = func_ref(seg.func_indices[i]);
        else if (seg.exprs[i].code.at(0).op == Op::RefFunc) ref = func_ref(seg.exprs[i].code[0].index);
        t.lazy.at(at + i) = ref;  // resolved on first use, as the real runtime does
        t.slots.at(at + i) = 0;
      }
    }
    for (const DataSegment& seg : module_.data) {
      if (seg.mode != SegmentMode::Active) continue;
      uint32_t at = uint32_t(seg.offset.code.at(0).bits);
      auto bytes = module_.segment_bytes(seg);
      std::memcpy(memory(seg.memory).def->base + at, bytes.data(), bytes.size());
    }
    dropped_data_.assign(module_.data.size(), false);
    dropped_elem_.assign(module_.elements.size(), false);
  }

 public:
  static void sync_table(TestTable& t) {
    t.def->base = t.slots.data();
    t.def->current_elements = t.slots.size();
  }
  VMFuncRef* resolve_slot(TestTable& t, uint64_t index) {
    if (!t.funcref) return reinterpret_cast<VMFuncRef*>(t.slots[index]);
    if (t.slots[index] == 0) t.slots[index] = uintptr_t(t.lazy[index]) | 1;
    return reinterpret_cast<VMFuncRef*>(t.slots[index] & ~uintptr_t(1));
  }
  uintptr_t encode(const TestTable& t, void* ref) const {
    return t.funcref ? uintptr_t(ref) | 1 : uintptr_t(ref);
  }

  std::vector<bool> dropped_data_, dropped_elem_;
  int epoch_calls = 0;
  int fuel_calls = 0;

 private:
  CompileOptions options_;
  std::string error_;
  ModuleInfo module_;
  CompiledModule compiled_;
  std::optional<VMOffsets> offsets_;
  struct AlignedDelete {
    void operator()(uint8_t* p) const { ::operator delete[](p, std::align_val_t(16)); }
  };
  std::unique_ptr<uint8_t[], AlignedDelete> vmctx_mem_;
  VMStoreContext store_;
  VMBuiltins builtins_;
  std::vector<uint32_t> type_ids_;
  std::vector<TestMemory> memories_;
  std::vector<TestMemory*> memory_ptrs_;
  std::vector<TestTable> tables_;
  std::vector<TestTable*> table_ptrs_;
  std::vector<VMGlobalDefinition*> global_ptrs_;
};

inline VMBuiltins JitInstance::make_builtins() {
  using harness_detail::instance_of;
  using harness_detail::trap;
  VMBuiltins b;
  b.memory_grow = [](VMContext* v, uint32_t m, uint64_t delta) -> uint64_t {
    TestMemory& mem = instance_of(v).memory(m);
    uint64_t old = mem.def->current_length / 65536;
    if (old + delta > mem.max_pages) return ~uint64_t(0);
    if (delta) mprotect(mem.base + old * 65536, delta * 65536, PROT_READ | PROT_WRITE);
    mem.def->current_length = (old + delta) * 65536;
    return old;
  };
  b.memory_fill = [](VMContext* v, uint32_t m, uint64_t dst, uint32_t byte, uint64_t len) {
    TestMemory& mem = instance_of(v).memory(m);
    if (dst + len > mem.def->current_length) trap(TrapCode::MemoryOutOfBounds);
    std::memset(mem.def->base + dst, int(byte), len);
  };
  b.memory_copy = [](VMContext* v, uint32_t dm, uint32_t sm, uint64_t dst, uint64_t src, uint64_t len) {
    TestMemory& d = instance_of(v).memory(dm);
    TestMemory& s = instance_of(v).memory(sm);
    if (dst + len > d.def->current_length || src + len > s.def->current_length)
      trap(TrapCode::MemoryOutOfBounds);
    std::memmove(d.def->base + dst, s.def->base + src, len);
  };
  b.memory_init = [](VMContext* v, uint32_t m, uint32_t data, uint64_t dst, uint32_t src, uint32_t len) {
    JitInstance& inst = instance_of(v);
    TestMemory& mem = inst.memory(m);
    auto bytes = inst.module().segment_bytes(inst.module().data[data]);
    uint64_t avail = inst.dropped_data_[data] ? 0 : bytes.size();
    if (uint64_t(src) + len > avail || dst + len > mem.def->current_length)
      trap(TrapCode::MemoryOutOfBounds);
    std::memcpy(mem.def->base + dst, bytes.data() + src, len);
  };
  b.data_drop = [](VMContext* v, uint32_t data) { instance_of(v).dropped_data_[data] = true; };
  b.table_get = [](VMContext* v, uint32_t t, uint64_t index) -> void* {
    JitInstance& inst = instance_of(v);
    TestTable& table = inst.table(t);
    if (index >= table.slots.size()) trap(TrapCode::TableOutOfBounds);
    return inst.resolve_slot(table, index);
  };
  b.table_set = [](VMContext* v, uint32_t t, uint64_t index, void* value) {
    JitInstance& inst = instance_of(v);
    TestTable& table = inst.table(t);
    if (index >= table.slots.size()) trap(TrapCode::TableOutOfBounds);
    table.slots[index] = inst.encode(table, value);
  };
  b.table_grow = [](VMContext* v, uint32_t t, uint64_t delta, void* init) -> uint64_t {
    JitInstance& inst = instance_of(v);
    TestTable& table = inst.table(t);
    uint64_t old = table.slots.size();
    if (delta > table.max - old) return ~uint64_t(0);
    table.slots.resize(old + delta, inst.encode(table, init));
    table.lazy.resize(old + delta, nullptr);
    sync_table(table);
    return old;
  };
  b.table_fill = [](VMContext* v, uint32_t t, uint64_t dst, void* value, uint64_t len) {
    JitInstance& inst = instance_of(v);
    TestTable& table = inst.table(t);
    if (dst > table.slots.size() || len > table.slots.size() - dst) trap(TrapCode::TableOutOfBounds);
    for (uint64_t i = 0; i < len; ++i) table.slots[dst + i] = inst.encode(table, value);
  };
  b.table_copy = [](VMContext* v, uint32_t dt, uint32_t st, uint64_t dst, uint64_t src, uint64_t len) {
    JitInstance& inst = instance_of(v);
    TestTable& d = inst.table(dt);
    TestTable& s = inst.table(st);
    if (dst > d.slots.size() || len > d.slots.size() - dst || src > s.slots.size() ||
        len > s.slots.size() - src)
      trap(TrapCode::TableOutOfBounds);
    std::vector<void*> tmp;
    for (uint64_t i = 0; i < len; ++i) tmp.push_back(inst.resolve_slot(s, src + i));
    for (uint64_t i = 0; i < len; ++i) d.slots[dst + i] = inst.encode(d, tmp[i]);
  };
  b.table_init = [](VMContext* v, uint32_t t, uint32_t elem, uint64_t dst, uint32_t src, uint32_t len) {
    JitInstance& inst = instance_of(v);
    TestTable& table = inst.table(t);
    const ElemSegment& seg = inst.module().elements[elem];
    uint64_t avail = inst.dropped_elem_[elem] ? 0 : seg.size();
    if (uint64_t(src) + len > avail || dst > table.slots.size() || len > table.slots.size() - dst)
      trap(TrapCode::TableOutOfBounds);
    for (uint32_t i = 0; i < len; ++i) {
      VMFuncRef* ref = nullptr;
      if (!seg.uses_exprs) ref = inst.func_ref(seg.func_indices[src + i]);
      else if (seg.exprs[src + i].code.at(0).op == Op::RefFunc)
        ref = inst.func_ref(seg.exprs[src + i].code[0].index);
      table.slots[dst + i] = inst.encode(table, ref);
    }
  };
  b.elem_drop = [](VMContext* v, uint32_t elem) { instance_of(v).dropped_elem_[elem] = true; };
  b.table_lazy_init = [](VMContext* v, uint32_t t, uint64_t index) -> VMFuncRef* {
    JitInstance& inst = instance_of(v);
    return inst.resolve_slot(inst.table(t), index);
  };
  b.raise_trap = [](VMContext*, uint32_t code) { trap(TrapCode(code)); };
  b.out_of_fuel = [](VMContext* v) {
    JitInstance& inst = instance_of(v);
    ++inst.fuel_calls;
    trap(TrapCode::OutOfFuel);
  };
  b.epoch_deadline_reached = [](VMContext* v) {
    JitInstance& inst = instance_of(v);
    ++inst.epoch_calls;
    // Let the guest continue twice (it comes back at the next check), then trap.
    if (inst.epoch_calls >= 3) trap(TrapCode::Interrupt);
  };
  return b;
}

}  // namespace wasm::test::jit
