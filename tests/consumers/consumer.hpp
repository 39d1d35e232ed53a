#pragma once
// Shared by the consumer program's two translation units (main.cpp, add.cpp).
#include <cstddef>
#include <cstdint>
#include <string>

namespace consumer {
inline constexpr std::size_t kAddModuleSize = 41;
extern const uint8_t kAddModule[kAddModuleSize];  // a module exporting add(i32, i32) -> i32
bool call_add(int32_t a, int32_t b, int32_t& sum);  // compile, instantiate, call; false on error
bool report(const char* step, const std::string& message);
}  // namespace consumer
