// libFuzzer target: decode + validate arbitrary bytes. Any crash, sanitizer report, leak or
// huge allocation is a finding; errors are the expected outcome for most inputs.
#include <cstddef>
#include <cstdint>
#include <span>

#include "wasm/detail/binary/decoder.hpp"
#include "wasm/detail/binary/validator.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The first byte picks the proposals to enable, so their decoding paths are fuzzed too.
  wasm::Features features;
  if (size > 0) {
    uint8_t f = data[0];
    features.multi_memory = f & 1;
    features.memory64 = f & 2;
    features.extended_const = f & 4;
    features.tail_call = f & 8;
    features.threads = f & 16;
    features.exceptions = f & 32;
    ++data;
    --size;
  }
  auto module = wasm::detail::decode_module(std::span<const uint8_t>(data, size), features);
  if (module) (void)wasm::detail::validate_module(*module, features);
  return 0;
}
