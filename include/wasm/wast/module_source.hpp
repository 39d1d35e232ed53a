#pragma once
// The bytes of a script's module: the strings of `(module binary ...)` as they are, and the text
// of `(module ...)` and `(module quote ...)` encoded by the text format's encoder (detail/text).
// The one place where the script layer calls the encoder.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wasm/error.hpp"
#include "wasm/wast/script.hpp"

namespace wasm::wast {

struct ModuleBytes {
  std::vector<uint8_t> bytes;         // when the module could be encoded
  std::optional<Error> error;         // a malformed text module (ErrorKind::Decode)
  std::optional<std::string> missing;  // the encoder cannot do this yet: the command is skipped
};

// `source` is the whole script the module was read from (text modules point into it).
inline ModuleBytes module_bytes(const ScriptModule& m, std::string_view source) {
  ModuleBytes out;
  switch (m.format) {
    case ModuleFormat::Binary:
      out.bytes.assign(m.bytes.begin(), m.bytes.end());
      return out;
    case ModuleFormat::Quote:
    case ModuleFormat::Text:
      (void)source;
      out.missing = "text-format module (no encoder yet)";
      return out;
  }
  return out;
}

}  // namespace wasm::wast
