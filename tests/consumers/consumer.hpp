#pragma once
// Shared by the consumer program's two translation units (main.cpp, add.cpp).
#include <cstddef>
#include <cstdint>
#include <string>

// Separately compiled, a translation unit that uses the API parses neither xbyak nor the compiler
// (included after <wasm.hpp>, this sees what it pulled in).
#if defined(WASMPP_SEPARATE_COMPILATION) && !defined(WASMPP_IMPLEMENTATION) && defined(XBYAK_XBYAK_H_)
#error "WASMPP_SEPARATE_COMPILATION: <wasm.hpp> pulled in xbyak"
#endif

namespace consumer {
inline constexpr std::size_t kAddModuleSize = 41;
extern const uint8_t kAddModule[kAddModuleSize];  // a module exporting add(i32, i32) -> i32
bool call_add(int32_t a, int32_t b, int32_t& sum);  // compile, instantiate, call; false on error
bool report(const char* step, const std::string& message);
}  // namespace consumer
