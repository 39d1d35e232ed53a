#pragma once
// wasmpp: a header-only WebAssembly runtime. This umbrella header includes the public API.
#include "wasm/config.hpp"
#include "wasm/engine.hpp"
#include "wasm/error.hpp"
#include "wasm/features.hpp"
#include "wasm/module.hpp"
#include "wasm/result.hpp"
#include "wasm/types.hpp"
