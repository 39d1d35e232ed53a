#pragma once
// The runtime records of exception handling: a tag instance and an exception object.
//
// A tag's identity is its VMTag's address: two modules that import the same tag throw and catch
// the same exceptions, two instantiations of one module define different tags. An exception is
// allocated by a throw and owned by its store until the store dies (there is no collector yet);
// an exnref is the address of one, so catch_ref / throw_ref pass it around without copying.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "wasm/detail/base/val_raw.hpp"
#include "wasm/detail/env/exception_layout.hpp"
#include "wasm/types.hpp"

namespace wasm::detail {

struct VMTag {
  uint32_t type_id = 0;  // engine-wide id of the tag's function type (results are empty)
  uint32_t handle = 0;   // index in StoreData::tags, for wasm::Tag handles
  FuncType type;
};

struct VMException {
  ValRaw* values = nullptr;  // storage.get(); read by JIT code (exn_layout::kValues)
  const VMTag* tag = nullptr;
  std::unique_ptr<ValRaw[]> storage;  // one per parameter of the tag's type, in order
};
static_assert(offsetof(VMException, values) == exn_layout::kValues);
static_assert(sizeof(ValRaw) == exn_layout::kValueBytes);

}  // namespace wasm::detail
