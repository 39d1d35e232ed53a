#pragma once
// Module: a decoded, validated and compiled WebAssembly module, ready to instantiate.
// Immutable and shareable between threads and stores; copies are handles to the same module.
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <variant>
#include <vector>

#include "wasm/detail/base/inline.hpp"
#include "wasm/detail/vm/module_state.hpp"
#include "wasm/engine.hpp"
#include "wasm/result.hpp"
#include "wasm/types.hpp"

namespace wasm {

using ExternType = std::variant<FuncType, TableType, MemoryType, GlobalType>;

struct ImportType {
  std::string_view module;
  std::string_view name;
  ExternType type;
};

struct ExportType {
  std::string_view name;
  ExternType type;
};

class Module {
 public:
  // Decodes, validates and compiles `bytes`. Errors are of kind Decode, Validate or Resource.
  static Result<Module> compile(const Engine& engine, std::span<const uint8_t> bytes);

  // Encodes WebAssembly text (`(module ...)` or bare module fields) to the binary format and
  // compiles it. A text error is of kind Decode with "line:column: message".
  static Result<Module> from_wat(const Engine& engine, std::string_view text);

  // Checks `bytes` without compiling them.
  static Result<void> validate(const Engine& engine, std::span<const uint8_t> bytes) {
    auto state = validated(engine, bytes);
    if (!state) return std::move(state).error();
    return {};
  }

  const Engine& engine() const { return engine_; }
  std::optional<std::string_view> name() const {
    if (state_->info.names.module) return *state_->info.names.module;
    return std::nullopt;
  }

  std::vector<ImportType> imports() const {
    std::vector<ImportType> out;
    out.reserve(state_->info.imports.size());
    for (const auto& imp : state_->info.imports) out.push_back({imp.module, imp.name, import_extern_type(imp)});
    return out;
  }

  std::vector<ExportType> exports() const {
    std::vector<ExportType> out;
    out.reserve(state_->info.exports.size());
    for (const auto& exp : state_->info.exports) out.push_back({exp.name, extern_type(exp.kind, exp.index)});
    return out;
  }

  // Internal: the decoded module and its code, for the runtime and tools.
  const detail::ModuleInfo& info() const { return state_->info; }
  const std::shared_ptr<const detail::ModuleState>& state() const { return state_; }

 private:
  explicit Module(std::shared_ptr<detail::ModuleState> state)
      : engine_(Engine::from_state(state->engine)), state_(std::move(state)) {}

  static Result<std::shared_ptr<detail::ModuleState>> validated(const Engine& engine,
                                                               std::span<const uint8_t> bytes);

  ExternType import_extern_type(const detail::Import& imp) const {
    switch (imp.kind) {
      case ExternKind::Table: return imp.table;
      case ExternKind::Memory: return imp.memory;
      case ExternKind::Global: return imp.global;
      default: return state_->info.types[imp.type_index];
    }
  }

  ExternType extern_type(ExternKind kind, uint32_t index) const {
    const auto& info = state_->info;
    switch (kind) {
      case ExternKind::Table: return info.tables[index];
      case ExternKind::Memory: return info.memories[index];
      case ExternKind::Global: return info.globals[index];
      default: return info.func_type(index);
    }
  }

  Engine engine_;
  std::shared_ptr<const detail::ModuleState> state_;
};

}  // namespace wasm

#if !defined(WASMPP_SEPARATE_COMPILATION) || defined(WASMPP_IMPLEMENTATION)
#include "wasm/module_impl.hpp"
#endif
