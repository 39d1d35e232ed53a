#pragma once
// The shape of a module (counts of imports and definitions) and the VMContext layout it
// implies, for embedders that know their module at compile time:
//
//   static constexpr std::array<uint8_t, N> kGuest{...};        // the module's bytes
//   constexpr wasm::ModuleShape kShape = wasm::module_shape_of(kGuest);
//   static_assert(wasm::VMOffsets(kShape).memory_base(0) == 32);
#include <cstdint>
#include <span>

#include "wasm/detail/env/vmoffsets.hpp"

namespace wasm {

using ModuleShape = detail::ModuleShape;
using VMOffsets = detail::VMOffsets;
template <ModuleShape Shape>
using StaticOffsets = detail::StaticOffsets<Shape>;

namespace detail {
// Not constexpr on purpose: reaching it during constant evaluation is the compile error
// module_shape_of gives for bytes that are not a well-formed module.
inline void embedded_module_is_malformed() {}
}  // namespace detail

// The shape of a module embedded in the program. Malformed bytes fail to compile, naming
// detail::embedded_module_is_malformed; use detail::scan_module_shape to get the message.
consteval ModuleShape module_shape_of(std::span<const uint8_t> bytes) {
  detail::ScanResult result = detail::scan_module_shape(bytes);
  if (!result.ok()) detail::embedded_module_is_malformed();
  return result.shape;
}

}  // namespace wasm
