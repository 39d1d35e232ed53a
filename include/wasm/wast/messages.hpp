#pragma once
// Whether an error message we produced stands for the failure a spec assertion expects.
//
// The scripts' texts are the reference interpreter's messages. Our trap messages follow them
// (wasm::trap_message), but the scripts use a few older or more specific wordings for the same
// trap; those are mapped here, once.
#include <string_view>

namespace wasm::wast {

inline bool message_matches(std::string_view expected, std::string_view actual) {
  if (expected.empty()) return true;
  // Our message may add detail after the spec's text, or the spec's text may add detail (as in
  // "uninitialized element 2") after ours.
  if (actual.find(expected) != std::string_view::npos) return true;
  if (!actual.empty() && expected.starts_with(actual)) return true;
  struct Alias {
    std::string_view expected;
    std::string_view actual;
  };
  static constexpr Alias aliases[] = {
      {"undefined element", "out of bounds table access"},
      {"unaligned atomic", "misaligned memory access"},
  };
  for (const Alias& a : aliases)
    if (expected.starts_with(a.expected) && actual.find(a.actual) != std::string_view::npos) return true;
  return false;
}

}  // namespace wasm::wast
