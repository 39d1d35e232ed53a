#pragma once
// Reads a module file: a binary as it is, a `.wat` file encoded from the text format.
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include <wasm.hpp>
#include <wasm/detail/text/wat.hpp>  // the bytes themselves: `compile` times validation and compilation of them

namespace wasmpp_cli {

inline std::optional<std::vector<uint8_t>> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Whether the file at `path` starts with the precompiled-module magic (`wasmpp compile -o`'s
// output), whatever its name.
inline bool is_precompiled_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  uint8_t head[8] = {};
  in.read(reinterpret_cast<char*>(head), sizeof head);
  return in.gcount() == sizeof head && wasm::Module::is_precompiled(head);
}

inline bool is_wat(const std::string& path) { return path.size() > 4 && path.ends_with(".wat"); }

// The binary module of `path` (a .wat file is encoded); a text error says line and column.
inline wasm::Result<std::vector<uint8_t>> read_module(const std::string& path) {
  auto bytes = read_file(path);
  if (!bytes) return wasm::Error(wasm::ErrorKind::Resource, "cannot read " + path);
  if (!is_wat(path)) return std::move(*bytes);
  return wasm::detail::text::wat_to_wasm(std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()));
}

}  // namespace wasmpp_cli
