#pragma once
// Loads the test modules assembled from tests/unit/wat/*.wat at build time.
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

inline std::vector<uint8_t> load_test_module(const std::string& name) {
  std::string path = std::string(WASMPP_TEST_WASM_DIR) + "/" + name + ".wasm";
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("missing test module " + path);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}
