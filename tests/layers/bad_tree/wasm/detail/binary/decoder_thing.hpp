#pragma once
// A deliberate layering error for the checker's own test: binary must not include vm.
#include "wasm/detail/vm/runtime_thing.hpp"
