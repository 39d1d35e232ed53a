#pragma once
// Leaving C++ frames without returning from them: a throw continuing at a wasm handler, a trap
// or an escaping exception continuing at an entry trampoline's exit. AddressSanitizer keeps the
// redzones of those frames poisoned until told otherwise (longjmp tells it through its
// interceptor); later frames on the same stack would then report false errors.
#if defined(__SANITIZE_ADDRESS__)
#define WASMPP_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WASMPP_ASAN 1
#endif
#endif

#ifdef WASMPP_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

namespace wasm::detail {

inline void before_abandoning_native_frames() {
#ifdef WASMPP_ASAN
  __asan_handle_no_return();
#endif
}

}  // namespace wasm::detail
