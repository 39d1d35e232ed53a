#pragma once
// StoreData: everything a Store owns (the non-template part of wasm::Store<T>): its
// VMStoreContext, instances, memories, tables, globals and host functions. Public handles
// (Func, Memory, ...) are a store id plus an index into one of the vectors here.
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "wasm/detail/vm/exceptions.hpp"
#include "wasm/detail/vm/instance.hpp"
#include "wasm/detail/vm/resource_limiter.hpp"
#include "wasm/detail/jit/stub.hpp"
#include "wasm/detail/vm/engine_state.hpp"
#include "wasm/error.hpp"

namespace wasm::detail {

// The first fields of a host function's context, laid out like a VMContext's prefix so that
// code reaching the store context through the callee's "vmctx" works for both.
inline constexpr uint32_t kHostContextMagic =
    uint32_t('h') | uint32_t('o') << 8 | uint32_t('s') << 16 | uint32_t('t') << 24;

struct StoreData;
struct HostFunc;

// What a host function gets as its "callee vmctx": the prefix of a VMContext (so the entry
// trampoline finds the store context at the usual offset) and the function it belongs to.
struct VMHostContext {
  uint32_t magic = kHostContextMagic;
  uint32_t padding = 0;
  VMStoreContext* store_context = nullptr;
  HostFunc* owner = nullptr;
};
static_assert(offsetof(VMHostContext, store_context) == VMOffsets::store_context(),
              "a host function context must look like a VMContext to the entry trampoline");

// A host function defined in a store. JIT code calls `ref.code` with rdi = &vmctx.
struct HostFunc {
  // Reads parameters from values[0..n) and writes results to values[0..m). Returns false
  // after putting an Error into StoreData::pending_error (the call then traps).
  using Callback = std::function<bool(StoreData& store, VMContext* caller, ValRaw* values)>;

  VMHostContext vmctx;
  StoreData* store = nullptr;
  FuncType type;
  Callback callback;                // dynamic host functions
  Stub adapter;                     // their native convention → callback stub
  std::shared_ptr<void> closure;    // typed host functions: the C++ callable
  VMFuncRef ref;
};

struct StoreData {
  explicit StoreData(std::shared_ptr<EngineState> e)
      : engine(std::move(e)), id(next_id()), max_wasm_stack(engine->config.max_wasm_stack()) {
    ctx.store = this;
    ctx.epoch_counter = &engine->epoch;
  }
  ~StoreData() {
    for (Instance* i : instances) engine->allocator->deallocate_instance(i);
  }
  StoreData(const StoreData&) = delete;
  StoreData& operator=(const StoreData&) = delete;

  static StoreData& from_context(VMStoreContext* sc) { return *static_cast<StoreData*>(sc->store); }

  std::shared_ptr<EngineState> engine;
  uint64_t id;
  size_t max_wasm_stack;  // from the Config, read on every outermost entry into wasm
  VMStoreContext ctx;
  ResourceLimiter* limiter = nullptr;
  void* user_data = nullptr;  // the T of Store<T>

  std::vector<Instance*> instances;
  // Shared: a SharedMemory (threads) is also owned by every other store that uses it.
  std::vector<std::shared_ptr<LinearMemory>> memories;
  std::vector<std::unique_ptr<Table>> tables;

  struct GlobalRecord {
    VMGlobalDefinition* definition;
    GlobalType type;
  };
  std::vector<GlobalRecord> globals;
  std::vector<std::unique_ptr<VMGlobalDefinition>> host_globals;

  struct FuncRecord {
    VMFuncRef* ref;
  };
  std::vector<FuncRecord> funcs;
  std::vector<std::unique_ptr<HostFunc>> host_funcs;

  // A host function's error on its way out to the caller of the wasm function.
  std::optional<Error> pending_error;

  // Tags (defined by instances or created by the host) and the exceptions thrown so far.
  std::vector<std::unique_ptr<VMTag>> tags;
  std::vector<std::unique_ptr<VMException>> exceptions;

  uint32_t add_tag(uint32_t type_id) {
    auto tag = std::make_unique<VMTag>();
    tag->type_id = type_id;
    tag->type = engine->types.lookup(type_id);
    tag->handle = uint32_t(tags.size());
    tags.push_back(std::move(tag));
    return uint32_t(tags.size() - 1);
  }
  VMException* new_exception(const VMTag* tag) {
    auto exn = std::make_unique<VMException>();
    exn->tag = tag;
    exn->storage = std::make_unique<ValRaw[]>(std::max<size_t>(tag->type.params.size(), 1));
    exn->values = exn->storage.get();
    exceptions.push_back(std::move(exn));
    return exceptions.back().get();
  }

  uint32_t add_func(VMFuncRef* ref) {
    funcs.push_back({ref});
    return uint32_t(funcs.size() - 1);
  }
  uint32_t add_global(VMGlobalDefinition* def, GlobalType type) {
    globals.push_back({def, type});
    return uint32_t(globals.size() - 1);
  }

  // The function type of a funcref made in this engine.
  const FuncType& func_type(const VMFuncRef* ref) const {
    return engine->types.lookup(ref->type_id);
  }

 private:
  static uint64_t next_id() {
    static std::atomic<uint64_t> counter{1};
    return counter.fetch_add(1);
  }
};

}  // namespace wasm::detail
