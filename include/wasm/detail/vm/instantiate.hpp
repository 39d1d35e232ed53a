#pragma once
// Instantiation in the specification's order: imports type-checked; the Instance and its
// VMContext allocated; memories, tables, function references and globals created; element and
// then data segments applied (a failing segment stops instantiation, earlier writes stay
// visible, as in 2.0); then the start function runs.
#include <memory>
#include <span>

#include "wasm/detail/base/inline.hpp"
#include "wasm/detail/vm/store_data.hpp"

namespace wasm::detail {

// An import resolved to an entity of the store: kind plus an index into the store's vectors.
struct ResolvedImport {
  ExternKind kind = ExternKind::Func;
  uint32_t handle = 0;
};

// Instantiates `module` in `store` with `imports` (one per import of the module, in order).
// On success the instance belongs to the store. On failure after allocation it belongs to
// the store too: segments may already have written into shared tables or memories.
WASMPP_INLINE Result<Instance*> instantiate(StoreData& store, std::shared_ptr<const ModuleState> module,
                                            std::span<const ResolvedImport> imports);

}  // namespace wasm::detail

#if !defined(WASMPP_SEPARATE_COMPILATION) || defined(WASMPP_IMPLEMENTATION)
#include "wasm/detail/vm/instantiate_impl.hpp"
#endif
