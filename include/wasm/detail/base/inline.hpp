#pragma once
// Header-only (the default) or separately compiled (WASMPP_SEPARATE_COMPILATION).
//
// The heavy non-template functions (module compilation, instantiation, trampolines, trap
// handling) are declared in the light headers and defined in *_impl.hpp files, marked
// WASMPP_INLINE. Header-only: the light headers include their *_impl.hpp and WASMPP_INLINE is
// `inline`. Separately compiled: only one translation unit includes them (through
// wasm/impl.hpp, or the wasmpp::compiled library) and WASMPP_INLINE is empty, so a translation
// unit that only uses the API parses neither xbyak nor the compiler. WASMPP_IMPLEMENTATION (set
// by wasm/impl.hpp, or by hand before including the single header) marks that one unit.
#if defined(WASMPP_SEPARATE_COMPILATION)
#define WASMPP_INLINE
#else
#define WASMPP_INLINE inline
#endif
