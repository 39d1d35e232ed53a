// The one translation unit of the wasmpp::compiled library: wasmpp's non-template definitions,
// for programs built with WASMPP_SEPARATE_COMPILATION (see include/wasm/impl.hpp).
#include <wasm/impl.hpp>
