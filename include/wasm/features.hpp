#pragma once
// Which WebAssembly extensions the decoder and validator accept.
// Everything in WebAssembly 2.0 (multi-value, bulk memory, reference types, sign extension,
// saturating truncation, SIMD) is always on; the flags below are post-2.0 proposals.
#include <string_view>

namespace wasm {

struct Features {
  bool multi_memory = false;
  bool memory64 = false;
  bool extended_const = false;
  bool tail_call = false;
  bool threads = false;
  bool exceptions = false;
  bool relaxed_simd = false;
  bool function_references = false;  // call_ref, ref.as_non_null, br_on_null, typed refs
  bool gc = false;                    // 0xFB struct/array/i31/cast instructions, ref.eq
  bool wide_arithmetic = false;       // i64.add128, i64.sub128, i64.mul_wide_s/u

  // Turns on a proposal by its wast2json flag name ("multi-memory", "memory64", ...).
  // Returns false for an unknown name.
  constexpr bool enable(std::string_view name) {
    if (name == "multi-memory") multi_memory = true;
    else if (name == "memory64") memory64 = true;
    else if (name == "extended-const") extended_const = true;
    else if (name == "tail-call") tail_call = true;
    else if (name == "threads") threads = true;
    else if (name == "exceptions") exceptions = true;
    else if (name == "relaxed-simd") relaxed_simd = true;
    else if (name == "function-references") function_references = true;
    else if (name == "gc") gc = true;
    else if (name == "wide-arithmetic") wide_arithmetic = true;
    else return false;
    return true;
  }

  // Every proposal above (the WebAssembly 3.0 suite is run with all of them; what the runtime
  // does not implement yet is then refused as ErrorKind::Unsupported, not as malformed).
  constexpr void enable_all() {
    multi_memory = memory64 = extended_const = tail_call = threads = exceptions = relaxed_simd = true;
    function_references = gc = wide_arithmetic = true;
  }
};

}  // namespace wasm
