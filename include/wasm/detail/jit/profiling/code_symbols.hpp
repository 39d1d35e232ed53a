#pragma once
// The names profilers and debuggers show for JIT code: one symbol per compiled function (its
// name-section name, or wasm-function[N] as wasmtime and V8 print unnamed functions).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "wasm/detail/binary/module_info.hpp"
#include "wasm/detail/jit/compiled_module.hpp"

namespace wasm::detail::jit::profiling {

struct CodeSymbol {
  std::string name;
  uintptr_t address = 0;
  size_t size = 0;
};

inline std::string function_symbol_name(const ModuleInfo& info, uint32_t func_index) {
  std::string name = info.func_name(func_index);
  return name.empty() ? "wasm-function[" + std::to_string(func_index) + "]" : name;
}

// One symbol per defined function of `compiled`, in address order.
inline std::vector<CodeSymbol> module_symbols(const ModuleInfo& info, const CompiledModule& compiled) {
  std::vector<CodeSymbol> symbols;
  symbols.reserve(compiled.num_defined_funcs());
  const uintptr_t base = uintptr_t(compiled.code_memory().data());
  for (uint32_t i = 0; i < compiled.num_defined_funcs(); ++i) {
    const FunctionLocation& f = compiled.functions()[i];
    uint32_t index = compiled.num_imported_funcs() + i;
    symbols.push_back(CodeSymbol{function_symbol_name(info, index), base + f.offset, f.size});
  }
  return symbols;
}

// One symbol per function of `unit`, code that replaced a function's first (CompiledModule::replace).
inline std::vector<CodeSymbol> unit_symbols(const ModuleInfo& info, uint32_t num_imported_funcs, const CodeUnit& unit) {
  std::vector<CodeSymbol> symbols;
  symbols.reserve(unit.functions.size());
  const uintptr_t base = uintptr_t(unit.code.data());
  for (size_t i = 0; i < unit.functions.size(); ++i) {
    const uint32_t defined = unit.defined_indices.empty() ? uint32_t(i) : unit.defined_indices[i];
    const FunctionLocation& f = unit.functions[i];
    symbols.push_back(CodeSymbol{function_symbol_name(info, num_imported_funcs + defined), base + f.offset, f.size});
  }
  return symbols;
}

}  // namespace wasm::detail::jit::profiling
