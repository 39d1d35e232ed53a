// libFuzzer target: the text format. Arbitrary bytes go through the lexer, the parser and the
// encoder (wat_to_wasm), and the encoded bytes, when there are any, through the decoder and the
// validator (the encoder must not emit bytes that crash them). The same text is also read as a
// .wast script. Errors are the expected outcome for most inputs; a crash, sanitizer report, leak,
// stack overflow (deep nesting) or hang is a finding.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "wasm/detail/binary/decoder.hpp"
#include "wasm/detail/binary/validator.hpp"
#include "wasm/detail/text/wat.hpp"
#include "wasm/wast/script_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto bytes = wasm::detail::text::wat_to_wasm(text);
  if (bytes) {
    wasm::Features features;
    features.multi_memory = features.memory64 = features.extended_const = true;
    features.tail_call = features.threads = features.exceptions = true;
    auto module = wasm::detail::decode_module(std::span<const uint8_t>(*bytes), features);
    if (module) (void)wasm::detail::validate_module(*module, features);
  }
  try {
    (void)wasm::wast::parse_script(text);
  } catch (const wasm::detail::text::ParseError&) {
  }
  return 0;
}
