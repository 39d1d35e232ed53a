#pragma once
// What JIT code reads of an exception object (vm/exceptions.hpp, VMException): a catch handler
// copies the payload out of it. The unwinder hands the handler the exception in rax.
#include <cstdint>

namespace wasm::detail::exn_layout {

inline constexpr uint32_t kValues = 0;      // ValRaw*: the payload, 16 bytes per value
inline constexpr uint32_t kValueBytes = 16;

}  // namespace wasm::detail::exn_layout
