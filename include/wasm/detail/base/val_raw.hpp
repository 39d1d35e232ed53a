#pragma once
// ValRaw: one 16-byte value slot of the untyped path (results areas, Func::call argument
// arrays, array trampolines). Every type is stored little-endian from byte 0. It belongs to the
// base vocabulary because the public Val, the runtime and the JIT all read it.
#include <cstdint>

namespace wasm::detail {

union ValRaw {
  int32_t i32;
  int64_t i64;
  float f32;
  double f64;
  void* ref;
  uint8_t v128[16];
};
static_assert(sizeof(ValRaw) == 16);

}  // namespace wasm::detail
