#pragma once
// WASI preview1 (wasi_snapshot_preview1) for wasmpp: WasiCtxBuilder configures what a guest
// sees (args, env, stdio, preopened directories); add_to_linker defines the calls on a Linker.
#include "wasm/wasi/add_to_linker.hpp"
#include "wasm/wasi/ctx.hpp"
