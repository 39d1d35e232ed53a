#pragma once
// The definitions behind wasm.hpp in separate-compilation mode: include this in exactly one
// translation unit of a program built with WASMPP_SEPARATE_COMPILATION defined in every
// translation unit (or link the wasmpp::compiled library, which is that translation unit).
// Defining WASMPP_IMPLEMENTATION before including wasm.hpp does the same. See
// detail/base/inline.hpp.
#if !defined(WASMPP_SEPARATE_COMPILATION)
#error "wasm/impl.hpp is for separate compilation: define WASMPP_SEPARATE_COMPILATION in every translation unit (header-only mode needs no impl.hpp)"
#endif
#ifndef WASMPP_IMPLEMENTATION
#define WASMPP_IMPLEMENTATION
#endif
#include "wasm.hpp"
#include "wasm/detail/vm/engine_state_impl.hpp"
#include "wasm/detail/vm/instantiate_impl.hpp"
#include "wasm/detail/vm/invoke_impl.hpp"
#include "wasm/detail/vm/trap_handler_impl.hpp"
#include "wasm/module_impl.hpp"
