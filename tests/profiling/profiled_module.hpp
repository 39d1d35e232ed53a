#pragma once
// The module every profiling test announces (wat/profiled.wat, assembled at build time with
// its names), and what the tests expect of it.
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include <wasm.hpp>

inline std::vector<uint8_t> profiled_module_bytes() {
  std::string path = std::string(WASMPP_PROFILING_WASM_DIR) + "/profiled.wasm";
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("missing test module " + path);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

// Function index 0 is the import; 1..4 are defined, in this order.
inline const std::vector<std::string> kProfiledNames = {"wasm_inner", "wasm_outer", "wasm-function[3]",
                                                        "hot_loop"};
