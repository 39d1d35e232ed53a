#pragma once
// The bytes of a script's module: the strings of `(module binary ...)` as they are, and the text
// of `(module ...)` and `(module quote ...)` encoded by the text format's encoder (detail/text).
// The one place where the script layer calls the encoder.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wasm/detail/text/parser.hpp"
#include "wasm/detail/text/wat.hpp"
#include "wasm/error.hpp"
#include "wasm/features.hpp"
#include "wasm/wast/script.hpp"

namespace wasm::wast {

struct ModuleBytes {
  std::vector<uint8_t> bytes;          // when the module could be encoded
  std::optional<Error> error;          // a malformed text module (ErrorKind::Decode, line:col)
  std::optional<std::string> missing;  // the encoder cannot do this yet: the command is skipped
};

// `source` is the whole script the module was read from (text modules point into it, so their
// errors carry the script's own line and column).
// `features` are the script's: without memory64 the text format is the one before it, whose
// limits are u32, and without typed function references `ref.func` segments take the index form.
inline ModuleBytes module_bytes(const ScriptModule& m, std::string_view source,
                                const Features& features) {
  namespace text = detail::text;
  text::EncodeOptions opts;
  opts.u64_limits = features.memory64;
  opts.typed_function_refs = features.function_references;
  ModuleBytes out;
  switch (m.format) {
    case ModuleFormat::Binary: out.bytes.assign(m.bytes.begin(), m.bytes.end()); return out;
    case ModuleFormat::Quote: {
      auto r = text::wat_to_wasm(m.bytes, opts);
      if (r) out.bytes = std::move(*r);
      else out.error = r.error();
      return out;
    }
    case ModuleFormat::Text:
      try {
        text::Parser p(source);
        p.reset(m.fields);
        std::optional<text::Token> id;
        if (m.id) id = text::Token{text::Tok::Id, m.line, 1, *m.id};
        out.bytes = text::encode_module_fields(p, id, opts);
        if (m.to_end) {
          if (!p.at(text::Tok::Eof)) p.fail_unexpected();
        } else {
          p.expect_rparen();
        }
      } catch (const text::ParseError& e) {
        out.error = Error(ErrorKind::Decode, e.to_string());
      }
      return out;
  }
  return out;
}

}  // namespace wasm::wast
