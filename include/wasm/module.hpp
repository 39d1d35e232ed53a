#pragma once
// Module: a decoded, validated and compiled WebAssembly module, ready to instantiate.
// Immutable and shareable between threads and stores; copies are handles to the same module.
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <variant>
#include <vector>

#include "wasm/detail/binary/decoder.hpp"
#include "wasm/detail/binary/validator.hpp"
#include "wasm/detail/text/wat.hpp"
#include "wasm/detail/vm/code_loader.hpp"
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
  static Result<Module> compile(const Engine& engine, std::span<const uint8_t> bytes) {
    auto state = validated(engine, bytes);
    if (!state) return std::move(state).error();
    if (Result<void> r = detail::load_code(**state, engine.config()); !r) return std::move(r).error();
    return Module(std::move(*state));
  }

  // Encodes WebAssembly text (`(module ...)` or bare module fields) to the binary format and
  // compiles it. A text error is of kind Decode with "line:column: message".
  static Result<Module> from_wat(const Engine& engine, std::string_view text) {
    auto bytes = detail::text::wat_to_wasm(text);
    if (!bytes) return std::move(bytes).error();
    return compile(engine, *bytes);
  }

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
                                                               std::span<const uint8_t> bytes) {
    const Features& features = engine.config().wasm_features();
    auto info = detail::decode_module(bytes, features);
    if (!info) return std::move(info).error();
    if (auto valid = detail::validate_module(*info, features); !valid) return std::move(valid).error();
    auto state = std::make_shared<detail::ModuleState>();
    state->engine = engine.shared_state();
    state->offsets = detail::VMOffsets(detail::shape_of(*info));
    if (!state->offsets.ok()) return Error(ErrorKind::Resource, "module too large for a VMContext");
    state->type_ids.reserve(info->types.size());
    for (const FuncType& t : info->types) state->type_ids.push_back(engine.state().types.intern(t));
    state->info = std::move(*info);
    state->index_exports();  // after the move: the keys view the names inside `info`
    return state;
  }

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
