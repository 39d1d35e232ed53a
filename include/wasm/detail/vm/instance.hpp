#pragma once
// Instance: the runtime state of one instantiated module. It is allocated in one block with
// its VMContext directly behind it, so JIT code (which sees only the VMContext) and builtins
// (which get a VMContext*) reach the Instance by pointer arithmetic.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <vector>

#include "wasm/detail/env/builtins.hpp"
#include "wasm/detail/vm/linear_memory.hpp"
#include "wasm/detail/vm/module_state.hpp"
#include "wasm/detail/vm/table.hpp"
#include "wasm/detail/env/vm_records.hpp"

namespace wasm::detail {

struct StoreData;
struct VMTag;

class alignas(VMOffsets::kAlign) Instance {
 public:
  // Allocates an Instance and its zeroed VMContext. Returns null when out of memory.
  static Instance* allocate(StoreData* store, std::shared_ptr<const ModuleState> module) {
    void* mem = ::operator new(block_size(*module), std::align_val_t(VMOffsets::kAlign), std::nothrow);
    if (!mem) return nullptr;
    return construct_in(mem, store, std::move(module));
  }
  static void destroy(Instance* instance) {
    if (!instance) return;
    instance->~Instance();
    ::operator delete(instance, std::align_val_t(VMOffsets::kAlign));
  }

  // For instance allocators: the bytes an Instance of `module` takes with its VMContext, and
  // building / tearing one down in a block of that size (aligned to VMOffsets::kAlign).
  static size_t block_size(const ModuleState& module) { return sizeof(Instance) + module.offsets.size(); }
  static Instance* construct_in(void* block, StoreData* store, std::shared_ptr<const ModuleState> module) {
    const uint32_t vmctx_size = module->offsets.size();
    auto* instance = new (block) Instance(store, std::move(module));
    std::memset(instance->vmctx(), 0, vmctx_size);
    return instance;
  }
  static void destruct(Instance* instance) { instance->~Instance(); }
  static Instance* from_vmctx(VMContext* vmctx) {
    return reinterpret_cast<Instance*>(reinterpret_cast<char*>(vmctx) - sizeof(Instance));
  }

  VMContext* vmctx() {
    return reinterpret_cast<VMContext*>(reinterpret_cast<char*>(this) + sizeof(Instance));
  }
  // A field of the VMContext at byte offset `offset`.
  template <typename T>
  T* field(uint32_t offset) {
    return reinterpret_cast<T*>(reinterpret_cast<char*>(vmctx()) + offset);
  }

  const ModuleInfo& info() const { return module->info; }
  const VMOffsets& offsets() const { return module->offsets; }
  VMFuncRef* func_ref(uint32_t func_index) { return field<VMFuncRef>(offsets().func_ref(func_index)); }
  VMGlobalDefinition* global(uint32_t index) { return globals[index]; }

  StoreData* store;
  std::shared_ptr<const ModuleState> module;
  // Every entity of the module's index spaces, imports first.
  std::vector<LinearMemory*> memories;
  std::vector<Table*> tables;
  std::vector<VMGlobalDefinition*> globals;
  // Tags are not in the VMContext: only the unwinder (C++) compares them.
  std::vector<VMTag*> tags;
  // Handles (store indices) of those entities, for exports.
  std::vector<uint32_t> memory_handles, table_handles, global_handles, tag_handles;
  std::vector<int64_t> func_handles;  // -1 until the function is first handed out
  std::vector<bool> dropped_elems, dropped_data;
  // Lazy table initialisation: for each defined funcref table, the function index (+1; 0 for
  // none) that active element segments put in each slot.
  std::vector<std::vector<uint32_t>> lazy_funcs;

 private:
  Instance(StoreData* s, std::shared_ptr<const ModuleState> m) : store(s), module(std::move(m)) {}
};

static_assert(sizeof(Instance) % VMOffsets::kAlign == 0,
              "the VMContext must follow the Instance at its alignment");

}  // namespace wasm::detail
