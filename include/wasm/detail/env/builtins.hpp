#pragma once
// VMBuiltins: the table of runtime functions JIT code calls (see builtins.def for the list and
// conventions). One table per process; every VMContext points at it.
#include <cstdint>

#include "wasm/detail/env/vm_records.hpp"

namespace wasm::detail {

enum class Builtin : uint32_t {
#define WASM_BUILTIN(name, ret, ...) name,
#include "wasm/detail/env/builtins.def"
#undef WASM_BUILTIN
  count
};

struct VMBuiltins {
#define WASM_BUILTIN(name, ret, ...) ret (*name)(__VA_ARGS__) = nullptr;
#include "wasm/detail/env/builtins.def"
#undef WASM_BUILTIN
};

// Displacement of a builtin's pointer inside the table.
constexpr uint32_t builtin_offset(Builtin b) { return uint32_t(b) * 8; }

static_assert(sizeof(VMBuiltins) == uint32_t(Builtin::count) * 8);

}  // namespace wasm::detail
