#pragma once
// Which WebAssembly extensions the decoder and validator accept.
// Everything in WebAssembly 2.0 (multi-value, bulk memory, reference types, sign extension,
// saturating truncation, SIMD) is always on; the flags below are post-2.0 proposals.
#include <iterator>
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
  bool custom_page_sizes = false;     // recognised only: such memories are refused as Unsupported
  // Reference types (part of 2.0, on by default; as wasmtime's wasm_reference_types). Off, modules
  // are held to 1.0's rules for what it added: one table, call_indirect's table byte zero, no
  // externref, no funcref values, no ref.* / table.get / set / size / grow / fill / typed select.
  bool reference_types = true;

  // Turns on a proposal by its name ("multi-memory", "memory64", ...: wast2json's flag names).
  // Returns false for an unknown name.
  constexpr bool enable(std::string_view name);
  // Turns a feature off by the same name (for reference types, which is on by default).
  constexpr bool disable(std::string_view name);

  // Every proposal above (the WebAssembly 3.0 suite is run with all of them; what the runtime
  // does not implement yet is then refused as ErrorKind::Unsupported, not as malformed).
  constexpr void enable_all();
};

// Each proposal's name and flag: the one list that names them (precompiled modules record a
// proposal as the bit of its position here, so new entries go at the end).
struct FeatureFlag {
  const char* name;
  bool Features::*flag;
};
inline constexpr FeatureFlag kFeatureFlags[] = {
    {"multi-memory", &Features::multi_memory},
    {"memory64", &Features::memory64},
    {"extended-const", &Features::extended_const},
    {"tail-call", &Features::tail_call},
    {"threads", &Features::threads},
    {"exceptions", &Features::exceptions},
    {"relaxed-simd", &Features::relaxed_simd},
    {"function-references", &Features::function_references},
    {"gc", &Features::gc},
    {"wide-arithmetic", &Features::wide_arithmetic},
    {"custom-page-sizes", &Features::custom_page_sizes},
    {"reference-types", &Features::reference_types},
};
static_assert(sizeof(Features) == std::size(kFeatureFlags), "a Features flag is missing from kFeatureFlags");

constexpr bool Features::enable(std::string_view name) {
  for (const FeatureFlag& f : kFeatureFlags) {
    if (name == f.name) {
      this->*f.flag = true;
      return true;
    }
  }
  return false;
}

constexpr bool Features::disable(std::string_view name) {
  for (const FeatureFlag& f : kFeatureFlags) {
    if (name == f.name) {
      this->*f.flag = false;
      return true;
    }
  }
  return false;
}

constexpr void Features::enable_all() {
  for (const FeatureFlag& f : kFeatureFlags) this->*f.flag = true;
}

}  // namespace wasm
