#pragma once
// Entry points of the text format: a whole .wat text to a module binary.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wasm/detail/text/module_encoder.hpp"
#include "wasm/result.hpp"

namespace wasm::detail::text {

// For a parser positioned just after `(module $id?` (the id already read, passed as
// `module_id`): encodes the module fields up to, not including, the closing ')'. Throws
// ParseError. The .wast reader calls this for a `(module ...)` form that is neither `binary`
// nor `quote`.
inline std::vector<uint8_t> encode_module_fields(Parser& p, std::optional<Token> module_id = {},
                                                 EncodeOptions opts = {}) {
  ModuleEncoder enc(p, opts);
  return enc.encode_fields(module_id);
}

// A whole text: one `(module $id? ...)` form or bare module fields.
inline Result<std::vector<uint8_t>> wat_to_wasm(std::string_view text, EncodeOptions opts = {}) {
  try {
    Parser p(text);
    std::vector<uint8_t> bytes;
    if (p.at_lparen_keyword("module")) {
      p.next();
      p.next();
      auto id = p.opt_id();
      bytes = encode_module_fields(p, id, opts);
      p.expect_rparen();
    } else {
      bytes = encode_module_fields(p, std::nullopt, opts);
    }
    if (!p.at(Tok::Eof)) p.fail_unexpected();
    return bytes;
  } catch (const ParseError& e) {
    return Error(ErrorKind::Decode, e.to_string());
  }
}

}  // namespace wasm::detail::text
