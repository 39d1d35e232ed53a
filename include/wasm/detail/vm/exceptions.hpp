#pragma once
// The runtime records of exception handling: a tag instance and an exception object.
//
// A tag's identity is its VMTag's address: two modules that import the same tag throw and catch
// the same exceptions, two instantiations of one module define different tags. An exception is
// allocated by a throw and owned by its store until the store dies (there is no collector yet);
// an exnref is the address of one, so catch_ref / throw_ref pass it around without copying.
#include <cstdint>
#include <vector>

#include "wasm/detail/base/val_raw.hpp"
#include "wasm/types.hpp"

namespace wasm::detail {

struct VMTag {
  uint32_t type_id = 0;  // engine-wide id of the tag's function type (results are empty)
  FuncType type;
};

struct VMException {
  const VMTag* tag = nullptr;
  std::vector<ValRaw> payload;  // one per parameter of the tag's type, in order
};

}  // namespace wasm::detail
