#pragma once
// Reads a whole file.
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

namespace wasmpp_cli {

inline std::optional<std::vector<uint8_t>> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace wasmpp_cli
