#pragma once
// Module: a decoded, validated and compiled WebAssembly module, ready to instantiate.
// Immutable and shareable between threads and stores; copies are handles to the same module.
#include <cstdint>
#include <memory>
#include <string>
#include <span>
#include <string_view>
#include <variant>
#include <vector>

#include "wasm/detail/base/inline.hpp"
#include "wasm/detail/vm/module_state.hpp"
#include "wasm/detail/vm/type_registry.hpp"
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

  // The precompiled form of this module (header of jit/serialized_header.hpp, then the module
  // and its machine code), for deserialize_unchecked by an engine of the same configuration.
  // A lazily compiled module (Config::lazy_compilation) is compiled whole for it; empty if
  // that fails (out of memory).
  std::vector<uint8_t> serialize() const;

  // Loads a module that serialize() wrote, without compiling it again.
  // UNCHECKED: this runs machine code taken from `bytes`. Give it only bytes that you trust as
  // much as this program's own code (written by serialize() of this wasmpp, and stored where
  // nobody else can write); like wasmtime's `unsafe fn Module::deserialize`. The header's
  // checks refuse, with an error that says why, bytes that are no precompiled module, were
  // written by another wasmpp or for another configuration (bounds checks, fuel, epochs,
  // proposals, guard size, CPU features), truncated or damaged (XXH64 checksums), but a
  // checksum is no signature: crafted bytes pass them.
  static Result<Module> deserialize_unchecked(const Engine& engine, std::span<const uint8_t> bytes);

  // deserialize_unchecked from a file, which is mapped rather than read: its code pages become
  // the module's code in place (shared with the page cache). The same trust is needed, and the
  // file must not change while the module lives (the mapping is private, but pages not yet
  // read come from the file as it is then).
  static Result<Module> deserialize_file_unchecked(const Engine& engine, const std::string& path);

  // Whether `bytes` start like a precompiled module (its magic), to pick compile or deserialize.
  static bool is_precompiled(std::span<const uint8_t> bytes);

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
                                                               std::span<const uint8_t> bytes,
                                                               bool validate = true);
  template <typename MakeCode>
  static Result<Module> deserialized(const Engine& engine, std::span<const uint8_t> bytes, MakeCode make_code);

  // Types as the engine knows them: a defined type is named by its engine-wide id
  // (ValType::is_canonical), so that they compare with those of other modules and instances.
  ExternType import_extern_type(const detail::Import& imp) const {
    switch (imp.kind) {
      case ExternKind::Table: return canonical(imp.table);
      case ExternKind::Memory: return imp.memory;
      case ExternKind::Global: return canonical(imp.global);
      default: return engine_.state().types.lookup(state_->type_ids[imp.type_index]);
    }
  }

  ExternType extern_type(ExternKind kind, uint32_t index) const {
    const auto& info = state_->info;
    switch (kind) {
      case ExternKind::Table: return canonical(info.tables[index]);
      case ExternKind::Memory: return info.memories[index];
      case ExternKind::Global: return canonical(info.globals[index]);
      default: return engine_.state().types.lookup(state_->type_ids[info.func_types[index]]);
    }
  }
  TableType canonical(TableType t) const {
    t.element = detail::canonical_type(t.element, state_->type_ids);
    return t;
  }
  GlobalType canonical(GlobalType t) const {
    t.type = detail::canonical_type(t.type, state_->type_ids);
    return t;
  }

  Engine engine_;
  std::shared_ptr<const detail::ModuleState> state_;
};

}  // namespace wasm

#if !defined(WASMPP_SEPARATE_COMPILATION) || defined(WASMPP_IMPLEMENTATION)
#include "wasm/module_impl.hpp"
#endif
